/**
 * Requests to IAM signed with temporary credentials: a role session has the role's permissions
 * limited by its session policies and the role's boundary, revoking a role's older sessions
 * works as in AWS, and the sessions IAM refuses (GetSessionToken without MFA, federated users)
 * are refused with AWS's error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Authenticator } from '../../src/control-plane/authenticator.js';
import type { Caller } from '../../src/control-plane/context.js';
import type { SessionKind } from '../../src/core/model/principal.js';
import { ACCOUNT, createHarness } from './harness.js';
import { allowDoc, mintSession, roleSession, signedIamRequest, TRUST_ACCOUNT, userSession, type SessionFacts } from './session-helpers.js';

interface RoleOut {
  arn: string;
  roleId: string;
  roleName: string;
}

async function setUp() {
  const h = await createHarness();
  const authenticator = new Authenticator(h.env, h.service);
  /** The caller the authenticator makes of a request signed with fresh credentials for this session. */
  const session = async (kind: SessionKind, facts: SessionFacts): Promise<Caller> => {
    const now = h.clock.now;
    const { credentials } = mintSession(h.env.tokenRoot, ACCOUNT, kind, now, facts);
    const result = await authenticator.authenticate(signedIamRequest(credentials, now), now, 'iam');
    assert.ok(result.ok, `not authenticated: ${!result.ok ? result.message : ''}`);
    return result.caller;
  };
  const createRole = async (roleName: string, policy?: string): Promise<RoleOut> => {
    const { role } = (await h.call('CreateRole', { roleName, assumeRolePolicyDocument: TRUST_ACCOUNT(ACCOUNT) })) as { role: RoleOut };
    if (policy) await h.call('PutRolePolicy', { roleName, policyName: 'main', policyDocument: policy });
    return role;
  };
  const createUser = async (userName: string, policy?: string) => {
    const { user } = (await h.call('CreateUser', { userName })) as { user: { arn: string; userId: string; userName: string } };
    if (policy) await h.call('PutUserPolicy', { userName, policyName: 'main', policyDocument: policy });
    return user;
  };
  return { h, session, createRole, createUser };
}

/** Runs `fn`, expecting an AWS error with this code; returns its message. */
async function rejected(fn: () => Promise<unknown>, code: string): Promise<string> {
  let message = '';
  await assert.rejects(fn, (err: Error & { code?: string }) => {
    assert.equal(err.code, code, err.message);
    message = err.message;
    return true;
  });
  return message;
}

