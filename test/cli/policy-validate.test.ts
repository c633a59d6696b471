import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { fakeIo } from './fake-io.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/policies/${name}`, import.meta.url));


async function run(argv: string[], io = fakeIo()): Promise<{ code: number; stdout: string; stderr: string }> {
  const code = await main(['policy', 'validate', ...argv], io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

describe('gatehouse policy validate', () => {
  test('--json on a valid identity policy: exit 0, valid true', async () => {
    const r = await run([fixture('identity-manage-own-credentials.json'), '--kind', 'identity', '--json']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    const parsed = JSON.parse(r.stdout) as { valid: boolean; findings: unknown[] };
    assert.deepEqual(parsed, { valid: true, findings: [] });
  });

  test('--json on an invalid policy: exit 1 with every finding', async () => {
    const r = await run([fixture('identity-invalid.json'), '--kind', 'identity', '--json']);
    assert.equal(r.code, 1);
    const parsed = JSON.parse(r.stdout) as { valid: boolean; findings: { id: string; path: string; code: string; message: string }[] };
    assert.equal(parsed.valid, false);
    assert.deepEqual(parsed.findings.map((f) => [f.id, f.path]), [
      ['SYN-EFFECT', '$.Statement[0].Effect'],
      ['SYN-SID', '$.Statement[0].Sid'],
      ['REF-ARN-FORMAT', '$.Statement[0].Resource'],
      ['SYN-ACTION', '$.Statement[0].Action[1]'],
    ]);
    assert.equal(parsed.findings[0].code, 'MalformedPolicyDocument');
    assert.equal(parsed.findings[0].message, 'The policy failed legacy parsing');
  });

  test('human output: one line per finding and a summary', async () => {
    const r = await run([fixture('identity-invalid.json'), '--kind', 'identity']);
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 5);
    assert.match(lines[0], /^ERROR MalformedPolicyDocument \$\.Statement\[0\]\.Effect: The policy failed legacy parsing \(.*\) \[SYN-EFFECT\]$/);
    assert.match(lines[2], /^ERROR MalformedPolicyDocument \$\.Statement\[0\]\.Resource: Resource my-bucket\/\* must be in ARN format or "\*"\. \[REF-ARN-FORMAT\]$/);
    assert.match(lines[4], /identity-invalid\.json: invalid identity policy: 4 errors, 0 warnings$/);
  });

  test('each kind validates its own fixture', async () => {
    const cases: [string, string][] = [
      ['trust-github-oidc.json', 'trust'],
      ['resource-s3-bucket.json', 'resource'],
      ['scp-deny-regions.json', 'scp'],
      ['boundary-s3-cloudwatch-ec2.json', 'boundary'],
      ['session-read-bucket.json', 'session'],
    ];
    for (const [file, kind] of cases) {
      const r = await run([fixture(file), '--kind', kind]);
      assert.equal(r.code, 0, `${file}: ${r.stdout}`);
      assert.match(r.stdout, new RegExp(`valid ${kind} policy`));
    }
  });

  test('a trust policy checked as an identity policy fails', async () => {
    const r = await run([fixture('trust-github-oidc.json'), '--kind', 'identity', '--json']);
    assert.equal(r.code, 1);
    const parsed = JSON.parse(r.stdout) as { findings: { message: string }[] };
    assert.ok(parsed.findings.some((f) => f.message === 'Policy document should not specify a principal.'));
    assert.ok(parsed.findings.some((f) => f.message === 'Policy statement must contain resources.'));
  });

  test('unparseable JSON is a finding, not a usage error', async () => {
    const r = await run([fixture('not-json.json'), '--kind', 'identity']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^ERROR MalformedPolicyDocument \$: Syntax errors in policy\./);
  });

  test('warnings alone keep exit 0', async () => {
    const io = fakeIo({ files: { 'p.json': '{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}' } });
    const r = await run(['mem:p.json', '--kind', 'trust'], io);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^WARNING MalformedPolicyDocument \$: The policy has no Version/);
    assert.match(r.stdout, /valid trust policy with 1 warning\n$/);
  });

  test('--target and --max-size choose the size quota', async () => {
    const statement = { Sid: 'x'.repeat(2100), Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
    const io = fakeIo({ files: { 'big.json': JSON.stringify({ Version: '2012-10-17', Statement: statement }) } });
    assert.equal((await run(['mem:big.json', '--kind', 'identity'], io)).code, 0);
    const user = await run(['mem:big.json', '--kind', 'identity', '--target', 'user', '--json'], fakeIo({ files: { 'big.json': JSON.stringify({ Version: '2012-10-17', Statement: statement }) } }));
    assert.equal(user.code, 1);
    assert.match(user.stdout, /Maximum policy size of 2048 bytes exceeded for user/);
    const capped = await run(['mem:big.json', '--kind', 'identity', '--max-size=1000'], fakeIo({ files: { 'big.json': JSON.stringify({ Version: '2012-10-17', Statement: statement }) } }));
    assert.equal(capped.code, 1);
    assert.match(capped.stdout, /Cannot exceed quota for PolicySize: 1000/);
  });

  test('usage errors exit 2 with a message on stderr', async () => {
    const cases: [string[], RegExp][] = [
      [[fixture('identity-invalid.json'), '--kind', 'bogus'], /unknown kind 'bogus'/],
      [[fixture('identity-invalid.json')], /--kind is required/],
      [['--kind', 'identity'], /missing FILE/],
      [['a.json', 'b.json', '--kind', 'identity'], /expected one FILE/],
      [[fixture('identity-invalid.json'), '--kind', 'identity', '--color'], /unknown option --color/],
      [[fixture('identity-invalid.json'), '--kind', 'trust', '--target', 'user'], /--target applies only to --kind identity/],
      [[fixture('identity-invalid.json'), '--kind', 'identity', '--target', 'everyone'], /--target must be one of/],
      [[fixture('identity-invalid.json'), '--kind', 'identity', '--max-size', 'lots'], /--max-size must be a positive whole number/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
    }
  });

  test('a missing or unreadable file exits 2', async () => {
    const missing = await run(['mem:nope.json', '--kind', 'identity']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read mem:nope\.json: ENOENT/);
    const dir = await run([fileURLToPath(new URL('../fixtures/policies/', import.meta.url)), '--kind', 'identity']);
    assert.equal(dir.code, 2);
    assert.match(dir.stderr, /cannot read .*: EISDIR/);
  });

  test('--help prints usage and exits 0', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: gatehouse policy validate FILE --kind/);
  });
});
