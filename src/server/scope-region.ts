/**
 * The region a SigV4 request is scoped to, read cheaply from its `Credential=` (header) or
 * `X-Amz-Credential` (presigned query) before authentication, so the request can be routed to
 * that region's data plane, which then verifies it. SigV4a scopes have no region: their
 * `X-Amz-Region-Set` names the regions (`*` for any).
 */
const HEADER_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]*)\//;
const QUERY_SCOPE = /(?:^|&)X-Amz-Credential=[^&]*?(?:%2F|\/)\d{8}(?:%2F|\/)([^&%/]*)(?:%2F|\/)/i;

export function scopeRegion(headers: readonly (readonly [string, string])[], query: string): string | undefined {
  let regionSet: string | undefined;
  for (const [name, value] of headers) {
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      const m = HEADER_SCOPE.exec(value);
      if (m && m[1]) return m[1];
    } else if (name.length === 16 && name.toLowerCase() === 'x-amz-region-set') regionSet = value;
  }
  if (query) {
    const m = QUERY_SCOPE.exec(query);
    if (m && m[1]) return m[1];
    const set = /(?:^|&)X-Amz-Region-Set=([^&]*)/i.exec(query);
    if (set) regionSet = decodeURIComponent(set[1]);
  }
  const first = regionSet?.split(',')[0]?.trim();
  return first && first !== '*' ? first : undefined;
}
