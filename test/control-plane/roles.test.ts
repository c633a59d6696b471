import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entityId, KIND, type ManagedPolicyEntity, type RoleEntity } from '../../src/core/model/iam-entities.js';
import { ACCOUNT, createHarness, type Harness } from './harness.js';

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const TRUST_ACCOUNT = `{
  "Version": "2012-10-17",
  "Statement": [{ "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::${ACCOUNT}:root" }, "Action": "sts:AssumeRole" }]
}`;

interface RoleOut {
  path: string;
  roleName: string;
  roleId: string;
  arn: string;
  createDate: string;
  assumeRolePolicyDocument?: string;
  description?: string;
  maxSessionDuration?: number;
  permissionsBoundary?: { permissionsBoundaryType: string; permissionsBoundaryArn: string };
  tags?: { key: string; value: string }[];
  roleLastUsed?: Record<string, unknown>;
}
interface ListRolesOut {
  roles: RoleOut[];
  isTruncated: boolean;
  marker?: string;
}

async function roleRecord(h: Harness, name: string): Promise<RoleEntity | undefined> {
  return h.env.store.read(async (tx) => (await tx.get<RoleEntity>(KIND.role, entityId(ACCOUNT, name)))?.data);
}

async function policyRecord(h: Harness, name: string): Promise<ManagedPolicyEntity | undefined> {
  return h.env.store.read(async (tx) => (await tx.get<ManagedPolicyEntity>(KIND.policy, entityId(ACCOUNT, name)))?.data);
}

/** Drops members that are undefined, as the wire would. */
function present<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

