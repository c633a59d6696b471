/**
 * The access review's output: who can do what to which resource, one row per principal ×
 * resource × capability, with per-principal and per-resource summaries and findings. This is the
 * documented JSON schema (docs/access-review.md); `schema` changes when a field changes meaning.
 */
import type { Capability } from '../capabilities/capability.js';
import type { ProgressListener } from '../progress.js';

export const ACCESS_REVIEW_SCHEMA = 'gatehouse.access-review/v1';

/** `allowed`: for every request; `conditional`: only for requests meeting a condition (IP, MFA...). */
export type ReviewAccess = 'allowed' | 'conditional';

/**
 * What a row's `resource` is:
 * - `entity`: a user, role, group or customer managed policy of the account (a real ARN);
 * - `named`: a concrete ARN a policy names (a bucket, a table...);
 * - `pattern`: a wildcard pattern a policy names (`arn:aws:s3:::logs-*`), evaluated as written;
 * - `service`: `*` for one service: every resource of `service`, present and future.
 */
export type ResourceKind = 'entity' | 'named' | 'pattern' | 'service';

/** A statement that grants the row: the engine's ids (managed policy ARN, `<owner ARN>#<inline name>`, `<role ARN>#trust`). */
export interface ReviewStatement {
  policyId: string;
  statementIndex: number;
  sid?: string;
}

export interface AccessRow {
  principal: string;
  principalKind: 'user' | 'role';
  /** An ARN, an ARN pattern, or `*` (kind `service`). S3 objects and DynamoDB indexes are folded into their bucket or table. */
  resource: string;
  resourceKind: ResourceKind;
  /** `s3:bucket`, `iam:role`...; `s3:*` for a `service` row; empty when the catalog knows no type. */
  resourceType: string;
  /** The service whose actions grant the row (`sts` for assuming a role). */
  service: string;
  capability: Capability;
  access: ReviewAccess;
  /** The granting actions at `access` (sorted, at most `maxActionsPerRow`); `actionCount` has them all. */
  actions: string[];
  actionCount: number;
  /** The statements that grant it (at most 8). */
  via: ReviewStatement[];
}

export interface EscalationStepSummary {
  from: string;
  /** A principal ARN, or `admin`. */
  to: string;
  /** Escalation method id (`iam-002`, `sts-001`...; `admin` for "is an administrator"). */
  method: string;
  /** What the step does, e.g. `iam:CreateAccessKey; iam-002`. */
  description: string;
  /** Allowed only for some requests (MFA, source IP...). */
  conditional: boolean;
}

/** A principal's shortest way to administrator, from the escalation graph. */
export interface EscalationPathSummary {
  conditional: boolean;
  steps: EscalationStepSummary[];
}

export interface PrincipalSummary {
  principal: string;
  principalKind: 'user' | 'role';
  name: string;
  /** Rows of the principal. */
  rows: number;
  /** Resources (of all kinds) the principal has any row on. */
  resources: number;
  /** Rows per capability. */
  capabilities: Record<Capability, number>;
  /** Distinct capabilities the principal has somewhere. */
  capabilityCount: number;
  /** An administrator now, for every request (escalation/admin-probes.ts: the engine allows every admin probe). */
  admin: boolean;
  /** Known account resources (entities and named ARNs) it can administer, through any row. */
  administersKnownResources: number;
  /** The shortest path to administrator the escalation graph finds; absent for administrators. */
  escalation?: EscalationPathSummary;
}

export interface ResourceSummary {
  resource: string;
  resourceKind: 'entity' | 'named';
  resourceType: string;
  /** Principals that reach it with any capability, through its own rows, patterns or `*`. */
  principals: number;
  /** The same, not counting administrators. */
  nonAdminPrincipals: number;
  /** Principals per capability. */
  byCapability: Record<Capability, number>;
}

export interface ReviewFinding {
  /** `OVR-THRESHOLD`, `OVR-ADMIN`, `PE-PATH`. */
  id: string;
  severity: 'error' | 'security' | 'warning' | 'suggestion';
  /** The principal or resource the finding is about. */
  subject: string;
  message: string;
  capability?: Capability;
  count?: number;
  threshold?: number;
}

export interface ReviewWarning {
  subject: string;
  message: string;
}

export interface ReviewThresholds {
  /** OVR-THRESHOLD when more non-admin principals than this can read, write, delete or administer one resource. */
  principalsPerResource: number;
  /** OVR-THRESHOLD when a non-admin principal can administer more known resources than this. */
  resourcesPerPrincipal: number;
}

export interface AccessReview {
  schema: typeof ACCESS_REVIEW_SCHEMA;
  generatedAt: string;
  account: { accountId: string; partition: string };
  /** Set when the review was limited to one principal. */
  principalFilter?: string;
  thresholds: ReviewThresholds;
  counts: { principals: number; rows: number; resources: number; findings: number; admins: number; escalationPaths: number };
  /** Whether the escalation graph was evaluated (paths to administrator). */
  escalationEvaluated: boolean;
  warnings: ReviewWarning[];
  findings: ReviewFinding[];
  principals: PrincipalSummary[];
  resources: ResourceSummary[];
  rows: AccessRow[];
}

/** What the escalation graph tells the review (review-escalation.ts builds it from escalation/). */
export interface EscalationInput {
  /** The shortest path of `principal` to administrator, if any. */
  pathToAdmin(principal: string): EscalationPathSummary | undefined;
}

export interface ReviewOptions {
  /** The review's timestamp (`generatedAt`): analysis code has no clock. */
  now: Date;
  onProgress?: ProgressListener;
  /** Review one principal (ARN) only; resource counts then only count that principal. */
  principal?: string;
  thresholds?: Partial<ReviewThresholds>;
  /** Actions listed per row (default 20). */
  maxActionsPerRow?: number;
  /** Paths to administrator; default: the escalation graph of the account; `false`: none (faster). */
  escalation?: EscalationInput | false;
}

export const DEFAULT_THRESHOLDS: ReviewThresholds = { principalsPerResource: 25, resourcesPerPrincipal: 100 };
