/**
 * Authenticates SigV4 and SigV4a requests in a region from replicated, derived material only: a
 * long-term key's kRegion for the request's date (the secret never reaches a data plane), its
 * SigV4a public key, and session tokens opened with the published token keys. AWS's order: parse,
 * clock, credential scope (the region must be this one), then the key, then the signature.
 *
 * Derived signing keys are cached per key, date and service, opened session tokens per token, both
 * in bounded maps; a long-term key's status and user are re-read whenever the replica moves on.
 */
import type { KeyObject } from 'node:crypto';
import { errorInfo } from '../core/errors/index.js';
import type { Principal, SessionClaims } from '../core/model/principal.js';
import {
  AUTH_FAILURE_HTTP_STATUS,
  checkCredentialScope,
  checkRequestTime,
  deriveSigningKey,
  deriveSigV4aKeyPair,
  MESSAGES,
  parseSignature,
  regionSetIncludes,
  SIGV4A_ALGORITHM,
  sigV4aPublicKeyFromXY,
  signingKeyFromRegionKey,
  verifySigV4a,
  type AuthFailure,
  type HttpRequestParts,
  type SignatureInfo,
} from '../core/sigv4/index.js';
import { openSessionToken, sealedKeyId } from '../core/tokens/index.js';
import type { ReplicaAccessKey } from '../replication/feed-types.js';
import type { ReplicaView } from './replica-view.js';
import { sessionPrincipal } from '../core/model/session-principal.js';
import { SigningKeyPads, verifySigV4WithPads } from './signing-key-pads.js';

export type AuthOutcome =
  | { ok: true; principal: Principal; info: SignatureInfo }
  | { ok: false; code: string; message: string; status?: number; accessKeyId?: string };

export interface DataPlaneAuthenticatorOptions {
  /** Bound on the long-term keys and on the session tokens kept with their derived keys (each). */
  maxCachedKeys?: number;
}

/** `expectedService` that accepts whatever service the credential scope names (/v1/authorize). */
export const ANY_SERVICE = '*';

const EXPIRED_TOKEN_MESSAGE = 'The security token included in the request is expired';
const MAX_SIGNING_KEYS_PER_ENTRY = 32;

/** What a credential (a long-term key or a session) keeps between requests. */
interface Derived {
  /** The last signing key used, by date and service: the common case is one scope at a time. */
  lastDate?: string;
  lastService?: string;
  lastKey?: SigningKeyPads;
  signingKeys?: Map<string, SigningKeyPads>;
  publicKey?: KeyObject | null;
}

interface LongTermEntry extends Derived {
  record: ReplicaAccessKey;
  /** The replica revision the principal was read at. */
  revision: number;
  principal: Principal | undefined;
}

interface SessionEntry extends Derived {
  claims: SessionClaims;
  tokenKeyId: string;
  expiresAtMs: number;
  principal: Principal;
}

function failure(code: string, message: string, accessKeyId?: string): AuthOutcome {
  const status = code in AUTH_FAILURE_HTTP_STATUS ? AUTH_FAILURE_HTTP_STATUS[code as keyof typeof AUTH_FAILURE_HTTP_STATUS] : errorInfo(code).httpStatus;
  return accessKeyId === undefined ? { ok: false, code, message, status } : { ok: false, code, message, status, accessKeyId };
}

function fromAuthFailure(f: AuthFailure, accessKeyId?: string): AuthOutcome {
  return failure(f.code, f.message, accessKeyId);
}

/** Inserts into a map that keeps at most `max` entries, dropping the oldest. */
function boundedSet<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max && !map.has(key)) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

function cachedSigningKey(entry: Derived, date: string, service: string, derive: () => Buffer | undefined): SigningKeyPads | undefined {
  if (entry.lastKey !== undefined && entry.lastDate === date && entry.lastService === service) return entry.lastKey;
  const id = `${date}/${service}`;
  let key = entry.signingKeys?.get(id);
  if (!key) {
    const derived = derive();
    if (!derived) return undefined;
    key = new SigningKeyPads(derived);
    boundedSet((entry.signingKeys ??= new Map()), id, key, MAX_SIGNING_KEYS_PER_ENTRY);
  }
  entry.lastDate = date;
  entry.lastService = service;
  entry.lastKey = key;
  return key;
}

