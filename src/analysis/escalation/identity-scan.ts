/**
 * A cheap look at the statements that apply to a principal, before any evaluation: which actions
 * its identity policies could allow at all, and on which resources. The graph uses it to skip the
 * principals and targets the engine could never allow (a superset, never a decision), to pick a
 * concrete resource for actions on resources the caller names itself (a new function), and to
 * reuse one decision for every target that the same statements match (`signature`).
 */
import type { AccessDecision, AccountIndex, AccountPrincipal } from '../account/index.js';
import { getAction, getResourceType } from '../../core/catalog/index.js';
import { compileGlob, type StringMatcher } from '../../core/policy/glob.js';

interface ResourceSpec {
  /** The pattern as written. */
  raw: string;
  /** Holds a policy variable: resolved per principal. */
  dynamic: boolean;
  /** For static patterns. */
  match?: StringMatcher;
}

interface ScannedStatement {
  allow: boolean;
  matchesAction: (lowerAction: string) => boolean;
  /** Resource (or NotResource) patterns; undefined = any resource. */
  resources?: ResourceSpec[];
  notResource: boolean;
  /** The services an `iam:PassedToService` equality condition admits; undefined = not limited. */
  passedToService?: StringMatcher[];
}

/** Facts of a request known ahead of it, that some statements are conditioned on. */
export interface KnownFacts {
  passedToService?: string;
}

const PRINCIPAL_KEYS = new Set(['aws:principalarn', 'aws:principalaccount', 'aws:principaltype', 'aws:userid', 'aws:username']);

/** A key the account index knows for every principal (as account-index.ts decides them). */
function isPrincipalKey(key: string): boolean {
  const k = key.toLowerCase();
  return PRINCIPAL_KEYS.has(k) || k.startsWith('aws:principaltag/');
}

const docCache = new WeakMap<object, ScannedStatement[]>();
const POSITIVE_STRING_OPS = new Set(['stringequals', 'stringlike', 'stringequalsignorecase', 'stringequalsifexists', 'stringlikeifexists', 'stringequalsignorecaseifexists']);

function asList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

function actionMatcher(patterns: string[], negate: boolean): (a: string) => boolean {
  const ms = patterns.map((p) => compileGlob(p.toLowerCase()));
  return negate ? (a) => !ms.some((m) => m(a)) : (a) => ms.some((m) => m(a));
}

/**
 * The services a statement's `iam:PassedToService` condition admits, when it is a plain equality
 * or StringLike test (the usual way to limit PassRole); undefined when it is absent or anything
 * else (then the engine alone decides).
 */
function passedToServiceOf(condition: unknown): StringMatcher[] | undefined {
  if (typeof condition !== 'object' || condition === null) return undefined;
  let found: StringMatcher[] | undefined;
  for (const [op, entries] of Object.entries(condition as Record<string, unknown>)) {
    if (typeof entries !== 'object' || entries === null) continue;
    for (const [key, values] of Object.entries(entries as Record<string, unknown>)) {
      if (key.toLowerCase() !== 'iam:passedtoservice') continue;
      const list = asList(values);
      if (!POSITIVE_STRING_OPS.has(op.toLowerCase()) || !list) return undefined;
      // Several operators on the key must all hold: keep the first list, a superset of the answer.
      found ??= list.map((v) => compileGlob(v.toLowerCase()));
    }
  }
  return found;
}

/** The statements of one document; anything malformed grants nothing and is skipped. */
function scanDocument(doc: unknown): ScannedStatement[] {
  if (typeof doc !== 'object' || doc === null) return [];
  const cached = docCache.get(doc);
  if (cached) return cached;
  const raw = (doc as { Statement?: unknown }).Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const out: ScannedStatement[] = [];
  for (const s of statements as Record<string, unknown>[]) {
    if (typeof s !== 'object' || s === null || (s.Effect !== 'Allow' && s.Effect !== 'Deny')) continue;
    const actions = asList(s.Action);
    const notActions = asList(s.NotAction);
    if (!actions && !notActions) continue;
    const scanned: ScannedStatement = {
      allow: s.Effect === 'Allow',
      matchesAction: actions ? actionMatcher(actions, false) : actionMatcher(notActions ?? [], true),
      notResource: s.Resource === undefined && s.NotResource !== undefined,
    };
    const passedToService = passedToServiceOf(s.Condition);
    if (passedToService) scanned.passedToService = passedToService;
    const resources = asList(scanned.notResource ? s.NotResource : s.Resource);
    if (resources && !(resources.includes('*') && !scanned.notResource)) {
      scanned.resources = resources.map((r) => (r.includes('${') ? { raw: r, dynamic: true } : { raw: r, dynamic: false, match: compileGlob(r) }));
    }
    out.push(scanned);
  }
  docCache.set(doc, out);
  return out;
}

