/**
 * The value grammar of a policy's Condition element and of policy variables, as the validator
 * sees it: which operators exist, and whether a value reads as the type its operator compares.
 * Parsing here only decides acceptance; the evaluator has its own conversions.
 */

import { CONDITION_OPERATORS, operatorFamily, type Family } from './conditions.js';
import { parseDate } from './dates.js';
import { parseCidr } from './ip.js';

export type OperatorType = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';

const FAMILY_TYPES: Record<Family | 'null', OperatorType> = {
  string: 'string',
  stringIgnoreCase: 'string',
  stringLike: 'string',
  numeric: 'numeric',
  date: 'date',
  bool: 'bool',
  binary: 'binary',
  ip: 'ip',
  arn: 'arn',
  null: 'null',
};

// The operator table is the evaluator's: validation accepts exactly the operators it evaluates.
const BASE_OPERATORS: ReadonlyMap<string, OperatorType> = new Map(
  CONDITION_OPERATORS.map((name) => [name, FAMILY_TYPES[operatorFamily(name)!]]),
);

/** Every base operator name, for suggestions. */
export const CONDITION_OPERATOR_NAMES: readonly string[] = [...BASE_OPERATORS.keys()];

export interface ConditionOperator {
  base: string;
  type: OperatorType;
  qualifier?: 'ForAllValues' | 'ForAnyValue';
  ifExists: boolean;
}

/**
 * Reads `ForAnyValue:StringLikeIfExists` and the like. Operator names are matched with their exact
 * case, as AWS does (an operator AWS does not know makes the statement a syntax error).
 */
export function parseConditionOperator(name: string): ConditionOperator | undefined {
  let rest = name;
  let qualifier: ConditionOperator['qualifier'];
  if (rest.startsWith('ForAllValues:')) {
    qualifier = 'ForAllValues';
    rest = rest.slice('ForAllValues:'.length);
  } else if (rest.startsWith('ForAnyValue:')) {
    qualifier = 'ForAnyValue';
    rest = rest.slice('ForAnyValue:'.length);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists') && rest.length > 'IfExists'.length) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const type = BASE_OPERATORS.get(rest);
  if (type === undefined) return undefined;
  return { base: rest, type, qualifier, ifExists };
}


/**
 * AWS accepts ISO 8601 date-times (any precision, from a bare year) and epoch seconds.
 * AWS-COMPAT: a value IAM cannot read this way fails "legacy parsing" at write time.
 */
export function isPolicyDate(value: string): boolean {
  return parseDate(value) !== undefined;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
export function isPolicyNumber(value: string): boolean {
  return NUMBER.test(value);
}

export function isPolicyBool(value: string): boolean {
  const s = value.toLowerCase();
  return s === 'true' || s === 'false';
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
export function isBase64(value: string): boolean {
  return value.length % 4 === 0 && BASE64.test(value);
}

/** An IPv4 or IPv6 address, optionally with a CIDR prefix length. */
export function isIpOrCidr(value: string): boolean {
  return parseCidr(value) !== undefined;
}

/** An ARN pattern: six colon-separated segments, or a lone wildcard. */
export function isArnLike(value: string): boolean {
  if (value === '*') return true;
  return value.startsWith('arn:') && value.split(':').length >= 6;
}

export function describeTypeMismatch(type: OperatorType, value: string): string | undefined {
  switch (type) {
    case 'numeric':
      return isPolicyNumber(value) ? undefined : `"${value}" is not a number; Numeric operators never match it.`;
    case 'bool':
      return isPolicyBool(value) ? undefined : `"${value}" is not "true" or "false"; Bool never matches it.`;
    case 'null':
      return isPolicyBool(value) ? undefined : `"${value}" is not "true" or "false", the only values Null accepts.`;
    case 'binary':
      return isBase64(value) ? undefined : `"${value}" is not base64; BinaryEquals compares base64-encoded values.`;
    case 'ip':
      return isIpOrCidr(value) ? undefined : `"${value}" is not an IPv4 or IPv6 address or CIDR range.`;
    case 'arn':
      return isArnLike(value) ? undefined : `"${value}" is not an ARN; Arn operators compare ARNs segment by segment.`;
    default:
      return undefined;
  }
}

export function hasVariable(value: string): boolean {
  return value.includes('${');
}

const SPECIAL_VARIABLES: ReadonlySet<string> = new Set(['*', '?', '$']);
const VARIABLE_NAME = /^[A-Za-z0-9_.:/+=@-]+$/;

/**
 * Problems with the `${...}` policy variables in one value (2012-10-17 documents only): a
 * missing closing brace, an empty variable, characters a key name cannot hold (such as spaces),
 * or a default value not written as `${key, 'default'}`.
 */
export function variableProblems(value: string): string[] {
  const out: string[] = [];
  let from = 0;
  while (out.length < 8) {
    const start = value.indexOf('${', from);
    if (start < 0) break;
    const end = value.indexOf('}', start + 2);
    if (end < 0) {
      out.push(`The policy variable at character ${start} has no closing brace.`);
      break;
    }
    const body = value.slice(start + 2, end);
    from = end + 1;
    if (SPECIAL_VARIABLES.has(body)) continue;
    if (body.trim() === '') {
      out.push('The policy variable ${} is empty.');
      continue;
    }
    const comma = body.indexOf(',');
    const name = comma < 0 ? body : body.slice(0, comma);
    if (!VARIABLE_NAME.test(name)) {
      out.push(`The policy variable \${${body}} has a key name with characters that are not allowed (such as spaces).`);
      continue;
    }
    if (comma >= 0 && !/^\s*'[^']*'\s*$/.test(body.slice(comma + 1))) {
      out.push(`The default value of policy variable \${${body}} must be in single quotes: \${${name}, 'default'}.`);
    }
  }
  return out;
}
