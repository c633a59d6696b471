import { compilePolicy, type CompiledPolicy } from './compile.js';
import { evaluate, type PolicySets } from './evaluate.js';
import type { AuthzRequest } from './request.js';
import type { Decision } from './types.js';

/**
 * One authorization question with every policy in force, in the engine-independent format of the
 * policy-evaluation corpus (see test/fixtures/conformance/policy-eval/README.md).
 */
export interface PolicyCase {
  name?: string;
  request: AuthzRequest;
  identityPolicies?: unknown[];
  resourcePolicy?: unknown | null;
  permissionsBoundary?: unknown | null;
  scps?: unknown[][];
  sessionPolicies?: unknown[];
  resourceAccount?: string | null;
}

/**
 * Compiles a case's policies under stable ids: `identity[i]`, `resource`, `boundary`,
 * `session[i]`, `scp[level][i]`.
 */
export function compileCase(c: PolicyCase): PolicySets {
  const many = (docs: unknown[] | undefined, prefix: string, layer: 'identity' | 'session'): CompiledPolicy[] =>
    (docs ?? []).map((d, i) => compilePolicy(d, { id: `${prefix}[${i}]`, layer }));
  return {
    identity: many(c.identityPolicies, 'identity', 'identity'),
    session: many(c.sessionPolicies, 'session', 'session'),
    resource: c.resourcePolicy ? compilePolicy(c.resourcePolicy, { id: 'resource', layer: 'resource' }) : null,
    boundary: c.permissionsBoundary ? compilePolicy(c.permissionsBoundary, { id: 'boundary', layer: 'boundary' }) : null,
    scps: (c.scps ?? []).map((level, l) => level.map((d, i) => compilePolicy(d, { id: `scp[${l}][${i}]`, layer: 'scp', scpLevel: l }))),
    resourceAccount: c.resourceAccount ?? null,
  };
}

export function simulateCase(c: PolicyCase): Decision {
  return evaluate(c.request, compileCase(c));
}

/** Checks the shape of a case well enough to evaluate it; returns the problem, or undefined. */
export function caseProblem(c: unknown): string | undefined {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return 'a case must be an object';
  const r = (c as { request?: unknown }).request as Record<string, unknown> | undefined;
  if (typeof r !== 'object' || r === null) return 'a case needs a "request" object';
  for (const k of ['principal', 'action', 'resource']) if (typeof r[k] !== 'string') return `request.${k} must be a string`;
  if (r.context !== undefined && (typeof r.context !== 'object' || r.context === null || Array.isArray(r.context))) return 'request.context must be an object';
  const x = c as Record<string, unknown>;
  for (const k of ['identityPolicies', 'sessionPolicies', 'scps']) if (x[k] !== undefined && x[k] !== null && !Array.isArray(x[k])) return `${k} must be an array`;
  if (Array.isArray(x.scps) && !x.scps.every(Array.isArray)) return 'scps must be an array of levels (arrays)';
  return undefined;
}
