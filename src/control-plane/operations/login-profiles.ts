/**
 * Console passwords: CreateLoginProfile, GetLoginProfile, UpdateLoginProfile, DeleteLoginProfile
 * and ChangePassword. Only the scrypt hash and keyed fingerprints are stored; no output, error
 * or log line carries a password or its hash.
 */
import { constantTimeEqual } from '../../core/crypto/index.js';
import { awsError } from '../../core/errors/index.js';
import type { PasswordPolicy, UserEntity } from '../../core/model/iam-entities.js';
import { defineOperation, type OperationContext } from '../context.js';
import { entityArn, loadAccount, loadUser, saveUser } from '../entities.js';
import { hashPassword, passwordFingerprint, verifyPassword } from '../passwords.js';
import { checkPasswordPolicy, PASSWORD_POLICY_VIOLATION } from './password-policy.js';
import { userNameOrCaller, userResource } from './users.js';

/** AWS's PasswordReusePrevention maximum: the longest history worth keeping. */
const MAX_PASSWORD_HISTORY = 24;

type LoginProfile = NonNullable<UserEntity['loginProfile']>;

/** The `LoginProfile` shape of the API. */
function loginProfileOutput(user: UserEntity, profile: LoginProfile) {
  return { userName: user.userName, createDate: profile.createDate, passwordResetRequired: profile.passwordResetRequired };
}

function noLoginProfile(userName: string) {
  return awsError('NoSuchEntity', `Login Profile for User ${userName} cannot be found.`);
}

function loginProfileOf(user: UserEntity): LoginProfile {
  if (!user.loginProfile) throw noLoginProfile(user.userName);
  return user.loginProfile;
}

async function accountPolicy(ctx: OperationContext): Promise<PasswordPolicy | undefined> {
  return (await loadAccount(ctx.tx, ctx.account)).passwordPolicy;
}

/**
 * Checks a new password against the policy (complexity and reuse) and returns the stored form of
 * the profile's password fields.
 */
async function newPassword(ctx: OperationContext, user: UserEntity, password: string, previous: LoginProfile | undefined) {
  const policy = await accountPolicy(ctx);
  checkPasswordPolicy(password, policy);
  const fingerprint = passwordFingerprint(ctx.env.secretsKey, user.userId, password);
  const history = previous?.passwordHistory ?? [];
  const remembered = history.slice(0, policy?.passwordReusePrevention ?? 0);
  if (remembered.some((old) => constantTimeEqual(old, fingerprint))) throw awsError('PasswordPolicyViolation', PASSWORD_POLICY_VIOLATION);
  return {
    passwordHash: await hashPassword(password, ctx.env.random),
    passwordLastChanged: ctx.now.toISOString(),
    passwordHistory: [fingerprint, ...history].slice(0, MAX_PASSWORD_HISTORY),
  };
}

export const createLoginProfile = defineOperation({
  name: 'CreateLoginProfile',
  write: true,
  resource: userResource,
  async run(input: { userName?: string; password?: string; passwordResetRequired?: boolean }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, userNameOrCaller(ctx, input.userName));
    if (user.loginProfile) throw awsError('EntityAlreadyExists', `Login Profile for user ${user.userName} already exists.`);
    // DIVERGENCE: AWS lets an AssumeRoot session create the root user's password with no
    // Password; there are no root sessions here, so a password is always required.
    if (input.password === undefined) throw awsError('ValidationError', 'Password is required when creating a login profile for an IAM user.');
    const profile: LoginProfile = {
      createDate: ctx.now.toISOString(),
      passwordResetRequired: input.passwordResetRequired ?? false,
      ...(await newPassword(ctx, user, input.password, undefined)),
    };
    await saveUser(ctx.tx, ctx.account, { ...user, loginProfile: profile });
    return { loginProfile: loginProfileOutput(user, profile) };
  },
});

export const getLoginProfile = defineOperation({
  name: 'GetLoginProfile',
  write: false,
  resource: userResource,
  async run(input: { userName?: string }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, userNameOrCaller(ctx, input.userName));
    return { loginProfile: loginProfileOutput(user, loginProfileOf(user)) };
  },
});

export const updateLoginProfile = defineOperation({
  name: 'UpdateLoginProfile',
  write: true,
  resource: (input: { userName: string }, ctx) => entityArn(ctx, 'user', input.userName),
  async run(input: { userName: string; password?: string; passwordResetRequired?: boolean }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, input.userName);
    const profile = loginProfileOf(user);
    const next: LoginProfile = {
      ...profile,
      ...(input.password === undefined ? {} : await newPassword(ctx, user, input.password, profile)),
      passwordResetRequired: input.passwordResetRequired ?? profile.passwordResetRequired,
    };
    await saveUser(ctx.tx, ctx.account, { ...user, loginProfile: next });
    return undefined;
  },
});

export const deleteLoginProfile = defineOperation({
  name: 'DeleteLoginProfile',
  write: true,
  resource: userResource,
  async run(input: { userName?: string }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, userNameOrCaller(ctx, input.userName));
    loginProfileOf(user);
    await saveUser(ctx.tx, ctx.account, { ...user, loginProfile: undefined });
    return undefined;
  },
});

export const changePassword = defineOperation({
  name: 'ChangePassword',
  write: true,
  // The caller's own user: `arn:aws:iam::*:user/${aws:username}` in a policy matches it, and
  // AllowUsersToChangePassword grants exactly this (see caller-policies.ts).
  resource: (_input, ctx) => ctx.caller.arn,
  async run(input: { oldPassword: string; newPassword: string }, ctx) {
    // AWS-COMPAT: root credentials get InvalidUserType; the root password is not an IAM login profile.
    // So do role sessions; a GetSessionToken session is the user itself (type IAMUser).
    if (ctx.caller.type !== 'IAMUser' || !ctx.caller.userName) throw awsError('InvalidUserType', 'Only IAM users can change their own password.');
    const user = await loadUser(ctx.tx, ctx.account, ctx.caller.userName);
    const profile = loginProfileOf(user);
    // DIVERGENCE: AWS's code and wording for a wrong old password are not documented; we answer
    // AccessDenied (the request is not authenticated by the old password) and say why.
    if (!(await verifyPassword(input.oldPassword, profile.passwordHash))) throw awsError('AccessDenied', 'The old password is incorrect.');
    const next: LoginProfile = { ...profile, ...(await newPassword(ctx, user, input.newPassword, profile)), passwordResetRequired: false };
    await saveUser(ctx.tx, ctx.account, { ...user, loginProfile: next });
    return undefined;
  },
});

export const LOGIN_PROFILE_OPERATIONS = [createLoginProfile, getLoginProfile, updateLoginProfile, deleteLoginProfile, changePassword];
