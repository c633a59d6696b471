/**
 * AWS request ids look like UUID v4 (`c7e4a2a1-6b1f-4b2a-9d3a-2f0c9a1f1e11`). The bytes are
 * injected (crypto.randomUUID or randomBytes at the edge, a seeded source in tests).
 */
export function requestIdFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 16) throw new Error('a request id needs 16 random bytes');
  const b = bytes.slice(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x40; // version 4
  b[8] = ((b[8] as number) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A generator of request ids over a source of random bytes (e.g. `crypto.randomBytes`). */
export function requestIdGenerator(random: (size: number) => Uint8Array): () => string {
  return () => requestIdFromBytes(random(16));
}
