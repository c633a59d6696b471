/**
 * Where analysis commands get their account and usage from files: `--import`, `--usage` (JSON or
 * a node's usage.db), `--data-dir`, `--since`, and the one-line errors for wrong options. The
 * `--endpoint` paths are exercised against a server in test/server/analysis-api.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AccountSourceError, loadAccount, loadUsage, parseSince } from '../../src/cli/account-source.js';
import { UsageLog } from '../../src/data-plane/usage-log.js';

const io = { readFile: (p: string) => readFile(p, 'utf8') };
const FIXTURE = 'test/fixtures/analysis/small-account.json';
const NOW = new Date('2026-05-31T12:00:00Z');

function entry(principal: string, action: string, lastSeen: string) {
  return { principal, action, resource: '*', count: 3, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen, allowedBy: [{ policyId: `${principal}:inline/p`, statementIndex: 0 }] };
}

async function fails(work: Promise<unknown>, message: string | RegExp, usage: boolean) {
  await assert.rejects(work, (err: unknown) => {
    assert.ok(err instanceof AccountSourceError, String(err));
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    assert.equal(err.usage, usage);
    return true;
  });
}

describe('loadAccount', () => {
  it('imports an aws iam get-account-authorization-details file', async () => {
    const events: string[] = [];
    const { model, warnings, source } = await loadAccount({ import: FIXTURE }, io, (e) => events.push(e.phase));
    assert.equal(source, FIXTURE);
    assert.deepEqual(model.users.map((u) => u.name), ['alice', 'bob', 'carol', 'dave', 'erin']);
    assert.ok(Array.isArray(warnings));
    assert.ok(events.includes('import'));
  });

  it('says which options are missing or clash (usage errors)', async () => {
    await fails(loadAccount({}, io), 'give the account: --import FILE (aws iam get-account-authorization-details output) or --endpoint URL (a running Gatehouse)', true);
    await fails(loadAccount({ import: FIXTURE, endpoint: 'http://127.0.0.1:8380' }, io), 'give either --import FILE or --endpoint URL, not both', true);
    await fails(loadAccount({ import: FIXTURE, credentials: 'c.json' }, io), '--credentials goes with --endpoint URL', true);
  });

  it('names the file it cannot read or parse', async () => {
    await fails(loadAccount({ import: 'no/such.json' }, io), 'cannot read no/such.json: no such file', false);
    await fails(loadAccount({ import: 'package.json.nope' }, { readFile: async () => '{"UserDetailList": [' }), /^package\.json\.nope is not JSON: /, false);
  });

  it('turns live failures into one-line errors', async () => {
    await fails(loadAccount({ endpoint: 'http://127.0.0.1:1', env: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' } }, io), /^cannot reach Gatehouse at http:\/\/127\.0\.0\.1:1: [^\n]+$/, false);
  });
});

describe('loadUsage', () => {
  let dir: string;
  const alice = 'arn:aws:iam::111122223333:user/alice';
  const bob = 'arn:aws:iam::111122223333:user/bob';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-usage-source-'));
    await writeFile(join(dir, 'usage.json'), JSON.stringify({ entries: [entry(alice, 's3:GetObject', '2026-05-30T00:00:00Z'), entry(bob, 's3:PutObject', '2026-03-01T00:00:00Z'), { principal: 7 }] }));
    const log = UsageLog.open(join(dir, 'usage.db'));
    log.merge([entry(alice, 'sqs:SendMessage', '2026-05-20T00:00:00.000Z'), entry(bob, 'sqs:ReceiveMessage', '2026-05-29T00:00:00.000Z')]);
    log.close();
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads JSON records, warning about the ones it cannot read', async () => {
    const { records, warnings } = await loadUsage({ usage: [join(dir, 'usage.json')] }, io);
    assert.deepEqual(records.map((r) => [r.principal, r.action]), [[alice, 's3:GetObject'], [bob, 's3:PutObject']]);
    assert.deepEqual(warnings, [{ path: `${join(dir, 'usage.json')}.entries[2]`, message: 'principal, action and resource must be strings' }]);
  });

  it("reads a node's usage.db, given as a file or as its data folder", async () => {
    const asFile = await loadUsage({ usage: [join(dir, 'usage.db')] }, io);
    assert.deepEqual(asFile.records.map((r) => r.action), ['sqs:SendMessage', 'sqs:ReceiveMessage']);
    const asDir = await loadUsage({ dataDir: dir, principal: bob }, io);
    assert.deepEqual(asDir.records.map((r) => [r.principal, r.action, r.count]), [[bob, 'sqs:ReceiveMessage', 3]]);
  });

  it('keeps what was last seen since --since, from every source', async () => {
    const { records, since } = await loadUsage({ usage: [join(dir, 'usage.json')], dataDir: dir, since: '7d', now: () => NOW }, io);
    assert.equal(since?.toISOString(), '2026-05-24T12:00:00.000Z');
    assert.deepEqual(records.map((r) => r.action).sort(), ['s3:GetObject', 'sqs:ReceiveMessage']);
  });

  it('refuses a missing source, a bad --since and a data folder without usage.db', async () => {
    await fails(loadUsage({}, io), 'give the usage: --usage FILE, --data-dir DIR (a node on this machine) or --endpoint URL (a running Gatehouse)', true);
    await fails(loadUsage({ usage: [join(dir, 'usage.json')], since: 'last week' }, io), '--since last week is not a time: use an ISO time such as 2024-05-01T00:00:00Z, or 30d, 24h, 90m', true);
    await fails(loadUsage({ dataDir: join(dir, 'nothing') }, io), `cannot read ${join(dir, 'nothing', 'usage.db')}: no such file`, false);
  });
});

describe('parseSince', () => {
  it('reads ISO times and durations before now', () => {
    assert.equal(parseSince('2026-05-01T00:00:00Z', NOW)?.toISOString(), '2026-05-01T00:00:00.000Z');
    assert.equal(parseSince('2026-05-01', NOW)?.toISOString(), '2026-05-01T00:00:00.000Z');
    assert.equal(parseSince('24h', NOW)?.toISOString(), '2026-05-30T12:00:00.000Z');
    assert.equal(parseSince('90m', NOW)?.toISOString(), '2026-05-31T10:30:00.000Z');
    assert.equal(parseSince('yesterday', NOW), undefined);
    assert.equal(parseSince('2026-13-45', NOW), undefined);
  });
});
