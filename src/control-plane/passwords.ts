/**
 * Console passwords: scrypt hashes (`scrypt$N$r$p$salt$hash`, base64url) compared in constant
 * time, and keyed fingerprints for the password-reuse history. Nothing here logs or returns a
 * password; callers store only the hash and the fingerprints.
 */
import { createHmac, scrypt, type ScryptOptions } from 'node:crypto';
import { constantTimeEqual } from '../core/crypto/index.js';
import type { RandomBytes } from '../core/ids.js';

/**
 * N = 2^15, r = 8, p = 1: 32 MiB and a few hundred milliseconds per hash. The parameters are
 * stored in each hash, so raising them later leaves existing hashes verifiable.
 */
const PARAMS = { N: 1 << 15, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Refuse stored parameters beyond this (a corrupted or hostile record must not exhaust memory). */
const MAX_MEMORY = 256 * 1024 * 1024;

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: Math.max(MAX_MEMORY / 4, 256 * params.N * params.r) };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, random: RandomBytes): Promise<string> {
  const salt = random(SALT_BYTES);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (![params.N, params.r, params.p].every((v) => Number.isSafeInteger(v) && v > 0) || 128 * params.N * params.r > MAX_MEMORY) return false;
  const key = await derive(password, Buffer.from(salt, 'base64url'), params);
  return constantTimeEqual(key, Buffer.from(hash, 'base64url'));
}

/**
 * A fast, keyed fingerprint of a user's password for the reuse history: checking up to 24 old
 * passwords with scrypt would take seconds, and without the key (kept outside the store) a
 * fingerprint is useless for guessing. Bound to the user id so equal passwords of two users differ.
 */
export function passwordFingerprint(key: Buffer, userId: string, password: string): string {
  return createHmac('sha256', key).update(`gatehouse:password-history:${userId}\0${password.normalize('NFC')}`).digest('base64url');
}
