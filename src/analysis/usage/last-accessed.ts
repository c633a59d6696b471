/**
 * Last accessed per principal × service × action, in the spirit of IAM Access Advisor
 * (`GenerateServiceLastAccessedDetails` / `GetServiceLastAccessedDetails`): for every service the
 * principal is granted or used, when it was last used, by how many of its sessions, and which
 * actions were used or are granted and never used.
 */
import { getService } from '../../core/catalog/index.js';
import type { AccountIndex, AccountPrincipal } from '../account/index.js';
import { grantedActions, type GrantedAccess } from './granted-actions.js';
import { resolveUsagePrincipal } from './usage-principal.js';
import { canonicalAction, usageSince, type UsageRecord } from './usage-record.js';

export interface ActionLastAccessed {
  /** `s3:GetObject`. */
  action: string;
  /** How the principal's policies grant it today; `no` when used but not granted now (changed since, or granted by a resource policy). */
  granted: GrantedAccess | 'no';
  /** ISO time of the last recorded use; null when never used. */
  lastAccessedTime: string | null;
  /** The caller of that last use (a role's session ARN for roles). */
  lastAccessedEntity: string | null;
  /** Recorded requests. */
  requestCount: number;
  /** Distinct resources used. */
  resourceCount: number;
}

export interface ServiceLastAccessed {
  /** `s3`. */
  serviceNamespace: string;
  /** `Amazon S3`, from the catalog (the namespace when the catalog does not know it). */
  serviceName: string;
  /** Whether any action of the service is granted today. */
  granted: boolean;
  grantedActionCount: number;
  usedActionCount: number;
  /** As Access Advisor's LastAuthenticated: ISO time, null when never used. */
  lastAuthenticated: string | null;
  lastAuthenticatedEntity: string | null;
  /** As Access Advisor's TotalAuthenticatedEntities: distinct callers (a role's sessions count one each). */
  totalAuthenticatedEntities: number;
  requestCount: number;
  /** Used actions, most recent first. */
  actions: ActionLastAccessed[];
  /** Granted actions never used (in the period), sorted. */
  unusedActions: string[];
}

export interface LastAccessedReport {
  principal: { arn: string; kind: 'user' | 'role'; name: string };
  /** Usage counted from this time on (all recorded usage when absent). */
  since?: string;
  summary: { servicesGranted: number; servicesUsed: number; actionsGranted: number; actionsUsed: number; requests: number };
  /** Used services first (most recent first), then granted unused ones by namespace. */
  services: ServiceLastAccessed[];
}

export interface LastAccessedInput {
  index: AccountIndex;
  principal: AccountPrincipal;
  /** Usage of any principals: the principal's own (its sessions, for a role) are picked out. */
  usage: readonly UsageRecord[];
  since?: Date;
  /** Precomputed `grantedActions(index, principal)`. */
  granted?: Map<string, GrantedAccess>;
}

interface ActionAcc {
  action: string;
  last: string;
  entity: string;
  count: number;
  resources: Set<string>;
}

/** The records made by `principal` (a role's: by any of its sessions). */
export function ownUsage(index: AccountIndex, principal: AccountPrincipal, records: readonly UsageRecord[]): UsageRecord[] {
  const memo = new Map<string, boolean>();
  return records.filter((r) => {
    let mine = memo.get(r.principal);
    if (mine === undefined) memo.set(r.principal, (mine = resolveUsagePrincipal(index, r.principal)?.arn === principal.arn));
    return mine;
  });
}

function serviceOf(action: string): string {
  const colon = action.indexOf(':');
  return (colon < 0 ? action : action.slice(0, colon)).toLowerCase();
}

/** The Access-Advisor-like report of one principal. */
export function lastAccessed(input: LastAccessedInput): LastAccessedReport {
  const { index, principal } = input;
  const granted = input.granted ?? grantedActions(index, principal);
  const own = ownUsage(index, principal, usageSince(input.usage, input.since));
  const used = new Map<string, ActionAcc>();
  for (const r of own) {
    const action = canonicalAction(r.action);
    let acc = used.get(action);
    if (!acc) used.set(action, (acc = { action, last: r.lastSeen, entity: r.principal, count: 0, resources: new Set() }));
    acc.count += r.count;
    acc.resources.add(r.resource);
    if (r.lastSeen > acc.last) {
      acc.last = r.lastSeen;
      acc.entity = r.principal;
    }
  }

  const services = new Map<string, { granted: string[]; used: ActionAcc[]; entities: Set<string> }>();
  const service = (ns: string) => {
    let s = services.get(ns);
    if (!s) services.set(ns, (s = { granted: [], used: [], entities: new Set() }));
    return s;
  };
  for (const action of granted.keys()) service(serviceOf(action)).granted.push(action);
  for (const acc of used.values()) service(serviceOf(acc.action)).used.push(acc);
  for (const r of own) service(serviceOf(r.action)).entities.add(r.principal);

  const out: ServiceLastAccessed[] = [];
  for (const [ns, s] of services) {
    s.used.sort((a, b) => (a.last === b.last ? a.action.localeCompare(b.action) : a.last < b.last ? 1 : -1));
    const last = s.used[0];
    const usedNames = new Set(s.used.map((a) => a.action));
    out.push({
      serviceNamespace: ns,
      serviceName: getService(ns)?.name ?? ns,
      granted: s.granted.length > 0,
      grantedActionCount: s.granted.length,
      usedActionCount: s.used.length,
      lastAuthenticated: last?.last ?? null,
      lastAuthenticatedEntity: last?.entity ?? null,
      totalAuthenticatedEntities: s.entities.size,
      requestCount: s.used.reduce((n, a) => n + a.count, 0),
      actions: s.used.map((a) => ({
        action: a.action,
        granted: granted.get(a.action) ?? 'no',
        lastAccessedTime: a.last,
        lastAccessedEntity: a.entity,
        requestCount: a.count,
        resourceCount: a.resources.size,
      })),
      unusedActions: s.granted.filter((a) => !usedNames.has(a)).sort(),
    });
  }
  out.sort((a, b) => {
    if (a.lastAuthenticated !== b.lastAuthenticated) {
      if (a.lastAuthenticated === null) return 1;
      if (b.lastAuthenticated === null) return -1;
      return a.lastAuthenticated < b.lastAuthenticated ? 1 : -1;
    }
    return a.serviceNamespace.localeCompare(b.serviceNamespace);
  });
  const report: LastAccessedReport = {
    principal: { arn: principal.arn, kind: principal.kind, name: principal.name },
    summary: {
      servicesGranted: out.filter((s) => s.granted).length,
      servicesUsed: out.filter((s) => s.usedActionCount > 0).length,
      actionsGranted: granted.size,
      actionsUsed: used.size,
      requests: out.reduce((n, s) => n + s.requestCount, 0),
    },
    services: out,
  };
  if (input.since) report.since = input.since.toISOString();
  return report;
}