function docsOf(index: AccountIndex, owners: { inlinePolicies: { document: unknown }[]; attachedPolicies: string[] }[]): unknown[] {
  const docs: unknown[] = [];
  for (const owner of owners) {
    for (const inline of owner.inlinePolicies) docs.push(inline.document);
    for (const arn of owner.attachedPolicies) docs.push(index.policy(arn)?.defaultDocument);
  }
  return docs;
}

interface Relevant {
  statements: ScannedStatement[];
  /** Every resource pattern could be resolved: a signature can stand for the decision. */
  exact: boolean;
}

/** The statements that apply to one principal: its identity policies, its boundary, the SCPs. */
export class IdentityScan {
  private readonly identity: ScannedStatement[] = [];
  private readonly others: ScannedStatement[] = [];
  private readonly allowsByAction = new Map<string, ScannedStatement[]>();
  private readonly relevantByAction = new Map<string, Relevant>();
  private readonly resolved = new Map<string, { text: string; match: StringMatcher } | null>();
  private readonly facts: Map<string, string>;
  /** Decisions already made for this principal, by signature. */
  readonly decisions = new Map<string, AccessDecision>();

  constructor(index: AccountIndex, readonly principal: AccountPrincipal) {
    const owners = principal.kind === 'user' ? [principal, ...index.groupsOf(principal)] : [principal];
    for (const doc of docsOf(index, owners)) this.identity.push(...scanDocument(doc));
    if (principal.permissionsBoundary) this.others.push(...scanDocument(index.policy(principal.permissionsBoundary)?.defaultDocument));
    for (const level of index.model.scps ?? []) for (const doc of level) this.others.push(...scanDocument(doc));
    this.facts = new Map();
    for (const [k, v] of Object.entries(index.principalContext(principal))) if (typeof v === 'string') this.facts.set(k.toLowerCase(), v);
  }

