/**
 * The value grammar of a policy's Condition element and of policy variables, as the validator
 * sees it: which operators exist, and whether a value reads as the type its operator compares.
 * Parsing here only decides acceptance; the evaluator has its own conversions.
 */

export type OperatorType = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';

const BASE_OPERATORS: ReadonlyMap<string, OperatorType> = new Map<string, OperatorType>([
  ['StringEquals', 'string'],
  ['StringNotEquals', 'string'],
  ['StringEqualsIgnoreCase', 'string'],
  ['StringNotEqualsIgnoreCase', 'string'],
  ['StringLike', 'string'],
  ['StringNotLike', 'string'],
  ['NumericEquals', 'numeric'],
  ['NumericNotEquals', 'numeric'],
  ['NumericLessThan', 'numeric'],
  ['NumericLessThanEquals', 'numeric'],
  ['NumericGreaterThan', 'numeric'],
  ['NumericGreaterThanEquals', 'numeric'],
  ['DateEquals', 'date'],
  ['DateNotEquals', 'date'],
  ['DateLessThan', 'date'],
  ['DateLessThanEquals', 'date'],
  ['DateGreaterThan', 'date'],
  ['DateGreaterThanEquals', 'date'],
  ['Bool', 'bool'],
  ['BinaryEquals', 'binary'],
  ['IpAddress', 'ip'],
  ['NotIpAddress', 'ip'],
  ['ArnEquals', 'arn'],
  ['ArnLike', 'arn'],
  ['ArnNotEquals', 'arn'],
  ['ArnNotLike', 'arn'],
  ['Null', 'null'],
]);

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

const DIGITS = /^\d+$/;
const MAX_EPOCH = 9223372036854775807n;

function intIn(s: string, min: number, max: number, maxDigits = 2): boolean {
  if (!DIGITS.test(s) || s.length > maxDigits) return false;
  const n = Number(s);
  return n >= min && n <= max;
}

function validZone(zone: string): boolean {
  if (zone === '' || zone === 'z') return true;
  const m = /^[+-](\d{2})(?::?(\d{2}))?$/.exec(zone);
  if (!m) return false;
  return Number(m[1]) <= 23 && (m[2] === undefined || Number(m[2]) <= 59);
}

function validTime(time: string): boolean {
  if (time === '') return true;
  const zoneAt = time.search(/[z+-]/);
  const clock = zoneAt < 0 ? time : time.slice(0, zoneAt);
  const zone = zoneAt < 0 ? '' : time.slice(zoneAt);
  if (!validZone(zone)) return false;
  const parts = clock.split(':');
  if (parts.length > 3) return false;
  if (!intIn(parts[0], 0, 23)) return false;
  if (parts.length > 1 && !intIn(parts[1], 0, 59)) return false;
  if (parts.length > 2) {
    const [seconds, fraction] = parts[2].split('.', 2);
    if (!intIn(seconds, 0, 59)) return false;
    if (fraction !== undefined && (!DIGITS.test(fraction) || fraction.length > 9)) return false;
  }
  return true;
}

/**
 * AWS accepts ISO 8601 date-times (any precision, from a bare year) and epoch seconds.
 * AWS-COMPAT: a value IAM cannot read this way fails "legacy parsing" at write time.
 */
export function isPolicyDate(value: string): boolean {
  const s = value.toLowerCase();
  if (!s.includes('t') && !s.includes('-')) {
    if (!DIGITS.test(s) || s.length > 19) return false;
    return BigInt(s) <= MAX_EPOCH;
  }
  const tAt = s.indexOf('t');
  const datePart = tAt < 0 ? s : s.slice(0, tAt);
  const timePart = tAt < 0 ? '' : s.slice(tAt + 1);
  const negative = datePart.startsWith('-');
  const fields = (negative ? datePart.slice(1) : datePart).split('-');
  if (fields.length > 3) return false;
  if (!DIGITS.test(fields[0]) || fields[0].length > 9) return false;
  if (fields.length > 1 && !intIn(fields[1], 1, 12)) return false;
  if (fields.length > 2 && !intIn(fields[2], 1, 31)) return false;
  return validTime(timePart);
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

function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => intIn(p, 0, 255, 3));
}

function isIpv6(s: string): boolean {
  if (s.length === 0 || s.length > 45) return false;
  let head = s;
  let groupsFromV4 = 0;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    if (!isIpv4(s.slice(lastColon + 1))) return false;
    head = s.slice(0, lastColon + 1);
    groupsFromV4 = 2;
    if (head.endsWith('::')) head += '0';
    else head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return false;
  const group = /^[0-9a-fA-F]{1,4}$/;
  const count = (h: string): number | undefined => {
    if (h === '') return 0;
    const g = h.split(':');
    return g.every((x) => group.test(x)) ? g.length : undefined;
  };
  const left = count(halves[0]);
  const right = halves.length === 2 ? count(halves[1]) : 0;
  if (left === undefined || right === undefined) return false;
  const total = left + right + groupsFromV4;
  return halves.length === 2 ? total <= 7 : total === 8;
}

/** An IPv4 or IPv6 address, optionally with a CIDR prefix length. */
export function isIpOrCidr(value: string): boolean {
  const slash = value.indexOf('/');
  const addr = slash < 0 ? value : value.slice(0, slash);
  const prefix = slash < 0 ? undefined : value.slice(slash + 1);
  if (isIpv4(addr)) return prefix === undefined || intIn(prefix, 0, 32);
  if (isIpv6(addr)) return prefix === undefined || intIn(prefix, 0, 128, 3);
  return false;
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
