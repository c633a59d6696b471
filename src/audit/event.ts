/**
 * The audit event: one record per API call, in the shape of an AWS CloudTrail management event
 * (record contents as of `eventVersion` 1.08), so tools that read CloudTrail JSON can read ours.
 * The builder takes plain fields; the HTTP layer extracts them. It is pure: the caller supplies
 * the time and the event id.
 */
import { redactSecrets, type JsonObject } from './redact.js';

/**
 * 1.08 is the newest record version whose fields we emit (it added `tlsDetails`,
 * `sessionCredentialFromConsole`, `addendum`, `edgeDeviceDetails`, which we do not emit; 1.07
 * added `eventCategory`, which we do). Readers are told to compare the minor version with >=.
 */
export const EVENT_VERSION = '1.08';

export type AuditEventSource = 'iam.amazonaws.com' | 'sts.amazonaws.com';

/**
 * CloudTrail's `userIdentity.type` values that Gatehouse can produce. `Unknown` is CloudTrail's
 * "identity type that CloudTrail can't determine"; we use it for a caller whose access key id
 * matched no principal.
 */
export type UserIdentityType =
  | 'Root'
  | 'IAMUser'
  | 'AssumedRole'
  | 'FederatedUser'
  | 'AWSAccount'
  | 'AWSService'
  | 'SAMLUser'
  | 'WebIdentityUser'
  | 'Unknown';

/** Who issued a session's credentials: the role of a role session, the user behind a federated user. */
export interface SessionIssuer {
  type: 'Root' | 'IAMUser' | 'Role';
  principalId: string;
  arn: string;
  accountId: string;
  /** The role's or user's name; CloudTrail leaves it out for a root user without an account alias. */
  userName?: string;
}

/**
 * Set when the request was signed with temporary credentials. `sessionIssuer` is absent for
 * GetSessionToken credentials, whose identity is the user itself.
 */
export interface SessionContext {
  sessionIssuer?: SessionIssuer;
  webIdFederationData?: { federatedProvider: string; attributes: Record<string, string> };
  attributes: {
    /** ISO 8601, seconds, UTC (`2024-05-01T12:00:00Z`): when the temporary credentials were issued. */
    creationDate: string;
    // AWS-COMPAT: a string, not a boolean, in every CloudTrail record.
    mfaAuthenticated: 'true' | 'false';
  };
  /** The source identity the session carries (AssumeRole SourceIdentity), as CloudTrail puts it here. */
  sourceIdentity?: string;
}

export interface UserIdentity {
  type: UserIdentityType;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  sessionContext?: SessionContext;
  /** SAMLUser / WebIdentityUser only: the external identity provider. */
  identityProvider?: string;
  invokedBy?: string;
}

/** An entry of CloudTrail's `resources` list (note the upper-case `ARN`, as AWS writes it). */
export interface AuditResource {
  ARN: string;
  accountId: string;
  type: string;
}

/** One audit record. Field order follows CloudTrail's, so the stored JSON reads like AWS's. */
export interface AuditEvent {
  eventVersion: typeof EVENT_VERSION;
  userIdentity: UserIdentity;
  /** ISO 8601 UTC to the second, e.g. `2024-05-01T12:00:00Z`. */
  eventTime: string;
  eventSource: AuditEventSource;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: JsonObject | null;
  responseElements: JsonObject | null;
  additionalEventData?: JsonObject;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  resources?: AuditResource[];
  eventType: 'AwsApiCall';
  managementEvent: true;
  recipientAccountId: string;
  eventCategory: 'Management';
}

