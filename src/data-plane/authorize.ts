/**
 * The `/v1/authorize` check, independent of any transport: a resource server hands over the
 * request it received (method, path, query, headers with the signature, payload hash) with the
 * action and resource it maps to; the region authenticates the signature with its derived keys,
 * evaluates the principal's policies and answers the decision with the statements that made it.
 *
 * The Allow path is the hot one: the principal, its compiled policies and the derived signing key
 * are all cached, and the per-statement output is built once per compiled statement.
 */
import { errorInfo } from '../core/errors/index.js';
import type { Tag } from '../core/model/iam-entities.js';
import { principalContext } from '../core/model/principal-context.js';
import type { Principal, PrincipalType } from '../core/model/principal.js';
import { accessDeniedMessage, evaluate, type AuthzRequest, type ContextValue, type Decision, type DenyReason, type PolicyLayer, type PolicySets, type StatementRef } from '../core/policy/index.js';
import { sha256Hex, type HttpRequestParts } from '../core/sigv4/index.js';
import { sealAuthorizationMessage } from '../core/tokens/index.js';
import { ANY_SERVICE, type DataPlaneAuthenticator } from './authenticator.js';
import type { ReplicaView } from './replica-view.js';
import type { UsageRecorder } from './usage-recorder.js';

export interface AuthorizeRequestParts {
  method: string;
  /** The path as received, still percent-encoded, without the query. */
  path: string;
  /** The raw query string without '?' (carries the signature of a presigned request). */
  query?: string;
  headers: Record<string, string | string[]> | ReadonlyArray<readonly [string, string]>;
  /**
   * Lowercase hex SHA-256 of the body. Default: the request's own x-amz-content-sha256 value when
   * it sends one (including UNSIGNED-PAYLOAD: the resource server vouches for the body), else the
   * hash of an empty body.
   */
  payloadHash?: string;
}

export interface AuthorizeInput {
  request: AuthorizeRequestParts;
  /** `service:Action`. */
  action: string;
  /** The resource ARN, or '*'. */
  resource: string;
  /** Extra condition keys (service-specific keys, aws:ResourceTag/…); the principal's keys can't be set here. */
  context?: Record<string, string | string[]>;
  /** The client's address as the resource server saw it (aws:SourceIp). */
  sourceIp?: string;
  /**
   * Also answer a denial with `encodedMessage`, the details for DecodeAuthorizationMessage.
   * DIVERGENCE: AWS services always attach one where they support it; sealing it costs most of a
   * denial's time here, so the caller asks for it when it will pass it on.
   */
  encodeMessage?: boolean;
}

export interface AuthorizePrincipal {
  arn: string;
  account: string;
  userId: string;
  type: PrincipalType;
  sessionName?: string;
  sourceIdentity?: string;
}

/** A statement that decided: which policy (and version, for a managed one), which statement. */
export interface AuthorizeStatement {
  policyId: string;
  policyVersion?: string;
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  layer: PolicyLayer;
}

export interface AuthorizeBody {
  decision: 'Allow' | 'Deny';
  principal?: AuthorizePrincipal;
  decidedBy?: AuthorizeStatement[];
  blockedBy?: DenyReason;
  /** AWS's AccessDenied wording. */
  message?: string;
  /** What DecodeAuthorizationMessage reveals about a denied request (sealed with the token key). */
  encodedMessage?: string;
  /** The control plane revision the region had applied. */
  revision: number;
  error?: { code: string; message: string };
}

export interface AuthorizeResult {
  status: number;
  body: AuthorizeBody;
}

export interface AuthorizeDeps {
  view: ReplicaView;
  authenticator: DataPlaneAuthenticator;
  usage?: UsageRecorder;
  now: Date;
}

const EMPTY_BODY_SHA256 = sha256Hex('');
const ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9]+$/;
const RESOURCE_ARN = /^arn:[^:\s]+:[^:\s]+:[^:\s]*:[^:\s]*:\S/;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const NO_POLICIES: PolicySets = { identity: [] };

/**
 * Keys that describe the principal or the moment of the request: the data plane sets them from the
 * authenticated principal and its own clock, and a caller can't override them (lowercase).
 */
const PROTECTED_KEYS = new Set([
  'aws:userid',
  'aws:username',
  'aws:tokenissuetime',
  'aws:multifactorauthpresent',
  'aws:multifactorauthage',
  'aws:sourceidentity',
  'aws:currenttime',
  'aws:epochtime',
  'aws:requestedregion',
  'aws:viaawsservice',
  'aws:federatedprovider',
  'aws:rolesessionname',
  'aws:ec2instancesourceprivateipv4',
  'aws:ec2instancesourcevpc',
]);
const PROTECTED_PREFIXES = ['aws:principal', 'aws:calledvia', 'aws:assumedroot'];

