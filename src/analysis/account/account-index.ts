/**
 * Answers "can this principal of the account do this action on this resource?" with the real
 * policy engine, without a request in hand.
 *
 * A request's context is unknown ahead of time, so each question gets two evaluations:
 * - the lower bound: Allow statements that depend on request facts (source IP, MFA, tags on the
 *   request, ExternalId...) are left out, and Deny statements lose those conditions (they apply
 *   whatever the request says). An Allow here holds for every request: `allowed`.
 * - the upper bound: Allow statements lose their request-dependent conditions and such Deny
 *   statements are left out. An Allow here only holds for some requests: `conditional`.
 * Conditions on what is known of the principal (`aws:PrincipalArn`, `aws:PrincipalTag/*`,
 * `aws:userid`, `aws:username`, `aws:PrincipalAccount`, `aws:PrincipalType`) are evaluated
 * exactly in both.
 *
 * Roles are evaluated as a session of the role (the engine's assumed-role principal, the role's
 * ARN as `aws:PrincipalArn`); `sts:AssumeRole*` on a role takes the role's trust policy as the
 * resource policy, as AWS does.
 */
import { CompiledPolicy, compilePolicy, evaluate, type AuthzRequest, type ContextValue, type Decision, type PolicyLayer, type PolicySets } from '../../core/policy/index.js';
import type { AccountGroup, AccountModel, AccountPrincipal, AccountRole, AccountUser, ManagedPolicy } from './account-model.js';

export type Access = 'allowed' | 'conditional' | 'denied';

export interface AccessDecision {
  access: Access;
  /** The engine's decision for the bound that gave `access` (the upper bound for `denied`). */
  decision: Decision;
}

export interface DecideOptions {
  /** A resource policy to apply (a bucket policy...); a role's trust policy is found on its own. */
  resourcePolicy?: unknown;
  /** The account owning the resource, when not the principal's. */
  resourceAccount?: string;
  /**
   * Request facts known for this question (`iam:PassedToService`...), added to the principal's
   * context: conditions on these keys are evaluated exactly in both bounds.
   */
  context?: Record<string, ContextValue>;
}

type Bound = 'lower' | 'upper';

/** A bound and the request keys known for a question (lowercase): what the rewriting keeps. */
interface BoundKey {
  bound: Bound;
  known?: ReadonlySet<string>;
  /** Cache key part: the known keys, sorted. */
  id: string;
}

function boundKey(bound: Bound, context: Record<string, ContextValue> | undefined): BoundKey {
  const keys = context ? Object.keys(context).map((k) => k.toLowerCase()).filter((k) => !isPrincipalKey(k)).sort() : [];
  return keys.length ? { bound, known: new Set(keys), id: `${bound}+${keys.join(',')}` } : { bound, id: bound };
}

/** The session name given to a role when it is evaluated as a session of itself. */
export const ANALYSIS_SESSION_NAME = 'gatehouse-analysis';

const PRINCIPAL_KEYS = new Set(['aws:principalarn', 'aws:principalaccount', 'aws:principaltype', 'aws:userid', 'aws:username']);

