/**
 * Lint findings as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format), the
 * format GitHub code scanning and most CI tools read: one run, the checks as `tool.driver.rules`,
 * each finding as a result located on its line of the policy file.
 */
import type { LintFinding, LintSeverity } from './lint-types.js';
import { LINT_RULES, lintCheckIndex, VALIDATOR_CHECKS, type LintCheckInfo } from './rules.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_TOOL_NAME = 'gatehouse-policy-lint';
export const LINT_RULES_DOC = 'docs/lint-rules.md';

export type SarifLevel = 'error' | 'warning' | 'note';

const LEVELS: Record<LintSeverity, SarifLevel> = { error: 'error', security: 'error', warning: 'warning', suggestion: 'note' };

export function sarifLevel(severity: LintSeverity): SarifLevel {
  return LEVELS[severity] ?? 'warning';
}

/** The GitHub anchor of a `### REF-ACTION` heading: `ref-action`. */
export function ruleAnchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

/** `Unknown condition key` → `UnknownConditionKey`, SARIF's conventional rule name. */
function ruleName(title: string, id: string): string {
  const name = title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
  return name || id.replace(/[^A-Za-z0-9]/g, '');
}

/** A file path as a SARIF artifact URI: forward slashes, percent-encoded; absolute paths as file: URIs. */
export function artifactUri(file: string): string {
  const slashed = file.replace(/\\/g, '/');
  const encoded = encodeURI(slashed).replace(/[?#]/g, (c) => encodeURIComponent(c));
  if (/^[A-Za-z]:\//.test(slashed)) return `file:///${encoded}`;
  return slashed.startsWith('/') ? `file://${encoded}` : encoded;
}

export interface SarifOptions {
  /** The tool's version, e.g. the package version. */
  version?: string;
  /**
   * Where `helpUri`s point: default `docs/lint-rules.md`, relative to the repository (GitHub
   * resolves it); strict SARIF validators want an absolute URL such as
   * `https://github.com/ORG/REPO/blob/main/docs/lint-rules.md`.
   */
  docsUri?: string;
}

export interface SarifInput {
  file: string;
  findings: readonly LintFinding[];
}

/**
 * A SARIF 2.1.0 log for the findings of one or more files. `rules` are the checks to describe
 * (default: every lint rule); the validator's checks and any other id a result uses are added.
 */
export function toSarif(results: readonly SarifInput[], rules: readonly LintCheckInfo[] = LINT_RULES, options: SarifOptions = {}): Record<string, unknown> {
  const docs = options.docsUri ?? LINT_RULES_DOC;
  const known = lintCheckIndex(rules);
  const order: LintCheckInfo[] = [];
  const indexById = new Map<string, number>();
  const add = (check: LintCheckInfo): void => {
    if (indexById.has(check.id)) return;
    indexById.set(check.id, order.length);
    order.push(check);
  };
  for (const r of rules) add(known.get(r.id) ?? r);
  for (const c of VALIDATOR_CHECKS) add(c);
  for (const { findings } of results) {
    for (const f of findings) {
      if (!indexById.has(f.id)) add(known.get(f.id) ?? { id: f.id, severity: f.severity, title: f.id });
    }
  }

  const sarifResults = results.flatMap(({ file, findings }) =>
    findings.map((f) => {
      const physicalLocation: Record<string, unknown> = { artifactLocation: { uri: artifactUri(file) } };
      if (f.line !== undefined && f.line >= 1) {
        physicalLocation.region = { startLine: f.line, ...(f.column !== undefined && f.column >= 1 ? { startColumn: f.column } : {}) };
      }
      const properties: Record<string, unknown> = { path: f.path, severity: f.severity };
      if (f.category) properties.category = f.category;
      if (f.detail) properties.detail = f.detail;
      return {
        ruleId: f.id,
        ruleIndex: indexById.get(f.id),
        level: sarifLevel(f.severity),
        message: { text: f.detail ? `${f.message} ${f.detail}` : f.message },
        locations: [{ physicalLocation, logicalLocations: [{ fullyQualifiedName: f.path, kind: 'element' }] }],
        properties,
      };
    }),
  );

  const driver: Record<string, unknown> = {
    name: SARIF_TOOL_NAME,
    rules: order.map((r) => ({
      id: r.id,
      name: ruleName(r.title, r.id),
      shortDescription: { text: r.title },
      helpUri: `${docs}#${ruleAnchor(r.id)}`,
      defaultConfiguration: { level: sarifLevel(r.severity) },
      properties: { severity: r.severity, ...(r.category ? { category: r.category, tags: [r.category] } : {}) },
    })),
  };
  if (options.version) driver.version = options.version;
  // SARIF wants an absolute URI here; a repository-relative docs path is left out.
  if (/^[a-z][a-z0-9+.-]*:/i.test(docs)) driver.informationUri = docs;

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{ tool: { driver }, columnKind: 'utf16CodeUnits', results: sarifResults }],
  };
}
