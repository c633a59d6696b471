/**
 * Intent-based policies: from "read-data on this bucket, write-data on that queue" to a minimal,
 * readable identity policy. One statement per resource set, a Sid that says what it is for
 * (`ReadDataAppBucket`), actions sorted, resources exact; wildcards only where one matches
 * exactly the actions listed.
 */
import { expandActionPattern, getAction, hasWildcard } from '../../core/catalog/index.js';
import type { PolicyDocument, StatementDocument } from '../../core/policy/index.js';
import { globMatch } from '../../core/policy/glob.js';
import { CAPABILITIES, capabilityPascalCase, isCapability, type Capability } from './capability.js';
import { capabilityGrants, type CapabilityErrorCode, type Grant } from './capability-grants.js';
import { resolveResource, isResourceError, typesOfPattern } from './resolve-resource.js';

export interface PolicyRequest {
  readonly capability: string;
  readonly resource: string;
}

export interface GenerateOptions {
  /**
   * Also grant the capability's actions that only work on `"Resource": "*"` (s3:ListAllMyBuckets),
   * in a statement of their own. Off by default: they reach every resource of their kind.
   */
  readonly includeUnscoped?: boolean;
}

export interface GenerateError {
  /** Index of the request in the input. */
  readonly index: number;
  readonly capability: string;
  readonly resource: string;
  readonly code: CapabilityErrorCode | 'no-requests';
  readonly message: string;
}

export interface GeneratedPolicy {
  /** The policy for the valid requests (no statements when none was valid). */
  readonly document: PolicyDocument;
  readonly notes: readonly string[];
  readonly errors: readonly GenerateError[];
}

/** Above this many actions of one service in a statement, exact wildcards may shorten the list. */
const EXPLICIT_UP_TO = 10;
/** A wildcard must stand for at least this many actions to be worth it. */
const MIN_WILDCARD_COVER = 3;
const MAX_LABEL = 48;

interface Candidate {
  capabilities: Set<Capability>;
  actions: Set<string>;
  resources: string[];
  /** Named after this resource (the requested ARN). */
  label: string;
  /** Resource type name, to tell apart statements of one request. */
  typeName: string;
}

/** The policy granting `requests`; never throws, reports bad requests in `errors`. */
export function generatePolicy(requests: readonly PolicyRequest[], options: GenerateOptions = {}): GeneratedPolicy {
  const errors: GenerateError[] = [];
  const notes: string[] = [];
  const list = Array.isArray(requests) ? requests : [];
  if (list.length === 0) {
    errors.push({ index: 0, capability: '', resource: '', code: 'no-requests', message: 'no capability was asked for' });
  }

  // What is asked for on each resource, so an action with several capabilities is granted only
  // when all of them are.
  const asked = new Map<string, Capability[]>();
  for (const r of list) {
    if (!r || !isCapability(r.capability) || typeof r.resource !== 'string') continue;
    asked.set(r.resource, [...(asked.get(r.resource) ?? []), r.capability]);
  }

  const candidates: Candidate[] = [];
  const unscoped = new Map<string, Set<Capability>>();
  list.forEach((r, index) => {
    const capability = typeof r?.capability === 'string' ? r.capability : String(r?.capability);
    const resource = typeof r?.resource === 'string' ? r.resource : '';
    const result = capabilityGrants(capability, resource, { together: asked.get(resource) ?? [] });
    if (result.errors.length > 0) {
      for (const e of result.errors) errors.push({ index, capability, resource, code: e.code, message: e.message });
      return;
    }
    const cap = capability as Capability;
    notes.push(...result.notes);
    candidates.push(...statementsOfRequest(cap, resource, result.grants));
    if (result.unscoped.length > 0) {
      if (options.includeUnscoped) {
        for (const a of result.unscoped) unscoped.set(a, (unscoped.get(a) ?? new Set()).add(cap));
      } else {
        const one = result.unscoped.length === 1;
        notes.push(
          `${describeList(result.unscoped)} also ${one ? 'gives' : 'give'} ${cap} but only ${one ? 'works' : 'work'} on "Resource": "*", so ${one ? 'it was' : 'they were'} left out; the include-unscoped option adds ${one ? 'it' : 'them'}.`,
        );
      }
    }
  });

  if (unscoped.size > 0) {
    const caps = new Set<Capability>();
    for (const set of unscoped.values()) for (const c of set) caps.add(c);
    candidates.push({ capabilities: caps, actions: new Set(unscoped.keys()), resources: ['*'], label: 'AllResources', typeName: '' });
    const one = unscoped.size === 1;
    notes.push(
      `${describeList([...unscoped.keys()].sort(compareActions))} only ${one ? 'works' : 'work'} on "Resource": "*": ${one ? 'its' : 'their'} statement reaches every resource of ${one ? 'its' : 'their'} kind in the account.`,
    );
  }

  const statements = mergeAndName(candidates).map(toStatement);
  return { document: { Version: '2012-10-17', Statement: statements }, notes: [...new Set(notes)], errors };
}

