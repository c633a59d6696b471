/**
 * IAM policy document validation as AWS performs it when a policy is written (CreatePolicy,
 * Put*Policy, CreateRole, AssumeRole's Policy, Organizations CreatePolicy), plus warnings for
 * documents AWS accepts but that do not do what they say.
 *
 * - Never throws, for any input: text or an already-parsed value, of any size, depth or shape.
 * - Returns every problem, each with a JSON path, a stable id (docs: ../shared/reference/
 *   policy-checks.md), the AWS error code and AWS's own message (see validate-messages.ts).
 * - Severity `error` means AWS refuses the document; `warning` means AWS accepts it but it is
 *   wrong or ineffective; `info` is housekeeping. Only errors should block a write.
 * - Findings come errors first, in the order AWS checks, so `firstError()` is the one IAM returns.
 *
 * Size quotas (IAM and AWS STS quotas; AWS Organizations quotas), counted as AWS counts them:
 *
 * | kind                     | limit (characters)                    | counted                 | code                         |
 * |--------------------------|---------------------------------------|-------------------------|------------------------------|
 * | identity, managed        | 6,144                                 | without white space     | LimitExceeded                |
 * | identity, inline user    | 2,048 (all of the user's inline ones) | without white space     | LimitExceeded                |
 * | identity, inline role    | 10,240 (aggregate)                    | without white space     | LimitExceeded                |
 * | identity, inline group   | 5,120 (aggregate)                     | without white space     | LimitExceeded                |
 * | boundary (managed)       | 6,144                                 | without white space     | LimitExceeded                |
 * | trust (role trust)       | 2,048; up to 4,096 by quota increase  | without white space     | LimitExceeded                |
 * | scp                      | 10,240 (5,120 before 2026-05-15)      | every character         | ConstraintViolationException |
 * | session                  | 2,048 plaintext (packed size aside)   | every character         | ValidationError              |
 * | resource                 | per service (S3 bucket 20 KB, ...)    | every character         | LimitExceeded                |
 *
 * `options.maxSize` overrides any of these (a raised trust quota, a service's resource limit).
 * The packed size of session policies (PackedPolicyTooLarge) depends on AWS's compression and
 * is not predicted here.
 */
import type { Finding, PolicyKind } from './types.js';
import { POLICY_KINDS } from './types.js';
import { MSG, codesFor } from './validate-messages.js';
import { findDisallowedChars, findDuplicateKeys, indexPath, keyPath, minifiedLength } from './validate-text.js';
import { globToRegExp } from './glob.js';
import { hasVariable } from './validate-values.js';
import { PRINCIPAL_TYPES, checkPrincipalValue } from './validate-principal.js';
import {
  Collector,
  RANK,
  SEVERITY_ORDER,
  describe,
  exclusiveLists,
  has,
  isPlainObject,
  own,
  quote,
  stringList,
  type DocContext,
  type PolicyFinding,
} from './validate-context.js';
import { checkResources } from './validate-resource.js';
import { checkCondition } from './validate-condition.js';

export type { PolicyFinding } from './validate-context.js';

export type IdentityTarget = 'managed' | 'user' | 'role' | 'group';

export interface ValidatePolicyOptions {
  /** Which quota an identity policy counts against: a managed policy (default) or an inline one. */
  identityTarget?: IdentityTarget;
  /** The user, role or group an inline policy belongs to, named in AWS's size message. */
  entityName?: string;
  /** Characters already used by the entity's other inline policies: inline quotas are per entity. */
  usedSize?: number;
  /** Overrides the size quota of the kind (a raised trust quota, a service's resource-policy limit). */
  maxSize?: number;
  /** Longest text parsed at all; longer input gets a size finding only. Default 2 MiB. */
  maxInputLength?: number;
  /** Most findings returned; the rest are summarised in one info finding. Default 1,000. */
  maxFindings?: number;
}

export const POLICY_SIZE_QUOTAS = {
  managed: 6144,
  user: 2048,
  role: 10240,
  group: 5120,
  trust: 2048,
  scp: 10240,
  session: 2048,
} as const;

const DEFAULT_MAX_INPUT = 2 * 1024 * 1024;
const DEFAULT_MAX_FINDINGS = 1000;

