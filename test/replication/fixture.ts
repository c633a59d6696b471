/**
 * A control plane on the in-memory store with a settable clock, its replication feed, and a
 * sink that records what a follower delivers.
 */
import { createHash } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { bootstrap } from '../../src/control-plane/bootstrap.js';
import type { Caller, ControlPlaneEnv, RequestInfo } from '../../src/control-plane/context.js';
import { IamService } from '../../src/control-plane/iam-service.js';
import { deriveKey, open } from '../../src/core/crypto/index.js';
import { ControlPlaneFeed } from '../../src/replication/control-plane-feed.js';
import type { FeedSource } from '../../src/replication/feed-source.js';
import { FeedError } from '../../src/replication/feed-source.js';
import type { FeedChanges, FeedSnapshot, FeedWindows, ReplicaRecord } from '../../src/replication/feed-types.js';
import type { ReplicaSink, ReplicaState } from '../../src/replication/replica-sink.js';
import { createMemoryStore } from '../../src/store/memory-store.js';

export const ACCOUNT = '123456789012';
export const MASTER_KEY = Buffer.alloc(32, 9);
export const REQUEST: RequestInfo = { requestId: 'req-1', sourceIp: '127.0.0.1', userAgent: 'test', region: 'us-east-1', secureTransport: false };
const ROOT: Caller = { type: 'Root', account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT, accessKeyId: 'AKIAROOTROOTROOTROOT' };

export function seededRandom(seed = 'replication-test') {
  let counter = 0;
  return (size: number): Buffer => {
    const out = Buffer.alloc(size);
    for (let off = 0; off < size; off += 32) createHash('sha256').update(`${seed}:${counter++}`).digest().copy(out, off);
    return out;
  };
}

export interface ControlPlane {
  env: ControlPlaneEnv;
  clock: { now: Date };
  feed: ControlPlaneFeed;
  tokenRoot: Buffer;
  admin: { accessKeyId: string; secretAccessKey: string };
  /** Runs an IAM operation as the account's root user, then wakes the feed; returns the output. */
  call(operation: string, input?: Record<string, unknown>): Promise<unknown>;
  /** The store's latest revision. */
  revision(): Promise<number>;
}

export async function createControlPlane(options: { keyWindowDays?: number; tokenWindowDays?: number; mfaWindowHours?: number } = {}): Promise<ControlPlane> {
  const clock = { now: new Date('2026-11-21T12:00:00Z') };
  const tokenRoot = deriveKey(MASTER_KEY, 'sts-token-keys');
  const env: ControlPlaneEnv = {
    store: createMemoryStore({ now: () => clock.now }),
    now: () => clock.now,
    random: seededRandom(),
    secretsKey: deriveKey(MASTER_KEY, 'secrets'),
    partition: 'aws',
    tokenRoot,
  };
  const boot = await bootstrap(env, { accountId: ACCOUNT });
  const service = new IamService(env);
  const feed = new ControlPlaneFeed({
    store: env.store,
    now: () => clock.now,
    tokenRoot,
    secretOf: (key) => open(env.secretsKey, key.sealedSecret, key.accessKeyId),
    mfaSeedOf: (device) => open(env.secretsKey, device.sealedSeed, device.serialNumber),
    ...options,
  });
  return {
    env,
    clock,
    feed,
    tokenRoot,
    admin: { accessKeyId: boot.admin!.accessKeyId, secretAccessKey: boot.admin!.secretAccessKey },
    async call(operation, input = {}) {
      const result = await service.call(operation, input, ROOT, REQUEST);
      feed.notify();
      return result.output;
    },
    revision: () => env.store.revision(),
  };
}

/** The TOTP code a device shows at `time`. */
export function totp(seed: string, time: Date): string {
  return new TOTP({ secret: Secret.fromBase32(seed), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: time.getTime() });
}

