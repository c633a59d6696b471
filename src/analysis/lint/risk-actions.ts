/**
 * Risk categories of actions (Cloudsplaining's, plus privilege escalation), and the statement-level
 * view the lint rules need: which actions an unconstrained Allow statement grants in each
 * category. Classifying an action is cached, and so is classifying a pattern and a pattern list,
 * so a policy corpus full of `s3:*` or `*` walks the catalog once.
 */
import { expandActionPatterns, getAction, hasWildcard, type ActionInfo } from '../../core/catalog/index.js';
import { ESCALATION_METHODS } from '../escalation/methods.js';
import type { NormalizedStatement, RiskCategory } from './lint-types.js';
import {
  CREDENTIALS_EXPOSURE_ACTIONS,
  DATA_EXFILTRATION_ACTIONS,
  RESOURCE_EXPOSURE_ACTIONS,
  RESOURCE_EXPOSURE_RULE_EXCEPTIONS,
} from './risk-actions-data.js';
import { expandPatternCached, statementCoversAction } from './statement-helpers.js';
import { MemoTable } from '../../core/memo-table.js';

export const RISK_CATEGORIES: readonly RiskCategory[] = [
  'privilege-escalation',
  'data-exfiltration',
  'resource-exposure',
  'credentials-exposure',
  'infrastructure-modification',
];

/** Traits of one action, as bits. SCOPABLE: the action has resource types, so `"*"` could be narrowed. */
const DATA = 1;
const EXPOSURE = 2;
const CREDENTIALS = 4;
const INFRA = 8;
const ESCALATION = 16;
const SCOPABLE = 32;

/** The per-statement lists: the four statement-level risk categories and the scopable actions. */
export type ActionTrait = Exclude<RiskCategory, 'privilege-escalation'> | 'scopable';
const TRAIT_BITS: Record<ActionTrait, number> = {
  'data-exfiltration': DATA,
  'resource-exposure': EXPOSURE,
  'credentials-exposure': CREDENTIALS,
  'infrastructure-modification': INFRA,
  scopable: SCOPABLE,
};
const TRAITS = Object.keys(TRAIT_BITS) as ActionTrait[];

const lower = (list: readonly string[]) => new Set(list.map((a) => a.toLowerCase()));
const DATA_SET = lower(DATA_EXFILTRATION_ACTIONS);
const EXPOSURE_SET = lower(RESOURCE_EXPOSURE_ACTIONS);
const EXPOSURE_EXCEPTIONS = lower(RESOURCE_EXPOSURE_RULE_EXCEPTIONS);
const CREDENTIALS_SET = lower(CREDENTIALS_EXPOSURE_ACTIONS);
const ESCALATION_SET = lower(ESCALATION_METHODS.flatMap((m) => m.requires));

/**
 * Services whose permission-management actions govern identities rather than resources: granting
 * there is privilege escalation (PE-COMBO), not exposing a resource to others.
 */
const IDENTITY_SERVICES = new Set(['iam', 'sso', 'sso-directory', 'identitystore', 'organizations', 'iot', 'quicksight']);

/**
 * The long tail of resource exposure: a "Permissions management" action that adds a resource
 * policy, permission, ACL, grant or share (`PutResourcePolicy`, `AddPermission`, `PutBucketAcl`,
 * `CreatePortfolioShare`...). Removing ones (`Delete...Policy`) are left out: they usually narrow.
 */
const EXPOSURE_NAME = /^(Put|Set|Add|Create|Update|Modify|Authorize|Grant)[A-Za-z]*(Policy|Policies|Permission|Permissions|Acl|Grant|Share|Sharing)$/;

const traitCache = new Map<string, number>();

