/**
 * Wire types of IAM JSON policy documents and the shared vocabulary of the policy engine:
 * policy kinds, findings and decisions. AWS element names (`Effect`, `Action`...) appear only
 * in the wire types.
 */

/** The kinds of policy AWS distinguishes; validation rules and size quotas depend on the kind. */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'boundary' | 'scp' | 'session';
export const POLICY_KINDS: readonly PolicyKind[] = ['identity', 'resource', 'trust', 'boundary', 'scp', 'session'];

export type StringOrArray = string | string[];

/** `Principal` / `NotPrincipal`: `"*"` or a map of principal type to one or more values. */
export type PrincipalElement =
  | '*'
  | { AWS?: StringOrArray; Federated?: StringOrArray; Service?: StringOrArray; CanonicalUser?: StringOrArray };

/** `Condition`: operator → condition key → one or more values. */
export type ConditionElement = Record<string, Record<string, StringOrArray | boolean | number | (string | boolean | number)[]>>;

export interface StatementDocument {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: PrincipalElement;
  NotPrincipal?: PrincipalElement;
  Action?: StringOrArray;
  NotAction?: StringOrArray;
  Resource?: StringOrArray;
  NotResource?: StringOrArray;
  Condition?: ConditionElement;
}

export interface PolicyDocument {
  Version?: '2012-10-17' | '2008-10-17';
  Id?: string;
  Statement: StatementDocument | StatementDocument[];
}

export type Severity = 'error' | 'warning' | 'info';

/**
 * One problem found in a policy. `path` is a JSON path into the document (`$.Statement[0].Action`),
 * `code` the AWS error family (`MalformedPolicyDocument`, `LimitExceeded`), `message` AWS's wording.
 */
export interface Finding {
  id: string;
  severity: Severity;
  code: string;
  path: string;
  message: string;
  /** The specific reason, when `message` is AWS's generic wording. */
  detail?: string;
}

export type DecisionKind = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** The policy layers of AWS's evaluation logic, in the order the explanation names them. */
export type PolicyLayer = 'scp' | 'resource' | 'identity' | 'boundary' | 'session';

/** A statement that took part in a decision. */
export interface StatementRef {
  layer: PolicyLayer;
  /** The policy's id or ARN as the caller named it (or `<layer>[index]` when it had none). */
  policyId: string;
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** For SCPs: the level in the organization, 0 = root. */
  scpLevel?: number;
}

/** Why a request was not allowed: the layer that blocked it. */
export interface DenyReason {
  layer: PolicyLayer;
  /** `explicit`: a Deny statement matched; `implicit`: the layer had no matching Allow. */
  kind: 'explicit' | 'implicit';
  scpLevel?: number;
}

export interface Decision {
  decision: DecisionKind;
  /** For Allow: the Allow statements that granted it; for ExplicitDeny: the matching Deny statements. */
  decidedBy: StatementRef[];
  /** For a deny: the layer that blocked it. */
  blockedBy?: DenyReason;
}
