/**
 * Observed authorization usage: one record per principal, action and resource, with the
 * statements that allowed it. The data planes record it (src/data-plane/usage-recorder.ts), the
 * control plane serves it, and the least-privilege analysis reads it.
 */

/** A statement that allowed a request. */
export interface UsageStatementRef {
  /** A managed policy's ARN, or an inline policy as `<ownerArn>:inline/<name>` (data plane) or `<ownerArn>#<name>` (account index). */
  policyId: string;
  /** The managed policy's version when the request was allowed (inline and session policies have none). */
  policyVersion?: string;
  statementIndex: number;
  sid?: string;
}

export interface UsageRecord {
  /** The caller's ARN as authenticated: a user, or a role session `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`. */
  principal: string;
  action: string;
  resource: string;
  count: number;
  /** ISO times. */
  firstSeen: string;
  lastSeen: string;
  allowedBy: UsageStatementRef[];
}
