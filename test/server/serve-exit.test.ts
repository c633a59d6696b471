/** `gatehouse serve` as a process: a start that fails, or is stopped, ends the process promptly. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { regionReplicationToken, startStandalone, type RunningGatehouse } from '../../src/server/standalone.js';

const cli = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));
const MASTER_KEY = Buffer.alloc(32, 5).toString('base64');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From the start, or from `signalWhen` matching, to the exit. */
  ms: number;
}

/** Runs `gatehouse serve ARGS`; sends `signal` once stdout or stderr matches `signalWhen`. */
function serve(args: string[], env: Record<string, string>, options: { signalWhen?: RegExp; signal?: NodeJS.Signals; timeoutMs?: number } = {}): Promise<Outcome> {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GATEHOUSE_') && !k.startsWith('NODE_TEST') && k !== 'NODE_OPTIONS') childEnv[k] = v;
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...childEnv, ...env } });
  let stdout = '';
  let stderr = '';
  let from = performance.now();
  let sent = false;
  const check = () => {
    if (!sent && options.signalWhen && options.signalWhen.test(stdout + stderr)) {
      sent = true;
      from = performance.now();
      child.kill(options.signal ?? 'SIGTERM');
    }
  };
  child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), check()));
  child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), check()));
  // A process that never ends fails the test instead of hanging it.
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: performance.now() - from });
    }),
  );
}

describe('gatehouse serve: ends when its start fails or is stopped', () => {
  let root = '';
  let busy: Server;
  let busyPort = 0;
  let cp: RunningGatehouse;
  let token = '';

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'gatehouse-serve-exit-'));
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as AddressInfo).port;
    const env = { GATEHOUSE_MASTER_KEY: MASTER_KEY };
    cp = await startStandalone({ dataDir: join(root, 'cp'), port: 0, role: 'control-plane', env, log: () => undefined });
    token = await regionReplicationToken(join(root, 'cp'), 'eu-west-1', env);
  });

  after(async () => {
    await cp?.close();
    await new Promise<void>((resolve) => busy.close(() => resolve()));
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('exits 1 promptly when the port is in use (standalone), leaving nothing running', async () => {
    const out = await serve(['--data-dir', join(root, 'standalone'), '--port', String(busyPort)], { GATEHOUSE_MASTER_KEY: MASTER_KEY });
    assert.equal(out.code, 1, out.stdout + out.stderr);
    assert.match(out.stderr, /gatehouse serve: cannot start: .*EADDRINUSE/);
    assert.ok(out.ms < 10_000, `exited after ${out.ms} ms`);
  });

  it('exits 1 promptly when the port is in use (data plane, after it got its replica)', async () => {
    const out = await serve(['--role', 'data-plane', '--region', 'eu-west-1', '--control-plane', cp.url, '--data-dir', join(root, 'dp-busy'), '--port', String(busyPort)], { GATEHOUSE_REPLICATION_TOKEN: token });
    assert.equal(out.code, 1, out.stdout + out.stderr);
    assert.match(out.stdout, /following/);
    assert.match(out.stderr, /cannot start: .*EADDRINUSE/);
    assert.ok(out.ms < 10_000, `exited after ${out.ms} ms`);
  });

  it('a data plane still waiting for an unreachable control plane exits 0 on SIGTERM', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const out = await serve(['--role', 'data-plane', '--region', 'eu-west-1', '--control-plane', `http://127.0.0.1:${deadPort}`, '--data-dir', join(root, 'dp-waiting'), '--port', '0'], { GATEHOUSE_REPLICATION_TOKEN: token }, { signalWhen: /the feed failed/ });
    assert.equal(out.code, 0, out.stdout + out.stderr);
    assert.match(out.stdout, /stopped before it had started/);
    assert.doesNotMatch(out.stdout, /listening/);
    assert.ok(out.ms < 5_000, `exited ${out.ms} ms after SIGTERM`);
  });
});
