/**
 * IPv4 and IPv6 addresses and CIDR blocks for the `IpAddress` / `NotIpAddress` operators.
 * An address is four 32-bit words (IPv4 uses the IPv4-mapped IPv6 form), so one comparison
 * serves both families.
 */
export interface Cidr {
  words: Uint32Array;
  masks: Uint32Array;
  v4: boolean;
}

/** Dotted-quad IPv4 without leading zeros, parsed by hand: this runs on every IpAddress check. */
function parseV4(s: string): number | undefined {
  let n = 0;
  let octet = -1;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || ++dots > 3) return undefined;
      n = n * 256 + octet;
      octet = -1;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined;
      octet = (octet < 0 ? 0 : octet * 10) + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return (n * 256 + octet) >>> 0;
}

/** IPv6 (RFC 4291 text forms, with `::` and a trailing dotted quad), parsed by hand. */
function parseV6(s: string): Uint32Array | undefined {
  if (s.length < 2 || s.length > 45) return undefined;
  const groups = new Array<number>(8);
  let n = 0;
  let gap = -1;
  let i = 0;
  if (s.charCodeAt(0) === 58 /* : */) {
    if (s.charCodeAt(1) !== 58) return undefined;
    gap = 0;
    i = 2;
    if (i === s.length) return new Uint32Array(4);
  }
  while (i < s.length) {
    if (n === 8) return undefined;
    const start = i;
    let value = 0;
    while (i < s.length && i - start < 5) {
      const c = s.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      value = value * 16 + d;
      i++;
    }
    if (i < s.length && s.charCodeAt(i) === 46 /* . */) {
      // A trailing IPv4 part fills the last two groups.
      if (n > 6) return undefined;
      const v4 = parseV4(s.slice(start));
      if (v4 === undefined) return undefined;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = s.length;
      break;
    }
    if (i === start || i - start > 4) return undefined;
    groups[n++] = value;
    if (i === s.length) break;
    if (s.charCodeAt(i) !== 58) return undefined;
    i++;
    if (i < s.length && s.charCodeAt(i) === 58) {
      if (gap >= 0) return undefined;
      gap = n;
      i++;
    } else if (i === s.length) return undefined;
  }
  if (gap < 0 ? n !== 8 : n > 7) return undefined;
  const all = new Array<number>(8).fill(0);
  const tail = gap < 0 ? 0 : n - gap;
  for (let k = 0; k < n - tail; k++) all[k] = groups[k];
  for (let k = 0; k < tail; k++) all[8 - tail + k] = groups[gap + k];
  const words = new Uint32Array(4);
  for (let k = 0; k < 4; k++) words[k] = ((all[2 * k] << 16) | all[2 * k + 1]) >>> 0;
  return words;
}

/** Parses an address into four words; IPv4 becomes ::ffff:a.b.c.d. */
export function parseIp(s: string): { words: Uint32Array; v4: boolean } | undefined {
  const v4 = parseV4(s);
  if (v4 !== undefined) return { words: Uint32Array.of(0, 0, 0xffff, v4), v4: true };
  const words = parseV6(s);
  return words ? { words, v4: false } : undefined;
}

/** Parses `a.b.c.d/n`, `x::y/n`, or a bare address (a /32 or /128 block). */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  const addr = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!addr) return undefined;
  const max = addr.v4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    bits = Number(p);
    if (bits > max) return undefined;
  }
  if (addr.v4) bits += 96;
  const masks = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    const b = Math.max(0, Math.min(32, bits - 32 * i));
    masks[i] = b === 0 ? 0 : (0xffffffff << (32 - b)) >>> 0;
  }
  const words = new Uint32Array(4);
  for (let i = 0; i < 4; i++) words[i] = (addr.words[i] & masks[i]) >>> 0;
  return { words, masks, v4: addr.v4 };
}

export function cidrContains(cidr: Cidr, ip: Uint32Array): boolean {
  for (let i = 0; i < 4; i++) if (((ip[i] & cidr.masks[i]) >>> 0) !== cidr.words[i]) return false;
  return true;
}
