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

/** Actions whose resource policy must allow explicitly: role trust policies and KMS key policies. */
function needsExplicitResourceAllow(lowerAction: string, resource: string): 'trust' | 'kms' | undefined {
  if (lowerAction.startsWith('sts:')) {
    const name = lowerAction.slice(4);
    if (name.startsWith('assumerole') || name === 'tagsession' || name === 'setsourceidentity' || name === 'setcontext') return 'trust';
    return undefined;
  }
  if (lowerAction.startsWith('kms:') && /^arn:[^:]+:kms:[^:]*:[^:]*:key\//.test(resource)) return 'kms';
  return undefined;
}

function collectDenies(policies: readonly CompiledPolicy[], scope: RequestScope, out: StatementRef[]): void {
  for (let i = 0; i < policies.length; i++) {
    const deny = policies[i].forAction(scope.lowerAction).deny;
    for (let j = 0; j < deny.length; j++) if (deny[j].applies(scope)) out.push(deny[j].ref);
  }
}

/** Appends the applicable Allow statements; returns how many were found. */
function collectAllows(policies: readonly CompiledPolicy[], scope: RequestScope, out: StatementRef[]): number {
  let n = 0;
  for (let i = 0; i < policies.length; i++) {
    const allow = policies[i].forAction(scope.lowerAction).allow;
    for (let j = 0; j < allow.length; j++) {
      if (allow[j].applies(scope)) {
        out.push(allow[j].ref);
        n++;
      }
    }
  }
  return n;
}

const RANK: Record<PrincipalMatch, number> = { account: 1, role: 2, direct: 3 };

function implicit(layer: PolicyLayer, scpLevel?: number): Decision {
  const blockedBy: DenyReason = scpLevel === undefined ? { layer, kind: 'implicit' } : { layer, kind: 'implicit', scpLevel };
  return { decision: 'ImplicitDeny', decidedBy: [], blockedBy };
}

export function evaluate(request: AuthzRequest, sets: PolicySets): Decision {
  const scope = new RequestScope(request);
  return evaluateScope(scope, sets);
}

export function evaluateScope(scope: RequestScope, sets: PolicySets): Decision {
  const identity = sets.identity ?? NONE;
  const session = sets.session ?? NONE;
  const scps = sets.scps ?? [];
  const rp = sets.resource ?? undefined;
  const boundary = sets.boundary ?? undefined;
  scope.hasBoundary = boundary !== undefined;
  const principal = scope.principal;

  // 1. Explicit deny anywhere.
  const denies: StatementRef[] = [];
  for (let level = 0; level < scps.length; level++) collectDenies(scps[level], scope, denies);
  if (rp) collectDenies([rp], scope, denies);
  collectDenies(identity, scope, denies);
  if (boundary) collectDenies([boundary], scope, denies);
  collectDenies(session, scope, denies);
  if (denies.length) {
    const first = denies[0];
    const blockedBy: DenyReason = first.scpLevel === undefined ? { layer: first.layer, kind: 'explicit' } : { layer: first.layer, kind: 'explicit', scpLevel: first.scpLevel };
    return { decision: 'ExplicitDeny', decidedBy: denies, blockedBy };
  }

  // 2. SCPs: each level needs its own Allow. They apply to IAM principals of member accounts only.
  const scpAllows: StatementRef[] = [];
  if (principal.kind !== 'external') {
    for (let level = 0; level < scps.length; level++) {
      if (collectAllows(scps[level], scope, scpAllows) === 0) return implicit('scp', level);
    }
  }

  // 3. Resource policy: the applicable Allows and the strongest way the principal matched.
  const rpAllows: StatementRef[] = [];
  let rpBest = 0;
  if (rp) {
    const allow = rp.forAction(scope.lowerAction).allow;
    for (let j = 0; j < allow.length; j++) {
      const how = allow[j].applies(scope);
      if (how) {
        rpAllows.push(allow[j].ref);
        if (RANK[how] > rpBest) rpBest = RANK[how];
      }
    }
  }
  const explicitResource = needsExplicitResourceAllow(scope.lowerAction, scope.resource);

  // Services and web identities have no identity policies: the resource policy decides alone.
  if (principal.kind === 'external') {
    return rpAllows.length ? { decision: 'Allow', decidedBy: rpAllows } : implicit('resource');
  }
  if (explicitResource && rpAllows.length === 0) return implicit('resource');

  const resourceAccount = sets.resourceAccount ?? principal.account;
  const sameAccount = resourceAccount === principal.account;
  if (!sameAccount && rpAllows.length === 0) return implicit('resource');

  // A same-account grant to the caller itself (user, session, everyone) needs nothing else...
  if (sameAccount && rpBest === RANK.direct) {
    // AWS-COMPAT: but a role's trust policy naming a user still needs the user's permissions
    // boundary to allow sts:AssumeRole ("Troubleshooting IAM roles", IAM User Guide).
    if (!(explicitResource === 'trust' && boundary)) return { decision: 'Allow', decidedBy: [...scpAllows, ...rpAllows] };
  }

  const identityAllows: StatementRef[] = [];
  const identityGranted = collectAllows(identity, scope, identityAllows) > 0;
  // ...a same-account grant to the role ARN stands in for the identity policies.
  const resourceGrants = sameAccount && rpBest >= RANK.role;
  if (!identityGranted && !resourceGrants) return implicit('identity');

  const boundaryAllows: StatementRef[] = [];
  if (boundary && collectAllows([boundary], scope, boundaryAllows) === 0) return implicit('boundary');
  // AWS-COMPAT: a GetFederationToken session passed no session policy has no permissions of its
  // own ("the resulting federated user session has no permissions", STS API reference); only a
  // resource policy naming the session can allow it.
  if (principal.kind === 'federated-user' && session.length === 0) return implicit('session');
  const sessionAllows: StatementRef[] = [];
  for (let i = 0; i < session.length; i++) {
    if (collectAllows([session[i]], scope, sessionAllows) === 0) return implicit('session');
  }

  // In the same account a grant to the account only delegates: it takes no part in the decision,
  // except for trust and key policies, which must allow.
  const resourcePart = !sameAccount || resourceGrants || explicitResource ? rpAllows : [];
  return { decision: 'Allow', decidedBy: [...scpAllows, ...resourcePart, ...identityAllows, ...boundaryAllows, ...sessionAllows] };
}
