/**
 * Proof that a proposed policy grants nothing its original does not. For every Allow statement
 * of the proposal, every (action, resource) it grants is checked against the original:
 *
 * - actions: each `Action` pattern expanded with the catalog, plus the pattern itself when it
 *   has wildcards (it also covers actions the catalog does not know yet); `NotAction` expands to
 *   the catalog's complement plus an unknown action;
 * - resources: each `Resource` pattern itself (a pattern used as a resource matches exactly the
 *   patterns that contain it), the pattern with its wildcards filled in two ways, and concrete
 *   ARNs of the action's resource types from the catalog that the pattern matches.
 *
 * Each pair the proposal's statement grants must be granted by an Allow statement of the original
 * whose conditions the proposal's statement keeps (it may add conditions, never remove them), no
 * Deny of the original that could apply may be missing from the proposal, and the engine must
 * agree: whenever the proposal evaluates to Allow (under the principal's context, and under a
 * context built to meet the statement's conditions) the original does too.
 */
import { expandActionPattern, expandActionPatterns, getAction, getResourceType, hasWildcard } from '../../core/catalog/index.js';
import { compilePolicy, evaluate, type AuthzRequest, type CompiledPolicy, type ContextValue } from '../../core/policy/index.js';
import { actionClasses, actionMatchers } from '../usage/action-classes.js';
import { hasVariables, isObj, resolveVariables, stringList, type Obj } from '../usage/policy-statements.js';

export type CounterexampleKind = 'not-granted' | 'condition-removed' | 'deny-removed' | 'engine' | 'invalid';

export interface Counterexample {
  kind: CounterexampleKind;
  /** The proposal's statement that grants the pair (-1 for the document). */
  statementIndex: number;
  sid?: string;
  action: string;
  resource: string;
  message: string;
  /** The request context under which the engine disagreed (kind `engine`). */
  context?: Record<string, ContextValue>;
}

export interface NoWideningProof {
  proven: boolean;
  /** Action/resource pairs granted by the proposal and checked. */
  checked: number;
  counterexamples: Counterexample[];
}

export interface ProveOptions {
  /** The caller the engine evaluates as (default a user of account 123456789012). */
  principal?: string;
  /** What is known of the caller in every request (`aws:username`, `aws:PrincipalTag/…`): resolves variables. */
  context?: Record<string, ContextValue>;
  partition?: string;
  account?: string;
  /** Stop after this many counterexamples (default 20). */
  maxCounterexamples?: number;
}

const DEFAULT_ACCOUNT = '123456789012';
const PROBE = 'gatehouse-probe';
/** An action no catalog has: what `NotAction` and wildcard patterns grant beyond the catalog. */
export const UNKNOWN_ACTION = 'gatehouseprobe:ProbeAction';

function rawStatements(doc: unknown): unknown[] {
  if (!isObj(doc)) return [];
  const raw = doc.Statement;
  return Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
}

function withoutCondition(s: Obj): Obj {
  const { Condition: _c, ...rest } = s;
  return rest;
}

/** A statement's condition clauses as comparable strings: `operator|key|["values"]`, case-folded where IAM folds. */
export function conditionClauses(s: Obj): Set<string> {
  const out = new Set<string>();
  if (!isObj(s.Condition)) return out;
  for (const [op, block] of Object.entries(s.Condition)) {
    if (!isObj(block)) continue;
    for (const [key, values] of Object.entries(block)) {
      const list = (Array.isArray(values) ? values : [values]).map((v) => String(v)).sort();
      out.add(`${op.toLowerCase()}|${key.toLowerCase()}|${JSON.stringify(list)}`);
    }
  }
  return out;
}

/** Canonical text of a statement, for finding the same Deny in both documents. */
export function statementKey(s: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (isObj(v)) return Object.fromEntries(Object.keys(v).filter((k) => k !== 'Sid').sort().map((k) => [k, sort(v[k])]));
    return v;
  };
  return JSON.stringify(sort(s));
}

const sampleCache = new Map<string, string[]>();

/** Concrete ARNs of the action's resource types, placeholders filled with probe values. */
function catalogArns(action: string, partition: string, account: string): string[] {
  const key = `${action}|${partition}|${account}`;
  let out = sampleCache.get(key);
  if (out) return out;
  out = [];
  const info = getAction(action);
  for (const rt of info?.resourceTypes ?? []) {
    for (const format of getResourceType(info?.service ?? '', rt.name)?.arnFormats ?? []) {
      out.push(
        format.replace(/\$\{([^}]*)\}/g, (_, name: string) => (name === 'Partition' ? partition : name === 'Region' ? 'us-east-1' : name === 'Account' ? account : PROBE)),
      );
    }
  }
  if (sampleCache.size > 50_000) sampleCache.clear();
  sampleCache.set(key, out);
  return out;
}

/** The pattern itself and two fillings of its wildcards. */
function patternSamples(pattern: string): string[] {
  // `*` as a resource stands for itself; the catalog's ARNs fill it in.
  if (!hasWildcard(pattern) || pattern === '*') return [pattern];
  return [...new Set([pattern, pattern.replace(/\*/g, '').replace(/\?/g, 'x'), pattern.replace(/\*/g, `${PROBE}/x:y`).replace(/\?/g, 'q')])];
}