const TOP_ELEMENTS: ReadonlySet<string> = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS: readonly string[] = ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'];
const STATEMENT_ELEMENT_SET: ReadonlySet<string> = new Set(STATEMENT_ELEMENTS);
const VERSIONS: ReadonlySet<string> = new Set(['2012-10-17', '2008-10-17']);
/** Actions a role trust policy may name (sts:AssumeRole and the session features it carries). */
const TRUST_ACTIONS: readonly string[] = [
  'assumerole', 'assumerolewithsaml', 'assumerolewithwebidentity', 'tagsession', 'setsourceidentity', 'setcontext',
];
const SID_ALNUM = /^[0-9A-Za-z]*$/;
const VENDOR = /^[A-Za-z0-9.-]+$/;

/** True when AWS would refuse the document (any error-severity finding). */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** The error AWS reports: findings are ordered by AWS's own check order. */
export function firstError<F extends Finding>(findings: readonly F[]): F | undefined {
  return findings.find((f) => f.severity === 'error');
}

/** The size AWS counts against the quota of `kind`: identity and trust policies ignore white space. */
export function policySize(text: string, kind: PolicyKind): number {
  return kind === 'identity' || kind === 'boundary' || kind === 'trust' ? minifiedLength(text) : text.length;
}

/**
 * Validates a policy document of the given kind. `doc` is the JSON text or an already-parsed
 * value (serialised first, so both take the same path). Never throws.
 */
export function validatePolicy(doc: unknown, kind: PolicyKind, options?: ValidatePolicyOptions): PolicyFinding[] {
  const knownKind = POLICY_KINDS.includes(kind);
  const effectiveKind: PolicyKind = knownKind ? kind : 'identity';
  const out = new Collector(effectiveKind, codesFor(effectiveKind));
  let opts: ValidatePolicyOptions = {};
  try {
    opts = normaliseOptions(options);
    if (!knownKind) {
      out.add({ id: 'SYN-POLICY-TYPE', severity: 'error', code: 'InvalidInput', path: '$', message: `Unknown policy kind ${quote(String(kind))}; expected one of ${POLICY_KINDS.join(', ')}.` }, RANK.charset);
    }
    validateText(out, doc, opts);
  } catch (err) {
    // Nothing above should throw; if it does, the document is refused rather than the caller crashing.
    out.malformed('SYN-JSON', '$', MSG.syntax, RANK.syntax, `Validation stopped: ${errorText(err)}`);
  }
  return finish(out, opts.maxFindings ?? DEFAULT_MAX_FINDINGS);
}

function errorText(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return 'unprintable error';
  }
}

function positive(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
}

/** Callers outside TypeScript may pass anything; keep only well-typed options. */
function normaliseOptions(options: unknown): ValidatePolicyOptions {
  if (!isPlainObject(options)) return {};
  const target = own(options, 'identityTarget');
  const name = own(options, 'entityName');
  const maxSize = positive(own(options, 'maxSize'));
  return {
    identityTarget: target === 'user' || target === 'role' || target === 'group' ? target : 'managed',
    entityName: typeof name === 'string' ? name : undefined,
    usedSize: positive(own(options, 'usedSize')),
    maxSize: maxSize === 0 ? undefined : maxSize,
    maxInputLength: positive(own(options, 'maxInputLength')),
    maxFindings: positive(own(options, 'maxFindings')),
  };
}

function finish(out: Collector, maxFindings: number): PolicyFinding[] {
  const sorted = out.items.sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.rank - b.rank || a.seq - b.seq,
  );
  const limit = Math.max(0, Math.floor(maxFindings));
  const result: PolicyFinding[] = sorted.slice(0, limit).map((r) => {
    const f: PolicyFinding = { id: r.id, severity: r.severity, code: r.code, path: r.path, message: r.message };
    if (r.detail !== undefined) f.detail = r.detail;
    return f;
  });
  const omitted = sorted.length - result.length + out.dropped;
  if (omitted > 0) {
    result.push({ id: 'VAL-TRUNCATED', severity: 'info', code: out.codes.malformed, path: '$', message: `${omitted} more findings were not reported.` });
  }
  return result;
}

function toText(out: Collector, doc: unknown): string | undefined {
  if (typeof doc === 'string') return doc;
  try {
    const text = JSON.stringify(doc);
    if (typeof text === 'string') return text;
    out.malformed('SYN-JSON', '$', syntaxOrJson(out), RANK.syntax, `A policy document cannot be ${describe(doc)}.`);
  } catch (err) {
    out.malformed('SYN-JSON', '$', syntaxOrJson(out), RANK.syntax, `The value cannot be serialised as JSON: ${errorText(err)}`);
  }
  return undefined;
}