function compareActions(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function describeList(actions: readonly string[]): string {
  if (actions.length <= 3) return actions.join(', ');
  return `${actions.slice(0, 2).join(', ')} and ${actions.length - 2} more`;
}

/**
 * One statement for the request when every action can sit beside every resource without being
 * granted more (s3:GetObject on `bucket/*` and s3:ListBucket on `bucket`: GetObject cannot act on
 * a bucket, ListBucket not on an object); otherwise one statement per resource set.
 */
function statementsOfRequest(capability: Capability, resource: string, grants: readonly Grant[]): Candidate[] {
  const label = labelOf(resource);
  const all = [...new Set(grants.flatMap((g) => g.resources))];
  // A wildcard in the requested ARN (`table/*`) can reach sub-resources too: keep sets apart.
  const harmless = !hasWildcard(resource) && grants.every((g) => all.every((r) => g.resources.includes(r) || cannotReach(g.action, r)));
  if (harmless) {
    return [{ capabilities: new Set([capability]), actions: new Set(grants.map((g) => g.action)), resources: all, label, typeName: typeNameOf(resource) }];
  }
  const bySet = new Map<string, Candidate>();
  for (const g of grants) {
    const resources = [...g.resources].sort();
    const key = resources.join('\n');
    const existing = bySet.get(key);
    if (existing) existing.actions.add(g.action);
    else {
      // Named after its most specific resource: the index in {table, table/index/*}.
      const longest = resources.reduce((a, b) => (b.length > a.length ? b : a));
      bySet.set(key, { capabilities: new Set([capability]), actions: new Set([g.action]), resources, label, typeName: typeNameOf(longest) });
    }
  }
  return [...bySet.values()];
}

/** Whether a resource pattern, read as an ARN, is of none of the action's resource types. */
function cannotReach(action: string, pattern: string): boolean {
  const info = getAction(action);
  if (!info) return false;
  const types = typesOfPattern(info.service, pattern);
  if (types.length === 0) return !matchesAnyService(pattern, info.service);
  return !info.resourceTypes.some((rt) => types.includes(rt.name));
}

/** A pattern that is no resource of `service` at all (a bucket ARN beside sts:AssumeRole) reaches nothing of it. */
function matchesAnyService(pattern: string, service: string): boolean {
  const resolved = resolveResource(pattern);
  return !isResourceError(resolved) && resolved.matches.some((m) => m.service === service);
}

function typeNameOf(resource: string): string {
  const resolved = resolveResource(resource);
  return isResourceError(resolved) ? '' : resolved.matches[0].type.name;
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** `arn:aws:s3:::app-bucket` → `AppBucket`; a name starting with a digit gets its type (`Key1234abcd`). */
function labelOf(resource: string): string {
  const colon = resource.split(':');
  const part = colon.slice(5).join(':');
  const segments = part.split(/[/:]/).map((s) => s.replace(/[*?]/g, '')).filter((s) => /[A-Za-z0-9]/.test(s));
  let last = segments[segments.length - 1] ?? '';
  // Secrets Manager appends six random characters to a secret's name.
  if (colon[2] === 'secretsmanager') last = last.replace(/-[A-Za-z0-9]{6}$/, '');
  let label = pascal(last);
  if (label === '' || /^[0-9]/.test(label)) {
    // Generated ids (a KMS key's UUID): the type and the id's first group are enough to tell.
    label = (pascal(typeNameOf(resource)) || 'Resource') + pascal(last.split('-')[0]);
  }
  return label.slice(0, MAX_LABEL);
}

/** Statements with the same resources become one; then each gets a unique Sid. */
function mergeAndName(candidates: readonly Candidate[]): (Candidate & { sid: string })[] {
  const merged: Candidate[] = [];
  for (const c of candidates) {
    const key = [...c.resources].sort().join('\n');
    const same = merged.find((m) => [...m.resources].sort().join('\n') === key);
    if (same) {
      for (const a of c.actions) same.actions.add(a);
      for (const cap of c.capabilities) same.capabilities.add(cap);
    } else merged.push({ ...c, capabilities: new Set(c.capabilities), actions: new Set(c.actions), resources: [...c.resources] });
  }
  const base = merged.map((m) => {
    const caps = CAPABILITIES.filter((c) => m.capabilities.has(c.name)).map((c) => capabilityPascalCase(c.name));
    return caps.join('') + m.label;
  });
  const used = new Set<string>();
  return merged.map((m, i) => {
    let sid = base[i];
    const typeSuffix = pascal(m.typeName);
    if (base.filter((b) => b === sid).length > 1 && typeSuffix && !sid.endsWith(typeSuffix)) sid += typeSuffix;
    let n = 2;
    const stem = sid;
    while (used.has(sid)) sid = `${stem}${n++}`;
    used.add(sid);
    return { ...m, sid };
  });
}

function toStatement(c: Candidate & { sid: string }): StatementDocument {
  const actions = compressActions([...c.actions].sort(compareActions));
  const resources = withoutCovered([...c.resources].sort());
  return {
    Sid: c.sid,
    Effect: 'Allow',
    Action: actions.length === 1 ? actions[0] : actions,
    Resource: resources.length === 1 ? resources[0] : resources,
  };
}

/**
 * Drops the patterns another one of the list already matches (a durable execution pattern
 * beside `function:f:*`): within a statement they add nothing. Sound for covering patterns with
 * `*` only, whose stars absorb the covered pattern's wildcards.
 */
function withoutCovered(resources: readonly string[]): string[] {
  return resources.filter((r) => !resources.some((o) => o !== r && !o.includes('?') && globMatch(o, r)));
}

const WORD_START = /(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/g;

/**
 * Long lists of one service shortened with `service:Prefix*` wildcards, each used only when
 * every action of the catalog it matches is in the list (so it grants nothing more today).
 */
export function compressActions(actions: readonly string[]): string[] {
  const byService = new Map<string, string[]>();
  for (const a of actions) {
    const service = a.slice(0, a.indexOf(':'));
    byService.set(service, [...(byService.get(service) ?? []), a]);
  }
  const out: string[] = [];
  for (const [service, list] of byService) {
    if (list.length <= EXPLICIT_UP_TO) {
      out.push(...list);
      continue;
    }
    const remaining = new Set(list.map((a) => a.toLowerCase()));
    const patterns: string[] = [];
    for (;;) {
      let best: { pattern: string; covers: string[] } | undefined;
      const tried = new Set<string>();
      for (const a of list) {
        if (!remaining.has(a.toLowerCase())) continue;
        const name = a.slice(service.length + 1);
        const cuts = [...[...name.matchAll(WORD_START)].map((m) => m.index), name.length];
        // Prefixes of at least two words (`GetObject*`, never `Get*`).
        for (const cut of cuts.slice(1)) {
          const prefix = name.slice(0, cut);
          if (tried.has(prefix)) continue;
          tried.add(prefix);
          const pattern = `${service}:${prefix}*`;
          const covers = expandActionPattern(pattern);
          if (covers.length < MIN_WILDCARD_COVER || !covers.every((x) => remaining.has(x.toLowerCase()))) continue;
          if (!best || covers.length > best.covers.length || (covers.length === best.covers.length && pattern.length > best.pattern.length)) {
            best = { pattern, covers: [...covers] };
          }
        }
      }
      if (!best) break;
      patterns.push(best.pattern);
      for (const x of best.covers) remaining.delete(x.toLowerCase());
    }
    out.push(...patterns, ...list.filter((a) => remaining.has(a.toLowerCase())));
  }
  return out.sort(compareActions);
}
