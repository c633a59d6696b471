/** `gatehouse serve` run in process: the MFA window of the feed, --workers, and signals after a failed start. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runServe } from '../../src/cli/commands/serve.js';
import type { CliIo } from '../../src/cli/io.js';
import type { FeedSnapshot } from '../../src/replication/feed-types.js';
import { regionReplicationToken } from '../../src/server/standalone.js';

const ENV = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 4).toString('base64') };
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function io(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), readFile: () => Promise.reject(new Error('unused')) };
}

describe('gatehouse serve --mfa-window-hours', () => {
  it('is documented in --help', async () => {
    const out = io();
    assert.equal(await runServe(['--help'], out), 0);
    assert.match(out.out.join(''), /--mfa-window-hours N +Control plane: .*\n.*\(24 to 744, default 48\)/);
  });

  it('refuses values outside 24..744, and on a data plane', async () => {
    for (const args of [['--mfa-window-hours', '23'], ['--mfa-window-hours', '745'], ['--mfa-window-hours', '36.5'], ['--mfa-window-hours', 'two-days']]) {
      const out = io();
      assert.equal(await runServe(args, out, new EventEmitter(), ENV), 2, args.join(' '));
      assert.match(out.err.join(''), /--mfa-window-hours must be a whole number from 24 to 744/);
    }
    const out = io();
    assert.equal(await runServe(['--role', 'data-plane', '--region', 'eu-west-1', '--control-plane', 'http://127.0.0.1:1', '--mfa-window-hours', '72'], out, new EventEmitter(), ENV), 2);
    assert.match(out.err.join(''), /key, token and MFA windows are set on the control plane/);
  });

  it('sets how many hours of MFA codes the feed publishes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-serve-options-'));
    dirs.push(dir);
    const signals = new EventEmitter();
    const out = io();
    const serving = runServe(['--role', 'control-plane', '--data-dir', dir, '--port', '0', '--mfa-window-hours', '72'], out, signals, ENV);
    let url: string | undefined;
    for (const deadline = Date.now() + 10_000; !url && Date.now() < deadline; await sleep(20)) url = /listening on (http:\/\/\S+)/.exec(out.out.join(''))?.[1];
    assert.ok(url, out.out.join('') + out.err.join(''));
    try {
      const token = await regionReplicationToken(dir, 'us-east-1', ENV);
      const res = await fetch(new URL('/v1/replication/snapshot?region=us-east-1', url), { headers: { authorization: `Bearer ${token}` } });
      const snapshot = (await res.json()) as FeedSnapshot;
      // From one step before today 00:00 UTC through the last step of the 72nd hour.
      assert.equal((snapshot.mfaWindow.throughStep - snapshot.mfaWindow.fromStep) * 30_000, 72 * 3_600_000);
    } finally {
      signals.emit('SIGTERM');
    }
    assert.equal(await serving, 0);
    assert.equal(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT') + signals.listenerCount('SIGUSR2'), 0, 'no listener left behind');
  });
});

describe('gatehouse serve --workers', () => {
  it('is documented in --help', async () => {
    const out = io();
    assert.equal(await runServe(['--help'], out), 0);
    assert.match(out.out.join(''), /--workers N\|auto +Data plane: processes sharing the port/);
  });

  it('refuses counts outside 1..64 and roles other than data-plane', async () => {
    const dataPlane = ['--role', 'data-plane', '--region', 'eu-west-1', '--control-plane', 'http://127.0.0.1:1'];
    for (const value of ['0', '65', '1.5', 'many', '']) {
      const out = io();
      assert.equal(await runServe([...dataPlane, '--workers', value], out, new EventEmitter(), ENV), 2, value);
      assert.match(out.err.join(''), /--workers must be a number from 1 to 64, or 'auto'/);
    }
    for (const role of ['standalone', 'control-plane']) {
      const out = io();
      assert.equal(await runServe(['--role', role, '--workers', '2'], out, new EventEmitter(), ENV), 2, role);
      assert.match(out.err.join(''), /--workers is for data-plane nodes: the control plane is the single writer/);
    }
  });
});

describe('gatehouse serve: a failed start', () => {
  it('returns 1 and stops listening for signals (SIGTERM then ends the process as usual)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-serve-options-'));
    dirs.push(dir);
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const signals = new EventEmitter();
      const out = io();
      assert.equal(await runServe(['--data-dir', dir, '--port', String((busy.address() as AddressInfo).port)], out, signals, ENV), 1);
      assert.match(out.err.join(''), /cannot start: .*EADDRINUSE/);
      assert.deepEqual(signals.eventNames(), []);
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });
});
