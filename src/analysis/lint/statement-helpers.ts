/**
 * Small helpers the lint rules share: JSON paths in the validator's notation, the paths of values
 * inside a normalized statement, and cached action expansion. Expansion is cached per pattern
 * (and per NotAction list), so linting thousands of policies that say `s3:*` or `*` pays for the
 * catalog walk once.
 */
import { expandActionPattern, expandActionPatterns, getAction, globToRegExp, hasWildcard, type ActionInfo } from '../../core/catalog/index.js';
import type { NormalizedStatement } from './lint-types.js';

// JSON paths are written exactly as the validator writes them, so findings of both merge.
import { indexPath, keyPath } from '../../core/policy/validate-text.js';
import { MemoTable } from '../../core/memo-table.js';

export { indexPath, keyPath };

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/**
 * Normalized lists drop entries of the wrong JSON type (the validator reports those), so entry
 * `i` of a list is the `i`-th entry of the raw array that passes `keep`.
 */
function rawIndex(raw: unknown, i: number, keep: (v: unknown) => boolean): number {
  if (!Array.isArray(raw)) return i;
  let seen = -1;
  for (let j = 0; j < raw.length; j++) {
    if (keep(raw[j]) && ++seen === i) return j;
  }
  return i;
}

const isString = (v: unknown): boolean => typeof v === 'string';
const isScalar = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * The path of entry `i` of a list element (`Action`, `NotAction`, `Resource`, `NotResource`) as
 * written: `$.Statement[0].Action` when the element is a single string, `...Action[i]` otherwise.
 * Without `i`, the element itself.
 */
export function elementPath(stmt: NormalizedStatement, element: string, i?: number): string {
  const p = keyPath(stmt.path, element);
  if (i === undefined) return p;
  const raw = own(stmt.raw, element);
  return Array.isArray(raw) ? indexPath(p, rawIndex(raw, i, isString)) : p;
}

/** The path of `Principal.<type>[i]` (or `NotPrincipal`) as written. */
export function principalPath(stmt: NormalizedStatement, element: 'Principal' | 'NotPrincipal', type?: string, i?: number): string {
  const p = keyPath(stmt.path, element);
  if (type === undefined) return p;
  const tp = keyPath(p, type);
  if (i === undefined) return tp;
  const raw = own(stmt.raw, element);
  const list = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? own(raw as Record<string, unknown>, type) : undefined;
  return Array.isArray(list) ? indexPath(tp, rawIndex(list, i, isString)) : tp;
}

/** The path of `Condition.<operator>.<key>[i]` as written. */
export function conditionPath(stmt: NormalizedStatement, operator?: string, key?: string, i?: number): string {
  const p = keyPath(stmt.path, 'Condition');
  if (operator === undefined) return p;
  const op = keyPath(p, operator);
  if (key === undefined) return op;
  const kp = keyPath(op, key);
  if (i === undefined) return kp;
  const cond = own(stmt.raw, 'Condition');
  const block = cond !== null && typeof cond === 'object' ? own(cond as Record<string, unknown>, operator) : undefined;
  const value = block !== null && typeof block === 'object' ? own(block as Record<string, unknown>, key) : undefined;
  return Array.isArray(value) ? indexPath(kp, rawIndex(value, i, isScalar)) : kp;
}

/** True when a list element says `*` (alone or among other entries). */
export function isWildcardOnly(values: readonly string[] | undefined): boolean {
  return values !== undefined && values.includes('*');
}

const PATTERN_CACHE_LIMIT = 20000;
const patternCache = new MemoTable<string, readonly string[]>(PATTERN_CACHE_LIMIT);
/** The same, keyed by the pattern as written: most look-ups repeat one spelling. */
const exactCache = new MemoTable<string, readonly string[]>(PATTERN_CACHE_LIMIT);

/** `expandActionPattern`, cached: canonical action names (`s3:GetObject`) a pattern covers. */
export function expandPatternCached(pattern: string): readonly string[] {
  return exactCache.get(pattern, expandSpelling);
}

function expandSpelling(pattern: string): readonly string[] {
  return patternCache.get(pattern.toLowerCase(), () => expandActionPattern(pattern));
}

const notActionCache = new MemoTable<string, readonly string[]>(1000);
const statementActions = new WeakMap<NormalizedStatement, readonly string[]>();

/**
 * The catalog actions a statement applies to: the union of its `Action` patterns, or the
 * complement of its `NotAction` patterns. Canonical names, cached per statement and per pattern;
 * do not mutate the result.
 */
