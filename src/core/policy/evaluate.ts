import type { CompiledPolicy, PrincipalMatch } from './compile.js';
import { RequestScope } from './request-scope.js';
import type { AuthzRequest } from './request.js';
import type { Decision, DenyReason, PolicyLayer, StatementRef } from './types.js';

/**
 * AWS's policy evaluation logic ("Policy evaluation logic", "Policy evaluation for requests
 * within a single account", "Cross-account policy evaluation logic", IAM User Guide):
 *
 * 1. An applicable Deny in any policy (SCP, resource, identity, boundary, session) wins.
 * 2. Every SCP level from the root down to the principal's account must allow.
 * 3. Same account: a resource-policy grant to the user, the role session or to everyone allows on
 *    its own; a grant to a role ARN stands in for the identity policies but stays limited by the
 *    permissions boundary and session policy; a grant to the account only delegates to the
 *    identity policies. Otherwise identity policies must allow, then the boundary, then the
 *    session policy.
 * 4. Cross-account: the resource policy AND the principal's side (identity, boundary, session)
 *    must both allow.
 * 5. Role trust policies and KMS key policies must allow explicitly, even in the same account.
 */

export interface PolicySets {
  identity?: readonly CompiledPolicy[];
  resource?: CompiledPolicy | null;
  boundary?: CompiledPolicy | null;
  session?: readonly CompiledPolicy[];
  /** SCP levels from the root down to the principal's account; empty = not in an organization. */
  scps?: readonly (readonly CompiledPolicy[])[];
  /** The account that owns the resource; null or absent = the principal's account. */
  resourceAccount?: string | null;
}

const NONE: readonly CompiledPolicy[] = [];
const NONE_LEVELS: readonly (readonly CompiledPolicy[])[] = [];

