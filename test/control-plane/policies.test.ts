import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entityId, KIND, type ManagedPolicyEntity } from '../../src/core/model/iam-entities.js';
import { ACCOUNT, createHarness, type Harness } from './harness.js';

const doc = (action: string | string[], resource = '*') => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
const arnOf = (name: string, path = '/') => `arn:aws:iam::${ACCOUNT}:policy${path}${name}`;
const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';

interface PolicyOut {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  defaultVersionId: string;
  attachmentCount: number;
  permissionsBoundaryUsageCount: number;
  isAttachable: boolean;
  description?: string;
  createDate: string;
  updateDate: string;
  tags?: { key: string; value: string }[];
}
interface VersionOut {
  document?: string;
  versionId: string;
  isDefaultVersion: boolean;
  createDate: string;
}

async function getPolicy(h: Harness, arn: string) {
  return ((await h.call('GetPolicy', { policyArn: arn })) as { policy: PolicyOut }).policy;
}
async function listNames(h: Harness, input: Record<string, unknown>) {
  return ((await h.call('ListPolicies', input)) as { policies: PolicyOut[] }).policies.map((p) => p.policyName);
}
async function versionIds(h: Harness, arn: string) {
  return ((await h.call('ListPolicyVersions', { policyArn: arn })) as { versions: VersionOut[] }).versions.map((v) => `${v.versionId}${v.isDefaultVersion ? '*' : ''}`);
}
/** Whether `caller` may call `operation` (any error other than AccessDenied counts as allowed). */
async function allowed(h: Harness, operation: string, input: Record<string, unknown>, caller: Awaited<ReturnType<Harness['userCaller']>>) {
  try {
    await h.call(operation, input, caller);
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === 'AccessDenied') return false;
    return true;
  }
}

