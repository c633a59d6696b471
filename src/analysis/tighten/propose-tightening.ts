/**
 * A tighter replacement for each identity policy of a principal, from what was used: the Allow
 * statements that allowed observed requests stay, narrowed to the actions and resources used
 * (keeping their conditions), the rest go, each removal with its reason; Deny statements stay as
 * written. Then each proposal is proven to grant nothing its current policy does not
 * (prove-no-widening.ts).
 *
 * A request is traced to the statements that allowed it through the usage record's `allowedBy`
 * when it names the policy's current version; otherwise (no `allowedBy`, or another version of
 * the policy) to the statements that could have allowed it, evaluated by the engine with
 * request-dependent conditions assumed met. A policy shared with other principals (a group's, or
 * a managed policy attached elsewhere) keeps their use as well.
 */
import { expandActionPattern, expandActionPatterns, globToRegExp, hasWildcard } from '../../core/catalog/index.js';
import { compilePolicy, evaluate, type CompiledPolicy } from '../../core/policy/index.js';
import { boundDocument, type AccountIndex, type AccountPrincipal } from '../account/index.js';
import { actionClasses, actionMatchers } from '../usage/action-classes.js';
import { decideIdentity } from '../usage/granted-actions.js';
import { hasVariables, isObj, resolveVariables, statementPath, stringList, type Obj } from '../usage/policy-statements.js';
import { oneOrMany } from '../usage/policy-from-usage.js';
import { holdersOf, principalDocuments, principalPolicies, type PrincipalPolicy } from '../usage/principal-policies.js';
import { generalizeResources, globCovers } from '../usage/resource-patterns.js';
import { resolveUsagePrincipal } from '../usage/usage-principal.js';
import { canonicalAction, usageSince, type UsageRecord } from '../usage/usage-record.js';
import { proveNoWidening, type Counterexample, type NoWideningProof } from './prove-no-widening.js';

export interface Removal {
  /** JSON path in the current document: `$.Statement[2]`, `$.Statement[0].Action[1]`. */
  path: string;
  statementIndex: number;
  sid?: string;
  /** What goes: `s3:* except s3:GetObject (151 actions)`, `Resource arn:aws:s3:::* narrowed to arn:aws:s3:::b/*`. */
  what: string;
  /** `not used since 2024-05-02`, `covered by $.Statement[1] (ReadData)…`, `never granted effectively (denied by …)`. */
  reason: string;
  /** Catalog actions this removal takes away. */
  actionCount?: number;
}

export interface PolicyProposal {
  /** The managed policy's ARN, or the inline policy's name. */
  policyId: string;
  kind: 'managed' | 'inline';
  /** Inline: the user, role or group it is embedded in; managed: where it is attached. */
  owner: { kind: 'user' | 'role' | 'group'; name: string; arn: string };
  /** Managed: the default version the proposal replaces. */
  versionId?: string;
  awsManaged?: boolean;
  /** Other principals that hold the policy: their recorded use is kept too. */
  sharedWith: string[];
  current: unknown;
  /** The replacement; null when nothing of the policy was used (detach or delete it instead). */
  proposed: Record<string, unknown> | null;
  /** For each statement of `proposed`, the index of the current statement it comes from. */
  sources: number[];
  changed: boolean;
  removals: Removal[];
  /** Requests traced to the policy. */
  requests: number;
  proof: NoWideningProof;
}

export interface TighteningProof extends NoWideningProof {
  counterexamples: (Counterexample & { policyId: string })[];
}

export interface TighteningResult {
  principal: { arn: string; kind: 'user' | 'role'; name: string } | null;
  since: string;
  now: string;
  /** The principal's own recorded use in the period. */
  usage: { records: number; requests: number; actions: number };
  policies: PolicyProposal[];
  proof: TighteningProof;
  warnings: string[];
}

export interface TightenInput {
  index: AccountIndex;
  principalArn: string;
  usage: readonly UsageRecord[];
  since: Date;
  now: Date;
  /** Exact resources kept per action before grouping under wildcards (default 3). */
  maxResources?: number;
}