describe('roles', () => {
  it('creates, reads, lists and deletes a role in the model shapes', async () => {
    const h = await createHarness();
    const created = (await h.call('CreateRole', { roleName: 'Deployer', path: '/ci/', assumeRolePolicyDocument: TRUST, description: 'deploys', tags: [{ key: 'team', value: 'core' }] })) as { role: RoleOut };
    assert.match(created.role.roleId, /^AROA[A-Z2-7]{17}$/);
    assert.deepEqual(present(created.role), {
      path: '/ci/',
      roleName: 'Deployer',
      roleId: created.role.roleId,
      arn: 'arn:aws:iam::123456789012:role/ci/Deployer',
      createDate: '2026-11-21T12:00:00.000Z',
      assumeRolePolicyDocument: TRUST,
      description: 'deploys',
      maxSessionDuration: 3600,
      tags: [{ key: 'team', value: 'core' }],
    });
    await assert.rejects(h.call('CreateRole', { roleName: 'deployer', assumeRolePolicyDocument: TRUST }), { code: 'EntityAlreadyExists', message: 'Role with name deployer already exists.' });

    const got = (await h.call('GetRole', { roleName: 'DEPLOYER' })) as { role: RoleOut };
    assert.deepEqual(present(got.role), { ...present(created.role), roleLastUsed: {} });

    await h.call('CreateRole', { roleName: 'app', assumeRolePolicyDocument: TRUST_ACCOUNT, maxSessionDuration: 7200 });
    const listed = (await h.call('ListRoles')) as ListRolesOut;
    assert.deepEqual(listed.roles.map((r) => r.roleName), ['app', 'Deployer']);
    // ListRoles leaves out PermissionsBoundary, RoleLastUsed and Tags, as AWS documents.
    assert.deepEqual(Object.keys(present(listed.roles[1])).sort(), ['arn', 'assumeRolePolicyDocument', 'createDate', 'description', 'maxSessionDuration', 'path', 'roleId', 'roleName']);
    assert.equal(listed.roles[0].maxSessionDuration, 7200);
    assert.equal(listed.roles[0].assumeRolePolicyDocument, TRUST_ACCOUNT, 'the trust policy comes back as the stored text');
    assert.deepEqual(((await h.call('ListRoles', { pathPrefix: '/ci/' })) as ListRolesOut).roles.map((r) => r.roleName), ['Deployer']);
    const page = (await h.call('ListRoles', { maxItems: 1 })) as ListRolesOut;
    assert.equal(page.isTruncated, true);
    const rest = (await h.call('ListRoles', { maxItems: 1, marker: page.marker })) as ListRolesOut;
    assert.deepEqual(rest.roles.map((r) => r.roleName), ['Deployer']);

    await h.call('DeleteRole', { roleName: 'Deployer' });
    await assert.rejects(h.call('GetRole', { roleName: 'Deployer' }), { code: 'NoSuchEntity', message: 'The role with name Deployer cannot be found.' });
    await assert.rejects(h.call('DeleteRole', { roleName: 'Deployer' }), { code: 'NoSuchEntity', message: 'The role with name Deployer cannot be found.' });
  });

  it("refuses invalid trust policies with the validator's AWS message, writing nothing", async () => {
    const h = await createHarness();
    const cases: [unknown, string][] = [
      [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }, 'Missing required field Principal'],
      [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }] }, 'Has prohibited field Resource'],
      [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 's3:GetObject' }] }, 'AssumeRole policy may only specify STS AssumeRole actions.'],
    ];
    for (const [doc, message] of cases) {
      await assert.rejects(h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: JSON.stringify(doc) }), { code: 'MalformedPolicyDocument', message });
    }
    await assert.rejects(h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: '{"Version":' }), { code: 'MalformedPolicyDocument', message: 'This policy contains invalid Json' });
    assert.equal(await roleRecord(h, 'r'), undefined);

    // The trust policy quota: 2,048 characters, white space not counted.
    const big = { Version: '2012-10-17', Statement: [{ Sid: 'A'.repeat(2000), Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    await assert.rejects(h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: JSON.stringify(big) }), { code: 'LimitExceeded', message: 'Cannot exceed quota for ACLSizePerRole: 2048' });

    await h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: TRUST });
    await assert.rejects(h.call('UpdateAssumeRolePolicy', { roleName: 'r', policyDocument: JSON.stringify(cases[0][0]) }), { code: 'MalformedPolicyDocument', message: 'Missing required field Principal' });
    assert.equal((await roleRecord(h, 'r'))?.assumeRolePolicyDocument, TRUST);
    await h.call('UpdateAssumeRolePolicy', { roleName: 'r', policyDocument: TRUST_ACCOUNT });
    assert.equal(((await h.call('GetRole', { roleName: 'r' })) as { role: RoleOut }).role.assumeRolePolicyDocument, TRUST_ACCOUNT);
    await assert.rejects(h.call('UpdateAssumeRolePolicy', { roleName: 'nope', policyDocument: TRUST }), { code: 'NoSuchEntity', message: 'The role with name nope cannot be found.' });
  });

  it('updates the description and maximum session duration', async () => {
    const h = await createHarness();
    await h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: TRUST, description: 'old' });
    assert.equal(await h.call('UpdateRole', { roleName: 'r', maxSessionDuration: 43200 }), undefined);
    let role = ((await h.call('GetRole', { roleName: 'r' })) as { role: RoleOut }).role;
    assert.equal(role.maxSessionDuration, 43200);
    assert.equal(role.description, 'old', 'a member left out keeps its value');
    await h.call('UpdateRole', { roleName: 'r', description: 'new' });
    role = ((await h.call('GetRole', { roleName: 'r' })) as { role: RoleOut }).role;
    assert.equal(role.description, 'new');
    assert.equal(role.maxSessionDuration, 43200);

    const out = (await h.call('UpdateRoleDescription', { roleName: 'r', description: 'newer' })) as { role: RoleOut };
    assert.equal(out.role.description, 'newer');
    assert.equal(out.role.arn, 'arn:aws:iam::123456789012:role/r');
    assert.deepEqual(out.role.roleLastUsed, {});
    await assert.rejects(h.call('UpdateRole', { roleName: 'nope' }), { code: 'NoSuchEntity', message: 'The role with name nope cannot be found.' });
  });

  it('sets a permissions boundary at creation and keeps the usage count in step', async () => {
    const h = await createHarness();
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    const created = (await h.call('CreatePolicy', { policyName: 'Boundary', policyDocument: doc })) as { policy: { arn: string } };
    const arn = created.policy.arn;
    const missing = `arn:aws:iam::${ACCOUNT}:policy/Missing`;
    await assert.rejects(h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: TRUST, permissionsBoundary: missing }), {
      code: 'NoSuchEntity',
      message: `Scope ARN: ${missing} does not exist or is not attachable.`,
    });
    assert.equal(await roleRecord(h, 'r'), undefined);

    const out = (await h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: TRUST, permissionsBoundary: arn })) as { role: RoleOut };
    assert.deepEqual(out.role.permissionsBoundary, { permissionsBoundaryType: 'PermissionsBoundaryPolicy', permissionsBoundaryArn: arn });
    assert.equal((await policyRecord(h, 'Boundary'))?.permissionsBoundaryUsageCount, 1);
    assert.deepEqual(((await h.call('GetRole', { roleName: 'r' })) as { role: RoleOut }).role.permissionsBoundary, out.role.permissionsBoundary);
    await h.call('DeleteRole', { roleName: 'r' });
    assert.equal((await policyRecord(h, 'Boundary'))?.permissionsBoundaryUsageCount, 0);
  });

  it('refuses to delete a role with policies', async () => {
    const h = await createHarness();
    await h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: TRUST });
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    await h.call('PutRolePolicy', { roleName: 'r', policyName: 'p', policyDocument: doc });
    await assert.rejects(h.call('DeleteRole', { roleName: 'r' }), { code: 'DeleteConflict', message: 'Cannot delete entity, must delete policies first.' });
    await h.call('DeleteRolePolicy', { roleName: 'r', policyName: 'p' });

    // An attached managed policy (written directly: attachments are another area's operations).
    const role = await roleRecord(h, 'r');
    await h.env.store.write((tx) => tx.put(KIND.role, entityId(ACCOUNT, 'r'), ACCOUNT, { ...role!, attachedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }));
    h.service.changed();
    await assert.rejects(h.call('DeleteRole', { roleName: 'r' }), { code: 'DeleteConflict', message: 'Cannot delete entity, must detach all policies first.' });
    assert.ok(await roleRecord(h, 'r'), 'a refused delete leaves the role in place');
  });

  it('tags and untags a role', async () => {
    const h = await createHarness();
    await h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: TRUST, tags: [{ key: 'b', value: '2' }] });
    await h.call('TagRole', { roleName: 'r', tags: [{ key: 'a', value: '1' }, { key: 'b', value: '3' }, { key: 'c' }] });
    const tags = (await h.call('ListRoleTags', { roleName: 'r' })) as { tags: { key: string; value: string }[]; isTruncated: boolean };
    assert.deepEqual(tags, { tags: [{ key: 'a', value: '1' }, { key: 'b', value: '3' }, { key: 'c', value: '' }], isTruncated: false, marker: undefined });
    const first = (await h.call('ListRoleTags', { roleName: 'r', maxItems: 2 })) as { tags: { key: string }[]; isTruncated: boolean; marker?: string };
    const second = (await h.call('ListRoleTags', { roleName: 'r', maxItems: 2, marker: first.marker })) as { tags: { key: string }[] };
    assert.deepEqual([...first.tags, ...second.tags].map((t) => t.key), ['a', 'b', 'c']);

    await assert.rejects(h.call('TagRole', { roleName: 'r', tags: [{ key: 'x', value: '1' }, { key: 'X', value: '2' }] }), {
      code: 'InvalidInput',
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    });
    const many = Array.from({ length: 48 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    await assert.rejects(h.call('TagRole', { roleName: 'r', tags: many }), { code: 'LimitExceeded', message: 'The number of tags has reached the maximum limit.' });
    assert.equal((await roleRecord(h, 'r'))?.tags.length, 3);

    await h.call('UntagRole', { roleName: 'r', tagKeys: ['a', 'c'] });
    assert.deepEqual(((await h.call('GetRole', { roleName: 'r' })) as { role: RoleOut }).role.tags, [{ key: 'b', value: '3' }]);
    await assert.rejects(h.call('ListRoleTags', { roleName: 'nope' }), { code: 'NoSuchEntity', message: 'The role with name nope cannot be found.' });
  });

  it('enforces the RolesPerAccount quota', async () => {
    const h = await createHarness();
    // Fill the account up to 1,000 roles directly, then one more through the API.
    await h.env.store.write(async (tx) => {
      for (let i = 0; i < 1000; i++) {
        const name = `r${i}`;
        const role: RoleEntity = {
          roleName: name, roleId: `AROA${i}`, path: '/', arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, createDate: '2026-11-21T12:00:00.000Z',
          tags: [], attachedPolicies: [], inlinePolicies: {}, assumeRolePolicyDocument: TRUST, maxSessionDuration: 3600,
        };
        await tx.put(KIND.role, entityId(ACCOUNT, name), ACCOUNT, role);
      }
    });
    await assert.rejects(h.call('CreateRole', { roleName: 'one-too-many', assumeRolePolicyDocument: TRUST }), { code: 'LimitExceeded', message: 'Cannot exceed quota for RolesPerAccount: 1000' });
    assert.equal(await roleRecord(h, 'one-too-many'), undefined);
  });

  it('authorizes role operations against the role ARN', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'bob' });
    await h.call('CreateRole', { roleName: 'visible', path: '/app/', assumeRolePolicyDocument: TRUST });
    await h.call('CreateRole', { roleName: 'hidden', assumeRolePolicyDocument: TRUST });
    const bob = await h.userCaller('bob');
    await assert.rejects(h.call('GetRole', { roleName: 'visible' }, bob), {
      code: 'AccessDenied',
      message: 'User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:GetRole on resource: arn:aws:iam::123456789012:role/app/visible because no identity-based policy allows the iam:GetRole action',
    });
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: `arn:aws:iam::${ACCOUNT}:role/app/*` }] });
    await h.call('PutUserPolicy', { userName: 'bob', policyName: 'read-app-roles', policyDocument: policy });
    assert.equal(((await h.call('GetRole', { roleName: 'visible' }, bob)) as { role: RoleOut }).role.roleName, 'visible');
    await assert.rejects(h.call('GetRole', { roleName: 'hidden' }, bob), { code: 'AccessDenied' });
    await assert.rejects(h.call('CreateRole', { roleName: 'mine', path: '/app/', assumeRolePolicyDocument: TRUST }, bob), { code: 'AccessDenied' });

    // ListRoles is authorized against the path it lists.
    await assert.rejects(h.call('ListRoles', {}, bob), {
      code: 'AccessDenied',
      message: 'User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/ because no identity-based policy allows the iam:ListRoles action',
    });
    const list = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: `arn:aws:iam::${ACCOUNT}:role/app/*` }] });
    await h.call('PutUserPolicy', { userName: 'bob', policyName: 'list-app-roles', policyDocument: list });
    assert.deepEqual(((await h.call('ListRoles', { pathPrefix: '/app/' }, bob)) as ListRolesOut).roles.map((r) => r.roleName), ['visible']);
    await assert.rejects(h.call('ListRoles', {}, bob), { code: 'AccessDenied' });
  });
});
