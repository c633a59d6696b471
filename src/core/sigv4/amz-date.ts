/**
 * ISO-8601 basic format as SigV4 uses it: YYYYMMDDTHHMMSSZ. Parsed by hand because Date.parse
 * doesn't accept the basic format, and strictly, because the value is copied verbatim into the
 * string to sign.
 */

function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Milliseconds since the epoch, or undefined when not a valid YYYYMMDDTHHMMSSZ instant. */
export function parseAmzDate(value: string): number | undefined {
  if (value.length !== 16 || value[8] !== 'T' || value[15] !== 'Z') return undefined;
  const year = digits(value, 0, 4);
  const month = digits(value, 4, 2);
  const day = digits(value, 6, 2);
  const hour = digits(value, 9, 2);
  const minute = digits(value, 11, 2);
  const second = digits(value, 13, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 February over into March; a rolled-over date is not the date that was signed.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return ms;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** YYYYMMDDTHHMMSSZ for an instant (sub-second part dropped). */
export function formatAmzDate(ms: number): string {
  const d = new Date(ms);
  return (
    pad(d.getUTCFullYear(), 4) +
    pad(d.getUTCMonth() + 1, 2) +
    pad(d.getUTCDate(), 2) +
    'T' +
    pad(d.getUTCHours(), 2) +
    pad(d.getUTCMinutes(), 2) +
    pad(d.getUTCSeconds(), 2) +
    'Z'
  );
}
