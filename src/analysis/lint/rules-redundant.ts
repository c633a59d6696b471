/**
 * PAT-REDUNDANT: entries and statements that add nothing (an action another pattern of the
 * statement covers, a duplicate or covered resource, a statement another unconditional statement
 * with the same effect already covers). Removing them keeps policies short and under quota.
 */
import { globMatch } from '../../core/policy/glob.js';
import type { LintContext, LintRule, NormalizedStatement } from './lint-types.js';
import { actionsOfStatement, elementPath, expandPatternCached, quote } from './statement-helpers.js';
import { MemoTable } from '../../core/memo-table.js';

const setCache = new MemoTable<string, ReadonlySet<string>>(5000);
/** The expansion of a pattern as a set, cached (membership tests for coverage). */
function patternSet(pattern: string): ReadonlySet<string> {
  return setCache.get(pattern.toLowerCase(), () => new Set(expandPatternCached(pattern)));
}

function subset(a: readonly string[], b: ReadonlySet<string>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/**
 * True when every action of pattern `a` is also one of pattern `b`. Unknown actions expand to
 * nothing, so `a` must match something to be judged covered.
 */
function actionCovered(a: string, b: string): boolean {
  if (b === '*') return true;
  const small = expandPatternCached(a);
  if (small.length === 0) return false;
  const big = expandPatternCached(b);
  return big.length >= small.length && subset(small, patternSet(b));
}

const hasQuestionOrVariable = (s: string): boolean => s.includes('?') || s.includes('${');

/**
 * True when every ARN Resource entry `a` names is also named by `b`. Sound but not complete:
 * `b` may use only `*` (each of `a`'s wildcards must then fall inside one of `b`'s stars), and
 * entries with policy variables are never judged.
 */
function resourceCovered(a: string, b: string): boolean {
  if (b === '*') return true;
  if (a === b) return true;
  if (hasQuestionOrVariable(b) || a.includes('${')) return false;
  return globMatch(b, a);
}

/** Reports entries of one list element covered by another entry of the same list. */
function redundantEntries(
  ctx: LintContext,
  stmt: NormalizedStatement,
  element: string,
  list: readonly string[],
  covered: (a: string, b: string) => boolean,
  noun: string,
): void {
  if (list.length < 2) return;
  for (let i = 0; i < list.length; i++) {
    for (let j = 0; j < list.length; j++) {
      if (i === j || !covered(list[i], list[j])) continue;
      // When two entries cover each other, only the later one goes.
      if (j > i && covered(list[j], list[i])) continue;
      const same = list[i] === list[j];
      ctx.report({
        id: 'PAT-REDUNDANT',
        severity: 'suggestion',
        path: elementPath(stmt, element, i),
        message: same
          ? `The ${noun} ${quote(list[i])} is listed twice in ${element}: remove this copy.`
          : `The ${noun} ${quote(list[i])} is already covered by ${quote(list[j])} in the same ${element}: remove it.`,
      });
      break;
    }
  }
}

function isEmptyCondition(stmt: NormalizedStatement): boolean {
  return !stmt.condition || Object.values(stmt.condition).every((block) => Object.keys(block).length === 0);
}

function principalCovered(s: NormalizedStatement, t: NormalizedStatement): boolean {
  const noneS = s.principal === undefined && s.notPrincipal === undefined;
  const noneT = t.principal === undefined && t.notPrincipal === undefined;
  if (noneS || noneT) return noneS && noneT;
  if (s.notPrincipal || t.notPrincipal || !s.principal || !t.principal) return false;
  if (t.principal === '*') return true;
  if (s.principal === '*') return false;
  const tp = t.principal;
  return Object.entries(s.principal).every(([type, values]) => {
    const other = Object.prototype.hasOwnProperty.call(tp, type) ? tp[type] : undefined;
    return other !== undefined && values.every((v) => other.includes(v));
  });
}

function resourcesCovered(s: NormalizedStatement, t: NormalizedStatement): boolean {
  const noneS = s.resource === undefined && s.notResource === undefined;
  const noneT = t.resource === undefined && t.notResource === undefined;
  if (noneS || noneT) return noneS && noneT;
  if (t.resource?.includes('*')) return true;
  if (s.resource && t.resource) return s.resource.every((a) => t.resource!.some((b) => resourceCovered(a, b)));
  // NotResource: `s` excludes at least everything `t` excludes.
  if (s.notResource && t.notResource) return t.notResource.every((b) => s.notResource!.includes(b));
  return false;
}

const statementSets = new WeakMap<NormalizedStatement, ReadonlySet<string>>();
function actionSetOf(t: NormalizedStatement): ReadonlySet<string> {
  if (t.action?.length === 1) return patternSet(t.action[0]);
  let hit = statementSets.get(t);
  if (!hit) {
    hit = new Set(actionsOfStatement(t));
    statementSets.set(t, hit);
  }
  return hit;
}

const servicesCache = new WeakMap<NormalizedStatement, ReadonlySet<string> | null>();
/** Lowercase service prefixes of an Action list; null when some entry may span services (`*`, `s3*`, NotAction). */
function servicesOf(s: NormalizedStatement): ReadonlySet<string> | null {
  let hit = servicesCache.get(s);
  if (hit === undefined) {
    hit = null;
    if (s.action) {
      const set = new Set<string>();
      for (const a of s.action) {
        const colon = a.indexOf(':');
        const service = colon > 0 ? a.slice(0, colon) : '';
        if (service === '' || service.includes('*') || service.includes('?')) {
          set.clear();
          break;
        }
        set.add(service.toLowerCase());
      }
      if (set.size > 0) hit = set;
    }
    servicesCache.set(s, hit);
  }
  return hit;
}

function actionsCovered(s: NormalizedStatement, t: NormalizedStatement): boolean {
  if (t.action?.includes('*')) return true;
  // A cheap reject: `s` names a service `t` never mentions.
  const mineServices = servicesOf(s);
  const theirServices = servicesOf(t);
  if (mineServices && theirServices) {
    for (const x of mineServices) if (!theirServices.has(x)) return false;
  }
  // Every entry of `s` must resolve, or an unknown action would count as covered.
  if (s.action && s.action.some((a) => expandPatternCached(a).length === 0)) return false;
  const mine = actionsOfStatement(s);
  if (mine.length === 0) return false;
  const theirs = actionsOfStatement(t);
  if (theirs.length < mine.length) return false;
  return subset(mine, actionSetOf(t));
}

/** `t` grants (or denies) everything `s` does, whatever the request. */
function statementCovered(s: NormalizedStatement, t: NormalizedStatement): boolean {
  return s.effect === t.effect && isEmptyCondition(t) && principalCovered(s, t) && resourcesCovered(s, t) && actionsCovered(s, t);
}

export const PAT_REDUNDANT: LintRule = {
  id: 'PAT-REDUNDANT',
  severity: 'suggestion',
  title: 'Redundant action, resource or statement',
  kinds: ['identity', 'resource', 'trust', 'boundary', 'scp', 'session'],
  check(ctx) {
    for (const stmt of ctx.statements) {
      if (stmt.action) redundantEntries(ctx, stmt, 'Action', stmt.action, actionCovered, 'action');
      if (stmt.notAction) redundantEntries(ctx, stmt, 'NotAction', stmt.notAction, actionCovered, 'action');
      if (stmt.resource) redundantEntries(ctx, stmt, 'Resource', stmt.resource, resourceCovered, 'resource');
      if (stmt.notResource) redundantEntries(ctx, stmt, 'NotResource', stmt.notResource, resourceCovered, 'resource');
    }
    const stmts = ctx.statements;
    // Quadratic in statements, which are few (policy size quotas bound them); each test is cheap to reject.
    for (let i = 0; i < stmts.length; i++) {
      for (let j = 0; j < stmts.length; j++) {
        if (i === j || !statementCovered(stmts[i], stmts[j])) continue;
        if (j > i && statementCovered(stmts[j], stmts[i])) continue;
        ctx.report({
          id: 'PAT-REDUNDANT',
          severity: 'suggestion',
          path: stmts[i].path,
          message: `Statement ${stmts[j].path} (${stmts[j].effect}, no conditions) already covers every action${stmts[i].principal ? ', resource and principal' : ' and resource'} of this statement: remove it.`,
        });
        break;
      }
    }
  },
};

export const REDUNDANCY_RULES: readonly LintRule[] = [PAT_REDUNDANT];
