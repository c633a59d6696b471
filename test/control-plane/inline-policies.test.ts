import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHarness, type Harness } from './harness.js';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
/** Pretty-printed on purpose: Get*Policy must return the text exactly as it was put. */
const READ_S3 = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" }
  ]
}`;
const ALLOW_CREATE_USER = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' }] });

/** A valid identity policy whose size as AWS counts it (white space aside) is exactly `size`. */
function policyOfSize(size: number, pad = 0): string {
  const base = { Version: '2012-10-17', Statement: [{ Sid: '', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
  const sid = 'S'.repeat(size - JSON.stringify(base).length);
  const text = JSON.stringify({ ...base, Statement: [{ ...base.Statement[0], Sid: sid }] }, null, pad);
  return text;
}

type Kind = 'User' | 'Group' | 'Role';
const FAMILIES: { kind: Kind; key: string; quota: number }[] = [
  { kind: 'User', key: 'userName', quota: 2048 },
  { kind: 'Group', key: 'groupName', quota: 5120 },
  { kind: 'Role', key: 'roleName', quota: 10240 },
];

async function createHolder(h: Harness, kind: Kind, name: string): Promise<void> {
  if (kind === 'User') await h.call('CreateUser', { userName: name });
  else if (kind === 'Group') await h.call('CreateGroup', { groupName: name });
  else await h.call('CreateRole', { roleName: name, assumeRolePolicyDocument: TRUST });
}

for (const { kind, key, quota } of FAMILIES) {
  const lower = kind.toLowerCase();
  describe(`${lower} inline policies`, () => {
    it('puts, gets, lists, replaces and deletes', async () => {
      const h = await createHarness();
      await createHolder(h, kind, 'Holder');
      assert.equal(await h.call(`Put${kind}Policy`, { [key]: 'holder', policyName: 'read', policyDocument: READ_S3 }), undefined);
      await h.call(`Put${kind}Policy`, { [key]: 'Holder', policyName: 'create', policyDocument: ALLOW_CREATE_USER });

      const got = await h.call(`Get${kind}Policy`, { [key]: 'HOLDER', policyName: 'read' });
      assert.deepEqual(got, { [key]: 'Holder', policyName: 'read', policyDocument: READ_S3 });
      assert.deepEqual(await h.call(`List${kind}Policies`, { [key]: 'Holder' }), { policyNames: ['create', 'read'], isTruncated: false, marker: undefined });
      const first = (await h.call(`List${kind}Policies`, { [key]: 'Holder', maxItems: 1 })) as { policyNames: string[]; isTruncated: boolean; marker?: string };
      assert.deepEqual(first.policyNames, ['create']);
      assert.equal(first.isTruncated, true);
      const second = (await h.call(`List${kind}Policies`, { [key]: 'Holder', maxItems: 1, marker: first.marker })) as { policyNames: string[] };
      assert.deepEqual(second.policyNames, ['read']);

      // Putting a policy under an existing name replaces it.
      await h.call(`Put${kind}Policy`, { [key]: 'Holder', policyName: 'read', policyDocument: ALLOW_CREATE_USER });
      assert.equal(((await h.call(`Get${kind}Policy`, { [key]: 'Holder', policyName: 'read' })) as { policyDocument: string }).policyDocument, ALLOW_CREATE_USER);
      assert.deepEqual(((await h.call(`List${kind}Policies`, { [key]: 'Holder' })) as { policyNames: string[] }).policyNames, ['create', 'read']);

      await h.call(`Delete${kind}Policy`, { [key]: 'Holder', policyName: 'read' });
      await assert.rejects(h.call(`Get${kind}Policy`, { [key]: 'Holder', policyName: 'read' }), { code: 'NoSuchEntity', message: `The ${lower} policy with name read cannot be found.` });
      await assert.rejects(h.call(`Delete${kind}Policy`, { [key]: 'Holder', policyName: 'read' }), { code: 'NoSuchEntity', message: `The ${lower} policy with name read cannot be found.` });
      assert.deepEqual(((await h.call(`List${kind}Policies`, { [key]: 'Holder' })) as { policyNames: string[] }).policyNames, ['create']);

      for (const op of [`Put${kind}Policy`, `Get${kind}Policy`, `Delete${kind}Policy`, `List${kind}Policies`]) {
        await assert.rejects(h.call(op, { [key]: 'nobody', policyName: 'p', policyDocument: READ_S3 }), { code: 'NoSuchEntity', message: `The ${lower} with name nobody cannot be found.` });
      }
    });

    it('refuses malformed documents, writing nothing', async () => {
      const h = await createHarness();
      await createHolder(h, kind, 'Holder');
      const withPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }] });
      await assert.rejects(h.call(`Put${kind}Policy`, { [key]: 'Holder', policyName: 'p', policyDocument: withPrincipal }), { code: 'MalformedPolicyDocument', message: 'Policy document should not specify a principal.' });
      await assert.rejects(h.call(`Put${kind}Policy`, { [key]: 'Holder', policyName: 'p', policyDocument: '{"Version": "2012-10-17", ' }), { code: 'MalformedPolicyDocument', message: 'Syntax errors in policy.' });
      assert.deepEqual(((await h.call(`List${kind}Policies`, { [key]: 'Holder' })) as { policyNames: string[] }).policyNames, []);
    });

    it(`counts all of the ${lower}'s inline policies against ${quota} characters, white space aside`, async () => {
      const h = await createHarness();
      await createHolder(h, kind, 'Holder');
      const half = Math.floor(quota / 2);
      // Heavily indented, so only a quota that ignores white space accepts it.
      await h.call(`Put${kind}Policy`, { [key]: 'Holder', policyName: 'a', policyDocument: policyOfSize(half, 40) });
      await h.call(`Put${kind}Policy`, { [key]: 'Holder', policyName: 'b', policyDocument: policyOfSize(quota - half) });
      const message = `Maximum policy size of ${quota} bytes exceeded for ${lower} Holder`;
      await assert.rejects(h.call(`Put${kind}Policy`, { [key]: 'Holder', policyName: 'c', policyDocument: policyOfSize(200) }), { code: 'LimitExceeded', message });
      // Replacing a policy does not count the one it replaces.
      await h.call(`Put${kind}Policy`, { [key]: 'Holder', policyName: 'b', policyDocument: policyOfSize(quota - half) });
      await assert.rejects(h.call(`Put${kind}Policy`, { [key]: 'Holder', policyName: 'b', policyDocument: policyOfSize(quota - half + 1) }), { code: 'LimitExceeded', message });
      assert.deepEqual(((await h.call(`List${kind}Policies`, { [key]: 'Holder' })) as { policyNames: string[] }).policyNames, ['a', 'b']);
      // Room freed by a delete can be used again.
      await h.call(`Delete${kind}Policy`, { [key]: 'Holder', policyName: 'a' });
      await h.call(`Put${kind}Policy`, { [key]: 'Holder', policyName: 'c', policyDocument: policyOfSize(half) });
    });
  });
}

