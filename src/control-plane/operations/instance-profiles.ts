/**
 * EC2 instance profiles: CreateInstanceProfile, GetInstanceProfile, DeleteInstanceProfile,
 * ListInstanceProfiles, AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile,
 * ListInstanceProfilesForRole and instance profile tags. A profile holds at most one role; a role
 * in a profile cannot be deleted (roles.ts asks instanceProfilesOfRole). Instance profiles stay on
 * the control plane: the replication feed does not carry their kind.
 */
import { awsError } from '../../core/errors/index.js';
import { ID_PREFIX, newUniqueId } from '../../core/ids.js';
import { entityId, KIND, type RoleEntity } from '../../core/model/iam-entities.js';
import type { ReadTx } from '../../store/ports.js';
import { defineOperation } from '../context.js';
import {
  entityArn,
  findInstanceProfile,
  findRole,
  instanceProfilesOfRole,
  listAll,
  loadInstanceProfile,
  loadRole,
  MUST_REMOVE_ROLES_FROM_INSTANCE_PROFILE,
  mergeTags,
  quotaExceeded,
  removeTags,
  requestTagContext,
  saveInstanceProfile,
  tagPage,
  type InstanceProfileEntity,
  type TagInput,
} from '../entities.js';
import { iamArn } from '../iam-arns.js';
import { paginate, withPathPrefix } from '../paging.js';
import { roleOutput } from './roles.js';

/** AWS quota: instance profiles per account ("Cannot exceed quota for InstanceProfilesPerAccount: 1000"). */
export const INSTANCE_PROFILES_PER_ACCOUNT = 1000;
/** AWS quota: roles per instance profile, which cannot be raised. */
export const ROLES_PER_INSTANCE_PROFILE = 1;

/**
 * The `InstanceProfile` shape from a profile and its roles. `withTags` is false for the list
 * operations, which AWS documents as not returning the profile's tags (as ListRoles).
 */
export function instanceProfileShape(profile: InstanceProfileEntity, roles: RoleEntity[], withTags: boolean) {
  return {
    path: profile.path,
    instanceProfileName: profile.instanceProfileName,
    instanceProfileId: profile.instanceProfileId,
    arn: profile.arn,
    createDate: profile.createDate,
    // Each role as GetRole answers it (the protocol URL-encodes the trust policy).
    roles: roles.map((r) => roleOutput(r)),
    tags: withTags && profile.tags.length ? profile.tags : undefined,
  };
}

/** The shape with the profile's roles read from the store. */
async function instanceProfileOutput(tx: ReadTx, account: string, profile: InstanceProfileEntity, withTags: boolean) {
  const roles: RoleEntity[] = [];
  for (const name of profile.roles) {
    const role = await findRole(tx, account, name);
    if (role) roles.push(role);
  }
  return instanceProfileShape(profile, roles, withTags);
}

const byName = (p: InstanceProfileEntity) => p.instanceProfileName.toLowerCase();

export const createInstanceProfile = defineOperation({
  name: 'CreateInstanceProfile',
  write: true,
  resource: (input: { instanceProfileName: string; path?: string }, ctx) => iamArn(ctx.env.partition, ctx.account, 'instance-profile', input.path ?? '/', input.instanceProfileName),
  context: (input: { tags?: TagInput }) => requestTagContext(input.tags),
  async run(input: { instanceProfileName: string; path?: string; tags?: TagInput }, ctx) {
    const { tx, account } = ctx;
    const name = input.instanceProfileName;
    // AWS's wording (hashicorp/terraform#4131, ansible-collections/amazon.aws#2102).
    if (await findInstanceProfile(tx, account, name)) throw awsError('EntityAlreadyExists', `Instance Profile ${name} already exists.`);
    if ((await tx.count(KIND.instanceProfile, { account })) >= INSTANCE_PROFILES_PER_ACCOUNT) throw quotaExceeded('InstanceProfilesPerAccount', INSTANCE_PROFILES_PER_ACCOUNT);
    const path = input.path ?? '/';
    const profile: InstanceProfileEntity = {
      instanceProfileName: name,
      instanceProfileId: newUniqueId(ID_PREFIX.instanceProfile, ctx.env.random),
      path,
      arn: iamArn(ctx.env.partition, account, 'instance-profile', path, name),
      createDate: ctx.now.toISOString(),
      tags: mergeTags([], input.tags),
      roles: [],
    };
    await saveInstanceProfile(tx, account, profile);
    return { instanceProfile: instanceProfileShape(profile, [], true) };
  },
});