interface Used {
  /** action → resource → requests */
  actions: Map<string, Map<string, number>>;
  requests: number;
}

const EMPTY_PROOF: NoWideningProof = { proven: true, checked: 0, counterexamples: [] };

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function rawStatements(doc: unknown): unknown[] {
  if (!isObj(doc)) return [];
  const raw = doc.Statement;
  return Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
}

function isAllow(s: unknown): s is Obj {
  return isObj(s) && s.Effect === 'Allow';
}

function list(values: readonly string[], max = 3): string {
  return values.length <= max ? values.join(', ') : `${values.slice(0, max).join(', ')} and ${values.length - max} more`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function pairsOf(u: Used): string[] {
  const out: string[] = [];
  for (const [a, resources] of u.actions) for (const r of resources.keys()) out.push(`${a}\n${r}`);
  return out;
}

/** `s3:GetObject, s3:PutObject on arn:aws:s3:::b/*`: a statement in one line. */
function describeStatement(s: Obj): string {
  const actions = stringList(s.Action);
  const notActions = stringList(s.NotAction);
  const resources = stringList(s.Resource);
  const notResources = stringList(s.NotResource);
  const a = actions ? list(actions) : notActions ? `every action except ${list(notActions)}` : '(no action)';
  const r = resources ? list(resources) : notResources ? `every resource except ${list(notResources)}` : '*';
  return `${a} on ${r}${isObj(s.Condition) ? ' (with conditions)' : ''}`;
}

/** Proposals for every identity policy of the principal, and their proof. */
export function proposeTightening(input: TightenInput): TighteningResult {
  const { index, since, now } = input;
  const warnings: string[] = [];
  const principal = index.entity(input.principalArn) ?? resolveUsagePrincipal(index, input.principalArn);
  const result: TighteningResult = {
    principal: null,
    since: since.toISOString(),
    now: now.toISOString(),
    usage: { records: 0, requests: 0, actions: 0 },
    policies: [],
    proof: { proven: true, checked: 0, counterexamples: [] },
    warnings,
  };
  if (!principal || principal.kind === 'group') {
    warnings.push(`${input.principalArn} is not a user or role of account ${index.model.accountId}`);
    return result;
  }
  result.principal = { arn: principal.arn, kind: principal.kind, name: principal.name };

  const recent = usageSince(input.usage, since);
  const memo = new Map<string, AccountPrincipal | undefined>();
  const who = (arn: string) => {
    if (!memo.has(arn)) memo.set(arn, resolveUsagePrincipal(index, arn));
    return memo.get(arn);
  };
  const own = recent.filter((r) => who(r.principal)?.arn === principal.arn);
  result.usage = { records: own.length, requests: own.reduce((n, r) => n + r.count, 0), actions: new Set(own.map((r) => canonicalAction(r.action))).size };
  if (own.length === 0) {
    warnings.push(`no recorded use by ${principal.arn} since ${day(since)}: nothing to base a proposal on (see \`gatehouse usage unused\`)`);
    return result;
  }

  for (const policy of principalPolicies(index, principal)) {
    if (!isObj(policy.document)) {
      warnings.push(`${policy.policyId}: the document could not be read; left as it is`);
      continue;
    }
    const holders = holdersOf(index, policy);
    const holderArns = new Set(holders.map((h) => h.arn));
    const records = recent.filter((r) => {
      const h = who(r.principal);
      return h !== undefined && holderArns.has(h.arn);
    });
    const proposal = proposePolicy(index, principal, policy, records, who, since, input.maxResources);
    proposal.sharedWith = holders.filter((h) => h.arn !== principal.arn).map((h) => h.arn);
    result.policies.push(proposal);
    result.proof.checked += proposal.proof.checked;
    for (const c of proposal.proof.counterexamples) result.proof.counterexamples.push({ policyId: policy.policyId, ...c });
  }
  result.proof.proven = result.proof.counterexamples.length === 0;
  return result;
}

function proposePolicy(
  index: AccountIndex,
  target: AccountPrincipal,
  policy: PrincipalPolicy,
  records: readonly UsageRecord[],
  who: (arn: string) => AccountPrincipal | undefined,
  since: Date,
  maxResources: number | undefined,
): PolicyProposal {
  const doc = policy.document as Obj;
  const statements = rawStatements(doc);
  const variables = hasVariables(doc);
  const used: (Used | undefined)[] = statements.map(() => undefined);
  const notUsed = `not used since ${day(since)}`;

  // 1. Trace each request to the statements that allowed it.
  const fallback = new Map<number, CompiledPolicy>();
  const couldAllow = (j: number, r: UsageRecord, holder: AccountPrincipal): boolean => {
    let compiled = fallback.get(j);
    if (!compiled) {
      const single = { ...(typeof doc.Version === 'string' ? { Version: doc.Version } : {}), Statement: [statements[j]] };
      compiled = compilePolicy(boundDocument(single, 'upper'), { id: policy.policyId, layer: 'identity' });
      fallback.set(j, compiled);
    }
    const request = { principal: index.requestPrincipal(holder), action: r.action, resource: r.resource, context: index.principalContext(holder) };
    return evaluate(request, { identity: [compiled] }).decision === 'Allow';
  };
  let requests = 0;
  for (const r of records) {
    const holder = who(r.principal) as AccountPrincipal;
    const refs = r.allowedBy.filter((ref) => policy.usageIds.includes(ref.policyId));
    const current = refs.filter((ref) => policy.kind === 'inline' || ref.policyVersion === undefined || ref.policyVersion === policy.versionId);
    // Trust the record, but only for statements that can grant the request (an index that
    // drifted, a record from another account's policy of the same name, would widen the proposal).
    let targets = current.map((ref) => ref.statementIndex).filter((j) => isAllow(statements[j]) && couldAllow(j, r, holder));
    if (targets.length === 0) {
      // Allowed by other policies only: this one took no part.
      if (r.allowedBy.length > 0 && refs.length === 0) continue;
      targets = statements.flatMap((s, j) => (isAllow(s) && couldAllow(j, r, holder) ? [j] : []));
    }
    if (targets.length) requests += r.count;
    const action = canonicalAction(r.action);
    for (const j of new Set(targets)) {
      const u = (used[j] ??= { actions: new Map(), requests: 0 });
      let resources = u.actions.get(action);
      if (!resources) u.actions.set(action, (resources = new Map()));
      resources.set(r.resource, (resources.get(r.resource) ?? 0) + r.count);
      u.requests += r.count;
    }
  }

  // 2. A request traced to several statements is kept by one: the narrowest without conditions
  // (it allows the request whatever the request says), else by all of them (which of their
  // conditions held is not known). A statement left with nothing of its own is covered by the others.
  const candidates = new Map<string, number[]>();
  used.forEach((u, j) => {
    if (u) for (const pair of pairsOf(u)) candidates.set(pair, [...(candidates.get(pair) ?? []), j]);
  });
  const breadth = statements.map((s) => (isAllow(s) ? statementBreadth(s) : 0));
  const owned: (Used | undefined)[] = statements.map(() => undefined);
  const ownersOf = new Map<string, number[]>();
  for (const [pair, list] of candidates) {
    const plain = list.filter((j) => !isObj((statements[j] as Obj).Condition));
    const owners = plain.length ? [plain.reduce((a, b) => (breadth[b] < breadth[a] ? b : a))] : list;
    ownersOf.set(pair, owners);
    const [action, resource] = pair.split('\n');
    for (const j of owners) {
      const u = (owned[j] ??= { actions: new Map(), requests: 0 });
      const count = (used[j] as Used).actions.get(action)?.get(resource) ?? 0;
      let resources = u.actions.get(action);
      if (!resources) u.actions.set(action, (resources = new Map()));
      resources.set(resource, count);
      u.requests += count;
    }
  }
  const coveredBy = new Map<number, number[]>();
  used.forEach((u, j) => {
    if (u && !owned[j]) coveredBy.set(j, [...new Set(pairsOf(u).flatMap((pair) => ownersOf.get(pair) ?? []))].sort((a, b) => a - b));
  });

  // 3. The proposal, statement by statement.
  const removals: Removal[] = [];
  const out: unknown[] = [];
  const sources: number[] = [];
  const effective = effectiveReasons(index, target, since);
  statements.forEach((s, j) => {
    const path = statementPath(doc, j);
    if (!isAllow(s)) {
      out.push(s); // Deny statements (and anything not understood) stay as written
      sources.push(j);
      return;
    }
    const sid = typeof s.Sid === 'string' ? s.Sid : undefined;
    const base = { statementIndex: j, ...(sid !== undefined ? { sid } : {}) };
    const cover = coveredBy.get(j);
    if (cover !== undefined) {
      const labels = cover.map((k) => {
        const other = statements[k] as Obj;
        return `${statementPath(doc, k)}${typeof other.Sid === 'string' ? ` (${other.Sid})` : ''}`;
      });
      removals.push({ path, ...base, what: describeStatement(s), reason: `covered by ${labels.join(' and ')}, which allowed the same requests` });
      return;
    }
    const u = owned[j];
    if (!u) {
      const actions = statementActions(s);
      const reasons = effective(actions, statementResources(s, target, index, variables));
      const reason = reasons.size === 1 ? [...reasons.keys()][0] : notUsed;
      removals.push({ path, ...base, what: describeStatement(s), reason, actionCount: actions.length });
      return;
    }
    const narrowed = narrowStatement(s, path, u, { target, index, variables, maxResources, notUsed, effective, since });
    removals.push(...narrowed.removals.map((r) => ({ ...r, ...base })));
    out.push(...narrowed.statements);
    for (const _ of narrowed.statements) sources.push(j);
  });

  const { Statement: _statement, ...rest } = doc;
  const proposed = out.length ? { ...rest, Statement: out } : null;
  const changed = removals.length > 0;
  const proposal: PolicyProposal = {
    policyId: policy.policyId,
    kind: policy.kind,
    owner: policy.owner,
    sharedWith: [],
    current: doc,
    proposed: changed ? proposed : doc,
    sources: changed ? sources : statements.map((_, j) => j),
    changed,
    removals,
    requests,
    proof: EMPTY_PROOF,
  };
  if (policy.versionId !== undefined) proposal.versionId = policy.versionId;
  if (policy.awsManaged !== undefined) proposal.awsManaged = policy.awsManaged;
  if (changed) {
    const account = target.arn.split(':')[4] ?? index.model.accountId;
    proposal.proof = proveNoWidening(doc, proposed ?? { ...rest, Statement: [] }, {
      principal: index.requestPrincipal(target),
      context: index.principalContext(target),
      partition: index.model.partition,
      account,
    });
  }
  return proposal;
}

/** How much a statement grants, roughly: catalog actions times how wide its resources are. */
function statementBreadth(s: Obj): number {
  const resources = stringList(s.Resource);
  const width = resources ? resources.reduce((n, r) => n + (r === '*' ? 10_000 : hasWildcard(r) || r.includes('${') ? 100 : 1), 0) : 10_000;
  return Math.max(1, statementActions(s).length) * width;
}

/** The catalog actions a statement allows (its `Action` expanded, or the complement of `NotAction`). */
function statementActions(s: Obj): readonly string[] {
  const action = stringList(s.Action);
  if (action) return expandActionPatterns(action);
  const notAction = stringList(s.NotAction);
  return notAction ? expandActionPatterns(notAction, { not: true }) : [];
}

/** The statement's resources as the principal's requests name them: variables resolved; `*` for NotResource. */
function statementResources(s: Obj, target: AccountPrincipal, index: AccountIndex, variables: boolean): string[] {
  const resources = stringList(s.Resource);
  if (!resources) return ['*'];
  return resources.flatMap((r) => resolveVariables(r, index.principalContext(target), variables) ?? []);
}

type EffectiveReasons = (actions: readonly string[], resources: readonly string[]) => Map<string, string[]>;

/**
 * Groups actions by why they may go: `not used since …`, or, when the principal could not use
 * them anyway on these resources, `never granted effectively (denied by …)`.
 */
function effectiveReasons(index: AccountIndex, target: AccountPrincipal, since: Date): EffectiveReasons {
  const notUsed = `not used since ${day(since)}`;
  const matchers = actionMatchers(principalDocuments(index, target));
  return (actions, resources) => {
    const out = new Map<string, string[]>();
    // Actions every policy matches alike are decided alike: one question per group.
    for (const group of actionClasses(actions, matchers)) {
      let reason: string | undefined;
      for (const r of resources) {
        const d = decideIdentity(index, target, group[0], r);
        if (d.access !== 'denied') {
          reason = notUsed;
          break;
        }
        const blocked = d.decision.blockedBy;
        if (blocked?.layer === 'boundary') reason ??= `never granted effectively (denied by the permissions boundary ${target.permissionsBoundary ?? ''})`.replace(' )', ')');
        else if (blocked?.layer === 'scp') reason ??= 'never granted effectively (denied by an SCP)';
        else if (blocked?.kind === 'explicit') {
          const ref = d.decision.decidedBy[0];
          reason ??= `never granted effectively (denied by ${ref ? `${ref.policyId.replace(/^.*#/, '')} $.Statement[${ref.statementIndex}]` : 'a Deny statement'})`;
        } else reason ??= `never granted effectively (the statement's conditions never hold for ${target.name})`;
      }
      reason ??= notUsed;
      const list = out.get(reason);
      if (list) list.push(...group);
      else out.set(reason, [...group]);
    }
    for (const list of out.values()) list.sort();
    return out;
  };
}

interface NarrowContext {
  target: AccountPrincipal;
  index: AccountIndex;
  variables: boolean;
  maxResources: number | undefined;
  notUsed: string;
  effective: EffectiveReasons;
  since: Date;
}

type PartialRemoval = Omit<Removal, 'statementIndex' | 'sid'>;

/** One used Allow statement narrowed to its used actions and resources, split by resource group. */
function narrowStatement(s: Obj, path: string, u: Used, ctx: NarrowContext): { statements: Obj[]; removals: PartialRemoval[] } {
  const removals: PartialRemoval[] = [];
  const usedActions = [...u.actions.keys()].sort();
  const resourcesOf = (a: string) => [...(u.actions.get(a) as Map<string, number>).keys()];
  const statementRes = statementResources(s, ctx.target, ctx.index, ctx.variables);

  // Actions: patterns wholly used stay as written; the rest become the used actions.
  const kept: { pattern: string; covers: Set<string> }[] = [];
  const action = stringList(s.Action);
  const notAction = stringList(s.NotAction);
  if (action) {
    action.forEach((p, k) => {
      const expanded = expandActionPattern(p);
      const re = globToRegExp(p);
      const usedHere = usedActions.filter((a) => re.test(a));
      if ((expanded.length && expanded.every((a) => u.actions.has(a))) || (!expanded.length && usedHere.length)) {
        kept.push({ pattern: p, covers: new Set(usedHere) });
        return;
      }
      const dropped = expanded.filter((a) => !u.actions.has(a));
      const elementPath = Array.isArray(s.Action) ? `${path}.Action[${k}]` : `${path}.Action`;
      if (dropped.length === 0 && usedHere.length === 0) {
        removals.push({ path: elementPath, what: `${p} (no action the catalog knows)`, reason: ctx.notUsed });
        return;
      }
      const reasons = ctx.effective(dropped, statementRes);
      for (const [reason, actions] of reasons) {
        const whole = usedHere.length === 0 && reasons.size === 1;
        const what = whole
          ? hasWildcard(p) ? `${p} (${plural(actions.length, 'action')})` : p
          : reasons.size === 1
            ? `${p} except ${list(usedHere)} (${actions.length} of ${expanded.length} actions)`
            : `${plural(actions.length, 'action')} of ${p}: ${list(actions)}`;
        removals.push({ path: elementPath, what, reason, actionCount: actions.length });
      }
    });
  } else if (notAction) {
    const dropped = expandActionPatterns(notAction, { not: true }).filter((a) => !u.actions.has(a));
    for (const [reason, actions] of ctx.effective(dropped, statementRes)) {
      removals.push({ path: `${path}.NotAction`, what: `every action except ${list(notAction)}, but the ${plural(usedActions.length, 'used action')} (${plural(actions.length, 'action')})`, reason, actionCount: actions.length });
    }
  }

  // Resources: kept as written when they name policy variables (the policy serves each principal
  // on its own resources), else narrowed per action to what was used.
  const resource = stringList(s.Resource);
  const notResource = stringList(s.NotResource);
  const keepResources =
    (ctx.variables && (resource ?? []).some((r) => r.includes('${'))) ||
    (notResource !== undefined && usedActions.some((a) => resourcesOf(a).some(hasWildcard)));
  const original = resource ?? (notResource ? undefined : ['*']);
  const narrow = (observed: string[]): string[] => {
    if (!original) return [...new Set(observed)].sort(); // NotResource: exactly what was used
    const outSet = new Set<string>();
    for (const c of generalizeResources(observed, { maxResources: ctx.maxResources })) {
      if (original.some((o) => globCovers(o, c))) {
        outSet.add(c);
        continue;
      }
      // Wider than the statement allowed: fall back to the resources used, or the pattern that allowed each.
      for (const r of observed.filter((o) => globCovers(c, o))) {
        if (original.some((o) => globCovers(o, r))) outSet.add(r);
        else for (const o of original.filter((o) => globToRegExp(o).test(r))) outSet.add(o);
      }
    }
    const all = [...outSet];
    return all.filter((p) => !all.some((q) => q !== p && globCovers(q, p))).sort();
  };

  // Group used actions by their resources: one statement per group.
  const groups = new Map<string, { actions: string[]; resources: string[] }>();
  for (const a of usedActions) {
    const resources = keepResources ? [] : narrow(resourcesOf(a));
    const key = resources.join('\n');
    const g = groups.get(key);
    if (g) g.actions.push(a);
    else groups.set(key, { actions: [a], resources });
  }

  if (!keepResources) {
    const newResources = new Set([...groups.values()].flatMap((g) => g.resources));
    if (original) {
      original.forEach((o, k) => {
        if (newResources.has(o)) return;
        const elementPath = Array.isArray(s.Resource) ? `${path}.Resource[${k}]` : resource ? `${path}.Resource` : path;
        const usedUnder = [...new Set(usedActions.flatMap(resourcesOf))].filter((r) => globCovers(o, r) || globToRegExp(o).test(r));
        const narrowedTo = [...newResources].filter((n) => globCovers(o, n));
        if (usedUnder.length === 0 || narrowedTo.length === 0) removals.push({ path: elementPath, what: `Resource ${o}`, reason: ctx.notUsed });
        else removals.push({ path: elementPath, what: `Resource ${o} narrowed to ${list(narrowedTo, 5)}`, reason: `only ${plural(usedUnder.length, 'resource')} used since ${day(ctx.since)}` });
      });
    } else if (notResource) {
      removals.push({ path: `${path}.NotResource`, what: `every resource except ${list(notResource)}, narrowed to ${list([...newResources], 5)}`, reason: `only ${plural(newResources.size, 'resource')} used since ${day(ctx.since)}` });
    }
  }

  if (removals.length === 0) return { statements: [s], removals };

  const sid = typeof s.Sid === 'string' ? s.Sid : undefined;
  const statements: Obj[] = [];
  let n = 0;
  for (const g of groups.values()) {
    n++;
    const inGroup = new Set(g.actions);
    const patterns = kept.filter((k) => k.covers.size > 0 && [...k.covers].every((a) => inGroup.has(a)));
    const covered = new Set(patterns.flatMap((k) => [...k.covers]));
    const actions = [...patterns.map((k) => k.pattern), ...g.actions.filter((a) => !covered.has(a))];
    const out: Obj = {};
    if (sid !== undefined) out.Sid = n === 1 ? sid : `${sid}${n}`;
    out.Effect = 'Allow';
    out.Action = oneOrMany(actions);
    if (keepResources) {
      if (resource) out.Resource = s.Resource;
      else if (notResource) out.NotResource = s.NotResource;
    } else out.Resource = oneOrMany(g.resources);
    if (s.Condition !== undefined) out.Condition = s.Condition;
    statements.push(out);
  }
  return { statements, removals };
}
