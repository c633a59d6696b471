import { verify, type KeyObject } from 'node:crypto';
import { payloadHashMatchesBody, stringToSign } from './canonical-request.js';
import { SIGV4A_ALGORITHM, type CanonicalizeOptions, type HttpRequestParts, type SignatureInfo } from './types.js';

/** A DER ECDSA-P256 signature is at most 72 bytes; anything longer is not one. */
const MAX_SIGNATURE_HEX = 144;
/** Lowercase, as clients send it and as SigV4's HMAC comparison requires: one spelling per signature. */
const HEX_PAIRS = /^(?:[0-9a-f]{2})+$/;

/**
 * Whether a SigV4a request's signature is a valid DER ECDSA-P256 signature over SHA-256 of its string
 * to sign, under the public key derived from the access key (deriveSigV4aKeyPair). The caller
 * checks that info.regionSet covers its region. False, never an exception, for anything else.
 */
export function verifySigV4a(req: HttpRequestParts, info: SignatureInfo, publicKey: KeyObject, options?: CanonicalizeOptions): boolean {
  if (info.algorithm !== SIGV4A_ALGORITHM || !payloadHashMatchesBody(req)) return false;
  // Buffer.from(hex) stops silently at the first bad digit, which would let trailing junk through.
  if (info.signature.length > MAX_SIGNATURE_HEX || !HEX_PAIRS.test(info.signature)) return false;
  try {
    return verify('sha256', Buffer.from(stringToSign(req, info, options), 'utf8'), { key: publicKey, dsaEncoding: 'der' }, Buffer.from(info.signature, 'hex'));
  } catch {
    return false;
  }
}
