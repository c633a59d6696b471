/**
 * The audit log: CloudTrail-shaped events in their own SQLite file, chained with an HMAC so that
 * editing, removing, reordering or truncating records is detected by `verify()`.
 *
 * - Appends are buffered in memory and written by a timer in one transaction per batch: the
 *   server appends on every request and must not wait for the disk.
 * - With `worker: true` (the server) the batches are hashed and written by a worker thread
 *   (audit-worker.ts) that owns its own connection to the file: the request thread only turns
 *   each event into JSON text. `flush`, `query`, `verify` and `close` still see every event
 *   appended before them: they wait for the worker.
 * - Each row: hash = HMAC-SHA256(chainKey, prevHash || canonical JSON of the event) (chain.ts).
 *   The chain key is derived from the master key (`deriveKey(masterKey, AUDIT_CHAIN_KEY_PURPOSE)`),
 *   so someone who can write the file but lacks the key cannot re-forge the chain after a change.
 * - A checkpoint (last seq, last hash, time; itself MACed) is written in the same transaction as
 *   the rows, so removing rows from the end is detected too.
 * See README.md for what remains undetectable.
 */
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { constantTimeEqual, deriveKey } from '../core/crypto/index.js';
import type { WorkerData, WorkerReport, WorkerRequest } from './audit-worker.js';
import {
  AuditLogError,
  ChainWriter,
  columnsOf,
  configureConnection,
  eventHash,
  FORMAT,
  GENESIS_HASH,
  hmacHex,
  KEY_CHECK_INPUT,
  readCheckpoint,
  toIsoSeconds,
  type AuditLogErrorCode,
} from './chain.js';
import type { AuditEvent } from './event.js';

export { AuditLogError, type AuditLogErrorCode };

/** The server's data folder when none is given, relative to the working directory. */
export const DEFAULT_DATA_DIR = 'gatehouse-data';
/** The audit log's file name inside the data folder. */
export const AUDIT_DB_FILE = 'audit.db';
/** The `deriveKey` purpose of the chain key. */
export const AUDIT_CHAIN_KEY_PURPOSE = 'audit-chain';

const MAX_PROBLEMS = 1000;

export interface AuditLogOptions {
  /** How long an appended event may wait in memory before it is written (default 100 ms). */
  flushIntervalMs?: number;
  /** Buffered events that force a write from `append` (default 1000); with `worker`, a hand-over to it. */
  maxBuffered?: number;
  /** The clock for checkpoint times (default: the system clock). */
  now?: () => Date;
  /**
   * Create the file and the schema when missing (default true). Readers such as the CLI pass
   * false so a typo in the data folder does not leave an empty log behind.
   */
  create?: boolean;
  /** Called when a timer-driven write fails; the events stay buffered and are retried. */
  onFlushError?: (error: unknown) => void;
  /**
   * Hash and write batches in a worker thread (default false): for the server, whose event loop
   * must not stall while a batch is written.
   */
  worker?: boolean;
}

export interface AuditQuery {
  /** Events at or after this time. */
  since?: Date;
  /** Events at or before this time. */
  until?: Date;
  /** An ARN, a user name (or, for role sessions, the role name) or an access key id. */
  principal?: string;
  /** An exact API action name, e.g. `CreateUser`. */
  eventName?: string;
  /** Only events with an errorCode. */
  errorsOnly?: boolean;
  /** At most this many events (default 100). */
  limit?: number;
}

export type VerifyProblemKind = 'altered' | 'missing' | 'order' | 'columns' | 'truncated' | 'checkpoint' | 'key';

export interface VerifyProblem {
  /** The record the problem was found at (for a truncated tail, the first missing one). */
  seq: number;
  kind: VerifyProblemKind;
  problem: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Records read. */
  checked: number;
  /** At most 1000; a last entry says how many more there were. */
  problems: VerifyProblem[];
  /** The checkpoint as recorded (shown so an operator can judge a rollback of the whole file). */
  checkpoint?: { seq: number; at: string };
}

interface Row {
  seq: number;
  event_time: string;
  event_name: string;
  principal_arn: string | null;
  user_name: string | null;
  access_key_id: string | null;
  error_code: string | null;
  event_json: string;
  prev_hash: string;
  hash: string;
}