export interface AuditEventInput {
  /** Who called, as resolved by authentication; see `unauthenticatedIdentity` for failures. */
  identity: UserIdentity;
  eventSource: AuditEventSource;
  /** The API action, e.g. `CreateUser`. */
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent?: string;
  /** Request parameters keyed by model member names with the first letter lower-cased. */
  requestParameters?: Record<string, unknown> | null;
  /** Response elements for calls that change state; null for reads and failures. */
  responseElements?: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown>;
  errorCode?: string;
  errorMessage?: string;
  requestId: string;
  /** A random UUID, injected so tests are deterministic. */
  eventId: string;
  /** When the request completed (CloudTrail's definition), injected from the server's clock. */
  eventTime: Date;
  readOnly: boolean;
  /** The account whose trail receives the event: the account of the resource acted on. */
  recipientAccountId: string;
  resources?: AuditResource[];
}

/** CloudTrail truncates these string fields at 1 KB; we do the same so one request cannot bloat the log. */
const MAX_SHORT_FIELD = 1024;

function clip(value: string): string {
  return value.length > MAX_SHORT_FIELD ? value.slice(0, MAX_SHORT_FIELD) : value;
}

/** `2024-05-01T12:00:00Z`: CloudTrail's eventTime has no fractional seconds. */
export function formatEventTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function redactObject(value: Record<string, unknown> | null | undefined): JsonObject | null {
  if (value === null || value === undefined) return null;
  return redactSecrets(value) as JsonObject;
}

/** Builds a CloudTrail-shaped event; secrets in parameters and responses are redacted here, always. */
export function buildAuditEvent(input: AuditEventInput): AuditEvent {
  // Conditional spreads keep the optional fields in CloudTrail's position.
  return {
    eventVersion: EVENT_VERSION,
    // The identity goes through the redactor too: it must be plain JSON, and a caller that put
    // a secret in it by mistake must not leak it.
    userIdentity: redactSecrets(input.identity) as unknown as UserIdentity,
    eventTime: formatEventTime(input.eventTime),
    eventSource: input.eventSource,
    eventName: input.eventName,
    awsRegion: input.awsRegion,
    sourceIPAddress: input.sourceIPAddress,
    userAgent: clip(input.userAgent ?? ''),
    ...(input.errorCode !== undefined ? { errorCode: clip(input.errorCode) } : {}),
    ...(input.errorMessage !== undefined ? { errorMessage: clip(input.errorMessage) } : {}),
    requestParameters: redactObject(input.requestParameters),
    responseElements: redactObject(input.responseElements),
    ...(input.additionalEventData ? { additionalEventData: redactSecrets(input.additionalEventData) as JsonObject } : {}),
    requestID: clip(input.requestId),
    eventID: input.eventId,
    readOnly: input.readOnly,
    ...(input.resources?.length ? { resources: input.resources.map((r) => ({ ARN: r.ARN, accountId: r.accountId, type: r.type })) } : {}),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: input.recipientAccountId,
    eventCategory: 'Management',
  };
}

/**
 * The identity recorded when authentication failed.
 *
 * - The access key id is known but the signature (or password, or token) was wrong: the key
 *   owner's identity, as CloudTrail records a console sign-in failure for a known user name
 *   (type, principalId, arn, accountId, userName, with errorMessage "Failed authentication").
 *   The caller passes that identity in `owner`.
 * - The access key id matched nothing: `{type: "Unknown", accessKeyId}`; no key at all:
 *   `{type: "Unknown", principalId: "Anonymous"}`.
 *   // DIVERGENCE: AWS cannot deliver such a call to any account's trail, so it records nothing;
 *   // a self-hosted operator wants to see key guessing, so we record it with the only fact we
 *   // have. The key id is not a secret (AWS logs it on every event).
 */
export function unauthenticatedIdentity(accessKeyId: string | undefined, owner?: UserIdentity): UserIdentity {
  if (owner) return { ...owner, ...(accessKeyId ? { accessKeyId } : {}) };
  if (accessKeyId) return { type: 'Unknown', accessKeyId };
  // An unsigned request: CloudTrail records unauthenticated calls (e.g. Cognito SignUp) so.
  return { type: 'Unknown', principalId: 'Anonymous' };
}
