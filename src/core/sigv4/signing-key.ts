import { createHmac } from 'node:crypto';

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * kRegion = HMAC(HMAC("AWS4" + secret, date), region). The control plane ships only this to a
 * region's data planes: it signs nothing outside that region and date, and the secret can't be
 * recovered from it.
 */
export function deriveRegionKey(secretAccessKey: string, date: string, region: string): Buffer {
  return hmac(hmac('AWS4' + secretAccessKey, date), region);
}

/** kSigning = HMAC(HMAC(kRegion, service), "aws4_request"). */
export function signingKeyFromRegionKey(regionKey: Buffer, service: string): Buffer {
  return hmac(hmac(regionKey, service), 'aws4_request');
}

/** The SigV4 signing key for one access key, date (YYYYMMDD), region and service. Callers cache it per scope. */
export function deriveSigningKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  return signingKeyFromRegionKey(deriveRegionKey(secretAccessKey, date, region), service);
}
