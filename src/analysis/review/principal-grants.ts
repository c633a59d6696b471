/**
 * What a principal's Allow statements grant, before any Deny, boundary, SCP or condition is
 * applied: candidate (resource, capability) groups with the actions that grant each and the
 * statements they come from. Nothing is evaluated here; `access-review.ts` asks the engine only
 * about these candidates.
 *
 * The work per managed-policy statement (action expansion, resource types, capabilities) is done
 * once per review and shared by every principal the policy is attached to.
 */
import { hasWildcard } from '../../core/catalog/index.js';
import type { AccountIndex, AccountPrincipal, AccountRole } from '../account/index.js';
import type { Capability } from '../capabilities/capability.js';
import { actionCapabilities } from './action-capabilities.js';
import { arnService, foldResource, ReviewResources } from './review-resources.js';
import { parseStatements, type ParsedStatement } from './review-statements.js';
import type { ResourceKind, ReviewStatement } from './review-types.js';

/** One statement's grant on one resource entry for one capability of one service. */
interface Contribution {
  service: string;
  capability: Capability;
  /** The row's resource (folded), and the entry as written, which the engine is asked about. */
  resource: string;
  raw: string;
  kind: ResourceKind;
  resourceType: string;
  actions: readonly string[];
}

/** One statement's grant inside a group: the actions it grants on the entry `raw`. */
export interface GroupPart {
  /** The resource entry as written (substituted), which the engine is asked about. */
  raw: string;
  /** Sorted, shared with the statement's cached contribution: never modify. */
  actions: readonly string[];
  statement: ParsedStatement;
}

export interface GrantGroup {
  service: string;
  capability: Capability;
  resource: string;
  kind: ResourceKind;
  resourceType: string;
  parts: GroupPart[];
  /** The decision needs a resource policy: the role's trust policy, or a KMS key policy. */
  resourcePolicy?: 'trust' | 'kms';
}

export interface PrincipalStatements {
  allows: ParsedStatement[];
  denies: ParsedStatement[];
}

const ENTITY_TYPES: Record<string, string> = { user: 'iam:user', role: 'iam:role', group: 'iam:group', policy: 'iam:policy' };

/** Values of the policy variables known for a principal; others make the entry match nothing. */
function substituteVariables(entry: string, p: AccountPrincipal, accountId: string): string | undefined {
  let unknown = false;
  const out = entry.replace(/\$\{([^}]*)\}/g, (_m, name: string) => {
    const key = name.toLowerCase();
    if (key === '*' || key === '?' || key === '$') return name;
    if (key === 'aws:username' && p.kind === 'user') return p.name;
    if (key === 'aws:userid') return p.kind === 'user' ? p.id : `${p.id}:*`;
    if (key === 'aws:principalaccount') return accountId;
    if (key.startsWith('aws:principaltag/')) {
      const tag = p.tags.find((t) => t.key.toLowerCase() === key.slice('aws:principaltag/'.length));
      if (tag) return tag.value;
    }
    unknown = true;
    return '';
  });
  return unknown ? undefined : out;
}

export class GrantCollector {
  readonly resources = new ReviewResources();
  private readonly managedCache = new Map<string, ParsedStatement[]>();
  private readonly contributions = new WeakMap<ParsedStatement, Contribution[]>();
  private readonly entityTypes = new Map<string, string>();
  private readonly trustGrants = new Map<string, { role: AccountRole; statement: ParsedStatement }[]>();
  private readonly trustToAll: { role: AccountRole; statement: ParsedStatement }[] = [];
  readonly assumeCapabilities = actionCapabilities('sts:AssumeRole');

  constructor(private readonly index: AccountIndex) {
    const model = index.model;
    for (const u of model.users) this.entityTypes.set(u.arn, ENTITY_TYPES.user);
    for (const r of model.roles) this.entityTypes.set(r.arn, ENTITY_TYPES.role);
    for (const g of model.groups) this.entityTypes.set(g.arn, ENTITY_TYPES.group);
    for (const p of model.policies.values()) if (!p.awsManaged) this.entityTypes.set(p.arn, ENTITY_TYPES.policy);
    this.indexTrustPolicies();
  }