export const getInstanceProfile = defineOperation({
  name: 'GetInstanceProfile',
  write: false,
  resource: (input: { instanceProfileName: string }, ctx) => entityArn(ctx, 'instance-profile', input.instanceProfileName),
  async run(input: { instanceProfileName: string }, ctx) {
    const profile = await loadInstanceProfile(ctx.tx, ctx.account, input.instanceProfileName);
    return { instanceProfile: await instanceProfileOutput(ctx.tx, ctx.account, profile, true) };
  },
});

export const deleteInstanceProfile = defineOperation({
  name: 'DeleteInstanceProfile',
  write: true,
  resource: (input: { instanceProfileName: string }, ctx) => entityArn(ctx, 'instance-profile', input.instanceProfileName),
  async run(input: { instanceProfileName: string }, ctx) {
    const profile = await loadInstanceProfile(ctx.tx, ctx.account, input.instanceProfileName);
    // AWS-COMPAT: refused while the profile holds a role (99designs/iamy#47).
    if (profile.roles.length) throw awsError('DeleteConflict', MUST_REMOVE_ROLES_FROM_INSTANCE_PROFILE);
    await ctx.tx.delete(KIND.instanceProfile, entityId(ctx.account, profile.instanceProfileName));
    return undefined;
  },
});

export const listInstanceProfiles = defineOperation({
  name: 'ListInstanceProfiles',
  write: false,
  // AWS-COMPAT: as ListRoles (see groups.ts), authorized against the path the listing covers.
  resource: (input: { pathPrefix?: string }, ctx) => iamArn(ctx.env.partition, ctx.account, 'instance-profile', input.pathPrefix ?? '/', ''),
  async run(input: { pathPrefix?: string; marker?: string; maxItems?: number }, ctx) {
    const profiles = withPathPrefix(await listAll<InstanceProfileEntity>(ctx.tx, KIND.instanceProfile, ctx.account), input.pathPrefix);
    const page = paginate(profiles, byName, input.marker, input.maxItems);
    const instanceProfiles = [];
    for (const p of page.items) instanceProfiles.push(await instanceProfileOutput(ctx.tx, ctx.account, p, false));
    return { instanceProfiles, isTruncated: page.isTruncated, marker: page.marker };
  },
});

export const listInstanceProfilesForRole = defineOperation({
  name: 'ListInstanceProfilesForRole',
  write: false,
  // The service authorization reference gives this action the role resource type.
  resource: (input: { roleName: string }, ctx) => entityArn(ctx, 'role', input.roleName),
  async run(input: { roleName: string; marker?: string; maxItems?: number }, ctx) {
    const role = await loadRole(ctx.tx, ctx.account, input.roleName);
    const page = paginate(await instanceProfilesOfRole(ctx.tx, ctx.account, role.roleName), byName, input.marker, input.maxItems);
    // A profile holds one role, so each of these holds exactly this one.
    return { instanceProfiles: page.items.map((p) => instanceProfileShape(p, [role], false)), isTruncated: page.isTruncated, marker: page.marker };
  },
});

