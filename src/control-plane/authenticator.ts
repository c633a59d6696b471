/**
 * Authenticates IAM API requests: SigV4 (or SigV4a) verified with the key's secret, AWS's
 * clock-skew window, and the caller the key belongs to. Secrets are opened once per key and
 * derived signing keys cached until a write changes the key or its user (a deleted or
 * deactivated key stops working at once). Key usage is kept in memory and written in batches,
 * as AWS's last-used data lags too, to its own record kind (access-key-usage.ts): never to the
 * key record, whose every write would be replicated to all regions.
 *
 * Temporary credentials (`ASIA…` key ids) need no lookup: the session token sent with the request
 * is opened with the day key it names, and carries the secret to verify the signature with and the
 * session's facts (core/model/principal.ts). Opened tokens are cached, bounded.
 */
import { errorInfo } from '../core/errors/index.js';
import { KIND, entityId, type AccessKeyEntity, type AccessKeyUsageEntity, type UserEntity } from '../core/model/iam-entities.js';
import type { SessionClaims } from '../core/model/principal.js';
import {
  checkCredentialScope,
  checkRequestTime,
  deriveSigningKey,
  deriveSigV4aKeyPair,
  parseSignature,
  verifySigV4,
  verifySigV4a,
  MESSAGES,
  type HttpRequestParts,
  type SignatureInfo,
} from '../core/sigv4/index.js';
import { openSessionToken } from '../core/tokens/index.js';
import { openSecret } from './access-key-secrets.js';
import { saveKeyUsage } from './access-key-usage.js';
import { isStale, RecordingTx, type Caller, type ControlPlaneEnv, type Dependencies } from './context.js';
import type { IamService } from './iam-service.js';
import { sessionPrincipal } from '../core/model/session-principal.js';
import { SessionTokenKeys } from './session-token-keys.js';
import type { KeyObject } from 'node:crypto';

export type AuthResult =
  | { ok: true; caller: Caller; info: SignatureInfo }
  | { ok: false; code: string; message: string; accessKeyId?: string; caller?: Caller };

interface SigningSecret {
  secret: string;
  publicKey?: KeyObject;
  /** SigV4 signing keys by date, region and service. */
  signingKeys: Map<string, Buffer>;
}

interface KnownKey extends SigningSecret {
  caller: Caller;
  active: boolean;
}

interface KnownSession extends SigningSecret {
  claims: SessionClaims;
  caller: Caller;
  expiresAt: number;
  /** When the token's key stops opening tokens (a token never outlives it, but we check). */
  keyUntil: number;
}

/** Bounds on what a flood of made-up key ids, tokens, dates or regions can make the caches hold. */
const MAX_CACHED_KEYS = 10_000;
const MAX_CACHED_SESSIONS = 5_000;
const MAX_SIGNING_KEYS_PER_KEY = 100;

const EXPIRED_TOKEN = errorInfo('ExpiredToken').defaultMessage as string;

function lastUsed(use: { at: Date; serviceName: string; region: string }): AccessKeyUsageEntity {
  return { lastUsedDate: use.at.toISOString(), serviceName: use.serviceName, region: use.region };
}

export class Authenticator {
  /** Per access key id: the key (null: none), and the records it was read from. */
  private readonly keys = new Map<string, { key: KnownKey | null; reads: Dependencies }>();
  /** The last use of each key not yet written (formatted when written: this runs on every request). */
  private readonly usage = new Map<string, { at: Date; serviceName: string; region: string }>();
  /** Opened session tokens, by token. */
  private readonly sessions = new Map<string, KnownSession>();
  private readonly tokenKeys: SessionTokenKeys;

  constructor(
    private readonly env: ControlPlaneEnv,
    service: IamService,
  ) {
    this.tokenKeys = new SessionTokenKeys(env.tokenRoot);
    service.onChange((changed) => {
      for (const [id, entry] of this.keys) if (isStale(entry.reads, changed)) this.keys.delete(id);
    });
  }

  async authenticate(parts: HttpRequestParts, now: Date, expectedService: string): Promise<AuthResult> {
    const parsed = parseSignature(parts);
    if (!parsed.ok) return { ok: false, code: parsed.failure.code, message: parsed.failure.message };
    const info = parsed.info;
    // AWS's order: the clock and the credential scope first, then the key, then the signature.
    const early = checkRequestTime(info, now) ?? checkCredentialScope(info, { service: expectedService });
    if (early) return { ok: false, code: early.code, message: early.message, accessKeyId: info.accessKeyId };
    if (info.accessKeyId.startsWith('ASIA')) return this.authenticateSession(parts, info, now);
    const invalid = { ok: false, code: 'InvalidClientTokenId', message: MESSAGES.invalidClientTokenId, accessKeyId: info.accessKeyId } as const;
    // AWS-COMPAT: a long-term key sent with a session token (a stale AWS_SESSION_TOKEN) is refused.
    if (info.sessionToken !== undefined) return invalid;
    const key = await this.lookup(info.accessKeyId);
    if (!key || !key.active) return invalid;
    if (!this.verify(parts, info, key)) return { ok: false, code: 'SignatureDoesNotMatch', message: MESSAGES.signatureDoesNotMatch, accessKeyId: info.accessKeyId, caller: key.caller };
    return { ok: true, caller: key.caller, info };
  }