  /** The account's users, roles, groups and customer managed policies, with their `iam:` type. */
  get entities(): ReadonlyMap<string, string> {
    return this.entityTypes;
  }

  /** A managed policy's default version, parsed once per review. */
  managedStatements(arn: string): ParsedStatement[] {
    let list = this.managedCache.get(arn);
    if (!list) {
      list = parseStatements(this.index.policy(arn)?.defaultDocument, arn);
      this.managedCache.set(arn, list);
    }
    return list;
  }

  /** Every identity statement of `p`: its own inline and attached policies and its groups'. */
  statementsOf(p: AccountPrincipal): PrincipalStatements {
    const allows: ParsedStatement[] = [];
    const denies: ParsedStatement[] = [];
    const add = (list: ParsedStatement[]) => {
      for (const s of list) (s.allow ? allows : denies).push(s);
    };
    const owners = p.kind === 'user' ? [p, ...this.index.groupsOf(p)] : [p];
    for (const owner of owners) {
      for (const inline of owner.inlinePolicies) add(parseStatements(inline.document, `${owner.arn}#${inline.name}`));
      for (const arn of owner.attachedPolicies) add(this.managedStatements(arn));
    }
    return { allows, denies };
  }

  /** The candidate groups of `p`, keyed by service, resource and capability. */
  collect(p: AccountPrincipal, allows: readonly ParsedStatement[]): Map<string, GrantGroup> {
    const groups = new Map<string, GrantGroup>();
    for (const s of allows) {
      const contributions = s.variables ? this.contribute(s, p) : this.cachedContributions(s);
      for (const c of contributions) this.merge(groups, c, s);
    }
    const trust = [...(this.trustGrants.get(p.arn) ?? []), ...this.trustToAll];
    for (const { role, statement } of trust) {
      for (const capability of this.assumeCapabilities) {
        this.merge(groups, { service: 'sts', capability, resource: role.arn, raw: role.arn, kind: 'entity', resourceType: ENTITY_TYPES.role, actions: ['sts:AssumeRole'] }, statement);
      }
    }
    return groups;
  }

  /**
   * Groups on the resources a boundary names, for a principal whose Allow is on `*`: its access is
   * the intersection, and `*` itself is outside a boundary that names resources.
   */
  boundaryGroups(groups: Map<string, GrantGroup>, boundaryAllows: readonly ParsedStatement[]): void {
    const entries = new Set<string>();
    for (const s of boundaryAllows) for (const r of s.resources) if (r !== '*' && !r.includes('${')) entries.add(r);
    if (entries.size === 0) return;
    for (const g of [...groups.values()]) {
      if (g.kind !== 'service') continue;
      for (const raw of entries) {
        for (const part of g.parts) {
          const actions = part.actions.filter((a) => this.resources.applies(a, g.service, raw));
          if (actions.length) this.merge(groups, this.contribution(g.service, g.capability, raw, actions), part.statement);
        }
      }
    }
  }

