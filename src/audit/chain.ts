/**
 * The hash chain of the audit log file, shared by `AuditLog` (which reads and verifies it, and
 * writes it in-process) and the writer thread (`audit-worker.ts`), so both write the same rows.
 *
 * Each row: hash = HMAC-SHA256(chainKey, prevHash || canonical JSON of the event); a checkpoint
 * (last seq, last hash, time; itself MACed) is written in the same transaction as the rows.
 */
import { createHmac } from 'node:crypto';
import type Database from 'better-sqlite3';
import { constantTimeEqual } from '../core/crypto/index.js';
import { canonicalJson } from './canonical-json.js';
import type { AuditEvent } from './event.js';
import { containsSecrets, redactSecrets } from './redact.js';

export const FORMAT = 'gatehouse-audit/1';
export const GENESIS_HASH = '0'.repeat(64);
export const KEY_CHECK_INPUT = 'gatehouse-audit:key-check';

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

export type AuditLogErrorCode =
  | 'missing'
  | 'not-a-database'
  | 'not-an-audit-log'
  | 'unsupported-format'
  | 'wrong-key'
  | 'tampered'
  | 'closed'
  | 'writer-failed';

export interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  mac: string;
}

/** The indexed columns of a row, derived from its event so `verify` can check them against it. */
export interface EventColumns {
  eventTime: string;
  eventName: string;
  principalArn: string | null;
  userName: string | null;
  accessKeyId: string | null;
  errorCode: string | null;
}

export function hmacHex(key: Buffer, ...parts: string[]): string {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part, 'utf8');
  return mac.digest('hex');
}

/** The row MAC: prevHash is fixed-length hex, so the concatenation is unambiguous. */
export function eventHash(key: Buffer, prevHash: string, event: unknown): string {
  return hmacHex(key, prevHash, canonicalJson(event));
}

export function checkpointMac(key: Buffer, seq: number, hash: string, at: string): string {
  return hmacHex(key, `gatehouse-audit:checkpoint\n${seq}\n${hash}\n${at}`);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function columnsOf(event: Partial<AuditEvent>): EventColumns {
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

/** The settings every connection to the log file uses, the writer thread's included. */
export function configureConnection(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // NORMAL: a power cut can lose the last transactions but never corrupts the file; the
  // checkpoint is in the same transaction as the rows, so a lost batch leaves no false alarm.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
}

export function toIsoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The checkpoint as stored: undefined when there is none, 'invalid' when it does not verify. */
export function readCheckpoint(db: Database.Database, key: Buffer): Omit<Checkpoint, 'mac'> | 'invalid' | undefined {
  const text = db.prepare("SELECT value FROM audit_meta WHERE key = 'checkpoint'").pluck().get() as string | undefined;
  if (text === undefined) return undefined;
  try {
    const cp = JSON.parse(text) as Checkpoint;
    if (!Number.isSafeInteger(cp.seq) || typeof cp.hash !== 'string' || typeof cp.at !== 'string' || typeof cp.mac !== 'string') return 'invalid';
    if (!constantTimeEqual(cp.mac, checkpointMac(key, cp.seq, cp.hash, cp.at))) return 'invalid';
    return { seq: cp.seq, hash: cp.hash, at: cp.at };
  } catch {
    return 'invalid';
  }
}

/**
 * Extends the chain with batches of events, each batch in one transaction. Events arrive as the
 * JSON text `AuditLog.append` made of them; they are checked for secrets here, off the request
 * path, and redacted when a hand-built event carries one.
 */
export class ChainWriter {
  private readonly write: (events: readonly string[], at: string) => void;

  constructor(db: Database.Database, key: Buffer) {
    const insert = db.prepare(
      `INSERT INTO audit_events (seq, event_time, event_name, principal_arn, user_name, access_key_id, error_code, event_json, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const lastRow = db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
    const putMeta = db.prepare('INSERT INTO audit_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    const batch = db.transaction((events: readonly string[], at: string) => {
      // The chain continues from the checkpoint, not from whatever row is last: a tail removed
      // behind our back then shows as a gap instead of being papered over.
      const cp = readCheckpoint(db, key);
      const last = lastRow.get() as { seq: number; hash: string } | undefined;
      if (cp === 'invalid' || (cp === undefined && last !== undefined)) {
        throw new AuditLogError('tampered', 'the audit log checkpoint is missing or altered; refusing to extend the chain (run `gatehouse audit verify`)');
      }
      let seq = Math.max(cp?.seq ?? 0, last?.seq ?? 0);
      let prev = last && last.seq > (cp?.seq ?? 0) ? last.hash : (cp?.hash ?? GENESIS_HASH);
      for (const text of events) {
        let json = text;
        let event = JSON.parse(json) as Partial<AuditEvent>;
        // Defense in depth: even a hand-built event cannot put a secret on disk.
        if (containsSecrets(event)) {
          event = redactSecrets(event) as Partial<AuditEvent>;
          json = JSON.stringify(event);
        }
        const c = columnsOf(event);
        seq += 1;
        const hash = eventHash(key, prev, event);
        insert.run(seq, c.eventTime, c.eventName, c.principalArn, c.userName, c.accessKeyId, c.errorCode, json, prev, hash);
        prev = hash;
      }
      const checkpoint: Checkpoint = { seq, hash: prev, at, mac: checkpointMac(key, seq, prev, at) };
      putMeta.run('checkpoint', JSON.stringify(checkpoint));
    });
    // IMMEDIATE takes the write lock before reading the checkpoint, so two processes sharing a
    // file cannot both extend the chain from the same point.
    this.write = (events, at) => batch.immediate(events, at);
  }

  /** Writes `events` (JSON text) in one transaction, with a checkpoint dated `at`; nothing on failure. */
  append(events: readonly string[], at: string): void {
    if (events.length > 0) this.write(events, at);
  }
}
