import { isAccountId, parseArn } from '../arn.js';
import { compileCondition, type CompiledCondition } from './conditions.js';
import { compileGlob, globMatch, type StringMatcher } from './glob.js';
import { roleKeyOfArn, type PrincipalInfo } from './principal.js';
import type { RequestScope } from './request-scope.js';
import type { Finding, PolicyLayer, StatementRef } from './types.js';
import { parseTemplate, resolveParts, templateRegExp, type Template } from './variables.js';

/**
 * Compilation turns a policy document into matchers built once: action patterns lower-cased and
 * specialised, resource templates pre-parsed, conditions with their values already parsed, and an
 * index of the statements that can apply, filled on first use: per action, then per resource.
 */

/**
 * How a resource-policy statement's principal matched the caller. The evaluator needs this for
 * AWS's same-account rules: a grant to an account only delegates to the identity policies, a
 * grant to a role ARN is limited by the session's boundary and session policy, and a grant to
 * the user, the session itself or to everyone is not.
 */
export type PrincipalMatch = 'direct' | 'role' | 'account';

export interface CompiledStatement {
  readonly ref: StatementRef;
  readonly allow: boolean;
  /** Whether the statement applies to the request; for resource policies, how the principal matched. */
  applies(scope: RequestScope): PrincipalMatch | false;
}

export interface ActionSlice {
  readonly allow: readonly CompiledStatement[];
  readonly deny: readonly CompiledStatement[];
}

/** A compiled statement with what the index needs to pre-select it. */
interface IndexedStatement extends CompiledStatement {
  matchesAction(lowerAction: string): boolean;
  /**
   * The Resource/NotResource element's verdict on a resource ARN alone: true or false when it
   * needs nothing else, undefined when it depends on the request (policy variables).
   */
  resourceVerdict(resource: string): boolean | undefined;
  /** Whether the statement covers every resource (no Resource element, or a `*` in it). */
  readonly anyResource: boolean;
  /** The statement for a resource its element already matched: `applies` without that check. */
  readonly resourceMatched: CompiledStatement;
}

/** The statements of one action, and the candidates among them per resource, filled on use. */
interface ActionIndex {
  readonly statements: readonly IndexedStatement[];
  readonly all: ActionSlice;
  /**
   * Whether per-resource candidates are worth a lookup: at least two statements name resources.
   * Otherwise (`*` everywhere, as in most SCPs) every statement of the action is a candidate.
   */
  readonly byResourcePays: boolean;
  byResource: Map<string, ActionSlice> | undefined;
}

export interface CompileOptions {
  /** The policy's id or ARN, named in explanations. */
  id: string;
  layer: PolicyLayer;
  /** For SCPs: the level in the organization, 0 = root. */
  scpLevel?: number;
}

const EMPTY: ActionSlice = { allow: [], deny: [] };
const EMPTY_INDEX: ActionIndex = { statements: [], all: EMPTY, byResourcePays: false, byResource: undefined };
/** Bounds the per-policy action index; a workload touching more actions than this just re-indexes. */
const MAX_INDEXED_ACTIONS = 2048;
/**
 * Bounds the per-resource candidate lists of a policy, over all its actions: a service with many
 * resources (objects of a bucket) refills them, which costs what matching every statement does.
 */
const MAX_INDEXED_RESOURCES = 4096;

export class CompiledPolicy {
  private readonly byAction = new Map<string, ActionIndex>();
  private indexedResources = 0;

  constructor(
    readonly id: string,
    readonly layer: PolicyLayer,
    private readonly statements: readonly IndexedStatement[],
    /** Problems met while compiling: a statement that could not be compiled is left out. */
    readonly findings: readonly Finding[],
  ) {}

  private actionIndex(lowerAction: string): ActionIndex {
    let index = this.byAction.get(lowerAction);
    if (index) return index;
    const statements = this.statements.filter((s) => s.matchesAction(lowerAction));
    index =
      statements.length === 0
        ? EMPTY_INDEX
        : {
            statements,
            all: { allow: statements.filter((s) => s.allow), deny: statements.filter((s) => !s.allow) },
            byResourcePays: statements.filter((s) => !s.anyResource).length >= 2,
            byResource: undefined,
          };
    if (this.byAction.size >= MAX_INDEXED_ACTIONS) this.clearIndex();
    this.byAction.set(lowerAction, index);
    return index;
  }

  private clearIndex(): void {
    this.byAction.clear();
    this.indexedResources = 0;
  }

