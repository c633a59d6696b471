/** Permissions boundaries of users and roles. */
import { awsError } from '../../core/errors/index.js';
import type { ManagedPolicyEntity } from '../../core/model/iam-entities.js';
import type { ReadTx, WriteTx } from '../../store/ports.js';
import { defineOperation } from '../context.js';
import { entityArn, findPolicy, loadRole, loadUser, saveRole, saveUser, savePolicy } from '../entities.js';

export function boundaryOutput(arn: string | undefined) {
  return arn ? { permissionsBoundaryType: 'PermissionsBoundaryPolicy', permissionsBoundaryArn: arn } : undefined;
}

/** A boundary must be an existing managed policy. */
export async function checkBoundaryPolicy(tx: ReadTx, arn: string): Promise<void> {
  if (!(await findPolicy(tx, arn))) throw awsError('NoSuchEntity', `Scope ARN: ${arn} does not exist or is not attachable.`);
}

/** Adds `delta` to a managed policy's attachment or boundary-usage count (a missing policy is ignored). */
export async function adjustPolicyUsage(tx: WriteTx, arn: string, field: 'attachmentCount' | 'permissionsBoundaryUsageCount', delta: number): Promise<void> {
  const policy = await findPolicy(tx, arn);
  if (!policy) return;
  const next: ManagedPolicyEntity = { ...policy, [field]: Math.max(0, policy[field] + delta) };
  await savePolicy(tx, next);
}

async function swapBoundary(tx: WriteTx, from: string | undefined, to: string | undefined): Promise<void> {
  if (from === to) return;
  if (from) await adjustPolicyUsage(tx, from, 'permissionsBoundaryUsageCount', -1);
  if (to) await adjustPolicyUsage(tx, to, 'permissionsBoundaryUsageCount', +1);
}

export const putUserPermissionsBoundary = defineOperation({
  name: 'PutUserPermissionsBoundary',
  write: true,
  resource: (input: { userName: string }, ctx) => entityArn(ctx, 'user', input.userName),
  context: (input: { permissionsBoundary: string }) => ({ 'iam:PermissionsBoundary': input.permissionsBoundary }),
  async run(input: { userName: string; permissionsBoundary: string }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, input.userName);
    await checkBoundaryPolicy(ctx.tx, input.permissionsBoundary);
    await swapBoundary(ctx.tx, user.permissionsBoundary, input.permissionsBoundary);
    await saveUser(ctx.tx, ctx.account, { ...user, permissionsBoundary: input.permissionsBoundary });
    return undefined;
  },
});

export const deleteUserPermissionsBoundary = defineOperation({
  name: 'DeleteUserPermissionsBoundary',
  write: true,
  resource: (input: { userName: string }, ctx) => entityArn(ctx, 'user', input.userName),
  async run(input: { userName: string }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, input.userName);
    await swapBoundary(ctx.tx, user.permissionsBoundary, undefined);
    await saveUser(ctx.tx, ctx.account, { ...user, permissionsBoundary: undefined });
    return undefined;
  },
});

export const putRolePermissionsBoundary = defineOperation({
  name: 'PutRolePermissionsBoundary',
  write: true,
  resource: (input: { roleName: string }, ctx) => entityArn(ctx, 'role', input.roleName),
  context: (input: { permissionsBoundary: string }) => ({ 'iam:PermissionsBoundary': input.permissionsBoundary }),
  async run(input: { roleName: string; permissionsBoundary: string }, ctx) {
    const role = await loadRole(ctx.tx, ctx.account, input.roleName);
    await checkBoundaryPolicy(ctx.tx, input.permissionsBoundary);
    await swapBoundary(ctx.tx, role.permissionsBoundary, input.permissionsBoundary);
    await saveRole(ctx.tx, ctx.account, { ...role, permissionsBoundary: input.permissionsBoundary });
    return undefined;
  },
});

export const deleteRolePermissionsBoundary = defineOperation({
  name: 'DeleteRolePermissionsBoundary',
  write: true,
  resource: (input: { roleName: string }, ctx) => entityArn(ctx, 'role', input.roleName),
  async run(input: { roleName: string }, ctx) {
    const role = await loadRole(ctx.tx, ctx.account, input.roleName);
    await swapBoundary(ctx.tx, role.permissionsBoundary, undefined);
    await saveRole(ctx.tx, ctx.account, { ...role, permissionsBoundary: undefined });
    return undefined;
  },
});

export const BOUNDARY_OPERATIONS = [putUserPermissionsBoundary, deleteUserPermissionsBoundary, putRolePermissionsBoundary, deleteRolePermissionsBoundary];