  private merge(groups: Map<string, GrantGroup>, c: Contribution, s: ParsedStatement): void {
    const key = groupKey(c);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = newGroup(c)));
    g.parts.push({ raw: c.raw, actions: c.actions, statement: s });
  }

  private cachedContributions(s: ParsedStatement): Contribution[] {
    let list = this.contributions.get(s);
    if (!list) {
      list = this.contribute(s);
      this.contributions.set(s, list);
    }
    return list;
  }

  private contribute(s: ParsedStatement, p?: AccountPrincipal): Contribution[] {
    const out: Contribution[] = [];
    for (const written of s.resources) {
      const raw = p && written.includes('${') ? substituteVariables(written, p, this.index.model.accountId) : written;
      if (raw === undefined) continue;
      const rawService = raw === '*' ? '*' : arnService(raw);
      if (rawService === undefined) continue;
      for (const [service, actions] of s.actions.byService) {
        // Cheap rejection before asking the catalog: an ARN of another service (sts acts on iam roles).
        if (rawService !== '*' && !hasWildcard(rawService) && rawService !== service && this.resources.typesOf(service, raw).size === 0) continue;
        const byCapability = new Map<Capability, string[]>();
        for (const a of actions) {
          if (!this.resources.applies(a, service, raw)) continue;
          for (const cap of actionCapabilities(a)) {
            let list = byCapability.get(cap);
            if (!list) byCapability.set(cap, (list = []));
            list.push(a);
          }
        }
        for (const [capability, list] of byCapability) out.push(this.contribution(service, capability, raw, list));
      }
    }
    return out;
  }

  private contribution(service: string, capability: Capability, raw: string, actions: readonly string[]): Contribution {
    if (raw === '*') return { service, capability, resource: '*', raw, kind: 'service', resourceType: `${service}:*`, actions };
    const resource = foldResource(raw);
    const entityType = this.entityTypes.get(resource);
    if (entityType) return { service, capability, resource, raw, kind: 'entity', resourceType: entityType, actions };
    return { service, capability, resource, raw, kind: hasWildcard(resource) ? 'pattern' : 'named', resourceType: this.resources.displayType(resource), actions };
  }

  /** Roles whose trust policy names a principal of the account (or everyone): AssumeRole candidates. */
  private indexTrustPolicies(): void {
    const known = new Set([...this.index.model.users, ...this.index.model.roles].map((p) => p.arn));
    for (const role of this.index.model.roles) {
      const doc = role.trustPolicy;
      if (typeof doc !== 'object' || doc === null) continue;
      const raw = (doc as Record<string, unknown>).Statement;
      const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
      list.forEach((s, statementIndex) => {
        if (typeof s !== 'object' || s === null) return;
        const st = s as Record<string, unknown>;
        if (st.Effect !== 'Allow' || st.Principal === undefined) return;
        const actions = typeof st.Action === 'string' ? [st.Action] : Array.isArray(st.Action) ? st.Action : [];
        if (!actions.some((a) => typeof a === 'string' && /^(sts:(assumerole|\*)|\*)$/i.test(a))) return;
        const ref: ReviewStatement = { policyId: `${role.arn}#trust`, statementIndex };
        if (typeof st.Sid === 'string' && st.Sid) ref.sid = st.Sid;
        const statement: ParsedStatement = { ref, allow: true, actions: { key: 'sts:assumerole', list: ['sts:AssumeRole'], byService: new Map([['sts', ['sts:AssumeRole']]]) }, resources: [role.arn], conditional: true, variables: false };
        const principal = st.Principal;
        const aws = principal === '*' ? ['*'] : typeof principal === 'object' && principal !== null ? (principal as Record<string, unknown>).AWS : undefined;
        const values = typeof aws === 'string' ? [aws] : Array.isArray(aws) ? aws : [];
        for (const v of values) {
          if (v === '*') this.trustToAll.push({ role, statement });
          else if (typeof v === 'string' && known.has(v)) {
            let list = this.trustGrants.get(v);
            if (!list) this.trustGrants.set(v, (list = []));
            list.push({ role, statement });
          }
        }
      });
    }
  }
}

function groupKey(c: { service: string; resource: string; capability: string }): string {
  return `${c.service}\0${c.resource}\0${c.capability}`;
}

function newGroup(c: Contribution): GrantGroup {
  const g: GrantGroup = { service: c.service, capability: c.capability, resource: c.resource, kind: c.kind, resourceType: c.resourceType, parts: [] };
  if (c.service === 'sts' && (c.kind === 'entity' || c.kind === 'pattern') && /:role\//.test(c.resource)) g.resourcePolicy = 'trust';
  else if (c.service === 'kms' && /^arn:[^:]+:kms:[^:]*:[^:]*:key\//.test(c.resource)) g.resourcePolicy = 'kms';
  return g;
}
