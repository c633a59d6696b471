/**
 * Long-term access keys: CreateAccessKey (the only answer that carries the secret),
 * ListAccessKeys, UpdateAccessKey, DeleteAccessKey and GetAccessKeyLastUsed.
 */
import { awsError } from '../../core/errors/index.js';
import { KIND, type AccessKeyEntity, type UserEntity } from '../../core/model/iam-entities.js';
import type { ReadTx } from '../../store/ports.js';
import { issueAccessKey } from '../access-key-secrets.js';
import { deleteKeyUsage, keyLastUsed } from '../access-key-usage.js';
import { defineOperation } from '../context.js';
import { entityArn, loadUser, quotaExceeded, saveUser } from '../entities.js';
import { iamArn } from '../iam-arns.js';
import { paginate } from '../paging.js';
import { userNameOrCaller, userResource } from './users.js';

/** AWS quota: access keys per user, active or not. */
export const ACCESS_KEYS_PER_USER = 2;

/** The `AccessKeyMetadata` shape of the API (never the secret). */
function accessKeyMetadata(key: AccessKeyEntity) {
  return { userName: key.userName, accessKeyId: key.accessKeyId, status: key.status, createDate: key.createDate };
}

function noSuchKey(accessKeyId: string) {
  return awsError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
}

/** A key of the caller's account, wherever it belongs. */
async function findKey(tx: ReadTx, account: string, accessKeyId: string): Promise<AccessKeyEntity | undefined> {
  const rec = await tx.get<AccessKeyEntity>(KIND.accessKey, accessKeyId);
  return rec && rec.account === account ? rec.data : undefined;
}

/** The user's key with this id; another user's key is as unknown as a missing one. */
async function loadUserKey(tx: ReadTx, account: string, user: UserEntity, accessKeyId: string): Promise<AccessKeyEntity> {
  const key = user.accessKeys.includes(accessKeyId) ? await findKey(tx, account, accessKeyId) : undefined;
  if (!key) throw noSuchKey(accessKeyId);
  return key;
}

export const createAccessKey = defineOperation({
  name: 'CreateAccessKey',
  write: true,
  resource: userResource,
  async run(input: { userName?: string }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, userNameOrCaller(ctx, input.userName));
    // AWS-COMPAT: inactive keys count too, and AWS's message has no final period.
    if (user.accessKeys.length >= ACCESS_KEYS_PER_USER) throw quotaExceeded('AccessKeysPerUser', ACCESS_KEYS_PER_USER);
    const { entity, secretAccessKey } = await issueAccessKey(ctx.tx, ctx.env, ctx.account, user, ctx.now);
    await saveUser(ctx.tx, ctx.account, user);
    return { accessKey: { ...accessKeyMetadata(entity), secretAccessKey } };
  },
});

export const listAccessKeys = defineOperation({
  name: 'ListAccessKeys',
  write: false,
  resource: userResource,
  async run(input: { userName?: string; marker?: string; maxItems?: number }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, userNameOrCaller(ctx, input.userName));
    const keys: AccessKeyEntity[] = [];
    for (const id of user.accessKeys) {
      const key = await findKey(ctx.tx, ctx.account, id);
      if (key) keys.push(key);
    }
    keys.sort((a, b) => a.createDate.localeCompare(b.createDate) || a.accessKeyId.localeCompare(b.accessKeyId));
    const page = paginate(keys, (k) => `${k.createDate}|${k.accessKeyId}`, input.marker, input.maxItems);
    return { accessKeyMetadata: page.items.map(accessKeyMetadata), isTruncated: page.isTruncated, marker: page.marker };
  },
});

export const updateAccessKey = defineOperation({
  name: 'UpdateAccessKey',
  write: true,
  resource: userResource,
  async run(input: { userName?: string; accessKeyId: string; status: 'Active' | 'Inactive' }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, userNameOrCaller(ctx, input.userName));
    const key = await loadUserKey(ctx.tx, ctx.account, user, input.accessKeyId);
    if (key.status !== input.status) await ctx.tx.put(KIND.accessKey, key.accessKeyId, ctx.account, { ...key, status: input.status });
    return undefined;
  },
});

export const deleteAccessKey = defineOperation({
  name: 'DeleteAccessKey',
  write: true,
  resource: userResource,
  async run(input: { userName?: string; accessKeyId: string }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, userNameOrCaller(ctx, input.userName));
    const key = await loadUserKey(ctx.tx, ctx.account, user, input.accessKeyId);
    await ctx.tx.delete(KIND.accessKey, key.accessKeyId);
    await deleteKeyUsage(ctx.tx, key.accessKeyId);
    await saveUser(ctx.tx, ctx.account, { ...user, accessKeys: user.accessKeys.filter((id) => id !== key.accessKeyId) });
    return undefined;
  },
});

export const getAccessKeyLastUsed = defineOperation({
  name: 'GetAccessKeyLastUsed',
  write: false,
  // The key's owner; for a key this account does not have, no user's ARN applies, so only a
  // policy that allows every user (`user/*` or `*`) lets the caller learn that it does not exist.
  resource: async (input: { accessKeyId: string }, ctx) => {
    const key = await findKey(ctx.tx, ctx.account, input.accessKeyId);
    return key ? entityArn(ctx, 'user', key.userName) : iamArn(ctx.env.partition, ctx.account, 'user', '/', '*');
  },
  async run(input: { accessKeyId: string }, ctx) {
    const key = await findKey(ctx.tx, ctx.account, input.accessKeyId);
    if (!key) throw noSuchKey(input.accessKeyId);
    // AWS-COMPAT: a key never used has no date and "N/A" for service and Region.
    const lastUsed = (await keyLastUsed(ctx.tx, key)) ?? { lastUsedDate: undefined, serviceName: 'N/A', region: 'N/A' };
    return { userName: key.userName, accessKeyLastUsed: { lastUsedDate: lastUsed.lastUsedDate, serviceName: lastUsed.serviceName, region: lastUsed.region } };
  },
});

export const ACCESS_KEY_OPERATIONS = [createAccessKey, listAccessKeys, updateAccessKey, deleteAccessKey, getAccessKeyLastUsed];
