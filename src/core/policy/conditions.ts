import { matchArn } from './arn-pattern.js';
import { parseDate } from './dates.js';
import { globMatch } from './glob.js';
import { cidrContains, parseCidr, type Cidr } from './ip.js';
import { parseTemplate, resolveParts, templateRegExp, type Template } from './variables.js';
import type { RequestScope } from './request-scope.js';

/**
 * Condition operators, compiled once per policy. Semantics follow "IAM JSON policy elements:
 * Condition operators": values of one key are OR'ed, keys and operators AND'ed; a missing key
 * makes positive operators false and negated ones true, `...IfExists` makes it true, `Null`
 * tests presence; `ForAllValues:` is true on a missing key or empty set, `ForAnyValue:` false.
 */

export type Family = 'string' | 'stringIgnoreCase' | 'stringLike' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn';
type Compare = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

interface OperatorSpec {
  family: Family;
  negated: boolean;
  compare: Compare;
}

const BASE_OPERATORS: Record<string, OperatorSpec> = {
  StringEquals: { family: 'string', negated: false, compare: 'eq' },
  StringNotEquals: { family: 'string', negated: true, compare: 'eq' },
  StringEqualsIgnoreCase: { family: 'stringIgnoreCase', negated: false, compare: 'eq' },
  StringNotEqualsIgnoreCase: { family: 'stringIgnoreCase', negated: true, compare: 'eq' },
  StringLike: { family: 'stringLike', negated: false, compare: 'eq' },
  StringNotLike: { family: 'stringLike', negated: true, compare: 'eq' },
  NumericEquals: { family: 'numeric', negated: false, compare: 'eq' },
  NumericNotEquals: { family: 'numeric', negated: true, compare: 'eq' },
  NumericLessThan: { family: 'numeric', negated: false, compare: 'lt' },
  NumericLessThanEquals: { family: 'numeric', negated: false, compare: 'le' },
  NumericGreaterThan: { family: 'numeric', negated: false, compare: 'gt' },
  NumericGreaterThanEquals: { family: 'numeric', negated: false, compare: 'ge' },
  DateEquals: { family: 'date', negated: false, compare: 'eq' },
  DateNotEquals: { family: 'date', negated: true, compare: 'eq' },
  DateLessThan: { family: 'date', negated: false, compare: 'lt' },
  DateLessThanEquals: { family: 'date', negated: false, compare: 'le' },
  DateGreaterThan: { family: 'date', negated: false, compare: 'gt' },
  DateGreaterThanEquals: { family: 'date', negated: false, compare: 'ge' },
  Bool: { family: 'bool', negated: false, compare: 'eq' },
  BinaryEquals: { family: 'binary', negated: false, compare: 'eq' },
  IpAddress: { family: 'ip', negated: false, compare: 'eq' },
  NotIpAddress: { family: 'ip', negated: true, compare: 'eq' },
  ArnEquals: { family: 'arn', negated: false, compare: 'eq' },
  ArnLike: { family: 'arn', negated: false, compare: 'eq' },
  ArnNotEquals: { family: 'arn', negated: true, compare: 'eq' },
  ArnNotLike: { family: 'arn', negated: true, compare: 'eq' },
};

/** Policy variables are resolved in string, ARN and Bool values only, as AWS documents. */
const VARIABLE_FAMILIES = new Set<Family>(['string', 'stringIgnoreCase', 'stringLike', 'arn', 'bool']);

export interface ParsedOperator {
  name: string;
  set: 'none' | 'all' | 'any';
  ifExists: boolean;
  /** undefined for `Null`. */
  spec?: OperatorSpec;
}

/** Splits `ForAnyValue:StringLikeIfExists` into its parts; undefined for an unknown operator. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let set: ParsedOperator['set'] = 'none';
  if (rest.startsWith('ForAllValues:')) {
    set = 'all';
    rest = rest.slice(13);
  } else if (rest.startsWith('ForAnyValue:')) {
    set = 'any';
    rest = rest.slice(12);
  }
  if (rest === 'Null') return { name, set, ifExists: false };
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -8);
  }
  const spec = Object.hasOwn(BASE_OPERATORS, rest) ? BASE_OPERATORS[rest] : undefined;
  return spec ? { name, set, ifExists, spec } : undefined;
}

export const CONDITION_OPERATORS: readonly string[] = [...Object.keys(BASE_OPERATORS), 'Null'];

/** The value family a base operator (`StringLike`, `Null`...) compares, or undefined if unknown. */
export function operatorFamily(base: string): Family | 'null' | undefined {
  if (base === 'Null') return 'null';
  return Object.hasOwn(BASE_OPERATORS, base) ? BASE_OPERATORS[base].family : undefined;
}

// ---------------------------------------------------------------------------------------------
// Values

/** A policy value prepared for its operator family; `undefined` = can never match. */
type Prepared = string | number | Cidr | RegExp | undefined;

