/** The JSON-friendly shapes of the escalation graph: nodes, edges, steps and paths. */
import type { StatementRef } from '../../core/policy/index.js';

/** The id of the virtual node standing for "full administrator of the account". */
export const ADMIN_NODE = 'admin';

/** One request an escalation needs, with the statements that allow it. */
export interface EscalationStep {
  action: string;
  resource: string;
  access: 'allowed' | 'conditional';
  /** The Allow statements that decide it (identity, group, trust, boundary, SCP layers). */
  statements: StatementRef[];
  /** Who makes the request when not the edge's `from` (a service assuming the passed role). */
  principal?: string;
}

export interface EscalationNode {
  /** Principal ARN, or `admin` for the virtual node. */
  arn: string;
  name: string;
  kind: 'user' | 'role' | 'admin';
  /** An administrator now (see admin-probes.ts), for every request. */
  admin: boolean;
  /** An administrator for some requests only (the probes are allowed under conditions). */
  adminConditional?: boolean;
}

export interface EscalationEdge {
  from: string;
  /** A principal ARN, or `admin`. */
  to: string;
  /** A method id of ESCALATION_METHODS, or `admin` for "is an administrator". */
  method: string;
  /** Some step is allowed only for some requests (MFA, source IP, request tags...). */
  conditional: boolean;
  steps: EscalationStep[];
  /**
   * For an edge to `admin` that changes another principal's permissions: the principal made an
   * administrator. Such an edge counts on a path only when that principal is already on the
   * path (the caller holds its credentials): `dave → DeployRole → admin (AttachUserPolicy on dave)`.
   */
  grantTo?: string;
  /** For an edge to `admin` that changes a principal's permissions and then acts as it. */
  via?: string;
}

export interface EscalationPath {
  from: string;
  to: string;
  conditional: boolean;
  /** Edges in the order they are used. */
  edges: EscalationEdge[];
}

export interface EscalationGraphJson {
  accountId: string;
  nodes: EscalationNode[];
  edges: EscalationEdge[];
  /** The shortest path to `admin` of every principal that is not an administrator and has one. */
  paths: EscalationPath[];
  /** Method ids the graph evaluates; the others need resources the account model lacks. */
  evaluatedMethods: string[];
}
