/**
 * Who can do what to which resource: one row per principal × resource × capability.
 *
 * Evaluating every principal against every resource and action would be billions of questions,
 * so the review starts from what each principal's Allow statements name:
 * 1. per principal, its identity statements (own and groups') give candidate (resource,
 *    capability) groups, with the actions that grant each (see principal-grants.ts; the work per
 *    managed-policy statement is shared by all principals it is attached to);
 * 2. the engine (`AccountIndex.decide`: denies, boundary, SCPs, trust and conditions) is asked
 *    only about those candidates, and only where something can change the answer: where no
 *    boundary or SCP restricts the service and no Deny of the principal can apply to the action
 *    on that resource, an unconditional Allow is the answer, and a conditional statement is asked
 *    once for all its actions;
 * 3. the resource side (how many principals reach each known resource) is counted from the rows.
 */
import type { AccessDecision, AccountIndex, AccountPrincipal, DecideOptions } from '../account/index.js';
import { CAPABILITY_NAMES, type Capability } from '../capabilities/capability.js';
import { adminStatus, principalName } from '../escalation/index.js';
import { progressReporter } from '../progress.js';
import { escalationForReview } from './review-escalation.js';
import { globsOverlap } from './globs-overlap.js';
import { GrantCollector, type GrantGroup, type GroupPart } from './principal-grants.js';
import { arnService, foldResource } from './review-resources.js';
import { resourceReach, type KnownResource } from './resource-reach.js';
import { parseStatements, type ParsedStatement } from './review-statements.js';
import {
  ACCESS_REVIEW_SCHEMA,
  DEFAULT_THRESHOLDS,
  type AccessReview,
  type AccessRow,
  type PrincipalSummary,
  type ReviewFinding,
  type ReviewOptions,
  type ReviewStatement,
  type ReviewWarning,
} from './review-types.js';

const MAX_VIA = 8;
const CAPABILITY_ORDER = new Map(CAPABILITY_NAMES.map((c, i) => [c, i]));
/** Capabilities whose spread over many principals is worth a finding (read-config is not). */
const THRESHOLD_CAPABILITIES: readonly Capability[] = ['administer-resource', 'write-data', 'delete-data', 'read-data'];

interface BoundaryInfo {
  /** Actions some Allow of the boundary covers: any other is denied without asking the engine. */
  actions: ReadonlySet<string>;
  allows: ParsedStatement[];
}

/** Per service: do the SCPs let every action through unconditionally (no Deny, an Allow on `*` at every level)? */
class ScpShortcut {
  private readonly levels: ParsedStatement[][];
  private readonly cache = new Map<string, boolean>();
  constructor(scps: unknown[][] | undefined) {
    this.levels = (scps ?? []).map((level, i) => level.flatMap((doc, j) => parseStatements(doc, `scp[${i}][${j}]`)));
  }
  transparent(service: string): boolean {
    if (this.levels.length === 0) return true;
    let t = this.cache.get(service);
    if (t === undefined) {
      t = this.levels.every(
        (level) =>
          level.some((s) => s.allow && !s.conditional && s.resources.includes('*') && s.actions.key === '*') &&
          !level.some((s) => !s.allow && s.actions.byService.has(service)),
      );
      this.cache.set(service, t);
    }
    return t;
  }
}