function traitsOfInfo(info: ActionInfo): number {
  let bits = traitCache.get(info.action);
  if (bits !== undefined) return bits;
  const key = info.action.toLowerCase();
  bits = 0;
  if (DATA_SET.has(key)) bits |= DATA;
  if (CREDENTIALS_SET.has(key)) bits |= CREDENTIALS;
  if (
    EXPOSURE_SET.has(key) ||
    (info.accessLevels.includes('Permissions management') &&
      !IDENTITY_SERVICES.has(info.service) &&
      EXPOSURE_NAME.test(info.name) &&
      !EXPOSURE_EXCEPTIONS.has(key))
  ) {
    bits |= EXPOSURE;
  }
  const writes = info.accessLevels.some((l) => l === 'Write' || l === 'Permissions management' || l === 'Tagging');
  // The reads some methods need (ec2:DescribeInstances to find a target) are not the escalation.
  if (ESCALATION_SET.has(key) && writes) bits |= ESCALATION;
  // Everything else that changes something: what Cloudsplaining calls infrastructure modification.
  if ((bits & (DATA | EXPOSURE | CREDENTIALS)) === 0 && writes) bits |= INFRA;
  if (info.resourceTypes.length > 0) bits |= SCOPABLE;
  traitCache.set(info.action, bits);
  return bits;
}

/**
 * The risk categories of one action (any case; `[]` for names the catalog does not know).
 * `privilege-escalation` when the action is a changing step of a known escalation method (alone or
 * with others; the reads a method also needs are not); `infrastructure-modification` for the other
 * Write, Permissions-management and Tagging actions, those in none of the three curated categories.
 */
export function riskCategoriesOfAction(action: string): RiskCategory[] {
  const info = getAction(action);
  if (!info) return [];
  const bits = traitsOfInfo(info);
  const out: RiskCategory[] = [];
  if (bits & ESCALATION) out.push('privilege-escalation');
  if (bits & DATA) out.push('data-exfiltration');
  if (bits & EXPOSURE) out.push('resource-exposure');
  if (bits & CREDENTIALS) out.push('credentials-exposure');
  if (bits & INFRA) out.push('infrastructure-modification');
  return out;
}

/** Canonical action names of a statement's actions, by trait. Shared and cached: do not mutate. */
export type ActionsByTrait = Readonly<Record<ActionTrait, readonly string[]>>;

/** Per pattern (few distinct ones, `*` among them: worth keeping) and per list (many, short-lived). */
const patternCache = new MemoTable<string, ActionsByTrait>(20000);
const listCache = new MemoTable<string, ActionsByTrait>(5000);
const EMPTY: ActionsByTrait = classify([]);

function classify(actions: readonly string[]): ActionsByTrait {
  const out = Object.fromEntries(TRAITS.map((t) => [t, [] as string[]])) as Record<ActionTrait, string[]>;
  for (const name of actions) {
    const info = getAction(name);
    if (!info) continue;
    const bits = traitsOfInfo(info);
    if (bits === 0) continue;
    for (const t of TRAITS) if (bits & TRAIT_BITS[t]) out[t].push(info.action);
  }
  return out;
}

/**
 * Union of per-pattern results (each pattern is classified once, whatever list it appears in), in
 * pattern order. Patterns of different services cannot overlap, so only same-service patterns
 * (and wildcard services) pay for de-duplication.
 */
function union(patterns: readonly string[]): ActionsByTrait {
  const groups = new Map<string, string[]>();
  for (const p of patterns) {
    const colon = p.indexOf(':');
    const service = colon > 0 && !hasWildcard(p.slice(0, colon)) ? p.slice(0, colon).toLowerCase() : '*';
    const g = groups.get(service);
    if (g) g.push(p);
    else groups.set(service, [p]);
  }
  if (groups.has('*')) return dedupe(patterns.map((p) => actionsByTrait([p])));
  const out = {} as Record<ActionTrait, string[]>;
  for (const t of TRAITS) out[t] = [];
  for (const g of groups.values()) {
    const part = g.length === 1 ? actionsByTrait(g) : dedupe(g.map((p) => actionsByTrait([p])));
    for (const t of TRAITS) if (part[t].length > 0) out[t].push(...part[t]);
  }
  return out;
}

function dedupe(parts: readonly ActionsByTrait[]): ActionsByTrait {
  const out = {} as Record<ActionTrait, readonly string[]>;
  for (const t of TRAITS) {
    const nonEmpty = parts.filter((p) => p[t].length > 0);
    out[t] = nonEmpty.length <= 1 ? (nonEmpty[0]?.[t] ?? []) : [...new Set(nonEmpty.flatMap((p) => p[t]))];
  }
  return out;
}

