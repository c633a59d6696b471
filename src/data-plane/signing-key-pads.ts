/**
 * SigV4 verification on the /v1/authorize hot path with the signing key's HMAC pads precomputed.
 * `createHmac` imports the key on every call, about half the cost of the final HMAC; with the
 * inner and outer pads kept per cached signing key, HMAC-SHA256 is two one-shot SHA-256 calls
 * (RFC 2104: H((K ^ opad) || H((K ^ ipad) || m))). Same checks and constant-time comparison as
 * core/sigv4's verifySigV4, which this must agree with (test/data-plane/signing-key-pads.test.ts).
 */
import * as crypto from 'node:crypto';
import { constantTimeEqual } from '../core/crypto/index.js';
import { payloadHashMatchesBody, SIGV4_ALGORITHM, stringToSign, type HttpRequestParts, type SignatureInfo } from '../core/sigv4/index.js';

const BLOCK = 64;
/** A string to sign is about 150 bytes; anything longer than this takes the plain path. */
const MAX_MESSAGE_BYTES = 2048;
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : undefined;

/** Shared scratch space: verification is synchronous, so one buffer serves every call. */
const innerScratch = Buffer.alloc(BLOCK + MAX_MESSAGE_BYTES);
const outerScratch = Buffer.alloc(BLOCK + 32);

export class SigningKeyPads {
  private readonly ipad: Buffer;
  private readonly opad: Buffer;

  constructor(readonly key: Buffer) {
    const k = key.length > BLOCK ? crypto.createHash('sha256').update(key).digest() : key;
    this.ipad = Buffer.alloc(BLOCK, 0x36);
    this.opad = Buffer.alloc(BLOCK, 0x5c);
    for (let i = 0; i < k.length; i++) {
      this.ipad[i] ^= k[i];
      this.opad[i] ^= k[i];
    }
  }

  /** Lowercase hex HMAC-SHA256 of a UTF-8 string under the key. */
  hmacHex(message: string): string {
    // A UTF-16 code unit is at most 3 UTF-8 bytes, so this bound guarantees the write is whole.
    if (!oneShot || message.length * 3 > MAX_MESSAGE_BYTES) return crypto.createHmac('sha256', this.key).update(message, 'utf8').digest('hex');
    this.ipad.copy(innerScratch, 0);
    const n = innerScratch.write(message, BLOCK, 'utf8');
    const inner = oneShot('sha256', innerScratch.subarray(0, BLOCK + n), 'hex');
    this.opad.copy(outerScratch, 0);
    outerScratch.write(inner, BLOCK, 'hex');
    return oneShot('sha256', outerScratch, 'hex');
  }
}

/** verifySigV4 with the key's pads: false, never an exception, for anything that doesn't verify. */
export function verifySigV4WithPads(req: HttpRequestParts, info: SignatureInfo, pads: SigningKeyPads): boolean {
  if (info.algorithm !== SIGV4_ALGORITHM || !payloadHashMatchesBody(req)) return false;
  return constantTimeEqual(pads.hmacHex(stringToSign(req, info)), info.signature);
}
