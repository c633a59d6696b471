/**
 * Lint on write: after an operation that writes a policy document has run (so IAM's own
 * validation errors come first, worded as AWS words them), the document is linted when the
 * account's setting (policy-lint-setting.ts) asks for it. `reject` refuses a document with
 * error-level findings by throwing MalformedPolicyDocument, which rolls the whole unit of work
 * back: nothing is written. Otherwise the findings are returned for the edge to put in the audit
 * event and the `x-gatehouse-policy-lint` header; the response body stays exactly AWS's.
 */
import type { LintFinding, LintSeverity } from '../analysis/lint/lint-types.js';
import { awsError } from '../core/errors/index.js';
import type { PolicyKind } from '../core/policy/index.js';
import type { ChangedRecords, OperationContext } from './context.js';
import { lintWithStore } from './lint-with-store.js';
import { PolicyLintSettings, type PolicyLintMode } from './policy-lint-setting.js';

/** Where each policy-writing operation carries its document, and what kind of policy it is. */
const POLICY_WRITES: ReadonlyMap<string, { member: string; kind: PolicyKind }> = new Map([
  ['CreatePolicy', { member: 'policyDocument', kind: 'identity' }],
  ['CreatePolicyVersion', { member: 'policyDocument', kind: 'identity' }],
  ['PutUserPolicy', { member: 'policyDocument', kind: 'identity' }],
  ['PutGroupPolicy', { member: 'policyDocument', kind: 'identity' }],
  ['PutRolePolicy', { member: 'policyDocument', kind: 'identity' }],
  ['CreateRole', { member: 'assumeRolePolicyDocument', kind: 'trust' }],
  ['UpdateAssumeRolePolicy', { member: 'policyDocument', kind: 'trust' }],
]);

/** The severities reported on write; suggestions are for `gatehouse policy lint`. */
const REPORTED: ReadonlySet<LintSeverity> = new Set(['error', 'security', 'warning']);

export interface PolicyLintReport {
  mode: Exclude<PolicyLintMode, 'off'>;
  findings: LintFinding[];
}

/** The response header's value: the count and the ids, e.g. `count=2; ids=PAT-ALLOW-NOTACTION,REF-ACTION`. */
export function policyLintHeader(report: PolicyLintReport): string {
  const ids = [...new Set(report.findings.map((f) => f.id))];
  return ids.length ? `count=${report.findings.length}; ids=${ids.join(',')}` : 'count=0';
}

/** The findings as the audit event records them (additionalEventData.policyLint). */
export function policyLintAudit(report: PolicyLintReport): Record<string, unknown> {
  return { mode: report.mode, findings: report.findings.map((f) => ({ id: f.id, severity: f.severity, path: f.path, message: f.message })) };
}

export class PolicyLintOnWrite {
  readonly settings = new PolicyLintSettings();

  /** Whether `operation` writes a policy document (the only ones `check` looks at). */
  static writesPolicy(operation: string): boolean {
    return POLICY_WRITES.has(operation);
  }

  /**
   * Lints the document `operation` has just written, per the account's setting: undefined when
   * it is off or the operation writes no policy; throws MalformedPolicyDocument to refuse.
   */
  async check(operation: string, input: Record<string, unknown>, ctx: OperationContext): Promise<PolicyLintReport | undefined> {
    const write = POLICY_WRITES.get(operation);
    if (!write) return undefined;
    const mode = await this.settings.mode(ctx.tx, ctx.account);
    if (mode === 'off') return undefined;
    const document = input[write.member];
    if (typeof document !== 'string') return undefined;
    const findings = (await lintWithStore(ctx.tx, document, { kind: write.kind, accountId: ctx.account })).filter((f) => REPORTED.has(f.severity));
    const error = findings.find((f) => f.severity === 'error');
    if (mode === 'reject' && error) {
      // DIVERGENCE: AWS refuses only what its own parser rejects; this account asked for more.
      throw awsError('MalformedPolicyDocument', `Policy lint ${error.id} at ${error.path}: ${error.message}`);
    }
    return { mode, findings };
  }

  invalidate(changed: ChangedRecords): void {
    this.settings.invalidate(changed);
  }
}
