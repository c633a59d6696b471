/**
 * Dates in conditions: epoch seconds, or ISO 8601 date-times at any precision from a bare year
 * (`2024`, `2024-06`, `2024-06-01`, `2024-06-01T12`, `...T12:30`, `...T12:30:15.123`) with an
 * optional zone (`Z`, `+02`, `+0200`, `+02:00`; none = UTC). The validator accepts exactly what
 * this parses, so a date that passes validation is one the evaluator can compare.
 */
const DIGITS = /^\d+$/;
const ZONE = /^([+-])(\d{2})(?::?(\d{2}))?$/;

function field(s: string | undefined, min: number, max: number, fallback: number): number | undefined {
  if (s === undefined) return fallback;
  if (!DIGITS.test(s) || s.length > 2) return undefined;
  const n = Number(s);
  return n >= min && n <= max ? n : undefined;
}

/** Epoch milliseconds, or undefined when the text is not a date AWS accepts. */
export function parseDate(value: string): number | undefined {
  const s = value.toLowerCase();
  if (!s.includes('t') && !s.includes('-')) {
    // Epoch seconds up to Java's Long.MAX_VALUE, the largest IAM accepts.
    if (!DIGITS.test(s) || s.length > 19 || (s.length === 19 && BigInt(s) > 9223372036854775807n)) return undefined;
    return Number(s) * 1000;
  }
  const tAt = s.indexOf('t');
  const datePart = tAt < 0 ? s : s.slice(0, tAt);
  let time = tAt < 0 ? '' : s.slice(tAt + 1);
  const negative = datePart.startsWith('-');
  const dateFields = (negative ? datePart.slice(1) : datePart).split('-');
  if (dateFields.length > 3 || !DIGITS.test(dateFields[0]) || dateFields[0].length > 9) return undefined;
  const year = Number(dateFields[0]) * (negative ? -1 : 1);
  const month = field(dateFields[1], 1, 12, 1);
  const day = field(dateFields[2], 1, 31, 1);

  let offsetMinutes = 0;
  const zoneAt = time.search(/[z+-]/);
  if (zoneAt >= 0) {
    const zone = time.slice(zoneAt);
    time = time.slice(0, zoneAt);
    if (zone !== 'z') {
      const m = ZONE.exec(zone);
      if (!m || Number(m[2]) > 23 || (m[3] !== undefined && Number(m[3]) > 59)) return undefined;
      offsetMinutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
    }
  }
  const clock = time === '' ? [] : time.split(':');
  if (clock.length > 3) return undefined;
  const hour = field(clock[0], 0, 23, 0);
  const minute = field(clock[1], 0, 59, 0);
  let second: number | undefined = 0;
  let millis = 0;
  if (clock[2] !== undefined) {
    const [whole, fraction] = clock[2].split('.', 2);
    second = field(whole, 0, 59, 0);
    if (fraction !== undefined) {
      if (!DIGITS.test(fraction) || fraction.length > 9) return undefined;
      millis = Math.floor(Number(`0.${fraction}`) * 1000);
    }
  }
  if (month === undefined || day === undefined || hour === undefined || minute === undefined || second === undefined) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, millis);
  const t = d.getTime() - offsetMinutes * 60000;
  // Years beyond JavaScript's date range still compare correctly: before or after every real date.
  return Number.isNaN(t) ? (year < 0 ? -Infinity : Infinity) : t;
}
