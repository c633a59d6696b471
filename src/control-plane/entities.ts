/**
 * Loading and saving IAM entities inside a unit of work, with AWS's errors for missing ones.
 */
import { awsError } from '../core/errors/index.js';
import { entityId, KIND, type AccountEntity, type GroupEntity, type ManagedPolicyEntity, type MfaDeviceEntity, type RoleEntity, type Tag, type UserEntity } from '../core/model/iam-entities.js';
import type { ReadTx, WriteTx } from '../store/ports.js';
import type { OperationContext } from './context.js';
import { iamArn, parseIamArn, type IamResourceType } from './iam-arns.js';
import { paginate } from './paging.js';

export async function loadAccount(tx: ReadTx, account: string): Promise<AccountEntity> {
  const rec = await tx.get<AccountEntity>(KIND.account, account);
  if (!rec) throw awsError('NoSuchEntity', `The account ${account} cannot be found.`);
  return rec.data;
}

export async function findUser(tx: ReadTx, account: string, userName: string): Promise<UserEntity | undefined> {
  return (await tx.get<UserEntity>(KIND.user, entityId(account, userName)))?.data;
}

export async function loadUser(tx: ReadTx, account: string, userName: string): Promise<UserEntity> {
  const user = await findUser(tx, account, userName);
  if (!user) throw awsError('NoSuchEntity', `The user with name ${userName} cannot be found.`);
  return user;
}

export async function saveUser(tx: WriteTx, account: string, user: UserEntity): Promise<void> {
  await tx.put(KIND.user, entityId(account, user.userName), account, user);
}

export async function findGroup(tx: ReadTx, account: string, groupName: string): Promise<GroupEntity | undefined> {
  return (await tx.get<GroupEntity>(KIND.group, entityId(account, groupName)))?.data;
}

export async function loadGroup(tx: ReadTx, account: string, groupName: string): Promise<GroupEntity> {
  const group = await findGroup(tx, account, groupName);
  if (!group) throw awsError('NoSuchEntity', `The group with name ${groupName} cannot be found.`);
  return group;
}

export async function saveGroup(tx: WriteTx, account: string, group: GroupEntity): Promise<void> {
  await tx.put(KIND.group, entityId(account, group.groupName), account, group);
}

export async function findRole(tx: ReadTx, account: string, roleName: string): Promise<RoleEntity | undefined> {
  return (await tx.get<RoleEntity>(KIND.role, entityId(account, roleName)))?.data;
}

export async function loadRole(tx: ReadTx, account: string, roleName: string): Promise<RoleEntity> {
  const role = await findRole(tx, account, roleName);
  if (!role) throw awsError('NoSuchEntity', `The role with name ${roleName} cannot be found.`);
  return role;
}

export async function saveRole(tx: WriteTx, account: string, role: RoleEntity): Promise<void> {
  await tx.put(KIND.role, entityId(account, role.roleName), account, role);
}

/** An EC2 instance profile: a container for (at most) one role. */
export interface InstanceProfileEntity {
  instanceProfileName: string;
  instanceProfileId: string;
  path: string;
  arn: string;
  createDate: string;
  tags: Tag[];
  /**
   * Names of the profile's roles, as the roles spell them. A role in a profile cannot be deleted
   * (DeleteRole answers DeleteConflict), so each name stays valid while it is here.
   */
  roles: string[];
}

export async function findInstanceProfile(tx: ReadTx, account: string, name: string): Promise<InstanceProfileEntity | undefined> {
  return (await tx.get<InstanceProfileEntity>(KIND.instanceProfile, entityId(account, name)))?.data;
}

export async function loadInstanceProfile(tx: ReadTx, account: string, name: string): Promise<InstanceProfileEntity> {
  const profile = await findInstanceProfile(tx, account, name);
  // AWS's wording (seen in skyplane-project/skyplane#724, DataBiosphere/toil#4836).
  if (!profile) throw awsError('NoSuchEntity', `Instance Profile ${name} cannot be found.`);
  return profile;
}

export async function saveInstanceProfile(tx: WriteTx, account: string, profile: InstanceProfileEntity): Promise<void> {
  await tx.put(KIND.instanceProfile, entityId(account, profile.instanceProfileName), account, profile);
}

/**
 * AWS's DeleteConflict wording both for DeleteRole of a role in a profile and for
 * DeleteInstanceProfile of a profile with a role (99designs/iamy#68 and #47).
 */
export const MUST_REMOVE_ROLES_FROM_INSTANCE_PROFILE = 'Cannot delete entity, must remove roles from instance profile first.';

/** The profiles that hold each of the account's roles, by lowercased role name, in profile name order. */
export async function instanceProfilesByRole(tx: ReadTx, account: string): Promise<Map<string, InstanceProfileEntity[]>> {
  const out = new Map<string, InstanceProfileEntity[]>();
  for (const p of await listAll<InstanceProfileEntity>(tx, KIND.instanceProfile, account)) {
    for (const r of p.roles) {
      const key = r.toLowerCase();
      const held = out.get(key);
      if (held) held.push(p);
      else out.set(key, [p]);
    }
  }
  return out;
}

/** The account's instance profiles that hold the role, in name order. */
export async function instanceProfilesOfRole(tx: ReadTx, account: string, roleName: string): Promise<InstanceProfileEntity[]> {
  return (await instanceProfilesByRole(tx, account)).get(roleName.toLowerCase()) ?? [];
}

/** The store id of a managed policy from its ARN (`aws` for AWS managed policies). */
export function policyIdOfArn(arn: string): { id: string; account: string } | undefined {
  const parsed = parseIamArn(arn);
  if (!parsed || parsed.type !== 'policy') return undefined;
  return { id: entityId(parsed.account, parsed.name), account: parsed.account };
}

