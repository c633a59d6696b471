/**
 * The policy linter: the engine's validator first (what IAM refuses, and its warnings), then
 * every lint rule for the policy's kind over the normalized statements. Findings come sorted by
 * severity then path, without duplicates, and with line/column when the policy came as text.
 * Never throws.
 */
import { validatePolicy, type PolicyKind } from '../../core/policy/index.js';
import type { PolicyFinding } from '../../core/policy/validate.js';
import { LINT_SEVERITIES, type EntityResolver, type LintContext, type LintFinding, type LintRule, type LintSeverity } from './lint-types.js';
import { normalizeStatements } from './normalize-statements.js';
import { LINT_RULES } from './rules.js';
import { jsonPositions, offsetPosition, positionOf, withAncestors } from './json-positions.js';

export interface LintOptions {
  kind: PolicyKind;
  /** Answers whether IAM entities exist (REF-ENTITY); without it the rule is skipped. */
  resolver?: EntityResolver;
  /** The account the policy belongs to. */
  accountId?: string;
  /** The rules to run; default every rule (`LINT_RULES`). */
  rules?: readonly LintRule[];
}

const SEVERITY_RANK: Record<LintSeverity, number> = Object.fromEntries(LINT_SEVERITIES.map((s, i) => [s, i])) as Record<LintSeverity, number>;

function fromValidator(f: PolicyFinding): LintFinding {
  const out: LintFinding = {
    id: f.id,
    // `info` is housekeeping (findings left out, a document too long to parse).
    severity: f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'suggestion',
    path: f.path,
    message: f.message,
  };
  if (f.detail !== undefined) out.detail = f.detail;
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Paths compare segment by segment, with indexes as numbers (`[2]` before `[10]`). */
export function comparePaths(a: string, b: string): number {
  const re = /\d+|\D+/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

function describeError(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return 'unprintable error';
  }
}

/** Lints one policy document (JSON text or a parsed value) of the given kind. */
export function lintPolicy(input: string | unknown, options: LintOptions): LintFinding[] {
  const kind = options?.kind;
  const findings: LintFinding[] = [];
  try {
    const validation = validatePolicy(input, kind);
    for (const f of validation) findings.push(fromValidator(f));

    let document: unknown = input;
    if (typeof input === 'string') {
      const unparsed = validation.some((f) => f.id === 'SYN-JSON' || (f.id === 'SYN-SIZE' && f.severity === 'info'));
      document = undefined;
      if (!unparsed) {
        try {
          document = JSON.parse(input);
        } catch {
          document = undefined;
        }
      }
    }
    if (isObject(document)) runRules(document, options, findings);
  } catch (err) {
    findings.push({ id: 'LINT-INTERNAL', severity: 'warning', path: '$', message: `The linter stopped early: ${describeError(err)}` });
  }
  return finish(findings, typeof input === 'string' ? input : undefined);
}

function runRules(document: Record<string, unknown>, options: LintOptions, findings: LintFinding[]): void {
  const statements = normalizeStatements(document);
  const ctx: LintContext = {
    kind: options.kind,
    document,
    statements,
    report: (f) => void findings.push(f),
  };
  if (options.accountId !== undefined) ctx.accountId = options.accountId;
  if (options.resolver !== undefined) ctx.resolver = options.resolver;
  for (const rule of options.rules ?? LINT_RULES) {
    if (!rule.kinds.includes(options.kind)) continue;
    try {
      rule.check(ctx);
    } catch (err) {
      // One broken rule must not hide the others' findings.
      findings.push({ id: 'LINT-INTERNAL', severity: 'warning', path: '$', message: `Rule ${rule.id} failed: ${describeError(err)}` });
    }
  }
}

function finish(findings: LintFinding[], text: string | undefined): LintFinding[] {
  const seen = new Set<string>();
  const unique: LintFinding[] = [];
  // The validator's findings come first, so its wording wins when a rule reports the same id and path.
  const badArn = new Set(findings.filter((f) => f.id === 'REF-ARN-FORMAT').map((f) => f.path));
  for (const f of findings) {
    const key = `${f.id}\u0000${f.path}`;
    if (seen.has(key)) continue;
    // A malformed ARN matches no resource type either; the format finding says why.
    if (f.id === 'REF-RESOURCE-MISMATCH' && badArn.has(f.path)) continue;
    seen.add(key);
    unique.push(f);
  }
  if (unique.length > 1) {
    unique.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || comparePaths(a.path, b.path) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  if (text !== undefined && unique.length > 0) addPositions(unique, text);
  return unique;
}

function addPositions(findings: LintFinding[], text: string): void {
  const positions = jsonPositions(text, withAncestors(findings.map((f) => f.path)));
  for (const f of findings) {
    let pos = f.id === 'SYN-JSON' ? syntaxErrorPosition(text, `${f.detail ?? ''} ${f.message}`) : undefined;
    pos ??= positionOf(positions, f.path);
    if (pos) {
      f.line = pos.line;
      f.column = pos.column;
    }
  }
}

/** Where JSON.parse stopped, from its message ("... at position 42" or "(line 3 column 5)"). */
function syntaxErrorPosition(text: string, message: string): { line: number; column: number } | undefined {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const at = /position (\d+)/.exec(message);
  return at ? offsetPosition(text, Number(at[1])) : undefined;
}