function syntaxOrJson(out: Collector): string {
  return out.kind === 'trust' ? MSG.trustInvalidJson : MSG.syntax;
}

function validateText(out: Collector, doc: unknown, options: ValidatePolicyOptions): void {
  const text = toText(out, doc);
  if (text === undefined) return;
  const maxInput = options.maxInputLength ?? DEFAULT_MAX_INPUT;

  const bad = findDisallowedChars(text);
  if (bad) {
    out.add({
      id: 'SYN-CHARSET',
      severity: 'error',
      code: 'ValidationError',
      path: '$',
      message: MSG.charset,
      detail: `Character U+${bad.codePoint.toString(16).toUpperCase().padStart(4, '0')} at offset ${bad.offset} is outside the allowed set (${bad.count} such characters).`,
    }, RANK.charset);
  }

  checkSize(out, text, options);
  if (text.length > maxInput) {
    out.add({ id: 'SYN-SIZE', severity: 'info', code: out.codes.size, path: '$', message: `The document was not parsed: it is longer than ${maxInput} characters.` }, RANK.size);
    return;
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    out.malformed('SYN-JSON', '$', syntaxOrJson(out), RANK.syntax, errorText(err));
    return;
  }

  for (const dup of findDuplicateKeys(text, 100)) {
    // AWS-COMPAT: AWS does not document duplicate keys; JSON parsers (ours included) keep the last one.
    out.warn('SYN-DUPLICATE-KEY', dup.path, `The key ${quote(dup.key)} appears more than once in the same object; only the last value is used.`);
  }

  validateDocument(out, parsed);
}

function checkSize(out: Collector, text: string, options: ValidatePolicyOptions): void {
  const kind = out.kind;
  const size = policySize(text, kind) + (options.usedSize ?? 0);
  let limit: number | undefined;
  let message: (n: number) => string;
  switch (kind) {
    case 'identity': {
      const target = options.identityTarget ?? 'managed';
      limit = POLICY_SIZE_QUOTAS[target];
      message = target === 'managed' ? MSG.managedSize : (n) => MSG.inlineSize(n, target, options.entityName);
      break;
    }
    case 'boundary':
      limit = POLICY_SIZE_QUOTAS.managed;
      message = MSG.managedSize;
      break;
    case 'trust':
      limit = POLICY_SIZE_QUOTAS.trust;
      message = MSG.trustSize;
      break;
    case 'scp':
      limit = POLICY_SIZE_QUOTAS.scp;
      message = () => MSG.scpSize;
      break;
    case 'session':
      limit = POLICY_SIZE_QUOTAS.session;
      message = MSG.sessionSize;
      break;
    default:
      limit = undefined;
      message = MSG.resourceSize;
  }
  if (options.maxSize !== undefined) limit = options.maxSize;
  if (limit === undefined || size <= limit) return;
  out.add({
    id: 'SYN-SIZE',
    severity: 'error',
    code: out.codes.size,
    path: '$',
    message: message(limit),
    detail: `The document counts ${size} characters against a quota of ${limit}.`,
  }, RANK.size);
}

function validateDocument(out: Collector, parsed: unknown): void {
  const kind = out.kind;
  if (!isPlainObject(parsed)) {
    out.malformed('SYN-DATA-TYPE', '$', MSG.syntax, RANK.syntax, `A policy document is a JSON object, not ${describe(parsed)}.`);
    return;
  }
  for (const key of Object.keys(parsed)) {
    if (!TOP_ELEMENTS.has(key)) {
      out.malformed('SYN-UNKNOWN-ELEMENT', keyPath('$', key), MSG.syntax, RANK.syntax, `${quote(key)} is not a policy element; the top level allows Version, Id and Statement (case-sensitive).`);
    }
  }

  const version = own(parsed, 'Version');
  checkVersion(out, kind, version, has(parsed, 'Version'));

  if (has(parsed, 'Id') && typeof own(parsed, 'Id') !== 'string') {
    out.malformed('SYN-DATA-TYPE', '$.Id', MSG.syntax, RANK.syntax, `Id must be a string, not ${describe(own(parsed, 'Id'))}.`);
  }

  const ctx: DocContext = { out, kind, variables: version === '2012-10-17', sids: new Map() };
  if (!has(parsed, 'Statement')) {
    out.malformed('SYN-MISSING-ELEMENT', '$', MSG.syntax, RANK.syntax, 'The policy has no Statement.');
    return;
  }
  const statement = own(parsed, 'Statement');
  if (Array.isArray(statement)) {
    if (statement.length === 0) {
      out.malformed('SYN-EMPTY', '$.Statement', kind === 'trust' ? MSG.trustEmptyStatement : MSG.syntax, RANK.syntax, 'Statement is an empty array.');
    }
    for (let i = 0; i < statement.length; i++) validateStatement(ctx, statement[i], indexPath('$.Statement', i));
  } else if (isPlainObject(statement)) {
    validateStatement(ctx, statement, '$.Statement');
  } else {
    out.malformed('SYN-DATA-TYPE', '$.Statement', MSG.syntax, RANK.syntax, `Statement must be an object or an array of objects, not ${describe(statement)}.`);
  }
}

