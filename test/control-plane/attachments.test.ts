import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Caller } from '../../src/control-plane/context.js';
import { entityId, KIND, type ManagedPolicyEntity } from '../../src/core/model/iam-entities.js';
import { ACCOUNT, createHarness, type Harness } from './harness.js';

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (action: string | string[], resource = '*', extra: object = {}) => ({ Effect: 'Allow', Action: action, Resource: resource, ...extra });
const TRUST = doc([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';

async function createPolicy(h: Harness, name: string, document: string, path = '/') {
  return ((await h.call('CreatePolicy', { policyName: name, path, policyDocument: document })) as { policy: { arn: string } }).policy.arn;
}
async function attachmentCount(h: Harness, arn: string) {
  return ((await h.call('GetPolicy', { policyArn: arn })) as { policy: { attachmentCount: number } }).policy.attachmentCount;
}
async function attached(h: Harness, kind: 'User' | 'Group' | 'Role', name: string, extra: Record<string, unknown> = {}) {
  const out = (await h.call(`ListAttached${kind}Policies`, { [`${kind.toLowerCase()}Name`]: name, ...extra })) as { attachedPolicies: { policyName: string; policyArn: string }[] };
  return out.attachedPolicies.map((p) => p.policyName);
}
async function denied(h: Harness, operation: string, input: Record<string, unknown>, caller: Caller) {
  try {
    await h.call(operation, input, caller);
    return false;
  } catch (e) {
    return (e as { code?: string }).code === 'AccessDenied';
  }
}

describe('managed policy attachments', () => {
  it('grants what an attached policy allows, until it is detached', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'bob' });
    const bob = await h.userCaller('bob');
    const arn = await createPolicy(h, 'ListUsersOnly', doc([allow('iam:ListUsers')]));

    await assert.rejects(h.call('ListUsers', {}, bob), {
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action`,
    });
    await h.call('AttachUserPolicy', { userName: 'bob', policyArn: arn });
    await h.call('ListUsers', {}, bob);
    assert.equal(await attachmentCount(h, arn), 1);
    assert.deepEqual(await attached(h, 'User', 'bob'), ['ListUsersOnly']);

    await h.call('DetachUserPolicy', { userName: 'bob', policyArn: arn });
    assert.equal(await denied(h, 'ListUsers', {}, bob), true);
    assert.equal(await attachmentCount(h, arn), 0);
    assert.deepEqual(await attached(h, 'User', 'bob'), []);
  });

  it('is limited by a permissions boundary', async () => {
    const h = await createHarness();
    const boundary = await createPolicy(h, 'GetOnly', doc([allow('iam:Get*')]));
    await h.call('CreateUser', { userName: 'ops', permissionsBoundary: boundary });
    await h.call('AttachUserPolicy', { userName: 'ops', policyArn: ADMIN_POLICY });
    const ops = await h.userCaller('ops');
    await h.call('GetUser', { userName: 'ops' }, ops);
    await assert.rejects(h.call('CreateUser', { userName: 'new' }, ops), {
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/ops is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/new because no permissions boundary allows the iam:CreateUser action`,
    });
  });

  it("answers AWS's errors and changes nothing when it refuses", async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'bob' });
    const missing = `arn:aws:iam::${ACCOUNT}:policy/Missing`;
    await assert.rejects(h.call('AttachUserPolicy', { userName: 'bob', policyArn: missing }), {
      code: 'NoSuchEntity',
      message: `Policy ${missing} does not exist or is not attachable.`,
    });
    await assert.rejects(h.call('AttachUserPolicy', { userName: 'bob', policyArn: 'arn:aws:s3:::bucket' }), { code: 'InvalidInput', message: 'ARN arn:aws:s3:::bucket is not valid.' });
    await assert.rejects(h.call('AttachUserPolicy', { userName: 'nobody', policyArn: ADMIN_POLICY }), {
      code: 'NoSuchEntity',
      message: 'The user with name nobody cannot be found.',
    });
    await assert.rejects(h.call('DetachUserPolicy', { userName: 'bob', policyArn: ADMIN_POLICY }), {
      code: 'NoSuchEntity',
      message: `Policy ${ADMIN_POLICY} was not found.`,
    });

    // A policy of another account is neither visible nor attachable, even when it exists.
    const foreign = 'arn:aws:iam::999999999999:policy/Theirs';
    await h.env.store.write(async (tx) => {
      const mine = await tx.get<ManagedPolicyEntity>(KIND.policy, entityId('aws', 'ReadOnlyAccess'));
      await tx.put(KIND.policy, entityId('999999999999', 'Theirs'), '999999999999', { ...mine!.data, policyName: 'Theirs', arn: foreign });
    });
    await assert.rejects(h.call('AttachUserPolicy', { userName: 'bob', policyArn: foreign }), { code: 'NoSuchEntity', message: `Policy ${foreign} does not exist or is not attachable.` });
    await assert.rejects(h.call('GetPolicy', { policyArn: foreign }), { code: 'NoSuchEntity' });

    // Attaching twice is accepted and counted once.
    const arn = await createPolicy(h, 'P0', doc([allow('s3:GetObject')]));
    await h.call('AttachUserPolicy', { userName: 'bob', policyArn: arn });
    await h.call('AttachUserPolicy', { userName: 'bob', policyArn: arn });
    assert.equal(await attachmentCount(h, arn), 1);

    // Ten managed policies per user.
    for (let i = 1; i < 10; i++) await h.call('AttachUserPolicy', { userName: 'bob', policyArn: await createPolicy(h, `P${i}`, doc([allow('s3:GetObject')])) });
    const eleventh = await createPolicy(h, 'P10', doc([allow('s3:GetObject')]));
    await assert.rejects(h.call('AttachUserPolicy', { userName: 'bob', policyArn: eleventh }), {
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for PoliciesPerUser: 10',
    });
    assert.equal((await attached(h, 'User', 'bob')).length, 10);
    assert.equal(await attachmentCount(h, eleventh), 0);

    await assert.rejects(h.call('DeleteUser', { userName: 'bob' }), { code: 'DeleteConflict', message: 'Cannot delete entity, must detach all policies first.' });
  });

  it('attaches to groups (granting their members) and roles', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'member' });
    await h.call('CreateGroup', { groupName: 'Readers' });
    await h.call('AddUserToGroup', { groupName: 'Readers', userName: 'member' });
    await h.call('CreateRole', { roleName: 'App', path: '/apps/', assumeRolePolicyDocument: TRUST });
    const member = await h.userCaller('member');
    const arn = await createPolicy(h, 'ListGroups', doc([allow('iam:ListGroups')]), '/team/');

    assert.equal(await denied(h, 'ListGroups', {}, member), true);
    await h.call('AttachGroupPolicy', { groupName: 'Readers', policyArn: arn });
    await h.call('ListGroups', {}, member);
    await h.call('AttachRolePolicy', { roleName: 'App', policyArn: arn });
    await h.call('AttachRolePolicy', { roleName: 'App', policyArn: ADMIN_POLICY });
    assert.equal(await attachmentCount(h, arn), 2);
    // AWS managed policies report their use in this account.
    assert.equal(await attachmentCount(h, ADMIN_POLICY), 2);

    assert.deepEqual(await attached(h, 'Group', 'Readers'), ['ListGroups']);
    assert.deepEqual(await attached(h, 'Role', 'App'), ['ListGroups', 'AdministratorAccess']);
    assert.deepEqual(await attached(h, 'Role', 'App', { pathPrefix: '/team/' }), ['ListGroups']);
    const page = (await h.call('ListAttachedRolePolicies', { roleName: 'App', maxItems: 1 })) as { attachedPolicies: unknown[]; isTruncated: boolean; marker: string };
    assert.equal(page.isTruncated, true);
    const rest = (await h.call('ListAttachedRolePolicies', { roleName: 'App', marker: page.marker })) as { attachedPolicies: { policyArn: string }[] };
    assert.deepEqual(rest.attachedPolicies, [{ policyName: 'AdministratorAccess', policyArn: ADMIN_POLICY }]);

    await assert.rejects(h.call('DeletePolicy', { policyArn: arn }), { code: 'DeleteConflict' });
    await assert.rejects(h.call('DetachGroupPolicy', { groupName: 'Readers', policyArn: ADMIN_POLICY }), { code: 'NoSuchEntity' });
    await h.call('DetachGroupPolicy', { groupName: 'Readers', policyArn: arn });
    await h.call('DetachRolePolicy', { roleName: 'App', policyArn: arn });
    assert.equal(await denied(h, 'ListGroups', {}, member), true);
    await h.call('DeletePolicy', { policyArn: arn });
  });

  it('lists the entities that use a policy', async () => {
    const h = await createHarness();
    const arn = await createPolicy(h, 'Shared', doc([allow('s3:GetObject')]));
    await h.call('CreateUser', { userName: 'u1', path: '/eng/' });
    await h.call('CreateUser', { userName: 'u2' });
    await h.call('CreateUser', { userName: 'u3', permissionsBoundary: arn });
    await h.call('CreateGroup', { groupName: 'g1' });
    await h.call('CreateRole', { roleName: 'r1', assumeRolePolicyDocument: TRUST });
    for (const [kind, key, name] of [
      ['User', 'userName', 'u1'],
      ['User', 'userName', 'u2'],
      ['Group', 'groupName', 'g1'],
      ['Role', 'roleName', 'r1'],
    ]) {
      await h.call(`Attach${kind}Policy`, { [key]: name, policyArn: arn });
    }
    type Out = { policyGroups: { groupName: string; groupId: string }[]; policyUsers: { userName: string }[]; policyRoles: { roleName: string }[]; isTruncated: boolean; marker?: string };
    const names = (o: Out) => [...o.policyGroups.map((g) => g.groupName), ...o.policyUsers.map((u) => u.userName), ...o.policyRoles.map((r) => r.roleName)];
    const list = async (input: Record<string, unknown>) => (await h.call('ListEntitiesForPolicy', { policyArn: arn, ...input })) as Out;

    const all = await list({});
    assert.deepEqual(names(all), ['g1', 'u1', 'u2', 'u3', 'r1']);
    assert.match(all.policyGroups[0].groupId, /^AGPA/);
    assert.deepEqual(names(await list({ entityFilter: 'User' })), ['u1', 'u2', 'u3']);
    assert.deepEqual(names(await list({ policyUsageFilter: 'PermissionsPolicy' })), ['g1', 'u1', 'u2', 'r1']);
    assert.deepEqual(names(await list({ policyUsageFilter: 'PermissionsBoundary' })), ['u3']);
    assert.deepEqual(names(await list({ pathPrefix: '/eng/' })), ['u1']);
    assert.deepEqual(names(await list({ entityFilter: 'LocalManagedPolicy' })), []);

    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await list({ maxItems: 2, marker });
      seen.push(...names(page));
      marker = page.marker;
    } while (marker);
    assert.deepEqual(seen, ['g1', 'u1', 'u2', 'u3', 'r1']);

    await assert.rejects(h.call('ListEntitiesForPolicy', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/Nope` }), {
      code: 'NoSuchEntity',
      message: `Policy arn:aws:iam::${ACCOUNT}:policy/Nope was not found.`,
    });
  });

  it('sets iam:PolicyARN and iam:PermissionsBoundary for delegated administrators', async () => {
    const h = await createHarness();
    const allowed = await createPolicy(h, 'Allowed', doc([allow('s3:GetObject')]));
    const other = await createPolicy(h, 'Other', doc([allow('s3:GetObject')]));
    const boundary = await createPolicy(h, 'Boundary', doc([allow('s3:*')]));
    // The delegate may attach only `Allowed`, and only to users that carry `Boundary`.
    const delegation = await createPolicy(
      h,
      'Delegation',
      doc([
        allow('iam:AttachUserPolicy', `arn:aws:iam::${ACCOUNT}:user/*`, {
          Condition: { ArnEquals: { 'iam:PolicyARN': allowed, 'iam:PermissionsBoundary': boundary } },
        }),
      ]),
    );
    await h.call('CreateUser', { userName: 'delegate' });
    await h.call('AttachUserPolicy', { userName: 'delegate', policyArn: delegation });
    await h.call('CreateUser', { userName: 'bounded', permissionsBoundary: boundary });
    await h.call('CreateUser', { userName: 'free' });
    const delegate = await h.userCaller('delegate');

    await h.call('AttachUserPolicy', { userName: 'bounded', policyArn: allowed }, delegate);
    assert.equal(await denied(h, 'AttachUserPolicy', { userName: 'bounded', policyArn: other }, delegate), true);
    assert.equal(await denied(h, 'AttachUserPolicy', { userName: 'free', policyArn: allowed }, delegate), true);
    assert.deepEqual(await attached(h, 'User', 'bounded'), ['Allowed']);
    assert.deepEqual(await attached(h, 'User', 'free'), []);
  });
});
