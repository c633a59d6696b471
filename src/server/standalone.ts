/**
 * The composition root of a control plane: the SQLite store, the master key, the IAM service,
 * the replication feed, and a data plane for each region it serves in process, all on one port.
 * Standalone mode (the default) serves every configured region here; `--role control-plane`
 * serves only the home region (for the global STS endpoint) and lets data-plane nodes follow its
 * feed. The only place that picks drivers, reads the master key and opens files.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { AUDIT_CHAIN_KEY_PURPOSE, AUDIT_DB_FILE, AuditLog } from '../audit/index.js';
import { openSecret } from '../control-plane/access-key-secrets.js';
import { Authenticator } from '../control-plane/authenticator.js';
import { bootstrap, WrongMasterKeyError } from '../control-plane/bootstrap.js';
import type { ControlPlaneEnv } from '../control-plane/context.js';
import { IamService } from '../control-plane/iam-service.js';
import { deriveKey, open } from '../core/crypto/index.js';
import { UsageLog } from '../data-plane/usage-log.js';
import { ControlPlaneFeed, type FeedWindowOptions } from '../replication/control-plane-feed.js';
import { createFeedHandler } from '../replication/feed-http.js';
import { replicationToken } from '../replication/replication-token.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { StoreOpenError, type Store } from '../store/ports.js';
import type { RemoteNode } from './health.js';
import { DEFAULT_LIMITS, type ServerLimits } from './limits.js';
import { listen } from './listen.js';
import { loadMasterKey, MasterKeyError } from './master-key.js';
import { createAnalysisHandler } from './analysis-endpoint.js';
import { nodeUsage } from './analysis-usage.js';
import { createNodeHandler } from './node-handler.js';
import { globalStsBackend, iamBackend, regionalStsBackend, type QueryBackend } from './query-backends.js';
import { RegionDataPlane } from './region-data-plane.js';
import { USAGE_FILE } from './data-plane-node.js';
import { scopeRegion } from './scope-region.js';
import { StartupError } from './startup-error.js';
import { Closers } from './closers.js';

export { StartupError } from './startup-error.js';

export const DEFAULT_PORT = 8380;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_REGION = 'us-east-1';
export const STORE_FILE = 'gatehouse.db';
export const ADMIN_CREDENTIALS_FILE = 'admin-credentials.json';
/** Remote data-plane nodes listed in health: the most recent ones, seen within a day. */
const MAX_REMOTE_NODES = 1000;
const REMOTE_NODE_TTL_MS = 86_400_000;

export interface StandaloneOptions {
  dataDir: string;
  port?: number;
  host?: string;
  /** The home region: answers the global STS endpoint, and is named in audit events of requests whose scope has none. */
  region?: string;
  /** Regions served in process (default: the home region). */
  regions?: string[];
  /** How the node names itself in health (default standalone). */
  role?: 'standalone' | 'control-plane';
  limits?: Partial<ServerLimits>;
  /** Key, token and MFA windows of the replication feed. */
  windows?: FeedWindowOptions;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** How often recorded access-key usage is written (ms). */
  usageFlushMs?: number;
}

export interface RunningGatehouse {
  url: string;
  port: number;
  accountId: string;
  server: Server;
  store: Store;
  /** The regions served in process. */
  regions: Map<string, RegionDataPlane>;
  close(): Promise<void>;
}

/** A store that tells `committed` after every write has committed (the feed wakes its long-polls then, never before). */
function notifyingStore(store: Store, committed: () => void): Store {
  return {
    read: (work) => store.read(work),
    write: async (work) => {
      try {
        return await store.write(work);
      } finally {
        committed();
      }
    },
    revision: () => store.revision(),
    changesSince: (after, limit) => store.changesSince(after, limit),
    close: () => store.close(),
  };
}

async function openMasterKey(dataDir: string, create: boolean, env: NodeJS.ProcessEnv | undefined): Promise<Buffer> {
  try {
    return (await loadMasterKey(dataDir, { create, env })).key;
  } catch (err) {
    if (err instanceof MasterKeyError) throw new StartupError(err.message);
    throw err;
  }
}

/** The replication token of a region, from the control plane's data folder (or GATEHOUSE_MASTER_KEY). */
export async function regionReplicationToken(dataDir: string, region: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const masterKey = (await loadMasterKey(resolve(dataDir), { env })).key;
  return replicationToken(deriveKey(masterKey, 'replication'), region);
}

export async function startStandalone(options: StandaloneOptions): Promise<RunningGatehouse> {
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const homeRegion = options.region ?? DEFAULT_REGION;
  const regionNames = [...new Set([homeRegion, ...(options.regions ?? [])])];
  for (const r of regionNames) if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(r)) throw new StartupError(`'${r}' is not a region name such as eu-west-1`);
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const storeFile = join(dataDir, STORE_FILE);
  const firstStart = !existsSync(storeFile);
  const masterKey = await openMasterKey(dataDir, firstStart, options.env);

  let sqlite: Store;
  try {
    sqlite = await openSqliteStore(storeFile, { now });
  } catch (err) {
    if (err instanceof StoreOpenError) throw new StartupError(err.message);
    throw err;
  }
  const opened = new Closers(log);
  opened.push(() => sqlite.close());
  try {
    return await startOnStore(options, { log, now, homeRegion, regionNames, dataDir, masterKey, sqlite, opened });
  } catch (err) {
    await opened.closeAll();
    if (err instanceof WrongMasterKeyError) throw new StartupError(err.message);
    throw err;
  }
}

