import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { runPolicyGenerate } from '../../src/cli/commands/policy-generate.js';
import type { CliIo } from '../../src/cli/io.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readFile: async () => {
      throw new Error('policy generate reads no file');
    },
  };
  const code = await runPolicyGenerate(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const BUCKET = 'arn:aws:s3:::app-bucket';
const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:jobs';

describe('gatehouse policy generate', () => {
  test('prints the policy as pretty JSON on stdout and the notes on stderr', async () => {
    const r = await run(['--capability', 'read-data', '--resource', BUCKET]);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.startsWith('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Sid": "ReadDataAppBucket"'), r.stdout);
    const policy = JSON.parse(r.stdout) as { Statement: { Action: string[]; Resource: string[] }[] };
    assert.ok(policy.Statement[0].Action.includes('s3:GetObject'));
    assert.deepEqual(policy.Statement[0].Resource, [BUCKET, `${BUCKET}/*`]);
    assert.match(r.stderr, /^note: read-data on arn:aws:s3:::app-bucket also covers its objects/m);
  });

  test('pairs each --capability with the --resource after it, in order', async () => {
    const r = await run(['--capability', 'write-data', '--resource', QUEUE, '--capability=read-data', `--resource=${BUCKET}`, '--json']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    const parsed = JSON.parse(r.stdout) as { policy: { Statement: { Sid: string; Resource: unknown }[] }; notes: string[] };
    assert.deepEqual(
      parsed.policy.Statement.map((s) => [s.Sid, s.Resource]),
      [
        ['WriteDataJobs', QUEUE],
        ['ReadDataAppBucket', [BUCKET, `${BUCKET}/*`]],
      ],
    );
    assert.ok(parsed.notes.some((n) => n.includes('sqs:GetQueueUrl')));
  });

  test('--include-unscoped adds the Resource "*" statement', async () => {
    const without = JSON.parse((await run(['--capability', 'read-config', '--resource', BUCKET, '--json'])).stdout) as { policy: { Statement: { Resource: unknown }[] } };
    assert.ok(!without.policy.Statement.some((s) => s.Resource === '*'));
    const r = await run(['--capability', 'read-config', '--resource', BUCKET, '--include-unscoped', '--json']);
    const parsed = JSON.parse(r.stdout) as { policy: { Statement: { Sid: string; Action: string[]; Resource: unknown }[] } };
    const star = parsed.policy.Statement.find((s) => s.Resource === '*');
    assert.equal(star?.Sid, 'ReadConfigAllResources');
    assert.ok(star?.Action.includes('s3:ListAllMyBuckets'));
  });

  test('--list explains the capabilities, as text and JSON', async () => {
    const text = await run(['--list']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^administer-resource {2}change who can access it/m);
    assert.match(text.stdout, /^read-data {12}read the data it holds$/m);
    assert.equal(text.stdout.trim().split('\n').length, 6);
    const json = JSON.parse((await run(['--list', '--json'])).stdout) as { capabilities: { name: string; meaning: string }[] };
    assert.deepEqual(json.capabilities.map((c) => c.name), ['administer-resource', 'read-config', 'read-data', 'write-data', 'delete-data', 'use-resource']);
  });

  test('a request that cannot be granted: exit 1, the reason on stderr, nothing on stdout', async () => {
    const r = await run(['--capability', 'read-data', '--resource', BUCKET, '--capability', 'delete-data', '--resource', 'arn:aws:kms:us-east-1:123456789012:key/k1']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--capability delete-data --resource arn:aws:kms:us-east-1:123456789012:key\/k1: no action gives delete-data/);
    const bad = await run(['--capability', 'read-data', '--resource', 'bucket-name']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /'bucket-name' is not an ARN/);
    const json = await run(['--capability', 'read-data', '--resource', 'arn:aws:nosuch:::x', '--json']);
    assert.equal(json.code, 1);
    const parsed = JSON.parse(json.stdout) as { policy: null; errors: { code: string; index: number }[] };
    assert.equal(parsed.policy, null);
    assert.deepEqual(parsed.errors.map((e) => [e.index, e.code]), [[0, 'unknown-service']]);
  });

  const usage: [string, string[], RegExp][] = [
    ['no request', [], /give at least one --capability/],
    ['an unknown capability', ['--capability', 'fly', '--resource', BUCKET], /unknown capability 'fly'; expected one of administer-resource/],
    ['a --capability without --resource', ['--capability', 'read-data'], /--capability read-data has no --resource/],
    ['two --capability in a row', ['--capability', 'read-data', '--capability', 'write-data', '--resource', BUCKET], /--capability read-data has no --resource/],
    ['a --resource first', ['--resource', BUCKET, '--capability', 'read-data'], /--resource arn:aws:s3:::app-bucket must follow a --capability/],
    ['an unknown option', ['--capability', 'read-data', '--resource', BUCKET, '--kind', 'identity'], /unknown option --kind/],
    ['a positional argument', ['read-data'], /unexpected argument 'read-data'/],
    ['a value for a flag', ['--json=yes'], /--json takes no value/],
    ['--list with a request', ['--list', '--capability', 'read-data', '--resource', BUCKET], /--list takes no --capability/],
  ];
  for (const [name, argv, message] of usage) {
    test(`usage error (exit 2): ${name}`, async () => {
      const r = await run(argv);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Usage: gatehouse policy generate/);
    });
  }

  test('--help prints the usage on stdout', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: gatehouse policy generate --capability CAP --resource ARN/);
    assert.equal((await run(['-h'])).code, 0);
  });
});
