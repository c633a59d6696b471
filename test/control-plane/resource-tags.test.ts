import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Caller } from '../../src/control-plane/context.js';
import { ACCOUNT, createHarness, type Harness } from './harness.js';

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const TRUST = doc([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]);

/** A user with one inline policy, and the caller signed as it. */
async function userWithPolicy(h: Harness, userName: string, statements: object[], tags: { key: string; value: string }[] = []): Promise<Caller> {
  await h.call('CreateUser', { userName, tags });
  await h.call('PutUserPolicy', { userName, policyName: 'p', policyDocument: doc(statements) });
  return h.userCaller(userName);
}

async function deniedWith(h: Harness, operation: string, input: Record<string, unknown>, caller: Caller): Promise<string | undefined> {
  try {
    await h.call(operation, input, caller);
    return undefined;
  } catch (e) {
    assert.equal((e as { code?: string }).code, 'AccessDenied', String(e));
    return (e as Error).message;
  }
}

describe('resource tags of IAM resources in authorization', () => {
  it('sets aws:ResourceTag for a role, so a Deny on a protected role holds', async () => {
    const h = await createHarness();
    const ops = await userWithPolicy(h, 'ops', [
      { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: ['iam:DeleteRole', 'iam:UntagRole', 'iam:TagRole'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/protected': 'true' } } },
    ]);
    await h.call('CreateRole', { roleName: 'guarded', assumeRolePolicyDocument: TRUST, tags: [{ key: 'protected', value: 'true' }] });
    await h.call('CreateRole', { roleName: 'plain', assumeRolePolicyDocument: TRUST });

    assert.equal(
      await deniedWith(h, 'DeleteRole', { roleName: 'guarded' }, ops),
      `User: arn:aws:iam::${ACCOUNT}:user/ops is not authorized to perform: iam:DeleteRole on resource: arn:aws:iam::${ACCOUNT}:role/guarded with an explicit deny in an identity-based policy`,
    );
    assert.ok(await deniedWith(h, 'UntagRole', { roleName: 'guarded', tagKeys: ['protected'] }, ops));
    await h.call('DeleteRole', { roleName: 'plain' }, ops);
    // The role is still there and still protected.
    const tags = (await h.call('ListRoleTags', { roleName: 'guarded' })) as { tags: { key: string; value: string }[] };
    assert.deepEqual(tags.tags, [{ key: 'protected', value: 'true' }]);
  });

  it('sets iam:ResourceTag for users, for attribute-based access with aws:PrincipalTag', async () => {
    const h = await createHarness();
    const alice = await userWithPolicy(
      h,
      'alice',
      [{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:TagUser'], Resource: `arn:aws:iam::${ACCOUNT}:user/*`, Condition: { StringEquals: { 'iam:ResourceTag/team': '${aws:PrincipalTag/team}' } } }],
      [{ key: 'team', value: 'red' }],
    );
    await h.call('CreateUser', { userName: 'red1', path: '/staff/', tags: [{ key: 'team', value: 'red' }] });
    await h.call('CreateUser', { userName: 'blue1', tags: [{ key: 'team', value: 'blue' }] });
    await h.call('CreateUser', { userName: 'untagged' });

    await h.call('GetUser', { userName: 'red1' }, alice);
    assert.ok(await deniedWith(h, 'GetUser', { userName: 'blue1' }, alice));
    assert.ok(await deniedWith(h, 'GetUser', { userName: 'untagged' }, alice));
    // A tagging call is authorized against the tags the user has before it.
    assert.ok(await deniedWith(h, 'TagUser', { userName: 'blue1', tags: [{ key: 'team', value: 'red' }] }, alice));
    await h.call('TagUser', { userName: 'red1', tags: [{ key: 'team', value: 'blue' }] }, alice);
    assert.ok(await deniedWith(h, 'GetUser', { userName: 'red1' }, alice));
  });

  it('sets aws:ResourceTag but not iam:ResourceTag for managed policies, as the reference lists them', async () => {
    const h = await createHarness();
    const ops = await userWithPolicy(h, 'ops', [
      { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: 'iam:DeletePolicy', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/keep': 'yes' } } },
      { Effect: 'Deny', Action: 'iam:CreatePolicyVersion', Resource: '*', Condition: { StringEquals: { 'iam:ResourceTag/keep': 'yes' } } },
    ]);
    const create = async (name: string, tags: object[]) =>
      ((await h.call('CreatePolicy', { policyName: name, policyDocument: doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]), tags })) as { policy: { arn: string } }).policy.arn;
    const kept = await create('Kept', [{ key: 'keep', value: 'yes' }]);
    const loose = await create('Loose', []);

    assert.ok(await deniedWith(h, 'DeletePolicy', { policyArn: kept }, ops));
    await h.call('DeletePolicy', { policyArn: loose }, ops);
    // iam:ResourceTag is not a key of the policy resource type: the Deny on it never applies.
    await h.call('CreatePolicyVersion', { policyArn: kept, policyDocument: doc([{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }]) }, ops);
  });

  it('sets aws:ResourceTag for virtual MFA devices', async () => {
    const h = await createHarness();
    const ops = await userWithPolicy(h, 'ops', [
      { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: 'iam:DeleteVirtualMFADevice', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/owner': 'security' } } },
    ]);
    const create = async (name: string, tags: object[]) =>
      ((await h.call('CreateVirtualMFADevice', { virtualMFADeviceName: name, tags })) as { virtualMFADevice: { serialNumber: string } }).virtualMFADevice.serialNumber;
    const owned = await create('owned', [{ key: 'owner', value: 'security' }]);
    const spare = await create('spare', []);

    assert.ok(await deniedWith(h, 'DeleteVirtualMFADevice', { serialNumber: owned }, ops));
    await h.call('DeleteVirtualMFADevice', { serialNumber: spare }, ops);
  });

  it('sets no resource tags for a resource that does not exist yet', async () => {
    const h = await createHarness();
    // Allowed only where the target user has team=red: creating one is not such a request.
    const lead = await userWithPolicy(h, 'lead', [{ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'red' } } }]);
    assert.ok(await deniedWith(h, 'CreateUser', { userName: 'new', tags: [{ key: 'team', value: 'red' }] }, lead));
  });
});