function isProtected(key: string): boolean {
  const lower = key.toLowerCase();
  if (PROTECTED_KEYS.has(lower)) return true;
  for (const p of PROTECTED_PREFIXES) if (lower.startsWith(p)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------

/** Per-principal and per-statement output, built once (principals and refs are cached upstream). */
const principalOutput = new WeakMap<Principal, AuthorizePrincipal>();
const statementOutput = new WeakMap<StatementRef, AuthorizeStatement>();

function principalOf(p: Principal): AuthorizePrincipal {
  let out = principalOutput.get(p);
  if (!out) {
    const o: AuthorizePrincipal = { arn: p.arn, account: p.account, userId: p.userId, type: p.type };
    if (p.session?.sessionName) o.sessionName = p.session.sessionName;
    if (p.session?.sourceIdentity) o.sourceIdentity = p.session.sourceIdentity;
    out = Object.freeze(o);
    principalOutput.set(p, out);
  }
  return out;
}

function statementsOf(refs: readonly StatementRef[], view: ReplicaView): AuthorizeStatement[] {
  const out = new Array<AuthorizeStatement>(refs.length);
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i];
    let s = statementOutput.get(ref);
    if (!s) {
      const o: AuthorizeStatement = { policyId: ref.policyId, statementIndex: ref.statementIndex, effect: ref.effect, layer: ref.layer };
      // A managed policy's refs are compiled from its current default version (the sets are current).
      const version = ref.policyId.startsWith('arn:') ? view.policy(ref.policyId)?.defaultVersionId : undefined;
      if (version !== undefined) o.policyVersion = version;
      if (ref.sid !== undefined) o.sid = ref.sid;
      s = Object.freeze(o);
      statementOutput.set(ref, s);
    }
    out[i] = s;
  }
  return out;
}

function invalid(view: ReplicaView, message: string): AuthorizeResult {
  return { status: 400, body: { decision: 'Deny', revision: view.revision, error: { code: 'ValidationError', message } } };
}

/** The request's headers as [name, value] pairs, from an object or a list; undefined when malformed. */
export function headerPairs(headers: unknown): ReadonlyArray<readonly [string, string]> | undefined {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i++) {
      const h: unknown = headers[i];
      if (!Array.isArray(h) || h.length !== 2 || typeof h[0] !== 'string' || typeof h[1] !== 'string') return undefined;
    }
    return headers as [string, string][];
  }
  if (!headers || typeof headers !== 'object') return undefined;
  const out: [string, string][] = [];
  for (const name in headers) {
    const value = (headers as Record<string, unknown>)[name];
    if (typeof value === 'string') out.push([name, value]);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) for (const v of value) out.push([name, v]);
    else return undefined;
  }
  return out;
}

function headerValue(headers: ReadonlyArray<readonly [string, string]>, lowerName: string): string | undefined {
  for (let i = 0; i < headers.length; i++) {
    const name = headers[i][0];
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return headers[i][1];
  }
  return undefined;
}

function validContext(context: unknown): context is Record<string, string | string[]> {
  if (!context || typeof context !== 'object' || Array.isArray(context)) return false;
  for (const key in context) {
    const v = (context as Record<string, unknown>)[key];
    if (typeof v !== 'string' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) return false;
  }
  return true;
}

function ownTags(view: ReplicaView, principal: Principal): readonly Tag[] {
  const claims = principal.session;
  if (principal.type === 'IAMUser' && principal.userName) return view.user(principal.account, principal.userName)?.tags ?? [];
  if (principal.type === 'AssumedRole' && claims?.roleName) return view.role(claims.account, claims.roleName)?.tags ?? [];
  return [];
}

/** The principal's part of the context, reused while nothing it depends on changes. */
interface CachedContext {
  revision: number;
  second: number;
  context: Record<string, ContextValue>;
}
const principalContexts = new WeakMap<Principal, CachedContext>();
/** Keys of the request rather than the principal: set per request, and only when known. */
const REQUEST_KEYS = new Set(['aws:SourceIp', 'aws:UserAgent', 'aws:SecureTransport']);

/**
 * The request context: the principal's global keys (principalContext) plus the caller's extra
 * keys. What the data plane cannot know about the original request (the client's address unless
 * given, whether it came over TLS) is left out unless the caller says it.
 *
 * The principal's keys depend on the principal, its tags (the replica's revision) and the second
 * (aws:CurrentTime, aws:EpochTime, aws:MultiFactorAuthAge): a principal calling again within the
 * same second reuses them (the evaluator never writes to a context).
 */
function requestContext(deps: AuthorizeDeps, principal: Principal, input: AuthorizeInput, headers: ReadonlyArray<readonly [string, string]>): Record<string, ContextValue> {
  const revision = deps.view.revision;
  const second = Math.floor(deps.now.getTime() / 1000);
  let cached = principalContexts.get(principal);
  if (!cached || cached.revision !== revision || cached.second !== second) {
    const all = principalContext(principal, ownTags(deps.view, principal), { now: deps.now, sourceIp: '', userAgent: '', secureTransport: false, region: deps.view.region });
    // Rebuilt without the request's own keys rather than with `delete`, which would turn the
    // object into a slow dictionary for every copy made of it below.
    const context: Record<string, ContextValue> = {};
    for (const key in all) if (!REQUEST_KEYS.has(key)) context[key] = all[key];
    cached = { revision, second, context };
    principalContexts.set(principal, cached);
  }
  const userAgent = headerValue(headers, 'user-agent');
  const { sourceIp, context: extra } = input;
  if (sourceIp === undefined && userAgent === undefined && !extra) return cached.context;
  // A null-prototype copy keeps V8 from building a new hidden class per call as keys are added.
  const out: Record<string, ContextValue> = Object.assign(Object.create(null), cached.context);
  if (sourceIp !== undefined) out['aws:SourceIp'] = sourceIp;
  if (userAgent !== undefined) out['aws:UserAgent'] = userAgent;
  for (const key in extra) if (!isProtected(key)) out[key] = extra[key];
  return out;
}