  /**
   * Temporary credentials: the token must open with a live day key and name the request's key id
   * ("invalid" otherwise), must not have expired, and the signature must verify with its secret.
   */
  private authenticateSession(parts: HttpRequestParts, info: SignatureInfo, now: Date): AuthResult {
    const accessKeyId = info.accessKeyId;
    const session = info.sessionToken ? this.openSession(info.sessionToken, now) : undefined;
    if (!session || session.claims.accessKeyId !== accessKeyId) return { ok: false, code: 'InvalidClientTokenId', message: MESSAGES.invalidClientTokenId, accessKeyId };
    if (session.expiresAt <= now.getTime()) return { ok: false, code: 'ExpiredToken', message: EXPIRED_TOKEN, accessKeyId, caller: session.caller };
    if (!this.verify(parts, info, session)) return { ok: false, code: 'SignatureDoesNotMatch', message: MESSAGES.signatureDoesNotMatch, accessKeyId, caller: session.caller };
    return { ok: true, caller: session.caller, info };
  }

  private openSession(token: string, now: Date): KnownSession | undefined {
    const cached = this.sessions.get(token);
    if (cached) return now.getTime() < cached.keyUntil ? cached : undefined;
    let keyUntil = 0;
    const claims = openSessionToken(token, (id) => {
      const key = this.tokenKeys.keyFor(id, now);
      if (key) keyUntil = key.verifyUntil.getTime();
      return key;
    });
    const caller = claims && sessionPrincipal(claims, this.env.partition);
    if (!claims || !caller) return undefined;
    const expiresAt = Date.parse(claims.expiresAt);
    const session: KnownSession = {
      claims,
      caller,
      secret: claims.secretAccessKey,
      // An unreadable expiry counts as expired.
      expiresAt: Number.isNaN(expiresAt) ? 0 : expiresAt,
      keyUntil,
      signingKeys: new Map(),
    };
    if (this.sessions.size >= MAX_CACHED_SESSIONS) this.sessions.clear();
    this.sessions.set(token, session);
    return session;
  }

  private verify(parts: HttpRequestParts, info: SignatureInfo, secret: SigningSecret): boolean {
    return info.algorithm === 'AWS4-ECDSA-P256-SHA256' ? verifySigV4a(parts, info, this.publicKey(secret, info.accessKeyId)) : verifySigV4(parts, info, this.signingKey(secret, info));
  }

  /** Remembers that a key was used (written to the store by flushUsage). */
  recordUse(accessKeyId: string, now: Date, serviceName: string, region: string): void {
    // Only long-term keys have last-used data (GetAccessKeyLastUsed); temporary ones are not stored.
    if (accessKeyId.startsWith('ASIA')) return;
    this.usage.set(accessKeyId, { at: now, serviceName, region });
  }

  /** The last use not yet written, if any. */
  pendingUse(accessKeyId: string): AccessKeyUsageEntity | undefined {
    const use = this.usage.get(accessKeyId);
    return use && lastUsed(use);
  }

  /** Writes recorded key usage in one unit of work. */
  async flushUsage(): Promise<void> {
    if (!this.usage.size) return;
    const batch = [...this.usage];
    this.usage.clear();
    await this.env.store.write(async (tx) => {
      for (const [id, use] of batch) {
        // Only keys that still exist: a key deleted since its use must not get a usage record
        // back (DeleteAccessKey deletes the usage in its own unit, so the two never interleave).
        const rec = await tx.get<AccessKeyEntity>(KIND.accessKey, id);
        if (rec) await saveKeyUsage(tx, rec.account, id, lastUsed(use));
      }
    });
  }

  private async lookup(accessKeyId: string): Promise<KnownKey | null> {
    const cached = this.keys.get(accessKeyId);
    if (cached !== undefined) return cached.key;
    const entry = await this.env.store.read(async (store) => {
      const tx = new RecordingTx(store);
      const read = (key: KnownKey | null) => ({ key, reads: tx.reads });
      const rec = await tx.get<AccessKeyEntity>(KIND.accessKey, accessKeyId);
      if (!rec) return read(null);
      const user = await tx.get<UserEntity>(KIND.user, entityId(rec.account, rec.data.userName));
      if (!user) return read(null);
      const caller: Caller = { type: 'IAMUser', account: rec.account, arn: user.data.arn, userId: user.data.userId, userName: user.data.userName, accessKeyId };
      return read({ caller, secret: openSecret(this.env, rec.data), active: rec.data.status === 'Active', signingKeys: new Map() });
    });
    if (this.keys.size >= MAX_CACHED_KEYS) this.keys.clear();
    this.keys.set(accessKeyId, entry);
    return entry.key;
  }

  private signingKey(key: SigningSecret, info: SignatureInfo): Buffer {
    const id = `${info.date}/${info.region ?? ''}/${info.service}`;
    let signing = key.signingKeys.get(id);
    if (!signing) {
      if (key.signingKeys.size >= MAX_SIGNING_KEYS_PER_KEY) key.signingKeys.clear();
      signing = deriveSigningKey(key.secret, info.date, info.region ?? '', info.service);
      key.signingKeys.set(id, signing);
    }
    return signing;
  }

  private publicKey(key: SigningSecret, accessKeyId: string): KeyObject {
    key.publicKey ??= deriveSigV4aKeyPair(accessKeyId, key.secret).publicKey;
    return key.publicKey;
  }
}