  /** The statements whose Action/NotAction covers `lowerAction`, split by effect. */
  forAction(lowerAction: string): ActionSlice {
    return this.actionIndex(lowerAction).all;
  }

  /**
   * The statements that can apply to `lowerAction` on `resource`: those whose Action covers it and
   * whose Resource element matches it or depends on the request. A statement the resource alone
   * selected is given without its Resource check, so `applies` tests the principal and conditions.
   */
  forRequest(lowerAction: string, resource: string): ActionSlice {
    const index = this.actionIndex(lowerAction);
    if (!index.byResourcePays) return index.all;
    let slice = index.byResource?.get(resource);
    if (slice) return slice;
    const allow: CompiledStatement[] = [];
    const deny: CompiledStatement[] = [];
    for (const s of index.statements) {
      const verdict = s.resourceVerdict(resource);
      if (verdict === false) continue;
      (s.allow ? allow : deny).push(verdict ? s.resourceMatched : s);
    }
    slice = allow.length || deny.length ? { allow, deny } : EMPTY;
    if (this.indexedResources >= MAX_INDEXED_RESOURCES) this.clearIndex();
    else {
      (index.byResource ??= new Map()).set(resource, slice);
      this.indexedResources++;
    }
    return slice;
  }

  get statementCount(): number {
    return this.statements.length;
  }

  /**
   * One policy standing for several of the same layer (a principal's user, group and managed
   * policies): a single per-action index instead of one per policy. Statements keep their own
   * policy ids, so explanations are unchanged.
   */
  static merge(id: string, policies: readonly CompiledPolicy[]): CompiledPolicy {
    const layer = policies[0]?.layer ?? 'identity';
    return new CompiledPolicy(id, layer, policies.flatMap((p) => p.statements), policies.flatMap((p) => p.findings));
  }
}

// ---------------------------------------------------------------------------------------------

type Json = unknown;

function asList(v: Json): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compileActions(patterns: string[]): (lowerAction: string) => boolean {
  const matchers = patterns.map((p) => compileGlob(p.toLowerCase()));
  if (matchers.length === 1) return matchers[0];
  return (a) => {
    for (const m of matchers) if (m(a)) return true;
    return false;
  };
}

/** `Resource` (or `NotResource`) entries: static globs, and templates resolved per request. */
class ResourceMatcher {
  private readonly statics: StringMatcher[] = [];
  private readonly templates: Template[] = [];
  /** Whether a `*` entry makes it cover every resource. */
  readonly any: boolean;

  constructor(patterns: string[], variables: boolean) {
    for (const p of patterns) {
      const t = parseTemplate(p, variables);
      if (t.dynamic) this.templates.push(t);
      else this.statics.push(compileGlob(t.parts[0] as string));
    }
    this.any = patterns.includes('*');
  }

  private matchesStatic(r: string): boolean {
    for (const m of this.statics) if (m(r)) return true;
    return false;
  }

  /** Whether the request's resource matches an entry. */
  matches(scope: RequestScope): boolean {
    const r = scope.resource;
    if (this.matchesStatic(r)) return true;
    for (const t of this.templates) {
      const parts = resolveParts(t, scope);
      // AWS: a resource entry with a variable that has no value matches no resource.
      if (!parts) continue;
      const literal = parts.some((p, i) => typeof t.parts[i] !== 'string' && /[*?]/.test(p));
      if (literal ? templateRegExp(t, parts, false).test(r) : globMatch(parts.join(''), r)) return true;
    }
    return false;
  }

  /** The same from the ARN alone: undefined when no static entry matches but a template might. */
  verdict(r: string): boolean | undefined {
    return this.matchesStatic(r) ? true : this.templates.length === 0 ? false : undefined;
  }
}

interface PrincipalSet {
  any: boolean;
  /** Exact principal ARNs: users, role sessions, federated users, and any other literal. */
  exact: Set<string>;
  roles: Set<string>;
  accounts: Set<string>;
  /** Service principals, identity providers and canonical users. */
  external: Set<string>;
}

