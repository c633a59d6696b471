/** Users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser and user tags. */
import { awsError } from '../../core/errors/index.js';
import { ID_PREFIX, newUniqueId } from '../../core/ids.js';
import { entityId, KIND, type AccessKeyEntity, type MfaDeviceEntity, type UserEntity } from '../../core/model/iam-entities.js';
import { defineOperation, type OperationContext } from '../context.js';
import { entityArn, findUser, listAll, loadUser, mergeTags, quotaExceeded, refuseDeleteWhilePoliciesRemain, removeTags, requestTagContext, saveUser, tagPage, type TagInput } from '../entities.js';
import { iamArn } from '../iam-arns.js';
import { paginate, withPathPrefix } from '../paging.js';
import { adjustPolicyUsage, boundaryOutput, checkBoundaryPolicy } from './boundaries.js';

/** AWS quota: IAM users per account. */
export const USERS_PER_ACCOUNT = 5000;

/** The `User` shape of the API. */
export function userOutput(user: UserEntity, withTags = true) {
  return {
    path: user.path,
    userName: user.userName,
    userId: user.userId,
    arn: user.arn,
    createDate: user.createDate,
    passwordLastUsed: user.passwordLastUsed,
    permissionsBoundary: boundaryOutput(user.permissionsBoundary),
    tags: withTags && user.tags.length ? user.tags : undefined,
  };
}

/** The ARN of the named user, or the caller's own when the request names none. */
export function userResource(input: { userName?: string }, ctx: OperationContext) {
  return input.userName === undefined ? ctx.caller.arn : entityArn(ctx, 'user', input.userName);
}

/** The user a request names, or the caller itself when it names none (GetUser, ListAccessKeys...). */
export function userNameOrCaller(ctx: OperationContext, userName: string | undefined): string {
  if (userName !== undefined) return userName;
  if (!ctx.caller.userName) throw awsError('ValidationError', 'Must specify userName when calling with non-User credentials');
  return ctx.caller.userName;
}

export const createUser = defineOperation({
  name: 'CreateUser',
  write: true,
  resource: (input: { userName: string; path?: string }, ctx) => iamArn(ctx.env.partition, ctx.account, 'user', input.path ?? '/', input.userName),
  context: (input: { tags?: TagInput; permissionsBoundary?: string }) => ({
    ...requestTagContext(input.tags),
    ...(input.permissionsBoundary ? { 'iam:PermissionsBoundary': input.permissionsBoundary } : {}),
  }),
  async run(input: { userName: string; path?: string; permissionsBoundary?: string; tags?: TagInput }, ctx) {
    const { tx, account } = ctx;
    if (await findUser(tx, account, input.userName)) throw awsError('EntityAlreadyExists', `User with name ${input.userName} already exists.`);
    if ((await tx.count(KIND.user, { account })) >= USERS_PER_ACCOUNT) throw quotaExceeded('UsersPerAccount', USERS_PER_ACCOUNT);
    if (input.permissionsBoundary) await checkBoundaryPolicy(tx, input.permissionsBoundary);
    const path = input.path ?? '/';
    const user: UserEntity = {
      userName: input.userName,
      userId: newUniqueId(ID_PREFIX.user, ctx.env.random),
      path,
      arn: iamArn(ctx.env.partition, account, 'user', path, input.userName),
      createDate: ctx.now.toISOString(),
      tags: mergeTags([], input.tags),
      attachedPolicies: [],
      inlinePolicies: {},
      permissionsBoundary: input.permissionsBoundary,
      groups: [],
      accessKeys: [],
      mfaDevices: [],
    };
    if (input.permissionsBoundary) await adjustPolicyUsage(tx, input.permissionsBoundary, 'permissionsBoundaryUsageCount', +1);
    await saveUser(tx, account, user);
    return { user: userOutput(user) };
  },
});

export const getUser = defineOperation({
  name: 'GetUser',
  write: false,
  resource: userResource,
  async run(input: { userName?: string }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, userNameOrCaller(ctx, input.userName));
    return { user: userOutput(user) };
  },
});

export const listUsers = defineOperation({
  name: 'ListUsers',
  write: false,
  resource: (input: { pathPrefix?: string }, ctx) => iamArn(ctx.env.partition, ctx.account, 'user', input.pathPrefix ?? '/', ''),
  async run(input: { pathPrefix?: string; marker?: string; maxItems?: number }, ctx) {
    const users = withPathPrefix(await listAll<UserEntity>(ctx.tx, KIND.user, ctx.account), input.pathPrefix);
    const page = paginate(users, (u) => u.userName.toLowerCase(), input.marker, input.maxItems);
    return { users: page.items.map((u) => userOutput(u, false)), isTruncated: page.isTruncated, marker: page.marker };
  },
});

