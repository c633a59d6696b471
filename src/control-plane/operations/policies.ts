/**
 * Customer managed policies and their versions and tags: CreatePolicy, GetPolicy, DeletePolicy,
 * ListPolicies, the *PolicyVersion operations and TagPolicy/UntagPolicy/ListPolicyTags. AWS
 * managed policies (account `aws`) can be read and listed but not changed.
 */
import { awsError } from '../../core/errors/index.js';
import { ID_PREFIX, newUniqueId } from '../../core/ids.js';
import { entityId, KIND, type ManagedPolicyEntity, type PolicyVersionEntity } from '../../core/model/iam-entities.js';
import { defineOperation, type OperationContext } from '../context.js';
import { findPolicy, listAll, mergeTags, policyIdOfArn, quotaExceeded, removeTags, requestTagContext, savePolicy, type TagInput } from '../entities.js';
import { iamArn } from '../iam-arns.js';
import { paginate, withPathPrefix } from '../paging.js';
import { checkPolicyDocument } from '../policy-documents.js';
import { accountPolicyUsage, isAwsManaged, policyCounts, type PolicyCounts, type PolicyUsage } from './policy-usage.js';

/** AWS quota: customer managed policies per account. */
export const POLICIES_PER_ACCOUNT = 1500;
/** AWS quota: versions a managed policy keeps. */
export const VERSIONS_PER_POLICY = 5;

/** The `Policy` shape. AWS leaves Description and Tags out of ListPolicies. */
export function policyOutput(policy: ManagedPolicyEntity, counts: PolicyCounts, full = true) {
  return {
    policyName: policy.policyName,
    policyId: policy.policyId,
    arn: policy.arn,
    path: policy.path,
    defaultVersionId: policy.defaultVersionId,
    attachmentCount: counts.attachmentCount,
    permissionsBoundaryUsageCount: counts.permissionsBoundaryUsageCount,
    isAttachable: policy.isAttachable,
    description: full ? policy.description : undefined,
    createDate: policy.createDate,
    updateDate: policy.updateDate,
    tags: full && policy.tags.length ? policy.tags : undefined,
  };
}

/** The `PolicyVersion` shape; the document only where AWS returns it. */
export function versionOutput(version: PolicyVersionEntity, withDocument: boolean) {
  return {
    document: withDocument ? version.document : undefined,
    versionId: version.versionId,
    isDefaultVersion: version.isDefaultVersion,
    createDate: version.createDate,
  };
}

/**
 * The managed policy an ARN names, as the caller's account sees it: its own policies and AWS's.
 * A policy of another account is treated as missing.
 */
export async function findVisiblePolicy(ctx: OperationContext, arn: string): Promise<ManagedPolicyEntity | undefined> {
  const where = policyIdOfArn(arn);
  if (!where) throw awsError('InvalidInput', `ARN ${arn} is not valid.`);
  if (where.account !== ctx.account && where.account !== 'aws') return undefined;
  return findPolicy(ctx.tx, arn);
}

async function loadVisiblePolicy(ctx: OperationContext, arn: string): Promise<ManagedPolicyEntity> {
  const policy = await findVisiblePolicy(ctx, arn);
  if (!policy) throw awsError('NoSuchEntity', `Policy ${arn} was not found.`);
  return policy;
}

/** A customer managed policy the caller may change. */
async function loadOwnPolicy(ctx: OperationContext, arn: string, operation: string): Promise<ManagedPolicyEntity> {
  const policy = await loadVisiblePolicy(ctx, arn);
  // AWS-COMPAT: AWS managed policies live in AWS's account, so IAM refuses changes to them as it
  // does any cross-account IAM write, with AccessDenied even for an administrator (the behaviour
  // cloud-copilot/iam-simulate reproduces for these same seven actions).
  if (isAwsManaged(policy)) throw awsError('AccessDenied', `User: ${ctx.caller.arn} is not authorized to perform: iam:${operation} on resource: ${arn}`);
  return policy;
}