  /** A pattern with its principal variables filled in; null when one is not known ahead. */
  private resolve(spec: ResourceSpec): { text: string; match: StringMatcher } | null {
    if (spec.match) return { text: spec.raw, match: spec.match };
    let r = this.resolved.get(spec.raw);
    if (r !== undefined) return r;
    let known = true;
    let empty = false;
    const text = spec.raw.replace(/\$\{([^}]*)\}/g, (_, body: string) => {
      const [key, fallback] = body.split(',').map((x) => x.trim());
      const value = this.facts.get(key.toLowerCase()) ?? (fallback ? fallback.replace(/^'|'$/g, '') : undefined);
      // AWS-COMPAT: a principal key the principal has no value for (aws:username of a role, a
      // missing tag) makes the entry match no resource.
      if (value === undefined && isPrincipalKey(key)) empty = true;
      else if (value === undefined || /[*?]/.test(value) || key === '*' || key === '?' || key === '$') known = false;
      return value ?? '*';
    });
    if (empty) r = { text: '', match: () => false };
    else r = known ? { text, match: compileGlob(text) } : null;
    this.resolved.set(spec.raw, r);
    return r;
  }

  private matcher(spec: ResourceSpec): StringMatcher | null {
    return spec.match ?? this.resolve(spec)?.match ?? null;
  }

  private matches(spec: ResourceSpec, resource: string): boolean {
    const m = this.matcher(spec);
    return m ? m(resource) : true;
  }

  private allows(action: string): ScannedStatement[] {
    const lower = action.toLowerCase();
    let found = this.allowsByAction.get(lower);
    if (!found) {
      found = this.identity.filter((s) => s.allow && s.matchesAction(lower));
      this.allowsByAction.set(lower, found);
    }
    return found;
  }

  /** Whether some Allow statement of its identity policies names the action. */
  mayAllow(action: string): boolean {
    return this.allows(action).length > 0;
  }

  /** Whether some identity Allow statement for `action` could cover `resource` (in a request with `facts`). */
  mayAllowOn(action: string, resource: string, facts: KnownFacts = {}): boolean {
    const service = facts.passedToService?.toLowerCase();
    for (const s of this.allows(action)) {
      if (service !== undefined && s.passedToService && !s.passedToService.some((m) => m(service))) continue;
      if (!s.resources) return true;
      const hit = s.resources.some((r) => this.matches(r, resource));
      if (hit !== s.notResource || (s.notResource && s.resources.some((r) => r.dynamic))) return true;
    }
    return false;
  }

  /**
   * The items of `all` (users, roles, groups) whose ARN some identity Allow statement for `action`
   * could cover: looked up by ARN when the statements name them exactly, so a principal allowed
   * on its own user only costs one lookup, not one test per user.
   */
  targets<T extends { arn: string }>(action: string, all: readonly T[], byArn: ReadonlyMap<string, T>): readonly T[] {
    const allows = this.allows(action);
    if (!allows.length) return [];
    const exact = new Set<string>();
    const globs: StringMatcher[] = [];
    for (const s of allows) {
      if (!s.resources || s.notResource) return all;
      for (const spec of s.resources) {
        const r = this.resolve(spec);
        if (!r) return all;
        if (/[*?]/.test(r.text)) globs.push(r.match);
        else exact.add(r.text);
      }
    }
    if (globs.length) return all.filter((t) => exact.has(t.arn) || globs.some((g) => g(t.arn)));
    return [...exact].flatMap((arn) => (arn && byArn.get(arn)) || []);
  }

  /**
   * Which statements for `action` (identity, boundary, SCPs) match `resource`: two resources with
   * the same signature get the same decision, as long as no resource policy is involved. Undefined
   * when a pattern holds a variable not known ahead of the request.
   */
  signature(action: string, resource: string): string | undefined {
    const lower = action.toLowerCase();
    let rel = this.relevantByAction.get(lower);
    if (!rel) {
      const statements = [...this.identity, ...this.others].filter((s) => s.matchesAction(lower) && s.resources);
      rel = { statements, exact: statements.every((s) => (s.resources ?? []).every((r) => this.matcher(r) !== null)) };
      this.relevantByAction.set(lower, rel);
    }
    if (!rel.exact) return undefined;
    let bits = lower;
    for (const s of rel.statements) bits += (s.resources ?? []).some((r) => this.matches(r, resource)) !== s.notResource ? '1' : '0';
    return bits;
  }

  /**
   * Concrete resources to ask the engine about for an action on a resource the caller names
   * itself: each allowed pattern with its wildcards filled in, or an example ARN of the action's
   * resource type when a statement allows any resource.
   */
  exampleResources(action: string, partition: string, accountId: string, limit = 3): string[] {
    const out = new Set<string>();
    for (const s of this.allows(action)) {
      if (!s.resources || s.notResource) out.add(exampleArn(action, partition, accountId));
      else {
        for (const r of s.resources) {
          const text = r.dynamic ? r.raw.replace(/\$\{[^}]*\}/g, '*') : r.raw;
          out.add(text === '*' ? exampleArn(action, partition, accountId) : text.replace(/[*?]/g, 'gatehouse-probe'));
        }
      }
      if (out.size >= limit) break;
    }
    return [...out].slice(0, limit);
  }
}

/** An ARN of the first resource type of `action`, with every name part set to a probe value. */
export function exampleArn(action: string, partition: string, accountId: string): string {
  const info = getAction(action);
  const rt = info?.resourceTypes.find((t) => t.required) ?? info?.resourceTypes[0];
  const format = rt && info ? getResourceType(info.service, rt.name)?.arnFormats[0] : undefined;
  if (!format) return '*';
  return format.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name === 'Partition') return partition;
    if (name === 'Region') return 'us-east-1';
    if (name === 'Account') return accountId;
    return 'gatehouse-probe';
  });
}
