/**
 * Authenticates IAM API requests: SigV4 (or SigV4a) verified with the key's secret, AWS's
 * clock-skew window, and the caller the key belongs to. Secrets are opened once per key and
 * derived signing keys cached until the next write (a deleted or deactivated key stops working
 * at once). Key usage is kept in memory and written in batches, as AWS's last-used data lags too.
 */
import { KIND, entityId, type AccessKeyEntity, type UserEntity } from '../core/model/iam-entities.js';
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
import { openSecret } from './access-key-secrets.js';
import type { Caller, ControlPlaneEnv } from './context.js';
import type { IamService } from './iam-service.js';
import type { KeyObject } from 'node:crypto';

export type AuthResult =
  | { ok: true; caller: Caller; info: SignatureInfo }
  | { ok: false; code: string; message: string; accessKeyId?: string; caller?: Caller };

interface KnownKey {
  caller: Caller;
  secret: string;
  active: boolean;
  publicKey?: KeyObject;
}

const MAX_CACHED_SIGNING_KEYS = 10_000;

export class Authenticator {
  private readonly keys = new Map<string, KnownKey | null>();
  private readonly signingKeys = new Map<string, Buffer>();
  private readonly usage = new Map<string, NonNullable<AccessKeyEntity['lastUsed']>>();

  constructor(
    private readonly env: ControlPlaneEnv,
    service: IamService,
  ) {
    service.onChange(() => {
      this.keys.clear();
      this.signingKeys.clear();
    });
  }

  async authenticate(parts: HttpRequestParts, now: Date, expectedService: string): Promise<AuthResult> {
    const parsed = parseSignature(parts);
    if (!parsed.ok) return { ok: false, code: parsed.failure.code, message: parsed.failure.message };
    const info = parsed.info;
    // AWS's order: the clock and the credential scope first, then the key, then the signature.
    const early = checkRequestTime(info, now) ?? checkCredentialScope(info, { service: expectedService });
    if (early) return { ok: false, code: early.code, message: early.message, accessKeyId: info.accessKeyId };
    const key = await this.lookup(info.accessKeyId);
    if (!key || !key.active) return { ok: false, code: 'InvalidClientTokenId', message: MESSAGES.invalidClientTokenId, accessKeyId: info.accessKeyId };
    const valid = info.algorithm === 'AWS4-ECDSA-P256-SHA256' ? verifySigV4a(parts, info, this.publicKey(key, info.accessKeyId)) : verifySigV4(parts, info, this.signingKey(key, info));
    if (!valid) return { ok: false, code: 'SignatureDoesNotMatch', message: MESSAGES.signatureDoesNotMatch, accessKeyId: info.accessKeyId, caller: key.caller };
    return { ok: true, caller: key.caller, info };
  }

  /** Remembers that a key was used (written to the store by flushUsage). */
  recordUse(accessKeyId: string, now: Date, serviceName: string, region: string): void {
    this.usage.set(accessKeyId, { lastUsedDate: now.toISOString(), serviceName, region });
  }

  /** The last use not yet written, if any. */
  pendingUse(accessKeyId: string): AccessKeyEntity['lastUsed'] {
    return this.usage.get(accessKeyId);
  }

  /** Writes recorded key usage in one unit of work. */
  async flushUsage(): Promise<void> {
    if (!this.usage.size) return;
    const batch = [...this.usage];
    this.usage.clear();
    await this.env.store.write(async (tx) => {
      for (const [id, lastUsed] of batch) {
        const rec = await tx.get<AccessKeyEntity>(KIND.accessKey, id);
        if (rec) await tx.put(KIND.accessKey, id, rec.account, { ...rec.data, lastUsed });
      }
    });
  }

  private async lookup(accessKeyId: string): Promise<KnownKey | null> {
    const cached = this.keys.get(accessKeyId);
    if (cached !== undefined) return cached;
    const known = await this.env.store.read(async (tx) => {
      const rec = await tx.get<AccessKeyEntity>(KIND.accessKey, accessKeyId);
      if (!rec) return null;
      const user = await tx.get<UserEntity>(KIND.user, entityId(rec.account, rec.data.userName));
      if (!user) return null;
      const caller: Caller = { type: 'IAMUser', account: rec.account, arn: user.data.arn, userId: user.data.userId, userName: user.data.userName, accessKeyId };
      return { caller, secret: openSecret(this.env, rec.data), active: rec.data.status === 'Active' };
    });
    this.keys.set(accessKeyId, known);
    return known;
  }

  private signingKey(key: KnownKey, info: SignatureInfo): Buffer {
    const id = `${info.accessKeyId}/${info.date}/${info.region ?? ''}/${info.service}`;
    let signing = this.signingKeys.get(id);
    if (!signing) {
      if (this.signingKeys.size >= MAX_CACHED_SIGNING_KEYS) this.signingKeys.clear();
      signing = deriveSigningKey(key.secret, info.date, info.region ?? '', info.service);
      this.signingKeys.set(id, signing);
    }
    return signing;
  }

  private publicKey(key: KnownKey, accessKeyId: string): KeyObject {
    key.publicKey ??= deriveSigV4aKeyPair(accessKeyId, key.secret).publicKey;
    return key.publicKey;
  }
}