function findVersion(policy: ManagedPolicyEntity, versionId: string): PolicyVersionEntity {
  const version = policy.versions.find((v) => v.versionId === versionId);
  if (!version) throw awsError('NoSuchEntity', `Policy ${policy.arn} version ${versionId} does not exist.`);
  return version;
}

/** The policy with `versionId` as its default version; UpdateDate moves only when it changes. */
function withDefault(policy: ManagedPolicyEntity, versionId: string, now: string): ManagedPolicyEntity {
  if (policy.defaultVersionId === versionId) return policy;
  return {
    ...policy,
    defaultVersionId: versionId,
    updateDate: now,
    versions: policy.versions.map((v) => ({ ...v, isDefaultVersion: v.versionId === versionId })),
  };
}

const versionNumber = (versionId: string) => Number(versionId.slice(1));

export const createPolicy = defineOperation({
  name: 'CreatePolicy',
  write: true,
  resource: (input: { policyName: string; path?: string }, ctx) => iamArn(ctx.env.partition, ctx.account, 'policy', input.path ?? '/', input.policyName),
  context: (input: { tags?: TagInput }) => requestTagContext(input.tags),
  async run(input: { policyName: string; path?: string; policyDocument: string; description?: string; tags?: TagInput }, ctx) {
    const { tx, account } = ctx;
    checkPolicyDocument(input.policyDocument, 'identity');
    // Policy names are unique per account whatever their path and case.
    if (await tx.get(KIND.policy, entityId(account, input.policyName))) {
      throw awsError('EntityAlreadyExists', `A policy called ${input.policyName} already exists. Duplicate names are not allowed.`);
    }
    if ((await tx.count(KIND.policy, { account })) >= POLICIES_PER_ACCOUNT) throw quotaExceeded('PoliciesPerAccount', POLICIES_PER_ACCOUNT);
    const path = input.path ?? '/';
    const now = ctx.now.toISOString();
    const policy: ManagedPolicyEntity = {
      policyName: input.policyName,
      policyId: newUniqueId(ID_PREFIX.policy, ctx.env.random),
      arn: iamArn(ctx.env.partition, account, 'policy', path, input.policyName),
      path,
      description: input.description,
      defaultVersionId: 'v1',
      attachmentCount: 0,
      permissionsBoundaryUsageCount: 0,
      isAttachable: true,
      createDate: now,
      updateDate: now,
      tags: mergeTags([], input.tags),
      versions: [{ versionId: 'v1', document: input.policyDocument, isDefaultVersion: true, createDate: now }],
      nextVersion: 2,
    };
    await savePolicy(tx, policy);
    return { policy: policyOutput(policy, policy) };
  },
});

export const getPolicy = defineOperation({
  name: 'GetPolicy',
  write: false,
  resource: (input: { policyArn: string }) => input.policyArn,
  async run(input: { policyArn: string }, ctx) {
    const policy = await loadVisiblePolicy(ctx, input.policyArn);
    return { policy: policyOutput(policy, await policyCounts(ctx, policy)) };
  },
});