function compilePrincipalSet(element: Json): PrincipalSet | undefined {
  const set: PrincipalSet = { any: false, exact: new Set(), roles: new Set(), accounts: new Set(), external: new Set() };
  if (element === '*') {
    set.any = true;
    return set;
  }
  if (!isObject(element)) return undefined;
  for (const [type, raw] of Object.entries(element)) {
    const values = asList(raw);
    if (!values) return undefined;
    for (const v of values) {
      if (type !== 'AWS') {
        set.external.add(v);
        continue;
      }
      if (v === '*') set.any = true;
      else if (isAccountId(v)) set.accounts.add(v);
      else {
        const arn = parseArn(v);
        if (arn && arn.service === 'iam' && arn.resource === 'root') set.accounts.add(arn.account);
        else {
          const roleKey = roleKeyOfArn(v);
          if (roleKey) set.roles.add(roleKey);
          else set.exact.add(v);
        }
      }
    }
  }
  return set;
}

/** The strongest way `p` matches the set, or false. */
function matchPrincipal(set: PrincipalSet, p: PrincipalInfo): PrincipalMatch | false {
  if (set.any || set.exact.has(p.arn)) return 'direct';
  if (p.kind === 'external') return set.external.has(p.arn) ? 'direct' : false;
  if (p.roleKey && set.roles.has(p.roleKey)) return p.kind === 'role' ? 'direct' : 'role';
  if (p.account && set.accounts.has(p.account)) return 'account';
  return false;
}

/**
 * For NotPrincipal: is the caller excluded? AWS checks each identity of the caller (the account,
 * then the role, then the session), so the caller is excluded only when every one is listed.
 */
function allIdentitiesListed(set: PrincipalSet, p: PrincipalInfo): boolean {
  if (set.any) return true;
  if (p.kind === 'external') return set.external.has(p.arn);
  const accountListed = p.account !== undefined && set.accounts.has(p.account);
  switch (p.kind) {
    case 'root':
      return accountListed;
    case 'role':
      return accountListed && p.roleKey !== undefined && set.roles.has(p.roleKey);
    case 'assumed-role':
      return accountListed && p.roleKey !== undefined && set.roles.has(p.roleKey) && set.exact.has(p.arn);
    default:
      return accountListed && set.exact.has(p.arn);
  }
}

function anyIdentityListed(set: PrincipalSet, p: PrincipalInfo): boolean {
  return matchPrincipal(set, p) !== false;
}

// ---------------------------------------------------------------------------------------------

function finding(path: string, message: string): Finding {
  return { id: 'SYN-COMPILE', severity: 'error', code: 'MalformedPolicyDocument', path, message };
}

/**
 * Compiles a policy document (JSON text or parsed). Never throws: a document or statement that
 * cannot be compiled is reported in `findings` and contributes nothing.
 */
export function compilePolicy(doc: unknown, options: CompileOptions): CompiledPolicy {
  const findings: Finding[] = [];
  const statements: IndexedStatement[] = [];
  let parsed: Json = doc;
  if (typeof doc === 'string') {
    try {
      parsed = JSON.parse(doc);
    } catch {
      findings.push(finding('$', 'Syntax errors in policy.'));
      return new CompiledPolicy(options.id, options.layer, statements, findings);
    }
  }
  if (!isObject(parsed)) {
    findings.push(finding('$', 'Syntax errors in policy.'));
    return new CompiledPolicy(options.id, options.layer, statements, findings);
  }
  // AWS: without "Version": "2012-10-17" (2008-10-17 is the default) variables are literal text.
  const variables = parsed.Version === '2012-10-17';
  const raw = parsed.Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  list.forEach((s, index) => {
    const path = `$.Statement${Array.isArray(raw) ? `[${index}]` : ''}`;
    try {
      const compiled = compileStatement(s, index, options, variables);
      if (typeof compiled === 'string') findings.push(finding(path, compiled));
      else statements.push(compiled);
    } catch {
      findings.push(finding(path, 'Syntax errors in policy.'));
    }
  });
  return new CompiledPolicy(options.id, options.layer, statements, findings);
}

