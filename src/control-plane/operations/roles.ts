/** Roles: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole and role tags. */
import { awsError } from '../../core/errors/index.js';
import { ID_PREFIX, newUniqueId } from '../../core/ids.js';
import { entityId, KIND, type RoleEntity } from '../../core/model/iam-entities.js';
import { defineOperation } from '../context.js';
import {
  entityArn,
  findRole,
  instanceProfilesOfRole,
  listAll,
  loadRole,
  mergeTags,
  MUST_REMOVE_ROLES_FROM_INSTANCE_PROFILE,
  quotaExceeded,
  refuseDeleteWhilePoliciesRemain,
  removeTags,
  requestTagContext,
  saveRole,
  tagPage,
  type TagInput,
} from '../entities.js';
import { iamArn } from '../iam-arns.js';
import { paginate, withPathPrefix } from '../paging.js';
import { checkPolicyDocument } from '../policy-documents.js';
import { adjustPolicyUsage, boundaryOutput, checkBoundaryPolicy } from './boundaries.js';

/** AWS quota: IAM roles per account. */
export const ROLES_PER_ACCOUNT = 1000;
/** AWS default for MaxSessionDuration: one hour. */
export const DEFAULT_MAX_SESSION_DURATION = 3600;

/**
 * The `Role` shape of the API. `full` is GetRole's view; ListRoles leaves out what AWS documents
 * it does not return (PermissionsBoundary, RoleLastUsed, Tags).
 */
export function roleOutput(role: RoleEntity, full = true) {
  return {
    path: role.path,
    roleName: role.roleName,
    roleId: role.roleId,
    arn: role.arn,
    createDate: role.createDate,
    assumeRolePolicyDocument: role.assumeRolePolicyDocument,
    description: role.description,
    maxSessionDuration: role.maxSessionDuration,
    permissionsBoundary: full ? boundaryOutput(role.permissionsBoundary) : undefined,
    tags: full && role.tags.length ? role.tags : undefined,
    // AWS-COMPAT: GetRole always carries RoleLastUsed, empty for a role never used.
    roleLastUsed: full ? (role.roleLastUsed ? { ...role.roleLastUsed } : {}) : undefined,
  };
}

export const createRole = defineOperation({
  name: 'CreateRole',
  write: true,
  resource: (input: { roleName: string; path?: string }, ctx) => iamArn(ctx.env.partition, ctx.account, 'role', input.path ?? '/', input.roleName),
  context: (input: { tags?: TagInput; permissionsBoundary?: string }) => ({
    ...requestTagContext(input.tags),
    ...(input.permissionsBoundary ? { 'iam:PermissionsBoundary': input.permissionsBoundary } : {}),
  }),
  async run(
    input: { roleName: string; assumeRolePolicyDocument: string; path?: string; description?: string; maxSessionDuration?: number; permissionsBoundary?: string; tags?: TagInput },
    ctx,
  ) {
    const { tx, account } = ctx;
    if (await findRole(tx, account, input.roleName)) throw awsError('EntityAlreadyExists', `Role with name ${input.roleName} already exists.`);
    if ((await tx.count(KIND.role, { account })) >= ROLES_PER_ACCOUNT) throw quotaExceeded('RolesPerAccount', ROLES_PER_ACCOUNT);
    checkPolicyDocument(input.assumeRolePolicyDocument, 'trust');
    if (input.permissionsBoundary) await checkBoundaryPolicy(tx, input.permissionsBoundary);
    const path = input.path ?? '/';
    const role: RoleEntity = {
      roleName: input.roleName,
      roleId: newUniqueId(ID_PREFIX.role, ctx.env.random),
      path,
      arn: iamArn(ctx.env.partition, account, 'role', path, input.roleName),
      createDate: ctx.now.toISOString(),
      tags: mergeTags([], input.tags),
      attachedPolicies: [],
      inlinePolicies: {},
      permissionsBoundary: input.permissionsBoundary,
      assumeRolePolicyDocument: input.assumeRolePolicyDocument,
      description: input.description,
      maxSessionDuration: input.maxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION,
    };
    if (input.permissionsBoundary) await adjustPolicyUsage(tx, input.permissionsBoundary, 'permissionsBoundaryUsageCount', +1);
    await saveRole(tx, account, role);
    return { role: { ...roleOutput(role), roleLastUsed: undefined } };
  },
});

export const getRole = defineOperation({
  name: 'GetRole',
  write: false,
  resource: (input: { roleName: string }, ctx) => entityArn(ctx, 'role', input.roleName),
  async run(input: { roleName: string }, ctx) {
    return { role: roleOutput(await loadRole(ctx.tx, ctx.account, input.roleName)) };
  },
});

