/**
 * The audit log: CloudTrail-shaped events in their own SQLite file, chained with an HMAC so that
 * editing, removing, reordering or truncating records is detected by `verify()`.
 *
 * - Appends are buffered in memory and written by a timer in one transaction per batch: the
 *   server appends on every request and must not wait for the disk.
 * - Each row: hash = HMAC-SHA256(chainKey, prevHash || canonical JSON of the event). The chain
 *   key is derived from the master key (`deriveKey(masterKey, AUDIT_CHAIN_KEY_PURPOSE)`), so
 *   someone who can write the file but lacks the key cannot re-forge the chain after a change.
 * - A checkpoint (last seq, last hash, time; itself MACed) is written in the same transaction as
 *   the rows, so removing rows from the end is detected too.
 * See README.md for what remains undetectable.
 */
import { createHmac } from 'node:crypto';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { constantTimeEqual, deriveKey } from '../core/crypto/index.js';
import { canonicalJson } from './canonical-json.js';
import type { AuditEvent } from './event.js';
import { isSecretKey, REDACTED } from './redact.js';

/** The server's data folder when none is given, relative to the working directory. */
export const DEFAULT_DATA_DIR = 'gatehouse-data';
/** The audit log's file name inside the data folder. */
export const AUDIT_DB_FILE = 'audit.db';
/** The `deriveKey` purpose of the chain key. */
export const AUDIT_CHAIN_KEY_PURPOSE = 'audit-chain';

const FORMAT = 'gatehouse-audit/1';
const GENESIS_HASH = '0'.repeat(64);
const KEY_CHECK_INPUT = 'gatehouse-audit:key-check';
const MAX_PROBLEMS = 1000;

export type AuditLogErrorCode =
  | 'missing'
  | 'not-a-database'
  | 'not-an-audit-log'
  | 'unsupported-format'
  | 'wrong-key'
  | 'tampered'
  | 'closed';

