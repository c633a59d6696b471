import type { AuthzRequest } from './request.js';
import type { Decision, PolicyLayer, StatementRef } from './types.js';

/** How AWS names each policy type in AccessDenied messages ("Troubleshoot access denied"). */
const LAYER_NAMES: Record<PolicyLayer, { implicit: string; explicit: string }> = {
  scp: { implicit: 'no service control policy allows', explicit: 'with an explicit deny in a service control policy' },
  resource: { implicit: 'no resource-based policy allows', explicit: 'with an explicit deny in a resource-based policy' },
  identity: { implicit: 'no identity-based policy allows', explicit: 'with an explicit deny in an identity-based policy' },
  boundary: { implicit: 'no permissions boundary allows', explicit: 'with an explicit deny in a permissions boundary' },
  session: { implicit: 'no session policy allows', explicit: 'with an explicit deny in a session policy' },
};

/**
 * The AccessDenied message AWS gives for a denied request, e.g. "User: arn:aws:iam::111122223333:user/alice
 * is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111122223333:user/bob because
 * no identity-based policy allows the iam:CreateUser action". Undefined for an Allow.
 */
export function accessDeniedMessage(request: AuthzRequest, decision: Decision): string | undefined {
  if (decision.decision === 'Allow' || !decision.blockedBy) return undefined;
  const head = `User: ${request.principal} is not authorized to perform: ${request.action} on resource: ${request.resource}`;
  const names = LAYER_NAMES[decision.blockedBy.layer];
  return decision.blockedBy.kind === 'explicit' ? `${head} ${names.explicit}` : `${head} because ${names.implicit} the ${request.action} action`;
}

/** A statement as a short, stable reference: `identity[0]#2`, `scp[1][0]#0`. */
export function statementLabel(ref: StatementRef): string {
  return `${ref.policyId}#${ref.statementIndex}`;
}

/** A one-line human explanation of a decision. */
export function explainDecision(decision: Decision): string {
  const refs = decision.decidedBy.map((r) => `${statementLabel(r)}${r.sid ? ` (${r.sid})` : ''}`).join(', ');
  if (decision.decision === 'Allow') return `Allowed by ${refs}`;
  const b = decision.blockedBy;
  const where = b ? `${b.layer}${b.scpLevel !== undefined ? ` level ${b.scpLevel}` : ''}` : 'unknown';
  if (decision.decision === 'ExplicitDeny') return `Explicitly denied in the ${where} layer by ${refs}`;
  return `Implicitly denied: no ${where} policy allows it`;
}