export async function findPolicy(tx: ReadTx, arn: string): Promise<ManagedPolicyEntity | undefined> {
  const where = policyIdOfArn(arn);
  if (!where) return undefined;
  const policy = (await tx.get<ManagedPolicyEntity>(KIND.policy, where.id))?.data;
  return policy && policy.arn === arn ? policy : undefined;
}

export async function loadPolicy(tx: ReadTx, arn: string): Promise<ManagedPolicyEntity> {
  if (!policyIdOfArn(arn)) throw awsError('InvalidInput', `ARN ${arn} is not valid.`);
  const policy = await findPolicy(tx, arn);
  if (!policy) throw awsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
  return policy;
}

export async function savePolicy(tx: WriteTx, policy: ManagedPolicyEntity): Promise<void> {
  const where = policyIdOfArn(policy.arn);
  if (!where) throw new Error(`not a policy ARN: ${policy.arn}`);
  await tx.put(KIND.policy, where.id, where.account, policy);
}

/** All records of a kind in an account, in id order. */
export async function listAll<T>(tx: ReadTx, kind: string, account: string): Promise<T[]> {
  const page = await tx.list<T>(kind, { account, prefix: `${account}/` });
  return page.items.map((r) => r.data);
}

/**
 * The ARN an operation on a named entity is authorized against: the entity's own ARN (with its
 * path) when it exists, else the ARN it would have with the given or default path.
 */
export async function entityArn(ctx: OperationContext, type: IamResourceType, name: string | undefined, path?: string): Promise<string> {
  if (name === undefined) return iamArn(ctx.env.partition, ctx.account, type, path ?? '/', '');
  const kind = type === 'user' ? KIND.user : type === 'group' ? KIND.group : type === 'role' ? KIND.role : type === 'instance-profile' ? KIND.instanceProfile : undefined;
  if (kind) {
    const rec = await ctx.tx.get<{ arn: string }>(kind, entityId(ctx.account, name));
    if (rec) return rec.data.arn;
  }
  return iamArn(ctx.env.partition, ctx.account, type, path ?? '/', name);
}

/** Store id of a virtual MFA device: its path and name, unique per account regardless of case. */
export function mfaDeviceId(account: string, path: string, name: string): string {
  return entityId(account, `${path.slice(1)}${name}`);
}

/** A virtual MFA device of `account` by serial number (its ARN); anything else is unknown. */
export async function findMfaDevice(tx: ReadTx, partition: string, account: string, serialNumber: string): Promise<{ id: string; device: MfaDeviceEntity } | undefined> {
  const arn = parseIamArn(serialNumber);
  if (!arn || arn.type !== 'mfa' || arn.account !== account || arn.partition !== partition) return undefined;
  const id = mfaDeviceId(account, arn.path, arn.name);
  const rec = await tx.get<MfaDeviceEntity>(KIND.mfa, id);
  return rec && rec.data.serialNumber === serialNumber ? { id, device: rec.data } : undefined;
}

/** `Tags` in domain form, as the protocol decodes them. */
export type TagInput = { key: string; value?: string }[] | undefined;

/** Applies AWS's tag rules (at most 50, unique keys regardless of case) and merges into `current`. */
export function mergeTags(current: Tag[], incoming: TagInput): Tag[] {
  const out = current.map((t) => ({ ...t }));
  for (const t of incoming ?? []) {
    const i = out.findIndex((o) => o.key === t.key);
    const tag = { key: t.key, value: t.value ?? '' };
    if (i >= 0) out[i] = tag;
    else out.push(tag);
  }
  const keys = new Set<string>();
  for (const t of incoming ?? []) {
    const k = t.key.toLowerCase();
    if (keys.has(k)) throw awsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    keys.add(k);
  }
  if (out.length > 50) throw awsError('LimitExceeded', 'The number of tags has reached the maximum limit.');
  return out;
}

/** One page of an entity's tags for the List…Tags operations: in key order, as the marker resumes after a key. */
export function tagPage(tags: readonly Tag[], input: { marker?: string; maxItems?: number }) {
  const sorted = [...tags].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const page = paginate(sorted, (t) => t.key, input.marker, input.maxItems);
  return { tags: page.items, isTruncated: page.isTruncated, marker: page.marker };
}

export function removeTags(current: Tag[], keys: string[] | undefined): Tag[] {
  const drop = new Set(keys ?? []);
  return current.filter((t) => !drop.has(t.key));
}

/** Request context keys for tags in a request (`aws:RequestTag/<key>`, `aws:TagKeys`). */
export function requestTagContext(tags: TagInput, tagKeys?: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const keys: string[] = [...(tagKeys ?? [])];
  for (const t of tags ?? []) {
    out[`aws:RequestTag/${t.key}`] = t.value ?? '';
    keys.push(t.key);
  }
  if (keys.length) out['aws:TagKeys'] = keys;
  return out;
}

/** AWS's LimitExceeded for a quota; real answers end without a period ("…AccessKeysPerUser: 2"). */
export function quotaExceeded(quota: string, limit: number) {
  return awsError('LimitExceeded', `Cannot exceed quota for ${quota}: ${limit}`);
}

/** AWS-COMPAT: users, groups and roles cannot be deleted while policies remain, in this order. */
export function refuseDeleteWhilePoliciesRemain(entity: { inlinePolicies: Record<string, string>; attachedPolicies: string[] }): void {
  if (Object.keys(entity.inlinePolicies).length) throw awsError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
  if (entity.attachedPolicies.length) throw awsError('DeleteConflict', 'Cannot delete entity, must detach all policies first.');
}
