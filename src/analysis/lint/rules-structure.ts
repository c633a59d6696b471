/**
 * Structure checks the validator leaves to the linter: empty elements that IAM accepts (an empty
 * Condition, operator block or Sid, a condition key with no values). Empty Statement, Action,
 * Resource and Principal lists are refused by IAM, so the validator reports those as errors.
 */
import { parseConditionOperator } from '../../core/policy/validate-values.js';
import type { LintRule } from './lint-types.js';
import { conditionPath, conditionUses, keyPath, quote } from './statement-helpers.js';

export const SYN_EMPTY: LintRule = {
  id: 'SYN-EMPTY',
  severity: 'warning',
  title: 'Empty element',
  kinds: ['identity', 'resource', 'trust', 'boundary', 'scp', 'session'],
  check(ctx) {
    for (const stmt of ctx.statements) {
      if (stmt.sid === '') {
        ctx.report({ id: 'SYN-EMPTY', severity: 'suggestion', path: keyPath(stmt.path, 'Sid'), message: 'The Sid is empty: give the statement a name, or remove the Sid.' });
      }
      const condition = stmt.condition;
      if (!condition) continue;
      const operators = Object.keys(condition);
      if (operators.length === 0) {
        ctx.report({ id: 'SYN-EMPTY', severity: 'suggestion', path: conditionPath(stmt), message: 'The Condition element is empty and has no effect: remove it.' });
        continue;
      }
      for (const operator of operators) {
        if (Object.keys(condition[operator]).length === 0 && parseConditionOperator(operator)) {
          ctx.report({ id: 'SYN-EMPTY', severity: 'suggestion', path: conditionPath(stmt, operator), message: `The ${operator} block tests no condition key and has no effect: remove it.` });
        }
      }
    }
    for (const use of conditionUses(ctx.statements)) {
      if (use.values.length !== 0) continue;
      const op = parseConditionOperator(use.operator);
      // With a set operator or IfExists an empty list is PAT-FORALLVALUES-EMPTY.
      if (!op || op.qualifier || op.ifExists) continue;
      ctx.report({
        id: 'SYN-EMPTY',
        severity: 'warning',
        path: use.path,
        message: op.base.includes('Not')
          ? `${quote(use.key)} has an empty list of values, so ${use.operator} compares it with nothing and always matches: the test restricts nothing. List the values to compare with.`
          : `${quote(use.key)} has an empty list of values, so ${use.operator} can never match and this statement never applies. List the values to compare with.`,
      });
    }
  },
};

export const STRUCTURE_RULES: readonly LintRule[] = [SYN_EMPTY];