/**
 * The actions an `Action` list (or with `not`, a `NotAction` list) covers, by trait. Cached per
 * pattern and per list, so the catalog-wide walk of `*` or of a NotAction happens once.
 */
export function actionsByTrait(patterns: readonly string[], not = false): ActionsByTrait {
  if (patterns.length === 0) return not ? actionsByTrait(['*']) : EMPTY;
  if (not) {
    const key = '!' + patterns.map((p) => p.toLowerCase()).join('\n');
    return listCache.get(key, () => classify(expandActionPatterns(patterns, { not: true })));
  }
  if (patterns.length === 1) return patternCache.get(patterns[0].toLowerCase(), () => classify(expandPatternCached(patterns[0])));
  if (patterns.includes('*')) return actionsByTrait(['*']);
  const key = patterns.map((p) => p.toLowerCase()).join('\n');
  return listCache.get(key, () => union(patterns));
}

const byStatement = new WeakMap<NormalizedStatement, ActionsByTrait>();

/** `actionsByTrait` of a statement's Action or NotAction element. */
export function statementActionsByTrait(stmt: NormalizedStatement): ActionsByTrait {
  let hit = byStatement.get(stmt);
  if (!hit) {
    hit = stmt.action ? actionsByTrait(stmt.action) : stmt.notAction ? actionsByTrait(stmt.notAction, true) : EMPTY;
    byStatement.set(stmt, hit);
  }
  return hit;
}

function hasConditions(stmt: NormalizedStatement): boolean {
  for (const block of Object.values(stmt.condition ?? {})) if (Object.keys(block).length > 0) return true;
  return false;
}

/** True when `Resource` says `*` or the statement uses `NotResource` (all but a few resources). */
export function appliesToEveryResource(stmt: NormalizedStatement): boolean {
  return stmt.notResource !== undefined || (stmt.resource?.includes('*') ?? false);
}

/**
 * An Allow statement that grants its actions with no limit: on every resource (`*` or a
 * NotResource) and without a condition. The risk rules look only at these; a condition or a named
 * resource is a limit a reviewer chose, and judging it needs the account (the access review does).
 */
export function isUnconstrainedAllow(stmt: NormalizedStatement): boolean {
  return stmt.effect === 'Allow' && appliesToEveryResource(stmt) && !hasConditions(stmt);
}

/** What the unconditional Deny statements of a policy take away. */
export interface DenyFilter {
  /** For a canonical action name (`iam:PassRole`). */
  denies(action: string): boolean;
  /** `actions` without the denied ones (the same array when none is denied). */
  filter(actions: readonly string[]): readonly string[];
}

/**
 * The Deny statements of a policy that remove actions outright (no condition, `Resource: "*"`);
 * undefined when there are none (the usual case, and then no action needs checking).
 * `Allow *` next to `Deny iam:*` grants no IAM escalation.
 */
export function unconditionalDenies(statements: readonly NormalizedStatement[]): DenyFilter | undefined {
  let named: Set<string> | undefined;
  let everything = false;
  const notActions: NormalizedStatement[] = [];
  for (const s of statements) {
    if (s.effect !== 'Deny' || hasConditions(s) || !(s.resource?.includes('*') ?? false)) continue;
    if (s.notAction) notActions.push(s);
    for (const p of s.action ?? []) {
      if (p === '*') {
        everything = true;
        continue;
      }
      named ??= new Set();
      for (const a of expandPatternCached(p)) named.add(a);
    }
  }
  if (!everything && !named && notActions.length === 0) return undefined;
  return {
    // `action` in its canonical case, as expansion returns it.
    denies: (action) => everything || (named?.has(action) ?? false) || notActions.some((d) => statementCoversAction(d, action)),
    filter(actions) {
      if (everything) return [];
      const out = actions.filter((a) => !(named?.has(a) ?? false) && !notActions.some((d) => statementCoversAction(d, a)));
      return out.length === actions.length ? actions : out;
    },
  };
}
