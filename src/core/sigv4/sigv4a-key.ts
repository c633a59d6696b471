import { createECDH, createHmac, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SIGV4A_ALGORITHM } from './types.js';

/** Order of the P-256 group. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

export interface SigV4aKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Affine coordinates of the public key, 64 lowercase hex digits each (the form data planes receive). */
  publicKeyXY: { x: string; y: string };
}

const FIXED_INPUT_PREFIX = Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from(SIGV4A_ALGORITHM, 'utf8'), Buffer.from([0])]);
const FIXED_INPUT_SUFFIX = Buffer.from([0, 0, 1, 0]);

/**
 * The ECDSA P-256 key pair SigV4a derives from an access key (aws-c-auth's key_derivation.c):
 * NIST SP 800-108 counter-mode KDF with HMAC-SHA256 keyed by "AWS4A" + secret, over
 * 0x00000001 || "AWS4-ECDSA-P256-SHA256" || 0x00 || accessKeyId || counter || 0x00000100; the first
 * output k0 <= n-2 gives the private scalar d = k0 + 1. Costs a few HMACs and one point
 * multiplication: callers derive once per access key and keep the public key.
 */
/** The private scalar d of an access key's SigV4a key (aws-c-auth's key_derivation.c). */
function privateScalar(accessKeyId: string, secretAccessKey: string): Buffer {
  const kdfKey = Buffer.from('AWS4A' + secretAccessKey, 'utf8');
  const akid = Buffer.from(accessKeyId, 'utf8');
  for (let counter = 1; counter <= 254; counter++) {
    const k0 = createHmac('sha256', kdfKey)
      .update(FIXED_INPUT_PREFIX)
      .update(akid)
      .update(Buffer.from([counter]))
      .update(FIXED_INPUT_SUFFIX)
      .digest();
    const candidate = BigInt('0x' + k0.toString('hex'));
    if (candidate > P256_N - 2n) continue;
    return Buffer.from((candidate + 1n).toString(16).padStart(64, '0'), 'hex');
  }
  // Each try fails with probability about 2^-32, so 254 failures in a row do not happen.
  throw new Error('SigV4a key derivation found no scalar in 254 tries');
}

function publicPoint(d: Buffer): Buffer {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  return ecdh.getPublicKey();
}

/**
 * Only the public key, as the uncompressed point (0x04 | x | y): what the control plane ships to
 * regions. Ten times cheaper than the key pair, which also builds two KeyObjects.
 */
export function deriveSigV4aPublicPoint(accessKeyId: string, secretAccessKey: string): Buffer {
  return publicPoint(privateScalar(accessKeyId, secretAccessKey));
}

export function deriveSigV4aKeyPair(accessKeyId: string, secretAccessKey: string): SigV4aKeyPair {
  const d = privateScalar(accessKeyId, secretAccessKey);
  const point = publicPoint(d);
  const x = point.subarray(1, 33);
  const y = point.subarray(33, 65);
  const jwk = { kty: 'EC', crv: 'P-256', x: x.toString('base64url'), y: y.toString('base64url') };
  return {
    privateKey: createPrivateKey({ key: { ...jwk, d: d.toString('base64url') }, format: 'jwk' }),
    publicKey: createPublicKey({ key: jwk, format: 'jwk' }),
    publicKeyXY: { x: x.toString('hex'), y: y.toString('hex') },
  };
}

/** The public key from its hex coordinates, or undefined when they are not a point on P-256. */
export function sigV4aPublicKeyFromXY(xy: { x: string; y: string }): KeyObject | undefined {
  if (!/^[0-9a-fA-F]{64}$/.test(xy.x) || !/^[0-9a-fA-F]{64}$/.test(xy.y)) return undefined;
  try {
    const jwk = { kty: 'EC', crv: 'P-256', x: Buffer.from(xy.x, 'hex').toString('base64url'), y: Buffer.from(xy.y, 'hex').toString('base64url') };
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return undefined;
  }
}