function checkVersion(out: Collector, kind: PolicyKind, version: unknown, present: boolean): void {
  // AWS-COMPAT: CreatePolicy refuses a missing or 2008-10-17 Version; trust and resource
  // policies still accept both (older trust policies carry 2008-10-17).
  const requires2012 = kind === 'identity' || kind === 'boundary';
  if (!present) {
    if (requires2012) out.malformed('SYN-VERSION', '$', MSG.version, RANK.version, 'The policy has no Version; add "Version": "2012-10-17".');
    else out.warn('SYN-VERSION', '$', 'The policy has no Version, so it defaults to 2008-10-17, where policy variables are not recognised. Add "Version": "2012-10-17".');
    return;
  }
  if (typeof version !== 'string') {
    out.malformed('SYN-DATA-TYPE', '$.Version', MSG.syntax, RANK.syntax, `Version must be a string, not ${describe(version)}.`);
    return;
  }
  if (!VERSIONS.has(version)) {
    out.malformed('SYN-VERSION', '$.Version', MSG.syntax, RANK.syntax, `Version ${quote(version)} is not "2012-10-17" or "2008-10-17".`);
    return;
  }
  if (version === '2008-10-17') {
    if (requires2012) out.malformed('SYN-VERSION', '$.Version', MSG.version, RANK.version, 'Version 2008-10-17 is no longer accepted for this kind of policy.');
    else out.warn('SYN-VERSION', '$.Version', 'Version 2008-10-17 treats policy variables such as ${aws:username} as literal text. Use "2012-10-17".');
  }
}

function validateStatement(ctx: DocContext, stmt: unknown, path: string): void {
  const { out } = ctx;
  if (!isPlainObject(stmt)) {
    out.malformed('SYN-DATA-TYPE', path, MSG.syntax, RANK.syntax, `A statement is an object, not ${describe(stmt)}.`);
    return;
  }
  for (const key of Object.keys(stmt)) {
    if (STATEMENT_ELEMENT_SET.has(key)) continue;
    const suggestion = STATEMENT_ELEMENTS.find((e) => e.toLowerCase() === key.toLowerCase());
    out.malformed('SYN-UNKNOWN-ELEMENT', keyPath(path, key), MSG.syntax, RANK.syntax,
      suggestion ? `${quote(key)} is not a statement element; element names are case-sensitive: use "${suggestion}".` : `${quote(key)} is not a statement element.`);
  }
  const effect = checkEffect(ctx, stmt, path);
  checkSid(ctx, stmt, path);
  checkPrincipals(ctx, stmt, path, effect);
  checkActions(ctx, stmt, path);
  checkResources(ctx, stmt, path);
  if (has(stmt, 'Condition')) checkCondition(ctx, own(stmt, 'Condition'), keyPath(path, 'Condition'));
}

function checkEffect(ctx: DocContext, stmt: Record<string, unknown>, path: string): 'Allow' | 'Deny' | undefined {
  const { out } = ctx;
  if (!has(stmt, 'Effect')) {
    out.malformed('SYN-MISSING-ELEMENT', path, MSG.syntax, RANK.syntax, 'The statement has no Effect.');
    return undefined;
  }
  const effect = own(stmt, 'Effect');
  const p = keyPath(path, 'Effect');
  if (typeof effect !== 'string') {
    out.malformed('SYN-DATA-TYPE', p, MSG.syntax, RANK.syntax, `Effect must be the string "Allow" or "Deny", not ${describe(effect)}.`);
    return undefined;
  }
  if (effect === 'Allow' || effect === 'Deny') return effect;
  const lower = effect.toLowerCase();
  if (lower === 'allow' || lower === 'deny') {
    // AWS-COMPAT: a wrongly-cased Effect passes the syntax check but fails "legacy parsing".
    out.malformed('SYN-EFFECT', p, MSG.legacy, RANK.legacy, `Effect is case-sensitive: use "${lower === 'allow' ? 'Allow' : 'Deny'}".`);
    return lower === 'allow' ? 'Allow' : 'Deny';
  }
  out.malformed('SYN-EFFECT', p, MSG.syntax, RANK.syntax, `Effect must be "Allow" or "Deny", not ${quote(effect)}.`);
  return undefined;
}