/** The SigV4a public key a replica record carries: an uncompressed P-256 point, base64. */
function publicKeyOf(record: ReplicaAccessKey): KeyObject | null {
  const point = Buffer.from(record.sigv4aPublicKey ?? '', 'base64');
  if (point.length !== 65 || point[0] !== 4) return null;
  return sigV4aPublicKeyFromXY({ x: point.subarray(1, 33).toString('hex'), y: point.subarray(33).toString('hex') }) ?? null;
}

export class DataPlaneAuthenticator {
  private readonly maxCachedKeys: number;
  private readonly longTerm = new Map<string, LongTermEntry>();
  private readonly sessions = new Map<string, SessionEntry>();

  constructor(
    private readonly view: ReplicaView,
    options: DataPlaneAuthenticatorOptions = {},
  ) {
    this.maxCachedKeys = Math.max(1, options.maxCachedKeys ?? 10_000);
  }

  /**
   * `expectedService` is the service the endpoint serves ('sts'), or ANY_SERVICE to accept the
   * scope's own (the /v1/authorize check verifies requests signed for other services).
   */
  authenticate(parts: HttpRequestParts, now: Date, expectedService: string): AuthOutcome {
    const parsed = parseSignature(parts);
    if (!parsed.ok) return fromAuthFailure(parsed.failure);
    const info = parsed.info;
    const region = this.view.region;
    const early =
      checkRequestTime(info, now) ?? checkCredentialScope(info, { service: expectedService === ANY_SERVICE ? info.service : expectedService, region });
    if (early) return fromAuthFailure(early, info.accessKeyId);
    // A SigV4a signature is good wherever its region set says; this region must be among them.
    if (info.regionSet !== undefined && !regionSetIncludes(info.regionSet, region)) return failure('SignatureDoesNotMatch', MESSAGES.wrongRegion(info.regionSet.join(',')), info.accessKeyId);
    return info.accessKeyId.startsWith('ASIA') ? this.withSession(parts, info, now) : this.withLongTermKey(parts, info);
  }

  private withLongTermKey(parts: HttpRequestParts, info: SignatureInfo): AuthOutcome {
    const akid = info.accessKeyId;
    const entry = this.longTermEntry(akid);
    // A long-term key does not come with a session token.
    if (!entry?.principal || entry.record.status !== 'Active' || info.sessionToken !== undefined) return failure('InvalidClientTokenId', MESSAGES.invalidClientTokenId, akid);
    let valid: boolean;
    if (info.algorithm === SIGV4A_ALGORITHM) {
      if (entry.publicKey === undefined) entry.publicKey = publicKeyOf(entry.record);
      valid = entry.publicKey !== null && verifySigV4a(parts, info, entry.publicKey);
    } else {
      const signingKey = cachedSigningKey(entry, info.date, info.service, () => {
        const kRegion = this.view.regionKey(akid, info.date);
        return kRegion && signingKeyFromRegionKey(kRegion, info.service);
      });
      if (!signingKey) return this.noKeyMaterial(info);
      valid = verifySigV4WithPads(parts, info, signingKey);
    }
    if (!valid) return failure('SignatureDoesNotMatch', MESSAGES.signatureDoesNotMatch, akid);
    return { ok: true, principal: entry.principal, info };
  }