/** Actions whose resource policy must allow explicitly: role trust policies and KMS key policies. */
function needsExplicitResourceAllow(lowerAction: string, resource: string): 'trust' | 'kms' | undefined {
  if (lowerAction.startsWith('sts:')) {
    const name = lowerAction.slice(4);
    if (name.startsWith('assumerole')) return 'trust';
    // Tagging a session or setting its source identity is asked of a role's trust policy only
    // when the session is a role's: GetFederationToken's tags need no resource policy.
    if ((name === 'tagsession' || name === 'setsourceidentity' || name === 'setcontext') && /^arn:[^:]+:iam::[^:]*:role\//.test(resource)) return 'trust';
    return undefined;
  }
  if (lowerAction.startsWith('kms:') && /^arn:[^:]+:kms:[^:]*:[^:]*:key\//.test(resource)) return 'kms';
  return undefined;
}

function collectDenies(policies: readonly CompiledPolicy[], scope: RequestScope, out: StatementRef[] | undefined): StatementRef[] | undefined {
  for (let i = 0; i < policies.length; i++) out = collectDeniesOf(policies[i], scope, out);
  return out;
}

/** Appends the applicable Deny statements of one policy; allocates only when one applies. */
function collectDeniesOf(policy: CompiledPolicy, scope: RequestScope, out: StatementRef[] | undefined): StatementRef[] | undefined {
  const deny = policy.forRequest(scope.lowerAction, scope.resource).deny;
  for (let j = 0; j < deny.length; j++) if (deny[j].applies(scope)) (out ??= []).push(deny[j].ref);
  return out;
}

/** Appends the applicable Allow statements of one policy; returns how many were found. */
function collectAllowsOf(policy: CompiledPolicy, scope: RequestScope, out: StatementRef[]): number {
  const allow = policy.forRequest(scope.lowerAction, scope.resource).allow;
  let n = 0;
  for (let j = 0; j < allow.length; j++) {
    if (allow[j].applies(scope)) {
      out.push(allow[j].ref);
      n++;
    }
  }
  return n;
}

function collectAllows(policies: readonly CompiledPolicy[], scope: RequestScope, out: StatementRef[]): number {
  let n = 0;
  for (let i = 0; i < policies.length; i++) n += collectAllowsOf(policies[i], scope, out);
  return n;
}

const RANK: Record<PrincipalMatch, number> = { account: 1, role: 2, direct: 3 };
const DIRECT = RANK.direct;
const ROLE = RANK.role;

function implicit(layer: PolicyLayer, scpLevel?: number): Decision {
  const blockedBy: DenyReason = scpLevel === undefined ? { layer, kind: 'implicit' } : { layer, kind: 'implicit', scpLevel };
  return { decision: 'ImplicitDeny', decidedBy: [], blockedBy };
}

export function evaluate(request: AuthzRequest, sets: PolicySets): Decision {
  const scope = new RequestScope(request);
  const identity = sets.identity ?? NONE;
  const session = sets.session ?? NONE;
  const scps = sets.scps ?? NONE_LEVELS;
  const rp = sets.resource ?? undefined;
  const boundary = sets.boundary ?? undefined;
  scope.hasBoundary = boundary !== undefined;
  const principal = scope.principal;

  // 1. Explicit deny anywhere.
  // SCPs govern IAM principals of member accounts only, not services or web identities.
  const scpsApply = principal.kind !== 'external';
  let denies: StatementRef[] | undefined;
  if (scpsApply) for (let level = 0; level < scps.length; level++) denies = collectDenies(scps[level], scope, denies);
  if (rp) denies = collectDeniesOf(rp, scope, denies);
  denies = collectDenies(identity, scope, denies);
  if (boundary) denies = collectDeniesOf(boundary, scope, denies);
  denies = collectDenies(session, scope, denies);
  if (denies) {
    const first = denies[0];
    const blockedBy: DenyReason = first.scpLevel === undefined ? { layer: first.layer, kind: 'explicit' } : { layer: first.layer, kind: 'explicit', scpLevel: first.scpLevel };
    return { decision: 'ExplicitDeny', decidedBy: denies, blockedBy };
  }

  // The Allow statements that decide, in layer order: SCPs, resource, identity, boundary, session.
  const allows: StatementRef[] = [];

  // 2. SCPs: each level needs its own Allow.
  if (scpsApply) {
    for (let level = 0; level < scps.length; level++) {
      if (collectAllows(scps[level], scope, allows) === 0) return implicit('scp', level);
    }
  }

  // 3. Resource policy: the applicable Allows and the strongest way the principal matched.
  const rpStart = allows.length;
  let rpBest = 0;
  if (rp) {
    const allow = rp.forRequest(scope.lowerAction, scope.resource).allow;
    for (let j = 0; j < allow.length; j++) {
      const how = allow[j].applies(scope);
      if (how) {
        allows.push(allow[j].ref);
        if (RANK[how] > rpBest) rpBest = RANK[how];
      }
    }
  }
  const rpAllowed = allows.length > rpStart;
  const explicitResource = needsExplicitResourceAllow(scope.lowerAction, scope.resource);

  // Services and web identities have no identity policies: the resource policy decides alone.
  if (principal.kind === 'external') return rpAllowed ? { decision: 'Allow', decidedBy: allows } : implicit('resource');
  if (explicitResource && !rpAllowed) return implicit('resource');

  const resourceAccount = sets.resourceAccount ?? principal.account;
  const sameAccount = resourceAccount === principal.account;
  if (!sameAccount && !rpAllowed) return implicit('resource');

  // A same-account grant to the caller itself (user, session, everyone) needs nothing else...
  if (sameAccount && rpBest === DIRECT) {
    // AWS-COMPAT: but a role's trust policy naming a user still needs the user's permissions
    // boundary to allow sts:AssumeRole ("Troubleshooting IAM roles", IAM User Guide).
    if (!(explicitResource === 'trust' && boundary)) return { decision: 'Allow', decidedBy: allows };
  }
  // ...a same-account grant to the role ARN stands in for the identity policies...
  const resourceGrants = sameAccount && rpBest >= ROLE;
  // ...and a same-account grant to the account only delegates to them: it takes no part in the
  // decision, except in trust and key policies, which must allow.
  if (sameAccount && !resourceGrants && !explicitResource) allows.length = rpStart;

  if (collectAllows(identity, scope, allows) === 0 && !resourceGrants) return implicit('identity');
  if (boundary && collectAllowsOf(boundary, scope, allows) === 0) return implicit('boundary');
  // AWS-COMPAT: a GetFederationToken session passed no session policy has no permissions of its
  // own ("the resulting federated user session has no permissions", STS API reference); only a
  // resource policy naming the session can allow it.
  if (principal.kind === 'federated-user' && session.length === 0) return implicit('session');
  for (let i = 0; i < session.length; i++) {
    if (collectAllowsOf(session[i], scope, allows) === 0) return implicit('session');
  }
  return { decision: 'Allow', decidedBy: allows };
}
