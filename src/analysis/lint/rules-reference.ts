/**
 * Reference checks: what the action catalog can tell about the names a policy uses. These are
 * IAM Access Analyzer's ERROR-class findings that IAM itself accepts when the policy is written
 * (unknown services, actions and condition keys, resources no action can touch), so the policy
 * silently does less than it says.
 */
import {
  actionsOfService,
  getAction,
  getConditionKey,
  getResourceType,
  getService,
  listGlobalConditionKeys,
  listServices,
  resourceTypesOfService,
  serviceExists,
  type ActionInfo,
  type ConditionKeyInfo,
} from '../../core/catalog/index.js';
import { parseConditionOperator } from '../../core/policy/validate-values.js';
import type { LintRule, NormalizedStatement } from './lint-types.js';
import { conditionUses, elementPath, expandPatternCached, quote } from './statement-helpers.js';
import { closestMatch } from './did-you-mean.js';
import { formatsOfArnService, resourceTypesMatching, typeId } from './arn-formats.js';
import { MemoTable } from '../../core/memo-table.js';

const ALL_KINDS = ['identity', 'resource', 'trust', 'boundary', 'scp', 'session'] as const;

const hasWild = (s: string): boolean => s.includes('*') || s.includes('?');

/** What the catalog says of one Action / NotAction entry; cached per entry text. */
interface PatternFacts {
  /** `service:Name` split at its single colon; undefined for what the validator rejects. */
  service?: string;
  name?: string;
  serviceKnown: boolean;
  /** The service part has a wildcard (the validator's finding), or the entry is `*`. */
  anyService: boolean;
  /** Catalog actions the entry covers. */
  matches: number;
}

const factsCache = new Map<string, PatternFacts>();
const SERVICE_PART = /^[A-Za-z0-9.-]+$/;

function factsOf(entry: string): PatternFacts {
  let hit = factsCache.get(entry);
  if (hit) return hit;
  const colon = entry.indexOf(':');
  if (entry === '*') hit = { serviceKnown: true, anyService: true, matches: expandPatternCached(entry).length };
  else if (colon <= 0 || colon !== entry.lastIndexOf(':')) hit = { serviceKnown: false, anyService: false, matches: 0 };
  else {
    const service = entry.slice(0, colon);
    if (!SERVICE_PART.test(service)) hit = { serviceKnown: false, anyService: hasWild(service), matches: 0 };
    else {
      const known = serviceExists(service);
      hit = { service, name: entry.slice(colon + 1), serviceKnown: known, anyService: false, matches: known ? expandPatternCached(entry).length : 0 };
    }
  }
  if (factsCache.size >= 20000) factsCache.clear();
  factsCache.set(entry, hit);
  return hit;
}

/** True when every entry names actions of known services without a wildcard in the service. */
function actionsJudgeable(actions: readonly string[]): boolean {
  for (const a of actions) {
    const f = factsOf(a);
    if (f.anyService || f.service === undefined) return false;
  }
  return true;
}

/** Calls `visit` for each Action and NotAction entry of the statements, with a lazy path. */
function forEachActionEntry(statements: readonly NormalizedStatement[], visit: (value: string, facts: PatternFacts, path: () => string) => void): void {
  for (const stmt of statements) {
    for (const element of ['Action', 'NotAction'] as const) {
      const list = element === 'Action' ? stmt.action : stmt.notAction;
      if (!list) continue;
      for (let i = 0; i < list.length; i++) visit(list[i], factsOf(list[i]), () => elementPath(stmt, element, i));
    }
  }
}

let serviceKeys: string[] | undefined;
function allServiceKeys(): string[] {
  return (serviceKeys ??= listServices().map((s) => s.key));
}

export const REF_SERVICE: LintRule = {
  id: 'REF-SERVICE',
  severity: 'error',
  title: 'Unknown service prefix in an action',
  kinds: ALL_KINDS,
  check(ctx) {
    forEachActionEntry(ctx.statements, (value, facts, path) => {
      if (facts.service === undefined || facts.serviceKnown) return;
      const guess = closestMatch(facts.service, allServiceKeys());
      ctx.report({
        id: 'REF-SERVICE',
        severity: 'error',
        path: path(),
        message: `The service prefix ${quote(facts.service)} in ${quote(value)} is not an AWS service, so this entry matches no action.${guess ? ` Did you mean "${guess}"?` : ''}`,
      });
    });
  },
};