function parseNumber(s: string): number | undefined {
  if (s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isNaN(n) ? undefined : n;
}

function decodeBase64(s: string): string | undefined {
  try {
    return atob(s);
  } catch {
    return undefined;
  }
}

function prepare(family: Family, text: string): Prepared {
  switch (family) {
    case 'string':
    case 'stringLike':
    case 'arn':
      return text;
    case 'stringIgnoreCase':
      return text.toLowerCase();
    case 'bool':
      return text.toLowerCase();
    case 'numeric':
      return parseNumber(text);
    case 'date':
      return parseDate(text);
    case 'binary':
      return decodeBase64(text);
    case 'ip':
      return parseCidr(text);
  }
}

function compareNumbers(c: Compare, a: number, b: number): boolean {
  switch (c) {
    case 'eq':
      return a === b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
  }
}

/** Does one context value match one prepared policy value (before negation)? */
function matchOne(spec: OperatorSpec, ctx: string, p: Prepared, scope: RequestScope): boolean {
  if (p === undefined) return false;
  if (p instanceof RegExp) return p.test(ctx);
  switch (spec.family) {
    case 'string':
      return ctx === p;
    case 'stringIgnoreCase':
      return ctx.toLowerCase() === p;
    case 'stringLike':
      return globMatch(p as string, ctx);
    case 'bool':
      return ctx.toLowerCase() === p;
    case 'arn':
      return matchArn(p as string, ctx);
    case 'numeric': {
      const n = parseNumber(ctx);
      return n !== undefined && compareNumbers(spec.compare, n, p as number);
    }
    case 'date': {
      const d = scope.date(ctx);
      return d !== undefined && compareNumbers(spec.compare, d, p as number);
    }
    case 'binary':
      return decodeBase64(ctx) === p;
    case 'ip': {
      const ip = scope.ip(ctx);
      return ip !== undefined && cidrContains(p as Cidr, ip);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Compiled conditions

export interface CompiledCondition {
  operator: string;
  /** The key as written in the policy. */
  key: string;
  /** Lower-cased key, for the case-insensitive lookup. */
  lowerKey: string;
  evaluate(scope: RequestScope): boolean;
}

type RawValue = string | number | boolean | null | undefined | object;

function valueText(v: RawValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * Compiles one (operator, key, values) triple; undefined for an unknown operator (the validator
 * reports it; an unknown operator never matches).
 */
export function compileCondition(
  operator: string,
  key: string,
  rawValues: RawValue,
  variablesEnabled: boolean,
): CompiledCondition | undefined {
  const op = parseOperator(operator);
  if (!op) return undefined;
  const lowerKey = key.toLowerCase();
  const list = (Array.isArray(rawValues) ? rawValues : [rawValues]).map(valueText);

  if (!op.spec) {
    // Null: "true" = the key is absent (or has no values), "false" = present.
    const wantAbsent = list.map((t) => (t === undefined ? undefined : t.toLowerCase() === 'true' ? true : t.toLowerCase() === 'false' ? false : undefined));
    return {
      operator,
      key,
      lowerKey,
      evaluate(scope) {
        const v = scope.get(lowerKey, key);
        const absent = v === undefined || (typeof v !== 'string' && v.length === 0);
        return wantAbsent.some((w) => w === absent);
      },
    };
  }

  const spec = op.spec;
  const useVars = variablesEnabled && VARIABLE_FAMILIES.has(spec.family);
  const templates: (Template | undefined)[] = list.map((t) => (t === undefined ? undefined : parseTemplate(t, useVars)));
  const dynamic = templates.some((t) => t?.dynamic);
  const staticValues: Prepared[] = dynamic ? [] : templates.map((t) => (t ? prepare(spec.family, t.parts[0] as string) : undefined));

  const valuesFor = (scope: RequestScope): Prepared[] => {
    if (!dynamic) return staticValues;
    const out: Prepared[] = [];
    for (const t of templates) {
      if (!t) continue;
      if (!t.dynamic) {
        out.push(prepare(spec.family, t.parts[0] as string));
        continue;
      }
      const parts = resolveParts(t, scope);
      // A variable with no value is null: it matches nothing (so negated operators match).
      if (!parts) continue;
      if ((spec.family === 'stringLike' || spec.family === 'arn') && t.mayHaveLiteralWildcards && parts.some((p, i) => typeof t.parts[i] !== 'string' && /[*?]/.test(p))) {
        out.push(templateRegExp(t, parts, spec.family === 'arn'));
      } else out.push(prepare(spec.family, parts.join('')));
    }
    return out;
  };

  const anyMatch = (ctx: string, values: Prepared[], scope: RequestScope): boolean => {
    for (let i = 0; i < values.length; i++) if (matchOne(spec, ctx, values[i], scope)) return true;
    return false;
  };
  // One context value against the policy values, negation applied.
  const test = (ctx: string, values: Prepared[], scope: RequestScope): boolean => anyMatch(ctx, values, scope) !== spec.negated;

  const evaluate = (scope: RequestScope): boolean => {
    const v = scope.get(lowerKey, key);
    if (op.set !== 'none') {
      const vals = v === undefined ? [] : typeof v === 'string' ? [v] : v;
      // "...if the context key value resolves to a null dataset, such as an empty string."
      if (vals.length === 0 || (vals.length === 1 && vals[0] === '')) return op.set === 'all' || op.ifExists;
      const values = valuesFor(scope);
      if (op.set === 'all') {
        for (const c of vals) if (!test(c, values, scope)) return false;
        return true;
      }
      for (const c of vals) if (test(c, values, scope)) return true;
      return false;
    }
    if (v === undefined) return op.ifExists || spec.negated;
    const values = valuesFor(scope);
    if (typeof v === 'string') return test(v, values, scope);
    // A multivalued key under a plain operator: true when any of its values matches.
    let any = false;
    for (const c of v) if (anyMatch(c, values, scope)) { any = true; break; }
    return any !== spec.negated;
  };
  return { operator, key, lowerKey, evaluate };
}
