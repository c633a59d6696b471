/**
 * Redaction of secrets in audit records. CloudTrail replaces values it must not keep with the
 * literal string `HIDDEN_DUE_TO_SECURITY_REASONS` (sign-in user names, SNS messages, Cognito
 * passwords...); we do the same for every credential that can cross the IAM and STS APIs.
 *
 * Matching is by key name, at any depth, case-insensitively, on the last segment of the key
 * (`accessKey.secretAccessKey` and `Credentials.member.1.SessionToken` both match), so the
 * redactor works whether the server passes nested model objects or flattened wire names.
 * The output is a fresh, plain-JSON copy; the input is never modified.
 */

export const REDACTED = 'HIDDEN_DUE_TO_SECURITY_REASONS';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Lower-cased key names whose values are secrets. Model member names with the first letter
 * lower-cased, as the server passes them.
 */
export const SECRET_KEY_NAMES: ReadonlySet<string> = new Set([
  // Access keys and temporary credentials (CreateAccessKey, AssumeRole*, GetSessionToken...).
  // DIVERGENCE: CloudTrail keeps `sessionToken` in STS responses. Our session tokens are
  // self-contained bearer credentials valid in every region, so whoever reads the audit log
  // could use them; we hide them.
  'secretaccesskey',
  'sessiontoken',
  // Passwords (CreateLoginProfile, UpdateLoginProfile, ChangePassword, console sign-in) and
  // service-specific credentials.
  'password',
  'oldpassword',
  'newpassword',
  'servicepassword',
  // MFA: codes (EnableMFADevice, ResyncMFADevice, AssumeRole, GetSessionToken) and TOTP seeds
  // (CreateVirtualMFADevice).
  'authenticationcode1',
  'authenticationcode2',
  'tokencode',
  'base32stringseed',
  'qrcodepng',
  // Private keys (UploadServerCertificate, UploadSigningCertificate companions).
  'privatekey',
  // Federation assertions are bearer credentials until they expire.
  'samlassertion',
  'samlresponse',
  'webidentitytoken',
  'contextassertion',
]);

/** The key segment that decides: the last dotted segment that is not a list index or `member`. */
function lastSegment(key: string): string {
  // The common case, a plain member name, skips the split: this runs for every key of every event.
  if (!key.includes('.')) return key.toLowerCase();
  const parts = key.split('.');
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i];
    if (part !== '' && part !== 'member' && !/^\d+$/.test(part)) return part.toLowerCase();
  }
  return key.toLowerCase();
}

/** Whether a key names a secret (case-insensitive, last segment). */
export function isSecretKey(key: string, extra?: ReadonlySet<string>): boolean {
  const name = lastSegment(key);
  return SECRET_KEY_NAMES.has(name) || (extra !== undefined && extra.has(name));
}

/** Records hold request data, which is shallow; deeper nesting means a bug or an attack. */
const MAX_DEPTH = 32;

function copy(value: unknown, depth: number, seen: Set<object>, extra: ReadonlySet<string> | undefined): JsonValue | undefined {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  const object = value as object;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString();
  // Binary values (a certificate body as bytes) are kept as base64 text, as the wire carries them.
  if (object instanceof Uint8Array) return Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64');
  if (depth >= MAX_DEPTH || seen.has(object)) return '[omitted]';
  seen.add(object);
  try {
    if (Array.isArray(object)) return object.map((item) => copy(item, depth + 1, seen, extra) ?? null);
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(object)) {
      if (item === undefined) continue;
      if (isSecretKey(key, extra)) {
        out[key] = REDACTED;
        continue;
      }
      const copied = copy(item, depth + 1, seen, extra);
      if (copied !== undefined) out[key] = copied;
    }
    return out;
  } finally {
    seen.delete(object);
  }
}

/**
 * A plain-JSON copy of `value` with every secret replaced by `REDACTED`. A secret key's whole
 * value is replaced, whatever its type, so a nested structure under it cannot leak either.
 * `extraKeys` adds key names (any case) for one call site.
 */
export function redactSecrets(value: unknown, extraKeys?: Iterable<string>): JsonValue {
  const extra = extraKeys ? new Set([...extraKeys].map((k) => k.toLowerCase())) : undefined;
  return copy(value, 0, new Set(), extra) ?? null;
}

/**
 * Whether a parsed JSON value holds a secret that is not yet redacted: a secret key at any depth
 * whose value is anything but `REDACTED`. Walks without copying, so checking an event that
 * `buildAuditEvent` already redacted costs far less than redacting it again.
 */
export function containsSecrets(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return false;
  // Deeper than redactSecrets goes: let it decide what to keep.
  if (depth >= MAX_DEPTH) return true;
  if (Array.isArray(value)) return value.some((item) => containsSecrets(item, depth + 1));
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (isSecretKey(key) ? item !== REDACTED : containsSecrets(item, depth + 1)) return true;
  }
  return false;
}
