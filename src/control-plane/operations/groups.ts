/**
 * Groups: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup and membership.
 *
 * Membership is stored twice, always in the same unit of work: a `group-member` record per
 * (group, user), keyed `<group id>/<lowercased user name>` so a group's members are one prefix
 * scan, and the group's lowercased name in the user's `groups` list, which the policy loader reads.
 */
import { awsError } from '../../core/errors/index.js';
import { ID_PREFIX, newUniqueId } from '../../core/ids.js';
import { entityId, KIND, type GroupEntity, type UserEntity } from '../../core/model/iam-entities.js';
import type { ReadTx } from '../../store/ports.js';
import { defineOperation } from '../context.js';
import { entityArn, findGroup, findUser, listAll, loadGroup, loadUser, quotaExceeded, refuseDeleteWhilePoliciesRemain, saveGroup, saveUser } from '../entities.js';
import { iamArn } from '../iam-arns.js';
import { paginate, withPathPrefix } from '../paging.js';
import { userOutput } from './users.js';

/** AWS quota: IAM groups per account. */
export const GROUPS_PER_ACCOUNT = 300;
/** AWS quota: groups an IAM user can be a member of. */
export const GROUPS_PER_USER = 10;

/** The `Group` shape of the API. */
export function groupOutput(group: GroupEntity) {
  return { path: group.path, groupName: group.groupName, groupId: group.groupId, arn: group.arn, createDate: group.createDate };
}

/** Store id of the membership record of `userName` in `groupName`. */
export function memberId(account: string, groupName: string, userName: string): string {
  return `${entityId(account, groupName)}/${userName.toLowerCase()}`;
}

/** The names of a group's members, in lowercased-name order. */
async function memberNames(tx: ReadTx, account: string, groupName: string): Promise<string[]> {
  const page = await tx.list<{ userName: string }>(KIND.groupMember, { account, prefix: `${entityId(account, groupName)}/` });
  return page.items.map((r) => r.data.userName);
}

const byName = (name: string) => name.toLowerCase();

export const createGroup = defineOperation({
  name: 'CreateGroup',
  write: true,
  resource: (input: { groupName: string; path?: string }, ctx) => iamArn(ctx.env.partition, ctx.account, 'group', input.path ?? '/', input.groupName),
  async run(input: { groupName: string; path?: string }, ctx) {
    const { tx, account } = ctx;
    if (await findGroup(tx, account, input.groupName)) throw awsError('EntityAlreadyExists', `Group with name ${input.groupName} already exists.`);
    if ((await tx.count(KIND.group, { account })) >= GROUPS_PER_ACCOUNT) throw quotaExceeded('GroupsPerAccount', GROUPS_PER_ACCOUNT);
    const path = input.path ?? '/';
    const group: GroupEntity = {
      groupName: input.groupName,
      groupId: newUniqueId(ID_PREFIX.group, ctx.env.random),
      path,
      arn: iamArn(ctx.env.partition, account, 'group', path, input.groupName),
      createDate: ctx.now.toISOString(),
      attachedPolicies: [],
      inlinePolicies: {},
    };
    await saveGroup(tx, account, group);
    return { group: groupOutput(group) };
  },
});

export const getGroup = defineOperation({
  name: 'GetGroup',
  write: false,
  resource: (input: { groupName: string }, ctx) => entityArn(ctx, 'group', input.groupName),
  async run(input: { groupName: string; marker?: string; maxItems?: number }, ctx) {
    const { tx, account } = ctx;
    const group = await loadGroup(tx, account, input.groupName);
    const users: UserEntity[] = [];
    for (const name of await memberNames(tx, account, group.groupName)) {
      const user = await findUser(tx, account, name);
      if (user) users.push(user);
    }
    const page = paginate(users, (u) => byName(u.userName), input.marker, input.maxItems);
    // AWS-COMPAT: GetGroup lists members in the `User` shape without their tags, like ListUsers.
    return { group: groupOutput(group), users: page.items.map((u) => userOutput(u, false)), isTruncated: page.isTruncated, marker: page.marker };
  },
});

export const listGroups = defineOperation({
  name: 'ListGroups',
  write: false,
  // AWS-COMPAT: iam:ListGroups has no resource type in the service authorization reference, yet
  // IAM authorizes it against the path the listing covers: `arn:aws:iam::<account>:group/` in its
  // AccessDenied messages (snyk/driftctl#1604). Policies with `*` or `group/*` match it.
  resource: (input: { pathPrefix?: string }, ctx) => iamArn(ctx.env.partition, ctx.account, 'group', input.pathPrefix ?? '/', ''),
  async run(input: { pathPrefix?: string; marker?: string; maxItems?: number }, ctx) {
    const groups = withPathPrefix(await listAll<GroupEntity>(ctx.tx, KIND.group, ctx.account), input.pathPrefix);
    const page = paginate(groups, (g) => byName(g.groupName), input.marker, input.maxItems);
    return { groups: page.items.map(groupOutput), isTruncated: page.isTruncated, marker: page.marker };
  },
});

