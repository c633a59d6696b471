import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, createHarness, type Harness } from './harness.js';

const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';
const POWER_USER = 'arn:aws:iam::aws:policy/PowerUserAccess';

interface Details {
  userDetailList: Record<string, unknown>[];
  groupDetailList: Record<string, unknown>[];
  roleDetailList: Record<string, unknown>[];
  policies: Record<string, unknown>[];
  isTruncated: boolean;
  marker?: string;
}

/** An account with one of everything: a user in a group with inline, attached and boundary policies, a role. */
async function populated(): Promise<{ h: Harness; policyArn: string }> {
  const h = await createHarness();
  const policyArn = ((await h.call('CreatePolicy', { policyName: 'Mine', path: '/team/', policyDocument: doc('s3:GetObject'), description: 'mine' })) as {
    policy: { arn: string };
  }).policy.arn;
  await h.call('CreatePolicy', { policyName: 'Unused', policyDocument: doc('s3:GetObject') });
  await h.call('CreateUser', { userName: 'alice', tags: [{ key: 'team', value: 'core' }], permissionsBoundary: POWER_USER });
  await h.call('PutUserPolicy', { userName: 'alice', policyName: 'inline', policyDocument: doc('s3:ListBucket') });
  await h.call('AttachUserPolicy', { userName: 'alice', policyArn });
  await h.call('CreateGroup', { groupName: 'Devs' });
  await h.call('AddUserToGroup', { groupName: 'Devs', userName: 'alice' });
  await h.call('PutGroupPolicy', { groupName: 'Devs', policyName: 'group-inline', policyDocument: doc('s3:PutObject') });
  await h.call('CreateRole', { roleName: 'Fn', assumeRolePolicyDocument: TRUST });
  await h.call('AttachRolePolicy', { roleName: 'Fn', policyArn });
  return { h, policyArn };
}

