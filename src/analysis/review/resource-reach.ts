/**
 * The resource side of the review: for every known resource of the account (its IAM entities and
 * the concrete ARNs its policies name), how many principals reach it per capability, counting the
 * rows on the resource itself, the patterns that match it and the `*` rows of its service. Also
 * how many known resources each principal can administer. Counting only: nothing is evaluated
 * again, so a Deny naming one resource inside a pattern or `*` grant is not seen here.
 */
import { compileGlob } from '../../core/policy/glob.js';
import { CAPABILITY_NAMES, type Capability } from '../capabilities/capability.js';
import { arnService } from './review-resources.js';
import type { AccessRow, ResourceSummary } from './review-types.js';

export interface KnownResource {
  resource: string;
  kind: 'entity' | 'named';
  resourceType: string;
}

export interface ReachResult {
  resources: ResourceSummary[];
  /** Known resources each principal can administer. */
  administers: Map<string, number>;
  /** Per resource, the principals per capability that are not administrators. */
  nonAdminByCapability: Map<string, Record<Capability, number>>;
}

type CapSets = Map<Capability, Set<string>>;

function addTo(map: Map<string, CapSets>, key: string, cap: Capability, principal: string): void {
  let caps = map.get(key);
  if (!caps) map.set(key, (caps = new Map()));
  let set = caps.get(cap);
  if (!set) caps.set(cap, (set = new Set()));
  set.add(principal);
}

/** The services whose `*` rows reach a resource: its ARN's, and `sts` for a role (AssumeRole). */
function servicesOf(resource: string): string[] {
  const service = arnService(resource) ?? '';
  return service === 'iam' && /^arn:[^:]+:iam::[^:]*:role\//.test(resource) ? ['iam', 'sts'] : [service];
}

/** Index of the first element of sorted `list` not below `value`. */
function lowerBound(list: readonly string[], value: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function resourceReach(rows: readonly AccessRow[], known: readonly KnownResource[], admins: ReadonlySet<string>): ReachResult {
  const star = new Map<string, CapSets>();
  const direct = new Map<string, CapSets>();
  const patterns = new Map<string, { principal: string; capability: Capability }[]>();
  for (const r of rows) {
    if (r.resourceKind === 'service') addTo(star, r.service, r.capability, r.principal);
    else if (r.resourceKind === 'pattern') {
      let list = patterns.get(r.resource);
      if (!list) patterns.set(r.resource, (list = []));
      list.push({ principal: r.principal, capability: r.capability });
    } else addTo(direct, r.resource, r.capability, r.principal);
  }
  // Patterns reach the known resources they match: search only the range sharing their literal prefix.
  const sorted = known.map((k) => k.resource).sort();
  for (const [pattern, grants] of patterns) {
    const cut = pattern.search(/[*?]/);
    const prefix = cut < 0 ? pattern : pattern.slice(0, cut);
    const matches = compileGlob(pattern);
    for (let i = lowerBound(sorted, prefix); i < sorted.length && sorted[i].startsWith(prefix); i++) {
      if (!matches(sorted[i])) continue;
      for (const g of grants) addTo(direct, sorted[i], g.capability, g.principal);
    }
  }

  // The `*` principals per combination of services, per capability and for any capability.
  const baseCache = new Map<string, { caps: CapSets; any: Set<string> }>();
  const base = (services: string[]) => {
    const key = services.join(',');
    let b = baseCache.get(key);
    if (b) return b;
    const caps: CapSets = new Map();
    const any = new Set<string>();
    for (const s of services) {
      for (const [cap, set] of star.get(s) ?? []) {
        let union = caps.get(cap);
        if (!union) caps.set(cap, (union = services.length === 1 ? set : new Set()));
        if (union !== set) for (const p of set) union.add(p);
        for (const p of set) any.add(p);
      }
    }
    b = { caps, any };
    baseCache.set(key, b);
    return b;
  };
  const nonAdminCache = new Map<Set<string>, number>();
  const nonAdminOf = (set: Set<string>) => {
    let n = nonAdminCache.get(set);
    if (n === undefined) {
      n = 0;
      for (const p of set) if (!admins.has(p)) n++;
      nonAdminCache.set(set, n);
    }
    return n;
  };

  const resources: ResourceSummary[] = [];
  const administers = new Map<string, number>();
  const nonAdminByCapability = new Map<string, Record<Capability, number>>();
  for (const k of [...known].sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0))) {
    const b = base(servicesOf(k.resource));
    const own = direct.get(k.resource);
    const byCapability = {} as Record<Capability, number>;
    const nonAdminCaps = {} as Record<Capability, number>;
    for (const cap of CAPABILITY_NAMES) {
      const starSet = b.caps.get(cap);
      let n = starSet?.size ?? 0;
      let m = starSet ? nonAdminOf(starSet) : 0;
      for (const p of own?.get(cap) ?? []) {
        if (starSet?.has(p)) continue;
        n++;
        if (!admins.has(p)) m++;
      }
      byCapability[cap] = n;
      nonAdminCaps[cap] = m;
    }
    nonAdminByCapability.set(k.resource, nonAdminCaps);
    let principals = b.any.size;
    let nonAdminPrincipals = nonAdminOf(b.any);
    const extra = new Set<string>();
    for (const set of own?.values() ?? []) for (const p of set) if (!b.any.has(p)) extra.add(p);
    principals += extra.size;
    for (const p of extra) if (!admins.has(p)) nonAdminPrincipals++;
    for (const p of b.caps.get('administer-resource') ?? []) administers.set(p, (administers.get(p) ?? 0) + 1);
    for (const p of own?.get('administer-resource') ?? []) {
      if (!b.caps.get('administer-resource')?.has(p)) administers.set(p, (administers.get(p) ?? 0) + 1);
    }
    resources.push({ resource: k.resource, resourceKind: k.kind, resourceType: k.resourceType, principals, nonAdminPrincipals, byCapability });
  }
  return { resources, administers, nonAdminByCapability };
}

