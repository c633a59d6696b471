/**
 * What every STS operation gets: the replica, injected randomness, the request's facts and the
 * caller; plus the helpers they share (the caller's condition keys, authorization with AWS's
 * AccessDenied wording).
 */
import { awsError } from '../../core/errors/index.js';
import type { Tag } from '../../core/model/iam-entities.js';
import { principalContext } from '../../core/model/principal-context.js';
import type { Principal } from '../../core/model/principal.js';
import { accessDeniedMessage, evaluate, type AuthzRequest, type ContextValue, type Decision, type PolicySets } from '../../core/policy/index.js';
import type { ReplicaView } from '../replica-view.js';
import type { MfaVerifier } from './mfa.js';

export interface StsRequest {
  requestId: string;
  now: Date;
  sourceIp: string;
  userAgent: string;
  /** The region of the request's credential scope (the home region on the global endpoint). */
  region: string;
  secureTransport: boolean;
}

export interface StsContext {
  view: ReplicaView;
  random: (n: number) => Buffer;
  partition: string;
  mfa: MfaVerifier;
  request: StsRequest;
  now: Date;
}

/** The tags `principalContext` takes as the caller's own: its user's or its role's. */
export function ownTags(view: ReplicaView, principal: Principal): readonly Tag[] {
  const claims = principal.session;
  if (principal.type === 'IAMUser' && principal.userName) return view.user(principal.account, principal.userName)?.tags ?? [];
  if (principal.type === 'AssumedRole' && claims?.roleName) return view.role(claims.account, claims.roleName)?.tags ?? [];
  return [];
}

/** The global condition keys of the caller's request. */
export function callerContext(ctx: StsContext, principal: Principal): Record<string, ContextValue> {
  const { request } = ctx;
  return principalContext(principal, ownTags(ctx.view, principal), {
    now: ctx.now,
    sourceIp: request.sourceIp,
    userAgent: request.userAgent,
    secureTransport: request.secureTransport,
    region: request.region,
  });
}

/** `aws:RequestTag/<key>` for each tag and `aws:TagKeys`, as IAM sets them for tagging requests. */
export function requestTagContext(tags: readonly Tag[]): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  if (tags.length === 0) return out;
  for (const t of tags) out[`aws:RequestTag/${t.key}`] = t.value;
  out['aws:TagKeys'] = tags.map((t) => t.key);
  return out;
}

/** `User: <arn> is not authorized to perform: <action> on resource: <resource>`, without the reason. */
export function notAuthorized(principal: Principal, action: string, resource: string): string {
  return `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource}`;
}

/** Evaluates one action for the caller; AccessDenied with the engine's explanation when it is not allowed. */
export function authorize(principal: Principal, action: string, resource: string, context: Record<string, ContextValue>, sets: PolicySets | undefined): Decision {
  const request: AuthzRequest = { principal: principal.arn, action, resource, context };
  if (!sets) throw awsError('AccessDenied', notAuthorized(principal, action, resource));
  const decision = evaluate(request, sets);
  if (decision.decision !== 'Allow') throw awsError('AccessDenied', accessDeniedMessage(request, decision) ?? notAuthorized(principal, action, resource));
  return decision;
}

/** A string member of the domain input, or undefined (the protocol has checked types and constraints). */
export function str(input: Record<string, unknown>, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' ? v : undefined;
}

export function int(input: Record<string, unknown>, key: string): number | undefined {
  const v = input[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** ISO-8601 with milliseconds, as claims carry times. */
export function iso(time: Date | number): string {
  return new Date(time).toISOString();
}
