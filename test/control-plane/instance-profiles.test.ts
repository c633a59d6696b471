import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstanceProfileEntity } from '../../src/control-plane/entities.js';
import { entityId, KIND, type RoleEntity } from '../../src/core/model/iam-entities.js';
import { serializeResult } from '../../src/protocol/index.js';
import { createControlPlane } from '../replication/fixture.js';
import { ACCOUNT, createHarness, type Harness } from './harness.js';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const PROFILE_ARN = (pathAndName: string) => `arn:aws:iam::${ACCOUNT}:instance-profile${pathAndName}`;

interface RoleOut {
  roleName: string;
  arn: string;
  assumeRolePolicyDocument?: string;
  tags?: { key: string; value: string }[];
  roleLastUsed?: Record<string, unknown>;
}
interface ProfileOut {
  path: string;
  instanceProfileName: string;
  instanceProfileId: string;
  arn: string;
  createDate: string;
  roles: RoleOut[];
  tags?: { key: string; value: string }[];
}
interface ListOut {
  instanceProfiles: ProfileOut[];
  isTruncated: boolean;
  marker?: string;
}

async function profileRecord(h: Harness, name: string): Promise<InstanceProfileEntity | undefined> {
  return h.env.store.read(async (tx) => (await tx.get<InstanceProfileEntity>(KIND.instanceProfile, entityId(ACCOUNT, name)))?.data);
}

async function getProfile(h: Harness, name: string): Promise<ProfileOut> {
  return ((await h.call('GetInstanceProfile', { instanceProfileName: name })) as { instanceProfile: ProfileOut }).instanceProfile;
}