describe('managed policies', () => {
  it('creates, reads, lists and deletes a customer managed policy', async () => {
    const h = await createHarness();
    const created = (await h.call('CreatePolicy', {
      policyName: 'Readers',
      path: '/team/',
      policyDocument: doc('iam:Get*'),
      description: 'read things',
      tags: [{ key: 'team', value: 'core' }],
    })) as { policy: PolicyOut };
    assert.match(created.policy.policyId, /^ANPA[A-Z2-7]{17}$/);
    assert.deepEqual(
      { ...created.policy, policyId: 'X' },
      {
        policyName: 'Readers',
        policyId: 'X',
        arn: arnOf('Readers', '/team/'),
        path: '/team/',
        defaultVersionId: 'v1',
        attachmentCount: 0,
        permissionsBoundaryUsageCount: 0,
        isAttachable: true,
        description: 'read things',
        createDate: '2026-11-21T12:00:00.000Z',
        updateDate: '2026-11-21T12:00:00.000Z',
        tags: [{ key: 'team', value: 'core' }],
      },
    );
    assert.deepEqual(await getPolicy(h, created.policy.arn), created.policy);

    // Names are unique per account whatever the path and case.
    await assert.rejects(h.call('CreatePolicy', { policyName: 'READERS', policyDocument: doc('iam:Get*') }), {
      code: 'EntityAlreadyExists',
      message: 'A policy called READERS already exists. Duplicate names are not allowed.',
    });

    // ListPolicies leaves out Description and Tags, as AWS does.
    const listed = (await h.call('ListPolicies', { scope: 'Local' })) as { policies: PolicyOut[]; isTruncated: boolean };
    assert.equal(listed.isTruncated, false);
    assert.equal(listed.policies.length, 1);
    assert.equal(listed.policies[0].description, undefined);
    assert.equal(listed.policies[0].tags, undefined);
    assert.deepEqual(await listNames(h, { scope: 'Local', pathPrefix: '/other/' }), []);

    await h.call('DeletePolicy', { policyArn: created.policy.arn });
    await assert.rejects(h.call('GetPolicy', { policyArn: created.policy.arn }), {
      code: 'NoSuchEntity',
      message: `Policy ${arnOf('Readers', '/team/')} was not found.`,
    });
    await assert.rejects(h.call('DeletePolicy', { policyArn: created.policy.arn }), { code: 'NoSuchEntity' });
    await assert.rejects(h.call('GetPolicy', { policyArn: 'not-an-arn' }), { code: 'InvalidInput', message: 'ARN not-an-arn is not valid.' });
  });

  it('refuses a malformed document and writes nothing', async () => {
    const h = await createHarness();
    await assert.rejects(h.call('CreatePolicy', { policyName: 'Bad', policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}' }), {
      code: 'MalformedPolicyDocument',
    });
    await assert.rejects(h.call('CreatePolicy', { policyName: 'Bad', policyDocument: 'not json' }), { code: 'MalformedPolicyDocument' });
    assert.deepEqual(await listNames(h, { scope: 'Local' }), []);
  });

  it('enforces the customer managed policy quota', async () => {
    const h = await createHarness();
    // Seed the quota directly: 1,500 API calls would only slow the test down.
    await h.env.store.write(async (tx) => {
      for (let i = 0; i < 1500; i++) {
        const name = `p${i}`;
        const policy: ManagedPolicyEntity = {
          policyName: name,
          policyId: `ANPA${String(i).padStart(17, 'A')}`,
          arn: arnOf(name),
          path: '/',
          defaultVersionId: 'v1',
          attachmentCount: 0,
          permissionsBoundaryUsageCount: 0,
          isAttachable: true,
          createDate: '2026-01-01T00:00:00Z',
          updateDate: '2026-01-01T00:00:00Z',
          tags: [],
          versions: [{ versionId: 'v1', document: doc('s3:GetObject'), isDefaultVersion: true, createDate: '2026-01-01T00:00:00Z' }],
          nextVersion: 2,
        };
        await tx.put(KIND.policy, entityId(ACCOUNT, name), ACCOUNT, policy);
      }
    });
    await assert.rejects(h.call('CreatePolicy', { policyName: 'OneTooMany', policyDocument: doc('s3:GetObject') }), {
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for PoliciesPerAccount: 1500',
    });
  });

  it('keeps versions: v1, v2... never reused, at most five, newest first', async () => {
    const h = await createHarness();
    const arn = ((await h.call('CreatePolicy', { policyName: 'P', policyDocument: doc('s3:GetObject') })) as { policy: PolicyOut }).policy.arn;
    h.clock.now = new Date('2026-11-22T00:00:00Z');
    const v2 = (await h.call('CreatePolicyVersion', { policyArn: arn, policyDocument: doc('s3:PutObject') })) as { policyVersion: VersionOut };
    // CreatePolicyVersion does not echo the document; a non-default version leaves UpdateDate alone.
    assert.deepEqual(v2.policyVersion, { document: undefined, versionId: 'v2', isDefaultVersion: false, createDate: '2026-11-22T00:00:00.000Z' });
    assert.equal((await getPolicy(h, arn)).updateDate, '2026-11-21T12:00:00.000Z');

    h.clock.now = new Date('2026-11-23T00:00:00Z');
    await h.call('CreatePolicyVersion', { policyArn: arn, policyDocument: doc('s3:ListBucket'), setAsDefault: true });
    const policy = await getPolicy(h, arn);
    assert.equal(policy.defaultVersionId, 'v3');
    assert.equal(policy.updateDate, '2026-11-23T00:00:00.000Z');
    assert.deepEqual(await versionIds(h, arn), ['v3*', 'v2', 'v1']);

    const v1 = (await h.call('GetPolicyVersion', { policyArn: arn, versionId: 'v1' })) as { policyVersion: VersionOut };
    assert.deepEqual(v1.policyVersion, { document: doc('s3:GetObject'), versionId: 'v1', isDefaultVersion: false, createDate: '2026-11-21T12:00:00.000Z' });
    await assert.rejects(h.call('GetPolicyVersion', { policyArn: arn, versionId: 'v9' }), { code: 'NoSuchEntity', message: `Policy ${arn} version v9 does not exist.` });

    await h.call('CreatePolicyVersion', { policyArn: arn, policyDocument: doc('s3:GetObject') });
    await h.call('CreatePolicyVersion', { policyArn: arn, policyDocument: doc('s3:GetObject') });
    await assert.rejects(h.call('CreatePolicyVersion', { policyArn: arn, policyDocument: doc('s3:GetObject'), setAsDefault: true }), {
      code: 'LimitExceeded',
      message: 'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    });
    assert.deepEqual(await versionIds(h, arn), ['v5', 'v4', 'v3*', 'v2', 'v1']);

    await assert.rejects(h.call('DeletePolicyVersion', { policyArn: arn, versionId: 'v3' }), {
      code: 'DeleteConflict',
      message: 'Cannot delete the default version of a policy.',
    });
    await h.call('DeletePolicyVersion', { policyArn: arn, versionId: 'v5' });
    await assert.rejects(h.call('DeletePolicyVersion', { policyArn: arn, versionId: 'v5' }), { code: 'NoSuchEntity' });
    await h.call('CreatePolicyVersion', { policyArn: arn, policyDocument: doc('s3:GetObject') });
    assert.deepEqual(await versionIds(h, arn), ['v6', 'v4', 'v3*', 'v2', 'v1']);

    // Pagination walks the same order.
    const first = (await h.call('ListPolicyVersions', { policyArn: arn, maxItems: 2 })) as { versions: VersionOut[]; isTruncated: boolean; marker?: string };
    const second = (await h.call('ListPolicyVersions', { policyArn: arn, maxItems: 10, marker: first.marker })) as { versions: VersionOut[] };
    assert.equal(first.isTruncated, true);
    assert.deepEqual([...first.versions, ...second.versions].map((v) => v.versionId), ['v6', 'v4', 'v3', 'v2', 'v1']);

    await h.call('SetDefaultPolicyVersion', { policyArn: arn, versionId: 'v1' });
    assert.deepEqual(await versionIds(h, arn), ['v6', 'v4', 'v3', 'v2', 'v1*']);
    await assert.rejects(h.call('SetDefaultPolicyVersion', { policyArn: arn, versionId: 'v5' }), { code: 'NoSuchEntity' });
  });

  it('switching the default version changes what the policy allows', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'bob' });
    const bob = await h.userCaller('bob');
    const arn = ((await h.call('CreatePolicy', { policyName: 'Bob', policyDocument: doc('iam:ListUsers') })) as { policy: PolicyOut }).policy.arn;
    await h.call('AttachUserPolicy', { userName: 'bob', policyArn: arn });
    assert.equal(await allowed(h, 'ListUsers', {}, bob), true);
    assert.equal(await allowed(h, 'ListGroups', {}, bob), false);

    // A new version that is not the default changes nothing.
    await h.call('CreatePolicyVersion', { policyArn: arn, policyDocument: doc('iam:ListGroups') });
    assert.equal(await allowed(h, 'ListUsers', {}, bob), true);
    assert.equal(await allowed(h, 'ListGroups', {}, bob), false);

    await h.call('SetDefaultPolicyVersion', { policyArn: arn, versionId: 'v2' });
    assert.equal(await allowed(h, 'ListUsers', {}, bob), false);
    assert.equal(await allowed(h, 'ListGroups', {}, bob), true);

    await h.call('SetDefaultPolicyVersion', { policyArn: arn, versionId: 'v1' });
    assert.equal(await allowed(h, 'ListUsers', {}, bob), true);
    assert.equal(await allowed(h, 'ListGroups', {}, bob), false);
  });

  it('refuses to delete a policy in use or with versions', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'bob' });
    const arn = ((await h.call('CreatePolicy', { policyName: 'P', policyDocument: doc('s3:GetObject') })) as { policy: PolicyOut }).policy.arn;
    const attached = { code: 'DeleteConflict', message: 'Cannot delete a policy attached to entities.' };

    await h.call('AttachUserPolicy', { userName: 'bob', policyArn: arn });
    await assert.rejects(h.call('DeletePolicy', { policyArn: arn }), attached);
    await h.call('DetachUserPolicy', { userName: 'bob', policyArn: arn });

    await h.call('PutUserPermissionsBoundary', { userName: 'bob', permissionsBoundary: arn });
    assert.equal((await getPolicy(h, arn)).permissionsBoundaryUsageCount, 1);
    await assert.rejects(h.call('DeletePolicy', { policyArn: arn }), attached);
    await h.call('DeleteUserPermissionsBoundary', { userName: 'bob' });

    await h.call('CreatePolicyVersion', { policyArn: arn, policyDocument: doc('s3:PutObject'), setAsDefault: true });
    await assert.rejects(h.call('DeletePolicy', { policyArn: arn }), {
      code: 'DeleteConflict',
      message: "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    });
    await h.call('DeletePolicyVersion', { policyArn: arn, versionId: 'v1' });
    await h.call('DeletePolicy', { policyArn: arn });
    assert.deepEqual(await listNames(h, { scope: 'Local' }), []);
  });

  it('lists AWS managed policies with their per-account use and refuses to change them', async () => {
    const h = await createHarness();
    const aws = await listNames(h, { scope: 'AWS' });
    for (const name of ['AdministratorAccess', 'PowerUserAccess', 'ReadOnlyAccess', 'IAMFullAccess', 'IAMReadOnlyAccess', 'ViewOnlyAccess']) assert.ok(aws.includes(name), name);
    await h.call('CreatePolicy', { policyName: 'Mine', policyDocument: doc('s3:GetObject') });
    assert.deepEqual(await listNames(h, { scope: 'Local' }), ['Mine']);
    assert.ok((await listNames(h, {})).includes('Mine'));
    assert.ok((await listNames(h, {})).includes('PowerUserAccess'));

    // The bootstrap administrator has AdministratorAccess attached: only it is "attached".
    assert.deepEqual(await listNames(h, { onlyAttached: true }), ['AdministratorAccess']);
    const admin = await getPolicy(h, ADMIN_POLICY);
    assert.equal(admin.attachmentCount, 1);
    assert.equal(admin.description, 'Provides full access to AWS services and resources.');
    const view = await getPolicy(h, 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess');
    assert.equal(view.path, '/job-function/');
    const v = (await h.call('GetPolicyVersion', { policyArn: ADMIN_POLICY, versionId: 'v1' })) as { policyVersion: VersionOut };
    assert.deepEqual(JSON.parse(v.policyVersion.document!), { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

    await h.call('CreateUser', { userName: 'bounded', permissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess' });
    assert.deepEqual(await listNames(h, { policyUsageFilter: 'PermissionsBoundary' }), ['PowerUserAccess']);
    assert.equal((await getPolicy(h, 'arn:aws:iam::aws:policy/PowerUserAccess')).permissionsBoundaryUsageCount, 1);

    const denied = (op: string) => ({ code: 'AccessDenied', message: `User: arn:aws:iam::${ACCOUNT}:user/admin is not authorized to perform: iam:${op} on resource: ${ADMIN_POLICY}` });
    await assert.rejects(h.call('DeletePolicy', { policyArn: ADMIN_POLICY }), denied('DeletePolicy'));
    await assert.rejects(h.call('CreatePolicyVersion', { policyArn: ADMIN_POLICY, policyDocument: doc('s3:GetObject') }), denied('CreatePolicyVersion'));
    await assert.rejects(h.call('SetDefaultPolicyVersion', { policyArn: ADMIN_POLICY, versionId: 'v1' }), denied('SetDefaultPolicyVersion'));
    await assert.rejects(h.call('DeletePolicyVersion', { policyArn: ADMIN_POLICY, versionId: 'v1' }), denied('DeletePolicyVersion'));
    await assert.rejects(h.call('TagPolicy', { policyArn: ADMIN_POLICY, tags: [{ key: 'a', value: 'b' }] }), denied('TagPolicy'));
    await assert.rejects(h.call('UntagPolicy', { policyArn: ADMIN_POLICY, tagKeys: ['a'] }), denied('UntagPolicy'));
    assert.deepEqual(await versionIds(h, ADMIN_POLICY), ['v1*']);
  });

  it('AWS managed policies grant what their names say', async () => {
    const h = await createHarness();
    const grants = async (policy: string, operations: [string, Record<string, unknown>][]) => {
      const name = policy.split('/').pop()!.toLowerCase();
      await h.call('CreateUser', { userName: name });
      await h.call('AttachUserPolicy', { userName: name, policyArn: `arn:aws:iam::aws:policy${policy}` });
      const caller = await h.userCaller(name);
      const out: boolean[] = [];
      for (const [op, input] of operations) out.push(await allowed(h, op, input, caller));
      return out;
    };
    const ops: [string, Record<string, unknown>][] = [
      ['ListUsers', {}],
      ['GetAccountSummary', {}],
      ['ListRoles', {}],
      ['CreateUser', { userName: 'someone' }],
    ];
    assert.deepEqual(await grants('/ReadOnlyAccess', ops), [true, true, true, false]);
    assert.deepEqual(await grants('/IAMReadOnlyAccess', ops), [true, true, true, false]);
    assert.deepEqual(await grants('/PowerUserAccess', ops), [false, false, true, false]);
    assert.deepEqual(await grants('/job-function/ViewOnlyAccess', ops), [true, true, true, false]);
  });

  it('paginates ListPolicies', async () => {
    const h = await createHarness();
    for (const name of ['c', 'a', 'b', 'd']) await h.call('CreatePolicy', { policyName: name, policyDocument: doc('s3:GetObject') });
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = (await h.call('ListPolicies', { scope: 'Local', maxItems: 3, marker })) as { policies: PolicyOut[]; marker?: string; isTruncated: boolean };
      names.push(...page.policies.map((p) => p.policyName));
      assert.equal(page.isTruncated, page.marker !== undefined);
      marker = page.marker;
    } while (marker);
    assert.deepEqual(names, ['a', 'b', 'c', 'd']);
  });

  it('tags and untags a policy', async () => {
    const h = await createHarness();
    const arn = ((await h.call('CreatePolicy', { policyName: 'P', policyDocument: doc('s3:GetObject'), tags: [{ key: 'a', value: '1' }] })) as { policy: PolicyOut })
      .policy.arn;
    await h.call('TagPolicy', { policyArn: arn, tags: [{ key: 'b', value: '2' }, { key: 'a', value: 'x' }] });
    const tags = async () => ((await h.call('ListPolicyTags', { policyArn: arn })) as { tags: { key: string; value: string }[] }).tags;
    assert.deepEqual(await tags(), [
      { key: 'a', value: 'x' },
      { key: 'b', value: '2' },
    ]);
    await h.call('UntagPolicy', { policyArn: arn, tagKeys: ['a', 'missing'] });
    assert.deepEqual(await tags(), [{ key: 'b', value: '2' }]);
    await assert.rejects(h.call('TagPolicy', { policyArn: arn, tags: [{ key: 'k', value: '1' }, { key: 'K', value: '2' }] }), {
      code: 'InvalidInput',
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    });
    assert.deepEqual(await tags(), [{ key: 'b', value: '2' }]);
    await assert.rejects(h.call('ListPolicyTags', { policyArn: arnOf('Nope') }), { code: 'NoSuchEntity' });
  });

  it('authorizes policy operations against the policy ARN', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'dev' });
    const dev = await h.userCaller('dev');
    await assert.rejects(h.call('CreatePolicy', { policyName: 'DevPolicy', policyDocument: doc('s3:GetObject') }, dev), {
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: iam:CreatePolicy on resource: ${arnOf('DevPolicy')} because no identity-based policy allows the iam:CreatePolicy action`,
    });
    // Grant policy management on policies under /dev/ only.
    const grant = ((await h.call('CreatePolicy', { policyName: 'Grant', policyDocument: doc('iam:*Policy*', `arn:aws:iam::${ACCOUNT}:policy/dev/*`) })) as { policy: PolicyOut }).policy;
    await h.call('AttachUserPolicy', { userName: 'dev', policyArn: grant.arn });
    await h.call('CreatePolicy', { policyName: 'DevPolicy', path: '/dev/', policyDocument: doc('s3:GetObject') }, dev);
    await assert.rejects(h.call('CreatePolicy', { policyName: 'Other', policyDocument: doc('s3:GetObject') }, dev), { code: 'AccessDenied' });
    await assert.rejects(h.call('DeletePolicy', { policyArn: grant.arn }, dev), { code: 'AccessDenied' });
    await h.call('DeletePolicy', { policyArn: arnOf('DevPolicy', '/dev/') }, dev);
  });
});
