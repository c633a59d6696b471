/** The policy linter: lint one document, the rule registry, SARIF output, and the rule contract. */
export { lintPolicy, comparePaths, type LintOptions } from './lint-policy.js';
export { LINT_RULES, VALIDATOR_CHECKS, lintCheckIndex, type LintCheckInfo } from './rules.js';
export { toSarif, sarifLevel, ruleAnchor, SARIF_TOOL_NAME, type SarifInput, type SarifLevel, type SarifOptions } from './sarif.js';
export { normalizeStatements } from './normalize-statements.js';
export { jsonPositions, positionOf, type SourcePosition } from './json-positions.js';
export * from './statement-helpers.js';
export * from './lint-types.js';