export function actionsOfStatement(stmt: NormalizedStatement): readonly string[] {
  const cached = statementActions.get(stmt);
  if (cached) return cached;
  let result: readonly string[];
  if (stmt.action) {
    if (stmt.action.length === 1) result = expandPatternCached(stmt.action[0]);
    else if (stmt.action.includes('*')) result = expandPatternCached('*');
    else {
      const seen = new Set<string>();
      for (const p of stmt.action) for (const a of expandPatternCached(p)) seen.add(a);
      result = [...seen];
    }
  } else if (stmt.notAction) {
    const notAction = stmt.notAction;
    result = notActionCache.get(notAction.map((p) => p.toLowerCase()).sort().join('\n'), () => expandActionPatterns(notAction, { not: true }));
  } else result = [];
  statementActions.set(stmt, result);
  return result;
}

/** `actionsOfStatement` resolved to catalog entries (skips nothing: every name comes from the catalog). */
export function actionInfosOfStatement(stmt: NormalizedStatement): ActionInfo[] {
  const out: ActionInfo[] = [];
  for (const name of actionsOfStatement(stmt)) {
    const info = getAction(name);
    if (info) out.push(info);
  }
  return out;
}

const matcherCache = new MemoTable<string, RegExp>(PATTERN_CACHE_LIMIT);

/** True when an action pattern (`s3:Get*`, `*`, `iam:passrole`) covers `action`, case-insensitively. */
export function patternMatches(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  if (!hasWildcard(pattern)) return pattern.toLowerCase() === action.toLowerCase();
  return matcherCache.get(pattern, globToRegExp).test(action);
}

/**
 * True when the statement applies to `action` (`iam:PassRole`): an `Action` pattern covers it, or
 * no `NotAction` pattern does. Works for actions the catalog does not know; no expansion.
 */
export function statementCoversAction(stmt: NormalizedStatement, action: string): boolean {
  if (stmt.action) return stmt.action.some((p) => patternMatches(p, action));
  if (stmt.notAction) return !stmt.notAction.some((p) => patternMatches(p, action));
  return false;
}

export interface ConditionUse {
  stmt: NormalizedStatement;
  /** The operator as written, e.g. `ForAnyValue:StringLike`. */
  operator: string;
  key: string;
  values: string[];
  /** Path of the key: `$.Statement[0].Condition.StringEquals['aws:SourceVpc']`. */
  path: string;
}

const usesCache = new WeakMap<NormalizedStatement, readonly ConditionUse[]>();

/** The operator/key pairs of one statement, computed once per statement. */
export function conditionUsesOf(stmt: NormalizedStatement): readonly ConditionUse[] {
  let hit = usesCache.get(stmt);
  if (!hit) {
    const list: ConditionUse[] = [];
    const condition = stmt.condition;
    if (condition) {
      for (const operator of Object.keys(condition)) {
        const block = condition[operator];
        for (const key of Object.keys(block)) list.push({ stmt, operator, key, values: block[key], path: conditionPath(stmt, operator, key) });
      }
    }
    hit = list;
    usesCache.set(stmt, hit);
  }
  return hit;
}

const allUsesCache = new WeakMap<readonly NormalizedStatement[], readonly ConditionUse[]>();

/** Every operator/key pair of every statement, with the key's path (computed once per statement list). */
export function conditionUses(statements: readonly NormalizedStatement[]): readonly ConditionUse[] {
  let hit = allUsesCache.get(statements);
  if (!hit) {
    const list: ConditionUse[] = [];
    for (const stmt of statements) if (stmt.condition) list.push(...conditionUsesOf(stmt));
    hit = list;
    allUsesCache.set(statements, hit);
  }
  return hit;
}

/** The condition keys of a statement, lowercase → [operator, key as written]. */
export function conditionKeysOfStatement(stmt: NormalizedStatement): Map<string, { operator: string; key: string }[]> {
  const out = new Map<string, { operator: string; key: string }[]>();
  for (const [operator, block] of Object.entries(stmt.condition ?? {})) {
    for (const key of Object.keys(block)) {
      const lower = key.toLowerCase();
      const list = out.get(lower);
      if (list) list.push({ operator, key });
      else out.set(lower, [{ operator, key }]);
    }
  }
  return out;
}

/** True when any operator of the statement tests `key` (case-insensitive). */
export function hasConditionKey(stmt: NormalizedStatement, key: string): boolean {
  const lower = key.toLowerCase();
  for (const block of Object.values(stmt.condition ?? {})) {
    for (const k of Object.keys(block)) if (k.toLowerCase() === lower) return true;
  }
  return false;
}

/** A value for a message, JSON-quoted and shortened. */
export function quote(s: string, max = 100): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}
