/**
 * The standalone composition root: one process, one port, a SQLite store in the data folder.
 * The only place that picks drivers, reads the master key and opens files.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { AUDIT_CHAIN_KEY_PURPOSE, AUDIT_DB_FILE, AuditLog } from '../audit/index.js';
import { Authenticator } from '../control-plane/authenticator.js';
import { bootstrap, WrongMasterKeyError } from '../control-plane/bootstrap.js';
import type { ControlPlaneEnv } from '../control-plane/context.js';
import { IamService } from '../control-plane/iam-service.js';
import { deriveKey } from '../core/crypto/index.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { StoreOpenError, type Store } from '../store/ports.js';
import { createQueryHandler } from './http-handler.js';
import { DEFAULT_LIMITS, type ServerLimits } from './limits.js';
import { loadMasterKey, MasterKeyError } from './master-key.js';

export const DEFAULT_PORT = 8380;
export const DEFAULT_HOST = '127.0.0.1';
export const STORE_FILE = 'gatehouse.db';
export const ADMIN_CREDENTIALS_FILE = 'admin-credentials.json';

export interface StandaloneOptions {
  dataDir: string;
  port?: number;
  host?: string;
  /** The home region: named in audit events of requests whose scope has none. */
  region?: string;
  limits?: Partial<ServerLimits>;
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
  close(): Promise<void>;
}

/** A start-up problem the operator must fix; the message says what. */
export class StartupError extends Error {
  override name = 'StartupError';
}

export async function startStandalone(options: StandaloneOptions): Promise<RunningGatehouse> {
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const storeFile = join(dataDir, STORE_FILE);
  const firstStart = !existsSync(storeFile);

  let masterKey: Buffer;
  try {
    masterKey = (await loadMasterKey(dataDir, { create: firstStart, env: options.env })).key;
  } catch (err) {
    if (err instanceof MasterKeyError) throw new StartupError(err.message);
    throw err;
  }
  let store: Store;
  try {
    store = await openSqliteStore(storeFile, { now });
  } catch (err) {
    if (err instanceof StoreOpenError) throw new StartupError(err.message);
    throw err;
  }
  const env: ControlPlaneEnv = { store, now, random: randomBytes, secretsKey: deriveKey(masterKey, 'secrets'), partition: 'aws', tokenRoot: deriveKey(masterKey, 'sts-token-keys') };
  let boot;
  try {
    boot = await bootstrap(env);
  } catch (err) {
    await store.close();
    if (err instanceof WrongMasterKeyError) throw new StartupError(err.message);
    throw err;
  }
  if (boot.admin) {
    const file = join(dataDir, ADMIN_CREDENTIALS_FILE);
    const credentials = { Version: 1, AccessKeyId: boot.admin.accessKeyId, SecretAccessKey: boot.admin.secretAccessKey };
    await writeFile(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    log(`gatehouse: created account ${boot.accountId}; administrator ${boot.admin.arn}, access key written to ${file}`);
  }

  // A worker thread hashes and writes the audit batches, so the request path never waits for them.
  const audit = AuditLog.open(join(dataDir, AUDIT_DB_FILE), deriveKey(masterKey, AUDIT_CHAIN_KEY_PURPOSE), { now, worker: true });
  const iam = new IamService(env);
  const authenticator = new Authenticator(env, iam);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      maxHeaderSize: 16 * 1024,
      // How often Node checks the two timeouts above; its default (30 s) lets a slow client linger.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    createQueryHandler({
      iam,
      authenticator,
      audit,
      limits,
      now,
      homeRegion: options.region ?? 'us-east-1',
      onInternalError: (err) => log(`gatehouse: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    }),
  );
  server.maxHeadersCount = 200;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST, () => ok());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const flusher = setInterval(() => void authenticator.flushUsage().catch((err) => log(`gatehouse: could not record key usage: ${String(err)}`)), options.usageFlushMs ?? 10_000);
  flusher.unref();
  log(`gatehouse: listening on ${url} (IAM and STS Query API), data in ${dataDir}`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(flusher);
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeIdleConnections();
      });
      await authenticator.flushUsage().catch(() => undefined);
      await audit.close();
      await store.close();
    })());
  return { url, port: address.port, accountId: boot.accountId, server, store, close };
}
