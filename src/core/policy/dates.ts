const EPOCH = /^-?\d+(\.\d+)?$/;

/** A date in any W3C profile of ISO 8601, or epoch seconds, as epoch milliseconds. */
export function parseDate(s: string): number | undefined {
  if (EPOCH.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}