export const updateUser = defineOperation({
  name: 'UpdateUser',
  write: true,
  resource: (input: { userName: string }, ctx) => entityArn(ctx, 'user', input.userName),
  async run(input: { userName: string; newPath?: string; newUserName?: string }, ctx) {
    const { tx, account } = ctx;
    const user = await loadUser(tx, account, input.userName);
    const newName = input.newUserName ?? user.userName;
    const renamed = newName.toLowerCase() !== user.userName.toLowerCase();
    if (renamed && (await findUser(tx, account, newName))) throw awsError('EntityAlreadyExists', `User with name ${newName} already exists.`);
    const oldKey = entityId(account, user.userName);
    const updated: UserEntity = { ...user, userName: newName, path: input.newPath ?? user.path };
    updated.arn = iamArn(ctx.env.partition, account, 'user', updated.path, newName);
    if (renamed) {
      await tx.delete(KIND.user, oldKey);
      for (const group of user.groups) {
        await tx.delete(KIND.groupMember, `${entityId(account, group)}/${user.userName.toLowerCase()}`);
        await tx.put(KIND.groupMember, `${entityId(account, group)}/${newName.toLowerCase()}`, account, { userName: newName });
      }
    }
    // A device's holder is kept by name, so a rename moves the user's MFA devices along.
    if (renamed && user.mfaDevices.length) {
      for (const rec of (await tx.list<MfaDeviceEntity>(KIND.mfa, { account, prefix: `${account}/` })).items) {
        if (rec.data.userName === user.userName) await tx.put(KIND.mfa, rec.id, account, { ...rec.data, userName: newName });
      }
    }
    for (const keyId of user.accessKeys) {
      const key = await tx.get<AccessKeyEntity>(KIND.accessKey, keyId);
      if (key) await tx.put(KIND.accessKey, keyId, account, { ...key.data, userKey: newName.toLowerCase(), userName: newName });
    }
    await saveUser(tx, account, updated);
    return undefined;
  },
});

export const deleteUser = defineOperation({
  name: 'DeleteUser',
  write: true,
  resource: (input: { userName: string }, ctx) => entityArn(ctx, 'user', input.userName),
  async run(input: { userName: string }, ctx) {
    const { tx, account } = ctx;
    const user = await loadUser(tx, account, input.userName);
    // AWS-COMPAT: DeleteUser refuses while anything still hangs off the user, in this order.
    if (user.loginProfile) throw awsError('DeleteConflict', 'Cannot delete entity, must delete login profile first.');
    if (user.accessKeys.length) throw awsError('DeleteConflict', 'Cannot delete entity, must delete access keys first.');
    if (user.mfaDevices.length) throw awsError('DeleteConflict', 'Cannot delete entity, must delete MFA device first.');
    refuseDeleteWhilePoliciesRemain(user);
    if (user.groups.length) throw awsError('DeleteConflict', 'Cannot delete entity, must remove user from all groups first.');
    if (user.permissionsBoundary) await adjustPolicyUsage(tx, user.permissionsBoundary, 'permissionsBoundaryUsageCount', -1);
    await tx.delete(KIND.user, entityId(account, user.userName));
    return undefined;
  },
});

export const tagUser = defineOperation({
  name: 'TagUser',
  write: true,
  resource: (input: { userName: string }, ctx) => entityArn(ctx, 'user', input.userName),
  context: (input: { tags?: TagInput }) => requestTagContext(input.tags),
  async run(input: { userName: string; tags: TagInput }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, input.userName);
    await saveUser(ctx.tx, ctx.account, { ...user, tags: mergeTags(user.tags, input.tags) });
    return undefined;
  },
});

export const untagUser = defineOperation({
  name: 'UntagUser',
  write: true,
  resource: (input: { userName: string }, ctx) => entityArn(ctx, 'user', input.userName),
  context: (input: { tagKeys?: string[] }) => requestTagContext(undefined, input.tagKeys),
  async run(input: { userName: string; tagKeys: string[] }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, input.userName);
    await saveUser(ctx.tx, ctx.account, { ...user, tags: removeTags(user.tags, input.tagKeys) });
    return undefined;
  },
});

export const listUserTags = defineOperation({
  name: 'ListUserTags',
  write: false,
  resource: (input: { userName: string }, ctx) => entityArn(ctx, 'user', input.userName),
  async run(input: { userName: string; marker?: string; maxItems?: number }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, input.userName);
    return tagPage(user.tags, input);
  },
});

export const USER_OPERATIONS = [createUser, getUser, listUsers, updateUser, deleteUser, tagUser, untagUser, listUserTags];
