/** The audit trail: CloudTrail-shaped events, redaction, and the hash-chained SQLite log. */
export {
  buildAuditEvent,
  formatEventTime,
  unauthenticatedIdentity,
  EVENT_VERSION,
  type AuditEvent,
  type AuditEventInput,
  type AuditEventSource,
  type AuditResource,
  type SessionContext,
  type SessionIssuer,
  type UserIdentity,
  type UserIdentityType,
} from './event.js';
export { redactSecrets, isSecretKey, REDACTED, SECRET_KEY_NAMES, type JsonObject, type JsonValue } from './redact.js';
export { canonicalJson } from './canonical-json.js';
export {
  AuditLog,
  AuditLogError,
  openAuditLog,
  AUDIT_CHAIN_KEY_PURPOSE,
  AUDIT_DB_FILE,
  DEFAULT_DATA_DIR,
  type AuditLogErrorCode,
  type AuditLogOptions,
  type AuditQuery,
  type VerifyProblem,
  type VerifyProblemKind,
  type VerifyResult,
} from './audit-log.js';