class Via {
  readonly list: ReviewStatement[] = [];
  private readonly seen = new Set<string>();
  add(ref: ReviewStatement): void {
    if (this.list.length >= MAX_VIA) return;
    const key = `${ref.policyId}\0${ref.statementIndex}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(ref.sid ? { policyId: ref.policyId, statementIndex: ref.statementIndex, sid: ref.sid } : { policyId: ref.policyId, statementIndex: ref.statementIndex });
  }
  addDecision(decidedBy: readonly { layer: string; effect: string; policyId: string; statementIndex: number; sid?: string }[]): void {
    for (const s of decidedBy) if (s.effect === 'Allow' && (s.layer === 'identity' || s.layer === 'resource')) this.add(s);
  }
}

/** A principal's identity Deny statements by action: which (action, resource entry) pairs one may apply to. */
class DenyIndex {
  private readonly byAction = new Map<string, string[]>();

  /** `overlaps`: a cache of globsOverlap answers shared by the review's principals. */
  constructor(
    denies: readonly ParsedStatement[],
    private readonly overlaps: Map<string, boolean>,
  ) {
    for (const s of denies) {
      for (const a of s.actions.list) {
        let list = this.byAction.get(a);
        if (!list) this.byAction.set(a, (list = []));
        list.push(...s.resources);
      }
    }
  }

  get size(): number {
    return this.byAction.size;
  }

  touches(action: string, raw: string): boolean {
    const entries = this.byAction.get(action);
    if (!entries) return false;
    for (const d of entries) {
      if (d === '*' || raw === '*' || d.includes('${')) return true;
      const key = `${d}\0${raw}`;
      let o = this.overlaps.get(key);
      if (o === undefined) this.overlaps.set(key, (o = globsOverlap(d, raw)));
      if (o) return true;
    }
    return false;
  }
}

function split(best: ReadonlyMap<string, 'allowed' | 'conditional'>): [string[], string[]] {
  const a: string[] = [];
  const c: string[] = [];
  for (const [action, access] of best) (access === 'allowed' ? a : c).push(action);
  return [a.sort(), c.sort()];
}

/** Sorted union of sorted lists. */
function union(lists: readonly (readonly string[])[]): readonly string[] {
  if (lists.length === 0) return [];
  if (lists.length === 1) return lists[0];
  const set = new Set<string>();
  for (const l of lists) for (const a of l) set.add(a);
  return [...set].sort();
}

function compareGroups(a: GrantGroup, b: GrantGroup): number {
  if (a.resource !== b.resource) return a.resource < b.resource ? -1 : 1;
  if (a.service !== b.service) return a.service < b.service ? -1 : 1;
  return (CAPABILITY_ORDER.get(a.capability) as number) - (CAPABILITY_ORDER.get(b.capability) as number);
}

/** AWS's default key policy: the key trusts the account, so IAM policies decide. */
function defaultKeyPolicy(partition: string, accountId: string): unknown {
  return { Version: '2012-10-17', Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' }] };
}

export function reviewAccount(index: AccountIndex, options: ReviewOptions): AccessReview {
  const model = index.model;
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const maxActions = Math.max(1, options.maxActionsPerRow ?? 20);
  const warnings: ReviewWarning[] = [];
  const collector = new GrantCollector(index);
  const scps = new ScpShortcut(model.scps);
  // DIVERGENCE: key policies are not in get-account-authorization-details; the review assumes
  // each key has AWS's default key policy, which lets IAM policies decide.
  const keyPolicy: DecideOptions = { resourcePolicy: defaultKeyPolicy(model.partition, model.accountId) };
  const boundaries = new Map<string, BoundaryInfo | undefined>();
  const overlaps = new Map<string, boolean>();
  const boundaryOf = (p: AccountPrincipal): BoundaryInfo | undefined => {
    const arn = p.permissionsBoundary;
    if (!arn) return undefined;
    if (!boundaries.has(arn)) {
      if (!index.policy(arn)) {
        warnings.push({ subject: arn, message: 'Permissions boundary not in the document: the principals using it are reviewed without it.' });
        boundaries.set(arn, undefined);
      } else {
        const allows = collector.managedStatements(arn).filter((s) => s.allow);
        const actions = new Set<string>();
        for (const s of allows) for (const a of s.actions.list) actions.add(a);
        boundaries.set(arn, { actions, allows });
      }
    }
    return boundaries.get(arn);
  };

  let principals = index.principals();
  if (options.principal !== undefined) {
    principals = principals.filter((p) => p.arn === options.principal);
    if (principals.length === 0) warnings.push({ subject: options.principal, message: 'No user or role with this ARN in the account.' });
  }
  const report = progressReporter(options.onProgress, 'review', principals.length);

  const rows: AccessRow[] = [];
  const summaries: PrincipalSummary[] = [];
  const admins = new Set<string>();

  /** The engine's answer for each action of `actions` (entry to ask about, per action). */
  const askEngine = (p: AccountPrincipal, g: GrantGroup, actions: Iterable<[string, string]>, boundary: BoundaryInfo | undefined, best: Map<string, 'allowed' | 'conditional'>, allowedVia: Via, conditionalVia: Via): void => {
    const decideOptions = g.resourcePolicy === 'kms' ? keyPolicy : undefined;
    for (const [action, raw] of actions) {
      if (best.get(action) === 'allowed' || (boundary && !boundary.actions.has(action))) continue;
      const d = index.decide(p, action, raw, decideOptions);
      if (d.access === 'allowed') allowedVia.addDecision(d.decision.decidedBy);
      else if (d.access === 'conditional') conditionalVia.addDecision(d.decision.decidedBy);
      if (d.access !== 'denied') best.set(action, d.access);
    }
  };

  /**
   * One candidate group to a row. `restricted`: a boundary or an SCP applies to the service, so
   * the engine decides every action; otherwise the Allow statements decide, except for the
   * actions a Deny of the principal may apply to on this resource.
   */
  const evaluateGroup = (p: AccountPrincipal, g: GrantGroup, restricted: boolean, boundary: BoundaryInfo | undefined, denies: DenyIndex): AccessRow | undefined => {
    let allowed: readonly string[] = [];
    let conditional: readonly string[] = [];
    const allowedVia = new Via();
    const conditionalVia = new Via();
    if (restricted || g.resourcePolicy) {
      const best = new Map<string, 'allowed' | 'conditional'>();
      askEngine(p, g, g.parts.flatMap((part) => part.actions.map((a): [string, string] => [a, part.raw])), boundary, best, allowedVia, conditionalVia);
      [allowed, conditional] = split(best);
    } else {
      let parts = g.parts;
      let touched: Map<string, string> | undefined;
      if (denies.size) {
        for (const part of parts) for (const a of part.actions) if (denies.touches(a, part.raw)) (touched ??= new Map()).set(a, part.raw);
        if (touched) {
          const skip = touched;
          parts = parts.map((part) => ({ ...part, actions: part.actions.filter((a) => !skip.has(a)) })).filter((part) => part.actions.length > 0);
        }
      }
      const unconditional = parts.filter((part) => !part.statement.conditional);
      allowed = unconditional.length === 1 ? unconditional[0].actions : union(unconditional.map((part) => part.actions));
      for (const part of unconditional) allowedVia.add(part.statement.ref);
      const conditionalParts = parts.filter((part) => part.statement.conditional);
      if (conditionalParts.length) [allowed, conditional] = evaluateConditionalParts(p, conditionalParts, allowed, allowedVia, conditionalVia);
      if (touched) {
        const best = new Map<string, 'allowed' | 'conditional'>();
        askEngine(p, g, touched, undefined, best, allowedVia, conditionalVia);
        const [a, c] = split(best);
        allowed = union([allowed, a]);
        const allowedSet = new Set(allowed);
        conditional = union([conditional, c]).filter((x) => !allowedSet.has(x));
      }
    }
    const access = allowed.length ? 'allowed' : conditional.length ? 'conditional' : undefined;
    if (!access) return undefined;
    const actions = access === 'allowed' ? allowed : conditional;
    return {
      principal: p.arn,
      principalKind: p.kind,
      resource: g.resource,
      resourceKind: g.kind,
      resourceType: g.resourceType,
      service: g.service,
      capability: g.capability,
      access,
      actions: actions.slice(0, maxActions),
      actionCount: actions.length,
      via: (access === 'allowed' ? allowedVia : conditionalVia).list,
    };
  };

  /**
   * Conditional statements of an otherwise unrestricted service. A statement's condition decides
   * alike for all its actions (the service has no Deny, boundary or SCP), so one question per
   * statement suffices when the engine names that statement; otherwise each action is asked.
   */
  const evaluateConditionalParts = (p: AccountPrincipal, parts: readonly GroupPart[], unconditional: readonly string[], allowedVia: Via, conditionalVia: Via): [readonly string[], readonly string[]] => {
    const known = unconditional.length ? new Set(unconditional) : undefined;
    const moreAllowed = new Set<string>();
    const conditional = new Set<string>();
    const record = (actions: readonly string[], d: AccessDecision) => {
      if (d.access === 'allowed') {
        for (const a of actions) moreAllowed.add(a);
        allowedVia.addDecision(d.decision.decidedBy);
      } else if (d.access === 'conditional') {
        for (const a of actions) conditional.add(a);
        conditionalVia.addDecision(d.decision.decidedBy);
      }
    };
    for (const part of parts) {
      const rest = known ? part.actions.filter((a) => !known.has(a)) : part.actions;
      if (rest.length === 0) continue;
      const d = index.decide(p, rest[0], part.raw);
      const ref = part.statement.ref;
      const decidedByIt = d.decision.decidedBy.some((s) => s.policyId === ref.policyId && s.statementIndex === ref.statementIndex);
      if (decidedByIt || d.access === 'denied') record(rest, d);
      else for (const a of rest) record([a], a === rest[0] ? d : index.decide(p, a, part.raw));
    }
    const allowed = moreAllowed.size ? union([unconditional, [...moreAllowed]]) : unconditional;
    const allowedSet = moreAllowed.size ? new Set(allowed) : known;
    return [allowed, [...conditional].filter((a) => !allowedSet?.has(a)).sort()];
  };

  principals.forEach((p, i) => {
    const { allows, denies } = collector.statementsOf(p);
    const groups = collector.collect(p, allows);
    const boundary = boundaryOf(p);
    if (boundary) collector.boundaryGroups(groups, boundary.allows);
    const denyIndex = new DenyIndex(denies, overlaps);
    const hasBoundary = p.permissionsBoundary !== undefined;
    const own: AccessRow[] = [];
    for (const g of [...groups.values()].sort(compareGroups)) {
      const restricted = hasBoundary || !scps.transparent(g.service);
      const row = evaluateGroup(p, g, restricted, boundary, denyIndex);
      if (row) own.push(row);
    }
    const admin = adminStatus(index, p).access === 'allowed';
    if (admin) admins.add(p.arn);
    const capabilities = Object.fromEntries(CAPABILITY_NAMES.map((c) => [c, 0])) as Record<Capability, number>;
    const resources = new Set<string>();
    for (const r of own) {
      capabilities[r.capability]++;
      resources.add(r.resourceKind === 'service' ? `${r.service}:*` : r.resource);
    }
    summaries.push({
      principal: p.arn,
      principalKind: p.kind,
      name: p.name,
      rows: own.length,
      resources: resources.size,
      capabilities,
      capabilityCount: CAPABILITY_NAMES.filter((c) => capabilities[c] > 0).length,
      admin,
      administersKnownResources: 0,
    });
    for (const r of own) rows.push(r);
    report(i + 1);
  });

  const escalation = options.escalation === false ? undefined : (options.escalation ?? escalationForReview(index, options.onProgress));

  // The resource side: entities and every concrete ARN the account's policies name.
  const known = knownResources(index, collector);
  const reach = resourceReach(rows, known, admins);
  const findings: ReviewFinding[] = [];
  let escalationPaths = 0;
  for (const s of summaries) {
    s.administersKnownResources = reach.administers.get(s.principal) ?? 0;
    if (s.admin) {
      findings.push({ id: 'OVR-ADMIN', severity: 'security', subject: s.principal, message: `${s.name} is an administrator: it can grant any principal any permission and act on every service.` });
      continue;
    }
    const path = escalation?.pathToAdmin(s.principal);
    if (path) {
      s.escalation = path;
      escalationPaths++;
      findings.push({
        id: 'PE-PATH',
        severity: 'security',
        subject: s.principal,
        message: `${s.name} can become an administrator in ${path.steps.length} step${path.steps.length === 1 ? '' : 's'}${path.conditional ? ' (for some requests)' : ''}: ${s.name}${path.steps.map((st) => ` → ${principalName(st.to)} (${st.description})`).join('')}.`,
        count: path.steps.length,
      });
    }
    if (s.administersKnownResources > thresholds.resourcesPerPrincipal) {
      findings.push({
        id: 'OVR-THRESHOLD',
        severity: 'warning',
        subject: s.principal,
        capability: 'administer-resource',
        count: s.administersKnownResources,
        threshold: thresholds.resourcesPerPrincipal,
        message: `${s.name} can administer ${s.administersKnownResources} resources of the account (threshold ${thresholds.resourcesPerPrincipal}).`,
      });
    }
  }
  for (const [resource, caps] of reach.nonAdminByCapability) {
    let worst: Capability | undefined;
    let most = 0;
    for (const cap of THRESHOLD_CAPABILITIES) if (caps[cap] > most) [worst, most] = [cap, caps[cap]];
    if (!worst || most <= thresholds.principalsPerResource) continue;
    findings.push({
      id: 'OVR-THRESHOLD',
      severity: 'warning',
      subject: resource,
      capability: worst,
      count: most,
      threshold: thresholds.principalsPerResource,
      message: `${most} principals besides the administrators have ${worst} on ${resource} (threshold ${thresholds.principalsPerResource}).`,
    });
  }

  const review: AccessReview = {
    schema: ACCESS_REVIEW_SCHEMA,
    generatedAt: options.now.toISOString(),
    account: { accountId: model.accountId, partition: model.partition },
    ...(options.principal !== undefined ? { principalFilter: options.principal } : {}),
    thresholds,
    counts: { principals: summaries.length, rows: rows.length, resources: reach.resources.length, findings: findings.length, admins: admins.size, escalationPaths },
    escalationEvaluated: escalation !== undefined,
    warnings,
    findings,
    principals: summaries,
    resources: reach.resources,
    rows,
  };
  return review;
}

/** The account's IAM entities and every concrete ARN its policies name (objects folded into buckets). */
function knownResources(index: AccountIndex, collector: GrantCollector): KnownResource[] {
  const out = new Map<string, KnownResource>();
  for (const [resource, resourceType] of collector.entities) out.set(resource, { resource, kind: 'entity', resourceType });
  const addFrom = (statements: readonly ParsedStatement[]) => {
    for (const s of statements) {
      for (const entry of s.resources) {
        if (entry === '*' || /[*?]|\$\{/.test(entry) || !arnService(entry)) continue;
        const resource = foldResource(entry);
        if (!out.has(resource)) out.set(resource, { resource, kind: 'named', resourceType: collector.resources.displayType(resource) });
      }
    }
  };
  for (const arn of index.model.policies.keys()) addFrom(collector.managedStatements(arn));
  for (const owner of [...index.model.users, ...index.model.groups, ...index.model.roles]) {
    for (const inline of owner.inlinePolicies) addFrom(parseStatements(inline.document, `${owner.arn}#${inline.name}`));
  }
  return [...out.values()];
}