/** An expected failure of the audit log, with a message fit for an operator. */
export class AuditLogError extends Error {
  override name = 'AuditLogError';
  constructor(
    readonly code: AuditLogErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface AuditLogOptions {
  /** How long an appended event may wait in memory before it is written (default 100 ms). */
  flushIntervalMs?: number;
  /** Buffered events that force a synchronous write from `append` (default 1000). */
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

interface Pending {
  json: string;
  eventTime: string;
  eventName: string;
  principalArn: string | null;
  userName: string | null;
  accessKeyId: string | null;
  errorCode: string | null;
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

interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  mac: string;
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

function hmacHex(key: Buffer, ...parts: string[]): string {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part, 'utf8');
  return mac.digest('hex');
}

/** The row MAC: prevHash is fixed-length hex, so the concatenation is unambiguous. */
function eventHash(key: Buffer, prevHash: string, event: unknown): string {
  return hmacHex(key, prevHash, canonicalJson(event));
}

function checkpointMac(key: Buffer, seq: number, hash: string, at: string): string {
  return hmacHex(key, `gatehouse-audit:checkpoint\n${seq}\n${hash}\n${at}`);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The indexed columns, derived from the event so `verify` can check them against it. */
function columnsOf(event: Partial<AuditEvent>): Omit<Pending, 'json'> {
  const identity = event.userIdentity ?? ({} as Partial<AuditEvent['userIdentity']>);
  return {
    eventTime: String(event.eventTime ?? ''),
    eventName: String(event.eventName ?? ''),
    principalArn: str(identity.arn),
    // Role sessions carry no userName; the role's name is what an operator will search for.
    userName: str(identity.userName) ?? str(identity.sessionContext?.sessionIssuer?.userName),
    accessKeyId: str(identity.accessKeyId),
    errorCode: str(event.errorCode),
  };
}

/** Defense in depth: even a hand-built event cannot put a secret on disk. */
function redactingReplacer(key: string, value: unknown): unknown {
  return key !== '' && value !== undefined && isSecretKey(key) ? REDACTED : value;
}

function toIsoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function range(from: number, to: number): string {
  return from === to ? `event ${from} is` : `events ${from}..${to} are`;
}

export class AuditLog {
  private buffer: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly flushIntervalMs: number;
  private readonly maxBuffered: number;
  private readonly now: () => Date;
  private readonly onFlushError: ((error: unknown) => void) | undefined;
  private readonly insertBatch: (batch: Pending[]) => void;

  private constructor(
    private readonly db: Database.Database,
    private readonly key: Buffer,
    options: AuditLogOptions,
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.maxBuffered = options.maxBuffered ?? 1000;
    this.now = options.now ?? (() => new Date());
    this.onFlushError = options.onFlushError;

    const insert = db.prepare(
      `INSERT INTO audit_events (seq, event_time, event_name, principal_arn, user_name, access_key_id, error_code, event_json, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const lastRow = db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
    const putMeta = db.prepare('INSERT INTO audit_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    const write = db.transaction((batch: Pending[]) => {
      // The chain continues from the checkpoint, not from whatever row is last: a tail removed
      // behind our back then shows as a gap instead of being papered over.
      const cp = this.readCheckpoint();
      const last = lastRow.get() as { seq: number; hash: string } | undefined;
      if (cp === 'invalid' || (cp === undefined && last !== undefined)) {
        throw new AuditLogError('tampered', 'the audit log checkpoint is missing or altered; refusing to extend the chain (run `gatehouse audit verify`)');
      }
      let seq = Math.max(cp?.seq ?? 0, last?.seq ?? 0);
      let prev = last && last.seq > (cp?.seq ?? 0) ? last.hash : (cp?.hash ?? GENESIS_HASH);
      for (const p of batch) {
        seq += 1;
        const hash = eventHash(this.key, prev, JSON.parse(p.json));
        insert.run(seq, p.eventTime, p.eventName, p.principalArn, p.userName, p.accessKeyId, p.errorCode, p.json, prev, hash);
        prev = hash;
      }
      const at = toIsoSeconds(this.now());
      const checkpoint: Checkpoint = { seq, hash: prev, at, mac: checkpointMac(this.key, seq, prev, at) };
      putMeta.run('checkpoint', JSON.stringify(checkpoint));
    });
    // IMMEDIATE takes the write lock before reading the checkpoint, so two processes sharing a
    // file cannot both extend the chain from the same point.
    this.insertBatch = (batch) => write.immediate(batch);
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
    return new AuditLog(db, chainKey, options);
  }

  private static prepareFile(db: Database.Database, file: string, key: Buffer, create: boolean): void {
    db.pragma('journal_mode = WAL');
    // NORMAL: a power cut can lose the last transactions but never corrupts the file; the
    // checkpoint is in the same transaction as the rows, so a lost batch leaves no false alarm.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
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
    this.buffer.push({ json: JSON.stringify(event, redactingReplacer), ...columnsOf(event) });
    if (this.buffer.length >= this.maxBuffered) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushFromTimer(), this.flushIntervalMs);
      // A pending flush must not keep a finished process alive; close() flushes.
      this.timer.unref();
    }
  }

  /** Events appended but not yet written. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Writes every buffered event in one transaction; returns how many. On failure they stay buffered. */
  flush(): number {
    if (this.closed) throw new AuditLogError('closed', 'the audit log is closed');
    this.clearTimer();
    if (this.buffer.length === 0) return 0;
    const batch = this.buffer;
    this.insertBatch(batch);
    this.buffer = [];
    return batch.length;
  }

  private flushFromTimer(): void {
    this.timer = undefined;
    if (this.closed) return;
    try {
      this.flush();
    } catch (err) {
      this.onFlushError?.(err);
      if (this.buffer.length > 0 && this.timer === undefined) {
        this.timer = setTimeout(() => this.flushFromTimer(), this.flushIntervalMs);
        this.timer.unref();
      }
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
      this.db.close();
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

  private readCheckpoint(): Omit<Checkpoint, 'mac'> | 'invalid' | undefined {
    const text = this.db.prepare("SELECT value FROM audit_meta WHERE key = 'checkpoint'").pluck().get() as string | undefined;
    if (text === undefined) return undefined;
    try {
      const cp = JSON.parse(text) as Checkpoint;
      if (!Number.isSafeInteger(cp.seq) || typeof cp.hash !== 'string' || typeof cp.at !== 'string' || typeof cp.mac !== 'string') return 'invalid';
      if (!constantTimeEqual(cp.mac, checkpointMac(this.key, cp.seq, cp.hash, cp.at))) return 'invalid';
      return { seq: cp.seq, hash: cp.hash, at: cp.at };
    } catch {
      return 'invalid';
    }
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

    const cp = this.readCheckpoint();
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
