/**
 * Keeps a region's replica current: loads the local file or a snapshot, then tails the feed,
 * applying each batch whole and in order to the file first and the sink second. It never gives
 * up and never throws out of its loop: while the control plane is unreachable the sink keeps
 * what it has (static stability), and the follower retries with backoff, reporting what an
 * operator needs in `health()`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { FeedError, type FeedSource } from './feed-source.js';
import { FEED_VERSION, type FeedChanges, type FeedWindows } from './feed-types.js';
import { keyWindowEnd, sameMaterialWindows } from './feed-windows.js';
import type { ReplicaFile } from './replica-file.js';
import type { ReplicaSink, ReplicaState } from './replica-sink.js';

export interface FollowerOptions {
  region: string;
  source: FeedSource;
  sink: ReplicaSink;
  /** The local copy: loaded at start when present, kept in step with the sink. */
  file?: ReplicaFile;
  now: () => Date;
  /** How long each long-poll waits for a change (ms, default 20000). */
  pollWaitMs?: number;
  /** Backoff between failed attempts (ms, default 500 doubling up to 5000). */
  retryMs?: { min: number; max: number };
  /** How long to wait before bringing a file that failed to write up to date again (ms, default 60000). */
  fileRetryMs?: number;
  log?: (line: string) => void;
}

export interface FollowerEvent {
  time: string;
  type: string;
  message: string;
}

export interface FollowerHealth {
  region: string;
  appliedRevision: number;
  /** The control plane's latest revision, as last heard. */
  latestRevision: number;
  lagRevisions: number;
  /** 0 when caught up; else seconds since the follower first saw a revision it had not applied. */
  lagSeconds: number;
  /**
   * When the control plane last answered (ISO), null before it ever did. After a restart from the
   * local snapshot and before the first answer, the control plane's time of that snapshot.
   */
  lastContact: string | null;
  /** `live`: this process heard the control plane at lastContact; `snapshot`: lastContact is the local snapshot's time (not heard since the restart); null: never. */
  lastContactSource: 'live' | 'snapshot' | null;
  connected: boolean;
  /** The last UTC date (YYYYMMDD) the replicated access-key material covers. */
  keyWindowThrough: string | null;
  keyWindowRemainingSeconds: number;
  /** How long the replicated token keys let this region issue session tokens. */
  tokenWindowRemainingSeconds: number;
  /** The latest events, oldest first. */
  events: FollowerEvent[];
}

const MAX_EVENTS = 50;
/** Lag beyond which the region reports propagation as delayed. */
const DELAYED_AFTER_SECONDS = 5;
/** Remaining window below which the region warns that it is running out. */
const RUNNING_OUT_SECONDS = 86_400;
/** While the control plane stays unreachable, repeat the log line at most this often. */
const REPEAT_LOG_MS = 60_000;

/** An error of the local side (file or sink), as opposed to the feed. */
class LocalError extends Error {}

/** `start()` gave up because the follower was stopped (or its start signal aborted) before it held a replica. */
export class FollowerStopped extends Error {
  override name = 'FollowerStopped';
}

export class ReplicaFollower {
  readonly #region: string;
  readonly #source: FeedSource;
  readonly #sink: ReplicaSink;
  readonly #file: ReplicaFile | undefined;
  readonly #now: () => Date;
  readonly #pollWaitMs: number;
  readonly #retry: { min: number; max: number };
  readonly #fileRetryMs: number;
  readonly #log: (line: string) => void;

  /** The revision the sink holds; -1 before it holds any state. */
  #applied = -1;
  #windows: FeedWindows | undefined;
  #latest = 0;
  /** When (ms of now()) the follower first saw a latest revision above the applied one. */
  #laggingSince: number | undefined;
  #lastContact: Date | undefined;
  #lastContactSource: 'live' | 'snapshot' | null = null;
  #connected = false;
  #outageSince: Date | undefined;
  #lastFailureLog = -Infinity;
  #failures = 0;
  #needSnapshot = false;
  /** Set when the file fell behind the sink (a write failed); retried from a fresh snapshot. */
  #fileStaleSince: number | undefined;
  readonly #reported = { delayed: false, keyWindow: false, tokenWindow: false };
  readonly #events: FollowerEvent[] = [];
  readonly #waiters = new Set<{ revision: number; done: (reached: boolean) => void }>();
  readonly #aborter = new AbortController();
  #started = false;
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(options: FollowerOptions) {
    this.#region = options.region;
    this.#source = options.source;
    this.#sink = options.sink;
    this.#file = options.file;
    this.#now = options.now;
    this.#pollWaitMs = options.pollWaitMs ?? 20_000;
    this.#retry = options.retryMs ?? { min: 500, max: 5000 };
    this.#fileRetryMs = options.fileRetryMs ?? 60_000;
    this.#log = options.log ?? (() => {});
  }