describe('account details', () => {
  it('returns every principal with its policies and the managed policies in use', async () => {
    const { h, policyArn } = await populated();
    const out = (await h.call('GetAccountAuthorizationDetails', {})) as Details;
    assert.equal(out.isTruncated, false);
    assert.deepEqual(
      out.userDetailList.map((u) => u.userName),
      ['admin', 'alice'],
    );
    const alice = out.userDetailList[1];
    assert.match(alice.userId as string, /^AIDA/);
    assert.deepEqual(
      { ...alice, userId: 'X', createDate: 'X' },
      {
        path: '/',
        userName: 'alice',
        userId: 'X',
        arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
        createDate: 'X',
        userPolicyList: [{ policyName: 'inline', policyDocument: doc('s3:ListBucket') }],
        groupList: ['Devs'],
        attachedManagedPolicies: [{ policyName: 'Mine', policyArn }],
        permissionsBoundary: { permissionsBoundaryType: 'PermissionsBoundaryPolicy', permissionsBoundaryArn: POWER_USER },
        tags: [{ key: 'team', value: 'core' }],
      },
    );
    assert.deepEqual(out.groupDetailList.map((g) => [g.groupName, g.groupPolicyList, g.attachedManagedPolicies]), [
      ['Devs', [{ policyName: 'group-inline', policyDocument: doc('s3:PutObject') }], []],
    ]);
    const [role] = out.roleDetailList;
    assert.equal(role.roleName, 'Fn');
    assert.equal(role.assumeRolePolicyDocument, TRUST);
    assert.deepEqual(role.instanceProfileList, []);
    assert.deepEqual(role.rolePolicyList, []);
    assert.deepEqual(role.attachedManagedPolicies, [{ policyName: 'Mine', policyArn }]);
    assert.deepEqual(role.roleLastUsed, {});

    // Every customer managed policy; AWS managed ones only where the account uses them.
    assert.deepEqual(
      out.policies.map((p) => [p.policyName, p.attachmentCount, p.permissionsBoundaryUsageCount]),
      [
        ['AdministratorAccess', 1, 0],
        ['Mine', 2, 0],
        ['PowerUserAccess', 0, 1],
        ['Unused', 0, 0],
      ],
    );
    const mine = out.policies[1];
    assert.equal(mine.description, 'mine');
    assert.equal(mine.tags, undefined);
    assert.deepEqual(mine.policyVersionList, [{ document: doc('s3:GetObject'), versionId: 'v1', isDefaultVersion: true, createDate: '2026-11-21T12:00:00.000Z' }]);
    assert.equal(out.policies[0].arn, ADMIN_POLICY);
  });

  it('filters by entity type', async () => {
    const { h } = await populated();
    const roles = (await h.call('GetAccountAuthorizationDetails', { filter: ['Role'] })) as Details;
    assert.deepEqual([roles.userDetailList.length, roles.groupDetailList.length, roles.roleDetailList.length, roles.policies.length], [0, 0, 1, 0]);
    const aws = (await h.call('GetAccountAuthorizationDetails', { filter: ['AWSManagedPolicy', 'Group'] })) as Details;
    assert.deepEqual(
      aws.policies.map((p) => p.policyName),
      ['AdministratorAccess', 'PowerUserAccess'],
    );
    assert.equal(aws.groupDetailList.length, 1);
    const local = (await h.call('GetAccountAuthorizationDetails', { filter: ['LocalManagedPolicy'] })) as Details;
    assert.deepEqual(
      local.policies.map((p) => p.policyName),
      ['Mine', 'Unused'],
    );
  });

  it('pages through the combined lists with one marker', async () => {
    const { h } = await populated();
    const whole = (await h.call('GetAccountAuthorizationDetails', {})) as Details;
    const merged: Details = { userDetailList: [], groupDetailList: [], roleDetailList: [], policies: [], isTruncated: false, marker: undefined };
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = (await h.call('GetAccountAuthorizationDetails', { maxItems: 3, marker })) as Details;
      merged.userDetailList.push(...page.userDetailList);
      merged.groupDetailList.push(...page.groupDetailList);
      merged.roleDetailList.push(...page.roleDetailList);
      merged.policies.push(...page.policies);
      assert.ok(page.userDetailList.length + page.groupDetailList.length + page.roleDetailList.length + page.policies.length <= 3);
      marker = page.marker;
      pages++;
    } while (marker);
    assert.equal(pages, 3);
    assert.deepEqual(merged, whole);
  });

  it('summarises usage and quotas', async () => {
    const { h, policyArn } = await populated();
    await h.call('CreatePolicyVersion', { policyArn, policyDocument: doc('s3:PutObject') });
    const { summaryMap } = (await h.call('GetAccountSummary', {})) as { summaryMap: Record<string, number> };
    assert.deepEqual(
      {
        Users: summaryMap.Users,
        Groups: summaryMap.Groups,
        Roles: summaryMap.Roles,
        Policies: summaryMap.Policies,
        PolicyVersionsInUse: summaryMap.PolicyVersionsInUse,
        MFADevices: summaryMap.MFADevices,
      },
      { Users: 2, Groups: 1, Roles: 1, Policies: 2, PolicyVersionsInUse: 3, MFADevices: 0 },
    );
    assert.deepEqual(
      {
        UsersQuota: summaryMap.UsersQuota,
        GroupsQuota: summaryMap.GroupsQuota,
        RolesQuota: summaryMap.RolesQuota,
        PoliciesQuota: summaryMap.PoliciesQuota,
        PolicySizeQuota: summaryMap.PolicySizeQuota,
        VersionsPerPolicyQuota: summaryMap.VersionsPerPolicyQuota,
        AccessKeysPerUserQuota: summaryMap.AccessKeysPerUserQuota,
        GroupsPerUserQuota: summaryMap.GroupsPerUserQuota,
        AttachedPoliciesPerUserQuota: summaryMap.AttachedPoliciesPerUserQuota,
        AttachedPoliciesPerGroupQuota: summaryMap.AttachedPoliciesPerGroupQuota,
        AttachedPoliciesPerRoleQuota: summaryMap.AttachedPoliciesPerRoleQuota,
        UserPolicySizeQuota: summaryMap.UserPolicySizeQuota,
        GroupPolicySizeQuota: summaryMap.GroupPolicySizeQuota,
        RolePolicySizeQuota: summaryMap.RolePolicySizeQuota,
        AssumeRolePolicySizeQuota: summaryMap.AssumeRolePolicySizeQuota,
      },
      {
        UsersQuota: 5000,
        GroupsQuota: 300,
        RolesQuota: 1000,
        PoliciesQuota: 1500,
        PolicySizeQuota: 6144,
        VersionsPerPolicyQuota: 5,
        AccessKeysPerUserQuota: 2,
        GroupsPerUserQuota: 10,
        AttachedPoliciesPerUserQuota: 10,
        AttachedPoliciesPerGroupQuota: 10,
        AttachedPoliciesPerRoleQuota: 10,
        UserPolicySizeQuota: 2048,
        GroupPolicySizeQuota: 5120,
        RolePolicySizeQuota: 10240,
        AssumeRolePolicySizeQuota: 2048,
      },
    );
  });

  it('requires permission, which IAMReadOnlyAccess grants', async () => {
    const { h } = await populated();
    await h.call('CreateUser', { userName: 'auditor' });
    const auditor = await h.userCaller('auditor');
    await assert.rejects(h.call('GetAccountAuthorizationDetails', {}, auditor), {
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/auditor is not authorized to perform: iam:GetAccountAuthorizationDetails on resource: * because no identity-based policy allows the iam:GetAccountAuthorizationDetails action`,
    });
    await assert.rejects(h.call('GetAccountSummary', {}, auditor), { code: 'AccessDenied' });
    await h.call('AttachUserPolicy', { userName: 'auditor', policyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' });
    await h.call('GetAccountAuthorizationDetails', {}, auditor);
    await h.call('GetAccountSummary', {}, auditor);
    await assert.rejects(h.call('CreateUser', { userName: 'x' }, auditor), { code: 'AccessDenied' });
  });
});
