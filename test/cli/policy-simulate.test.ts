import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

/**
 * `gatehouse policy simulate --cases FILE --json`, run in-process: one JSON line per case, in
 * order, with name / decision / decidedBy; exit 0 whatever the decisions; non-zero with a message
 * on stderr when the file cannot be read or is not an array of cases.
 */

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-simulate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function file(content: unknown): string {
  const path = join(dir, `cases-${fileCount++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function simulate(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readFile: (p) => readFile(p, 'utf8'),
  };
  const code = await main(['policy', 'simulate', ...args], io);
  return { code, stdout, stderr };
}

function jsonLines(out: string): Record<string, unknown>[] {
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const USER = 'arn:aws:iam::111122223333:user/alice';
const OBJECT = 'arn:aws:s3:::example-bucket/docs/report.txt';
const request = { principal: USER, action: 's3:GetObject', resource: OBJECT, context: {} };
const allowAll = { Version: '2012-10-17', Statement: [{ Sid: 'All', Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
const denyGet = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }] };

const cases = [
  { name: 'first/allowed', request, identityPolicies: [allowAll], expected: 'Allow' },
  { name: 'second/no-policies', request, identityPolicies: [], resourcePolicy: null, permissionsBoundary: null, scps: [], sessionPolicies: [], resourceAccount: null, expected: 'ImplicitDeny' },
  // `expected` is wrong on purpose: the command reports decisions, it does not judge them.
  { name: 'third/denied-but-expected-allow', request, identityPolicies: [allowAll, denyGet], expected: 'Allow' },
  { name: 'fourth/scp-level', request, identityPolicies: [allowAll], scps: [[allowAll], [denyGet]], expected: 'ExplicitDeny' },
];

describe('policy simulate --json', () => {
  test('prints one JSON line per case, in order, with name, decision and decidedBy', async () => {
    const r = await simulate('--cases', file(cases), '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.ok(r.stdout.endsWith('\n'));
    const lines = jsonLines(r.stdout);
    assert.equal(lines.length, cases.length);
    assert.deepEqual(
      lines.map((l) => [l.name, l.decision]),
      [
        ['first/allowed', 'Allow'],
        ['second/no-policies', 'ImplicitDeny'],
        ['third/denied-but-expected-allow', 'ExplicitDeny'],
        ['fourth/scp-level', 'ExplicitDeny'],
      ],
    );
    for (const l of lines) assert.ok(Array.isArray(l.decidedBy), `decidedBy of ${String(l.name)}`);
    assert.deepEqual(lines[0].decidedBy, [{ layer: 'identity', policyId: 'identity[0]', statementIndex: 0, effect: 'Allow', sid: 'All' }]);
    assert.deepEqual(lines[1].decidedBy, []);
    assert.deepEqual(lines[2].decidedBy, [{ layer: 'identity', policyId: 'identity[1]', statementIndex: 0, effect: 'Deny' }]);
    assert.deepEqual(lines[3].decidedBy, [{ layer: 'scp', policyId: 'scp[1][0]', statementIndex: 0, effect: 'Deny', scpLevel: 1 }]);
  });

  test('exits 0 even when every decision differs from `expected`', async () => {
    const wrong = cases.map((c) => ({ ...c, expected: 'Nonsense' }));
    const r = await simulate('--cases', file(wrong), '--json');
    assert.equal(r.code, 0);
    assert.equal(jsonLines(r.stdout).length, cases.length);
  });

  test('accepts --cases=FILE and the flags in any order', async () => {
    const path = file(cases.slice(0, 1));
    const a = await simulate(`--cases=${path}`, '--json');
    const b = await simulate('--json', '--cases', path);
    assert.equal(a.code, 0);
    assert.equal(b.stdout, a.stdout);
    assert.equal(jsonLines(a.stdout)[0].decision, 'Allow');
  });

  test('an empty array prints nothing and succeeds', async () => {
    const r = await simulate('--cases', file([]), '--json');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
  });

  test('a case without a name is still printed', async () => {
    const r = await simulate('--cases', file([{ request, identityPolicies: [allowAll] }]), '--json');
    assert.equal(r.code, 0);
    const [line] = jsonLines(r.stdout);
    assert.equal(line.decision, 'Allow');
    assert.ok(line.name === null || line.name === undefined || typeof line.name === 'string');
  });

  test('junk policies inside a well-formed case are evaluated, not fatal', async () => {
    const r = await simulate('--cases', file([{ name: 'junk', request, identityPolicies: [42, null, 'nope', { Statement: 7 }] }]), '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(jsonLines(r.stdout)[0].decision, 'ImplicitDeny');
  });

  test('without --json, one readable line per case', async () => {
    const r = await simulate('--cases', file(cases));
    assert.equal(r.code, 0);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, cases.length);
    assert.match(lines[0], /Allow.*first\/allowed/);
    assert.match(lines[2], /ExplicitDeny.*third\/denied-but-expected-allow/);
  });
});

describe('policy simulate errors', () => {
  async function fails(r: Run, pattern?: RegExp): Promise<void> {
    assert.notEqual(r.code, 0, 'non-zero exit');
    assert.equal(r.stdout, '', 'nothing on stdout');
    assert.ok(r.stderr.trim().length > 0, 'a message on stderr');
    if (pattern) assert.match(r.stderr, pattern);
  }

  test('an unreadable file', async () => {
    const missing = join(dir, 'does-not-exist.json');
    await fails(await simulate('--cases', missing, '--json'), /does-not-exist\.json/);
  });

  test('a directory instead of a file', async () => {
    await fails(await simulate('--cases', dir, '--json'));
  });

  test('invalid JSON', async () => {
    await fails(await simulate('--cases', file('[{"name": "x",'), '--json'), /JSON/);
    await fails(await simulate('--cases', file(''), '--json'));
  });

  test('JSON that is not an array', async () => {
    await fails(await simulate('--cases', file({ cases }), '--json'), /array/);
    await fails(await simulate('--cases', file('"cases"'), '--json'));
    await fails(await simulate('--cases', file('null'), '--json'));
  });

  test('a case without a request', async () => {
    await fails(await simulate('--cases', file([cases[0], { name: 'no-request', identityPolicies: [] }]), '--json'), /request/);
  });

  test('a case that is not an object, or whose request is incomplete', async () => {
    await fails(await simulate('--cases', file([42]), '--json'));
    await fails(await simulate('--cases', file([{ name: 'x', request: { principal: USER, action: 's3:GetObject' } }]), '--json'), /resource/);
    await fails(await simulate('--cases', file([{ name: 'x', request: { ...request, context: 'nope' } }]), '--json'), /context/);
    await fails(await simulate('--cases', file([{ name: 'x', request, scps: [allowAll] }]), '--json'), /scps/);
  });

  test('--cases is required', async () => {
    await fails(await simulate('--json'), /--cases/);
  });
});