describe('role sessions on IAM', () => {
  it('act as the assumed role with its permissions; AccessDenied names the session', async () => {
    const { h, session, createRole } = await setUp();
    const role = await createRole('deployer', allowDoc(['iam:ListUsers', 'iam:GetRole']));
    const caller = await session('AssumedRole', roleSession(role, 'ci-run'));
    assert.equal(caller.type, 'AssumedRole');
    assert.equal(caller.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci-run`);
    assert.equal(caller.userId, `${role.roleId}:ci-run`);

    assert.ok(Array.isArray(((await h.call('ListUsers', {}, caller)) as { users: unknown[] }).users));
    assert.equal(((await h.call('GetRole', { roleName: 'deployer' }, caller)) as { role: RoleOut }).role.roleId, role.roleId);
    const message = await rejected(() => h.call('CreateUser', { userName: 'mallory' }, caller), 'AccessDenied');
    assert.equal(message, `User: arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci-run is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/mallory because no identity-based policy allows the iam:CreateUser action`);
  });

  it('are limited by their session policies, inline and managed together', async () => {
    const { h, session, createRole } = await setUp();
    const role = await createRole('reader', allowDoc(['iam:List*', 'iam:Get*']));
    const { policy } = (await h.call('CreatePolicy', { policyName: 'list-users', policyDocument: allowDoc('iam:ListUsers') })) as { policy: { arn: string } };

    const narrow = await session('AssumedRole', { ...roleSession(role, 'narrow'), policy: allowDoc('iam:ListRoles') });
    await h.call('ListRoles', {}, narrow);
    const message = await rejected(() => h.call('ListUsers', {}, narrow), 'AccessDenied');
    assert.match(message, new RegExp(`^User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/narrow is not authorized to perform: iam:ListUsers on resource: .* because no session policy allows the iam:ListUsers action$`));

    const both = await session('AssumedRole', { ...roleSession(role, 'both'), policy: allowDoc('iam:ListRoles'), policyArns: [policy.arn] });
    await h.call('ListRoles', {}, both);
    await h.call('ListUsers', {}, both);
    await rejected(() => h.call('GetRole', { roleName: 'reader' }, both), 'AccessDenied');

    // A session policy never grants more than the role has.
    const wide = await session('AssumedRole', { ...roleSession(role, 'wide'), policy: allowDoc('iam:*') });
    assert.match(await rejected(() => h.call('CreateUser', { userName: 'x' }, wide), 'AccessDenied'), /because no identity-based policy allows/);
  });

  it("are limited by the role's permissions boundary", async () => {
    const { h, session, createRole } = await setUp();
    const role = await createRole('bounded', allowDoc(['iam:ListUsers', 'iam:ListRoles']));
    const { policy } = (await h.call('CreatePolicy', { policyName: 'boundary', policyDocument: allowDoc('iam:ListRoles') })) as { policy: { arn: string } };
    await h.call('PutRolePermissionsBoundary', { roleName: 'bounded', permissionsBoundary: policy.arn });
    const caller = await session('AssumedRole', roleSession(role, 's'));
    await h.call('ListRoles', {}, caller);
    assert.match(await rejected(() => h.call('ListUsers', {}, caller), 'AccessDenied'), /because no permissions boundary allows the iam:ListUsers action$/);
  });

  it("revoking the role's active sessions denies the older sessions and not newer ones", async () => {
    const { h, session, createRole } = await setUp();
    const role = await createRole('ops', allowDoc('iam:ListUsers'));
    const older = await session('AssumedRole', roleSession(role, 'older'));
    await h.call('ListUsers', {}, older);

    // What the console's "Revoke active sessions" writes (AWSRevokeOlderSessions), at the time of revocation.
    h.clock.now = new Date(h.clock.now.getTime() + 60_000);
    const revokedAt = h.clock.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const revoke = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': revokedAt } } }] };
    await h.call('PutRolePolicy', { roleName: 'ops', policyName: 'AWSRevokeOlderSessions', policyDocument: JSON.stringify(revoke) });

    const message = await rejected(() => h.call('ListUsers', {}, older), 'AccessDenied');
    assert.match(message, new RegExp(`^User: arn:aws:sts::${ACCOUNT}:assumed-role/ops/older is not authorized to perform: iam:ListUsers on resource: .* with an explicit deny in an identity-based policy$`));

    h.clock.now = new Date(h.clock.now.getTime() + 1000);
    const newer = await session('AssumedRole', roleSession(role, 'newer'));
    await h.call('ListUsers', {}, newer);
  });

  it('of a deleted role have no permissions, even when a role of the same name is created again', async () => {
    const { h, session, createRole } = await setUp();
    const role = await createRole('temp', allowDoc('iam:ListUsers'));
    const caller = await session('AssumedRole', roleSession(role, 's'));
    await h.call('ListUsers', {}, caller);
    await h.call('DeleteRolePolicy', { roleName: 'temp', policyName: 'main' });
    await h.call('DeleteRole', { roleName: 'temp' });
    assert.match(await rejected(() => h.call('ListUsers', {}, caller), 'AccessDenied'), /assumed-role\/temp\/s is not authorized to perform: iam:ListUsers .*because no identity-based policy allows/);
    await createRole('temp', allowDoc('iam:ListUsers'));
    await rejected(() => h.call('ListUsers', {}, caller), 'AccessDenied');
  });

  it("see the condition keys AWS sets: session tags over the role's tags, the role's ARN, the token's issue time", async () => {
    const { h, session, createRole } = await setUp();
    const teamBlue = { StringEquals: { 'aws:PrincipalTag/team': 'blue', 'aws:PrincipalType': 'AssumedRole' } };
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*', Condition: teamBlue },
        { Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/tagged` } } },
        { Effect: 'Allow', Action: 'iam:ListGroups', Resource: '*', Condition: { DateGreaterThan: { 'aws:TokenIssueTime': '2026-11-21T11:00:00Z' }, StringLike: { 'aws:userid': 'AROA*:s' } } },
      ],
    });
    const role = await createRole('tagged', policy);
    await h.call('TagRole', { roleName: 'tagged', tags: [{ key: 'team', value: 'red' }] });

    const red = await session('AssumedRole', roleSession(role, 's'));
    await rejected(() => h.call('ListUsers', {}, red), 'AccessDenied');
    await h.call('ListRoles', {}, red);
    await h.call('ListGroups', {}, red);

    const blue = await session('AssumedRole', { ...roleSession(role, 's'), tags: [{ key: 'Team', value: 'blue' }] });
    await h.call('ListUsers', {}, blue);

    // The role's tags are read afresh after a change.
    await h.call('TagRole', { roleName: 'tagged', tags: [{ key: 'team', value: 'blue' }] });
    await h.call('ListUsers', {}, red);
  });

  it("cannot change a password: a role session is not an IAM user", async () => {
    const { h, session, createRole } = await setUp();
    const role = await createRole('admin-role', allowDoc('iam:*'));
    const caller = await session('AssumedRole', roleSession(role, 's'));
    await rejected(() => h.call('ChangePassword', { oldPassword: 'a', newPassword: 'b' }, caller), 'InvalidUserType');
    await rejected(() => h.call('GetUser', {}, caller), 'ValidationError');
  });
});