export const listRoles = defineOperation({
  name: 'ListRoles',
  write: false,
  // AWS-COMPAT: as ListGroups (see groups.ts), authorized against `arn:aws:iam::<account>:role/`.
  resource: (input: { pathPrefix?: string }, ctx) => iamArn(ctx.env.partition, ctx.account, 'role', input.pathPrefix ?? '/', ''),
  async run(input: { pathPrefix?: string; marker?: string; maxItems?: number }, ctx) {
    const roles = withPathPrefix(await listAll<RoleEntity>(ctx.tx, KIND.role, ctx.account), input.pathPrefix);
    const page = paginate(roles, (r) => r.roleName.toLowerCase(), input.marker, input.maxItems);
    return { roles: page.items.map((r) => roleOutput(r, false)), isTruncated: page.isTruncated, marker: page.marker };
  },
});

export const updateRole = defineOperation({
  name: 'UpdateRole',
  write: true,
  resource: (input: { roleName: string }, ctx) => entityArn(ctx, 'role', input.roleName),
  async run(input: { roleName: string; description?: string; maxSessionDuration?: number }, ctx) {
    const role = await loadRole(ctx.tx, ctx.account, input.roleName);
    // Members left out keep their value: the SDKs send only what the caller sets.
    await saveRole(ctx.tx, ctx.account, {
      ...role,
      description: input.description ?? role.description,
      maxSessionDuration: input.maxSessionDuration ?? role.maxSessionDuration,
    });
    return undefined;
  },
});

export const updateRoleDescription = defineOperation({
  name: 'UpdateRoleDescription',
  write: true,
  resource: (input: { roleName: string }, ctx) => entityArn(ctx, 'role', input.roleName),
  async run(input: { roleName: string; description: string }, ctx) {
    const role = await loadRole(ctx.tx, ctx.account, input.roleName);
    const updated: RoleEntity = { ...role, description: input.description };
    await saveRole(ctx.tx, ctx.account, updated);
    return { role: roleOutput(updated) };
  },
});

export const updateAssumeRolePolicy = defineOperation({
  name: 'UpdateAssumeRolePolicy',
  write: true,
  resource: (input: { roleName: string }, ctx) => entityArn(ctx, 'role', input.roleName),
  async run(input: { roleName: string; policyDocument: string }, ctx) {
    const role = await loadRole(ctx.tx, ctx.account, input.roleName);
    checkPolicyDocument(input.policyDocument, 'trust');
    await saveRole(ctx.tx, ctx.account, { ...role, assumeRolePolicyDocument: input.policyDocument });
    return undefined;
  },
});

export const deleteRole = defineOperation({
  name: 'DeleteRole',
  write: true,
  resource: (input: { roleName: string }, ctx) => entityArn(ctx, 'role', input.roleName),
  async run(input: { roleName: string }, ctx) {
    const { tx, account } = ctx;
    const role = await loadRole(tx, account, input.roleName);
    // AWS-COMPAT: DeleteRole refuses while policies hang off the role (same wording as DeleteUser's).
    refuseDeleteWhilePoliciesRemain(role);
    // AWS-COMPAT: nor while an instance profile holds it (99designs/iamy#68); which of the two
    // checks AWS makes first is not documented.
    if ((await instanceProfilesOfRole(tx, account, role.roleName)).length) throw awsError('DeleteConflict', MUST_REMOVE_ROLES_FROM_INSTANCE_PROFILE);
    if (role.permissionsBoundary) await adjustPolicyUsage(tx, role.permissionsBoundary, 'permissionsBoundaryUsageCount', -1);
    await tx.delete(KIND.role, entityId(account, role.roleName));
    return undefined;
  },
});

export const tagRole = defineOperation({
  name: 'TagRole',
  write: true,
  resource: (input: { roleName: string }, ctx) => entityArn(ctx, 'role', input.roleName),
  context: (input: { tags?: TagInput }) => requestTagContext(input.tags),
  async run(input: { roleName: string; tags: TagInput }, ctx) {
    const role = await loadRole(ctx.tx, ctx.account, input.roleName);
    await saveRole(ctx.tx, ctx.account, { ...role, tags: mergeTags(role.tags, input.tags) });
    return undefined;
  },
});

export const untagRole = defineOperation({
  name: 'UntagRole',
  write: true,
  resource: (input: { roleName: string }, ctx) => entityArn(ctx, 'role', input.roleName),
  context: (input: { tagKeys?: string[] }) => requestTagContext(undefined, input.tagKeys),
  async run(input: { roleName: string; tagKeys: string[] }, ctx) {
    const role = await loadRole(ctx.tx, ctx.account, input.roleName);
    await saveRole(ctx.tx, ctx.account, { ...role, tags: removeTags(role.tags, input.tagKeys) });
    return undefined;
  },
});

export const listRoleTags = defineOperation({
  name: 'ListRoleTags',
  write: false,
  resource: (input: { roleName: string }, ctx) => entityArn(ctx, 'role', input.roleName),
  async run(input: { roleName: string; marker?: string; maxItems?: number }, ctx) {
    const role = await loadRole(ctx.tx, ctx.account, input.roleName);
    return tagPage(role.tags, input);
  },
});

export const ROLE_OPERATIONS = [createRole, getRole, listRoles, updateRole, updateRoleDescription, updateAssumeRolePolicy, deleteRole, tagRole, untagRole, listRoleTags];