interface StartContext {
  log: (line: string) => void;
  now: () => Date;
  homeRegion: string;
  regionNames: string[];
  dataDir: string;
  masterKey: Buffer;
  sqlite: Store;
  opened: Closers;
}

async function startOnStore(options: StandaloneOptions, context: StartContext): Promise<RunningGatehouse> {
  const { log, now, homeRegion, regionNames, dataDir, masterKey, sqlite, opened } = context;
  const secretsKey = deriveKey(masterKey, 'secrets');
  const tokenRoot = deriveKey(masterKey, 'sts-token-keys');
  const feed = new ControlPlaneFeed({
    store: sqlite,
    now,
    tokenRoot,
    secretOf: (key) => openSecret(env, key),
    mfaSeedOf: (device) => open(secretsKey, device.sealedSeed, device.serialNumber),
    ...options.windows,
  });
  const store = notifyingStore(sqlite, () => feed.notify());
  const env: ControlPlaneEnv = { store, now, random: randomBytes, secretsKey, partition: 'aws', tokenRoot };
  const boot = await bootstrap(env);
  if (boot.admin) {
    const file = join(dataDir, ADMIN_CREDENTIALS_FILE);
    const credentials = { Version: 1, AccessKeyId: boot.admin.accessKeyId, SecretAccessKey: boot.admin.secretAccessKey };
    await writeFile(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    log(`gatehouse: created account ${boot.accountId}; administrator ${boot.admin.arn}, access key written to ${file}`);
  }

  const replicationKey = deriveKey(masterKey, 'replication');
  const remoteNodes = new Map<string, RemoteNode>();
  const feedHandler = createFeedHandler({
    source: feed,
    now,
    tokenFor: (region) => replicationToken(replicationKey, region),
    onPoll: (poll) => {
      if (!remoteNodes.has(poll.node) && remoteNodes.size >= MAX_REMOTE_NODES) remoteNodes.delete(remoteNodes.keys().next().value as string);
      remoteNodes.delete(poll.node);
      remoteNodes.set(poll.node, { region: poll.region, node: poll.node, applied: poll.applied, lastPoll: poll.time.toISOString() });
    },
    onError: (err) => log(`gatehouse: replication feed error: ${String(err)}`),
  });

  // Which statement allowed each authorization, for the least-privilege tools; one file for all regions.
  const usageLog = UsageLog.open(join(dataDir, USAGE_FILE));
  opened.push(() => usageLog.close());
  const planes = new Map<string, RegionDataPlane>();
  for (const region of regionNames) {
    const plane = await RegionDataPlane.start({ region, source: feed, usageLog, now, log });
    planes.set(region, plane);
    opened.push(() => plane.close());
  }
  const home = planes.get(homeRegion) as RegionDataPlane;

  // A worker thread hashes and writes the audit batches, so the request path never waits for them.
  const audit = AuditLog.open(join(dataDir, AUDIT_DB_FILE), deriveKey(masterKey, AUDIT_CHAIN_KEY_PURPOSE), { now, worker: true });
  opened.push(() => audit.close());
  const iam = new IamService(env);
  const authenticator = new Authenticator(env, iam);
  opened.push(() => authenticator.flushUsage().catch(() => undefined));
  const iamQuery = iamBackend(iam, authenticator);
  const stsQuery = new Map<string, QueryBackend>([...planes].map(([region, plane]) => [region, regionalStsBackend(plane)]));
  const globalSts = globalStsBackend(home, authenticator);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const onInternalError = (err: unknown) => log(`gatehouse: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  const analysis = createAnalysisHandler({
    iam,
    authenticate: (parts, at) => iamQuery.authenticate(parts, at),
    pendingKeyUse: (id) => authenticator.pendingUse(id),
    usage: nodeUsage([usageLog], () => [...planes.values()].map((p) => p.usage)),
    audit,
    limits,
    now,
    homeRegion,
    onInternalError,
  });
  const handler = createNodeHandler({
    role: options.role ?? 'standalone',
    now,
    limits,
    audit,
    homeRegion,
    regions: [...planes.values()],
    planeFor: (region) => (region && planes.get(region)) || home,
    queryBackend: (service, parts) => {
      if (service === 'iam') return iamQuery;
      const region = scopeRegion(parts.headers, parts.query);
      return (region && stsQuery.get(region)) || globalSts;
    },
    feed: feedHandler,
    analysis,
    revision: () => store.revision(),
    remoteNodes: () => {
      const cutoff = now().getTime() - REMOTE_NODE_TTL_MS;
      return [...remoteNodes.values()].filter((n) => Date.parse(n.lastPoll) >= cutoff);
    },
    onInternalError,
  });
  const running = await listen(handler, { port: options.port ?? DEFAULT_PORT, host: options.host ?? DEFAULT_HOST, limits });
  opened.push(() => running.close());
  const flusher = setInterval(() => void authenticator.flushUsage().catch((err) => log(`gatehouse: could not record key usage: ${String(err)}`)), options.usageFlushMs ?? 10_000);
  flusher.unref();
  opened.push(() => clearInterval(flusher));
  log(`gatehouse: listening on ${running.url} (IAM, STS in ${regionNames.join(', ')}, /v1/authorize), data in ${dataDir}`);

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= opened.closeAll());
  return { url: running.url, port: running.port, accountId: boot.accountId, server: running.server, store, regions: planes, close };
}
