/**
 * The composition root of a distributed data-plane node (`gatehouse serve --role data-plane`):
 * one region, following the control plane's feed over HTTP into a local snapshot file, so it
 * serves STS, SigV4 authentication and `/v1/authorize` on its own, restarts while cut off, and
 * passes IAM requests through to the control plane.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AUDIT_DB_FILE, AuditLog } from '../audit/index.js';
import { deriveSubkey } from '../core/crypto/index.js';
import { UsageLog } from '../data-plane/usage-log.js';
import { HttpFeedSource } from '../replication/http-feed-source.js';
import { persistentNodeId } from '../replication/node-id.js';
import { ReplicaFile } from '../replication/replica-file.js';
import { ControlPlaneForwarder } from './control-plane-forwarder.js';
import { listen, type RunningNode } from './listen.js';
import { createNodeHandler } from './node-handler.js';
import { regionalStsBackend } from './query-backends.js';
import { RegionDataPlane, type RegionHealth } from './region-data-plane.js';
import type { WorkersReport } from './health.js';
import { DEFAULT_LIMITS, type ServerLimits } from './limits.js';
import { StartupError } from './startup-error.js';
import { Closers } from './closers.js';

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
  /** Default: the id kept in `<dataDir>/node-id`, created (host name + random) on first start. */
  nodeId?: string;
  limits?: Partial<ServerLimits>;
  log?: (line: string) => void;
  now?: () => Date;
  pollWaitMs?: number;
  /** On a worker of a node with several: makes, from this worker's own health, what reports every worker's. */
  shareHealth?: (own: () => RegionHealth[]) => () => Promise<WorkersReport>;
  /** Aborts the start (a node with no replica retries the control plane until it answers); the start then rejects. */
  signal?: AbortSignal;
}

export async function startDataPlaneNode(options: DataPlaneNodeOptions): Promise<RunningNode> {
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  if (!/^[a-z0-9-]{1,32}$/.test(options.region)) throw new StartupError(`--region must be a region name such as eu-west-1 (got '${options.region}')`);
  if (!options.token) throw new StartupError('a data plane needs its region\'s replication token: set GATEHOUSE_REPLICATION_TOKEN or --token-file (print it with `gatehouse replication-token --region R` where the control plane runs)');
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const nodeId = options.nodeId ?? persistentNodeId(dataDir);
  const opened = new Closers(log);
  try {
    const file = ReplicaFile.open(join(dataDir, REPLICA_FILE));
    opened.push(() => file.close());
    const usageLog = UsageLog.open(join(dataDir, USAGE_FILE));
    opened.push(() => usageLog.close());
    // The source reports the node's applied revision with each poll (for `gatehouse status`).
    const source = new HttpFeedSource({ url: options.controlPlaneUrl, token: options.token, nodeId });
    opened.push(() => source.close());
    log(`gatehouse: data plane ${options.region} (node ${nodeId}) following ${options.controlPlaneUrl}`);
    const region = await RegionDataPlane.start({ region: options.region, source, file, usageLog, now, log, pollWaitMs: options.pollWaitMs, signal: options.signal });
    opened.push(() => region.close());
    // The node keeps its own audit trail; its chain key comes from the region's token, since a
    // data plane never holds the master key.
    const audit = AuditLog.open(join(dataDir, AUDIT_DB_FILE), deriveSubkey(Buffer.from(options.token), 'gatehouse:data-plane-audit-chain'), { now, worker: true });
    opened.push(() => audit.close());
    const forwarder = new ControlPlaneForwarder({ controlPlaneUrl: options.controlPlaneUrl, region: options.region, reachable: () => region.follower.health().connected });
    opened.push(() => forwarder.close());
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    const handler = createNodeHandler({
      role: 'data-plane',
      now,
      limits,
      audit,
      homeRegion: options.region,
      regions: [region],
      workersHealth: options.shareHealth?.(() => [region.health()]),
      planeFor: () => region,
      queryBackend: (service) => (service === 'sts' ? regionalStsBackend(region) : undefined),
      forwardIam: (req, body, res) => forwarder.forward(req, body, res),
      onInternalError: (err) => log(`gatehouse: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    });
    if (options.signal?.aborted) throw new StartupError('the start was cancelled');
    const running = await listen(handler, { port: options.port ?? 0, host: options.host, limits });
    // Stop serving before anything behind the server closes.
    opened.push(() => running.close());
    log(`gatehouse: data plane ${options.region} listening on ${running.url} (STS, /v1/authorize), replica at revision ${region.follower.revision}`);
    let closing: Promise<void> | undefined;
    return { ...running, close: () => (closing ??= opened.closeAll()) };
  } catch (err) {
    await opened.closeAll();
    throw err;
  }
}