/** A condition key the analysis knows the value of for every principal. */
function isPrincipalKey(key: string): boolean {
  const k = key.toLowerCase();
  return PRINCIPAL_KEYS.has(k) || k.startsWith('aws:principaltag/');
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The document of one bound: statements rewritten as the file comment says. Anything not a
 * well-formed document is returned as is (the compiler then grants nothing from it).
 */
export function boundDocument(doc: unknown, bound: Bound, knownKeys?: ReadonlySet<string>): unknown {
  if (!isObj(doc)) return doc;
  const raw = doc.Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const out: unknown[] = [];
  for (const s of statements) {
    if (!isObj(s) || !isObj(s.Condition)) {
      out.push(s);
      continue;
    }
    let requestDependent = false;
    const kept: Record<string, Record<string, unknown>> = {};
    for (const [op, entries] of Object.entries(s.Condition)) {
      if (!isObj(entries)) continue;
      for (const [key, values] of Object.entries(entries)) {
        if (isPrincipalKey(key) || knownKeys?.has(key.toLowerCase())) (kept[op] ??= {})[key] = values;
        else requestDependent = true;
      }
    }
    if (!requestDependent) {
      out.push(s);
      continue;
    }
    const allow = s.Effect === 'Allow';
    // lower: drop request-dependent Allows, widen Denies; upper: widen Allows, drop such Denies.
    if (allow === (bound === 'lower')) continue;
    const { Condition: _dropped, ...rest } = s;
    out.push(Object.keys(kept).length ? { ...rest, Condition: kept } : rest);
  }
  return { ...doc, Statement: out };
}

export class AccountIndex {
  private readonly userByName = new Map<string, AccountUser>();
  private readonly roleByName = new Map<string, AccountRole>();
  private readonly groupByName = new Map<string, AccountGroup>();
  private readonly byArn = new Map<string, AccountPrincipal | AccountGroup>();
  private readonly managed = new Map<string, CompiledPolicy>();
  private readonly sets = new Map<string, PolicySets>();
  private readonly trust = new Map<string, CompiledPolicy>();
  private readonly contexts = new Map<string, Record<string, ContextValue>>();
  private readonly scpLevels = new Map<string, CompiledPolicy[][]>();

  constructor(readonly model: AccountModel) {
    for (const u of model.users) this.userByName.set(u.name.toLowerCase(), u);
    for (const r of model.roles) this.roleByName.set(r.name.toLowerCase(), r);
    for (const g of model.groups) this.groupByName.set(g.name.toLowerCase(), g);
    for (const p of [...model.users, ...model.roles, ...model.groups]) this.byArn.set(p.arn, p);
  }

  /** Users, then roles. */
  principals(): AccountPrincipal[] {
    return [...this.model.users, ...this.model.roles];
  }

  user(name: string): AccountUser | undefined {
    return this.userByName.get(name.toLowerCase());
  }

  role(name: string): AccountRole | undefined {
    return this.roleByName.get(name.toLowerCase());
  }

  group(name: string): AccountGroup | undefined {
    return this.groupByName.get(name.toLowerCase());
  }

  /** A user, role or group by ARN. */
  entity(arn: string): AccountPrincipal | AccountGroup | undefined {
    return this.byArn.get(arn);
  }

  policy(arn: string): ManagedPolicy | undefined {
    return this.model.policies.get(arn);
  }

  /** The groups a user is in (those the model describes). */
  groupsOf(user: AccountUser): AccountGroup[] {
    return user.groups.flatMap((g) => this.group(g) ?? []);
  }

  /** The principal string the engine sees: the user's ARN, or a session of the role. */
  requestPrincipal(p: AccountPrincipal): string {
    if (p.kind === 'user') return p.arn;
    return `arn:${this.model.partition}:sts::${this.accountOf(p)}:assumed-role/${p.name}/${ANALYSIS_SESSION_NAME}`;
  }

  /** What is known of a principal in every request: the `aws:Principal*` keys, its tags. */
  principalContext(p: AccountPrincipal): Record<string, ContextValue> {
    let ctx = this.contexts.get(p.arn);
    if (ctx) return ctx;
    ctx = {
      'aws:PrincipalArn': p.arn,
      'aws:PrincipalAccount': this.accountOf(p),
      'aws:PrincipalType': p.kind === 'user' ? 'User' : 'AssumedRole',
      'aws:userid': p.kind === 'user' ? p.id : `${p.id}:${ANALYSIS_SESSION_NAME}`,
    };
    if (p.kind === 'user') ctx['aws:username'] = p.name;
    for (const t of p.tags) ctx[`aws:PrincipalTag/${t.key}`] = t.value;
    this.contexts.set(p.arn, ctx);
    return ctx;
  }

  /** Decides one question for one principal; see the file comment for the two bounds. */
  decide(p: AccountPrincipal, action: string, resource: string, options: DecideOptions = {}): AccessDecision {
    const request: AuthzRequest = {
      principal: this.requestPrincipal(p),
      action,
      resource,
      context: options.context ? { ...this.principalContext(p), ...options.context } : this.principalContext(p),
    };
    const lower = evaluate(request, this.policySets(p, boundKey('lower', options.context), action, resource, options));
    if (lower.decision === 'Allow') return { access: 'allowed', decision: lower };
    const upper = evaluate(request, this.policySets(p, boundKey('upper', options.context), action, resource, options));
    return { access: upper.decision === 'Allow' ? 'conditional' : 'denied', decision: upper };
  }

  /** The compiled policies of one bound that apply to `p` acting on `resource`. */
  policySets(p: AccountPrincipal, bound: BoundKey, action: string, resource: string, options: DecideOptions = {}): PolicySets {
    const base = this.principalSets(p, bound);
    let resourcePolicy: CompiledPolicy | null = null;
    if (options.resourcePolicy !== undefined) resourcePolicy = compilePolicy(boundDocument(options.resourcePolicy, bound.bound, bound.known), { id: 'resource-policy', layer: 'resource' });
    else if (/^sts:assumerole/i.test(action)) {
      const target = this.byArn.get(resource);
      if (target?.kind === 'role') resourcePolicy = this.trustPolicy(target, bound);
    }
    const resourceAccount = options.resourceAccount ?? null;
    if (!resourcePolicy && resourceAccount === null) return base;
    return { ...base, resource: resourcePolicy, resourceAccount };
  }

  /** A role's trust policy of one bound. */
  trustPolicy(role: AccountRole, bound: Bound | BoundKey): CompiledPolicy {
    const b = typeof bound === 'string' ? boundKey(bound, undefined) : bound;
    const key = `${b.id}|${role.arn}`;
    let compiled = this.trust.get(key);
    if (!compiled) {
      compiled = compilePolicy(boundDocument(role.trustPolicy, b.bound, b.known), { id: `${role.arn}#trust`, layer: 'resource' });
      this.trust.set(key, compiled);
    }
    return compiled;
  }

  /** Forgets compiled policies: call after changing the model in place (what-if analyses). */
  invalidate(): void {
    this.managed.clear();
    this.sets.clear();
    this.trust.clear();
    this.contexts.clear();
    this.scpLevels.clear();
  }

  private accountOf(p: { arn: string }): string {
    return /^arn:[^:]+:iam::(\d{12}):/.exec(p.arn)?.[1] ?? this.model.accountId;
  }

  private principalSets(p: AccountPrincipal, bound: BoundKey): PolicySets {
    const key = `${bound.id}|${p.arn}`;
    let sets = this.sets.get(key);
    if (sets) return sets;
    const identity: CompiledPolicy[] = [];
    const add = (owner: AccountPrincipal | AccountGroup) => {
      for (const inline of owner.inlinePolicies) identity.push(compilePolicy(boundDocument(inline.document, bound.bound, bound.known), { id: `${owner.arn}#${inline.name}`, layer: 'identity' }));
      for (const arn of owner.attachedPolicies) {
        const compiled = this.managedPolicy(arn, bound, 'identity');
        if (compiled) identity.push(compiled);
      }
    };
    add(p);
    if (p.kind === 'user') for (const g of this.groupsOf(p)) add(g);
    const boundary = p.permissionsBoundary ? this.managedPolicy(p.permissionsBoundary, bound, 'boundary') : undefined;
    // One per-action index for the principal's whole identity layer: evaluation stays one lookup.
    sets = { identity: identity.length > 1 ? [CompiledPolicy.merge(p.arn, identity)] : identity, boundary: boundary ?? null, scps: this.scps(bound) };
    this.sets.set(key, sets);
    return sets;
  }

  private managedPolicy(arn: string, bound: BoundKey, layer: PolicyLayer): CompiledPolicy | undefined {
    const key = `${bound.id}|${layer}|${arn}`;
    let compiled = this.managed.get(key);
    if (compiled) return compiled;
    const policy = this.model.policies.get(arn);
    if (!policy || policy.defaultDocument === undefined) return undefined;
    compiled = compilePolicy(boundDocument(policy.defaultDocument, bound.bound, bound.known), { id: arn, layer });
    this.managed.set(key, compiled);
    return compiled;
  }

  private scps(bound: BoundKey): CompiledPolicy[][] {
    let levels = this.scpLevels.get(bound.id);
    if (!levels) {
      levels = (this.model.scps ?? []).map((level, i) => level.map((doc, j) => compilePolicy(boundDocument(doc, bound.bound, bound.known), { id: `scp[${i}][${j}]`, layer: 'scp', scpLevel: i })));
      this.scpLevels.set(bound.id, levels);
    }
    return levels;
  }
}

