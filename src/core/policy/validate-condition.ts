/**
 * The Condition element checks: the operator grammar (case-sensitive, with IfExists and the
 * ForAllValues/ForAnyValue qualifiers), the shape of each block, and whether each value reads as
 * the type its operator compares. Only unreadable dates are errors, as in IAM; other type
 * mismatches are accepted by AWS and reported as warnings.
 */
import { MSG } from './validate-messages.js';
import { indexPath, keyPath } from './validate-text.js';
import {
  CONDITION_OPERATOR_NAMES,
  describeTypeMismatch,
  hasVariable,
  isPolicyDate,
  parseConditionOperator,
  variableProblems,
  type OperatorType,
} from './validate-values.js';
import { RANK, describe, isPlainObject, own, quote, type DocContext } from './validate-context.js';

/** The Condition element: operator → condition key → value(s), each value read as its operator's type. */
export function checkCondition(ctx: DocContext, condition: unknown, path: string): void {
  const { out } = ctx;
  if (!isPlainObject(condition)) {
    out.malformed('SYN-DATA-TYPE', path, MSG.syntax, RANK.syntax, `Condition must be an object of operators, not ${describe(condition)}.`);
    return;
  }
  for (const opName of Object.keys(condition)) {
    const opPath = keyPath(path, opName);
    const block = own(condition, opName);
    if (!isPlainObject(block)) {
      out.malformed('SYN-DATA-TYPE', opPath, MSG.syntax, RANK.syntax, `A condition operator takes an object of condition keys, not ${describe(block)}.`);
      continue;
    }
    const op = parseConditionOperator(opName);
    const keys = Object.keys(block);
    if (!op) {
      const fixed = parseConditionOperator(caseFixOperator(opName));
      const hint = fixed ? ` Operator names are case-sensitive: did you mean "${caseFixOperator(opName)}"?` : '';
      // AWS-COMPAT: IAM ignores an unknown operator whose block is empty, and refuses it otherwise.
      if (keys.length === 0) out.warn('REF-OPERATOR', opPath, `${quote(opName)} is not a condition operator; its block is empty, so it is ignored.${hint}`);
      else out.malformed('REF-OPERATOR', opPath, MSG.syntax, RANK.syntax, `${quote(opName)} is not a condition operator.${hint}`);
      continue;
    }
    if (op.base === 'Null' && op.ifExists) out.warn('PAT-NULL-IFEXISTS', opPath, 'NullIfExists is redundant: Null already tests whether the key exists.');
    if (op.base === 'Null' && op.qualifier) out.warn('PAT-NULL-IFEXISTS', opPath, `${op.qualifier}:Null has no defined meaning; use Null alone.`);
    const seen = new Map<string, string>();
    for (const key of keys) {
      const keyP = keyPath(opPath, key);
      const lower = key.toLowerCase();
      const clash = seen.get(lower);
      if (clash !== undefined) out.warn('SYN-DUP-KEY-CASE', keyP, `Condition keys are case-insensitive: ${quote(key)} repeats ${quote(clash)} in the same operator.`);
      else seen.set(lower, key);
      const colon = key.indexOf(':');
      if (colon <= 0 || colon === key.length - 1) out.warn('REF-CONDKEY', keyP, `${quote(key)} is not a condition key; keys have the form "prefix:name", such as aws:SourceIp.`);
      checkConditionValues(ctx, op.type, own(block, key), keyP);
    }
  }
}

/** `stringequals` → `StringEquals`, for a hint when only the case is wrong. */
function caseFixOperator(name: string): string {
  const lower = name.toLowerCase();
  const candidates = ['ForAllValues:', 'ForAnyValue:'];
  let prefix = '';
  let rest = name;
  for (const c of candidates) {
    if (lower.startsWith(c.toLowerCase())) {
      prefix = c;
      rest = name.slice(c.length);
      break;
    }
  }
  let suffix = '';
  if (rest.toLowerCase().endsWith('ifexists') && rest.length > 8) {
    suffix = 'IfExists';
    rest = rest.slice(0, -8);
  }
  const base = CONDITION_OPERATOR_NAMES.find((o) => o.toLowerCase() === rest.toLowerCase());
  return base ? `${prefix}${base}${suffix}` : name;
}


function checkConditionValues(ctx: DocContext, type: OperatorType, value: unknown, path: string): void {
  const { out } = ctx;
  const scalars: { v: string | number | boolean; p: string }[] = [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') scalars.push({ v, p: indexPath(path, i) });
      else out.malformed('SYN-DATA-TYPE', indexPath(path, i), MSG.syntax, RANK.syntax, `A condition value is a string, number or boolean, not ${describe(v)}.`);
    }
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    scalars.push({ v: value, p: path });
  } else {
    out.malformed('SYN-DATA-TYPE', path, MSG.syntax, RANK.syntax, `A condition key takes a value or an array of values, not ${describe(value)}.`);
    return;
  }
  for (const { v, p } of scalars) {
    const text = String(v);
    if (typeof v === 'string' && ctx.variables && hasVariable(v)) {
      for (const problem of variableProblems(v)) out.warn('SYN-VARIABLE', p, problem);
      continue;
    }
    if (type === 'date') {
      const ok = typeof v === 'number' ? Number.isInteger(v) && v >= 0 : typeof v === 'string' && isPolicyDate(v);
      if (!ok) out.malformed('REF-TYPE', p, MSG.legacy, RANK.legacy, `${quote(text)} is not an ISO 8601 date-time or epoch seconds.`);
      continue;
    }
    const mismatch = describeTypeMismatch(type, text);
    if (mismatch) out.warn('REF-TYPE', p, mismatch);
  }
}
