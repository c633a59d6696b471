import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { open } from '../../src/core/crypto/index.js';
import { ControlPlaneFeed, feedWindows } from '../../src/replication/control-plane-feed.js';
import { FeedError } from '../../src/replication/feed-source.js';
import type { FeedChange, ReplicaAccount, ReplicaGroup, ReplicaMfaDevice, ReplicaPolicy, ReplicaRole, ReplicaUser } from '../../src/replication/feed-types.js';
import { ACCOUNT, createControlPlane, createUser, type ControlPlane } from './fixture.js';

const REGION = 'us-east-1';
const DOC = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

/** A promise's state without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

async function allChanges(cp: ControlPlane, after: number, limit: number) {
  const batches = [];
  for (let at = after; ; ) {
    const batch = await cp.feed.changes(REGION, at, { limit });
    if (batch.revision === at) return batches;
    batches.push(batch);
    at = batch.revision;
  }
}

describe('ControlPlaneFeed', () => {
  it('projects every replicated kind, and only what a data plane needs', async () => {
    const cp = await createControlPlane();
    await createUser(cp, 'alice', { password: 'Correct-Horse-Battery-1', mfa: true });
    await cp.call('CreateVirtualMFADevice', { virtualMFADeviceName: 'spare' });
    await cp.call('CreateGroup', { groupName: 'Devs' });
    await cp.call('AddUserToGroup', { groupName: 'Devs', userName: 'alice' });
    await cp.call('PutGroupPolicy', { groupName: 'Devs', policyName: 'logs', policyDocument: DOC('logs:*') });
    const created = (await cp.call('CreatePolicy', { policyName: 'Reader', policyDocument: DOC('s3:GetObject') })) as { policy: { arn: string } };
    await cp.call('CreatePolicyVersion', { policyArn: created.policy.arn, policyDocument: DOC('s3:ListBucket'), setAsDefault: true });
    await cp.call('AttachUserPolicy', { userName: 'alice', policyArn: created.policy.arn });
    await cp.call('UpdateAccountPasswordPolicy', { allowUsersToChangePassword: true });
    await cp.call('CreateAccountAlias', { accountAlias: 'acme' });
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }] });
    await cp.call('CreateRole', { roleName: 'Deployer', assumeRolePolicyDocument: trust, maxSessionDuration: 7200 });

    const snapshot = await cp.feed.snapshot(REGION);
    assert.equal(snapshot.revision, await cp.revision());
    assert.equal(snapshot.region, REGION);
    assert.equal(snapshot.time, '2026-11-21T12:00:00.000Z');
    assert.deepEqual(new Set(snapshot.records.map((r) => r.kind)), new Set(['account', 'user', 'group', 'role', 'policy', 'access-key', 'mfa-device']));
    const find = (kind: string, id: string) => snapshot.records.find((r) => r.kind === kind && r.id === id);

    const user = find('user', `${ACCOUNT}/alice`)!.data as ReplicaUser;
    assert.deepEqual(Object.keys(user).sort(), ['arn', 'attachedPolicies', 'groups', 'inlinePolicies', 'mfaDevices', 'path', 'tags', 'userId', 'userName']);
    assert.deepEqual(user.groups, ['devs']);
    assert.deepEqual(user.attachedPolicies, [created.policy.arn]);
    assert.equal(user.mfaDevices.length, 1);

    const role = find('role', `${ACCOUNT}/deployer`)!.data as ReplicaRole;
    assert.deepEqual(Object.keys(role).sort(), ['arn', 'assumeRolePolicyDocument', 'attachedPolicies', 'inlinePolicies', 'maxSessionDuration', 'path', 'roleId', 'roleName', 'tags']);
    assert.deepEqual([role.assumeRolePolicyDocument, role.maxSessionDuration], [trust, 7200]);

    const group = find('group', `${ACCOUNT}/devs`)!.data as ReplicaGroup;
    assert.deepEqual(group.inlinePolicies, { logs: DOC('logs:*') });

    const policy = find('policy', `${ACCOUNT}/reader`)!.data as ReplicaPolicy;
    assert.deepEqual(policy, { arn: created.policy.arn, policyId: policy.policyId, policyName: 'Reader', defaultVersionId: 'v2', document: DOC('s3:ListBucket') });
    assert.ok(find('policy', 'aws/administratoraccess'), 'AWS managed policies travel under their store id');

    assert.deepEqual(find('account', ACCOUNT)!.data as ReplicaAccount, { accountId: ACCOUNT, alias: 'acme', allowUsersToChangePassword: true });

    const spare = snapshot.records.find((r) => r.kind === 'mfa-device' && (r.data as ReplicaMfaDevice).serialNumber.endsWith('/spare'))!.data;
    assert.deepEqual(spare, { serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/spare` }, 'a device enabled for nobody travels without codes');
  });

  it('sends changes in order, whole revisions per batch, deletes without data, no group membership', async () => {
    const cp = await createControlPlane();
    const start = await cp.revision();
    const alice = await createUser(cp, 'alice');
    await cp.call('CreateGroup', { groupName: 'devs' });
    await cp.call('AddUserToGroup', { groupName: 'devs', userName: 'alice' });
    await cp.call('UpdateAccessKey', { userName: 'alice', accessKeyId: alice.accessKeyId, status: 'Inactive' });
    await cp.call('DeleteAccessKey', { userName: 'alice', accessKeyId: alice.accessKeyId });
    const latest = await cp.revision();

    const whole = await cp.feed.changes(REGION, start, { limit: 10_000 });
    assert.equal(whole.after, start);
    assert.equal(whole.revision, latest);
    assert.equal(whole.latest, latest);
    assert.ok(whole.changes.every((c) => c.kind !== ('group-member' as string)));
    const revisions = whole.changes.map((c) => c.revision);
    assert.deepEqual(revisions, [...revisions].sort((a, b) => a - b));
    const deleted = whole.changes.find((c) => c.op === 'delete' && c.kind === 'access-key')!;
    assert.deepEqual(deleted, { revision: latest, op: 'delete', kind: 'access-key', id: alice.accessKeyId, account: ACCOUNT });

    // One entry per batch: every batch still holds whole revisions, and together they are the same.
    const small = await allChanges(cp, start, 1);
    const joined: FeedChange[] = small.flatMap((b) => b.changes);
    assert.deepEqual(joined, whole.changes);
    for (const batch of small) {
      assert.ok(batch.changes.every((c) => c.revision > batch.after && c.revision <= batch.revision));
      const complete = whole.changes.filter((c) => c.revision > batch.after && c.revision <= batch.revision);
      assert.deepEqual(batch.changes, complete, `batch after ${batch.after} holds whole revisions`);
    }
    assert.equal(small.at(-1)!.revision, latest);
  });

  it('long-polls: answers at once with changes, wakes on a commit, times out empty', async () => {
    const cp = await createControlPlane();
    const latest = await cp.revision();
    assert.equal((await cp.feed.changes(REGION, latest - 1, { waitMs: 60_000 })).revision, latest, 'changes pending: no wait');

    const waiting = cp.feed.changes(REGION, latest, { waitMs: 60_000 });
    assert.equal(await settled(waiting), false);
    cp.feed.notify(); // a commit that changed nothing: keeps waiting
    assert.equal(await settled(waiting), false);
    await cp.call('CreateUser', { userName: 'bob' });
    const woken = await waiting;
    assert.equal(woken.revision, latest + 1);
    assert.deepEqual(woken.changes.map((c) => [c.kind, c.id]), [['user', `${ACCOUNT}/bob`]]);

    const empty = await cp.feed.changes(REGION, latest + 1, { waitMs: 20 });
    assert.deepEqual([empty.after, empty.revision, empty.latest, empty.changes], [latest + 1, latest + 1, latest + 1, []]);
    assert.equal(empty.windows.keyWindow.through, '20261128');
  });

  it('a long-poll ends when its reader aborts, and a reader ahead of the store is answered at once', async () => {
    const cp = await createControlPlane();
    const latest = await cp.revision();
    const aborter = new AbortController();
    const waiting = cp.feed.changes(REGION, latest, { waitMs: 60_000, signal: aborter.signal });
    aborter.abort();
    await assert.rejects(waiting, (err: FeedError) => err instanceof FeedError && err.status === 499);
    const ahead = await cp.feed.changes(REGION, latest + 100, { waitMs: 60_000 });
    assert.deepEqual([ahead.revision, ahead.latest], [latest + 100, latest]);
  });

  it('refuses bad arguments with 400 FeedErrors', async () => {
    const cp = await createControlPlane();
    for (const call of [() => cp.feed.changes('US EAST', 0), () => cp.feed.changes(REGION, -1), () => cp.feed.changes(REGION, 1.5), () => cp.feed.changes(REGION, 0, { limit: 0 }), () => cp.feed.snapshot('')]) {
      await assert.rejects(call, (err: FeedError) => err instanceof FeedError && err.status === 400 && !err.retryable);
    }
  });

  it('renews the windows with the clock, rolling at 00:00 UTC', async () => {
    const cp = await createControlPlane();
    const latest = await cp.revision();
    const before = (await cp.feed.changes(REGION, latest)).windows;
    cp.clock.now = new Date('2026-11-21T23:59:59Z');
    assert.deepEqual((await cp.feed.changes(REGION, latest)).windows, before);
    cp.clock.now = new Date('2026-11-22T00:00:00Z');
    const after = (await cp.feed.changes(REGION, latest)).windows;
    assert.deepEqual(after.keyWindow, { from: '20261121', through: '20261129' });
    assert.equal(after.mfaWindow.fromStep, before.mfaWindow.fromStep + 2880);
    assert.equal(after.tokenKeys[0]!.id, '20261120');
  });

  it('feedWindows: defaults, options and bounds', () => {
    const root = Buffer.alloc(32, 1);
    const now = new Date('2026-11-21T12:00:00Z');
    const midnightStep = Date.parse('2026-11-21T00:00:00Z') / 30_000;
    const w = feedWindows(now, {}, root);
    assert.deepEqual(w.keyWindow, { from: '20261120', through: '20261128' });
    assert.deepEqual(w.mfaWindow, { fromStep: midnightStep - 1, throughStep: midnightStep + 48 * 120 - 1 });
    assert.equal(w.tokenKeys.length, 10);
    assert.deepEqual(w.tokenKeys[2], { id: '20261121', key: w.tokenKeys[2]!.key, issueFrom: '2026-11-21T00:00:00.000Z', issueUntil: '2026-11-22T00:00:00.000Z', verifyUntil: '2026-11-23T12:00:00.000Z' });
    const custom = feedWindows(now, { keyWindowDays: 2, tokenWindowDays: 0, mfaWindowHours: 24 }, root);
    assert.deepEqual(custom.keyWindow, { from: '20261120', through: '20261123' });
    assert.equal(custom.tokenKeys.at(-1)!.id, '20261122', 'token window never under one day');
    assert.equal(custom.mfaWindow.throughStep, midnightStep + 24 * 120 - 1);
    assert.throws(() => feedWindows(now, { mfaWindowHours: 12 }, root), RangeError);
    assert.throws(() => feedWindows(now, { keyWindowDays: -1 }, root), RangeError);
  });

  it('derives access-key material once per key, region and window', async () => {
    const cp = await createControlPlane();
    await createUser(cp, 'alice');
    let opened = 0;
    const feed = new ControlPlaneFeed({
      store: cp.env.store,
      now: () => cp.clock.now,
      tokenRoot: cp.tokenRoot,
      secretOf: (key) => {
        opened++;
        return open(cp.env.secretsKey, key.sealedSecret, key.accessKeyId);
      },
      mfaSeedOf: () => {
        throw new Error('no devices here');
      },
    });
    const keys = 2; // the administrator's and alice's
    const [a, b] = await Promise.all([feed.snapshot(REGION), feed.snapshot(REGION)]);
    assert.equal(a, b, 'concurrent snapshots of a region share one build');
    assert.equal(opened, keys);
    await feed.snapshot(REGION);
    assert.equal(opened, keys, 'a second snapshot reuses the derived keys');
    await feed.snapshot('eu-west-1');
    assert.equal(opened, keys * 2, 'another region derives its own');
    cp.clock.now = new Date('2026-11-22T00:00:01Z');
    await feed.snapshot(REGION);
    assert.equal(opened, keys * 3, 'a new window derives again');
  });
});
