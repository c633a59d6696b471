import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { guessPolicyKind, runPolicyLint } from '../../../src/cli/commands/policy-lint.js';
import { fakeIo } from '../../cli/fake-io.js';

const fixture = (path: string): string => fileURLToPath(new URL(`../../fixtures/${path}`, import.meta.url));

async function run(argv: string[], files: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = fakeIo({ files });
  const code = await runPolicyLint(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

const CLEAN = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/*'] }] }, null, 2);
const BAD = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObjekt"],
      "Resource": "arn:aws:s3:::reports/*",
      "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    }
  ]
}`;
const WARN_ONLY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }] }, null, 2);
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/Gone' }, Action: 'sts:AssumeRole' }] });

describe('gatehouse policy lint', () => {
  test('text: FILE:LINE:COL SEVERITY ID message, then a summary; exit 1 on errors', async () => {
    const r = await run(['mem:bad.json', 'mem:clean.json'], { 'bad.json': BAD, 'clean.json': CLEAN });
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^mem:bad\.json:6:18 error REF-ACTION The action "s3:GetObjekt" does not exist in Amazon S3\. Did you mean "s3:GetObject"\?$/);
    assert.match(lines[1], /^mem:bad\.json:8:51 warning PAT-PRIVATE-IP /);
    assert.equal(lines.at(-1), '2 files linted: 1 error, 0 security, 1 warning, 0 suggestions');
    assert.equal(r.stderr, '');
  });

  test('--fail-on decides the exit status', async () => {
    const files = { 'w.json': WARN_ONLY };
    assert.equal((await run(['mem:w.json'], files)).code, 0);
    assert.equal((await run(['mem:w.json', '--fail-on', 'warning'], files)).code, 1);
    assert.equal((await run(['mem:w.json', '--fail-on', 'security'], files)).code, 0);
    assert.equal((await run(['mem:c.json', '--fail-on', 'suggestion'], { 'c.json': CLEAN })).code, 0);
  });

  test('--json (= --format json) prints every file with its kind and findings, and a summary', async () => {
    for (const flags of [['--json'], ['--format', 'json']]) {
      const r = await run(['mem:bad.json', ...flags], { 'bad.json': BAD });
      assert.equal(r.code, 1);
      const out = JSON.parse(r.stdout) as { files: { file: string; kind: string; findings: { id: string; path: string; line: number }[] }[]; summary: Record<string, unknown> };
      assert.equal(out.files[0].kind, 'identity');
      assert.deepEqual(out.files[0].findings.map((f) => [f.id, f.path, f.line]), [
        ['REF-ACTION', '$.Statement[0].Action[0]', 6],
        ['PAT-PRIVATE-IP', "$.Statement[0].Condition.IpAddress['aws:SourceIp']", 8],
      ]);
      assert.deepEqual(out.summary, { files: 1, unreadable: 0, error: 1, security: 0, warning: 1, suggestion: 0, failOn: 'error', failed: true });
    }
  });

  test('--format sarif prints a SARIF 2.1.0 log; --docs-url sets the help links', async () => {
    const r = await run(['mem:bad.json', '--format', 'sarif', '--docs-url', 'https://example.com/lint-rules.md'], { 'bad.json': BAD });
    assert.equal(r.code, 1);
    const log = JSON.parse(r.stdout) as { version: string; runs: { tool: { driver: { rules: { id: string; helpUri: string }[] } }; results: { ruleId: string; locations: { physicalLocation: { region: unknown } }[] }[] }[] };
    assert.equal(log.version, '2.1.0');
    assert.deepEqual(log.runs[0].results.map((x) => x.ruleId), ['REF-ACTION', 'PAT-PRIVATE-IP']);
    assert.deepEqual(log.runs[0].results[0].locations[0].physicalLocation.region, { startLine: 6, startColumn: 18 });
    assert.equal(log.runs[0].tool.driver.rules.find((x) => x.id === 'REF-ACTION')?.helpUri, 'https://example.com/lint-rules.md#ref-action');
  });

  test('--kind auto tells identity, resource and trust policies apart', async () => {
    assert.equal(guessPolicyKind(CLEAN), 'identity');
    assert.equal(guessPolicyKind(TRUST), 'trust');
    assert.equal(guessPolicyKind(await readFile(fixture('policies/resource-s3-bucket.json'), 'utf8')), 'resource');
    assert.equal(guessPolicyKind(await readFile(fixture('policies/trust-github-oidc.json'), 'utf8')), 'trust');
    assert.equal(guessPolicyKind('not json'), 'identity');
    const r = await run(['mem:t.json', '--kind', 'auto', '--json'], { 't.json': TRUST });
    assert.equal((JSON.parse(r.stdout) as { files: { kind: string }[] }).files[0].kind, 'trust');
    assert.equal(r.code, 0);
  });

  test('--import checks the entities a policy names against the account (REF-ENTITY)', async () => {
    const r = await run(['mem:t.json', '--kind', 'trust', '--import', fixture('analysis/small-account.json'), '--json'], { 't.json': TRUST });
    const out = JSON.parse(r.stdout) as { files: { findings: { id: string; path: string; severity: string }[] }[] };
    assert.deepEqual(out.files[0].findings.filter((f) => f.id === 'REF-ENTITY').map((f) => [f.path, f.severity]), [['$.Statement[0].Principal.AWS', 'error']]);
    assert.equal(r.code, 1);
    const ok = await run(['mem:t.json', '--kind', 'trust', '--import', fixture('analysis/small-account.json'), '--json'], { 't.json': TRUST.replace('role/Gone', 'role/DeployRole') });
    assert.ok(!(JSON.parse(ok.stdout) as { files: { findings: { id: string }[] }[] }).files[0].findings.some((f) => f.id === 'REF-ENTITY'));
  });

  test('usage errors exit 2 with the usage text', async () => {
    for (const argv of [[], ['mem:a.json', '--kind', 'bogus'], ['mem:a.json', '--format', 'xml'], ['mem:a.json', '--fail-on', 'info'], ['mem:a.json', '--bogus'], ['-'], ['mem:a.json', '--json', '--format', 'sarif'], ['mem:a.json', '--account-id', '12']]) {
      const r = await run(argv, { 'a.json': CLEAN });
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, /Usage: gatehouse policy lint/);
    }
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--fail-on SEVERITY/);
  });

  test('an unreadable file exits 2, after linting the others', async () => {
    const r = await run(['mem:missing.json', 'mem:clean.json'], { 'clean.json': CLEAN });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read mem:missing\.json: no such file/);
    assert.match(r.stdout, /1 file linted: no findings/);
  });
});
