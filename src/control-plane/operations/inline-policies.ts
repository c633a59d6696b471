/**
 * Inline policies of users, groups and roles: Put/Get/Delete/List{User,Group,Role}Policy (ies).
 * The three families differ only in the entity that holds the policies, so one factory builds them.
 */
import { awsError } from '../../core/errors/index.js';
import type { GroupEntity, InlinePolicies, RoleEntity, UserEntity } from '../../core/model/iam-entities.js';
import { policySize } from '../../core/policy/validate.js';
import type { ReadTx, WriteTx } from '../../store/ports.js';
import { defineOperation, type AnyOperation } from '../context.js';
import { entityArn, loadGroup, loadRole, loadUser, saveGroup, saveRole, saveUser } from '../entities.js';
import { paginate } from '../paging.js';
import { checkPolicyDocument } from '../policy-documents.js';

type HolderType = 'user' | 'group' | 'role';

/** How to load and save the entity that holds the inline policies. */
interface Holder<E extends { inlinePolicies: InlinePolicies }> {
  type: HolderType;
  /** The operations' name infix: `PutUserPolicy`, `ListGroupPolicies`... */
  label: 'User' | 'Group' | 'Role';
  load(tx: ReadTx, account: string, name: string): Promise<E>;
  save(tx: WriteTx, account: string, entity: E): Promise<void>;
  nameOf(entity: E): string;
}

const USER: Holder<UserEntity> = { type: 'user', label: 'User', load: loadUser, save: saveUser, nameOf: (u) => u.userName };
const GROUP: Holder<GroupEntity> = { type: 'group', label: 'Group', load: loadGroup, save: saveGroup, nameOf: (g) => g.groupName };
const ROLE: Holder<RoleEntity> = { type: 'role', label: 'Role', load: loadRole, save: saveRole, nameOf: (r) => r.roleName };

/** Input members: `userName` / `groupName` / `roleName` plus the operation's own. */
type NamedInput = Record<string, unknown>;

function holderName(type: HolderType, input: NamedInput): string {
  return input[`${type}Name`] as string;
}

/**
 * Characters the entity's other inline policies already use: AWS's inline quota (user 2,048,
 * group 5,120, role 10,240, white space not counted) is an aggregate over all of them, and a
 * policy being replaced does not count against its own replacement.
 */
function otherPoliciesSize(policies: InlinePolicies, except: string): number {
  let used = 0;
  for (const [name, document] of Object.entries(policies)) if (name !== except) used += policySize(document, 'identity');
  return used;
}

function noSuchPolicy(type: HolderType, policyName: string): Error {
  return awsError('NoSuchEntity', `The ${type} policy with name ${policyName} cannot be found.`);
}

// DIVERGENCE: inline policy names are matched exactly (case-sensitive); AWS documents
// case-insensitive uniqueness only for user, group, role and managed policy names.
function inlinePolicyOperations<E extends { inlinePolicies: InlinePolicies }>(holder: Holder<E>): AnyOperation[] {
  const { type, label } = holder;
  const resource = (input: NamedInput, ctx: Parameters<typeof entityArn>[0]) => entityArn(ctx, type, holderName(type, input));

  const put = defineOperation({
    name: `Put${label}Policy`,
    write: true,
    resource,
    async run(input: NamedInput & { policyName: string; policyDocument: string }, ctx) {
      const entity = await holder.load(ctx.tx, ctx.account, holderName(type, input));
      const entityName = holder.nameOf(entity);
      checkPolicyDocument(input.policyDocument, 'identity', {
        identityTarget: type,
        entityName,
        usedSize: otherPoliciesSize(entity.inlinePolicies, input.policyName),
      });
      await holder.save(ctx.tx, ctx.account, { ...entity, inlinePolicies: { ...entity.inlinePolicies, [input.policyName]: input.policyDocument } });
      return undefined;
    },
  });

  const get = defineOperation({
    name: `Get${label}Policy`,
    write: false,
    resource,
    async run(input: NamedInput & { policyName: string }, ctx) {
      const entity = await holder.load(ctx.tx, ctx.account, holderName(type, input));
      if (!Object.hasOwn(entity.inlinePolicies, input.policyName)) throw noSuchPolicy(type, input.policyName);
      // The document as stored; the protocol layer URL-encodes it as AWS does.
      return { [`${type}Name`]: holder.nameOf(entity), policyName: input.policyName, policyDocument: entity.inlinePolicies[input.policyName] };
    },
  });

  const remove = defineOperation({
    name: `Delete${label}Policy`,
    write: true,
    resource,
    async run(input: NamedInput & { policyName: string }, ctx) {
      const entity = await holder.load(ctx.tx, ctx.account, holderName(type, input));
      if (!Object.hasOwn(entity.inlinePolicies, input.policyName)) throw noSuchPolicy(type, input.policyName);
      const inlinePolicies = { ...entity.inlinePolicies };
      delete inlinePolicies[input.policyName];
      await holder.save(ctx.tx, ctx.account, { ...entity, inlinePolicies });
      return undefined;
    },
  });

  const list = defineOperation({
    name: `List${label}Policies`,
    write: false,
    resource,
    async run(input: NamedInput & { marker?: string; maxItems?: number }, ctx) {
      const entity = await holder.load(ctx.tx, ctx.account, holderName(type, input));
      const names = Object.keys(entity.inlinePolicies).sort();
      const page = paginate(names, (n) => n, input.marker, input.maxItems);
      return { policyNames: page.items, isTruncated: page.isTruncated, marker: page.marker };
    },
  });

  return [put, get, remove, list];
}

export const INLINE_POLICY_OPERATIONS: AnyOperation[] = [...inlinePolicyOperations(USER), ...inlinePolicyOperations(GROUP), ...inlinePolicyOperations(ROLE)];
