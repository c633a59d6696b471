/**
 * A policy from what a principal actually did: the used actions, grouped by service and by the
 * resources they were used on, one statement per group with a Sid that says what it is for
 * (`S3ReadWrite`). Resources stay exact when few, else become the narrowest wildcards covering
 * what was observed (resource-patterns.ts).
 */
import { getAction } from '../../core/catalog/index.js';
import { generalizeResources } from './resource-patterns.js';
import { canonicalAction, usageSince, type UsageRecord } from './usage-record.js';

export interface GeneratedStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string | string[];
  Resource: string | string[];
}

export interface GeneratedPolicyDocument {
  Version: '2012-10-17';
  Statement: GeneratedStatement[];
}

export interface GeneratedStatementInfo {
  sid: string;
  service: string;
  actions: string[];
  resources: string[];
  /** Distinct resources observed for these actions. */
  observedResources: number;
  requests: number;
  /** The resources were widened to wildcards (more were observed than listed). */
  generalized: boolean;
}

export interface PolicyFromUsage {
  /** Null when nothing was used. */
  document: GeneratedPolicyDocument | null;
  statements: GeneratedStatementInfo[];
  /** Usage counted from this time on, when given. */
  since?: string;
  /** Managed-policy quota: 6,144 characters without whitespace. */
  size: number;
  warnings: string[];
}

export interface PolicyFromUsageOptions {
  since?: Date;
  /** Exact resources kept per statement before grouping under wildcards (default 3). */
  maxResources?: number;
}

const LEVEL_WORDS: Record<string, string> = { List: 'List', Read: 'Read', Write: 'Write', 'Permissions management': 'Permissions', Tagging: 'Tagging' };
const LEVEL_ORDER = ['List', 'Read', 'Write', 'Permissions', 'Tagging'];
export const MANAGED_POLICY_MAX_SIZE = 6144;

function pascal(service: string): string {
  return service
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** `S3ReadWrite`: the service and the access levels of the actions. */
function sidFor(service: string, actions: readonly string[]): string {
  const levels = new Set<string>();
  for (const a of actions) for (const l of getAction(a)?.accessLevels ?? []) levels.add(LEVEL_WORDS[l]);
  return pascal(service) + LEVEL_ORDER.filter((l) => levels.has(l)).join('');
}

/** One or a list, as people write policies. */
export function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

/** The policy of what `records` (one principal's usage) did. */
export function policyFromUsage(records: readonly UsageRecord[], options: PolicyFromUsageOptions = {}): PolicyFromUsage {
  const used = usageSince(records, options.since);
  // service → action → resources, requests
  const services = new Map<string, Map<string, { resources: Set<string>; requests: number }>>();
  for (const r of used) {
    const action = canonicalAction(r.action);
    const service = action.slice(0, Math.max(0, action.indexOf(':'))).toLowerCase() || action.toLowerCase();
    let actions = services.get(service);
    if (!actions) services.set(service, (actions = new Map()));
    let acc = actions.get(action);
    if (!acc) actions.set(action, (acc = { resources: new Set(), requests: 0 }));
    acc.resources.add(r.resource);
    acc.requests += r.count;
  }

  const statements: GeneratedStatement[] = [];
  const infos: GeneratedStatementInfo[] = [];
  const sids = new Set<string>();
  for (const service of [...services.keys()].sort()) {
    const actions = services.get(service) as Map<string, { resources: Set<string>; requests: number }>;
    // Actions used on the same resources share a statement.
    const groups = new Map<string, { actions: string[]; resources: string[]; observed: Set<string>; requests: number }>();
    for (const [action, acc] of [...actions].sort(([a], [b]) => a.localeCompare(b))) {
      const resources = generalizeResources(acc.resources, { maxResources: options.maxResources });
      const key = resources.join('\n');
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { actions: [], resources, observed: new Set(), requests: 0 }));
      g.actions.push(action);
      for (const r of acc.resources) g.observed.add(r);
      g.requests += acc.requests;
    }
    for (const g of groups.values()) {
      let sid = sidFor(service, g.actions);
      for (let n = 2; sids.has(sid); n++) sid = `${sidFor(service, g.actions)}${n}`;
      sids.add(sid);
      statements.push({ Sid: sid, Effect: 'Allow', Action: oneOrMany(g.actions), Resource: oneOrMany(g.resources) });
      infos.push({ sid, service, actions: g.actions, resources: g.resources, observedResources: g.observed.size, requests: g.requests, generalized: g.resources.some((r) => r.includes('*')) && !g.observed.has('*') });
    }
  }

  const document: GeneratedPolicyDocument | null = statements.length ? { Version: '2012-10-17', Statement: statements } : null;
  const size = document ? JSON.stringify(document).length : 0;
  const warnings: string[] = [];
  if (!document) warnings.push(options.since ? `no recorded use since ${options.since.toISOString()}` : 'no recorded use');
  if (size > MANAGED_POLICY_MAX_SIZE) warnings.push(`the policy has ${size} characters, over the ${MANAGED_POLICY_MAX_SIZE} of a managed policy: split it or lower --max-resources`);
  const out: PolicyFromUsage = { document, statements: infos, size, warnings };
  if (options.since) out.since = options.since.toISOString();
  return out;
}
