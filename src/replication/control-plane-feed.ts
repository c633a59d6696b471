/**
 * The replication feed as the control plane serves it: snapshots and change batches for one
 * region, projected from the store (record-projector.ts) with the current windows. Long-polls
 * wait for `notify()`, which the server calls after every committed write.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AccessKeyEntity, MfaDeviceEntity } from '../core/model/iam-entities.js';
import { utcDay } from '../core/tokens/index.js';
import type { EntityRecord, Store } from '../store/ports.js';
import { FEED_VERSION, type FeedChange, type FeedChanges, type FeedSnapshot, type FeedWindows, type ReplicaRecord } from './feed-types.js';
import { abortedError, FeedError, type ChangesOptions, type FeedSource } from './feed-source.js';
import { feedWindows, resolveWindowOptions, type FeedWindowOptions } from './feed-windows.js';
import { isReplicatedKind, RecordProjector, REPLICATED_KINDS } from './record-projector.js';

export { feedWindows, type FeedWindowOptions } from './feed-windows.js';

export interface ControlPlaneFeedOptions extends FeedWindowOptions {
  store: Store;
  now: () => Date;
  /** deriveKey(masterKey, 'sts-token-keys'): the root of the session-token key schedule. */
  tokenRoot: Buffer;
  /** Opens an access key's secret access key. */
  secretOf(key: AccessKeyEntity): string;
  /** Opens an MFA device's base32 seed. */
  mfaSeedOf(device: MfaDeviceEntity): string;
  /** Bound of the derived access-key material cache, in entries (per key, region and window). */
  cacheEntries?: number;
}

/** Change-log entries per batch unless the reader asks otherwise, and the most it may ask. */
export const DEFAULT_CHANGES_LIMIT = 1000;
export const MAX_CHANGES_LIMIT = 10_000;
const PAGE = 1000;
/** Records projected between two yields to the event loop while building a snapshot. */
const YIELD_EVERY = 256;
const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function checkRegion(region: string): void {
  if (typeof region !== 'string' || !REGION.test(region)) throw new FeedError('region must be a region name such as us-east-1', 400, false);
}

export class ControlPlaneFeed implements FeedSource {
  readonly #store: Store;
  readonly #now: () => Date;
  readonly #tokenRoot: Buffer;
  readonly #windowOptions: FeedWindowOptions;
  readonly #projector: RecordProjector;
  #windows: { day: string; windows: FeedWindows } | undefined;
  /** Bumped by every notify(), so a poll can tell whether a commit happened while it read. */
  #generation = 0;
  #waiters = new Set<() => void>();
  /** Snapshots being built, per region: concurrent readers of one region share the work. */
  readonly #building = new Map<string, Promise<FeedSnapshot>>();

  constructor(options: ControlPlaneFeedOptions) {
    this.#store = options.store;
    this.#now = options.now;
    this.#tokenRoot = options.tokenRoot;
    this.#windowOptions = resolveWindowOptions(options);
    const cacheEntries = options.cacheEntries ?? 250_000;
    this.#projector = new RecordProjector({ secretOf: options.secretOf, mfaSeedOf: options.mfaSeedOf, regionKeyCacheEntries: cacheEntries, publicKeyCacheEntries: cacheEntries });
  }