export const addRoleToInstanceProfile = defineOperation({
  name: 'AddRoleToInstanceProfile',
  write: true,
  resource: (input: { instanceProfileName: string }, ctx) => entityArn(ctx, 'instance-profile', input.instanceProfileName),
  // AWS: "The caller of this operation must be granted the PassRole permission on the IAM role",
  // with iam:AssociatedResourceArn `arn:aws:ec2:*:<account>:instance/*` (API reference).
  // AWS-COMPAT: iam:PassedToService ec2.amazonaws.com is inferred (the role is passed to EC2); no
  // AWS text names the value for this call.
  async alsoRequires(input: { roleName: string }, ctx) {
    return [
      {
        action: 'iam:PassRole',
        resource: await entityArn(ctx, 'role', input.roleName),
        context: { 'iam:PassedToService': 'ec2.amazonaws.com', 'iam:AssociatedResourceArn': `arn:${ctx.env.partition}:ec2:*:${ctx.account}:instance/*` },
      },
    ];
  },
  async run(input: { instanceProfileName: string; roleName: string }, ctx) {
    const { tx, account } = ctx;
    const profile = await loadInstanceProfile(tx, account, input.instanceProfileName);
    const role = await loadRole(tx, account, input.roleName);
    // AWS-COMPAT: a profile holds one role; adding any role to a full profile, even the one it
    // holds, is LimitExceeded (hashicorp/terraform#3851, getmoto/moto#6404, coreos/mantle#1058).
    if (profile.roles.length >= ROLES_PER_INSTANCE_PROFILE) throw quotaExceeded('InstanceSessionsPerInstanceProfile', ROLES_PER_INSTANCE_PROFILE);
    await saveInstanceProfile(tx, account, { ...profile, roles: [...profile.roles, role.roleName] });
    return undefined;
  },
});

export const removeRoleFromInstanceProfile = defineOperation({
  name: 'RemoveRoleFromInstanceProfile',
  write: true,
  resource: (input: { instanceProfileName: string }, ctx) => entityArn(ctx, 'instance-profile', input.instanceProfileName),
  async run(input: { instanceProfileName: string; roleName: string }, ctx) {
    const { tx, account } = ctx;
    const profile = await loadInstanceProfile(tx, account, input.instanceProfileName);
    const role = await loadRole(tx, account, input.roleName);
    const key = role.roleName.toLowerCase();
    const roles = profile.roles.filter((r) => r.toLowerCase() !== key);
    // DIVERGENCE: AWS documents NoSuchEntity for a role the profile does not hold, but not its
    // wording; this names both.
    if (roles.length === profile.roles.length) throw awsError('NoSuchEntity', `The role with name ${role.roleName} is not in instance profile ${profile.instanceProfileName}.`);
    await saveInstanceProfile(tx, account, { ...profile, roles });
    return undefined;
  },
});

export const tagInstanceProfile = defineOperation({
  name: 'TagInstanceProfile',
  write: true,
  resource: (input: { instanceProfileName: string }, ctx) => entityArn(ctx, 'instance-profile', input.instanceProfileName),
  context: (input: { tags?: TagInput }) => requestTagContext(input.tags),
  async run(input: { instanceProfileName: string; tags: TagInput }, ctx) {
    const profile = await loadInstanceProfile(ctx.tx, ctx.account, input.instanceProfileName);
    await saveInstanceProfile(ctx.tx, ctx.account, { ...profile, tags: mergeTags(profile.tags, input.tags) });
    return undefined;
  },
});

export const untagInstanceProfile = defineOperation({
  name: 'UntagInstanceProfile',
  write: true,
  resource: (input: { instanceProfileName: string }, ctx) => entityArn(ctx, 'instance-profile', input.instanceProfileName),
  context: (input: { tagKeys?: string[] }) => requestTagContext(undefined, input.tagKeys),
  async run(input: { instanceProfileName: string; tagKeys: string[] }, ctx) {
    const profile = await loadInstanceProfile(ctx.tx, ctx.account, input.instanceProfileName);
    await saveInstanceProfile(ctx.tx, ctx.account, { ...profile, tags: removeTags(profile.tags, input.tagKeys) });
    return undefined;
  },
});

export const listInstanceProfileTags = defineOperation({
  name: 'ListInstanceProfileTags',
  write: false,
  resource: (input: { instanceProfileName: string }, ctx) => entityArn(ctx, 'instance-profile', input.instanceProfileName),
  async run(input: { instanceProfileName: string; marker?: string; maxItems?: number }, ctx) {
    const profile = await loadInstanceProfile(ctx.tx, ctx.account, input.instanceProfileName);
    return tagPage(profile.tags, input);
  },
});

export const INSTANCE_PROFILE_OPERATIONS = [
  createInstanceProfile,
  getInstanceProfile,
  deleteInstanceProfile,
  listInstanceProfiles,
  addRoleToInstanceProfile,
  removeRoleFromInstanceProfile,
  listInstanceProfilesForRole,
  tagInstanceProfile,
  untagInstanceProfile,
  listInstanceProfileTags,
];