function checkSid(ctx: DocContext, stmt: Record<string, unknown>, path: string): void {
  const { out } = ctx;
  if (!has(stmt, 'Sid')) return;
  const sid = own(stmt, 'Sid');
  const p = keyPath(path, 'Sid');
  if (typeof sid !== 'string') {
    out.malformed('SYN-DATA-TYPE', p, MSG.syntax, RANK.syntax, `Sid must be a string, not ${describe(sid)}.`);
    return;
  }
  // DIVERGENCE: resource policies follow each service's rules (S3 and KMS allow spaces); we accept any string there.
  if (ctx.kind !== 'resource' && !SID_ALNUM.test(sid)) {
    out.malformed('SYN-SID', p, MSG.sidAlnum, RANK.sid, `Sid ${quote(sid)} may contain only A-Z, a-z and 0-9.`);
  }
  if (sid === '') return;
  const earlier = ctx.sids.get(sid);
  if (earlier !== undefined) {
    out.malformed('SYN-SID', p, MSG.sidUnique, RANK.sid, `Sid ${quote(sid)} is also used at ${earlier}.`);
  } else ctx.sids.set(sid, p);
}

function checkPrincipals(ctx: DocContext, stmt: Record<string, unknown>, path: string, effect: 'Allow' | 'Deny' | undefined): void {
  const { out, kind } = ctx;
  const hasP = has(stmt, 'Principal');
  const hasNP = has(stmt, 'NotPrincipal');
  if (hasP && hasNP) {
    out.malformed('SYN-ELEMENT-COMBINATION', keyPath(path, 'NotPrincipal'), MSG.syntax, RANK.syntax, 'A statement has Principal or NotPrincipal, not both.');
  }
  if (kind === 'identity' || kind === 'boundary' || kind === 'session' || kind === 'scp') {
    for (const element of ['Principal', 'NotPrincipal']) {
      if (!has(stmt, element)) continue;
      out.malformed('SYN-POLICY-TYPE', keyPath(path, element), MSG.noPrincipal, RANK.principal,
        `${kind === 'scp' ? 'Service control policies' : 'Policies attached to identities'} cannot name a principal: it is the identity the policy applies to.`);
    }
    return;
  }
  // Trust and resource policies say who they grant access to.
  if (!hasP && !hasNP) {
    out.malformed('SYN-MISSING-ELEMENT', path, MSG.missingPrincipal, RANK.fields, `A ${kind === 'trust' ? 'role trust' : 'resource-based'} policy statement needs a Principal.`);
  }
  if (hasNP) {
    if (kind === 'trust') {
      // With Deny the wording is ours: AWS documents NotPrincipal as unsupported in trust policies.
      out.malformed('SYN-POLICY-TYPE', keyPath(path, 'NotPrincipal'),
        effect === 'Allow' ? MSG.allowNotPrincipal : 'NotPrincipal is not supported in a role trust policy.', RANK.fields);
    } else if (effect === 'Allow') {
      out.malformed('SYN-POLICY-TYPE', keyPath(path, 'NotPrincipal'), MSG.allowNotPrincipal, RANK.fields, 'NotPrincipal works only with "Effect": "Deny".');
    }
    checkPrincipalValueShape(ctx, own(stmt, 'NotPrincipal'), keyPath(path, 'NotPrincipal'));
  }
  if (hasP) checkPrincipalValueShape(ctx, own(stmt, 'Principal'), keyPath(path, 'Principal'));
}

