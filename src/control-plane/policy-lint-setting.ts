/**
 * The account setting that says what happens when a policy is written through the IAM API with
 * lint findings: `off` (the default: nothing), `warn` (the write succeeds; the findings go to the
 * audit event and the `x-gatehouse-policy-lint` response header) or `reject` (a policy with
 * error-level findings is refused with MalformedPolicyDocument).
 *
 * DIVERGENCE: AWS has no such setting (IAM validates syntax only; Access Analyzer's checks run on
 * request). It is stored in its own record kind, one record per account, which the replication
 * feed does not carry (its allowlist names only the kinds regions need): only the control plane
 * writes policies.
 */
import type { ReadTx, WriteTx } from '../store/ports.js';
import { recordKey, type ChangedRecords } from './context.js';

/** Control plane only, like `access-key-usage`: never replicated. */
export const ANALYSIS_SETTINGS_KIND = 'analysis-settings';

export type PolicyLintMode = 'off' | 'warn' | 'reject';
export const POLICY_LINT_MODES: readonly PolicyLintMode[] = ['off', 'warn', 'reject'];

export interface AnalysisSettings {
  policyLint: PolicyLintMode;
}

export const DEFAULT_ANALYSIS_SETTINGS: AnalysisSettings = { policyLint: 'off' };

export function isPolicyLintMode(value: unknown): value is PolicyLintMode {
  return typeof value === 'string' && (POLICY_LINT_MODES as readonly string[]).includes(value);
}

/** The account's settings (the defaults when it never set any). */
export async function readAnalysisSettings(tx: ReadTx, account: string): Promise<AnalysisSettings> {
  const rec = await tx.get<Partial<AnalysisSettings>>(ANALYSIS_SETTINGS_KIND, account);
  const mode = rec?.data.policyLint;
  return { policyLint: isPolicyLintMode(mode) ? mode : DEFAULT_ANALYSIS_SETTINGS.policyLint };
}

export async function writeAnalysisSettings(tx: WriteTx, account: string, settings: AnalysisSettings): Promise<void> {
  await tx.put(ANALYSIS_SETTINGS_KIND, account, account, settings);
}

/** Bound on cached accounts: a store with more simply reads the record again. */
const MAX_CACHED_ACCOUNTS = 10_000;

/**
 * Each account's lint mode, read once and kept until a write changes the record (IamService
 * tells on every change), so a policy write with lint off costs one map lookup.
 */
export class PolicyLintSettings {
  private readonly modes = new Map<string, PolicyLintMode>();

  async mode(tx: ReadTx, account: string): Promise<PolicyLintMode> {
    const cached = this.modes.get(account);
    if (cached !== undefined) return cached;
    const mode = (await readAnalysisSettings(tx, account)).policyLint;
    if (this.modes.size >= MAX_CACHED_ACCOUNTS) this.modes.clear();
    this.modes.set(account, mode);
    return mode;
  }

  invalidate(changed: ChangedRecords): void {
    if (changed === undefined) {
      this.modes.clear();
      return;
    }
    const prefix = recordKey(ANALYSIS_SETTINGS_KIND, '');
    for (const key of changed) if (key.startsWith(prefix)) this.modes.delete(key.slice(prefix.length));
  }
}
