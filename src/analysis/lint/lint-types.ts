/**
 * The contract between the linter and its rules. A rule looks at one policy document (already
 * parsed, with its statements normalized) and reports findings; the linter adds the syntax
 * findings of the engine's validator, sorts, de-duplicates and maps paths to lines.
 */
import type { PolicyKind } from '../../core/policy/index.js';

/** As IAM Access Analyzer grades findings: ERROR, SECURITY_WARNING, WARNING, SUGGESTION. */
export type LintSeverity = 'error' | 'security' | 'warning' | 'suggestion';
export const LINT_SEVERITIES: readonly LintSeverity[] = ['error', 'security', 'warning', 'suggestion'];

/** The risk categories of over-permission (Cloudsplaining's, plus privilege escalation). */
export type RiskCategory = 'privilege-escalation' | 'data-exfiltration' | 'resource-exposure' | 'credentials-exposure' | 'infrastructure-modification';

export interface LintFinding {
  /** Stable check id from docs/lint-rules.md, e.g. `PAT-ALLOW-NOTACTION`. */
  id: string;
  severity: LintSeverity;
  /** JSON path into the document, e.g. `$.Statement[1].Resource[0]`. */
  path: string;
  message: string;
  detail?: string;
  category?: RiskCategory;
  /** 1-based position of `path` in the source text, when the policy came as text. */
  line?: number;
  column?: number;
}

/** One statement with its elements as lists (`Action: "s3:*"` → `['s3:*']`). */
export interface NormalizedStatement {
  index: number;
  /** `$.Statement[i]`, or `$.Statement` when the document has a single statement object. */
  path: string;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Exactly one of action / notAction is set when the statement is well-formed. */
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  /** `'*'` or type → values. */
  principal?: '*' | Record<string, string[]>;
  notPrincipal?: '*' | Record<string, string[]>;
  /** operator → key → values (as strings). */
  condition?: Record<string, Record<string, string[]>>;
  /** The statement as written. */
  raw: Record<string, unknown>;
}

/** Answers whether an IAM entity exists; `undefined` when it cannot tell (no live store). */
export interface EntityResolver {
  exists(kind: 'user' | 'role' | 'group' | 'policy' | 'oidc-provider' | 'saml-provider', arn: string): boolean | undefined;
}

export interface LintContext {
  kind: PolicyKind;
  /** The parsed document (a rule runs only when it parsed to an object). */
  document: Record<string, unknown>;
  statements: readonly NormalizedStatement[];
  /** The account the policy belongs to, when known (cross-account checks). */
  accountId?: string;
  resolver?: EntityResolver;
  report(finding: LintFinding): void;
}

export interface LintRule {
  id: string;
  severity: LintSeverity;
  category?: RiskCategory;
  /** One line for listings. */
  title: string;
  /** Policy kinds the rule applies to. */
  kinds: readonly PolicyKind[];
  check(ctx: LintContext): void;
}
