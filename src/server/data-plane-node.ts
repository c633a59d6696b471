/**
 * The composition root of a distributed data-plane node (`gatehouse serve --role data-plane`):
 * one region, following the control plane's feed over HTTP into a local snapshot file, so it
 * serves STS, SigV4 authentication and `/v1/authorize` on its own, restarts while cut off, and
 * passes IAM requests through to the control plane.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { AUDIT_DB_FILE, AuditLog } from '../audit/index.js';
import { deriveSubkey } from '../core/crypto/index.js';
import { UsageLog } from '../data-plane/usage-log.js';
import { HttpFeedSource } from '../replication/http-feed-source.js';
import { ReplicaFile } from '../replication/replica-file.js';
import { ControlPlaneForwarder } from './control-plane-forwarder.js';
import { listen, type RunningNode } from './listen.js';
import { createNodeHandler } from './node-handler.js';
import { regionalStsBackend } from './query-backends.js';
import { RegionDataPlane } from './region-data-plane.js';
import { DEFAULT_LIMITS, type ServerLimits } from './limits.js';
import { StartupError } from './startup-error.js';

export const REPLICA_FILE = 'replica.db';
export const USAGE_FILE = 'usage.db';

export interface DataPlaneNodeOptions {
  region: string;
  controlPlaneUrl: string;
  /** The region's replication token (`gatehouse replication-token --region R` on the control plane). */
  token: string;
  dataDir: string;
  port?: number;
  host?: string;
  nodeId?: string;
  limits?: Partial<ServerLimits>;
  log?: (line: string) => void;
  now?: () => Date;
  pollWaitMs?: number;
}

export async function startDataPlaneNode(options: DataPlaneNodeOptions): Promise<RunningNode> {
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  if (!/^[a-z0-9-]{1,32}$/.test(options.region)) throw new StartupError(`--region must be a region name such as eu-west-1 (got '${options.region}')`);
  if (!options.token) throw new StartupError('a data plane needs its region\'s replication token: set GATEHOUSE_REPLICATION_TOKEN or --token-file (print it with `gatehouse replication-token --region R` where the control plane runs)');
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const nodeId = options.nodeId ?? `${hostname()}-${randomUUID().slice(0, 8)}`;
  const file = ReplicaFile.open(join(dataDir, REPLICA_FILE));
  const usageLog = UsageLog.open(join(dataDir, USAGE_FILE));
  // The feed reports the node's applied revision to the control plane (for `gatehouse status`).
  const started: { plane?: RegionDataPlane } = {};
  const source = new HttpFeedSource({ url: options.controlPlaneUrl, token: options.token, nodeId, applied: () => started.plane?.follower.revision ?? 0 });
  log(`gatehouse: data plane ${options.region} (node ${nodeId}) following ${options.controlPlaneUrl}`);
  const region = (started.plane = await RegionDataPlane.start({ region: options.region, source, file, usageLog, now, log, pollWaitMs: options.pollWaitMs }));
  // The node keeps its own audit trail; its chain key comes from the region's token, since a
  // data plane never holds the master key.
  const audit = AuditLog.open(join(dataDir, AUDIT_DB_FILE), deriveSubkey(Buffer.from(options.token), 'gatehouse:data-plane-audit-chain'), { now, worker: true });
  const forwarder = new ControlPlaneForwarder({ controlPlaneUrl: options.controlPlaneUrl, region: options.region, reachable: () => region.follower.health().connected });
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const handler = createNodeHandler({
    role: 'data-plane',
    now,
    limits,
    audit,
    homeRegion: options.region,
    regions: [region],
    planeFor: () => region,
    queryBackend: (service) => (service === 'sts' ? regionalStsBackend(region) : undefined),
    forwardIam: (req, body, res) => forwarder.forward(req, body, res),
    onInternalError: (err) => log(`gatehouse: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  });
  const running = await listen(handler, { port: options.port ?? 0, host: options.host, limits });
  log(`gatehouse: data plane ${options.region} listening on ${running.url} (STS, /v1/authorize), replica at revision ${region.follower.revision}`);
  return {
    ...running,
    async close() {
      await running.close();
      forwarder.close();
      await region.close();
      file.close();
      usageLog.close();
      await audit.close();
    },
  };
}