export const REF_ACTION: LintRule = {
  id: 'REF-ACTION',
  severity: 'error',
  title: 'Unknown action',
  kinds: ALL_KINDS,
  check(ctx) {
    forEachActionEntry(ctx.statements, (value, facts, path) => {
      const { service, name } = facts;
      if (service === undefined || name === undefined || name === '' || hasWild(name) || !facts.serviceKnown || facts.matches > 0) return;
      const info = getService(service);
      const guess = closestMatch(name, actionsOfService(service).map((a) => a.name));
      ctx.report({
        id: 'REF-ACTION',
        severity: 'error',
        path: path(),
        message: `The action ${quote(value)} does not exist in ${info?.name ?? service}.${guess ? ` Did you mean "${info?.key ?? service}:${guess}"?` : ''}`,
      });
    });
  },
};

export const REF_ACTION_PATTERN_EMPTY: LintRule = {
  id: 'REF-ACTION-PATTERN-EMPTY',
  severity: 'error',
  title: 'Wildcard action pattern that matches no action',
  kinds: ALL_KINDS,
  check(ctx) {
    forEachActionEntry(ctx.statements, (value, facts, path) => {
      const { service, name } = facts;
      if (service === undefined || name === undefined || !hasWild(name) || !facts.serviceKnown || facts.matches > 0) return;
      ctx.report({
        id: 'REF-ACTION-PATTERN-EMPTY',
        severity: 'error',
        path: path(),
        message: `The pattern ${quote(value)} matches none of the ${actionsOfService(service).length} actions of ${getService(service)?.name ?? service}.`,
      });
    });
  },
};

// ---------------------------------------------------------------------------------------------
// REF-RESOURCE-MISMATCH

interface ActionResourceNeeds {
  info: ActionInfo;
  /** Resource type ids the action accepts; empty when it only accepts `*`. */
  types: string[];
}

interface PatternNeeds {
  actions: ActionResourceNeeds[];
  /** Every resource type id any of the actions accepts. */
  types: ReadonlySet<string>;
}

const needsCache = new MemoTable<string, PatternNeeds>(5000);
/** What the actions of an Action pattern accept as resources, cached per pattern. */
function needsOfPattern(pattern: string): PatternNeeds {
  return needsCache.get(pattern.toLowerCase(), () => {
    const actions: ActionResourceNeeds[] = [];
    const types = new Set<string>();
    for (const name of expandPatternCached(pattern)) {
      const info = getAction(name)!;
      const ids = info.resourceTypes.map((rt) => typeId(info.service, rt.name));
      for (const t of ids) types.add(t);
      actions.push({ info, types: ids });
    }
    return { actions, types };
  });
}

function describeNeeds(needs: ActionResourceNeeds): string {
  if (needs.types.length === 0) return `${needs.info.action} does not support resource-level permissions and needs "Resource": "*"`;
  // Required types first, then the simplest formats: what the action is about (ListBucket's bucket, not an access point).
  const placeholders = (format: string | undefined): number => (format ? format.split('${').length : 99);
  const ordered = needs.info.resourceTypes
    .map((rt) => ({ rt, format: getResourceType(needs.info.service, rt.name)?.arnFormats[0] }))
    .sort((a, b) => Number(b.rt.required) - Number(a.rt.required) || placeholders(a.format) - placeholders(b.format));
  const shown = ordered.slice(0, 3).map(({ rt, format }) => (format ? `${rt.name} (${format})` : rt.name));
  const more = needs.info.resourceTypes.length > 3 ? ` or ${needs.info.resourceTypes.length - 3} other types` : '';
  return `${needs.info.action} needs ${shown.join(' or ')}${more}`;
}

function overlaps(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (big.has(x)) return true;
  return false;
}

const catalogArnCache = new MemoTable<string, boolean>(20000);

/** An ARN of a service the catalog has formats for, without a format problem (cached per entry). */
function isCatalogArn(resource: string): boolean {
  return catalogArnCache.get(resource, () => {
    const parts = resource.split(':');
    // An ARN with a format problem is REF-ARN-FORMAT's: one finding is enough.
    return parts.length >= 6 && parts[0] === 'arn' && !hasWildOrVariable(parts[2]) && formatsOfArnService(parts[2]) !== undefined && arnProblem(resource) === undefined;
  });
}

