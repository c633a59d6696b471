/**
 * Managed policies attached to users, groups and roles: Attach/Detach{User,Group,Role}Policy,
 * ListAttached{User,Group,Role}Policies, and ListEntitiesForPolicy. The three families differ
 * only in the entity holding the attachments, so one factory builds them.
 */
import { awsError } from '../../core/errors/index.js';
import type { GroupEntity, RoleEntity, UserEntity } from '../../core/model/iam-entities.js';
import type { ReadTx, WriteTx } from '../../store/ports.js';
import { defineOperation, type AnyOperation, type OperationContext } from '../context.js';
import { entityArn, findGroup, findRole, findUser, loadGroup, loadRole, loadUser, policyIdOfArn, quotaExceeded, saveGroup, saveRole, saveUser } from '../entities.js';
import { parseIamArn } from '../iam-arns.js';
import { paginate } from '../paging.js';
import { adjustPolicyUsage } from './boundaries.js';
import { findVisiblePolicy } from './policies.js';
import { accountPrincipals } from './policy-usage.js';

/** AWS quota (default, raisable in AWS): managed policies attached to one user, group or role. */
export const ATTACHED_POLICIES_QUOTA = 10;

type HolderType = 'user' | 'group' | 'role';
type Holding = { attachedPolicies: string[]; permissionsBoundary?: string };

interface Holder<E extends Holding> {
  type: HolderType;
  /** The operations' name infix: `AttachUserPolicy`, `ListAttachedGroupPolicies`... */
  label: 'User' | 'Group' | 'Role';
  find(tx: ReadTx, account: string, name: string): Promise<E | undefined>;
  load(tx: ReadTx, account: string, name: string): Promise<E>;
  save(tx: WriteTx, account: string, entity: E): Promise<void>;
}

// Groups have no permissions boundary; the type says so by leaving the member out.
const USER: Holder<UserEntity> = { type: 'user', label: 'User', find: findUser, load: loadUser, save: saveUser };
const GROUP: Holder<GroupEntity> = { type: 'group', label: 'Group', find: findGroup, load: loadGroup, save: saveGroup };
const ROLE: Holder<RoleEntity> = { type: 'role', label: 'Role', find: findRole, load: loadRole, save: saveRole };

type NamedInput = Record<string, unknown> & { policyArn: string };

function holderName(type: HolderType, input: Record<string, unknown>): string {
  return input[`${type}Name`] as string;
}

/** The `AttachedPolicy` shape: name and ARN, the name read from the ARN. */
function attachedPolicyOutput(arn: string) {
  return { policyName: parseIamArn(arn)?.name ?? arn, policyArn: arn };
}

function checkArn(arn: string): void {
  if (!policyIdOfArn(arn)) throw awsError('InvalidInput', `ARN ${arn} is not valid.`);
}

