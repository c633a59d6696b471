/**
 * The identity policies that grant a principal its permissions, each with the ids the engine and
 * the data plane give its statements, so recorded usage can be traced back to the policy.
 */
import type { AccountGroup, AccountIndex, AccountPrincipal } from '../account/index.js';

export interface PrincipalPolicy {
  /** The managed policy's ARN, or the inline policy's name. */
  policyId: string;
  kind: 'managed' | 'inline';
  /** Who holds it: for inline policies the user, role or group it is embedded in; for managed ones the entity it is attached to. */
  owner: { kind: 'user' | 'role' | 'group'; name: string; arn: string };
  /** The document in force (a managed policy's default version). */
  document: unknown;
  /** Managed policies: the default version's id. */
  versionId?: string;
  /** Managed policies: an AWS managed policy (cannot be given new versions). */
  awsManaged?: boolean;
  /** Every id a usage record may name this policy by. */
  usageIds: string[];
}

function inlineIds(ownerArn: string, name: string): string[] {
  return [`${ownerArn}#${name}`, `${ownerArn}:inline/${name}`];
}

function ownerOf(e: AccountPrincipal | AccountGroup): PrincipalPolicy['owner'] {
  return { kind: e.kind, name: e.name, arn: e.arn };
}

/**
 * The principal's own inline and attached policies, then (for users) each group's. A managed
 * policy attached both directly and through a group is listed once, where it is first met.
 */
export function principalPolicies(index: AccountIndex, p: AccountPrincipal): PrincipalPolicy[] {
  const out: PrincipalPolicy[] = [];
  const seen = new Set<string>();
  const add = (e: AccountPrincipal | AccountGroup) => {
    for (const inline of e.inlinePolicies) {
      out.push({ policyId: inline.name, kind: 'inline', owner: ownerOf(e), document: inline.document, usageIds: inlineIds(e.arn, inline.name) });
    }
    for (const arn of e.attachedPolicies) {
      if (seen.has(arn)) continue;
      seen.add(arn);
      const policy = index.policy(arn);
      if (!policy || policy.defaultDocument === undefined) continue;
      out.push({
        policyId: arn,
        kind: 'managed',
        owner: ownerOf(e),
        document: policy.defaultDocument,
        versionId: policy.defaultVersionId,
        awsManaged: policy.awsManaged,
        usageIds: [arn],
      });
    }
  };
  add(p);
  if (p.kind === 'user') for (const g of index.groupsOf(p)) add(g);
  return out;
}

/** The principals that hold a policy: those it is attached to (directly or through a group), or its inline owner. */
export function holdersOf(index: AccountIndex, policy: PrincipalPolicy): AccountPrincipal[] {
  if (policy.kind === 'inline') {
    if (policy.owner.kind !== 'group') {
      const e = index.entity(policy.owner.arn);
      return e && e.kind !== 'group' ? [e] : [];
    }
    return index.model.users.filter((u) => u.groups.some((g) => g.toLowerCase() === policy.owner.name.toLowerCase()));
  }
  const groups = new Set(index.model.groups.filter((g) => g.attachedPolicies.includes(policy.policyId)).map((g) => g.name.toLowerCase()));
  return index.principals().filter((p) => p.attachedPolicies.includes(policy.policyId) || (p.kind === 'user' && p.groups.some((g) => groups.has(g.toLowerCase()))));
}

/** Every document that takes part in the principal's decisions: identity policies, boundary, SCPs. */
export function principalDocuments(index: AccountIndex, p: AccountPrincipal): unknown[] {
  const docs = principalPolicies(index, p).map((x) => x.document);
  if (p.permissionsBoundary) docs.push(index.policy(p.permissionsBoundary)?.defaultDocument);
  for (const level of index.model.scps ?? []) docs.push(...level);
  return docs;
}