  /**
   * Resolves once the sink holds a replica (from the file, else a snapshot), then tails in the
   * background. Without a replica it retries the snapshot for as long as it takes, so `signal`
   * (or `stop()`) is how to give up: it then rejects with a FollowerStopped error.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#started) throw new Error('the follower was already started');
    this.#started = true;
    const onAbort = () => void this.stop();
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      this.#restoreFromFile();
      while (this.#applied < 0) {
        if (this.#stopped) throw new FollowerStopped(`the ${this.#region} follower stopped before it had a replica`);
        try {
          await this.#loadSnapshot();
        } catch (err) {
          if (this.#stopped) continue;
          this.#failed(err);
          await this.#backoff(err);
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (this.#stopped) throw new FollowerStopped(`the ${this.#region} follower was stopped while it started`);
    this.#loop = this.#run();
  }

  /** Stops tailing (the current long-poll is aborted); the sink keeps what it has. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#aborter.abort();
    await this.#loop;
    for (const waiter of this.#waiters) waiter.done(false);
    this.#waiters.clear();
  }

  get revision(): number {
    return Math.max(this.#applied, 0);
  }

  /** True as soon as the applied revision reaches `revision`; false after `timeoutMs`. */
  waitForRevision(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.#applied >= revision) return Promise.resolve(true);
    if (this.#stopped || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter = {
        revision,
        done: (reached: boolean) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.done(false), timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  health(): FollowerHealth {
    this.#checkConditions();
    const now = this.#now().getTime();
    const keyWindow = this.#windows?.keyWindow;
    return {
      region: this.#region,
      appliedRevision: this.revision,
      latestRevision: this.#latest,
      lagRevisions: Math.max(0, this.#latest - this.revision),
      lagSeconds: this.#lagSeconds(now),
      lastContact: this.#lastContact?.toISOString() ?? null,
      lastContactSource: this.#lastContactSource,
      connected: this.#connected,
      keyWindowThrough: keyWindow?.through ?? null,
      keyWindowRemainingSeconds: this.#keyWindowRemaining(now),
      tokenWindowRemainingSeconds: this.#tokenWindowRemaining(now),
      events: this.#events.map((e) => ({ ...e })),
    };
  }

  // ---- the loop -------------------------------------------------------------------------------

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        const fileStale = this.#fileStaleSince !== undefined && this.#now().getTime() - this.#fileStaleSince >= this.#fileRetryMs;
        if (this.#needSnapshot || fileStale) {
          await this.#loadSnapshot();
        } else {
          const batch = await this.#poll();
          this.#follow(batch);
        }
        this.#failures = 0;
      } catch (err) {
        if (this.#stopped) break;
        this.#failed(err);
        await this.#backoff(err);
      }
      this.#checkConditions();
    }
  }

  async #poll(): Promise<FeedChanges> {
    const batch = await this.#source.changes(this.#region, this.#applied, { waitMs: this.#pollWaitMs, signal: this.#aborter.signal });
    if (batch.version !== FEED_VERSION || batch.region !== this.#region) throw new FeedError(`the feed answered version ${batch.version} for ${batch.region}`, 502, true);
    this.#contact();
    this.#noteLatest(batch.latest);
    return batch;
  }

  /** Applies a batch, or decides that only a fresh snapshot will do. */
  #follow(batch: FeedChanges): void {
    const windows = this.#windows as FeedWindows;
    if (batch.latest < this.#applied) {
      this.#log(`replication ${this.#region}: the control plane is at revision ${batch.latest}, behind this replica's ${this.#applied} (restored from a backup?); loading a fresh snapshot`);
      this.#needSnapshot = true;
    } else if (!sameMaterialWindows(batch.windows, windows)) {
      // The key or MFA window rolled: only a snapshot carries every record's material for the new dates.
      this.#log(`replication ${this.#region}: windows rolled (keys ${batch.windows.keyWindow.from}-${batch.windows.keyWindow.through}); loading a fresh snapshot`);
      this.#needSnapshot = true;
    } else if (batch.after !== this.#applied) {
      this.#log(`replication ${this.#region}: got changes after ${batch.after} while at ${this.#applied}; loading a fresh snapshot`);
      this.#needSnapshot = true;
    } else {
      this.#applyBatch(batch);
    }
  }