/** Creates a user with an access key, and optionally a password and an enabled MFA device. */
export async function createUser(cp: ControlPlane, userName: string, extras: { password?: string; mfa?: boolean } = {}) {
  await cp.call('CreateUser', { userName });
  const key = ((await cp.call('CreateAccessKey', { userName })) as { accessKey: { accessKeyId: string; secretAccessKey: string } }).accessKey;
  if (extras.password) await cp.call('CreateLoginProfile', { userName, password: extras.password });
  let seed: string | undefined;
  let serialNumber: string | undefined;
  if (extras.mfa) {
    const device = ((await cp.call('CreateVirtualMFADevice', { virtualMFADeviceName: `${userName}-phone` })) as { virtualMFADevice: { serialNumber: string; base32StringSeed: Buffer } }).virtualMFADevice;
    seed = device.base32StringSeed.toString('ascii');
    serialNumber = device.serialNumber;
    const now = cp.clock.now;
    await cp.call('EnableMFADevice', {
      userName,
      serialNumber,
      authenticationCode1: totp(seed, new Date(now.getTime() - 30_000)),
      authenticationCode2: totp(seed, now),
    });
  }
  return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, seed, serialNumber };
}

/** A sink that keeps the replica as a map and checks that batches follow each other. */
export class RecordingSink implements ReplicaSink {
  records = new Map<string, ReplicaRecord>();
  revision = -1;
  windows: FeedWindows | undefined;
  resets = 0;
  /** Revisions of the changes applied, in order. */
  appliedRevisions: number[] = [];
  failNext = 0;

  reset(state: ReplicaState): void {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('sink failure (test)');
    }
    this.records = new Map(state.records.map((r) => [`${r.kind}|${r.id}`, r]));
    this.revision = state.revision;
    this.windows = state.windows;
    this.resets++;
  }

  apply(batch: FeedChanges): void {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('sink failure (test)');
    }
    if (batch.after !== this.revision) throw new Error(`batch after ${batch.after} on a sink at ${this.revision}`);
    for (const c of batch.changes) {
      this.appliedRevisions.push(c.revision);
      if (c.op === 'put') this.records.set(`${c.kind}|${c.id}`, { kind: c.kind, id: c.id, account: c.account, data: c.data! });
      else this.records.delete(`${c.kind}|${c.id}`);
    }
    this.revision = batch.revision;
    this.windows = batch.windows;
  }

  get(kind: string, id: string): ReplicaRecord | undefined {
    return this.records.get(`${kind}|${id}`);
  }
}

/** A source in front of another that can be cut off (every call fails, waiting ones too). */
export class CuttableSource implements FeedSource {
  cut = false;
  snapshots = 0;
  readonly #inner: FeedSource;
  readonly #cutWaiters = new Set<() => void>();

  constructor(inner: FeedSource) {
    this.#inner = inner;
  }

  setCut(cut: boolean): void {
    this.cut = cut;
    if (cut) for (const fail of this.#cutWaiters) fail();
  }

  async snapshot(region: string, signal?: AbortSignal): Promise<FeedSnapshot> {
    if (this.cut) throw new FeedError('the control plane is unreachable: ECONNREFUSED', 0, true);
    this.snapshots++;
    return this.#inner.snapshot(region, signal);
  }

  async changes(region: string, after: number, options: { limit?: number; waitMs?: number; signal?: AbortSignal } = {}): Promise<FeedChanges> {
    if (this.cut) throw new FeedError('the control plane is unreachable: ECONNREFUSED', 0, true);
    // A cut drops the long-poll in flight too.
    const aborter = new AbortController();
    const fail = () => aborter.abort();
    this.#cutWaiters.add(fail);
    options.signal?.addEventListener('abort', fail, { once: true });
    try {
      return await this.#inner.changes(region, after, { ...options, signal: aborter.signal });
    } catch (err) {
      if (this.cut) throw new FeedError('the control plane is unreachable: ECONNRESET', 0, true);
      throw err;
    } finally {
      this.#cutWaiters.delete(fail);
      options.signal?.removeEventListener('abort', fail);
    }
  }
}

/** Polls `condition` until it holds or `ms` pass (for work another task does). */
export async function eventually(condition: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
