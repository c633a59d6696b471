/**
 * Self-contained session tokens: the session's claims (core/model/principal.ts), compressed and
 * sealed with AES-256-GCM under a token key whose id travels in clear, so any region opens any
 * token without a lookup. Format (base64): `0x01 | id length | id | iv | tag | ciphertext`; the
 * version byte and the id are bound as additional data, and a different purpose label keeps a
 * token from being accepted as an authorization message and back.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { openBytes, sealBytes } from '../crypto/index.js';
import type { SessionClaims } from '../model/principal.js';
import type { TokenKey } from './token-keys.js';

const VERSION = 1;
/** Bounds what a caller can make us inflate or parse. */
const MAX_TOKEN_CHARS = 16_384;
const MAX_PLAINTEXT = 65_536;

function seal(purpose: string, key: TokenKey, payload: unknown): string {
  const id = Buffer.from(key.id, 'utf8');
  const header = Buffer.concat([Buffer.from([VERSION, id.length]), id]);
  const plaintext = deflateRawSync(Buffer.from(JSON.stringify(payload), 'utf8'));
  const aad = Buffer.concat([Buffer.from(purpose), header]);
  return Buffer.concat([header, sealBytes(key.key, plaintext, aad)]).toString('base64');
}

/** The key id a sealed value names, or undefined when it is not one of ours. */
export function sealedKeyId(sealed: string): string | undefined {
  if (sealed.length > MAX_TOKEN_CHARS) return undefined;
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length < 2 || bytes[0] !== VERSION || bytes.length < 2 + bytes[1] + 28) return undefined;
  return bytes.subarray(2, 2 + bytes[1]).toString('utf8');
}

function open(purpose: string, sealed: string, keyFor: (id: string) => TokenKey | undefined): unknown {
  const id = sealedKeyId(sealed);
  if (id === undefined) return undefined;
  const key = keyFor(id);
  if (!key) return undefined;
  const bytes = Buffer.from(sealed, 'base64');
  const headerLength = 2 + bytes[1];
  const plaintext = openBytes(key.key, bytes.subarray(headerLength), Buffer.concat([Buffer.from(purpose), bytes.subarray(0, headerLength)]));
  if (!plaintext) return undefined;
  try {
    return JSON.parse(inflateRawSync(plaintext, { maxOutputLength: MAX_PLAINTEXT }).toString('utf8'));
  } catch {
    return undefined;
  }
}

export function sealSessionToken(key: TokenKey, claims: SessionClaims): string {
  return seal('session-token', key, claims);
}

/**
 * Opens a session token with the key its id names (`keyFor` decides which keys are still valid).
 * Undefined for anything not sealed by us, tampered with, or sealed with an unknown key; the
 * caller checks expiry against its clock.
 */
export function openSessionToken(token: string, keyFor: (id: string) => TokenKey | undefined): SessionClaims | undefined {
  const claims = open('session-token', token, keyFor) as SessionClaims | undefined;
  return claims && claims.v === 1 && typeof claims.accessKeyId === 'string' && typeof claims.secretAccessKey === 'string' ? claims : undefined;
}

/** Seals the details of a denied request for DecodeAuthorizationMessage. */
export function sealAuthorizationMessage(key: TokenKey, message: object): string {
  return seal('authorization-message', key, message);
}

export function openAuthorizationMessage(encoded: string, keyFor: (id: string) => TokenKey | undefined): Record<string, unknown> | undefined {
  const message = open('authorization-message', encoded, keyFor);
  return message && typeof message === 'object' ? (message as Record<string, unknown>) : undefined;
}
