/** Start-up, limits and shutdown of `gatehouse serve`, as an operator sees them. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { startStandalone, StartupError } from '../../src/server/standalone.js';

const cli = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-server-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }).then(async (r) => ({ status: r.status, text: await r.text() }));
}

describe('gatehouse serve: first start', () => {
  it('creates the store, a 0600 master key and 0600 admin credentials, logs where, never the secret', async () => {
    const dir = await tempDir();
    const logs: string[] = [];
    const gh = await startStandalone({ dataDir: dir, port: 0, log: (l) => logs.push(l), env: {} });
    try {
      const creds = JSON.parse(await readFile(join(dir, 'admin-credentials.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(creds), ['Version', 'AccessKeyId', 'SecretAccessKey']);
      assert.equal(creds.Version, 1);
      assert.match(String(creds.AccessKeyId), /^AKIA[A-Z2-7]{16}$/);
      assert.equal((await stat(join(dir, 'admin-credentials.json'))).mode & 0o777, 0o600);
      assert.equal((await stat(join(dir, 'master.key'))).mode & 0o777, 0o600);
      const text = logs.join('\n');
      assert.match(text, /admin-credentials\.json/);
      assert.match(text, /listening on http:\/\/127\.0\.0\.1:\d+/);
      assert.ok(!text.includes(String(creds.SecretAccessKey)), 'the log must not contain the secret');
      const store = await readFile(join(dir, 'gatehouse.db'));
      assert.ok(!store.includes(Buffer.from(String(creds.SecretAccessKey))), 'the store must not hold the secret in clear');
      const iam = new IAMClient({ endpoint: gh.url, region: 'eu-west-1', credentials: { accessKeyId: String(creds.AccessKeyId), secretAccessKey: String(creds.SecretAccessKey) }, maxAttempts: 1 });
      assert.equal((await iam.send(new GetUserCommand({}))).User?.UserName, 'admin');
      iam.destroy();
    } finally {
      await gh.close();
    }
    // A second start keeps the account and does not write new credentials.
    const again = await startStandalone({ dataDir: dir, port: 0, log: () => undefined, env: {} });
    await again.close();
  });

  it('refuses to start with a wrong master key, or on a file that is not a store', async () => {
    const dir = await tempDir();
    const gh = await startStandalone({ dataDir: dir, port: 0, log: () => undefined, env: {} });
    await gh.close();
    const wrong = Buffer.alloc(32, 1).toString('base64');
    await assert.rejects(startStandalone({ dataDir: dir, port: 0, log: () => undefined, env: { GATEHOUSE_MASTER_KEY: wrong } }), (err: unknown) => err instanceof StartupError && /master key does not open this store/.test(err.message));
    const other = await tempDir();
    await writeFile(join(other, 'master.key'), Buffer.alloc(32, 2).toString('base64'));
    await writeFile(join(other, 'gatehouse.db'), 'this is not a database, just some text that is long enough to look like a file '.repeat(4));
    await assert.rejects(startStandalone({ dataDir: other, port: 0, log: () => undefined, env: {} }), (err: unknown) => err instanceof StartupError && /gatehouse\.db/.test(err.message));
  });
});

describe('gatehouse serve: limits', () => {
  it('answers an oversized body with RequestEntityTooLarge and too many parameters with an AWS error', async () => {
    const dir = await tempDir();
    const gh = await startStandalone({ dataDir: dir, port: 0, log: () => undefined, env: {}, limits: { maxBodyBytes: 4096, maxParameters: 50 } });
    try {
      const big = await post(gh.url, `Action=GetUser&Version=2010-05-08&Pad=${'x'.repeat(5000)}`);
      assert.equal(big.status, 413);
      assert.match(big.text, /<Code>RequestEntityTooLarge<\/Code>/);
      const many = await post(gh.url, Array.from({ length: 60 }, (_, i) => `P${i}=1`).join('&'));
      assert.ok(many.status >= 400 && many.status < 500, `status ${many.status}`);
      assert.match(many.text, /<ErrorResponse/);
      const unsigned = await post(gh.url, 'Action=GetUser&Version=2010-05-08');
      assert.equal(unsigned.status, 403);
      assert.match(unsigned.text, /<Code>MissingAuthenticationToken<\/Code>/);
    } finally {
      await gh.close();
    }
  });

  it('drops a client that never finishes its headers', async () => {
    const dir = await tempDir();
    const gh = await startStandalone({ dataDir: dir, port: 0, log: () => undefined, env: {}, limits: { headersTimeoutMs: 500, requestTimeoutMs: 1000 } });
    try {
      const closed = await new Promise<number>((resolve) => {
        const started = Date.now();
        const socket = connect(gh.port, '127.0.0.1', () => socket.write('POST / HTTP/1.1\r\nHost: x\r\n'));
        socket.on('data', () => undefined);
        socket.on('close', () => resolve(Date.now() - started));
        socket.on('error', () => undefined);
      });
      assert.ok(closed < 5000, `the slow client was dropped after ${closed} ms`);
    } finally {
      await gh.close();
    }
  });
});

describe('gatehouse serve: the command', () => {
  it('logs one listening line and stops cleanly on SIGTERM', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GATEHOUSE_MASTER_KEY: '' } });
    let out = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!sent && /listening on/.test(out)) sent = child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0, out);
    assert.equal(out.match(/listening on/g)?.length, 1);
    assert.match(out, /stopped/);
  });

  it('exits 1 with a clear message when the master key is wrong', async () => {
    const dir = await tempDir();
    const gh = await startStandalone({ dataDir: dir, port: 0, log: () => undefined, env: {} });
    await gh.close();
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') } });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 1);
    assert.match(err, /cannot start: the master key does not open this store/);
  });
});
