import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runEscalation } from '../../src/cli/commands/escalation.js';
import { fakeIo } from './fake-io.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/analysis/small-account.json', import.meta.url));


async function run(argv: string[], io = fakeIo()) {
  const code = await runEscalation(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join(''), io };
}

describe('gatehouse escalation', () => {
  test('text: each principal that can reach admin, with its path and statements', async () => {
    const r = await run(['--import', FIXTURE]);
    assert.equal(r.code, 0);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'Account 111122223333: 8 principals, 3 administrators (alice, AdminRole, LambdaExec).');
    assert.ok(lines.includes('3 principals can reach admin:'));
    assert.ok(lines.includes('dave → DeployRole (sts:AssumeRole; sts-001) → admin (iam:AttachUserPolicy on dave; iam-008)'));
    assert.ok(lines.includes('bob → alice (iam:CreateAccessKey; iam-002) → admin (alice is an administrator)'));
    assert.ok(lines.some((l) => l.startsWith('carol → LambdaExec (iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction; lambda-001)')));
    assert.ok(lines.includes('    iam:AttachUserPolicy on arn:aws:iam::111122223333:user/dave: allowed by arn:aws:iam::111122223333:role/DeployRole#deploy statement 0'));
    assert.ok(!r.stdout.includes('erin →'));
  });

  test('--principal by name: why erin is not an administrator', async () => {
    const r = await run(['--import', FIXTURE, '--principal', 'erin']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'erin is not an administrator: iam:AttachUserPolicy is refused (implicit deny by the boundary policy).\nerin has no path to admin.\n');
  });

  test('--json --principal ARN: that principal\'s edges and path', async () => {
    const r = await run(['--import', FIXTURE, '--principal', 'arn:aws:iam::111122223333:user/dave', '--json']);
    assert.equal(r.code, 0);
    const json = JSON.parse(r.stdout) as { edges: { from: string; to: string; method: string }[]; paths: { edges: { method: string }[] }[] };
    assert.deepEqual(json.edges.map((e) => [e.to, e.method]), [['arn:aws:iam::111122223333:role/DeployRole', 'sts-001']]);
    assert.deepEqual(json.paths[0].edges.map((e) => e.method), ['sts-001', 'iam-008']);
  });

  test('--json: the whole graph', async () => {
    const r = await run(['--import', FIXTURE, '--json']);
    const json = JSON.parse(r.stdout) as { nodes: unknown[]; edges: { conditional: boolean; to: string }[]; paths: unknown[] };
    assert.equal(json.nodes.length, 9);
    assert.equal(json.paths.length, 3);
    assert.ok(json.edges.some((e) => e.conditional && e.to.endsWith(':role/AdminRole')));
  });

  test('--svg writes a picture of the paths', async () => {
    const r = await run(['--import', FIXTURE, '--svg', 'out.svg']);
    assert.equal(r.code, 0);
    const svg = r.io.written.get('out.svg') ?? '';
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const name of ['bob', 'alice', 'dave', 'DeployRole', 'carol', 'LambdaExec', 'iam-008']) assert.ok(svg.includes(name), name);
    assert.ok(!svg.includes('erin'));
  });

  test('usage errors exit 2; an unreadable file exits 1', async () => {
    assert.equal((await run(['--import', FIXTURE, '--bogus'])).code, 2);
    assert.equal((await run([])).code, 2);
    assert.equal((await run(['--import', FIXTURE, '--principal', 'nobody'])).code, 2);
    const missing = await run(['--import', '/nonexistent/account.json']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read \/nonexistent\/account.json: no such file/);
  });

  test('--help', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: gatehouse escalation/);
  });
});
