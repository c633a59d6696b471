import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Principal } from '../../src/core/model/principal.js';
import { evaluate, type PolicySets } from '../../src/core/policy/index.js';
import { deriveRegionKey } from '../../src/core/sigv4/index.js';
import { ReplicaIndex } from '../../src/data-plane/replica-index.js';
import type { ReplicaGroup, ReplicaRecord, ReplicaUser } from '../../src/replication/feed-types.js';
import { ACCOUNT, allow, buildReplicaState, DAY_MS, deny, NOW, REGION, ReplicaFixture, trustAccount } from './replica-fixture.js';

function userPrincipal(index: ReplicaIndex, name: string): Principal {
  const user = index.user(ACCOUNT, name) as ReplicaUser;
  return { type: 'IAMUser', account: ACCOUNT, arn: user.arn, userId: user.userId, userName: user.userName, accessKeyId: 'AKIAEXAMPLE000000000' };
}

function decide(sets: PolicySets | undefined, principal: string, action: string, resource = '*'): string {
  assert.ok(sets, 'expected policy sets');
  return evaluate({ principal, action, resource }, sets).decision;
}

describe('ReplicaIndex lookups', () => {
  test('records by account and name (any case), key, ARN, MFA serial', () => {
    const { index, fixture: f } = buildReplicaState((f) => {
      f.accountRecord({ alias: 'corp' });
      f.user('Alice');
      f.role('Deployer');
      f.policy('P', allow('s3:*'));
      f.accessKey('Alice', { accessKeyId: 'AKIAALICE00000000001' });
      f.mfaDevice(`arn:aws:iam::${ACCOUNT}:mfa/alice-phone`, { userName: 'Alice', firstStep: 1, codes: '123456' });
    });
    assert.equal(index.region, REGION);
    assert.equal(index.revision, 1);
    assert.equal(index.updatedAt, NOW.toISOString());
    assert.equal(index.account(ACCOUNT)?.alias, 'corp');
    assert.equal(index.user(ACCOUNT, 'alice')?.userName, 'Alice');
    assert.equal(index.user(ACCOUNT, 'ALICE')?.userName, 'Alice');
    assert.equal(index.user('999999999999', 'alice'), undefined);
    assert.equal(index.role(ACCOUNT, 'deployer')?.roleName, 'Deployer');
    assert.equal(index.policy(`arn:aws:iam::${ACCOUNT}:policy/P`)?.policyName, 'P');
    assert.equal(index.accessKey('AKIAALICE00000000001')?.userName, 'Alice');
    assert.equal(index.accessKeyAccount('AKIAALICE00000000001'), ACCOUNT);
    assert.equal(index.mfaDevice(`arn:aws:iam::${ACCOUNT}:mfa/alice-phone`)?.codes, '123456');
    assert.deepEqual(index.keyWindow, f.windows.keyWindow);
    assert.deepEqual(index.counts(), { accounts: 1, users: 1, groups: 0, roles: 1, policies: 1, accessKeys: 1, mfaDevices: 1, cachedPolicySets: 0, tokenKeys: f.windows.tokenKeys.length });
  });

  test('apply: puts and deletes in order; an MFA device is found by its new serial only', () => {
    const f = new ReplicaFixture();
    const device = f.mfaDevice(`arn:aws:iam::${ACCOUNT}:mfa/phone`);
    const index = f.index();
    const record = f.record('mfa-device', `${ACCOUNT}/phone`);
    index.apply(f.changes([{ op: 'put', record: { ...record, data: { ...device, serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/phone2` } } }]));
    assert.equal(index.mfaDevice(`arn:aws:iam::${ACCOUNT}:mfa/phone`), undefined);
    assert.ok(index.mfaDevice(`arn:aws:iam::${ACCOUNT}:mfa/phone2`));
    index.apply(f.changes([{ op: 'delete', kind: 'mfa-device', id: `${ACCOUNT}/phone` }]));
    assert.equal(index.mfaDevice(`arn:aws:iam::${ACCOUNT}:mfa/phone2`), undefined);
    assert.equal(index.revision, 3);
  });

  test('a batch that does not follow the held revision, or another region’s, is refused', () => {
    const f = new ReplicaFixture();
    const index = f.index();
    const batch = f.changes([]);
    assert.throws(() => index.apply({ ...batch, after: 5 }), /after revision 5/);
    assert.throws(() => index.apply({ ...batch, region: 'us-east-1' }), /us-east-1/);
    index.apply(batch);
    assert.equal(index.revision, 2);
  });

  test('regionKey: the decoded kRegion of a date of the window', () => {
    const f = new ReplicaFixture();
    const creds = f.accessKey('alice');
    const index = f.index();
    const today = '20260310';
    assert.deepEqual(index.regionKey(creds.accessKeyId, today), deriveRegionKey(creds.secretAccessKey, today, REGION));
    assert.equal(index.regionKey(creds.accessKeyId, today), index.regionKey(creds.accessKeyId, today), 'cached');
    assert.equal(index.regionKey(creds.accessKeyId, '20260320'), undefined);
    assert.equal(index.regionKey('AKIANOPE', today), undefined);
  });

  test('token keys: issuing by the day, verifying until verifyUntil', () => {
    const f = new ReplicaFixture();
    const index = f.index();
    assert.equal(index.issuingTokenKey(NOW)?.id, '20260310');
    assert.deepEqual(index.issuingTokenKey(NOW)?.key, f.tokenKey().key);
    assert.equal(index.issuingTokenKey(new Date(NOW.getTime() + 7 * DAY_MS))?.id, '20260317');
    assert.equal(index.issuingTokenKey(new Date(NOW.getTime() + 8 * DAY_MS)), undefined, 'the schedule ran out');
    // Yesterday's key verifies tokens until its day end + 36 h.
    assert.equal(index.verifyingTokenKey('20260309', NOW)?.id, '20260309');
    assert.equal(index.verifyingTokenKey('20260308', new Date('2026-03-10T11:59:59Z'))?.id, '20260308');
    assert.equal(index.verifyingTokenKey('20260308', new Date('2026-03-10T12:00:00Z')), undefined);
    assert.equal(index.verifyingTokenKey('20260301', NOW), undefined);
  });
});

describe('ReplicaIndex policy sets', () => {
  test('a user: own inline and attached, groups’, boundary, account password grant', () => {
    const { index } = buildReplicaState((f) => {
      f.accountRecord({ allowUsersToChangePassword: true });
      const s3 = f.policy('S3', allow('s3:*'));
      const boundary = f.policy('Boundary', allow(['s3:*', 'sqs:*', 'iam:*']));
      f.group('devs', { inline: { q: allow('sqs:SendMessage') }, attached: [f.policy('Dynamo', allow('dynamodb:GetItem'))] });
      f.user('alice', { attached: [s3], groups: ['Devs'], boundary, inline: { sns: allow('sns:Publish') } });
    });
    const alice = userPrincipal(index, 'alice');
    const sets = index.policySets(alice);
    assert.equal(decide(sets, alice.arn, 's3:GetObject'), 'Allow');
    assert.equal(decide(sets, alice.arn, 'sqs:SendMessage'), 'Allow');
    assert.equal(decide(sets, alice.arn, 'dynamodb:GetItem'), 'ImplicitDeny', 'outside the boundary');
    assert.equal(decide(sets, alice.arn, 'sns:Publish'), 'ImplicitDeny', 'outside the boundary');
    assert.equal(decide(sets, alice.arn, 'iam:ChangePassword', alice.arn), 'Allow');
    assert.equal(decide(sets, alice.arn, 'iam:ChangePassword', `arn:aws:iam::${ACCOUNT}:user/bob`), 'ImplicitDeny');
    assert.equal(decide(sets, alice.arn, 'iam:GetAccountPasswordPolicy'), 'Allow');
    assert.equal(index.policySets(alice), sets, 'cached');
  });

  test('policies are found by ARN though the feed names them by store id (AWS managed ones too)', () => {
    const f = new ReplicaFixture();
    const admin = f.awsPolicy('AdministratorAccess', allow('*'));
    f.user('admin', { attached: [admin] });
    const index = f.index();
    assert.equal(admin, 'arn:aws:iam::aws:policy/AdministratorAccess');
    assert.equal(f.record('policy', admin).id, 'aws/administratoraccess');
    assert.equal(index.policy(admin)?.policyName, 'AdministratorAccess');
    const p = userPrincipal(index, 'admin');
    assert.equal(decide(index.policySets(p), p.arn, 'iam:CreateUser'), 'Allow');
    index.apply(f.changes([{ op: 'delete', kind: 'policy', id: 'aws/administratoraccess', account: 'aws' }]));
    assert.equal(index.policy(admin), undefined);
    assert.equal(decide(index.policySets(p), p.arn, 'iam:CreateUser'), 'ImplicitDeny');
  });

  test('a boundary whose policy is gone allows nothing; a missing group or policy contributes nothing', () => {
    const { index } = buildReplicaState((f) => {
      f.user('alice', { inline: { all: allow('*') }, boundary: `arn:aws:iam::${ACCOUNT}:policy/Gone` });
      f.user('bob', { inline: { s3: allow('s3:*') }, groups: ['nogroup'], attached: [`arn:aws:iam::${ACCOUNT}:policy/Gone`] });
    });
    assert.equal(decide(index.policySets(userPrincipal(index, 'alice')), 'arn:aws:iam::111122223333:user/alice', 's3:GetObject'), 'ImplicitDeny');
    assert.equal(decide(index.policySets(userPrincipal(index, 'bob')), 'arn:aws:iam::111122223333:user/bob', 's3:GetObject'), 'Allow');
  });

  test('undefined for a user that is gone or was re-created under the same name', () => {
    const f = new ReplicaFixture();
    f.user('alice', { inline: { all: allow('*') } });
    const index = f.index();
    const alice = userPrincipal(index, 'alice');
    assert.ok(index.policySets(alice));
    index.apply(f.changes([{ op: 'put', record: { kind: 'user', id: `${ACCOUNT}/alice`, account: ACCOUNT, data: { ...index.user(ACCOUNT, 'alice'), userId: 'AIDANEWUSER0000000000' } as ReplicaUser } }]));
    assert.equal(index.policySets(alice), undefined);
    index.apply(f.changes([{ op: 'delete', kind: 'user', id: `${ACCOUNT}/alice` }]));
    assert.equal(index.policySets(alice), undefined);
  });

  test('changes invalidate exactly: a group’s, a policy’s new version, the account grant', () => {
    const f = new ReplicaFixture();
    f.accountRecord();
    const p = f.policy('P', allow('s3:GetObject'));
    f.group('devs', { attached: [p] });
    f.user('alice', { groups: ['devs'] });
    f.user('bob', { inline: { x: allow('sqs:*') } });
    const index = f.index();
    const alice = userPrincipal(index, 'alice');
    const bob = userPrincipal(index, 'bob');
    const bobSets = index.policySets(bob);
    assert.equal(decide(index.policySets(alice), alice.arn, 's3:GetObject'), 'Allow');

    const policy = f.record<{ document: string; defaultVersionId: string }>('policy', p);
    index.apply(f.changes([{ op: 'put', record: { ...policy, data: { ...policy.data, defaultVersionId: 'v2', document: allow('s3:PutObject') } } as ReplicaRecord }]));
    assert.equal(decide(index.policySets(alice), alice.arn, 's3:GetObject'), 'ImplicitDeny');
    assert.equal(decide(index.policySets(alice), alice.arn, 's3:PutObject'), 'Allow');
    assert.equal(index.policySets(bob), bobSets, 'bob’s sets were not built from the policy');

    const group = f.record<ReplicaGroup>('group', `${ACCOUNT}/devs`);
    index.apply(f.changes([{ op: 'put', record: { ...group, data: { ...group.data, inlinePolicies: { d: deny('s3:*') } } } as ReplicaRecord }]));
    assert.equal(decide(index.policySets(alice), alice.arn, 's3:PutObject'), 'ExplicitDeny');

    assert.equal(decide(index.policySets(bob), bob.arn, 'iam:GetAccountPasswordPolicy'), 'ImplicitDeny');
    index.apply(f.changes([{ op: 'put', record: f.accountRecord({ allowUsersToChangePassword: true }) as ReplicaRecord }]));
    assert.equal(decide(index.policySets(bob), bob.arn, 'iam:GetAccountPasswordPolicy'), 'Allow');
  });

  test('a snapshot with the same records keeps the compiled sets; one with a change rebuilds them', () => {
    const f = new ReplicaFixture();
    f.user('alice', { inline: { s3: allow('s3:*') } });
    const index = f.index();
    const alice = userPrincipal(index, 'alice');
    const sets = index.policySets(alice);
    index.reset(structuredClone(f.state()));
    assert.equal(index.policySets(alice), sets);
    f.user('alice', { inline: { sqs: allow('sqs:*') } });
    index.reset(f.state());
    assert.notEqual(index.policySets(alice), sets);
    assert.equal(decide(index.policySets(alice), alice.arn, 's3:GetObject'), 'ImplicitDeny');
  });

  test('sessions: the role’s policies plus one merged session layer', () => {
    const f = new ReplicaFixture();
    const write = f.policy('Write', allow('s3:PutObject'));
    f.role('Worker', { inline: { all: allow('s3:*') }, trust: trustAccount() });
    const index = f.index();
    const s = f.session({ kind: 'AssumedRole', roleName: 'Worker', sessionName: 'x', policy: allow('s3:GetObject'), policyArns: [write] });
    const role = index.role(ACCOUNT, 'worker');
    const principal: Principal = { type: 'AssumedRole', account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Worker/x`, userId: `${role?.roleId}:x`, accessKeyId: s.accessKeyId, session: s.claims };
    const sets = index.policySets(principal);
    assert.equal(sets?.session?.length, 1);
    assert.equal(decide(sets, principal.arn, 's3:GetObject'), 'Allow');
    assert.equal(decide(sets, principal.arn, 's3:PutObject'), 'Allow');
    assert.equal(decide(sets, principal.arn, 's3:DeleteObject'), 'ImplicitDeny');
    // A session of a role re-created under the same name has nothing.
    assert.equal(index.policySets({ ...principal, session: { ...s.claims, roleId: 'AROAOTHER' } }), undefined);
  });

  test('trustPolicy: compiled as a resource policy, cached per document', () => {
    const f = new ReplicaFixture();
    const role = f.role('Worker', { trust: trustAccount() });
    const index = f.index();
    const trust = index.trustPolicy(index.role(ACCOUNT, 'worker') ?? role);
    assert.equal(trust.layer, 'resource');
    assert.equal(index.trustPolicy(index.role(ACCOUNT, 'worker') ?? role), trust);
    const decision = evaluate({ principal: `arn:aws:iam::${ACCOUNT}:user/alice`, action: 'sts:AssumeRole', resource: role.arn }, { identity: [], resource: trust });
    assert.equal(decision.decision, 'ImplicitDeny', 'an account grant only delegates to identity policies');
  });

  test('cold start: a snapshot of 100,000 principals is indexed fast (policies compile on first use)', () => {
    const records: ReplicaRecord[] = [];
    for (let i = 0; i < 100_000; i++) {
      const name = `user${i}`;
      records.push({
        kind: 'user',
        id: `${ACCOUNT}/${name}`,
        account: ACCOUNT,
        data: { arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, path: '/', userName: name, userId: `AIDA${i}`, attachedPolicies: [], inlinePolicies: { p: allow('s3:GetObject', `arn:aws:s3:::b/${name}/*`) }, tags: [], groups: [], mfaDevices: [] },
      });
    }
    const f = new ReplicaFixture();
    const index = new ReplicaIndex({ region: REGION });
    const started = process.hrtime.bigint();
    index.reset({ ...f.state(), records });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(index.counts().users, 100_000);
    assert.ok(ms < 2000, `indexing took ${ms} ms`);
    const p = userPrincipal(index, 'user99999');
    assert.equal(decide(index.policySets(p), p.arn, 's3:GetObject', 'arn:aws:s3:::b/user99999/x'), 'Allow');
  });
});
