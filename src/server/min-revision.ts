/**
 * `x-gatehouse-min-revision: N` (read-your-writes across regions, which AWS IAM does not offer):
 * a data plane that has not applied N waits up to this long, then answers a retryable 503.
 */
export const MIN_REVISION_WAIT_MS = 5_000;

/** The header's revision; undefined when absent, null when malformed. */
export function minRevisionOf(header: string | string[] | undefined): number | undefined | null {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header[0] : header;
  if (!/^\d{1,15}$/.test(text.trim())) return null;
  return Number(text.trim());
}
