/**
 * The registry of lint rules, and the descriptions of the checks the engine's validator runs
 * first (their findings pass through the linter under the same ids). Ids are stable: see
 * docs/lint-rules.md.
 */
import type { LintRule, LintSeverity, RiskCategory } from './lint-types.js';
import { REFERENCE_RULES } from './rules-reference.js';
import { PATTERN_RULES } from './rules-pattern.js';
import { STRUCTURE_RULES } from './rules-structure.js';
import { REDUNDANCY_RULES } from './rules-redundant.js';
import { ENTITY_RULES } from './rules-entity.js';
import { SECURITY_RULES } from './rules-security.js';
import { RISK_RULES } from './rules-risk.js';
import { TRUST_RULES } from './rules-trust.js';

/** Every rule the linter runs, in documentation order. */
export const LINT_RULES: readonly LintRule[] = [
  ...STRUCTURE_RULES,
  ...REFERENCE_RULES,
  ...ENTITY_RULES,
  ...PATTERN_RULES,
  ...REDUNDANCY_RULES,
  ...SECURITY_RULES,
  ...RISK_RULES,
  ...TRUST_RULES,
];

/** What a listing (SARIF, `--help`) needs to know of a check. */
export interface LintCheckInfo {
  id: string;
  severity: LintSeverity;
  title: string;
  category?: RiskCategory;
}

/**
 * Checks the engine's validator performs (`validatePolicy`), with the severity of their typical
 * finding: `error` when IAM refuses the document. Some ids are shared with lint rules that
 * extend them (REF-ARN-FORMAT, REF-TYPE, SYN-EMPTY...).
 */
export const VALIDATOR_CHECKS: readonly LintCheckInfo[] = [
  { id: 'SYN-JSON', severity: 'error', title: 'Policy is not valid JSON' },
  { id: 'SYN-CHARSET', severity: 'error', title: 'Character outside the set IAM accepts' },
  { id: 'SYN-SIZE', severity: 'error', title: 'Policy exceeds its size quota' },
  { id: 'SYN-DATA-TYPE', severity: 'error', title: 'Element of the wrong JSON type' },
  { id: 'SYN-UNKNOWN-ELEMENT', severity: 'error', title: 'Unknown policy or statement element' },
  { id: 'SYN-MISSING-ELEMENT', severity: 'error', title: 'Required element missing' },
  { id: 'SYN-ELEMENT-COMBINATION', severity: 'error', title: 'Element together with its negation' },
  { id: 'SYN-EFFECT', severity: 'error', title: 'Effect is not Allow or Deny' },
  { id: 'SYN-VERSION', severity: 'error', title: 'Missing, invalid or old policy Version' },
  { id: 'SYN-SID', severity: 'error', title: 'Duplicate or invalid Sid' },
  { id: 'SYN-ACTION', severity: 'error', title: 'Malformed action' },
  { id: 'SYN-POLICY-TYPE', severity: 'error', title: 'Element not allowed in this kind of policy' },
  { id: 'SYN-VARIABLE', severity: 'warning', title: 'Malformed or unsupported policy variable' },
  { id: 'SYN-DUPLICATE-KEY', severity: 'warning', title: 'Duplicate JSON key' },
  { id: 'SYN-DUP-KEY-CASE', severity: 'warning', title: 'Condition key repeated with different case' },
  { id: 'REF-PRINCIPAL', severity: 'error', title: 'Malformed principal' },
  { id: 'REF-OPERATOR', severity: 'error', title: 'Unknown condition operator' },
  { id: 'PAT-NULL-IFEXISTS', severity: 'warning', title: 'Null with IfExists or a set qualifier' },
  { id: 'VAL-TRUNCATED', severity: 'suggestion', title: 'More findings than reported' },
  // Not the validator's: the linter's own report that a rule failed, so a broken rule is visible.
  { id: 'LINT-INTERNAL', severity: 'warning', title: 'The linter could not finish a check' },
];

/** Rules and validator checks by id (a rule's entry wins when both exist). */
export function lintCheckIndex(rules: readonly LintCheckInfo[] = LINT_RULES): Map<string, LintCheckInfo> {
  const out = new Map<string, LintCheckInfo>();
  for (const c of VALIDATOR_CHECKS) out.set(c.id, c);
  for (const r of rules) out.set(r.id, { id: r.id, severity: r.severity, title: r.title, ...(r.category ? { category: r.category } : {}) });
  return out;
}