/** Drops members that are undefined, as the wire would. */
function present<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const notFound = (name: string) => ({ code: 'NoSuchEntity', message: `Instance Profile ${name} cannot be found.` });
const MUST_REMOVE = { code: 'DeleteConflict', message: 'Cannot delete entity, must remove roles from instance profile first.' };
const ONE_ROLE = { code: 'LimitExceeded', message: 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1' };

describe('instance profiles', () => {
  it('creates a profile, adds a role, reads it with the role, removes the role and deletes it', async () => {
    const h = await createHarness();
    const created = ((await h.call('CreateInstanceProfile', { instanceProfileName: 'Web', path: '/app/', tags: [{ key: 'team', value: 'core' }] })) as { instanceProfile: ProfileOut }).instanceProfile;
    assert.match(created.instanceProfileId, /^AIPA[A-Z2-7]{17}$/);
    assert.deepEqual(present(created), {
      path: '/app/',
      instanceProfileName: 'Web',
      instanceProfileId: created.instanceProfileId,
      arn: PROFILE_ARN('/app/Web'),
      createDate: '2026-11-21T12:00:00.000Z',
      roles: [],
      tags: [{ key: 'team', value: 'core' }],
    });
    // Names are unique regardless of case, in any path.
    await assert.rejects(h.call('CreateInstanceProfile', { instanceProfileName: 'web' }), { code: 'EntityAlreadyExists', message: 'Instance Profile web already exists.' });

    await h.call('CreateRole', { roleName: 'WebRole', assumeRolePolicyDocument: TRUST, tags: [{ key: 'k', value: 'v' }] });
    assert.equal(await h.call('AddRoleToInstanceProfile', { instanceProfileName: 'WEB', roleName: 'webrole' }), undefined);
    const got = await getProfile(h, 'Web');
    assert.deepEqual(present({ ...got, roles: [] }), present({ ...created, roles: [] }));
    // The role as GetRole answers it, spelled as the role spells itself.
    const role = ((await h.call('GetRole', { roleName: 'WebRole' })) as { role: RoleOut }).role;
    assert.deepEqual(got.roles, [role]);
    assert.equal(got.roles[0].assumeRolePolicyDocument, TRUST);
    assert.deepEqual(got.roles[0].roleLastUsed, {});

    const forRole = (await h.call('ListInstanceProfilesForRole', { roleName: 'WebRole' })) as ListOut;
    assert.deepEqual(forRole.instanceProfiles.map((p) => [p.instanceProfileName, p.roles.map((r) => r.roleName), p.tags]), [['Web', ['WebRole'], undefined]]);
    assert.equal(forRole.isTruncated, false);

    await h.call('RemoveRoleFromInstanceProfile', { instanceProfileName: 'Web', roleName: 'WebRole' });
    assert.deepEqual((await getProfile(h, 'Web')).roles, []);
    assert.deepEqual(((await h.call('ListInstanceProfilesForRole', { roleName: 'WebRole' })) as ListOut).instanceProfiles, []);

    assert.equal(await h.call('DeleteInstanceProfile', { instanceProfileName: 'Web' }), undefined);
    assert.equal(await profileRecord(h, 'Web'), undefined);
    await assert.rejects(h.call('GetInstanceProfile', { instanceProfileName: 'Web' }), notFound('Web'));
    await assert.rejects(h.call('DeleteInstanceProfile', { instanceProfileName: 'Web' }), notFound('Web'));
    // The role is untouched and can go now.
    await h.call('DeleteRole', { roleName: 'WebRole' });
  });

  it('answers the role URL-encoded on the wire, as GetRole does', async () => {
    const h = await createHarness();
    await h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: TRUST });
    await h.call('CreateInstanceProfile', { instanceProfileName: 'p' });
    await h.call('AddRoleToInstanceProfile', { instanceProfileName: 'p', roleName: 'r' });
    const out = await h.call('GetInstanceProfile', { instanceProfileName: 'p' });
    const xml = serializeResult('iam', 'GetInstanceProfile', out as Record<string, unknown>, 'req-1');
    assert.match(xml, /<Roles><member>.*<RoleName>r<\/RoleName>.*<\/member><\/Roles>/s);
    assert.ok(xml.includes(`<AssumeRolePolicyDocument>${encodeURIComponent(TRUST)}</AssumeRolePolicyDocument>`), xml);
    assert.match(xml, /<InstanceProfileId>AIPA[A-Z2-7]{17}<\/InstanceProfileId>/);
  });

  it('lists profiles by path prefix, in name order, in pages, without their tags', async () => {
    const h = await createHarness();
    for (const [name, path] of [['c', '/'], ['A', '/app/'], ['b', '/app/web/'], ['d', '/ops/']]) {
      await h.call('CreateInstanceProfile', { instanceProfileName: name, path, tags: [{ key: 't', value: name }] });
    }
    await h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: TRUST });
    await h.call('AddRoleToInstanceProfile', { instanceProfileName: 'b', roleName: 'r' });

    const all = (await h.call('ListInstanceProfiles')) as ListOut;
    assert.deepEqual(all.instanceProfiles.map((p) => p.instanceProfileName), ['A', 'b', 'c', 'd']);
    assert.ok(all.instanceProfiles.every((p) => p.tags === undefined), 'ListInstanceProfiles leaves tags out');
    assert.deepEqual(all.instanceProfiles[1].roles.map((r) => r.roleName), ['r']);
    assert.equal(all.isTruncated, false);
    assert.deepEqual(((await h.call('ListInstanceProfiles', { pathPrefix: '/app/' })) as ListOut).instanceProfiles.map((p) => p.arn), [PROFILE_ARN('/app/A'), PROFILE_ARN('/app/web/b')]);

    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = (await h.call('ListInstanceProfiles', { maxItems: 3, ...(marker ? { marker } : {}) })) as ListOut;
      names.push(...page.instanceProfiles.map((p) => p.instanceProfileName));
      assert.equal(page.isTruncated, page.marker !== undefined);
      marker = page.marker;
      pages++;
    } while (marker);
    assert.deepEqual(names, ['A', 'b', 'c', 'd']);
    assert.equal(pages, 2);
    await assert.rejects(h.call('ListInstanceProfiles', { marker: 'not-a-marker!' }), { code: 'InvalidInput', message: 'Invalid Marker.' });
  });

  it('holds at most one role: a second role, or the same one again, is LimitExceeded', async () => {
    const h = await createHarness();
    await h.call('CreateInstanceProfile', { instanceProfileName: 'p' });
    await h.call('CreateRole', { roleName: 'one', assumeRolePolicyDocument: TRUST });
    await h.call('CreateRole', { roleName: 'two', assumeRolePolicyDocument: TRUST });
    await h.call('AddRoleToInstanceProfile', { instanceProfileName: 'p', roleName: 'one' });
    await assert.rejects(h.call('AddRoleToInstanceProfile', { instanceProfileName: 'p', roleName: 'two' }), ONE_ROLE);
    await assert.rejects(h.call('AddRoleToInstanceProfile', { instanceProfileName: 'p', roleName: 'one' }), ONE_ROLE);
    assert.deepEqual((await profileRecord(h, 'p'))?.roles, ['one']);

    // One role may be in several profiles.
    await h.call('CreateInstanceProfile', { instanceProfileName: 'q' });
    await h.call('AddRoleToInstanceProfile', { instanceProfileName: 'q', roleName: 'one' });
    assert.deepEqual(((await h.call('ListInstanceProfilesForRole', { roleName: 'one' })) as ListOut).instanceProfiles.map((p) => p.instanceProfileName), ['p', 'q']);
    const page = (await h.call('ListInstanceProfilesForRole', { roleName: 'one', maxItems: 1 })) as ListOut;
    assert.equal(page.isTruncated, true);
    const rest = (await h.call('ListInstanceProfilesForRole', { roleName: 'one', maxItems: 1, marker: page.marker })) as ListOut;
    assert.deepEqual(rest.instanceProfiles.map((p) => p.instanceProfileName), ['q']);
  });

  it('answers NoSuchEntity for a missing profile or role, writing nothing', async () => {
    const h = await createHarness();
    await h.call('CreateInstanceProfile', { instanceProfileName: 'p' });
    await h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: TRUST });
    await assert.rejects(h.call('AddRoleToInstanceProfile', { instanceProfileName: 'nope', roleName: 'r' }), notFound('nope'));
    await assert.rejects(h.call('AddRoleToInstanceProfile', { instanceProfileName: 'p', roleName: 'nope' }), { code: 'NoSuchEntity', message: 'The role with name nope cannot be found.' });
    assert.deepEqual((await profileRecord(h, 'p'))?.roles, []);
    await assert.rejects(h.call('RemoveRoleFromInstanceProfile', { instanceProfileName: 'nope', roleName: 'r' }), notFound('nope'));
    await assert.rejects(h.call('RemoveRoleFromInstanceProfile', { instanceProfileName: 'p', roleName: 'nope' }), { code: 'NoSuchEntity', message: 'The role with name nope cannot be found.' });
    await assert.rejects(h.call('RemoveRoleFromInstanceProfile', { instanceProfileName: 'p', roleName: 'r' }), { code: 'NoSuchEntity', message: 'The role with name r is not in instance profile p.' });
    await assert.rejects(h.call('ListInstanceProfilesForRole', { roleName: 'nope' }), { code: 'NoSuchEntity', message: 'The role with name nope cannot be found.' });
    for (const op of ['TagInstanceProfile', 'UntagInstanceProfile', 'ListInstanceProfileTags']) {
      await assert.rejects(h.call(op, { instanceProfileName: 'nope', tags: [{ key: 'a', value: 'b' }], tagKeys: ['a'] }), notFound('nope'));
    }
  });

  it('refuses to delete a profile that holds a role, and a role that is in a profile', async () => {
    const h = await createHarness();
    await h.call('CreateInstanceProfile', { instanceProfileName: 'p' });
    await h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: TRUST });
    await h.call('AddRoleToInstanceProfile', { instanceProfileName: 'p', roleName: 'r' });

    await assert.rejects(h.call('DeleteInstanceProfile', { instanceProfileName: 'p' }), MUST_REMOVE);
    assert.ok(await profileRecord(h, 'p'), 'a refused delete leaves the profile in place');
    await assert.rejects(h.call('DeleteRole', { roleName: 'R' }), MUST_REMOVE);
    assert.ok(await h.env.store.read((tx) => tx.get<RoleEntity>(KIND.role, entityId(ACCOUNT, 'r'))), 'a refused delete leaves the role in place');

    await h.call('RemoveRoleFromInstanceProfile', { instanceProfileName: 'p', roleName: 'r' });
    await h.call('DeleteRole', { roleName: 'r' });
    await h.call('DeleteInstanceProfile', { instanceProfileName: 'p' });
  });

  it('enforces the InstanceProfilesPerAccount quota', async () => {
    const h = await createHarness();
    // Fill the account up to 1,000 profiles directly, then one more through the API.
    await h.env.store.write(async (tx) => {
      for (let i = 0; i < 1000; i++) {
        const name = `p${i}`;
        const profile: InstanceProfileEntity = { instanceProfileName: name, instanceProfileId: `AIPA${i}`, path: '/', arn: PROFILE_ARN(`/${name}`), createDate: '2026-11-21T12:00:00.000Z', tags: [], roles: [] };
        await tx.put(KIND.instanceProfile, entityId(ACCOUNT, name), ACCOUNT, profile);
      }
    });
    await assert.rejects(h.call('CreateInstanceProfile', { instanceProfileName: 'one-too-many' }), { code: 'LimitExceeded', message: 'Cannot exceed quota for InstanceProfilesPerAccount: 1000' });
    assert.equal(await profileRecord(h, 'one-too-many'), undefined);
    const { summaryMap } = (await h.call('GetAccountSummary', {})) as { summaryMap: Record<string, number> };
    assert.equal(summaryMap.InstanceProfiles, 1000);
  });

  it('tags and untags a profile with the tag rules of roles', async () => {
    const h = await createHarness();
    await h.call('CreateInstanceProfile', { instanceProfileName: 'p', tags: [{ key: 'b', value: '2' }] });
    await h.call('TagInstanceProfile', { instanceProfileName: 'p', tags: [{ key: 'a', value: '1' }, { key: 'b', value: '3' }, { key: 'c' }] });
    const tags = (await h.call('ListInstanceProfileTags', { instanceProfileName: 'p' })) as { tags: { key: string; value: string }[]; isTruncated: boolean };
    assert.deepEqual(tags, { tags: [{ key: 'a', value: '1' }, { key: 'b', value: '3' }, { key: 'c', value: '' }], isTruncated: false, marker: undefined });
    const first = (await h.call('ListInstanceProfileTags', { instanceProfileName: 'p', maxItems: 2 })) as { tags: { key: string }[]; isTruncated: boolean; marker?: string };
    assert.equal(first.isTruncated, true);
    const second = (await h.call('ListInstanceProfileTags', { instanceProfileName: 'p', maxItems: 2, marker: first.marker })) as { tags: { key: string }[] };
    assert.deepEqual([...first.tags, ...second.tags].map((t) => t.key), ['a', 'b', 'c']);

    await assert.rejects(h.call('TagInstanceProfile', { instanceProfileName: 'p', tags: [{ key: 'x', value: '1' }, { key: 'X', value: '2' }] }), {
      code: 'InvalidInput',
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    });
    const many = Array.from({ length: 48 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    await assert.rejects(h.call('TagInstanceProfile', { instanceProfileName: 'p', tags: many }), { code: 'LimitExceeded', message: 'The number of tags has reached the maximum limit.' });
    await assert.rejects(h.call('CreateInstanceProfile', { instanceProfileName: 'q', tags: [...many, ...many.slice(0, 3).map((t) => ({ ...t, key: `x${t.key}` }))] }), {
      code: 'LimitExceeded',
      message: 'The number of tags has reached the maximum limit.',
    });
    assert.equal(await profileRecord(h, 'q'), undefined);
    assert.equal((await profileRecord(h, 'p'))?.tags.length, 3);

    await h.call('UntagInstanceProfile', { instanceProfileName: 'p', tagKeys: ['a', 'c'] });
    assert.deepEqual((await getProfile(h, 'p')).tags, [{ key: 'b', value: '3' }]);
  });

  it('counts profiles in GetAccountSummary and lists them in RoleDetail', async () => {
    const h = await createHarness();
    let { summaryMap } = (await h.call('GetAccountSummary', {})) as { summaryMap: Record<string, number> };
    assert.equal(summaryMap.InstanceProfiles, 0);
    assert.equal(summaryMap.InstanceProfilesQuota, 1000);
    await h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: TRUST });
    await h.call('CreateRole', { roleName: 'lonely', assumeRolePolicyDocument: TRUST });
    await h.call('CreateInstanceProfile', { instanceProfileName: 'p', path: '/ec2/', tags: [{ key: 'a', value: 'b' }] });
    await h.call('CreateInstanceProfile', { instanceProfileName: 'empty' });
    await h.call('AddRoleToInstanceProfile', { instanceProfileName: 'p', roleName: 'r' });
    ({ summaryMap } = (await h.call('GetAccountSummary', {})) as { summaryMap: Record<string, number> });
    assert.equal(summaryMap.InstanceProfiles, 2);

    const details = (await h.call('GetAccountAuthorizationDetails', { filter: ['Role'] })) as { roleDetailList: { roleName: string; instanceProfileList: ProfileOut[] }[] };
    const byRole = new Map(details.roleDetailList.map((r) => [r.roleName, r.instanceProfileList]));
    assert.deepEqual(byRole.get('lonely'), []);
    const [profile] = byRole.get('r')!;
    assert.equal(profile.arn, PROFILE_ARN('/ec2/p'));
    assert.match(profile.instanceProfileId, /^AIPA/);
    assert.deepEqual(profile.roles.map((x) => x.roleName), ['r']);
  });

  it('authorizes against the profile ARN, the listed path, and iam:PassRole on the role', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'bob' });
    await h.call('CreateInstanceProfile', { instanceProfileName: 'visible', path: '/app/' });
    await h.call('CreateInstanceProfile', { instanceProfileName: 'hidden' });
    await h.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: TRUST });
    const bob = await h.userCaller('bob');
    const denied = (action: string, resource: string) => ({
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
    });
    await assert.rejects(h.call('GetInstanceProfile', { instanceProfileName: 'visible' }, bob), denied('iam:GetInstanceProfile', PROFILE_ARN('/app/visible')));
    await assert.rejects(h.call('CreateInstanceProfile', { instanceProfileName: 'mine' }, bob), denied('iam:CreateInstanceProfile', PROFILE_ARN('/mine')));
    await assert.rejects(h.call('ListInstanceProfiles', {}, bob), denied('iam:ListInstanceProfiles', PROFILE_ARN('/')));
    await assert.rejects(h.call('ListInstanceProfilesForRole', { roleName: 'r' }, bob), denied('iam:ListInstanceProfilesForRole', `arn:aws:iam::${ACCOUNT}:role/r`));
    assert.equal(await profileRecord(h, 'mine'), undefined);

    const allow = (Action: string | string[], Resource: string, Condition?: unknown) => ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });
    const put = (name: string, ...Statement: unknown[]) => h.call('PutUserPolicy', { userName: 'bob', policyName: name, policyDocument: JSON.stringify({ Version: '2012-10-17', Statement }) });
    await put('app', allow(['iam:GetInstanceProfile', 'iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile'], PROFILE_ARN('/app/*')));
    const visible = (await h.call('GetInstanceProfile', { instanceProfileName: 'visible' }, bob)) as { instanceProfile: ProfileOut };
    assert.equal(visible.instanceProfile.instanceProfileName, 'visible');
    await assert.rejects(h.call('GetInstanceProfile', { instanceProfileName: 'hidden' }, bob), { code: 'AccessDenied' });

    // AddRoleToInstanceProfile needs iam:PassRole on the role too, and writes nothing without it.
    await assert.rejects(h.call('AddRoleToInstanceProfile', { instanceProfileName: 'visible', roleName: 'r' }, bob), denied('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/r`));
    assert.deepEqual((await profileRecord(h, 'visible'))?.roles, []);
    // Passing to another service does not do.
    await put('pass', allow('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/*`, { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } }));
    await assert.rejects(h.call('AddRoleToInstanceProfile', { instanceProfileName: 'visible', roleName: 'r' }, bob), { code: 'AccessDenied' });
    await put(
      'pass',
      allow('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/*`, {
        StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' },
        StringLike: { 'iam:AssociatedResourceArn': `arn:aws:ec2:*:${ACCOUNT}:instance/*` },
      }),
    );
    await h.call('AddRoleToInstanceProfile', { instanceProfileName: 'visible', roleName: 'r' }, bob);
    assert.deepEqual((await profileRecord(h, 'visible'))?.roles, ['r']);
    // RemoveRoleFromInstanceProfile needs no PassRole.
    await h.call('DeleteUserPolicy', { userName: 'bob', policyName: 'pass' });
    await h.call('RemoveRoleFromInstanceProfile', { instanceProfileName: 'visible', roleName: 'r' }, bob);
  });

  it('sets aws:ResourceTag for a tagged profile', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'operator' });
    await h.call('CreateInstanceProfile', { instanceProfileName: 'guarded', tags: [{ key: 'protected', value: 'true' }] });
    await h.call('CreateInstanceProfile', { instanceProfileName: 'scratch' });
    const statements = [
      { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: ['iam:DeleteInstanceProfile', 'iam:UntagInstanceProfile'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/protected': 'true' } } },
    ];
    await h.call('PutUserPolicy', { userName: 'operator', policyName: 'ops', policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) });
    const operator = await h.userCaller('operator');
    await assert.rejects(h.call('DeleteInstanceProfile', { instanceProfileName: 'guarded' }, operator), {
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/operator is not authorized to perform: iam:DeleteInstanceProfile on resource: ${PROFILE_ARN('/guarded')} with an explicit deny in an identity-based policy`,
    });
    await assert.rejects(h.call('UntagInstanceProfile', { instanceProfileName: 'guarded', tagKeys: ['protected'] }, operator), { code: 'AccessDenied' });
    await h.call('DeleteInstanceProfile', { instanceProfileName: 'scratch' }, operator);
    assert.ok(await profileRecord(h, 'guarded'));
  });

  it('stays off the replication feed: no snapshot record and no change for a region', async () => {
    const cp = await createControlPlane();
    await cp.call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: TRUST });
    const before = await cp.revision();
    await cp.call('CreateInstanceProfile', { instanceProfileName: 'p', tags: [{ key: 'a', value: 'b' }] });
    await cp.call('AddRoleToInstanceProfile', { instanceProfileName: 'p', roleName: 'r' });
    await cp.call('RemoveRoleFromInstanceProfile', { instanceProfileName: 'p', roleName: 'r' });
    await cp.call('DeleteInstanceProfile', { instanceProfileName: 'p' });
    assert.equal(await cp.revision(), before + 4);
    const batch = await cp.feed.changes('eu-west-1', before);
    // The follower moves past the revisions, with nothing to apply.
    assert.equal(batch.revision, before + 4);
    assert.deepEqual(batch.changes, []);

    await cp.call('CreateInstanceProfile', { instanceProfileName: 'kept' });
    const snapshot = await cp.feed.snapshot('eu-west-1');
    assert.ok(snapshot.records.every((r) => (r.kind as string) !== KIND.instanceProfile));
    assert.ok(snapshot.records.some((r) => r.kind === 'role'));
  });
});
