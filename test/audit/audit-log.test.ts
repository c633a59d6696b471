import { test, describe, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { AuditLog, AuditLogError, AUDIT_DB_FILE, type VerifyResult } from '../../src/audit/audit-log.js';
import { buildAuditEvent, type AuditEvent, type UserIdentity } from '../../src/audit/event.js';
import { REDACTED } from '../../src/audit/redact.js';

const ACCOUNT = '123456789012';
const alice: UserIdentity = { type: 'IAMUser', principalId: 'AIDAALICEEXAMPLE0001', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, accessKeyId: 'AKIAALICEEXAMPLE0001', userName: 'alice' };
const bob: UserIdentity = { type: 'IAMUser', principalId: 'AIDABOBEXAMPLE000001', arn: `arn:aws:iam::${ACCOUNT}:user/bob`, accountId: ACCOUNT, accessKeyId: 'AKIABOBEXAMPLE000001', userName: 'bob' };
const opsSession: UserIdentity = {
  type: 'AssumedRole',
  principalId: 'AROAOPSEXAMPLE000001:deploy',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ops/deploy`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAOPSEXAMPLE000001',
  sessionContext: {
    sessionIssuer: { type: 'Role', principalId: 'AROAOPSEXAMPLE000001', arn: `arn:aws:iam::${ACCOUNT}:role/ops`, accountId: ACCOUNT, userName: 'ops' },
    attributes: { creationDate: '2024-05-01T09:00:00Z', mfaAuthenticated: 'false' },
  },
};

const T0 = Date.parse('2024-05-01T10:00:00Z');
let counter = 0;

function event(minute: number, overrides: { identity?: UserIdentity; eventName?: string; errorCode?: string; requestParameters?: Record<string, unknown> } = {}): AuditEvent {
  counter += 1;
  return buildAuditEvent({
    identity: overrides.identity ?? alice,
    eventSource: 'iam.amazonaws.com',
    eventName: overrides.eventName ?? 'GetUser',
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: overrides.requestParameters ?? { userName: `user${counter}` },
    responseElements: null,
    ...(overrides.errorCode ? { errorCode: overrides.errorCode, errorMessage: 'denied' } : {}),
    requestId: `req-${counter}`,
    eventId: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    eventTime: new Date(T0 + minute * 60_000),
    readOnly: true,
    recipientAccountId: ACCOUNT,
  });
}

let dir: string;
let file: string;
let key: Buffer;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-audit-'));
  file = join(dir, AUDIT_DB_FILE);
  key = randomBytes(32);
});
afterEach(async () => {
  mock.timers.reset();
  await rm(dir, { recursive: true, force: true });
});

/** Writes `n` events (one a minute) and closes the log. */
function seed(n: number): void {
  const log = AuditLog.open(file, key);
  for (let i = 0; i < n; i++) log.append(event(i));
  log.close();
}

/** Tampers with the file directly, as an attacker with write access but no key would. */
function tamper(sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  db.prepare(sql).run(...params);
  db.close();
}

function verifyFile(k = key): VerifyResult {
  const log = AuditLog.open(file, k, { create: false });
  try {
    return log.verify();
  } finally {
    log.close();
  }
}

function kinds(r: VerifyResult): [number, string][] {
  return r.problems.map((p) => [p.seq, p.kind]);
}

describe('AuditLog: append, flush, query', () => {
  test('append buffers; flush writes one batch; query sees it newest first', () => {
    const log = AuditLog.open(file, key);
    log.append(event(0, { eventName: 'CreateUser' }));
    log.append(event(1, { eventName: 'GetUser' }));
    assert.equal(log.pending, 2);
    assert.equal(log.flush(), 2);
    assert.equal(log.pending, 0);
    assert.deepEqual(log.query().map((e) => e.eventName), ['GetUser', 'CreateUser']);
    log.close();
  });

  test('query flushes pending events first', () => {
    const log = AuditLog.open(file, key);
    log.append(event(0));
    assert.equal(log.query().length, 1);
    log.close();
  });

  test('a timer flushes the buffer after flushIntervalMs', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const log = AuditLog.open(file, key, { flushIntervalMs: 50 });
    log.append(event(0));
    log.append(event(1));
    mock.timers.tick(49);
    assert.equal(log.pending, 2);
    mock.timers.tick(1);
    assert.equal(log.pending, 0);
    log.close();
    assert.equal(verifyFile().checked, 2);
  });

  test('reaching maxBuffered writes synchronously from append', () => {
    const log = AuditLog.open(file, key, { maxBuffered: 3 });
    log.append(event(0));
    log.append(event(1));
    assert.equal(log.pending, 2);
    log.append(event(2));
    assert.equal(log.pending, 0);
    log.close();
  });

  test('filters: since, until, principal (arn, user name, role name, key id), event name, errors, limit', () => {
    const log = AuditLog.open(file, key);
    log.append(event(0, { identity: alice, eventName: 'CreateUser' }));
    log.append(event(10, { identity: bob, eventName: 'DeleteUser', errorCode: 'AccessDenied' }));
    log.append(event(20, { identity: opsSession, eventName: 'CreateUser' }));
    log.append(event(30, { identity: alice, eventName: 'ListUsers' }));
    const names = (q: Parameters<AuditLog['query']>[0]): string[] => log.query(q).map((e) => `${e.eventName}@${e.eventTime.slice(11, 16)}`);

    assert.deepEqual(names({ since: new Date(T0 + 10 * 60_000) }), ['ListUsers@10:30', 'CreateUser@10:20', 'DeleteUser@10:10']);
    assert.deepEqual(names({ until: new Date(T0 + 10 * 60_000 + 999) }), ['DeleteUser@10:10', 'CreateUser@10:00']);
    assert.deepEqual(names({ since: new Date(T0 + 5 * 60_000), until: new Date(T0 + 25 * 60_000) }), ['CreateUser@10:20', 'DeleteUser@10:10']);
    assert.deepEqual(names({ principal: alice.arn }), ['ListUsers@10:30', 'CreateUser@10:00']);
    assert.deepEqual(names({ principal: 'bob' }), ['DeleteUser@10:10']);
    assert.deepEqual(names({ principal: 'ops' }), ['CreateUser@10:20']);
    assert.deepEqual(names({ principal: 'ASIAOPSEXAMPLE000001' }), ['CreateUser@10:20']);
    assert.deepEqual(names({ principal: 'nobody' }), []);
    assert.deepEqual(names({ eventName: 'CreateUser' }), ['CreateUser@10:20', 'CreateUser@10:00']);
    assert.deepEqual(names({ errorsOnly: true }), ['DeleteUser@10:10']);
    assert.deepEqual(names({ limit: 2 }), ['ListUsers@10:30', 'CreateUser@10:20']);
    assert.deepEqual(names({ eventName: 'CreateUser', principal: 'alice' }), ['CreateUser@10:00']);
    assert.throws(() => log.query({ limit: 0 }), RangeError);
    log.close();
  });

  test('returns the stored event unchanged', () => {
    const log = AuditLog.open(file, key);
    const e = event(0, { identity: opsSession });
    log.append(e);
    assert.deepEqual(log.query(), [e]);
    log.close();
  });

  test('the event is snapshotted at append: later changes to the object do not reach the log', () => {
    const log = AuditLog.open(file, key);
    const e = event(0);
    log.append(e);
    e.eventName = 'Changed';
    assert.equal(log.query()[0].eventName, 'GetUser');
    log.close();
  });

  test('even a hand-built event cannot store a secret', () => {
    const log = AuditLog.open(file, key);
    const e = event(0);
    (e as unknown as { requestParameters: unknown }).requestParameters = { userName: 'x', Password: 'hunter2', nested: [{ sessionToken: 'tok' }] };
    log.append(e);
    log.close();
    const db = new Database(file, { readonly: true });
    const json = db.prepare('SELECT event_json FROM audit_events').pluck().get() as string;
    db.close();
    assert.ok(!json.includes('hunter2') && !json.includes('tok"'));
    assert.deepEqual(JSON.parse(json).requestParameters, { userName: 'x', Password: REDACTED, nested: [{ sessionToken: REDACTED }] });
    assert.equal(verifyFile().ok, true);
  });

  test('close flushes; append after close throws; close twice is harmless', () => {
    const log = AuditLog.open(file, key);
    log.append(event(0));
    log.close();
    log.close();
    assert.throws(() => log.append(event(1)), (err: unknown) => err instanceof AuditLogError && err.code === 'closed');
    assert.equal(verifyFile().checked, 1);
  });

  test('the file is private to its owner', async () => {
    seed(1);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });
});

describe('AuditLog: the chain', () => {
  test('an intact log verifies, with the checkpoint shown', () => {
    seed(5);
    const r = verifyFile();
    assert.deepEqual(r.problems, []);
    assert.equal(r.ok, true);
    assert.equal(r.checked, 5);
    assert.equal(r.checkpoint?.seq, 5);
  });

  test('an empty log verifies', () => {
    AuditLog.open(file, key).close();
    assert.deepEqual(verifyFile(), { ok: true, checked: 0, problems: [] });
  });

  test('the chain continues across close and reopen', () => {
    seed(3);
    seed(4);
    const db = new Database(file, { readonly: true });
    const seqs = db.prepare('SELECT seq FROM audit_events ORDER BY seq').pluck().all();
    db.close();
    assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6, 7]);
    const r = verifyFile();
    assert.equal(r.ok, true);
    assert.equal(r.checked, 7);
  });

  test('two handles on one file (server and CLI, or two processes) extend one chain', () => {
    const a = AuditLog.open(file, key);
    const b = AuditLog.open(file, key);
    a.append(event(0));
    a.flush();
    b.append(event(1));
    b.flush();
    a.append(event(2));
    a.flush();
    assert.equal(b.query().length, 3);
    a.close();
    b.close();
    assert.equal(verifyFile().ok, true);
  });

  test('catches an edited event', () => {
    seed(5);
    tamper("UPDATE audit_events SET event_json = replace(event_json, '192.0.2.10', '198.51.100.7') WHERE seq = 3");
    const r = verifyFile();
    assert.equal(r.ok, false);
    assert.deepEqual(kinds(r), [[3, 'altered']]);
  });

  test('re-serializing an event without changing it is not an alteration (the MAC is over canonical JSON)', () => {
    seed(2);
    const db = new Database(file);
    const json = db.prepare('SELECT event_json FROM audit_events WHERE seq = 1').pluck().get() as string;
    db.prepare('UPDATE audit_events SET event_json = ? WHERE seq = 1').run(JSON.stringify(JSON.parse(json), null, 2));
    db.close();
    // Same content, different text: still intact (a migration may re-serialize).
    assert.equal(verifyFile().ok, true);
  });

  test('catches invalid JSON', () => {
    seed(2);
    tamper("UPDATE audit_events SET event_json = '{not json' WHERE seq = 2");
    assert.deepEqual(kinds(verifyFile()), [[2, 'altered']]);
  });

  test('catches an edited indexed column (so query would lie)', () => {
    seed(3);
    tamper("UPDATE audit_events SET principal_arn = 'arn:aws:iam::123456789012:user/mallory' WHERE seq = 2");
    const r = verifyFile();
    assert.deepEqual(kinds(r), [[2, 'columns']]);
    assert.match(r.problems[0].problem, /principal arn/);
  });

  test('catches a deleted middle event', () => {
    seed(5);
    tamper('DELETE FROM audit_events WHERE seq = 3');
    const r = verifyFile();
    assert.deepEqual(kinds(r), [[3, 'missing']]);
    assert.match(r.problems[0].problem, /event 3 is missing/);
  });

  test('catches deleted events at the start', () => {
    seed(4);
    tamper('DELETE FROM audit_events WHERE seq <= 2');
    assert.deepEqual(kinds(verifyFile()), [[1, 'missing']]);
  });

  test('catches a deleted last event (truncated tail)', () => {
    seed(5);
    tamper('DELETE FROM audit_events WHERE seq = 5');
    const r = verifyFile();
    assert.deepEqual(kinds(r), [[5, 'truncated']]);
  });

  test('catches a wiped log', () => {
    seed(5);
    tamper('DELETE FROM audit_events');
    assert.deepEqual(kinds(verifyFile()), [[1, 'truncated']]);
  });

  test('after a truncation, new events continue after the checkpoint, so the gap stays visible', () => {
    seed(5);
    tamper('DELETE FROM audit_events WHERE seq >= 4');
    seed(1);
    const r = verifyFile();
    assert.deepEqual(kinds(r), [[4, 'missing']]);
    assert.equal(r.checkpoint?.seq, 6);
  });

  test('catches a swapped pair of events', () => {
    seed(5);
    const db = new Database(file);
    db.transaction(() => {
      db.prepare('UPDATE audit_events SET seq = -1 WHERE seq = 2').run();
      db.prepare('UPDATE audit_events SET seq = 2 WHERE seq = 3').run();
      db.prepare('UPDATE audit_events SET seq = 3 WHERE seq = -1').run();
    })();
    db.close();
    const r = verifyFile();
    assert.equal(r.ok, false);
    assert.deepEqual(kinds(r), [[2, 'order'], [3, 'order'], [4, 'order']]);
  });

  test('catches swapped contents under fixed hashes', () => {
    seed(3);
    const db = new Database(file);
    const [one, two] = db.prepare('SELECT event_json FROM audit_events WHERE seq IN (1, 2) ORDER BY seq').pluck().all() as string[];
    db.prepare('UPDATE audit_events SET event_json = ? WHERE seq = 1').run(two);
    db.prepare('UPDATE audit_events SET event_json = ? WHERE seq = 2').run(one);
    db.close();
    const r = verifyFile();
    assert.deepEqual(kinds(r).filter(([, k]) => k === 'altered'), [[1, 'altered'], [2, 'altered']]);
  });

  test('catches a forged event appended by someone without the key', () => {
    seed(2);
    const db = new Database(file);
    const last = db.prepare('SELECT * FROM audit_events WHERE seq = 2').get() as Record<string, unknown>;
    db.prepare('INSERT INTO audit_events (seq, event_time, event_name, principal_arn, user_name, access_key_id, error_code, event_json, prev_hash, hash) VALUES (3, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      last.event_time, last.event_name, last.principal_arn, last.user_name, last.access_key_id, last.error_code, last.event_json, last.hash, 'f'.repeat(64),
    );
    db.close();
    assert.deepEqual(kinds(verifyFile()), [[3, 'altered'], [3, 'checkpoint']]);
  });

  test('a wrong key is refused with a clear error', () => {
    seed(2);
    assert.throws(
      () => AuditLog.open(file, randomBytes(32)),
      (err: unknown) => err instanceof AuditLogError && err.code === 'wrong-key' && /master key does not match/.test(err.message),
    );
  });

  test('a wrong key on an empty log is refused too', () => {
    AuditLog.open(file, key).close();
    assert.throws(() => AuditLog.open(file, randomBytes(32)), (err: unknown) => err instanceof AuditLogError && err.code === 'wrong-key');
  });

  test('a wrong key with the key check removed: every event fails', () => {
    seed(3);
    tamper("DELETE FROM audit_meta WHERE key = 'key_check'");
    const r = verifyFile(randomBytes(32));
    assert.equal(r.ok, false);
    assert.deepEqual(kinds(r), [[1, 'altered'], [2, 'altered'], [3, 'altered'], [3, 'checkpoint'], [0, 'key']]);
  });

  test('an altered key check with the right key: opens, and verify reports it', () => {
    seed(2);
    tamper("UPDATE audit_meta SET value = 'x' WHERE key = 'key_check'");
    assert.deepEqual(kinds(verifyFile()), [[0, 'key']]);
  });

  test('an altered checkpoint: verify reports it and appends are refused', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    seed(2);
    tamper("UPDATE audit_meta SET value = json_set(value, '$.seq', 1) WHERE key = 'checkpoint'");
    assert.deepEqual(kinds(verifyFile()), [[2, 'checkpoint']]);
    const errors: unknown[] = [];
    const log = AuditLog.open(file, key, { flushIntervalMs: 10, onFlushError: (err) => errors.push(err) });
    log.append(event(5));
    mock.timers.tick(10);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof AuditLogError && errors[0].code === 'tampered');
    // The event stays buffered (and is retried), it is not dropped.
    assert.equal(log.pending, 1);
    // The log stays readable: verify still reports what is wrong.
    assert.deepEqual(kinds(log.verify()), [[2, 'checkpoint']]);
    assert.equal(log.query().length, 2);
    assert.equal(log.pending, 1);
    assert.throws(() => log.close(), (err: unknown) => err instanceof AuditLogError && err.code === 'tampered');
  });

  test('a burst of 10,000 appends is written in batches of maxBuffered', () => {
    const log = AuditLog.open(file, key);
    let batches = 0;
    for (let i = 0; i < 10_000; i++) {
      log.append(event(i % 1440));
      if (log.pending === 0) batches += 1;
    }
    assert.equal(batches, 10);
    log.close();
    const r = verifyFile();
    assert.equal(r.ok, true);
    assert.equal(r.checked, 10_000);
  });
});

describe('AuditLog.open: files that are not audit logs', () => {
  test('a missing file with create: false', () => {
    assert.throws(() => AuditLog.open(file, key, { create: false }), (err: unknown) => err instanceof AuditLogError && err.code === 'missing');
  });

  test('a text file', async () => {
    await writeFile(file, 'this is not a database, just some text that is long enough to have a header\n'.repeat(10));
    assert.throws(() => AuditLog.open(file, key), (err: unknown) => err instanceof AuditLogError && err.code === 'not-a-database' && err.message.includes(file));
  });

  test('another SQLite database is left alone', () => {
    const other = new Database(file);
    other.exec('CREATE TABLE records (id TEXT)');
    other.close();
    assert.throws(() => AuditLog.open(file, key), (err: unknown) => err instanceof AuditLogError && err.code === 'not-an-audit-log');
    const db = new Database(file, { readonly: true });
    assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all(), ['records']);
    db.close();
  });

  test('an empty database with create: false', () => {
    new Database(file).close();
    assert.throws(() => AuditLog.open(file, key, { create: false }), (err: unknown) => err instanceof AuditLogError && err.code === 'not-an-audit-log');
  });

  test('a newer format', () => {
    seed(1);
    tamper("UPDATE audit_meta SET value = 'gatehouse-audit/2' WHERE key = 'format'");
    assert.throws(() => AuditLog.open(file, key), (err: unknown) => err instanceof AuditLogError && err.code === 'unsupported-format');
  });

  test('a short chain key is a programming error', () => {
    assert.throws(() => AuditLog.open(file, Buffer.alloc(16)), RangeError);
  });
});

describe('AuditLog with a writer thread (worker: true)', () => {
  test('append hands events over; flush, query, verify and close see all of them', () => {
    const log = AuditLog.open(file, key, { worker: true });
    for (let i = 0; i < 5; i++) log.append(event(i, { eventName: `Call${i}` }));
    assert.equal(log.pending, 5);
    assert.equal(log.flush(), 5);
    assert.equal(log.pending, 0);
    log.append(event(5, { eventName: 'Last' }));
    // Readers wait for the thread, as they wait for the in-process write.
    assert.deepEqual(log.query({ limit: 2 }).map((e) => e.eventName), ['Last', 'Call4']);
    assert.equal(log.verify().checked, 6);
    log.append(event(6));
    log.close();
    const r = verifyFile();
    assert.equal(r.ok, true);
    assert.equal(r.checked, 7);
    // The same chain, written by either kind of handle.
    seed(1);
    assert.equal(verifyFile().checked, 8);
    assert.equal(verifyFile().ok, true);
  });

  test('a timer hands the buffer to the thread; back-pressure keeps a burst bounded and whole', async () => {
    const log = AuditLog.open(file, key, { worker: true, flushIntervalMs: 5, maxBuffered: 10 });
    log.append(event(0));
    // No flush: the timer hands the event over, and the thread reports it written.
    for (let i = 0; i < 500 && log.pending > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(log.pending, 0);
    for (let i = 1; i <= 1000; i++) log.append(event(i % 1440));
    assert.ok(log.pending <= 10 * 10 + 10, `pending ${log.pending}`);
    log.close();
    const r = verifyFile();
    assert.equal(r.ok, true);
    assert.equal(r.checked, 1001);
  });

  test('even a hand-built event cannot store a secret', () => {
    const log = AuditLog.open(file, key, { worker: true });
    const e = event(0);
    (e as unknown as { requestParameters: unknown }).requestParameters = { userName: 'x', Password: 'hunter2' };
    log.append(e);
    log.close();
    const db = new Database(file, { readonly: true });
    const json = db.prepare('SELECT event_json FROM audit_events').pluck().get() as string;
    db.close();
    assert.deepEqual(JSON.parse(json).requestParameters, { userName: 'x', Password: REDACTED });
    assert.equal(verifyFile().ok, true);
  });

  test('an altered checkpoint: writes fail and are reported, events are kept, close throws', async () => {
    seed(2);
    tamper("UPDATE audit_meta SET value = json_set(value, '$.seq', 1) WHERE key = 'checkpoint'");
    const errors: unknown[] = [];
    const log = AuditLog.open(file, key, { worker: true, flushIntervalMs: 5, onFlushError: (err) => errors.push(err) });
    log.append(event(5));
    for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(errors[0] instanceof AuditLogError && errors[0].code === 'tampered', String(errors[0]));
    assert.equal(log.pending, 1);
    // Retried on the timer, as the in-process writer does.
    for (let i = 0; i < 100 && errors.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(errors.length >= 2);
    assert.throws(() => log.flush(), (err: unknown) => err instanceof AuditLogError && err.code === 'tampered');
    assert.deepEqual(kinds(log.verify()), [[2, 'checkpoint']]);
    assert.throws(() => log.close(), (err: unknown) => err instanceof AuditLogError && err.code === 'tampered');
  });
});

describe('AuditLog with a writer thread: a thread that cannot start', () => {
  test('flush fails at once with writer-failed instead of waiting for an answer', async () => {
    const log = AuditLog.open(file, key, { worker: true });
    // The thread opens the file by name, after open() returned: take the name away first.
    await rm(file);
    log.append(event(0));
    const started = Date.now();
    assert.throws(() => log.flush(), (err: unknown) => err instanceof AuditLogError && err.code === 'writer-failed');
    assert.ok(Date.now() - started < 30_000);
    assert.throws(() => log.close(), (err: unknown) => err instanceof AuditLogError && err.code === 'writer-failed');
  });
});
