/** `gatehouse status` and `gatehouse wait-propagated` against nodes' /health, as an operator reads them. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { appliedByRegion } from '../../src/cli/commands/node-health.js';
import { runStatus } from '../../src/cli/commands/status.js';
import { runWaitPropagated } from '../../src/cli/commands/wait-propagated.js';
import type { CliIo } from '../../src/cli/io.js';
import type { NodeHealth, RemoteNode } from '../../src/server/health.js';
import type { RegionHealth } from '../../src/server/region-data-plane.js';

const TIME = '2026-11-21T12:00:00.000Z';
const ago = (seconds: number) => new Date(Date.parse(TIME) - seconds * 1000).toISOString();

function region(name: string, extra: Partial<RegionHealth> = {}): RegionHealth {
  return {
    region: name,
    appliedRevision: 10,
    latestRevision: 10,
    lagRevisions: 0,
    lagSeconds: 0,
    lastContact: ago(1),
    lastContactSource: 'live',
    connected: true,
    keyWindowThrough: '20261128',
    keyWindowRemainingSeconds: 7 * 86_400,
    tokenWindowRemainingSeconds: 7 * 86_400,
    events: [],
    counts: {},
    ...extra,
  };
}

function controlPlane(remoteNodes: RemoteNode[]): NodeHealth {
  return { status: 'ok', role: 'control-plane', time: TIME, revision: 12, regions: [region('us-east-1', { appliedRevision: 12, latestRevision: 12 })], remoteNodes };
}

const servers: Server[] = [];
after(async () => {
  for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
});

/** A node whose /health answers `health`. */
async function node(health: NodeHealth): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(health)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function io(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), readFile: () => Promise.reject(new Error('unused')) };
}

describe('remote nodes that stopped polling', () => {
  // A node restarted under a new id leaves its old entry behind at the revision it had.
  const replaced = controlPlane([
    { region: 'eu-west-1', node: 'dp-old', applied: 5, lastPoll: ago(300) },
    { region: 'eu-west-1', node: 'dp-new', applied: 12, lastPoll: ago(2) },
  ]);
  // The region's only node stopped polling: the region is cut off, not replaced.
  const cutOff = controlPlane([{ region: 'eu-west-1', node: 'dp-a', applied: 5, lastPoll: ago(300) }]);

  it('count only when their region has no node polling now', () => {
    assert.deepEqual(Object.fromEntries(appliedByRegion([{ endpoint: 'cp', health: replaced }])), { 'us-east-1': 12, 'eu-west-1': 12 });
    assert.deepEqual(Object.fromEntries(appliedByRegion([{ endpoint: 'cp', health: cutOff }])), { 'us-east-1': 12, 'eu-west-1': 5 });
    // Just under a minute is still a live node.
    const slow = controlPlane([
      { region: 'eu-west-1', node: 'dp-a', applied: 9, lastPoll: ago(59) },
      { region: 'eu-west-1', node: 'dp-b', applied: 12, lastPoll: ago(1) },
    ]);
    assert.equal(appliedByRegion([{ endpoint: 'cp', health: slow }]).get('eu-west-1'), 9);
  });

  it('wait-propagated does not wait for a replaced node, and still waits for a cut-off region', async () => {
    const ok = io();
    assert.equal(await runWaitPropagated(['--revision', '12', '--endpoint', await node(replaced), '--timeout', '2s'], ok), 0, ok.out.join(''));
    assert.match(ok.out.join(''), /revision 12 has reached us-east-1, eu-west-1/);
    const waiting = io();
    assert.equal(await runWaitPropagated(['--revision', '12', '--endpoint', await node(cutOff), '--timeout', '200ms'], waiting), 1);
    assert.match(waiting.out.join(''), /timed out: us-east-1 at 12, eu-west-1 at 5 \(waiting for 12\)/);
  });

  it('status marks them', async () => {
    const out = io();
    assert.equal(await runStatus(['--endpoint', await node(replaced)], out), 0);
    const text = out.out.join('');
    assert.match(text, /eu-west-1 {2}dp-old {2}applied 5 {2}last poll \S+ \(STALE: no poll for 5m\)/);
    assert.match(text, /eu-west-1 {2}dp-new {2}applied 12 {2}last poll \S+$/m);
  });
});

describe('gatehouse status: last contact of a node restarted from its snapshot', () => {
  it('shows the snapshot time, marked, until the control plane answers', async () => {
    const restarted: NodeHealth = {
      status: 'degraded',
      role: 'data-plane',
      time: TIME,
      regions: [region('eu-west-1', { connected: false, lastContact: ago(3600), lastContactSource: 'snapshot' })],
    };
    const out = io();
    assert.equal(await runStatus(['--endpoint', await node(restarted)], out), 1);
    assert.match(out.out.join(''), new RegExp(`eu-west-1\\s+10\\s+0\\s+0\\s+${ago(3600).replace(/\./g, '\\.')} \\(snapshot\\)\\s+7d 0h\\s+7d 0h\\s+CUT OFF`));
    const json = io();
    await runStatus(['--endpoint', await node(restarted), '--json'], json);
    const [result] = JSON.parse(json.out.join('')) as { health: NodeHealth }[];
    assert.deepEqual([result.health.regions[0].lastContact, result.health.regions[0].lastContactSource], [ago(3600), 'snapshot']);
  });
});