function checkPrincipalValueShape(ctx: DocContext, value: unknown, path: string): void {
  const { out } = ctx;
  if (typeof value === 'string') {
    if (value !== '*') {
      out.malformed('REF-PRINCIPAL', path, MSG.invalidPrincipal(undefined, value), RANK.principal, 'A principal given as a string must be "*"; otherwise use {"AWS": ...}, {"Service": ...} and so on.');
    }
    return;
  }
  if (!isPlainObject(value)) {
    out.malformed('SYN-DATA-TYPE', path, MSG.syntax, RANK.syntax, `A principal is "*" or an object such as {"AWS": "123456789012"}, not ${describe(value)}.`);
    return;
  }
  const types = Object.keys(value);
  if (types.length === 0) {
    out.malformed('SYN-EMPTY', path, MSG.emptyPrincipal, RANK.fields, 'The principal object is empty.');
    return;
  }
  for (const type of types) {
    const p = keyPath(path, type);
    const raw = own(value, type);
    const list = stringList(ctx, raw, p, `Principal "${type}"`);
    if (!list) continue;
    if (list.items.length === 0) {
      out.malformed('SYN-EMPTY', p, MSG.emptyPrincipal, RANK.fields, `The list of "${type}" principals is empty.`);
      continue;
    }
    if (!PRINCIPAL_TYPES.has(type)) {
      out.malformed('REF-PRINCIPAL', p, MSG.invalidPrincipal(type, list.items[0]), RANK.principal, `${quote(type)} is not a principal type; use AWS, Federated, Service or CanonicalUser (case-sensitive).`);
      continue;
    }
    for (let i = 0; i < list.items.length; i++) {
      const v = list.items[i];
      const verdict = checkPrincipalValue(type, v);
      if (!verdict.ok) out.malformed('REF-PRINCIPAL', list.paths[i], MSG.invalidPrincipal(type, v), RANK.principal, verdict.reason);
      else if (verdict.warning) out.warn('REF-PRINCIPAL', list.paths[i], verdict.warning);
      if (ctx.variables && hasVariable(v)) out.warn('SYN-VARIABLE', list.paths[i], 'Policy variables are not supported in Principal; the text is used literally.');
    }
  }
}

function checkActions(ctx: DocContext, stmt: Record<string, unknown>, path: string): void {
  for (const list of exclusiveLists(ctx, stmt, path, ['Action', 'NotAction'], MSG.needActions, RANK.actions)) {
    if (ctx.kind === 'trust' && list.element === 'NotAction') {
      ctx.out.malformed('SYN-POLICY-TYPE', list.path, MSG.trustActions, RANK.fields, 'NotAction would name every other action; a trust policy lists its sts: actions.');
    }
    for (let i = 0; i < list.items.length; i++) checkAction(ctx, list.items[i], list.paths[i], list.element);
  }
}

function checkAction(ctx: DocContext, action: string, path: string, element: string): void {
  const { out, kind } = ctx;
  if (ctx.variables && hasVariable(action)) {
    out.warn('SYN-VARIABLE', path, `Policy variables are not supported in ${element}; the text is used literally.`);
  }
  if (action === '*') {
    if (kind === 'trust' && element === 'Action') {
      out.malformed('SYN-POLICY-TYPE', path, MSG.trustActions, RANK.fields, 'A trust policy names sts:AssumeRole, sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity, sts:TagSession, sts:SetSourceIdentity or sts:SetContext.');
    }
    return;
  }
  const parts = action.split(':');
  if (parts.length === 1) {
    out.malformed('SYN-ACTION', path, MSG.actionVendor, RANK.actionFormat, `${quote(action)} has no service prefix; write it as "service:Action".`);
    return;
  }
  if (parts.length > 2) {
    out.malformed('SYN-ACTION', path, MSG.actionColons, RANK.actionFormat, `${quote(action)} has ${parts.length - 1} colons.`);
    return;
  }
  const [vendor, name] = parts;
  if (!VENDOR.test(vendor)) {
    const wildcard = vendor.includes('*') || vendor.includes('?');
    out.malformed(wildcard ? 'REF-SERVICE' : 'SYN-ACTION', path, MSG.vendorInvalid(vendor), RANK.actionFormat,
      wildcard ? 'Wildcards are allowed in the action name, not in the service prefix.' : `${quote(vendor)} is not a service prefix.`);
    return;
  }
  if (name === '') out.warn('SYN-ACTION', path, `${quote(action)} has an empty action name and matches no action.`);
  if (kind === 'scp' && /[*?]/.test(name.replace(/[*?]+$/, ''))) {
    out.malformed('SYN-POLICY-TYPE', path, MSG.scp, RANK.actionFormat, 'In a service control policy a wildcard may appear only alone or at the end of the action name.');
  }
  if (kind === 'trust' && element === 'Action') {
    const matches = vendor.toLowerCase() === 'sts' && TRUST_ACTIONS.some((a) => globToRegExp(name).test(a));
    if (!matches) {
      out.malformed('SYN-POLICY-TYPE', path, MSG.trustActions, RANK.fields, `${quote(action)} is not an action a role trust policy can grant.`);
    }
  }
}

