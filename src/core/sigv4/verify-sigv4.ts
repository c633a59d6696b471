import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../crypto/index.js';
import { payloadHashMatchesBody, stringToSign } from './canonical-request.js';
import { SIGV4_ALGORITHM, type CanonicalizeOptions, type HttpRequestParts, type SignatureInfo } from './types.js';

/**
 * Whether a SigV4 request's signature is the HMAC of its string to sign under `signingKey`
 * (deriveSigningKey / signingKeyFromRegionKey for info.date, info.region, info.service).
 * False, never an exception, for anything that doesn't verify; the caller answers
 * SignatureDoesNotMatch. An x-amz-content-sha256 header that disagrees with the body fails too.
 */
export function verifySigV4(req: HttpRequestParts, info: SignatureInfo, signingKey: Buffer, options?: CanonicalizeOptions): boolean {
  if (info.algorithm !== SIGV4_ALGORITHM || !payloadHashMatchesBody(req)) return false;
  const expected = createHmac('sha256', signingKey).update(stringToSign(req, info, options), 'utf8').digest('hex');
  return constantTimeEqual(expected, info.signature);
}
