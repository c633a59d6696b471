/**
 * A standalone Gatehouse serving us-east-1 and eu-west-1 on a random loopback port in a fresh
 * temp folder, with SDK clients per region. IAM clients remember the last `x-gatehouse-revision`
 * an IAM write answered; `propagated()` waits until both regions applied it, so an STS call right
 * after an IAM write sees the write (as `x-gatehouse-min-revision` would, tested separately).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../examples/protected-service/sha256.js';
import { startStandalone, type RunningGatehouse } from '../../src/server/standalone.js';
import { onRevisionHeader } from './revision-header.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const REGIONS = ['us-east-1', 'eu-west-1'] as const;
export type Region = (typeof REGIONS)[number];

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface RegionServer {
  gatehouse: RunningGatehouse;
  url: string;
  dataDir: string;
  accountId: string;
  admin: Credentials;
  logs: string[];
  /** The highest `x-gatehouse-revision` any IAM client of this harness has seen. */
  readonly lastRevision: number;
  iam(region: Region, credentials?: Credentials): IAMClient;
  sts(region: Region, credentials?: Credentials): STSClient;
  /** The server's clock (the real one plus the offset). */
  now(): Date;
  /**
   * Moves the server's clock forward, and every client's with it (the SDK signs with its
   * `systemClockOffset`), so tests of time never sleep and never trip the clock-skew check.
   */
  advanceClock(ms: number): void;
  /** Resolves once every region applied `revision` (default: the last one seen); fails after 5 s. */
  propagated(revision?: number): Promise<void>;
  stop(): Promise<void>;
}

/** SDK credentials from an STS `Credentials` answer. */
export function sessionCredentials(c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined): Credentials {
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('the answer carries no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

export async function startRegionServer(): Promise<RegionServer> {
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-regions-'));
  const logs: string[] = [];
  let gatehouse: RunningGatehouse;
  try {
    gatehouse = await startStandalone({ dataDir, port: 0, host: '127.0.0.1', region: 'us-east-1', regions: [...REGIONS], log: (l) => logs.push(l), env: {}, now });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const file = JSON.parse(await readFile(join(dataDir, 'admin-credentials.json'), 'utf8')) as { AccessKeyId: string; SecretAccessKey: string };
  const admin = { accessKeyId: file.AccessKeyId, secretAccessKey: file.SecretAccessKey };
  let lastRevision = 0;
  const clients: (IAMClient | STSClient)[] = [];

  // The SDK re-samples its offset from every answer's Date header (Node's, the real clock): set it
  // back to the server's before each request is signed.
  const followClock = <C extends IAMClient | STSClient>(client: C): C => {
    (client.middlewareStack as IAMClient['middlewareStack']).add(
      (next) => (args) => {
        client.config.systemClockOffset = offsetMs;
        return next(args);
      },
      { step: 'build', name: 'gatehouseTestClock' },
    );
    clients.push(client);
    return client;
  };

  const iam = (region: Region, credentials: Credentials = admin) => {
    const client = new IAMClient({ endpoint: gatehouse.url, region, credentials, maxAttempts: 1, systemClockOffset: offsetMs });
    onRevisionHeader(client, (revision) => (lastRevision = Math.max(lastRevision, revision)));
    return followClock(client);
  };
  const sts = (region: Region, credentials: Credentials = admin) => {
    return followClock(new STSClient({ endpoint: gatehouse.url, region, credentials, maxAttempts: 1, systemClockOffset: offsetMs }));
  };

  return {
    gatehouse,
    url: gatehouse.url,
    dataDir,
    accountId: gatehouse.accountId,
    admin,
    logs,
    get lastRevision() {
      return lastRevision;
    },
    iam,
    sts,
    now,
    advanceClock(ms) {
      offsetMs += ms;
    },
    async propagated(revision = lastRevision) {
      for (const plane of gatehouse.regions.values()) {
        if (!(await plane.follower.waitForRevision(revision, 5_000))) throw new Error(`${plane.region} did not apply revision ${revision} (applied ${plane.follower.revision})`);
      }
    },
    async stop() {
      for (const c of clients) c.destroy();
      await gatehouse.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** What a protected service receives, as `/v1/authorize` wants it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
}

/**
 * A request to a made-up service signed as an AWS SDK signs it (`@smithy/signature-v4`), as the
 * service it was sent to received it. `now` is the signing time (the server's clock).
 */
export async function signServiceRequest(options: { credentials: Credentials; service: string; region: string; method: string; url: string; body?: string; now?: Date }): Promise<ReceivedRequest> {
  const url = new URL(options.url);
  const signer = new SignatureV4({ service: options.service, region: options.region, credentials: options.credentials, sha256: Sha256 });
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signed = await signer.sign(
    {
      method: options.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers: { host: url.host, 'x-amz-content-sha256': createHash('sha256').update(options.body ?? '').digest('hex') },
      body: options.body,
    },
    { signingDate: options.now },
  );
  return { method: options.method, path: url.pathname, query: url.search.slice(1), headers: signed.headers };
}
