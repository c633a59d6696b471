import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { main } from '../../src/cli/main.js';
import { parseWhen } from '../../src/cli/commands/audit-query.js';
import { AUDIT_DB_FILE, openAuditLog } from '../../src/audit/audit-log.js';
import { buildAuditEvent, unauthenticatedIdentity, type UserIdentity } from '../../src/audit/event.js';
import { fakeIo } from './fake-io.js';

const ACCOUNT = '123456789012';
const alice: UserIdentity = { type: 'IAMUser', principalId: 'AIDAALICEEXAMPLE0001', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, accessKeyId: 'AKIAALICEEXAMPLE0001', userName: 'alice' };
const NOW = new Date('2024-05-01T12:00:00Z');

let dir: string;
let masterKey: Buffer;

const auditIo = (env: NodeJS.ProcessEnv = { GATEHOUSE_MASTER_KEY: masterKey.toString('base64') }) => fakeIo({ env, now: () => NOW });

async function run(argv: string[], io = auditIo()): Promise<{ code: number; stdout: string; stderr: string }> {
  const code = await main(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

/** Events at 10:00, 11:00, 11:30 and 11:50 on NOW's day. */
function seed(): void {
  const log = openAuditLog(dir, masterKey);
  const times = ['10:00', '11:00', '11:30', '11:50'];
  const names = ['CreateUser', 'CreateAccessKey', 'GetCallerIdentity', 'DeleteUser'];
  times.forEach((hhmm, i) => {
    const failedAuth = names[i] === 'GetCallerIdentity';
    log.append(
      buildAuditEvent({
        identity: failedAuth ? unauthenticatedIdentity('AKIAUNKNOWNEXAMPLE00') : alice,
        eventSource: failedAuth ? 'sts.amazonaws.com' : 'iam.amazonaws.com',
        eventName: names[i],
        awsRegion: 'us-east-1',
        sourceIPAddress: `192.0.2.${i + 1}`,
        userAgent: 'aws-cli/2.15.0',
        requestParameters: { userName: 'bob' },
        responseElements: names[i] === 'CreateAccessKey' ? { accessKey: { accessKeyId: 'AKIABOBEXAMPLE000001', secretAccessKey: 'SECRETSECRETSECRET', status: 'Active', userName: 'bob' } } : null,
        ...(failedAuth ? { errorCode: 'InvalidClientTokenId', errorMessage: 'The security token included in the request is invalid.' } : {}),
        ...(names[i] === 'DeleteUser' ? { errorCode: 'NoSuchEntity', errorMessage: 'The user with name bob cannot be found.' } : {}),
        requestId: `req-${i}`,
        eventId: `00000000-0000-4000-8000-00000000000${i}`,
        eventTime: new Date(`2024-05-01T${hhmm}:00Z`),
        readOnly: failedAuth,
        recipientAccountId: ACCOUNT,
      }),
    );
  });
  log.close();
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-audit-cli-'));
  masterKey = randomBytes(32);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gatehouse audit query', () => {
  test('text: one line per event, newest first, with principal, IP and error code or OK', async () => {
    seed();
    const r = await run(['audit', 'query', '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0], /^2024-05-01T11:50:00Z +DeleteUser +arn:aws:iam::123456789012:user\/alice +192\.0\.2\.4 +NoSuchEntity$/);
    assert.match(lines[1], /^2024-05-01T11:30:00Z +GetCallerIdentity +\(Unknown AKIAUNKNOWNEXAMPLE00\) +192\.0\.2\.3 +InvalidClientTokenId$/);
    assert.match(lines[3], /^2024-05-01T10:00:00Z +CreateUser +arn:aws:iam::123456789012:user\/alice +192\.0\.2\.1 +OK$/);
  });

  test('--json: one CloudTrail event per line, secrets hidden', async () => {
    seed();
    const r = await run(['audit', 'query', '--data-dir', dir, '--json']);
    assert.equal(r.code, 0);
    const events = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { eventName: string; eventVersion: string });
    assert.deepEqual(events.map((e) => e.eventName), ['DeleteUser', 'GetCallerIdentity', 'CreateAccessKey', 'CreateUser']);
    assert.equal(events[0].eventVersion, '1.08');
    assert.ok(!r.stdout.includes('SECRETSECRETSECRET'));
    assert.ok(r.stdout.includes('HIDDEN_DUE_TO_SECURITY_REASONS'));
  });

  test('filters: --since age, --since ISO, --until, --principal, --event, --errors, --limit', async () => {
    seed();
    const names = async (...args: string[]): Promise<string[]> => {
      const r = await run(['audit', 'query', '--data-dir', dir, '--json', ...args]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trimEnd().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { eventName: string }).eventName);
    };
    assert.deepEqual(await names('--since', '30m'), ['DeleteUser', 'GetCallerIdentity']);
    assert.deepEqual(await names('--since', '2024-05-01T11:00:00Z'), ['DeleteUser', 'GetCallerIdentity', 'CreateAccessKey']);
    assert.deepEqual(await names('--until', '2024-05-01T11:00:00Z'), ['CreateAccessKey', 'CreateUser']);
    assert.deepEqual(await names('--principal', 'alice'), ['DeleteUser', 'CreateAccessKey', 'CreateUser']);
    assert.deepEqual(await names('--principal', 'AKIAUNKNOWNEXAMPLE00'), ['GetCallerIdentity']);
    assert.deepEqual(await names('--event', 'CreateUser'), ['CreateUser']);
    assert.deepEqual(await names('--errors'), ['DeleteUser', 'GetCallerIdentity']);
    assert.deepEqual(await names('--limit', '1'), ['DeleteUser']);
    assert.deepEqual(await names('--event', 'NoSuchAction'), []);
  });

  test('no match in text mode says so', async () => {
    seed();
    const r = await run(['audit', 'query', '--data-dir', dir, '--event', 'NoSuchAction']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'No matching events.\n');
  });

  test('usage errors exit 2', async () => {
    for (const argv of [
      ['--since', 'yesterday'],
      ['--limit', '0'],
      ['--limit', 'ten'],
      ['--bogus'],
      ['extra'],
      ['--principal'],
    ]) {
      const r = await run(['audit', 'query', '--data-dir', dir, ...argv]);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, /^gatehouse audit query: /);
    }
  });

  test('--help exits 0', async () => {
    const r = await run(['audit', 'query', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: gatehouse audit query/);
  });

  test('no master key: exit 2 with the reason', async () => {
    seed();
    const r = await run(['audit', 'query', '--data-dir', dir], auditIo({}));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no master key/);
  });

  test('the master key from DIR/master.key', async () => {
    seed();
    await writeFile(join(dir, 'master.key'), `${masterKey.toString('base64')}\n`, { mode: 0o600 });
    const r = await run(['audit', 'query', '--data-dir', dir], auditIo({}));
    assert.equal(r.code, 0, r.stderr);
  });

  test('no audit log yet: exit 2, and no empty log is created', async () => {
    const r = await run(['audit', 'query', '--data-dir', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no audit log at/);
    const again = await run(['audit', 'query', '--data-dir', dir]);
    assert.equal(again.code, 2);
  });
});

describe('gatehouse audit verify', () => {
  test('an intact log: exit 0', async () => {
    seed();
    const r = await run(['audit', 'verify', '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /audit\.db: intact, 4 events verified \(last checkpoint: event 4 at /);
  });

  test('--json on an intact log', async () => {
    seed();
    const r = await run(['audit', 'verify', '--data-dir', dir, '--json']);
    assert.equal(r.code, 0);
    const parsed = JSON.parse(r.stdout) as { ok: boolean; checked: number; problems: unknown[]; file: string; checkpoint: { seq: number } };
    assert.equal(parsed.ok, true);
    assert.equal(parsed.checked, 4);
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.file, join(dir, AUDIT_DB_FILE));
    assert.equal(parsed.checkpoint.seq, 4);
  });

  test('a tampered log: exit 1 with each problem', async () => {
    seed();
    const db = new Database(join(dir, AUDIT_DB_FILE));
    db.prepare("UPDATE audit_events SET event_json = replace(event_json, 'DeleteUser', 'ListUsers') WHERE seq = 4").run();
    db.prepare('DELETE FROM audit_events WHERE seq = 2').run();
    db.close();
    const r = await run(['audit', 'verify', '--data-dir', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^MISSING event 2 is missing \(deleted\)$/m);
    assert.match(r.stdout, /^ALTERED event 4 does not match its hash \(edited\)$/m);
    assert.match(r.stdout, /: \d+ problems in 3 events/);

    const j = await run(['audit', 'verify', '--data-dir', dir, '--json']);
    assert.equal(j.code, 1);
    const parsed = JSON.parse(j.stdout) as { ok: boolean; problems: { seq: number; kind: string }[] };
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.problems.map((p) => [p.seq, p.kind]), [[2, 'missing'], [4, 'altered'], [4, 'columns']]);
  });

  test('a wrong master key: exit 2 with a clear message', async () => {
    seed();
    const r = await run(['audit', 'verify', '--data-dir', dir], auditIo({ GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64') }));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /master key does not match/);
  });

  test('a file that is not a database: exit 2', async () => {
    await writeFile(join(dir, AUDIT_DB_FILE), 'garbage '.repeat(200));
    const r = await run(['audit', 'verify', '--data-dir', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not a SQLite database/);
  });

  test('a malformed master key: exit 2', async () => {
    seed();
    const r = await run(['audit', 'verify', '--data-dir', dir], auditIo({ GATEHOUSE_MASTER_KEY: 'short' }));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /32 bytes/);
  });

  test('usage errors exit 2', async () => {
    assert.equal((await run(['audit', 'verify', '--nope'])).code, 2);
    assert.equal((await run(['audit', 'verify', 'x'])).code, 2);
    assert.equal((await run(['audit', 'verify', '--data-dir'])).code, 2);
  });
});

describe('parseWhen', () => {
  test('ages and ISO times', () => {
    assert.equal(parseWhen('90s', NOW)?.toISOString(), '2024-05-01T11:58:30.000Z');
    assert.equal(parseWhen('30m', NOW)?.toISOString(), '2024-05-01T11:30:00.000Z');
    assert.equal(parseWhen('24h', NOW)?.toISOString(), '2024-04-30T12:00:00.000Z');
    assert.equal(parseWhen('7d', NOW)?.toISOString(), '2024-04-24T12:00:00.000Z');
    assert.equal(parseWhen('2024-05-01', NOW)?.toISOString(), '2024-05-01T00:00:00.000Z');
    assert.equal(parseWhen('2024-05-01T10:00:00+02:00', NOW)?.toISOString(), '2024-05-01T08:00:00.000Z');
    assert.equal(parseWhen('tomorrow', NOW), undefined);
    assert.equal(parseWhen('2024-13-45', NOW), undefined);
    assert.equal(parseWhen('5w', NOW), undefined);
  });
});