const SCHEMA = `
CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY,
  event_time TEXT NOT NULL,
  event_name TEXT NOT NULL,
  principal_arn TEXT,
  user_name TEXT,
  access_key_id TEXT,
  error_code TEXT,
  event_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_events_time ON audit_events (event_time);
CREATE INDEX audit_events_name ON audit_events (event_name);
CREATE INDEX audit_events_arn ON audit_events (principal_arn);
CREATE INDEX audit_events_user ON audit_events (user_name);
CREATE INDEX audit_events_key ON audit_events (access_key_id);
CREATE INDEX audit_events_errors ON audit_events (seq) WHERE error_code IS NOT NULL;
CREATE TABLE audit_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

function range(from: number, to: number): string {
  return from === to ? `event ${from} is` : `events ${from}..${to} are`;
}

/** How long a synchronous call waits for the writer thread before giving up on it. */
const WORKER_ANSWER_TIMEOUT_MS = 60_000;

/**
 * The writer thread as seen from the log's thread: `write` hands events over and returns at
 * once; `sync` and `close` block until the thread has answered.
 */
class WriterThread {
  /** Events handed over so far, and how many of them the thread has reported written. */
  private handed = 0;
  private written = 0;
  private readonly worker: Worker;
  private readonly signals = new Int32Array(new SharedArrayBuffer(8));
  private readonly replies: MessagePort;
  private crashed: Error | undefined;

  constructor(file: string, key: Buffer, onWriteError: (error: AuditLogError | Error) => void) {
    const { port1, port2 } = new MessageChannel();
    this.replies = port1;
    const workerData: WorkerData = { file, key: new Uint8Array(key), signals: this.signals, replies: port2 };
    this.worker = startWorker(workerData, [port2]);
    this.worker.on('message', (report: WorkerReport) => {
      this.written = Math.max(this.written, report.written);
      if (report.error) onWriteError(toError(report.error));
    });
    this.worker.on('error', (err) => {
      this.crashed = err;
      onWriteError(new AuditLogError('writer-failed', `the audit log writer thread failed: ${err.message}`));
    });
    // Like the flush timer, the thread must not keep a finished process alive; close() ends it.
    this.worker.unref();
  }

  /** Handed over but not yet reported written. */
  get unwritten(): number {
    return this.handed - this.written;
  }

  write(events: string[], at: string): void {
    this.checkAlive();
    this.worker.postMessage({ type: 'write', events, at } satisfies WorkerRequest);
    this.handed += events.length;
  }

  /** Writes `events` and everything handed over before; throws when that fails (the thread keeps them). */
  sync(events: string[], at: string): void {
    this.handed += events.length;
    const report = this.call({ type: 'sync', events, at }) as WorkerReport;
    this.written = Math.max(this.written, report.written);
    if (report.error) throw toError(report.error);
  }

  close(): void {
    try {
      if (!this.crashed) this.call({ type: 'close' });
    } finally {
      void this.worker.terminate();
    }
  }

  private checkAlive(): void {
    if (this.crashed) throw new AuditLogError('writer-failed', `the audit log writer thread failed: ${this.crashed.message}`);
  }

  private call(request: WorkerRequest): unknown {
    this.checkAlive();
    const before = Atomics.load(this.signals, 0);
    this.worker.postMessage(request);
    // The thread posts its answer, then bumps the counter: once it has moved, the answer is there.
    // Blocked here, this thread cannot receive the worker's 'error' event; the thread flags a
    // failed start in the shared memory instead.
    const deadline = Date.now() + WORKER_ANSWER_TIMEOUT_MS;
    while (Atomics.load(this.signals, 0) === before) {
      if (Atomics.load(this.signals, 1) !== 0) throw new AuditLogError('writer-failed', 'the audit log writer thread could not open the log');
      if (Date.now() > deadline) throw new AuditLogError('writer-failed', `the audit log writer thread did not answer within ${WORKER_ANSWER_TIMEOUT_MS / 1000} s`);
      Atomics.wait(this.signals, 0, before, 100);
    }
    return receiveMessageOnPort(this.replies)?.message;
  }
}

function toError(error: { message: string; code?: string }): AuditLogError | Error {
  return error.code ? new AuditLogError(error.code as AuditLogErrorCode, error.message) : new Error(error.message);
}

function startWorker(workerData: WorkerData, transferList: MessagePort[]): Worker {
  // The worker's file sits next to this one: audit-worker.js when built, audit-worker.ts when
  // run from source with tsx.
  const here = import.meta.url;
  const entry = new URL(`./audit-worker${here.slice(here.lastIndexOf('.'))}`, here);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData, transferList });
  // From source: a worker thread does not inherit the tsx hooks of `--import tsx`
  // (privatenumber/tsx#354), so it registers them before loading the TypeScript entry (and
  // loads it anyway when tsx is not there, for a Node that runs TypeScript itself).
  let tsx: string | undefined;
  try {
    tsx = import.meta.resolve('tsx/esm/api');
  } catch {
    tsx = undefined;
  }
  const register = tsx ? `import(${JSON.stringify(tsx)}).then((api) => api.register())` : 'Promise.resolve()';
  return new Worker(`${register}.then(() => import(${JSON.stringify(entry.href)}));`, { eval: true, workerData, transferList });
}

export class AuditLog {
  /** Appended events as JSON text, not yet written (or handed to the writer thread). */
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly flushIntervalMs: number;
  private readonly maxBuffered: number;
  private readonly now: () => Date;
  private readonly onFlushError: ((error: unknown) => void) | undefined;
  /** Exactly one of the two writes the chain: this thread, or the writer thread. */
  private readonly writer: ChainWriter | undefined;
  private readonly thread: WriterThread | undefined;

  private constructor(
    private readonly db: Database.Database,
    private readonly key: Buffer,
    file: string,
    options: AuditLogOptions,
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.maxBuffered = options.maxBuffered ?? 1000;
    this.now = options.now ?? (() => new Date());
    this.onFlushError = options.onFlushError;
    if (options.worker) this.thread = new WriterThread(file, key, (err) => this.writeFailed(err));
    else this.writer = new ChainWriter(db, key);
  }

  /**
   * Opens (or, unless `create` is false, creates) the audit log at `file`. Throws
   * `AuditLogError` when the file is missing, is not a SQLite database, is not an audit log,
   * or was written with another key.
   */
  static open(file: string, chainKey: Buffer, options: AuditLogOptions = {}): AuditLog {
    if (chainKey.length < 32) throw new RangeError('the audit chain key must be at least 32 bytes');
    const create = options.create ?? true;
    const existed = existsSync(file);
    if (!existed && !create) throw new AuditLogError('missing', `no audit log at ${file}`);
    let db: Database.Database;
    try {
      db = new Database(file, { fileMustExist: !create });
    } catch (err) {
      throw new AuditLogError('not-a-database', `cannot open ${file}: ${(err as Error).message}`);
    }
    try {
      AuditLog.prepareFile(db, file, chainKey, create);
    } catch (err) {
      db.close();
      if (err instanceof AuditLogError) throw err;
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw new AuditLogError('not-a-database', `${file} is not a SQLite database`);
      throw new AuditLogError('not-a-database', `cannot read ${file}: ${(err as Error).message}`);
    }
    // Audit records name users and addresses; keep them as private as the store.
    if (!existed) chmodSync(file, 0o600);
    return new AuditLog(db, chainKey, file, options);
  }

  private static prepareFile(db: Database.Database, file: string, key: Buffer, create: boolean): void {
    configureConnection(db);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    if (tables.length === 0) {
      if (!create) throw new AuditLogError('not-an-audit-log', `${file} is an empty database, not a Gatehouse audit log`);
      db.transaction(() => {
        db.exec(SCHEMA);
        const put = db.prepare('INSERT INTO audit_meta (key, value) VALUES (?, ?)');
        put.run('format', FORMAT);
        put.run('key_check', hmacHex(key, KEY_CHECK_INPUT));
      }).immediate();
      return;
    }
    if (!tables.includes('audit_meta') || !tables.includes('audit_events')) {
      throw new AuditLogError('not-an-audit-log', `${file} is a SQLite database but not a Gatehouse audit log`);
    }
    const meta = db.prepare('SELECT value FROM audit_meta WHERE key = ?').pluck();
    const format = meta.get('format') as string | undefined;
    if (format !== FORMAT) {
      throw new AuditLogError('unsupported-format', `${file} has audit log format ${JSON.stringify(format ?? null)}; this Gatehouse reads ${FORMAT}`);
    }
    const keyCheck = meta.get('key_check') as string | undefined;
    if (keyCheck !== undefined && !constantTimeEqual(keyCheck, hmacHex(key, KEY_CHECK_INPUT))) {
      // The key check itself could have been edited: trust the key if it verifies the first
      // record (verify() then reports the altered key check).
      const first = db.prepare('SELECT event_json, prev_hash, hash FROM audit_events ORDER BY seq LIMIT 1').get() as Pick<Row, 'event_json' | 'prev_hash' | 'hash'> | undefined;
      let verifiesFirst = false;
      try {
        verifiesFirst = first !== undefined && constantTimeEqual(first.hash, eventHash(key, first.prev_hash, JSON.parse(first.event_json)));
      } catch {
        verifiesFirst = false;
      }
      if (!verifiesFirst) {
        throw new AuditLogError('wrong-key', `the master key does not match the key ${file} was written with`);
      }
    }
  }

  /**
   * Buffers one event; cheap and synchronous. The event is serialized now, so later changes to
   * the object do not reach the log. Throws only when the buffer is full and the forced write
   * fails, or after `close()`.
   */
  append(event: AuditEvent): void {
    if (this.closed) throw new AuditLogError('closed', 'the audit log is closed');
    if (typeof event?.eventName !== 'string' || typeof event.eventTime !== 'string') {
      throw new TypeError('an audit event needs a string eventName and eventTime');
    }
    // Plain JSON.stringify: redaction (buildAuditEvent did it once) is checked by the writer.
    this.buffer.push(JSON.stringify(event));
    if (this.buffer.length >= this.maxBuffered) {
      if (this.thread) this.handOver();
      else this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushFromTimer(), this.flushIntervalMs);
      // A pending flush must not keep a finished process alive; close() flushes.
      this.timer.unref();
    }
  }

  /** Events appended but not yet written. */
  get pending(): number {
    return this.buffer.length + (this.thread?.unwritten ?? 0);
  }

  /**
   * Writes every buffered event in one transaction (with a writer thread: waits until it has
   * written everything appended so far); returns how many were pending. On failure they stay
   * buffered.
   */
  flush(): number {
    if (this.closed) throw new AuditLogError('closed', 'the audit log is closed');
    this.clearTimer();
    const count = this.pending;
    if (this.thread) {
      const batch = this.buffer;
      this.buffer = [];
      this.thread.sync(batch, toIsoSeconds(this.now()));
      return count;
    }
    if (count === 0) return 0;
    (this.writer as ChainWriter).append(this.buffer, toIsoSeconds(this.now()));
    this.buffer = [];
    return count;
  }

  /** Hands the buffer to the writer thread without waiting, unless it has fallen far behind. */
  private handOver(): void {
    const thread = this.thread as WriterThread;
    this.clearTimer();
    // With nothing new, a hand-over still makes the thread retry events a failed write kept.
    if (this.buffer.length > 0 || thread.unwritten > 0) {
      thread.write(this.buffer, toIsoSeconds(this.now()));
      this.buffer = [];
    }
    // Back-pressure: memory stays bounded, and a log that cannot be written fails the append.
    if (thread.unwritten >= 10 * this.maxBuffered) this.flush();
  }

  private flushFromTimer(): void {
    this.timer = undefined;
    if (this.closed) return;
    try {
      if (this.thread) this.handOver();
      else this.flush();
    } catch (err) {
      this.writeFailed(err);
    }
  }

  /** A write failed where no caller waits for it: report it, and try again later. */
  private writeFailed(err: unknown): void {
    this.onFlushError?.(err);
    if (!this.closed && this.pending > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => this.flushFromTimer(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  /**
   * Readers see what was appended so far; but a log that cannot be written (a damaged
   * checkpoint) must stay readable, or `verify` could not say what is wrong with it.
   */
  private flushBeforeReading(): void {
    if (this.closed) throw new AuditLogError('closed', 'the audit log is closed');
    try {
      this.flush();
    } catch (err) {
      this.onFlushError?.(err);
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Flushes, then closes the file. The file is closed even when the final write fails (which then throws). */
  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      this.clearTimer();
      try {
        this.thread?.close();
      } finally {
        this.db.close();
      }
    }
  }

  /** Matching events, newest first (highest seq first), as CloudTrail's event history lists them. */
  query(q: AuditQuery = {}): AuditEvent[] {
    this.flushBeforeReading();
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.since) {
      // Stored times have whole seconds: compare against the second `since` falls in.
      where.push('event_time >= ?');
      params.push(toIsoSeconds(q.since));
    }
    if (q.until) {
      where.push('event_time <= ?');
      params.push(toIsoSeconds(q.until));
    }
    if (q.principal !== undefined) {
      where.push('(principal_arn = ? OR user_name = ? OR access_key_id = ?)');
      params.push(q.principal, q.principal, q.principal);
    }
    if (q.eventName !== undefined) {
      where.push('event_name = ?');
      params.push(q.eventName);
    }
    if (q.errorsOnly) where.push('error_code IS NOT NULL');
    const limit = q.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive whole number');
    params.push(limit);
    const sql = `SELECT event_json FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    return (this.db.prepare(sql).pluck().all(...params) as string[]).map((json) => JSON.parse(json) as AuditEvent);
  }

  /**
   * Re-reads the whole log and checks every link: each record's MAC over its content and its
   * predecessor's hash, consecutive seqs, indexed columns that match the event, the MACed
   * checkpoint against the last record, and the key check. Never throws for a damaged log.
   */
  verify(): VerifyResult {
    this.flushBeforeReading();
    // One read transaction: rows and checkpoint come from the same snapshot even while a
    // server process keeps appending.
    return this.db.transaction(() => this.verifySnapshot())();
  }

  private verifySnapshot(): VerifyResult {
    const problems: VerifyProblem[] = [];
    let omitted = 0;
    const report = (seq: number, kind: VerifyProblemKind, problem: string): void => {
      if (problems.length < MAX_PROBLEMS) problems.push({ seq, kind, problem });
      else omitted += 1;
    };

    let checked = 0;
    let prevSeq = 0;
    let prevHash = GENESIS_HASH;
    const rows = this.db.prepare('SELECT * FROM audit_events ORDER BY seq').iterate() as IterableIterator<Row>;
    for (const row of rows) {
      checked += 1;
      if (row.seq > prevSeq + 1) {
        // The link to the predecessor is necessarily broken too; one problem says it better.
        report(prevSeq + 1, 'missing', `${range(prevSeq + 1, row.seq - 1)} missing (deleted)`);
      } else if (row.prev_hash !== prevHash) {
        report(row.seq, 'order', `event ${row.seq} does not follow event ${prevSeq} in the chain (reordered, replaced or inserted)`);
      }
      let event: unknown;
      try {
        event = JSON.parse(row.event_json);
      } catch {
        report(row.seq, 'altered', `event ${row.seq} is not valid JSON (edited)`);
      }
      if (event !== undefined) {
        if (!constantTimeEqual(row.hash, eventHash(this.key, row.prev_hash, event))) {
          report(row.seq, 'altered', `event ${row.seq} does not match its hash (edited)`);
        }
        const expected = columnsOf(event as Partial<AuditEvent>);
        const differing = (
          [
            ['eventTime', row.event_time, expected.eventTime],
            ['eventName', row.event_name, expected.eventName],
            ['principal arn', row.principal_arn, expected.principalArn],
            ['userName', row.user_name, expected.userName],
            ['accessKeyId', row.access_key_id, expected.accessKeyId],
            ['errorCode', row.error_code, expected.errorCode],
          ] as const
        )
          .filter(([, stored, derived]) => stored !== derived)
          .map(([name]) => name);
        if (differing.length) report(row.seq, 'columns', `event ${row.seq}: the indexed ${differing.join(', ')} do not match the event (edited)`);
      }
      prevSeq = row.seq;
      prevHash = row.hash;
    }

    const cp = readCheckpoint(this.db, this.key);
    if (cp === 'invalid') report(prevSeq, 'checkpoint', 'the checkpoint was altered');
    else if (cp === undefined) {
      if (checked > 0) report(prevSeq, 'checkpoint', 'the checkpoint is missing');
    } else if (prevSeq < cp.seq) {
      report(prevSeq + 1, 'truncated', `${range(prevSeq + 1, cp.seq)} missing at the end (the checkpoint records ${cp.seq} events)`);
    } else if (prevSeq > cp.seq) {
      report(cp.seq + 1, 'checkpoint', `${range(cp.seq + 1, prevSeq)} after the checkpoint (not written by Gatehouse)`);
    } else if (prevHash !== cp.hash) {
      report(cp.seq, 'checkpoint', `event ${cp.seq} is not the event the checkpoint records (replaced)`);
    }

    const keyCheck = this.db.prepare("SELECT value FROM audit_meta WHERE key = 'key_check'").pluck().get() as string | undefined;
    if (keyCheck === undefined) report(0, 'key', 'the key check value is missing');
    else if (!constantTimeEqual(keyCheck, hmacHex(this.key, KEY_CHECK_INPUT))) report(0, 'key', 'the key check value was altered');

    if (omitted > 0) problems.push({ seq: prevSeq, kind: problems[problems.length - 1].kind, problem: `${omitted} more problems not listed` });
    return {
      ok: problems.length === 0,
      checked,
      problems,
      ...(cp && cp !== 'invalid' ? { checkpoint: { seq: cp.seq, at: cp.at } } : {}),
    };
  }
}

/**
 * Opens `<dataDir>/audit.db` with the chain key derived from the master key: the one place that
 * knows the derivation, so the server and the CLI cannot disagree.
 */
export function openAuditLog(dataDir: string, masterKey: Buffer, options: AuditLogOptions = {}): AuditLog {
  return AuditLog.open(join(dataDir, AUDIT_DB_FILE), deriveKey(masterKey, AUDIT_CHAIN_KEY_PURPOSE), options);
}
