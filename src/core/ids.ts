/**
 * AWS identifier formats. Unique ids are a four-letter prefix that names the entity type and 17
 * characters of base32 (`AIDA…` user, `AROA…` role, `ANPA…` policy, `AGPA…` group, `AKIA…` /
 * `ASIA…` access keys with 16). Randomness is injected so tests are deterministic.
 */
export type RandomBytes = (size: number) => Buffer;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export const ID_PREFIX = {
  user: 'AIDA',
  role: 'AROA',
  group: 'AGPA',
  policy: 'ANPA',
  /** AWS managed policies. */
  awsPolicy: 'ANPA',
  mfa: 'AMFA',
  instanceProfile: 'AIPA',
  accessKey: 'AKIA',
  temporaryAccessKey: 'ASIA',
} as const;

function base32(random: RandomBytes, length: number): string {
  const bytes = random(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[bytes[i] & 31];
  return out;
}

/** A 21-character unique id such as `AIDAJQABLZS4A3QDU576Q`. */
export function newUniqueId(prefix: string, random: RandomBytes): string {
  return prefix + base32(random, 17);
}

/** A 20-character access key id such as `AKIAIOSFODNN7EXAMPLE`. */
export function newAccessKeyId(prefix: 'AKIA' | 'ASIA', random: RandomBytes): string {
  return prefix + base32(random, 16);
}

/** A 40-character secret access key (base64 alphabet, as AWS's). */
export function newSecretAccessKey(random: RandomBytes): string {
  return random(30).toString('base64');
}

/** A 12-digit account id that does not start with 0. */
export function newAccountId(random: RandomBytes): string {
  const bytes = random(12);
  let out = String(1 + (bytes[0] % 9));
  for (let i = 1; i < 12; i++) out += String(bytes[i] % 10);
  return out;
}

/**
 * A temporary (`ASIA…`) access key id that carries its account, as AWS's do, so that
 * GetAccessKeyInfo answers for any session without a lookup: 40 bits of account id and 40
 * random bits, in base32.
 */
export function newTemporaryAccessKeyId(account: string, random: RandomBytes): string {
  let bits = (BigInt(account) << 40n) | BigInt('0x' + random(5).toString('hex'));
  let out = '';
  for (let i = 0; i < 16; i++) {
    out = BASE32[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return ID_PREFIX.temporaryAccessKey + out;
}

/** The account a temporary access key id carries (undefined for any other id). */
export function accountOfTemporaryAccessKeyId(accessKeyId: string): string | undefined {
  if (accessKeyId.length !== 20 || !accessKeyId.startsWith(ID_PREFIX.temporaryAccessKey)) return undefined;
  let bits = 0n;
  for (const ch of accessKeyId.slice(4)) {
    const v = BASE32.indexOf(ch);
    if (v < 0) return undefined;
    bits = (bits << 5n) | BigInt(v);
  }
  return String(bits >> 40n).padStart(12, '0');
}