export const deletePolicy = defineOperation({
  name: 'DeletePolicy',
  write: true,
  resource: (input: { policyArn: string }) => input.policyArn,
  async run(input: { policyArn: string }, ctx) {
    const policy = await loadOwnPolicy(ctx, input.policyArn, 'DeletePolicy');
    // AWS-COMPAT: a policy in use as a permissions boundary gets the same conflict as an attached one.
    if (policy.attachmentCount > 0 || policy.permissionsBoundaryUsageCount > 0) throw awsError('DeleteConflict', 'Cannot delete a policy attached to entities.');
    if (policy.versions.length > 1) {
      throw awsError('DeleteConflict', "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
    }
    await ctx.tx.delete(KIND.policy, policyIdOfArn(policy.arn)!.id);
    return undefined;
  },
});

export const listPolicies = defineOperation({
  name: 'ListPolicies',
  write: false,
  // iam:ListPolicies has no resource type in the service authorization reference.
  resource: () => '*',
  async run(
    input: { scope?: 'All' | 'AWS' | 'Local'; onlyAttached?: boolean; pathPrefix?: string; policyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary'; marker?: string; maxItems?: number },
    ctx,
  ) {
    const scope = input.scope ?? 'All';
    const candidates: ManagedPolicyEntity[] = [];
    if (scope !== 'Local') candidates.push(...(await listAll<ManagedPolicyEntity>(ctx.tx, KIND.policy, 'aws')));
    if (scope !== 'AWS') candidates.push(...(await listAll<ManagedPolicyEntity>(ctx.tx, KIND.policy, ctx.account)));
    const usage = scope === 'Local' ? undefined : await accountPolicyUsage(ctx.tx, ctx.account);
    const rows = withPathPrefix(candidates, input.pathPrefix)
      .map((policy) => ({ policy, counts: countsFrom(policy, usage) }))
      .filter(({ counts }) => wanted(counts, input.onlyAttached ?? false, input.policyUsageFilter))
      .sort((a, b) => compare(sortKey(a.policy), sortKey(b.policy)));
    const page = paginate(rows, (r) => sortKey(r.policy), input.marker, input.maxItems);
    return { policies: page.items.map((r) => policyOutput(r.policy, r.counts, false)), isTruncated: page.isTruncated, marker: page.marker };
  },
});

function countsFrom(policy: ManagedPolicyEntity, usage: PolicyUsage | undefined): PolicyCounts {
  if (!isAwsManaged(policy) || !usage) return policy;
  return usage.get(policy.arn) ?? { attachmentCount: 0, permissionsBoundaryUsageCount: 0 };
}

/**
 * ListPolicies' filters: PolicyUsageFilter=PermissionsBoundary keeps the policies in use as a
 * boundary; OnlyAttached keeps those attached (as a boundary, under that filter). Any managed
 * policy can be a permissions policy, so PermissionsPolicy alone keeps everything.
 */
function wanted(counts: PolicyCounts, onlyAttached: boolean, usageFilter: string | undefined): boolean {
  if (usageFilter === 'PermissionsBoundary') return counts.permissionsBoundaryUsageCount > 0;
  return !onlyAttached || counts.attachmentCount > 0;
}

const sortKey = (p: ManagedPolicyEntity) => `${p.policyName.toLowerCase()}\u0000${p.arn}`;
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const createPolicyVersion = defineOperation({
  name: 'CreatePolicyVersion',
  write: true,
  resource: (input: { policyArn: string }) => input.policyArn,
  async run(input: { policyArn: string; policyDocument: string; setAsDefault?: boolean }, ctx) {
    const policy = await loadOwnPolicy(ctx, input.policyArn, 'CreatePolicyVersion');
    checkPolicyDocument(input.policyDocument, 'identity');
    if (policy.versions.length >= VERSIONS_PER_POLICY) {
      throw awsError('LimitExceeded', `A managed policy can have up to ${VERSIONS_PER_POLICY} versions. Before you create a new version, you must delete an existing version.`);
    }
    const now = ctx.now.toISOString();
    // AWS never reuses a version id, even after the version is deleted.
    const version: PolicyVersionEntity = { versionId: `v${policy.nextVersion}`, document: input.policyDocument, isDefaultVersion: false, createDate: now };
    let updated: ManagedPolicyEntity = { ...policy, versions: [...policy.versions, version], nextVersion: policy.nextVersion + 1 };
    if (input.setAsDefault) updated = withDefault(updated, version.versionId, now);
    await savePolicy(ctx.tx, updated);
    return { policyVersion: versionOutput(findVersion(updated, version.versionId), false) };
  },
});

export const getPolicyVersion = defineOperation({
  name: 'GetPolicyVersion',
  write: false,
  resource: (input: { policyArn: string }) => input.policyArn,
  async run(input: { policyArn: string; versionId: string }, ctx) {
    const policy = await loadVisiblePolicy(ctx, input.policyArn);
    return { policyVersion: versionOutput(findVersion(policy, input.versionId), true) };
  },
});

export const listPolicyVersions = defineOperation({
  name: 'ListPolicyVersions',
  write: false,
  resource: (input: { policyArn: string }) => input.policyArn,
  async run(input: { policyArn: string; marker?: string; maxItems?: number }, ctx) {
    const policy = await loadVisiblePolicy(ctx, input.policyArn);
    // Newest first, as AWS lists them; the key counts down so that it grows along the list.
    const versions = [...policy.versions].sort((a, b) => versionNumber(b.versionId) - versionNumber(a.versionId));
    const page = paginate(versions, (v) => String(1e9 - versionNumber(v.versionId)).padStart(10, '0'), input.marker, input.maxItems);
    return { versions: page.items.map((v) => versionOutput(v, false)), isTruncated: page.isTruncated, marker: page.marker };
  },
});

export const deletePolicyVersion = defineOperation({
  name: 'DeletePolicyVersion',
  write: true,
  resource: (input: { policyArn: string }) => input.policyArn,
  async run(input: { policyArn: string; versionId: string }, ctx) {
    const policy = await loadOwnPolicy(ctx, input.policyArn, 'DeletePolicyVersion');
    const version = findVersion(policy, input.versionId);
    if (version.isDefaultVersion) throw awsError('DeleteConflict', 'Cannot delete the default version of a policy.');
    await savePolicy(ctx.tx, { ...policy, versions: policy.versions.filter((v) => v.versionId !== version.versionId) });
    return undefined;
  },
});

export const setDefaultPolicyVersion = defineOperation({
  name: 'SetDefaultPolicyVersion',
  write: true,
  resource: (input: { policyArn: string }) => input.policyArn,
  async run(input: { policyArn: string; versionId: string }, ctx) {
    const policy = await loadOwnPolicy(ctx, input.policyArn, 'SetDefaultPolicyVersion');
    findVersion(policy, input.versionId);
    const updated = withDefault(policy, input.versionId, ctx.now.toISOString());
    if (updated !== policy) await savePolicy(ctx.tx, updated);
    return undefined;
  },
});

export const tagPolicy = defineOperation({
  name: 'TagPolicy',
  write: true,
  resource: (input: { policyArn: string }) => input.policyArn,
  context: (input: { tags?: TagInput }) => requestTagContext(input.tags),
  async run(input: { policyArn: string; tags: TagInput }, ctx) {
    const policy = await loadOwnPolicy(ctx, input.policyArn, 'TagPolicy');
    await savePolicy(ctx.tx, { ...policy, tags: mergeTags(policy.tags, input.tags) });
    return undefined;
  },
});

export const untagPolicy = defineOperation({
  name: 'UntagPolicy',
  write: true,
  resource: (input: { policyArn: string }) => input.policyArn,
  context: (input: { tagKeys?: string[] }) => requestTagContext(undefined, input.tagKeys),
  async run(input: { policyArn: string; tagKeys: string[] }, ctx) {
    const policy = await loadOwnPolicy(ctx, input.policyArn, 'UntagPolicy');
    await savePolicy(ctx.tx, { ...policy, tags: removeTags(policy.tags, input.tagKeys) });
    return undefined;
  },
});

export const listPolicyTags = defineOperation({
  name: 'ListPolicyTags',
  write: false,
  resource: (input: { policyArn: string }) => input.policyArn,
  async run(input: { policyArn: string; marker?: string; maxItems?: number }, ctx) {
    const policy = await loadVisiblePolicy(ctx, input.policyArn);
    // Tags keep their order; the key is the position so that it grows along the list.
    const rows = policy.tags.map((tag, i) => ({ tag, key: String(i).padStart(3, '0') }));
    const page = paginate(rows, (r) => r.key, input.marker, input.maxItems);
    return { tags: page.items.map((r) => r.tag), isTruncated: page.isTruncated, marker: page.marker };
  },
});

export const MANAGED_POLICY_OPERATIONS = [
  createPolicy,
  getPolicy,
  deletePolicy,
  listPolicies,
  createPolicyVersion,
  getPolicyVersion,
  listPolicyVersions,
  deletePolicyVersion,
  setDefaultPolicyVersion,
  tagPolicy,
  untagPolicy,
  listPolicyTags,
];