function num(v: string): number | undefined {
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function shiftDate(v: string, ms: number): string {
  const n = num(v);
  if (n !== undefined) return String(n + ms / 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? v : new Date(t + ms).toISOString();
}

/**
 * A request context meeting the statement's conditions, as far as a value can be made up for
 * each operator (best effort: a statement whose conditions contradict each other gets none).
 */
export function satisfyingContext(s: Obj, base: Record<string, ContextValue>, variables: boolean): Record<string, ContextValue> {
  const ctx: Record<string, ContextValue> = { ...base };
  if (!isObj(s.Condition)) return ctx;
  for (const [rawOp, block] of Object.entries(s.Condition)) {
    if (!isObj(block)) continue;
    const set = /^(forallvalues|foranyvalue):/i.test(rawOp);
    const op = rawOp.replace(/^(forallvalues|foranyvalue):/i, '').replace(/ifexists$/i, '').toLowerCase();
    for (const [key, raw] of Object.entries(block)) {
      const values = (Array.isArray(raw) ? raw : [raw]).map((v) => String(v));
      const first = resolveVariables(values[0] ?? '', base, variables) ?? values[0] ?? '';
      let value: string | undefined;
      switch (op) {
        case 'stringequals':
        case 'stringequalsignorecase':
        case 'arnequals':
        case 'binaryequals':
        case 'bool':
        case 'numericequals':
        case 'numericlessthanequals':
        case 'numericgreaterthanequals':
        case 'dateequals':
        case 'datelessthanequals':
        case 'dategreaterthanequals':
          value = first;
          break;
        case 'stringlike':
        case 'arnlike':
          value = first.replace(/[*?]/g, 'x');
          break;
        case 'numericlessthan':
          value = String((num(first) ?? 0) - 1);
          break;
        case 'numericgreaterthan':
          value = String((num(first) ?? 0) + 1);
          break;
        case 'numericnotequals':
          value = String(Math.max(...values.map((v) => num(v) ?? 0)) + 1);
          break;
        case 'datelessthan':
          value = shiftDate(first, -1000);
          break;
        case 'dategreaterthan':
          value = shiftDate(first, 1000);
          break;
        case 'datenotequals':
          value = shiftDate(first, 86_400_000);
          break;
        case 'ipaddress':
          value = first.split('/')[0];
          break;
        case 'notipaddress':
          value = first.includes(':') ? '2001:db8::1' : '192.0.2.1';
          if (values.some((v) => v.startsWith('192.0.2.') || v === '0.0.0.0/0')) value = '198.51.100.7';
          break;
        case 'null':
          if (first === 'true') delete ctx[key];
          else if (ctx[key] === undefined) value = PROBE;
          break;
        default:
          // The negated string and ARN operators: a value none of theirs matches.
          if (/not/.test(op)) value = `${PROBE}-value`;
      }
      if (value !== undefined) ctx[key] = set ? [value] : value;
    }
  }
  return ctx;
}

/** Whether `proposed` grants nothing `original` does not; see the file comment for how. */
export function proveNoWidening(original: unknown, proposed: unknown, options: ProveOptions = {}): NoWideningProof {
  const max = options.maxCounterexamples ?? 20;
  const partition = options.partition ?? 'aws';
  const account = options.account ?? DEFAULT_ACCOUNT;
  const principal = options.principal ?? `arn:${partition}:iam::${account}:user/gatehouse-prover`;
  const base: Record<string, ContextValue> = options.context ?? { 'aws:username': 'gatehouse-prover', 'aws:PrincipalAccount': account, 'aws:PrincipalArn': principal };
  const counterexamples: Counterexample[] = [];
  let checked = 0;

  if (!isObj(proposed)) {
    return { proven: false, checked, counterexamples: [{ kind: 'invalid', statementIndex: -1, action: '', resource: '', message: 'the proposal is not a policy document' }] };
  }
  const propVars = hasVariables(proposed);
  const origList = rawStatements(original);
  const propList = rawStatements(proposed);
  const version = isObj(original) && typeof original.Version === 'string' ? { Version: original.Version } : {};

  const originalFull = compilePolicy(original, { id: 'current', layer: 'identity' });
  const proposedFull = compilePolicy(proposed, { id: 'proposed', layer: 'identity' });
  // The original's Allows without conditions: which of them could grant a pair at all.
  const allowIdx: number[] = [];
  origList.forEach((s, i) => isObj(s) && s.Effect === 'Allow' && allowIdx.push(i));
  const allowStripped = compilePolicy({ ...version, Statement: allowIdx.map((i) => withoutCondition(origList[i] as Obj)) }, { id: 'current-allows', layer: 'identity' });
  // The original's Denies the proposal does not keep verbatim: any that could apply is a widening.
  const proposedDenies = new Set(propList.filter((s) => isObj(s) && s.Effect === 'Deny').map(statementKey));
  const missingDenyIdx: number[] = [];
  origList.forEach((s, i) => isObj(s) && s.Effect === 'Deny' && !proposedDenies.has(statementKey(s)) && missingDenyIdx.push(i));
  const missingDenies = missingDenyIdx.length
    ? compilePolicy({ ...version, Statement: missingDenyIdx.map((i) => withoutCondition(origList[i] as Obj)) }, { id: 'current-denies', layer: 'identity' })
    : undefined;
  const clauses = allowIdx.map((i) => conditionClauses(origList[i] as Obj));

  const matchers = actionMatchers([original, proposed]);
  // The resources either document names, so a grant or Deny limited to one of them is tried.
  const documentSamples = new Set<string>();
  for (const [list, vars] of [[origList, hasVariables(original)], [propList, propVars]] as const) {
    for (const st of list) {
      if (!isObj(st)) continue;
      for (const r of stringList(st.Resource) ?? stringList(st.NotResource) ?? []) {
        const resolved = resolveVariables(r, base, vars);
        if (resolved !== undefined) for (const x of patternSamples(resolved)) documentSamples.add(x);
      }
    }
  }
  const request = (action: string, resource: string, context: Record<string, ContextValue> = base): AuthzRequest => ({ principal, action, resource, context });
  const allows = (policy: CompiledPolicy, req: AuthzRequest) => evaluate(req, { identity: [policy] });

  propList.forEach((s, i) => {
    if (counterexamples.length >= max) return;
    if (!isObj(s) || s.Effect !== 'Allow') return;
    const sid = typeof s.Sid === 'string' ? s.Sid : undefined;
    const add = (c: Omit<Counterexample, 'statementIndex' | 'sid'>) => {
      if (counterexamples.length < max) counterexamples.push({ statementIndex: i, ...(sid !== undefined ? { sid } : {}), ...c });
    };
    const own = compilePolicy({ ...(propVars ? { Version: '2012-10-17' } : {}), Statement: [withoutCondition(s)] }, { id: 'proposed-statement', layer: 'identity' });
    const mine = conditionClauses(s);
    const satisfying = satisfyingContext(s, base, propVars);

    const action = stringList(s.Action);
    const notAction = stringList(s.NotAction);
    const actions = new Set<string>();
    if (action) {
      for (const p of action) {
        const expanded = expandActionPattern(p);
        for (const a of expanded) actions.add(a);
        if (hasWildcard(p) || expanded.length === 0) actions.add(p);
      }
    } else if (notAction) {
      for (const a of expandActionPatterns(notAction, { not: true })) actions.add(a);
      actions.add(UNKNOWN_ACTION);
    }
    const resourcePatterns = stringList(s.Resource);
    const patterns = resourcePatterns ? resourcePatterns.flatMap((r) => resolveVariables(r, base, propVars) ?? []) : ['*'];

    const samples = new Set<string>(documentSamples);
    for (const p of patterns) for (const r of patternSamples(p)) samples.add(r);
    for (const group of actionClasses(actions, matchers)) {
      // The group's actions are matched alike by every statement of both documents: one action
      // stands for all on each resource; the catalog ARNs of every action of the group are tried.
      const origin = new Map<string, { action: string; count: number }>();
      for (const r of samples) origin.set(r, { action: group[0], count: group.length });
      for (const a of group) {
        for (const r of catalogArns(a, partition, account)) {
          const o = origin.get(r);
          if (!o) origin.set(r, { action: a, count: 1 });
          else if (!samples.has(r)) o.count++;
        }
      }
      for (const [r, { action: a, count }] of origin) {
        if (counterexamples.length >= max) return;
        const req = request(a, r);
        if (allows(own, req).decision !== 'Allow') continue; // the statement does not grant this pair
        checked += count;
        const granted = allows(allowStripped, req);
        if (granted.decision !== 'Allow') {
          add({ kind: 'not-granted', action: a, resource: r, message: `the current policy does not allow ${a} on ${r}` });
          continue;
        }
        const candidates = granted.decidedBy.map((ref) => ref.statementIndex);
        if (!candidates.some((k) => [...clauses[k]].every((c) => mine.has(c)))) {
          const k = allowIdx[candidates[0]];
          add({ kind: 'condition-removed', action: a, resource: r, message: `the current policy allows ${a} on ${r} only under the conditions of $.Statement[${k}], which this statement does not keep` });
          continue;
        }
        if (missingDenies) {
          const denied = allows(missingDenies, req);
          if (denied.decision === 'ExplicitDeny') {
            const k = missingDenyIdx[denied.decidedBy[0].statementIndex];
            add({ kind: 'deny-removed', action: a, resource: r, message: `the proposal drops the Deny $.Statement[${k}] that applies to ${a} on ${r}` });
            continue;
          }
        }
        for (const context of [base, satisfying]) {
          const req2 = request(a, r, context);
          if (allows(proposedFull, req2).decision === 'Allow' && allows(originalFull, req2).decision !== 'Allow') {
            add({ kind: 'engine', action: a, resource: r, context, message: `the proposal allows ${a} on ${r} where the current policy does not` });
            break;
          }
        }
      }
    }
  });
  return { proven: counterexamples.length === 0, checked, counterexamples };
}