/** The details DecodeAuthorizationMessage shows for a denied request (AWS's shape). */
function authorizationMessage(principal: Principal, request: AuthzRequest, decision: Decision): object {
  const conditions = Object.entries(request.context ?? {}).map(([key, value]) => ({ key, values: { items: (typeof value === 'string' ? [value] : value).map((v) => ({ value: v })) } }));
  return {
    allowed: false,
    explicitDeny: decision.decision === 'ExplicitDeny',
    matchedStatements: {
      items: decision.decidedBy.map((ref) => ({ statementId: ref.sid ?? '', effect: ref.effect.toUpperCase(), policyId: ref.policyId, statementIndex: ref.statementIndex, layer: ref.layer })),
    },
    failures: { items: [] },
    context: { principal: { id: principal.userId, arn: principal.arn }, action: request.action, resource: request.resource, conditions: { items: conditions } },
  };
}

export function authorize(deps: AuthorizeDeps, input: AuthorizeInput): AuthorizeResult {
  const { view, now } = deps;
  if (!input || typeof input !== 'object' || !input.request || typeof input.request !== 'object') return invalid(view, 'The body must be an object with request, action and resource.');
  const req = input.request;
  if (typeof req.method !== 'string' || req.method === '') return invalid(view, 'request.method must be an HTTP method.');
  if (typeof req.path !== 'string' || !req.path.startsWith('/')) return invalid(view, "request.path must be the request's path, starting with '/'.");
  if (req.query !== undefined && typeof req.query !== 'string') return invalid(view, 'request.query must be the raw query string.');
  const headers = headerPairs(req.headers);
  if (!headers) return invalid(view, 'request.headers must be an object of header names to values, or a list of [name, value] pairs.');
  if (req.payloadHash !== undefined && (typeof req.payloadHash !== 'string' || !HEX_SHA256.test(req.payloadHash))) return invalid(view, 'request.payloadHash must be the hex SHA-256 of the body.');
  if (typeof input.action !== 'string' || !ACTION.test(input.action)) return invalid(view, "action must be 'service:Action', e.g. 's3:GetObject'.");
  if (typeof input.resource !== 'string' || (input.resource !== '*' && !RESOURCE_ARN.test(input.resource))) return invalid(view, "resource must be an ARN or '*'.");
  if (input.context !== undefined && !validContext(input.context)) return invalid(view, 'context must map condition keys to a string or a list of strings.');
  if (input.sourceIp !== undefined && typeof input.sourceIp !== 'string') return invalid(view, 'sourceIp must be an IP address.');

  const parts: HttpRequestParts = {
    method: req.method,
    path: req.path,
    query: req.query ?? '',
    headers,
    bodySha256: req.payloadHash?.toLowerCase() ?? headerValue(headers, 'x-amz-content-sha256')?.trim() ?? EMPTY_BODY_SHA256,
  };
  const auth = deps.authenticator.authenticate(parts, now, ANY_SERVICE);
  if (!auth.ok) return { status: auth.status ?? errorInfo(auth.code).httpStatus, body: { decision: 'Deny', revision: view.revision, error: { code: auth.code, message: auth.message } } };

  const principal = auth.principal;
  // A session whose role or user is gone (or was re-created) has no permissions left.
  const sets = view.policySets(principal) ?? NO_POLICIES;
  const request: AuthzRequest = { principal: principal.arn, action: input.action, resource: input.resource, context: requestContext(deps, principal, input, headers) };
  const decision = evaluate(request, sets);
  const decidedBy = statementsOf(decision.decidedBy, view);
  if (decision.decision === 'Allow') {
    deps.usage?.record(principal.arn, input.action, input.resource, decidedBy, now.getTime());
    return { status: 200, body: { decision: 'Allow', principal: principalOf(principal), decidedBy, revision: view.revision } };
  }
  const body: AuthorizeBody = { decision: 'Deny', principal: principalOf(principal), decidedBy, revision: view.revision };
  if (decision.blockedBy) body.blockedBy = decision.blockedBy;
  const message = accessDeniedMessage(request, decision);
  if (message !== undefined) body.message = message;
  const key = input.encodeMessage === true ? view.issuingTokenKey(now) : undefined;
  if (key) body.encodedMessage = sealAuthorizationMessage(key, authorizationMessage(principal, request, decision));
  return { status: 200, body };
}