function attachmentOperations<E extends Holding>(holder: Holder<E>): AnyOperation[] {
  const { type, label } = holder;
  const resource = (input: Record<string, unknown>, ctx: OperationContext) => entityArn(ctx, type, holderName(type, input));
  // iam:PermissionsBoundary on Attach/Detach names the boundary the user or role already has,
  // so that a delegated administrator can be limited to entities that carry a given boundary.
  const context = async (input: NamedInput, ctx: OperationContext) => {
    const entity = type === 'group' ? undefined : await holder.find(ctx.tx, ctx.account, holderName(type, input));
    return { 'iam:PolicyARN': input.policyArn, ...(entity?.permissionsBoundary ? { 'iam:PermissionsBoundary': entity.permissionsBoundary } : {}) };
  };

  const attach = defineOperation({
    name: `Attach${label}Policy`,
    write: true,
    resource,
    context,
    async run(input: NamedInput, ctx) {
      const entity = await holder.load(ctx.tx, ctx.account, holderName(type, input));
      const policy = await findVisiblePolicy(ctx, input.policyArn);
      if (!policy || !policy.isAttachable) throw awsError('NoSuchEntity', `Policy ${input.policyArn} does not exist or is not attachable.`);
      // AWS-COMPAT: attaching a policy that is already attached succeeds and changes nothing.
      if (entity.attachedPolicies.includes(policy.arn)) return undefined;
      if (entity.attachedPolicies.length >= ATTACHED_POLICIES_QUOTA) throw quotaExceeded(`PoliciesPer${label}`, ATTACHED_POLICIES_QUOTA);
      await holder.save(ctx.tx, ctx.account, { ...entity, attachedPolicies: [...entity.attachedPolicies, policy.arn] });
      await adjustPolicyUsage(ctx.tx, policy.arn, 'attachmentCount', +1);
      return undefined;
    },
  });

  const detach = defineOperation({
    name: `Detach${label}Policy`,
    write: true,
    resource,
    context,
    async run(input: NamedInput, ctx) {
      const entity = await holder.load(ctx.tx, ctx.account, holderName(type, input));
      checkArn(input.policyArn);
      if (!entity.attachedPolicies.includes(input.policyArn)) throw awsError('NoSuchEntity', `Policy ${input.policyArn} was not found.`);
      await holder.save(ctx.tx, ctx.account, { ...entity, attachedPolicies: entity.attachedPolicies.filter((arn) => arn !== input.policyArn) });
      await adjustPolicyUsage(ctx.tx, input.policyArn, 'attachmentCount', -1);
      return undefined;
    },
  });

  const list = defineOperation({
    name: `ListAttached${label}Policies`,
    write: false,
    resource,
    async run(input: Record<string, unknown> & { pathPrefix?: string; marker?: string; maxItems?: number }, ctx) {
      const entity = await holder.load(ctx.tx, ctx.account, holderName(type, input));
      const prefix = input.pathPrefix ?? '/';
      // In attachment order; the key is the position so that it grows along the list.
      const rows = entity.attachedPolicies
        .map((arn, i) => ({ arn, key: String(i).padStart(3, '0') }))
        .filter((r) => (parseIamArn(r.arn)?.path ?? '/').startsWith(prefix));
      const page = paginate(rows, (r) => r.key, input.marker, input.maxItems);
      return { attachedPolicies: page.items.map((r) => attachedPolicyOutput(r.arn)), isTruncated: page.isTruncated, marker: page.marker };
    },
  });

  return [attach, detach, list];
}

type EntityFilter = 'User' | 'Role' | 'Group' | 'LocalManagedPolicy' | 'AWSManagedPolicy';

export const listEntitiesForPolicy = defineOperation({
  name: 'ListEntitiesForPolicy',
  write: false,
  resource: (input: { policyArn: string }) => input.policyArn,
  async run(
    input: { policyArn: string; entityFilter?: EntityFilter; pathPrefix?: string; policyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary'; marker?: string; maxItems?: number },
    ctx,
  ) {
    const policy = await findVisiblePolicy(ctx, input.policyArn);
    if (!policy) throw awsError('NoSuchEntity', `Policy ${input.policyArn} was not found.`);
    const { users, groups, roles } = await accountPrincipals(ctx.tx, ctx.account);
    const asPolicy = input.policyUsageFilter !== 'PermissionsBoundary';
    const asBoundary = input.policyUsageFilter !== 'PermissionsPolicy';
    const uses = (e: Holding) => (asPolicy && e.attachedPolicies.includes(policy.arn)) || (asBoundary && e.permissionsBoundary === policy.arn);
    const inPath = (e: { path: string }) => e.path.startsWith(input.pathPrefix ?? '/');
    const want = (kind: EntityFilter) => input.entityFilter === undefined || input.entityFilter === kind;
    // One list across the three kinds (groups, users, roles, each by name) so that one marker pages them all.
    const rows = [
      ...(want('Group') ? groups.filter((g) => inPath(g) && uses(g)).map((g) => ({ key: `1/${g.groupName.toLowerCase()}`, group: { groupName: g.groupName, groupId: g.groupId } })) : []),
      ...(want('User') ? users.filter((u) => inPath(u) && uses(u)).map((u) => ({ key: `2/${u.userName.toLowerCase()}`, user: { userName: u.userName, userId: u.userId } })) : []),
      ...(want('Role') ? roles.filter((r) => inPath(r) && uses(r)).map((r) => ({ key: `3/${r.roleName.toLowerCase()}`, role: { roleName: r.roleName, roleId: r.roleId } })) : []),
    ];
    const page = paginate(rows, (r) => r.key, input.marker, input.maxItems);
    return {
      policyGroups: page.items.flatMap((r) => ('group' in r ? [r.group] : [])),
      policyUsers: page.items.flatMap((r) => ('user' in r ? [r.user] : [])),
      policyRoles: page.items.flatMap((r) => ('role' in r ? [r.role] : [])),
      isTruncated: page.isTruncated,
      marker: page.marker,
    };
  },
});

export const ATTACHMENT_OPERATIONS: AnyOperation[] = [...attachmentOperations(USER), ...attachmentOperations(GROUP), ...attachmentOperations(ROLE), listEntitiesForPolicy];