export const updateGroup = defineOperation({
  name: 'UpdateGroup',
  write: true,
  resource: (input: { groupName: string }, ctx) => entityArn(ctx, 'group', input.groupName),
  async run(input: { groupName: string; newPath?: string; newGroupName?: string }, ctx) {
    const { tx, account } = ctx;
    const group = await loadGroup(tx, account, input.groupName);
    const newName = input.newGroupName ?? group.groupName;
    // A change of case only keeps the store id, the member records and the users' lists.
    const rekeyed = byName(newName) !== byName(group.groupName);
    if (rekeyed && (await findGroup(tx, account, newName))) throw awsError('EntityAlreadyExists', `Group with name ${newName} already exists.`);
    const path = input.newPath ?? group.path;
    const updated: GroupEntity = { ...group, groupName: newName, path, arn: iamArn(ctx.env.partition, account, 'group', path, newName) };
    if (rekeyed) {
      for (const userName of await memberNames(tx, account, group.groupName)) {
        await tx.delete(KIND.groupMember, memberId(account, group.groupName, userName));
        await tx.put(KIND.groupMember, memberId(account, newName, userName), account, { userName });
        const user = await findUser(tx, account, userName);
        if (user) await saveUser(tx, account, { ...user, groups: user.groups.map((g) => (g === byName(group.groupName) ? byName(newName) : g)) });
      }
      await tx.delete(KIND.group, entityId(account, group.groupName));
    }
    await saveGroup(tx, account, updated);
    return undefined;
  },
});

export const deleteGroup = defineOperation({
  name: 'DeleteGroup',
  write: true,
  resource: (input: { groupName: string }, ctx) => entityArn(ctx, 'group', input.groupName),
  async run(input: { groupName: string }, ctx) {
    const { tx, account } = ctx;
    const group = await loadGroup(tx, account, input.groupName);
    // AWS-COMPAT: DeleteGroup refuses while the group has members or policies (same wording as DeleteUser's).
    if ((await tx.count(KIND.groupMember, { account, prefix: `${entityId(account, group.groupName)}/` })) > 0) {
      throw awsError('DeleteConflict', 'Cannot delete entity, must remove users from group first.');
    }
    refuseDeleteWhilePoliciesRemain(group);
    await tx.delete(KIND.group, entityId(account, group.groupName));
    return undefined;
  },
});

export const addUserToGroup = defineOperation({
  name: 'AddUserToGroup',
  write: true,
  resource: (input: { groupName: string }, ctx) => entityArn(ctx, 'group', input.groupName),
  async run(input: { groupName: string; userName: string }, ctx) {
    const { tx, account } = ctx;
    const group = await loadGroup(tx, account, input.groupName);
    const user = await loadUser(tx, account, input.userName);
    const key = byName(group.groupName);
    // AWS-COMPAT: adding a user that is already a member succeeds and changes nothing.
    if (user.groups.includes(key)) return undefined;
    if (user.groups.length >= GROUPS_PER_USER) throw quotaExceeded('GroupsPerUser', GROUPS_PER_USER);
    await tx.put(KIND.groupMember, memberId(account, group.groupName, user.userName), account, { userName: user.userName });
    await saveUser(tx, account, { ...user, groups: [...user.groups, key] });
    return undefined;
  },
});

export const removeUserFromGroup = defineOperation({
  name: 'RemoveUserFromGroup',
  write: true,
  resource: (input: { groupName: string }, ctx) => entityArn(ctx, 'group', input.groupName),
  async run(input: { groupName: string; userName: string }, ctx) {
    const { tx, account } = ctx;
    const group = await loadGroup(tx, account, input.groupName);
    const user = await loadUser(tx, account, input.userName);
    const key = byName(group.groupName);
    // AWS-COMPAT: removing a user that is not a member succeeds (observed with the CLI,
    // cloud-custodian/cloud-custodian#4730).
    if (!user.groups.includes(key)) return undefined;
    await tx.delete(KIND.groupMember, memberId(account, group.groupName, user.userName));
    await saveUser(tx, account, { ...user, groups: user.groups.filter((g) => g !== key) });
    return undefined;
  },
});

export const listGroupsForUser = defineOperation({
  name: 'ListGroupsForUser',
  write: false,
  resource: (input: { userName: string }, ctx) => entityArn(ctx, 'user', input.userName),
  async run(input: { userName: string; marker?: string; maxItems?: number }, ctx) {
    const { tx, account } = ctx;
    const user = await loadUser(tx, account, input.userName);
    const groups: GroupEntity[] = [];
    for (const name of [...user.groups].sort()) {
      const group = await findGroup(tx, account, name);
      if (group) groups.push(group);
    }
    const page = paginate(groups, (g) => byName(g.groupName), input.marker, input.maxItems);
    return { groups: page.items.map(groupOutput), isTruncated: page.isTruncated, marker: page.marker };
  },
});

export const GROUP_OPERATIONS = [createGroup, getGroup, listGroups, updateGroup, deleteGroup, addUserToGroup, removeUserFromGroup, listGroupsForUser];
