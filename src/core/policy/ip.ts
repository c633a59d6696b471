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

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseV4(s: string): number | undefined {
  const m = V4.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const b = Number(m[i]);
    if (b > 255 || (m[i].length > 1 && m[i][0] === '0')) return undefined;
    n = n * 256 + b;
  }
  return n >>> 0;
}

function parseV6(s: string): Uint32Array | undefined {
  if (s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (i === items.length - 1 && it.includes('.')) {
        const v4 = parseV4(it);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return undefined;
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const words = new Uint32Array(4);
  for (let i = 0; i < 4; i++) words[i] = ((all[2 * i] << 16) | all[2 * i + 1]) >>> 0;
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
