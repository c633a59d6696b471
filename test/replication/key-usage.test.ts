/**
 * Key usage stays on the control plane: the usage flush writes a kind the feed does not carry, so
 * a region gets no access-key change (and no re-derived key material) for every 10 s of use.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Authenticator } from '../../src/control-plane/authenticator.js';
import { IamService } from '../../src/control-plane/iam-service.js';
import { KIND } from '../../src/core/model/iam-entities.js';
import { isReplicatedKind, REPLICATED_KINDS } from '../../src/replication/record-projector.js';
import { signedIamRequest } from '../control-plane/session-helpers.js';
import { createControlPlane, createUser, RecordingSink, type ControlPlane } from './fixture.js';

const REGIONS = ['us-east-1', 'eu-west-1'];

async function setUp() {
  const cp = await createControlPlane();
  const authenticator = new Authenticator(cp.env, new IamService(cp.env));
  const alice = await createUser(cp, 'alice');
  const bob = await createUser(cp, 'bob');
  return { cp, authenticator, keys: [alice, bob, cp.admin] };
}

/** `count` signed IAM calls per key, one second apart, as the HTTP edge handles them. */
async function burst(cp: ControlPlane, authenticator: Authenticator, keys: { accessKeyId: string; secretAccessKey: string }[], count: number) {
  for (let i = 0; i < count; i++) {
    cp.clock.now = new Date(cp.clock.now.getTime() + 1000);
    for (const key of keys) {
      const result = await authenticator.authenticate(signedIamRequest(key, cp.clock.now), cp.clock.now, 'iam');
      assert.ok(result.ok, 'authenticated');
      authenticator.recordUse(key.accessKeyId, cp.clock.now, 'iam', 'us-east-1');
    }
  }
}

/** Flushes usage as the server's timer does (then wakes the feed, as its store wrapper does). */
async function flush(cp: ControlPlane, authenticator: Authenticator) {
  await authenticator.flushUsage();
  cp.feed.notify();
}

describe('key usage and the replication feed', () => {
  it('the usage kind is not replicated', () => {
    assert.equal(isReplicatedKind(KIND.accessKeyUsage), false);
    assert.ok(!(REPLICATED_KINDS as readonly string[]).includes(KIND.accessKeyUsage));
    assert.equal(isReplicatedKind(KIND.accessKey), true);
  });

  it('after a burst of signed calls and a usage flush, the feed sends no access-key change', async () => {
    const { cp, authenticator, keys } = await setUp();
    // Three flush periods of steady use.
    for (let period = 0; period < 3; period++) {
      const before = await cp.revision();
      await burst(cp, authenticator, keys, 10);
      await flush(cp, authenticator);
      assert.equal(await cp.revision(), before + 1, 'the flush wrote its one unit');
      for (const region of REGIONS) {
        const batch = await cp.feed.changes(region, before);
        // The follower moves past the flush's revision, with nothing to apply.
        assert.equal(batch.revision, before + 1);
        assert.deepEqual(
          batch.changes.filter((c) => c.op === 'put' && c.kind === 'access-key'),
          [],
        );
        // Nor anything else: usage is all the flush wrote.
        assert.deepEqual(batch.changes, []);
      }
    }
    // The usage is on the control plane all the same.
    const last = (await cp.call('GetAccessKeyLastUsed', { accessKeyId: keys[0]!.accessKeyId })) as { accessKeyLastUsed: { lastUsedDate: string } };
    assert.equal(last.accessKeyLastUsed.lastUsedDate, cp.clock.now.toISOString());
    // And no snapshot carries it.
    for (const region of REGIONS) {
      const snapshot = await cp.feed.snapshot(region);
      assert.ok(snapshot.records.every((r) => (r.kind as string) !== KIND.accessKeyUsage));
    }
  });

  it('a follower’s replica is unchanged by usage, and still gets real key changes', async () => {
    const { cp, authenticator, keys } = await setUp();
    const region = REGIONS[1]!;
    const sink = new RecordingSink();
    const snapshot = await cp.feed.snapshot(region);
    sink.reset({ region, revision: snapshot.revision, time: snapshot.time, records: snapshot.records, windows: cp.feed.windowsAt(cp.clock.now) });
    const replicated = structuredClone([...sink.records]);

    await burst(cp, authenticator, keys, 5);
    await flush(cp, authenticator);
    sink.apply(await cp.feed.changes(region, sink.revision));
    assert.equal(sink.revision, await cp.revision());
    assert.deepEqual([...sink.records], replicated);
    assert.deepEqual(sink.appliedRevisions, []);

    // A change to the key itself still travels, in its own revision.
    await cp.call('UpdateAccessKey', { userName: 'alice', accessKeyId: keys[0]!.accessKeyId, status: 'Inactive' });
    const batch = await cp.feed.changes(region, sink.revision);
    assert.deepEqual(
      batch.changes.map((c) => [c.op, c.kind, c.id]),
      [['put', 'access-key', keys[0]!.accessKeyId]],
    );
    sink.apply(batch);
    assert.equal((sink.get('access-key', keys[0]!.accessKeyId)?.data as { status: string }).status, 'Inactive');
  });
});
