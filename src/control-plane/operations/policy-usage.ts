/**
 * Where managed policies are used in an account. A customer managed policy keeps its own
 * AttachmentCount and PermissionsBoundaryUsageCount (adjustPolicyUsage keeps them in step); an AWS
 * managed policy is shared by every account, and AWS reports its counts per account, so those are
 * counted from the account's users, groups and roles.
 */
import { KIND, type GroupEntity, type ManagedPolicyEntity, type RoleEntity, type UserEntity } from '../../core/model/iam-entities.js';
import type { ReadTx } from '../../store/ports.js';
import type { OperationContext } from '../context.js';
import { listAll, policyIdOfArn } from '../entities.js';

export interface PolicyCounts {
  attachmentCount: number;
  permissionsBoundaryUsageCount: number;
}

/** Policy ARN → its counts in one account. */
export type PolicyUsage = Map<string, PolicyCounts>;

export interface AccountPrincipals {
  users: UserEntity[];
  groups: GroupEntity[];
  roles: RoleEntity[];
}

export function isAwsManaged(policy: ManagedPolicyEntity): boolean {
  return policyIdOfArn(policy.arn)?.account === 'aws';
}

/** Every user, group and role of an account, each in name order. */
export async function accountPrincipals(tx: ReadTx, account: string): Promise<AccountPrincipals> {
  return {
    users: await listAll<UserEntity>(tx, KIND.user, account),
    groups: await listAll<GroupEntity>(tx, KIND.group, account),
    roles: await listAll<RoleEntity>(tx, KIND.role, account),
  };
}

export async function accountPolicyUsage(tx: ReadTx, account: string): Promise<PolicyUsage> {
  const { users, groups, roles } = await accountPrincipals(tx, account);
  const usage: PolicyUsage = new Map();
  const bump = (arn: string, field: keyof PolicyCounts) => {
    const counts = usage.get(arn) ?? { attachmentCount: 0, permissionsBoundaryUsageCount: 0 };
    counts[field]++;
    usage.set(arn, counts);
  };
  for (const p of [...users, ...groups, ...roles]) for (const arn of p.attachedPolicies) bump(arn, 'attachmentCount');
  for (const p of [...users, ...roles]) if (p.permissionsBoundary) bump(p.permissionsBoundary, 'permissionsBoundaryUsageCount');
  return usage;
}

/** A policy's counts as the caller's account sees them. */
export async function policyCounts(ctx: OperationContext, policy: ManagedPolicyEntity): Promise<PolicyCounts> {
  if (!isAwsManaged(policy)) return { attachmentCount: policy.attachmentCount, permissionsBoundaryUsageCount: policy.permissionsBoundaryUsageCount };
  return (await accountPolicyUsage(ctx.tx, ctx.account)).get(policy.arn) ?? { attachmentCount: 0, permissionsBoundaryUsageCount: 0 };
}
