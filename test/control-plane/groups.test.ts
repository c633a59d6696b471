import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entityId, KIND, type GroupEntity } from '../../src/core/model/iam-entities.js';
import { ACCOUNT, createHarness, type Harness } from './harness.js';

interface GroupOut {
  path: string;
  groupName: string;
  groupId: string;
  arn: string;
  createDate: string;
}
interface GetGroupOut {
  group: GroupOut;
  users: { userName: string; arn: string; tags?: unknown }[];
  isTruncated: boolean;
  marker?: string;
}
interface ListGroupsOut {
  groups: GroupOut[];
  isTruncated: boolean;
  marker?: string;
}

const ALLOW_CREATE_USER = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' }] });

async function groupRecord(h: Harness, name: string): Promise<GroupEntity | undefined> {
  return h.env.store.read(async (tx) => (await tx.get<GroupEntity>(KIND.group, entityId(ACCOUNT, name)))?.data);
}

describe('groups', () => {
  it('creates, reads, lists and deletes a group in the model shapes', async () => {
    const h = await createHarness();
    const created = (await h.call('CreateGroup', { groupName: 'Admins', path: '/ops/' })) as { group: GroupOut };
    assert.deepEqual(Object.keys(created.group).sort(), ['arn', 'createDate', 'groupId', 'groupName', 'path']);
    assert.equal(created.group.arn, 'arn:aws:iam::123456789012:group/ops/Admins');
    assert.match(created.group.groupId, /^AGPA[A-Z2-7]{17}$/);
    assert.equal(created.group.createDate, '2026-11-21T12:00:00.000Z');
    await assert.rejects(h.call('CreateGroup', { groupName: 'admins' }), { code: 'EntityAlreadyExists', message: 'Group with name admins already exists.' });
    await h.call('CreateGroup', { groupName: 'devs' });

    const got = (await h.call('GetGroup', { groupName: 'ADMINS' })) as GetGroupOut;
    assert.deepEqual(got, { group: created.group, users: [], isTruncated: false, marker: undefined });

    const all = (await h.call('ListGroups')) as ListGroupsOut;
    assert.deepEqual(all.groups.map((g) => g.groupName), ['Admins', 'devs']);
    const ops = (await h.call('ListGroups', { pathPrefix: '/ops/' })) as ListGroupsOut;
    assert.deepEqual(ops.groups.map((g) => g.groupName), ['Admins']);

    await h.call('DeleteGroup', { groupName: 'Admins' });
    await assert.rejects(h.call('GetGroup', { groupName: 'Admins' }), { code: 'NoSuchEntity', message: 'The group with name Admins cannot be found.' });
    await assert.rejects(h.call('DeleteGroup', { groupName: 'Admins' }), { code: 'NoSuchEntity', message: 'The group with name Admins cannot be found.' });
  });

  it('adds and removes members, stored on both sides', async () => {
    const h = await createHarness();
    await h.call('CreateGroup', { groupName: 'devs' });
    await h.call('CreateGroup', { groupName: 'ops' });
    for (const u of ['carol', 'alice', 'bob']) await h.call('CreateUser', { userName: u, tags: [{ key: 'k', value: 'v' }] });
    for (const u of ['carol', 'alice', 'bob']) await h.call('AddUserToGroup', { groupName: 'devs', userName: u });
    await h.call('AddUserToGroup', { groupName: 'ops', userName: 'alice' });
    // Adding again is accepted and changes nothing.
    await h.call('AddUserToGroup', { groupName: 'DEVS', userName: 'ALICE' });

    const devs = (await h.call('GetGroup', { groupName: 'devs' })) as GetGroupOut;
    assert.deepEqual(devs.users.map((u) => u.userName), ['alice', 'bob', 'carol']);
    assert.equal(devs.users[0].arn, 'arn:aws:iam::123456789012:user/alice');
    assert.equal(devs.users[0].tags, undefined);

    const page1 = (await h.call('GetGroup', { groupName: 'devs', maxItems: 2 })) as GetGroupOut;
    assert.deepEqual(page1.users.map((u) => u.userName), ['alice', 'bob']);
    assert.equal(page1.isTruncated, true);
    const page2 = (await h.call('GetGroup', { groupName: 'devs', maxItems: 2, marker: page1.marker })) as GetGroupOut;
    assert.deepEqual(page2.users.map((u) => u.userName), ['carol']);
    assert.equal(page2.isTruncated, false);

    const forAlice = (await h.call('ListGroupsForUser', { userName: 'alice' })) as ListGroupsOut;
    assert.deepEqual(forAlice.groups.map((g) => g.groupName), ['devs', 'ops']);
    assert.deepEqual(Object.keys(forAlice.groups[0]).sort(), ['arn', 'createDate', 'groupId', 'groupName', 'path']);

    await h.call('RemoveUserFromGroup', { groupName: 'devs', userName: 'alice' });
    // Removing a user that is not a member is accepted.
    await h.call('RemoveUserFromGroup', { groupName: 'devs', userName: 'alice' });
    assert.deepEqual(((await h.call('ListGroupsForUser', { userName: 'alice' })) as ListGroupsOut).groups.map((g) => g.groupName), ['ops']);
    assert.deepEqual(((await h.call('GetGroup', { groupName: 'devs' })) as GetGroupOut).users.map((u) => u.userName), ['bob', 'carol']);

    await assert.rejects(h.call('AddUserToGroup', { groupName: 'nope', userName: 'alice' }), { code: 'NoSuchEntity', message: 'The group with name nope cannot be found.' });
    await assert.rejects(h.call('AddUserToGroup', { groupName: 'devs', userName: 'nobody' }), { code: 'NoSuchEntity', message: 'The user with name nobody cannot be found.' });
    await assert.rejects(h.call('RemoveUserFromGroup', { groupName: 'devs', userName: 'nobody' }), { code: 'NoSuchEntity', message: 'The user with name nobody cannot be found.' });
    await assert.rejects(h.call('ListGroupsForUser', { userName: 'nobody' }), { code: 'NoSuchEntity', message: 'The user with name nobody cannot be found.' });
  });

  it('renames and moves a group, keeping its members and policies', async () => {
    const h = await createHarness();
    await h.call('CreateGroup', { groupName: 'devs' });
    await h.call('CreateUser', { userName: 'alice' });
    await h.call('CreateUser', { userName: 'bob' });
    await h.call('AddUserToGroup', { groupName: 'devs', userName: 'alice' });
    await h.call('AddUserToGroup', { groupName: 'devs', userName: 'bob' });
    await h.call('PutGroupPolicy', { groupName: 'devs', policyName: 'create-users', policyDocument: ALLOW_CREATE_USER });
    const before = (await h.call('GetGroup', { groupName: 'devs' })) as GetGroupOut;

    await h.call('UpdateGroup', { groupName: 'devs', newGroupName: 'Engineers', newPath: '/eng/' });
    await assert.rejects(h.call('GetGroup', { groupName: 'devs' }), { code: 'NoSuchEntity', message: 'The group with name devs cannot be found.' });
    const after = (await h.call('GetGroup', { groupName: 'engineers' })) as GetGroupOut;
    assert.equal(after.group.groupName, 'Engineers');
    assert.equal(after.group.arn, 'arn:aws:iam::123456789012:group/eng/Engineers');
    assert.equal(after.group.groupId, before.group.groupId);
    assert.deepEqual(after.users.map((u) => u.userName), ['alice', 'bob']);
    const forBob = (await h.call('ListGroupsForUser', { userName: 'bob' })) as ListGroupsOut;
    assert.deepEqual(forBob.groups.map((g) => g.arn), ['arn:aws:iam::123456789012:group/eng/Engineers']);

    // The group's policy still reaches its members under the new name.
    const alice = await h.userCaller('alice');
    await h.call('CreateUser', { userName: 'made-by-alice' }, alice);

    // Renaming onto an existing group is refused and changes nothing.
    await h.call('CreateGroup', { groupName: 'ops' });
    await assert.rejects(h.call('UpdateGroup', { groupName: 'Engineers', newGroupName: 'OPS' }), { code: 'EntityAlreadyExists', message: 'Group with name OPS already exists.' });
    assert.deepEqual(((await h.call('GetGroup', { groupName: 'Engineers' })) as GetGroupOut).users.map((u) => u.userName), ['alice', 'bob']);

    // A change of case only keeps everything.
    await h.call('UpdateGroup', { groupName: 'engineers', newGroupName: 'ENGINEERS' });
    const recased = (await h.call('GetGroup', { groupName: 'Engineers' })) as GetGroupOut;
    assert.equal(recased.group.groupName, 'ENGINEERS');
    assert.deepEqual(recased.users.map((u) => u.userName), ['alice', 'bob']);

    // Renaming a member keeps the membership too (UpdateUser maintains the same records).
    await h.call('UpdateUser', { userName: 'bob', newUserName: 'robert' });
    assert.deepEqual(((await h.call('GetGroup', { groupName: 'ENGINEERS' })) as GetGroupOut).users.map((u) => u.userName), ['alice', 'robert']);
    await assert.rejects(h.call('DeleteUser', { userName: 'robert' }), { code: 'DeleteConflict', message: 'Cannot delete entity, must remove user from all groups first.' });
    await h.call('RemoveUserFromGroup', { groupName: 'engineers', userName: 'robert' });
    await h.call('DeleteUser', { userName: 'robert' });
  });

  it('refuses to delete a group with members or policies', async () => {
    const h = await createHarness();
    await h.call('CreateGroup', { groupName: 'devs' });
    await h.call('CreateUser', { userName: 'alice' });
    await h.call('AddUserToGroup', { groupName: 'devs', userName: 'alice' });
    await h.call('PutGroupPolicy', { groupName: 'devs', policyName: 'p', policyDocument: ALLOW_CREATE_USER });
    await assert.rejects(h.call('DeleteGroup', { groupName: 'devs' }), { code: 'DeleteConflict', message: 'Cannot delete entity, must remove users from group first.' });
    await h.call('RemoveUserFromGroup', { groupName: 'devs', userName: 'alice' });
    await assert.rejects(h.call('DeleteGroup', { groupName: 'devs' }), { code: 'DeleteConflict', message: 'Cannot delete entity, must delete policies first.' });
    await h.call('DeleteGroupPolicy', { groupName: 'devs', policyName: 'p' });

    // An attached managed policy (written directly: attachments are another area's operations).
    const group = await groupRecord(h, 'devs');
    await h.env.store.write((tx) => tx.put(KIND.group, entityId(ACCOUNT, 'devs'), ACCOUNT, { ...group!, attachedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }));
    h.service.changed();
    await assert.rejects(h.call('DeleteGroup', { groupName: 'devs' }), { code: 'DeleteConflict', message: 'Cannot delete entity, must detach all policies first.' });
    assert.ok(await groupRecord(h, 'devs'), 'a refused delete leaves the group in place');
  });

  it('enforces the GroupsPerUser and GroupsPerAccount quotas', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'alice' });
    for (let i = 0; i < 11; i++) await h.call('CreateGroup', { groupName: `g${String(i).padStart(2, '0')}` });
    for (let i = 0; i < 10; i++) await h.call('AddUserToGroup', { groupName: `g${String(i).padStart(2, '0')}`, userName: 'alice' });
    await assert.rejects(h.call('AddUserToGroup', { groupName: 'g10', userName: 'alice' }), { code: 'LimitExceeded', message: 'Cannot exceed quota for GroupsPerUser: 10' });
    assert.equal(((await h.call('GetGroup', { groupName: 'g10' })) as GetGroupOut).users.length, 0);
    assert.equal(((await h.call('ListGroupsForUser', { userName: 'alice' })) as ListGroupsOut).groups.length, 10);

    // Fill the account up to 300 groups directly, then one more through the API.
    await h.env.store.write(async (tx) => {
      for (let i = 11; i < 300; i++) {
        const name = `g${i}`;
        const group: GroupEntity = { groupName: name, groupId: `AGPA${i}`, path: '/', arn: `arn:aws:iam::${ACCOUNT}:group/${name}`, createDate: '2026-11-21T12:00:00.000Z', attachedPolicies: [], inlinePolicies: {} };
        await tx.put(KIND.group, entityId(ACCOUNT, name), ACCOUNT, group);
      }
    });
    await assert.rejects(h.call('CreateGroup', { groupName: 'one-too-many' }), { code: 'LimitExceeded', message: 'Cannot exceed quota for GroupsPerAccount: 300' });
    assert.equal(await groupRecord(h, 'one-too-many'), undefined);
  });

  it("grants a member the group's inline policy, and takes it away on removal", async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'bob' });
    await h.call('CreateGroup', { groupName: 'creators' });
    const bob = await h.userCaller('bob');
    await assert.rejects(h.call('CreateUser', { userName: 'carol' }, bob), { code: 'AccessDenied' });
    await assert.rejects(h.call('ListGroups', {}, bob), {
      code: 'AccessDenied',
      message: 'User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:ListGroups on resource: arn:aws:iam::123456789012:group/ because no identity-based policy allows the iam:ListGroups action',
    });

    await h.call('AddUserToGroup', { groupName: 'creators', userName: 'bob' });
    await h.call('PutGroupPolicy', { groupName: 'creators', policyName: 'create-users', policyDocument: ALLOW_CREATE_USER });
    await h.call('CreateUser', { userName: 'carol' }, bob);

    await h.call('RemoveUserFromGroup', { groupName: 'creators', userName: 'bob' });
    await assert.rejects(h.call('CreateUser', { userName: 'dave' }, bob), {
      code: 'AccessDenied',
      message: 'User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/dave because no identity-based policy allows the iam:CreateUser action',
    });
  });
});