  /** Wakes the waiting long-polls: call after every committed write. */
  notify(): void {
    this.#generation++;
    const waiters = this.#waiters;
    this.#waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** The windows at `now` (they change once a UTC day, so one day's are kept). */
  windowsAt(now: Date): FeedWindows {
    const day = utcDay(now);
    if (this.#windows?.day !== day) this.#windows = { day, windows: feedWindows(now, this.#windowOptions, this.#tokenRoot) };
    return this.#windows.windows;
  }

  snapshot(region: string, signal?: AbortSignal): Promise<FeedSnapshot> {
    try {
      checkRegion(region);
    } catch (err) {
      return Promise.reject(err);
    }
    let building = this.#building.get(region);
    if (!building) {
      building = this.#buildSnapshot(region).finally(() => this.#building.delete(region));
      this.#building.set(region, building);
    }
    // The shared work goes on when one reader gives up; only that reader's promise rejects.
    return raceAbort(building, signal);
  }

  async #buildSnapshot(region: string): Promise<FeedSnapshot> {
    const now = this.#now();
    const windows = this.windowsAt(now);
    // One read unit, so every record reflects the same revision; projection happens after it,
    // so the store's queue is not held while HMACs run.
    const { revision, raw } = await this.#store.read(async (tx) => {
      const revision = await tx.revision();
      const raw: EntityRecord[] = [];
      for (const kind of REPLICATED_KINDS) {
        let after: string | undefined;
        do {
          const page = await tx.list(kind, { after, limit: PAGE });
          for (const item of page.items) raw.push(item);
          after = page.next;
        } while (after !== undefined);
      }
      return { revision, raw };
    });
    const records: ReplicaRecord[] = [];
    for (let i = 0; i < raw.length; i++) {
      // Let the control plane keep answering while a large snapshot is projected.
      if (i > 0 && i % YIELD_EVERY === 0) await nextTurn();
      const r = raw[i] as EntityRecord;
      records.push({ kind: r.kind as ReplicaRecord['kind'], id: r.id, account: r.account, data: this.#projector.project(r.kind as ReplicaRecord['kind'], r.data, region, windows) });
    }
    return { version: FEED_VERSION, region, revision, time: now.toISOString(), keyWindow: windows.keyWindow, mfaWindow: windows.mfaWindow, tokenKeys: windows.tokenKeys, records };
  }

  async changes(region: string, after: number, options: ChangesOptions = {}): Promise<FeedChanges> {
    checkRegion(region);
    if (!Number.isSafeInteger(after) || after < 0) throw new FeedError('after must be a revision (an integer, 0 or more)', 400, false);
    const limit = options.limit ?? DEFAULT_CHANGES_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_CHANGES_LIMIT) throw new FeedError(`limit must be an integer from 1 to ${MAX_CHANGES_LIMIT}`, 400, false);
    const waitMs = options.waitMs ?? 0;
    if (!Number.isFinite(waitMs) || waitMs < 0) throw new FeedError('wait must be a number of milliseconds, 0 or more', 400, false);
    const { signal } = options;
    // Waiting is measured on the real clock: the injected one may stand still in tests.
    const deadline = performance.now() + waitMs;
    for (;;) {
      if (signal?.aborted) throw abortedError();
      const generation = this.#generation;
      const batch = await this.#batch(region, after, limit);
      // Progress (even when every entry was of a kind that is not replicated), or a reader ahead
      // of the store (restored from an older backup): answer at once.
      if (batch.revision > after || batch.latest < after) return batch;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return batch;
      if (generation !== this.#generation) continue;
      await this.#waitForCommit(remaining, signal);
    }
  }

  async #batch(region: string, after: number, limit: number): Promise<FeedChanges> {
    const now = this.#now();
    const windows = this.windowsAt(now);
    const entries = await this.#store.changesSince(after, limit);
    const last = entries.length ? (entries[entries.length - 1]?.revision as number) : undefined;
    const revision = last ?? after;
    // Read after the changes, so latest >= revision even when a write lands in between.
    const latest = Math.max(await this.#store.revision(), last ?? 0);
    const changes: FeedChange[] = [];
    for (const e of entries) {
      if (!isReplicatedKind(e.kind)) continue;
      if (e.op === 'delete') changes.push({ revision: e.revision, op: 'delete', kind: e.kind, id: e.id, account: e.account });
      else changes.push({ revision: e.revision, op: 'put', kind: e.kind, id: e.id, account: e.account, data: this.#projector.project(e.kind, e.data, region, windows) });
    }
    return { version: FEED_VERSION, region, after, revision, latest, time: now.toISOString(), changes, windows };
  }

  /** Resolves on the next notify() or after `ms`; rejects when `signal` aborts. */
  #waitForCommit(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortedError());
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        signal?.removeEventListener('abort', onAbort);
      };
      const wake = () => {
        done();
        resolve();
      };
      const onAbort = () => {
        done();
        reject(abortedError());
      };
      const timer = setTimeout(wake, ms);
      this.#waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** `promise`, or an aborted FeedError as soon as `signal` aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