describe('GetSessionToken credentials on IAM', () => {
  it('are refused without MFA, with the error AWS gives', async () => {
    const { h, session, createUser } = await setUp();
    const user = await createUser('alice', allowDoc('iam:*'));
    const caller = await session('SessionToken', userSession(user));
    assert.equal(caller.type, 'IAMUser');
    assert.equal(caller.arn, user.arn);
    const message = await rejected(() => h.call('ListUsers', {}, caller), 'InvalidClientTokenId');
    assert.equal(message, 'The security token included in the request is invalid');
  });

  it("act as the user with the user's permissions when MFA was presented", async () => {
    const { h, session, createUser } = await setUp();
    const mfaOnly = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListUsers'], Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } },
      ],
    });
    const user = await createUser('alice', mfaOnly);
    const caller = await session('SessionToken', { ...userSession(user), mfaAuthenticatedAt: h.clock.now.toISOString() });
    const { user: me } = (await h.call('GetUser', {}, caller)) as { user: { userName: string; userId: string } };
    assert.equal(me.userName, 'alice');
    await h.call('ListUsers', {}, caller);
    const message = await rejected(() => h.call('CreateUser', { userName: 'bob' }, caller), 'AccessDenied');
    assert.equal(message, `User: ${user.arn} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/bob because no identity-based policy allows the iam:CreateUser action`);
  });

  it('stop working when the user is deleted, and are not the new user of the same name', async () => {
    const { h, session, createUser } = await setUp();
    const user = await createUser('carol', allowDoc('iam:ListUsers'));
    const caller = await session('SessionToken', { ...userSession(user), mfaAuthenticatedAt: h.clock.now.toISOString() });
    await h.call('ListUsers', {}, caller);
    await h.call('DeleteUserPolicy', { userName: 'carol', policyName: 'main' });
    await h.call('DeleteUser', { userName: 'carol' });
    await rejected(() => h.call('ListUsers', {}, caller), 'InvalidClientTokenId');
    await createUser('carol', allowDoc('iam:ListUsers'));
    await rejected(() => h.call('ListUsers', {}, caller), 'InvalidClientTokenId');
  });
});

describe('federated users on IAM', () => {
  it('are refused whatever their policies, with the error AWS gives', async () => {
    const { h, session, createUser } = await setUp();
    const user = await createUser('proxy', allowDoc('iam:*'));
    const caller = await session('FederatedUser', { ...userSession(user), federatedName: 'bob', policy: allowDoc('iam:*'), mfaAuthenticatedAt: h.clock.now.toISOString() });
    assert.equal(caller.type, 'FederatedUser');
    assert.equal(caller.arn, `arn:aws:sts::${ACCOUNT}:federated-user/bob`);
    assert.equal(caller.userId, `${ACCOUNT}:bob`);
    assert.equal(await rejected(() => h.call('ListUsers', {}, caller), 'InvalidClientTokenId'), 'The security token included in the request is invalid');
  });
});