export const REF_RESOURCE_MISMATCH: LintRule = {
  id: 'REF-RESOURCE-MISMATCH',
  severity: 'error',
  title: 'Resource that matches no resource type of the statement\'s actions',
  kinds: ['identity', 'resource', 'boundary', 'scp', 'session'],
  check(ctx) {
    for (const stmt of ctx.statements) {
      const actions = stmt.action;
      const resources = stmt.resource;
      // `*` matches every resource; NotAction / NotResource name what is excluded, not what is used.
      if (!actions || !resources || resources.length === 0 || resources.includes('*')) continue;
      if (!actionsJudgeable(actions)) continue;

      const perEntry = actions.map(needsOfPattern);
      const first = perEntry.find((n) => n.actions.length > 0)?.actions[0];
      if (!first) continue; // unknown actions: REF-ACTION's finding
      // Entries that are no ARN of a service the catalog knows are left to the validator and REF-ARN-FORMAT.
      const matchedTypes = resources.map((r) => (isCatalogArn(r) ? resourceTypesMatching(r) : undefined));
      if (matchedTypes.every((t) => t === undefined)) continue;
      const fits = (needs: PatternNeeds, types: ReadonlySet<string> | undefined): boolean => types === undefined || overlaps(needs.types, types);

      const used = matchedTypes.map((types) => types !== undefined && perEntry.some((n) => fits(n, types)));
      if (!used.some(Boolean)) {
        for (let i = 0; i < resources.length; i++) {
          if (matchedTypes[i] === undefined) continue;
          ctx.report({
            id: 'REF-RESOURCE-MISMATCH',
            severity: 'error',
            path: elementPath(stmt, 'Resource', i),
            message: `The resource ${quote(resources[i])} matches no resource type of the actions in this statement: ${describeNeeds(first)}.`,
          });
        }
        continue;
      }
      // Some resources fit: name each action entry that none of them fits (GetObject + ListBucket on `bucket/*`).
      for (let a = 0; a < actions.length; a++) {
        const needs = perEntry[a];
        if (needs.actions.length === 0 || matchedTypes.some((types) => fits(needs, types))) continue;
        const what = needs.actions.length === 1 ? describeNeeds(needs.actions[0]) : `none of the ${needs.actions.length} actions it covers applies to them; ${describeNeeds(needs.actions[0])}`;
        ctx.report({
          id: 'REF-RESOURCE-MISMATCH',
          severity: 'error',
          path: elementPath(stmt, 'Action', a),
          message: `No resource in this statement fits ${quote(actions[a])}: ${what}.`,
        });
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------
// Condition keys

const serviceKeyCache = new Map<string, string[]>();
/** The condition keys a service documents (for suggestions). */
function keysOfService(service: string): string[] {
  const lower = service.toLowerCase();
  let hit = serviceKeyCache.get(lower);
  if (!hit) {
    const set = new Set<string>();
    const add = (k: string): void => {
      if (k.toLowerCase().startsWith(`${lower}:`)) set.add(k);
    };
    for (const a of actionsOfService(service)) {
      a.conditionKeys.forEach(add);
      for (const rt of a.resourceTypes) rt.conditionKeys.forEach(add);
    }
    for (const rt of resourceTypesOfService(service)) rt.conditionKeys.forEach(add);
    hit = [...set].sort();
    serviceKeyCache.set(lower, hit);
  }
  return hit;
}

function keyPrefix(key: string): string | undefined {
  const colon = key.indexOf(':');
  return colon > 0 && colon < key.length - 1 ? key.slice(0, colon) : undefined;
}

export const REF_CONDKEY: LintRule = {
  id: 'REF-CONDKEY',
  severity: 'error',
  title: 'Unknown condition key',
  kinds: ALL_KINDS,
  check(ctx) {
    for (const use of conditionUses(ctx.statements)) {
      const prefix = keyPrefix(use.key);
      if (!prefix) continue; // the validator reports malformed keys
      const info = getConditionKey(use.key);
      if (prefix.toLowerCase() === 'aws') {
        if (info?.global) continue;
        const guess = closestMatch(use.key, listGlobalConditionKeys().map((k) => k.name));
        const tagHint = /^aws:(Request|Resource|Principal)Tag\/?$/i.test(use.key) ? ' Tag keys need a tag name, such as aws:ResourceTag/team.' : '';
        ctx.report({
          id: 'REF-CONDKEY',
          severity: 'error',
          path: use.path,
          message: `${quote(use.key)} is not a global condition key, so no request ever carries it.${tagHint}${guess && !tagHint ? ` Did you mean "${guess}"?` : ''}`,
        });
        continue;
      }
      // Other prefixes name a service, or an identity provider (`accounts.google.com:aud`, `saml:sub`), which the catalog does not list.
      if (info || !serviceExists(prefix)) continue;
      const guess = closestMatch(use.key, keysOfService(prefix));
      ctx.report({
        id: 'REF-CONDKEY',
        severity: 'error',
        path: use.path,
        message: `${quote(use.key)} is not a condition key of ${getService(prefix)?.name ?? prefix}.${guess ? ` Did you mean "${guess}"?` : ''}`,
      });
    }
  },
};

const actionKeyCache = new Map<string, ReadonlySet<string>>();
/** Lowercase names of the condition keys an action supports, whatever its resource. */
function keysOfAction(info: ActionInfo): ReadonlySet<string> {
  let hit = actionKeyCache.get(info.action);
  if (!hit) {
    const set = new Set<string>();
    for (const k of info.conditionKeys) set.add(k.toLowerCase());
    for (const rt of info.resourceTypes) {
      for (const k of rt.conditionKeys) set.add(k.toLowerCase());
      for (const k of getResourceType(info.service, rt.name)?.conditionKeys ?? []) set.add(k.toLowerCase());
    }
    hit = set;
    actionKeyCache.set(info.action, hit);
  }
  return hit;
}

const patternKeyCache = new MemoTable<string, ReadonlySet<string>>(5000);
/** The union of `keysOfAction` over the actions an Action pattern covers. */
function keysOfPattern(pattern: string): ReadonlySet<string> {
  return patternKeyCache.get(pattern.toLowerCase(), () => {
    const set = new Set<string>();
    for (const name of expandPatternCached(pattern)) for (const k of keysOfAction(getAction(name)!)) set.add(k);
    return set;
  });
}

export const REF_CONDKEY_ACTION: LintRule = {
  id: 'REF-CONDKEY-ACTION',
  severity: 'warning',
  title: 'Service condition key that no action of the statement supports',
  kinds: ALL_KINDS,
  check(ctx) {
    for (const use of conditionUses(ctx.statements)) {
      const actions = use.stmt.action;
      // NotAction and `*` cover every service: any key may apply.
      if (!actions || actions.length === 0 || !actionsJudgeable(actions)) continue;
      const info = getConditionKey(use.key);
      // Global keys (aws:*, and service keys AWS documents as global such as ec2:SourceInstanceARN) apply to every request.
      if (!info || info.global) continue;
      const name = info.name.toLowerCase();
      if (actions.some((a) => keysOfPattern(a).has(name))) continue;
      // Unknown actions are REF-ACTION's; judge only statements whose actions all resolve.
      if (actions.some((a) => factsOf(a).matches === 0)) continue;
      ctx.report({
        id: 'REF-CONDKEY-ACTION',
        severity: 'warning',
        path: use.path,
        message: `No action in this statement supports the condition key ${quote(use.key)}, so requests for them never carry it${use.operator.includes('IfExists') || use.operator.startsWith('Null') ? '' : ' and the condition never matches'}.`,
      });
    }
  },
};

// ---------------------------------------------------------------------------------------------
// REF-TYPE: operator family against the key's documented type

const OPERATOR_KEY_TYPES: Record<string, readonly string[]> = {
  // AWS-COMPAT: String operators compare ARN-valued keys as text, which works.
  string: ['String', 'ARN', 'ArrayOfString', 'ArrayOfARN'],
  numeric: ['Numeric', 'ArrayOfNumeric'],
  date: ['Date', 'ArrayOfDate'],
  bool: ['Bool', 'ArrayOfBool'],
  binary: ['Binary', 'ArrayOfBinary'],
  ip: ['IPAddress', 'ArrayOfIPAddress'],
  arn: ['ARN', 'ArrayOfARN'],
};

const FAMILY_ADVICE: Record<string, string> = {
  String: 'String operators (StringEquals, StringLike...)',
  ARN: 'Arn operators (ArnLike...) or String operators',
  Numeric: 'Numeric operators (NumericEquals, NumericLessThan...)',
  Date: 'Date operators (DateGreaterThan...)',
  Bool: 'Bool',
  Binary: 'BinaryEquals',
  IPAddress: 'IpAddress or NotIpAddress',
};

function typeMatches(opType: string, info: ConditionKeyInfo, key: string): boolean {
  if (opType === 'null') return true;
  const accepted = OPERATOR_KEY_TYPES[opType];
  if (!accepted) return true;
  if (info.types.some((t) => accepted.includes(t))) return true;
  // Some services document ARN-valued keys as String (`...Arn` names): Arn operators work on them.
  return opType === 'arn' && info.types.some((t) => t === 'String' || t === 'ArrayOfString') && /arn$/i.test(key);
}

export const REF_TYPE: LintRule = {
  id: 'REF-TYPE',
  severity: 'warning',
  title: 'Condition operator of the wrong type for its key',
  kinds: ALL_KINDS,
  check(ctx) {
    for (const use of conditionUses(ctx.statements)) {
      const op = parseConditionOperator(use.operator);
      if (!op) continue;
      const info = getConditionKey(use.key);
      if (!info || typeMatches(op.type, info, use.key)) continue;
      const keyType = info.types[0].replace(/^ArrayOf/, '');
      ctx.report({
        id: 'REF-TYPE',
        severity: 'warning',
        path: use.path,
        message: `${op.base} compares ${op.type === 'ip' ? 'IP addresses' : op.type === 'arn' ? 'ARNs' : `${op.type} values`}, but ${quote(use.key)} is a ${info.types.join('/')} key; use ${FAMILY_ADVICE[keyType] ?? 'an operator of its type'}.`,
      });
    }
  },
};

// ---------------------------------------------------------------------------------------------
// REF-ARN-FORMAT beyond the validator's checks

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;

function hasWildOrVariable(s: string): boolean {
  return hasWild(s) || s.includes('${');
}

const arnProblemCache = new MemoTable<string, string | undefined>(20000);

/** The first problem of an ARN's service, region or account segment against the catalog's formats (cached). */
function arnProblem(resource: string): string | undefined {
  return arnProblemCache.get(resource, () => findArnProblem(resource));
}

function findArnProblem(resource: string): string | undefined {
  const parts = resource.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined; // the validator's territory
  const [, , service, region, account] = parts;
  if (hasWildOrVariable(service)) return undefined;
  const formats = formatsOfArnService(service);
  if (!formats) return undefined;
  if (service !== service.toLowerCase()) {
    return `The service in an ARN is lowercase: write "${service.toLowerCase()}", as ${quote(resource)} never matches a real ARN.`;
  }
  if (region !== '' && !hasWildOrVariable(region)) {
    if (!formats.allowsRegion) return `${service} ARNs have no region: remove ${quote(region)} (write "arn:${parts[1]}:${service}::...").`;
    if (!REGION.test(region)) return `${quote(region)} is not an AWS Region code such as us-east-1.`;
  } else if (region === '' && formats.requiresRegion) {
    return `${service} ARNs include a Region, such as us-east-1 (or * for any); without one the ARN matches nothing.`;
  }
  if (account !== '' && !hasWildOrVariable(account)) {
    if (!formats.allowsAccount) return `${service} ARNs have no account ID: remove ${quote(account)}.`;
    // `aws` owns AWS-managed policies and similar shared resources.
    if (!ACCOUNT.test(account) && account !== 'aws') return `${quote(account)} is not a 12-digit account ID.`;
  } else if (account === '' && formats.requiresAccount) {
    return `${service} ARNs include the account ID (or * for any); without one the ARN matches nothing.`;
  }
  return undefined;
}

export const REF_ARN_FORMAT: LintRule = {
  id: 'REF-ARN-FORMAT',
  severity: 'error',
  title: 'ARN that does not fit its service\'s formats',
  kinds: ALL_KINDS,
  check(ctx) {
    for (const stmt of ctx.statements) {
      for (const element of ['Resource', 'NotResource'] as const) {
        const list = element === 'Resource' ? stmt.resource : stmt.notResource;
        if (!list) continue;
        for (let i = 0; i < list.length; i++) {
          const problem = arnProblem(list[i]);
          if (problem) ctx.report({ id: 'REF-ARN-FORMAT', severity: 'error', path: elementPath(stmt, element, i), message: problem });
        }
      }
    }
  },
};

export const REFERENCE_RULES: readonly LintRule[] = [
  REF_SERVICE,
  REF_ACTION,
  REF_ACTION_PATTERN_EMPTY,
  REF_RESOURCE_MISMATCH,
  REF_CONDKEY,
  REF_CONDKEY_ACTION,
  REF_TYPE,
  REF_ARN_FORMAT,
];
