/** Text rendering of escalation paths: one line per path, and the statements of each step. */
import type { StatementRef } from '../../core/policy/index.js';
import { ADMIN_NODE, type EscalationEdge, type EscalationPath, type EscalationStep } from './escalation-types.js';
import { escalationMethod } from './methods.js';

/** The short name of a principal ARN (`dave`, `DeployRole`), or `admin`. */
export function principalName(arn: string): string {
  if (arn === ADMIN_NODE) return 'admin';
  const m = /:(?:user|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? m[1] : arn;
}

function methodLabel(id: string): string {
  return escalationMethod(id)?.name ?? id;
}

/** What an edge does, in the words of the path line. */
export function describeEdge(e: EscalationEdge): string {
  if (e.method === 'admin') return e.from === ADMIN_NODE ? 'as administrator' : `${principalName(e.from)} is an administrator`;
  if (e.to !== ADMIN_NODE) return `${methodLabel(e.method)}; ${e.method}`;
  const change = e.steps.find((s) => !s.action.startsWith('sts:') && !/PermissionsBoundary$/.test(s.action)) ?? e.steps[0];
  const target = e.grantTo ?? e.via;
  const on = change ? `${change.action} on ${change.resource === target ? (target === e.from ? 'itself' : principalName(change.resource)) : change.resource.split(':').pop()}` : methodLabel(e.method);
  if (e.via) return `${on}, then acts as ${principalName(e.via)}; ${e.method}`;
  return `${on}; ${e.method}`;
}

/** `dave → DeployRole (sts:AssumeRole; sts-001) → admin (iam:AttachUserPolicy on dave; iam-008)`. */
export function formatPathLine(path: EscalationPath): string {
  let line = principalName(path.from);
  for (const e of path.edges) line += ` → ${principalName(e.to)} (${describeEdge(e)})`;
  return path.conditional ? `${line} [conditional]` : line;
}

export function statementLabel(r: StatementRef): string {
  const layer = r.layer === 'identity' ? '' : ` [${r.layer}${r.scpLevel !== undefined ? ` ${r.scpLevel}` : ''}]`;
  return `${r.policyId} statement ${r.statementIndex}${r.sid ? ` (${r.sid})` : ''}${layer}`;
}

function formatStep(s: EscalationStep): string {
  const who = s.principal ? `${s.principal}: ` : '';
  const refs = s.statements.length ? s.statements.map(statementLabel).join('; ') : 'no statement named';
  return `${who}${s.action} on ${s.resource}: ${s.access === 'allowed' ? 'allowed' : 'allowed under conditions'} by ${refs}`;
}

/** The path line, then each edge's steps with the statements that allow them, indented. */
export function formatPath(path: EscalationPath, options: { maxAdminSteps?: number } = {}): string {
  const lines = [formatPathLine(path)];
  for (const e of path.edges) {
    if (e.from === ADMIN_NODE) continue;
    lines.push(`  ${principalName(e.from)} → ${principalName(e.to)} [${e.method}${e.conditional ? ', conditional' : ''}]`);
    // An administrator's evidence is its probes: one is enough to show which statements make it one.
    const steps = e.method === 'admin' ? e.steps.slice(0, options.maxAdminSteps ?? 1) : e.steps;
    for (const s of steps) lines.push(`    ${formatStep(s)}`);
  }
  return lines.join('\n');
}
