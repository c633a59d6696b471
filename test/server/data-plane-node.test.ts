/** A data-plane node against a control plane in this process: its id, what it reports, and an aborted start. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAuthorizer } from '../../src/data-plane/create-authorizer.js';
import { FollowerStopped } from '../../src/replication/follower.js';
import { startDataPlaneNode } from '../../src/server/data-plane-node.js';
import type { NodeHealth } from '../../src/server/health.js';
import { regionReplicationToken, startStandalone, type RunningGatehouse } from '../../src/server/standalone.js';

const REGION = 'eu-west-1';

async function health(url: string): Promise<NodeHealth> {
  return (await (await fetch(new URL('/health', url))).json()) as NodeHealth;
}

/** Polls `check` until it returns a value, or fails after `ms`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('data-plane node', () => {
  const env = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') };
  let root = '';
  let cp: RunningGatehouse;
  let token = '';

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'gatehouse-dp-node-'));
    cp = await startStandalone({ dataDir: join(root, 'cp'), port: 0, role: 'control-plane', env, log: () => undefined });
    token = await regionReplicationToken(join(root, 'cp'), REGION, env);
  });

  after(async () => {
    await cp?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('keeps its node id across restarts, and reports its revision from the first long-poll on', async () => {
    const dataDir = join(root, 'dp');
    const logs: string[] = [];
    // The default 20 s long-poll: the first one must already carry the node's revision.
    let dp = await startDataPlaneNode({ region: REGION, controlPlaneUrl: cp.url, token, dataDir, port: 0, log: (l) => logs.push(l) });
    const nodeId = (await readFile(join(dataDir, 'node-id'), 'utf8')).trim();
    assert.ok(nodeId.length > 8, nodeId);
    assert.ok(logs.some((l) => l.includes(`(node ${nodeId})`)), logs.join('\n'));
    const revision = await cp.store.revision();
    const reported = await waitFor('the control plane to hear the revision from the node', async () => {
      const node = (await health(cp.url)).remoteNodes?.find((n) => n.node === nodeId);
      return node && node.applied === revision ? node : undefined;
    }, 3_000);
    assert.equal(reported.region, REGION);
    await dp.close();

    logs.length = 0;
    dp = await startDataPlaneNode({ region: REGION, controlPlaneUrl: cp.url, token, dataDir, port: 0, log: (l) => logs.push(l) });
    try {
      assert.ok(logs.some((l) => l.includes(`(node ${nodeId})`)), 'the same id after a restart');
      const nodes = (await health(cp.url)).remoteNodes ?? [];
      assert.deepEqual(nodes.filter((n) => n.region === REGION).map((n) => n.node), [nodeId], 'one entry, not one per start');
      // An id given on the command line wins, and no id is kept for it.
      const other = await startDataPlaneNode({ region: REGION, controlPlaneUrl: cp.url, token, dataDir: join(root, 'dp2'), nodeId: 'named-node', port: 0, log: () => undefined });
      await other.close();
      assert.ok((await health(cp.url)).remoteNodes?.some((n) => n.node === 'named-node'));
      await assert.rejects(readFile(join(root, 'dp2', 'node-id')), { code: 'ENOENT' });
    } finally {
      await dp.close();
    }
  });

  it('createAuthorizer with a data folder keeps its node id too', async () => {
    const dataDir = join(root, 'embedded');
    for (let start = 0; start < 2; start++) {
      const authorizer = await createAuthorizer({ controlPlaneUrl: cp.url, token, region: REGION, dataDir });
      await authorizer.close();
    }
    const nodeId = (await readFile(join(dataDir, 'node-id'), 'utf8')).trim();
    assert.match(nodeId, /-authorizer-[0-9a-f]{8}$/);
    const embedded = ((await health(cp.url)).remoteNodes ?? []).filter((n) => n.node.includes('-authorizer-'));
    assert.deepEqual(embedded.map((n) => n.node), [nodeId]);
  });

  it('stops waiting for an unreachable control plane when its start is aborted, and rejects', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const aborter = new AbortController();
    const logs: string[] = [];
    const starting = startDataPlaneNode({ region: REGION, controlPlaneUrl: `http://127.0.0.1:${port}`, token, dataDir: join(root, 'dp-aborted'), port: 0, log: (l) => logs.push(l), signal: aborter.signal });
    await waitFor('a failed attempt', async () => (logs.some((l) => /the feed failed/.test(l)) ? true : undefined));
    const aborted = performance.now();
    aborter.abort();
    await assert.rejects(starting, FollowerStopped);
    assert.ok(performance.now() - aborted < 1_000);
    assert.ok(!logs.some((l) => /listening/.test(l)));
  });
});