  /** The cached key and its principal, re-read when the record or the replica changed. */
  private longTermEntry(akid: string): LongTermEntry | undefined {
    const record = this.view.accessKey(akid);
    if (!record) return undefined;
    let entry = this.longTerm.get(akid);
    const revision = this.view.revision;
    if (entry && entry.record === record && entry.revision === revision) return entry;
    const account = this.view.accessKeyAccount(akid);
    const user = account === undefined ? undefined : this.view.user(account, record.userName);
    const principal: Principal | undefined =
      user && account !== undefined ? { type: 'IAMUser', account, arn: user.arn, userId: user.userId, userName: user.userName, accessKeyId: akid } : undefined;
    if (entry && entry.record === record) {
      // Same key material: keep the derived keys, refresh the principal.
      entry.revision = revision;
      entry.principal = principal;
      return entry;
    }
    entry = { record, revision, principal };
    boundedSet(this.longTerm, akid, entry, this.maxCachedKeys);
    return entry;
  }

  /**
   * DIVERGENCE: AWS always holds the secret; a region holds only the kRegion of each date of the key
   * window, so a request dated after the window (the region has been cut off from the control
   * plane for longer than the window) cannot be verified: a retryable 503 that says why.
   */
  private noKeyMaterial(info: SignatureInfo): AuthOutcome {
    const window = this.view.keyWindow;
    if (window && info.date < window.from) {
      // DIVERGENCE: a presigned request dated before the window (yesterday) can't be verified either.
      return failure('SignatureDoesNotMatch', `Signature expired: the credential scope date ${info.date} is before this region's key window (from ${window.from}).`, info.accessKeyId);
    }
    const since = this.view.updatedAt ?? 'it started';
    return {
      ok: false,
      code: 'ServiceUnavailable',
      status: 503,
      message: `This region has no key material for ${info.date}: it has not received updates from the control plane since ${since}. Retry later or use another region.`,
      accessKeyId: info.accessKeyId,
    };
  }

  private withSession(parts: HttpRequestParts, info: SignatureInfo, now: Date): AuthOutcome {
    const akid = info.accessKeyId;
    const token = info.sessionToken;
    if (token === undefined || token === '') return failure('InvalidClientTokenId', MESSAGES.invalidClientTokenId, akid);
    const entry = this.sessionEntry(token, now);
    if (!entry || entry.claims.accessKeyId !== akid) return failure('InvalidClientTokenId', MESSAGES.invalidClientTokenId, akid);
    if (now.getTime() >= entry.expiresAtMs) return failure('ExpiredToken', EXPIRED_TOKEN_MESSAGE, akid);
    let valid: boolean;
    if (info.algorithm === SIGV4A_ALGORITHM) {
      if (entry.publicKey === undefined) entry.publicKey = deriveSigV4aKeyPair(akid, entry.claims.secretAccessKey).publicKey;
      valid = entry.publicKey !== null && verifySigV4a(parts, info, entry.publicKey);
    } else {
      const region = info.region ?? '';
      const signingKey = cachedSigningKey(entry, info.date, info.service, () => deriveSigningKey(entry.claims.secretAccessKey, info.date, region, info.service)) as SigningKeyPads;
      valid = verifySigV4WithPads(parts, info, signingKey);
    }
    if (!valid) return failure('SignatureDoesNotMatch', MESSAGES.signatureDoesNotMatch, akid);
    return { ok: true, principal: entry.principal, info };
  }

  /** The opened token (cached), while the key that sealed it still verifies. */
  private sessionEntry(token: string, now: Date): SessionEntry | undefined {
    const cached = this.sessions.get(token);
    if (cached) return this.view.verifyingTokenKey(cached.tokenKeyId, now) ? cached : undefined;
    const tokenKeyId = sealedKeyId(token);
    if (tokenKeyId === undefined) return undefined;
    const claims = openSessionToken(token, (id) => this.view.verifyingTokenKey(id, now));
    if (!claims) return undefined;
    const principal = sessionPrincipal(claims, this.view.partition);
    const expiresAtMs = Date.parse(claims.expiresAt);
    if (!principal || Number.isNaN(expiresAtMs)) return undefined;
    const entry: SessionEntry = { claims, tokenKeyId, expiresAtMs, principal };
    boundedSet(this.sessions, token, entry, this.maxCachedKeys);
    return entry;
  }
}