describe('inline policies and authorization', () => {
  it("grants and revokes with a user's own inline policy", async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'bob' });
    const bob = await h.userCaller('bob');
    await assert.rejects(h.call('CreateUser', { userName: 'carol' }, bob), {
      code: 'AccessDenied',
      message: 'User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/carol because no identity-based policy allows the iam:CreateUser action',
    });
    await h.call('PutUserPolicy', { userName: 'bob', policyName: 'create', policyDocument: ALLOW_CREATE_USER });
    await h.call('CreateUser', { userName: 'carol' }, bob);
    // Bob may not manage his own policies: PutUserPolicy is a different action.
    await assert.rejects(h.call('PutUserPolicy', { userName: 'bob', policyName: 'more', policyDocument: READ_S3 }, bob), {
      code: 'AccessDenied',
      message: 'User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:PutUserPolicy on resource: arn:aws:iam::123456789012:user/bob because no identity-based policy allows the iam:PutUserPolicy action',
    });
    await h.call('DeleteUserPolicy', { userName: 'bob', policyName: 'create' });
    await assert.rejects(h.call('CreateUser', { userName: 'dave' }, bob), { code: 'AccessDenied' });
  });

  it('a group inline policy reaches the group members only', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'bob' });
    await h.call('CreateUser', { userName: 'eve' });
    await h.call('CreateGroup', { groupName: 'creators' });
    await h.call('AddUserToGroup', { groupName: 'creators', userName: 'bob' });
    await h.call('PutGroupPolicy', { groupName: 'creators', policyName: 'create', policyDocument: ALLOW_CREATE_USER });
    await h.call('CreateUser', { userName: 'carol' }, await h.userCaller('bob'));
    await assert.rejects(h.call('CreateUser', { userName: 'dave' }, await h.userCaller('eve')), { code: 'AccessDenied' });
    await h.call('DeleteGroupPolicy', { groupName: 'creators', policyName: 'create' });
    await assert.rejects(h.call('CreateUser', { userName: 'dave' }, await h.userCaller('bob')), { code: 'AccessDenied' });
  });
});
