import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FeedSource } from '../../src/replication/feed-source.js';
import type { FeedChanges } from '../../src/replication/feed-types.js';
import { FollowerStopped, ReplicaFollower, type FollowerOptions } from '../../src/replication/follower.js';
import { ReplicaFile } from '../../src/replication/replica-file.js';
import { ACCOUNT, createControlPlane, CuttableSource, eventually, RecordingSink, type ControlPlane } from './fixture.js';

const REGION = 'eu-west-1';

function follower(cp: ControlPlane, source: FeedSource, sink: RecordingSink, extra: Partial<FollowerOptions> = {}) {
  const lines: string[] = [];
  const f = new ReplicaFollower({ region: REGION, source, sink, now: () => cp.clock.now, pollWaitMs: 20, retryMs: { min: 1, max: 5 }, log: (l) => lines.push(l), ...extra });
  return { follower: f, lines };
}

const types = (f: ReplicaFollower) => f.health().events.map((e) => e.type);

describe('ReplicaFollower', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-follower-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('starts from a snapshot, then tails the feed in order', async () => {
    const cp = await createControlPlane();
    const sink = new RecordingSink();
    const { follower: f } = follower(cp, cp.feed, sink);
    await f.start();
    const start = await cp.revision();
    assert.equal(f.revision, start);
    assert.equal(sink.revision, start);
    assert.ok(sink.get('user', `${ACCOUNT}/admin`));
    assert.deepEqual(types(f), ['snapshot-loaded']);

    await cp.call('CreateUser', { userName: 'alice' });
    await cp.call('CreateUser', { userName: 'bob' });
    await cp.call('DeleteUser', { userName: 'alice' });
    const latest = await cp.revision();
    assert.equal(await f.waitForRevision(latest, 5000), true);
    assert.equal(sink.get('user', `${ACCOUNT}/alice`), undefined);
    assert.ok(sink.get('user', `${ACCOUNT}/bob`));
    assert.deepEqual(sink.appliedRevisions, [start + 1, start + 2, start + 3]);
    assert.equal(sink.resets, 1);

    const h = f.health();
    assert.deepEqual(
      { ...h, events: undefined },
      {
        region: REGION,
        appliedRevision: latest,
        latestRevision: latest,
        lagRevisions: 0,
        lagSeconds: 0,
        lastContact: '2026-11-21T12:00:00.000Z',
        lastContactSource: 'live',
        connected: true,
        keyWindowThrough: '20261128',
        keyWindowRemainingSeconds: 7.5 * 86_400,
        tokenWindowRemainingSeconds: 7.5 * 86_400,
        events: undefined,
      },
    );
    assert.equal(await f.waitForRevision(latest + 1, 20), false, 'a revision that does not come: false at the timeout');
    await f.stop();
  });

  it('keeps retrying the first snapshot until the control plane answers', async () => {
    const cp = await createControlPlane();
    const source = new CuttableSource(cp.feed);
    source.setCut(true);
    const sink = new RecordingSink();
    const { follower: f } = follower(cp, source, sink);
    let started = false;
    const starting = f.start().then(() => (started = true));
    await eventually(() => types(f).includes('control-plane-unreachable'));
    assert.equal(started, false);
    assert.equal(f.health().connected, false);
    source.setCut(false);
    await starting;
    assert.equal(sink.revision, await cp.revision());
    assert.deepEqual(types(f), ['control-plane-unreachable', 'control-plane-reachable', 'snapshot-loaded']);
    await f.stop();
  });

  it('gives up the first snapshot when its start signal aborts (the control plane never answered)', async () => {
    const cp = await createControlPlane();
    const source = new CuttableSource(cp.feed);
    source.setCut(true);
    const { follower: f } = follower(cp, source, new RecordingSink(), { retryMs: { min: 60_000, max: 60_000 } });
    const aborter = new AbortController();
    const starting = f.start(aborter.signal);
    await eventually(() => types(f).includes('control-plane-unreachable'));
    const aborted = performance.now();
    aborter.abort();
    await assert.rejects(starting, (err: unknown) => err instanceof FollowerStopped && /stopped before it had a replica/.test((err as Error).message));
    assert.ok(performance.now() - aborted < 1000, 'in the middle of a 60 s backoff');
    assert.equal(f.health().lastContactSource, null);
    assert.equal(f.health().lastContact, null);
    await f.stop();

    // Already aborted: no attempt at all.
    const g = follower(cp, source, new RecordingSink()).follower;
    await assert.rejects(g.start(AbortSignal.abort()), FollowerStopped);
  });

  it('survives the control plane going away, then catches up in order with lag back to zero', async () => {
    const cp = await createControlPlane();
    const source = new CuttableSource(cp.feed);
    const sink = new RecordingSink();
    const { follower: f, lines } = follower(cp, source, sink);
    await f.start();
    const before = f.revision;

    source.setCut(true);
    await eventually(() => !f.health().connected, 5000, 'the follower to notice');
    // Writes while the region is cut off: a grant, then its revocation.
    await cp.call('CreateUser', { userName: 'carol' });
    await cp.call('PutUserPolicy', { userName: 'carol', policyName: 'p', policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }) });
    await cp.call('DeleteUserPolicy', { userName: 'carol', policyName: 'p' });
    const latest = await cp.revision();
    cp.clock.now = new Date(cp.clock.now.getTime() + 60_000);
    await eventually(() => lines.filter((l) => /the feed failed/.test(l)).length >= 2, 5000, 'retries past the first minute');
    assert.equal(f.revision, before, 'the sink keeps what it had');
    assert.equal(types(f).filter((t) => t === 'control-plane-unreachable').length, 1, 'one event per outage');
    const unreachable = f.health().events.find((e) => e.type === 'control-plane-unreachable')!;
    assert.match(unreachable.message, /unreachable/);

    source.setCut(false);
    assert.equal(await f.waitForRevision(latest, 5000), true);
    assert.deepEqual(sink.appliedRevisions, [before + 1, before + 2, before + 3]);
    const carol = sink.get('user', `${ACCOUNT}/carol`)!.data as { inlinePolicies: Record<string, string> };
    assert.deepEqual(carol.inlinePolicies, {}, 'the revocation, written last, is what the region holds');
    const h = f.health();
    assert.deepEqual([h.connected, h.lagRevisions, h.lagSeconds, h.lastContact], [true, 0, 0, '2026-11-21T12:01:00.000Z']);
    assert.deepEqual(types(f), ['snapshot-loaded', 'control-plane-unreachable', 'control-plane-reachable']);
    await f.stop();
  });

  it('reports lag, delayed propagation and windows running out, on the injected clock', async () => {
    const cp = await createControlPlane();
    const start = await cp.revision();
    // A source that delivers one revision per batch and is cut right after the first.
    const inner = new CuttableSource(cp.feed);
    const source: FeedSource = {
      snapshot: (region, signal) => inner.snapshot(region, signal),
      async changes(region, afterRevision, options) {
        const batch: FeedChanges = await inner.changes(region, afterRevision, { ...options, limit: 1 });
        if (batch.changes.length) inner.setCut(true);
        return batch;
      },
    };
    const sink = new RecordingSink();
    const { follower: f } = follower(cp, source, sink);
    await f.start();
    // Two commits before the feed is told: the poll it wakes sees both revisions.
    for (const name of ['x1', 'x2']) {
      const user = { userName: name, userId: `AIDA${name}`, arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, path: '/', tags: [], attachedPolicies: [], inlinePolicies: {}, groups: [], accessKeys: [], mfaDevices: [], createDate: '2026-11-21T12:00:00Z' };
      await cp.env.store.write((tx) => tx.put('user', `${ACCOUNT}/${name}`, ACCOUNT, user));
    }
    cp.feed.notify();
    await eventually(() => f.revision === start + 1 && !f.health().connected);
    let h = f.health();
    assert.deepEqual([h.appliedRevision, h.latestRevision, h.lagRevisions, h.lagSeconds], [start + 1, start + 2, 1, 0]);
    cp.clock.now = new Date('2026-11-21T12:00:05Z');
    assert.equal(f.health().lagSeconds, 5);
    assert.ok(!types(f).includes('propagation-delayed'), 'five seconds is not yet delayed');
    cp.clock.now = new Date('2026-11-21T12:00:06Z');
    assert.equal(f.health().lagSeconds, 6);
    assert.ok(types(f).includes('propagation-delayed'));

    // Cut off for a week: the key and token windows (through 28 Nov) run out.
    cp.clock.now = new Date('2026-11-28T01:00:00Z');
    h = f.health();
    assert.deepEqual([h.keyWindowRemainingSeconds, h.tokenWindowRemainingSeconds], [23 * 3600, 23 * 3600]);
    assert.deepEqual(types(f).slice(-2), ['key-window-running-out', 'token-window-running-out']);
    assert.equal(h.events.at(-1)!.time, '2026-11-28T01:00:00.000Z');
    f.health();
    assert.equal(types(f).filter((t) => t === 'key-window-running-out').length, 1, 'reported once');
    cp.clock.now = new Date('2026-11-29T00:00:01Z');
    assert.deepEqual([f.health().keyWindowRemainingSeconds, f.health().tokenWindowRemainingSeconds], [0, 0]);
    await f.stop();
  });

  it('restarts from its file while the control plane is down, then catches up', async () => {
    const cp = await createControlPlane();
    const path = join(dir, 'restart.db');
    const source = new CuttableSource(cp.feed);
    let file = ReplicaFile.open(path);
    const first = follower(cp, source, new RecordingSink(), { file });
    await first.follower.start();
    await cp.call('CreateUser', { userName: 'dave' });
    const saved = await cp.revision();
    assert.equal(await first.follower.waitForRevision(saved, 5000), true);
    await first.follower.stop();
    file.close();

    source.setCut(true);
    await cp.call('CreateUser', { userName: 'erin' });
    file = ReplicaFile.open(path);
    const sink = new RecordingSink();
    const second = follower(cp, source, sink, { file });
    await second.follower.start();
    assert.equal(sink.revision, saved);
    // Not heard from since the restart: the last contact shown is the snapshot's time, said so.
    const snapshotTime = file.load()!.time;
    assert.deepEqual([second.follower.health().lastContact, second.follower.health().lastContactSource], [snapshotTime, 'snapshot']);
    assert.ok(sink.get('user', `${ACCOUNT}/dave`));
    assert.equal(sink.get('user', `${ACCOUNT}/erin`), undefined);
    assert.equal(types(second.follower)[0], 'restored-from-local-snapshot');
    assert.equal(source.snapshots, 1, 'no snapshot fetched on restart');
    await eventually(() => types(second.follower).includes('control-plane-unreachable'));

    source.setCut(false);
    const latest = await cp.revision();
    assert.equal(await second.follower.waitForRevision(latest, 5000), true);
    assert.ok(sink.get('user', `${ACCOUNT}/erin`));
    assert.deepEqual([second.follower.health().lastContact, second.follower.health().lastContactSource], [cp.clock.now.toISOString(), 'live']);
    await second.follower.stop();
    assert.equal(file.load()!.revision, latest, 'the file follows too');
    file.close();
  });

  it('loads a fresh snapshot when the windows roll, into the file and the sink', async () => {
    const cp = await createControlPlane();
    const file = ReplicaFile.open(join(dir, 'roll.db'));
    const sink = new RecordingSink();
    const { follower: f } = follower(cp, cp.feed, sink, { file });
    await f.start();
    assert.equal(sink.resets, 1);
    cp.clock.now = new Date('2026-11-22T00:00:10Z');
    await eventually(() => sink.resets === 2, 5000, 'a second snapshot');
    assert.deepEqual(sink.windows!.keyWindow, { from: '20261121', through: '20261129' });
    assert.deepEqual(file.load()!.windows.keyWindow, { from: '20261121', through: '20261129' });
    assert.equal(types(f).filter((t) => t === 'snapshot-loaded').length, 2);
    // Token keys ride on every batch; a week of keys ahead.
    assert.ok(sink.windows!.tokenKeys.some((k) => k.id === '20261129'));
    await f.stop();
    file.close();
  });

  it('reloads from a snapshot after the sink fails, and keeps serving when the file fails', async () => {
    const cp = await createControlPlane();
    const file = ReplicaFile.open(join(dir, 'failing.db'));
    const sink = new RecordingSink();
    const { follower: f, lines } = follower(cp, cp.feed, sink, { file });
    await f.start();
    sink.failNext = 1;
    await cp.call('CreateUser', { userName: 'frank' });
    assert.equal(await f.waitForRevision(await cp.revision(), 5000), true);
    assert.equal(sink.resets, 2, 'recovered with a fresh snapshot');
    assert.ok(sink.get('user', `${ACCOUNT}/frank`));
    assert.ok(lines.some((l) => /applying revisions .* failed: sink failure \(test\); retrying from a fresh snapshot/.test(l)));

    file.close(); // every write to it fails from now on
    await cp.call('CreateUser', { userName: 'grace' });
    assert.equal(await f.waitForRevision(await cp.revision(), 5000), true);
    assert.ok(sink.get('user', `${ACCOUNT}/grace`), 'the sink still follows');
    assert.ok(lines.some((l) => /local snapshot could not be written/.test(l)));
    await f.stop();
  });

  it('stops promptly in the middle of a long-poll', async () => {
    const cp = await createControlPlane();
    const { follower: f } = follower(cp, cp.feed, new RecordingSink(), { pollWaitMs: 60_000 });
    await f.start();
    await new Promise((resolve) => setTimeout(resolve, 10)); // let the poll start waiting
    const started = performance.now();
    await f.stop();
    assert.ok(performance.now() - started < 1000);
    assert.equal(await f.waitForRevision(f.revision + 1, 1000), false);
  });
});