function compileStatement(s: Json, index: number, options: CompileOptions, variables: boolean): IndexedStatement | string {
  if (!isObject(s)) return 'Syntax errors in policy.';
  const effect = s.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') return 'Invalid effect: the Effect must be Allow or Deny.';
  const allow = effect === 'Allow';
  const ref: StatementRef = {
    layer: options.layer,
    policyId: options.id,
    statementIndex: index,
    effect,
    ...(typeof s.Sid === 'string' ? { sid: s.Sid } : {}),
    ...(options.scpLevel !== undefined ? { scpLevel: options.scpLevel } : {}),
  };

  const actions = asList(s.Action ?? s.NotAction);
  if (!actions || (s.Action !== undefined && s.NotAction !== undefined)) return 'Policy statement must contain actions.';
  const actionMatch = compileActions(actions);
  const matchesAction = s.NotAction !== undefined ? (a: string) => !actionMatch(a) : actionMatch;

  let resources: ResourceMatcher | undefined;
  const notResource = s.NotResource !== undefined;
  if (s.Resource !== undefined || notResource) {
    const list = asList(s.Resource ?? s.NotResource);
    if (!list || (s.Resource !== undefined && notResource)) return 'Policy statement must contain resources.';
    resources = new ResourceMatcher(list, variables);
  }

  let principalMatch: ((scope: RequestScope) => PrincipalMatch | false) | undefined;
  // A resource policy statement must name its principals; without them it grants nothing.
  if (options.layer === 'resource' && s.Principal === undefined && s.NotPrincipal === undefined) return 'Missing required field Principal';
  if (s.Principal !== undefined && s.NotPrincipal !== undefined) return 'Syntax errors in policy.';
  if (s.Principal !== undefined || s.NotPrincipal !== undefined) {
    const set = compilePrincipalSet(s.Principal ?? s.NotPrincipal);
    if (!set) return 'Invalid principal in policy.';
    if (s.Principal !== undefined) principalMatch = (scope) => matchPrincipal(set, scope.principal);
    else if (allow) principalMatch = (scope) => (anyIdentityListed(set, scope.principal) ? false : 'direct');
    else {
      principalMatch = (scope) =>
        // AWS-COMPAT: "The NotPrincipal element with a Deny effect will always deny any IAM
        // principal that has a permissions boundary policy attached, regardless of the values
        // specified in the NotPrincipal element." (IAM User Guide, permissions boundaries)
        scope.hasBoundary || !allIdentitiesListed(set, scope.principal) ? 'direct' : false;
    }
  }

  const conditions: CompiledCondition[] = [];
  if (s.Condition !== undefined) {
    if (!isObject(s.Condition)) return 'Syntax errors in policy.';
    for (const [operator, block] of Object.entries(s.Condition)) {
      if (!isObject(block)) return 'Syntax errors in policy.';
      for (const [key, values] of Object.entries(block)) {
        const c = compileCondition(operator, key, values as never, variables);
        if (!c) return `Invalid Condition type : ${operator}.`;
        conditions.push(c);
      }
    }
  }

  return new Statement(ref, allow, matchesAction, resources, notResource, principalMatch, conditions);
}

/**
 * A compiled statement. A class rather than closures: a policy set of 10,000 principals holds
 * hundreds of thousands of them.
 */
class Statement implements IndexedStatement {
  #resourceMatched: CompiledStatement | undefined;

  constructor(
    readonly ref: StatementRef,
    readonly allow: boolean,
    readonly matchesAction: (lowerAction: string) => boolean,
    private readonly resources: ResourceMatcher | undefined,
    private readonly notResource: boolean,
    private readonly principalMatch: ((scope: RequestScope) => PrincipalMatch | false) | undefined,
    private readonly conditions: readonly CompiledCondition[],
  ) {}

  get anyResource(): boolean {
    return this.resources === undefined || (!this.notResource && this.resources.any);
  }

  resourceVerdict(resource: string): boolean | undefined {
    if (!this.resources) return true;
    const v = this.resources.verdict(resource);
    return v === undefined || !this.notResource ? v : !v;
  }

  applies(scope: RequestScope): PrincipalMatch | false {
    if (this.resources && this.resources.matches(scope) === this.notResource) return false;
    return this.appliesToMatchedResource(scope);
  }

  appliesToMatchedResource(scope: RequestScope): PrincipalMatch | false {
    let how: PrincipalMatch | false = 'direct';
    if (this.principalMatch) {
      how = this.principalMatch(scope);
      if (!how) return false;
    }
    const conditions = this.conditions;
    for (let i = 0; i < conditions.length; i++) if (!conditions[i].evaluate(scope)) return false;
    return how;
  }

  get resourceMatched(): CompiledStatement {
    return (this.#resourceMatched ??= new ResourceMatchedStatement(this));
  }
}

/** A statement whose Resource element already matched the request's resource. */
class ResourceMatchedStatement implements CompiledStatement {
  readonly ref: StatementRef;
  readonly allow: boolean;

  constructor(private readonly statement: Statement) {
    this.ref = statement.ref;
    this.allow = statement.allow;
  }

  applies(scope: RequestScope): PrincipalMatch | false {
    return this.statement.appliesToMatchedResource(scope);
  }
}