  #applyBatch(batch: FeedChanges): void {
    if (this.#file && this.#fileStaleSince === undefined) {
      try {
        this.#file.applyChanges(batch);
      } catch (err) {
        this.#fileFailed(err);
      }
    }
    try {
      this.#sink.apply(batch);
    } catch (err) {
      this.#needSnapshot = true;
      throw new LocalError(`applying revisions ${batch.after + 1}-${batch.revision} failed: ${messageOf(err)}`);
    }
    this.#adopt(batch.revision, batch.windows);
  }

  async #loadSnapshot(): Promise<void> {
    const snapshot = await this.#source.snapshot(this.#region, this.#aborter.signal);
    if (snapshot.version !== FEED_VERSION || snapshot.region !== this.#region) throw new FeedError(`the feed answered a version ${snapshot.version} snapshot of ${snapshot.region}`, 502, true);
    this.#contact();
    const state: ReplicaState = {
      region: this.#region,
      revision: snapshot.revision,
      time: snapshot.time,
      windows: { keyWindow: snapshot.keyWindow, mfaWindow: snapshot.mfaWindow, tokenKeys: snapshot.tokenKeys },
      records: snapshot.records,
    };
    if (this.#file) {
      try {
        this.#file.saveSnapshot(state);
        this.#fileStaleSince = undefined;
      } catch (err) {
        // The region still serves the fresh state; the file catches up later.
        this.#fileFailed(err);
      }
    }
    try {
      this.#sink.reset(state);
    } catch (err) {
      this.#needSnapshot = true;
      throw new LocalError(`loading the snapshot at revision ${state.revision} failed: ${messageOf(err)}`);
    }
    this.#needSnapshot = false;
    this.#noteLatest(snapshot.revision);
    this.#adopt(state.revision, state.windows);
    this.#event('snapshot-loaded', `loaded the snapshot at revision ${state.revision} (${state.records.length} records)`);
  }

  #restoreFromFile(): void {
    if (!this.#file) return;
    try {
      const state = this.#file.load();
      if (!state) return;
      if (state.region !== this.#region) {
        this.#log(`replication ${this.#region}: the local snapshot is of ${state.region}; ignoring it`);
        this.#fileStaleSince = -Infinity;
        return;
      }
      this.#sink.reset(state);
      this.#adopt(state.revision, state.windows);
      this.#latest = state.revision;
      // Until the control plane answers, the snapshot's time is the last known contact: an
      // operator reading health after a restart sees how old the state is, not "never".
      const time = new Date(state.time);
      if (!Number.isNaN(time.getTime())) {
        this.#lastContact = time;
        this.#lastContactSource = 'snapshot';
      }
      this.#event('restored-from-local-snapshot', `serving the local snapshot at revision ${state.revision} (${state.records.length} records, as of ${state.time})`);
    } catch (err) {
      this.#log(`replication ${this.#region}: the local snapshot could not be loaded (${messageOf(err)}); fetching one`);
      this.#fileStaleSince = -Infinity;
    }
  }

  // ---- bookkeeping ----------------------------------------------------------------------------

  #adopt(revision: number, windows: FeedWindows): void {
    this.#applied = revision;
    this.#windows = windows;
    this.#updateLag();
    for (const waiter of this.#waiters) if (waiter.revision <= revision) waiter.done(true);
  }

  #noteLatest(latest: number): void {
    this.#latest = latest;
    this.#updateLag();
  }

  #updateLag(): void {
    if (this.#applied >= this.#latest) this.#laggingSince = undefined;
    else this.#laggingSince ??= this.#now().getTime();
  }

  #lagSeconds(now: number): number {
    return this.#laggingSince === undefined ? 0 : Math.max(0, Math.floor((now - this.#laggingSince) / 1000));
  }

  #keyWindowRemaining(now: number): number {
    const keyWindow = this.#windows?.keyWindow;
    return keyWindow ? Math.max(0, Math.floor((keyWindowEnd(keyWindow) - now) / 1000)) : 0;
  }

  #tokenWindowRemaining(now: number): number {
    let until = -Infinity;
    for (const k of this.#windows?.tokenKeys ?? []) until = Math.max(until, Date.parse(k.issueUntil));
    return until === -Infinity ? 0 : Math.max(0, Math.floor((until - now) / 1000));
  }

  #contact(): void {
    this.#lastContact = this.#now();
    this.#lastContactSource = 'live';
    this.#connected = true;
    if (this.#outageSince) {
      const seconds = Math.round((this.#lastContact.getTime() - this.#outageSince.getTime()) / 1000);
      this.#outageSince = undefined;
      this.#lastFailureLog = -Infinity;
      this.#event('control-plane-reachable', `the control plane answers again after ${seconds} s`);
    }
  }

  #failed(err: unknown): void {
    const message = messageOf(err);
    if (err instanceof LocalError) {
      this.#log(`replication ${this.#region}: ${message}; retrying from a fresh snapshot`);
      return;
    }
    this.#connected = false;
    const now = this.#now();
    if (!this.#outageSince) {
      this.#outageSince = now;
      this.#event('control-plane-unreachable', message);
    }
    if (now.getTime() - this.#lastFailureLog >= REPEAT_LOG_MS) {
      this.#lastFailureLog = now.getTime();
      this.#log(`replication ${this.#region}: the feed failed: ${message}; serving revision ${this.revision} and retrying`);
    }
  }

  #fileFailed(err: unknown): void {
    this.#fileStaleSince ??= this.#now().getTime();
    this.#log(`replication ${this.#region}: the local snapshot could not be written (${messageOf(err)}); serving from memory and retrying later`);
  }

  /** Time-based conditions, each reported once until it clears. */
  #checkConditions(): void {
    const now = this.#now().getTime();
    const lag = this.#lagSeconds(now);
    if (lag > DELAYED_AFTER_SECONDS) {
      if (!this.#reported.delayed) this.#event('propagation-delayed', `revision ${this.#latest} committed, ${this.revision} applied for ${lag} s`);
      this.#reported.delayed = true;
    } else if (lag === 0) this.#reported.delayed = false;
    if (!this.#windows) return;
    const keyLeft = this.#keyWindowRemaining(now);
    if (keyLeft < RUNNING_OUT_SECONDS) {
      if (!this.#reported.keyWindow) this.#event('key-window-running-out', `access keys authenticate here for ${formatDuration(keyLeft)} more (through ${this.#windows.keyWindow.through})`);
      this.#reported.keyWindow = true;
    } else this.#reported.keyWindow = false;
    const tokenLeft = this.#tokenWindowRemaining(now);
    if (tokenLeft < RUNNING_OUT_SECONDS) {
      if (!this.#reported.tokenWindow) this.#event('token-window-running-out', `this region can issue session tokens for ${formatDuration(tokenLeft)} more`);
      this.#reported.tokenWindow = true;
    } else this.#reported.tokenWindow = false;
  }

  #event(type: string, message: string): void {
    this.#events.push({ time: this.#now().toISOString(), type, message });
    if (this.#events.length > MAX_EVENTS) this.#events.splice(0, this.#events.length - MAX_EVENTS);
    this.#log(`replication ${this.#region}: ${type}: ${message}`);
  }

  async #backoff(err: unknown): Promise<void> {
    const { min, max } = this.#retry;
    // A refused token or request will not fix itself quickly: wait the longest.
    const base = err instanceof FeedError && !err.retryable ? max : Math.min(max, min * 2 ** Math.min(this.#failures, 20));
    this.#failures++;
    const ms = base / 2 + Math.random() * (base / 2);
    try {
      await delay(ms, undefined, { signal: this.#aborter.signal });
    } catch {
      // Stopped.
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${h} h ${m} min`;
}
