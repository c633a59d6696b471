import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAccessReview } from '../../src/cli/commands/access-review.js';
import type { CliIo } from '../../src/cli/io.js';
import type { AccessReview } from '../../src/analysis/review/index.js';
import { generateAccount } from '../../bench/analysis/generate-account.js';

const SMALL = fileURLToPath(new URL('../fixtures/analysis/small-account.json', import.meta.url));
const A = 'arn:aws:iam::111122223333';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), readFile: (p) => readFile(p, 'utf8') };
  const code = await runAccessReview(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-access-review-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gatehouse access-review', () => {
  test('--help', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: gatehouse access-review \(--import FILE \| --endpoint URL\)/);
    assert.match(r.stdout, /--format FORMAT/);
  });

  test('usage errors exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [[], /give the account: --import FILE/],
      [['--import', SMALL, '--bogus'], /unknown option --bogus/],
      [['--import', SMALL, '--format', 'xml'], /unknown format 'xml'/],
      [['--import', SMALL, '--json', '--format', 'csv'], /--json and --format csv disagree/],
      [['--import', SMALL, '--threshold-principals', 'many'], /--threshold-principals must be a whole number/],
      [['--import'], /--import needs a value/],
      [['--import', SMALL, 'extra'], /unexpected argument extra/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });

  test('an unreadable or non-JSON file exits 1', async () => {
    const missing = await run(['--import', join(dir, 'nope.json')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read .*nope\.json: no such file/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"UserDetailList": [');
    const notJson = await run(['--import', bad]);
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /bad\.json is not JSON/);
  });

  test('JSON on stdout by default', async () => {
    const r = await run(['--import', SMALL]);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '', 'no progress for a small account');
    const review = JSON.parse(r.stdout) as AccessReview;
    assert.equal(review.schema, 'gatehouse.access-review/v1');
    assert.equal(review.account.accountId, '111122223333');
    assert.ok(review.rows.some((row) => row.principal === `${A}:user/dev/bob` && row.resource === 'arn:aws:s3:::app-data' && row.capability === 'read-data'));
    assert.deepEqual(review.principals.filter((p) => p.admin).map((p) => p.name), ['alice', 'AdminRole', 'LambdaExec']);
    assert.equal(review.counts.escalationPaths, 3);
  });

  test('--format csv on stdout', async () => {
    const r = await run(['--import', SMALL, '--format', 'csv', '--no-escalation']);
    assert.equal(r.code, 0);
    const lines = r.stdout.split('\r\n');
    assert.match(lines[0], /^principal,principal_kind,resource,/);
    assert.ok(lines.some((l) => l.startsWith(`${A}:user/dave,user,${A}:role/DeployRole,entity,iam:role,sts,use-resource,allowed,1,sts:AssumeRole,`)));
  });

  test('--out writes the file (format from its extension) and prints a summary', async () => {
    const file = join(dir, 'review.html');
    const r = await run(['--import', SMALL, '--out', file]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Wrote .*review\.html \(html, \d+ bytes\): 8 principals \(3 administrators, 3 with a path to admin\), \d+ access rows, 13 known resources, 6 findings\.\n$/);
    const html = await readFile(file, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.ok(html.includes('<div id="rows-table"></div>'));

    const csv = join(dir, 'review.csv');
    const j = await run(['--import', SMALL, '--out', csv, '--json', '--no-escalation']);
    assert.equal(j.code, 0);
    const summary = JSON.parse(j.stdout) as { out: string; format: string; bytes: number; counts: { principals: number }; escalationEvaluated: boolean };
    assert.equal(summary.format, 'csv');
    assert.equal(summary.out, csv);
    assert.equal(summary.counts.principals, 8);
    assert.equal(summary.escalationEvaluated, false);
    assert.equal(summary.bytes, (await readFile(csv)).length);
  });

  test('--principal reviews one principal', async () => {
    const r = await run(['--import', SMALL, '--principal', `${A}:user/erin`, '--no-escalation', '--json']);
    assert.equal(r.code, 0);
    const review = JSON.parse(r.stdout) as AccessReview;
    assert.deepEqual([...new Set(review.rows.map((row) => row.principal))], [`${A}:user/erin`]);
    assert.deepEqual([...new Set(review.rows.map((row) => row.service))], ['s3']);
    const nobody = await run(['--import', SMALL, '--principal', `${A}:user/nobody`, '--no-escalation']);
    assert.equal(nobody.code, 0);
    assert.match(nobody.stderr, /warning: arn:aws:iam::111122223333:user\/nobody: No user or role with this ARN in the account\./);
  });

  test('progress on stderr for a larger account', async () => {
    const file = join(dir, 'generated.json');
    await writeFile(file, JSON.stringify(generateAccount({ seed: 3, users: 120, roles: 80, groups: 6, policies: 300 }).document));
    const r = await run(['--import', file, '--no-escalation', '--format', 'csv']);
    assert.equal(r.code, 0);
    const lines = r.stderr.trim().split('\n');
    assert.ok(lines.includes('gatehouse access-review: import 100%'), r.stderr);
    assert.ok(lines.includes('gatehouse access-review: review 200/200 principals'), r.stderr);
    assert.ok(lines.some((l) => /^gatehouse access-review: review \d+\/200 principals$/.test(l) && !l.endsWith('200/200 principals')));
    assert.ok(lines.length <= 24, 'about one line per 10% of each phase');
  });
});
