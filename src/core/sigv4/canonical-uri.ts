import { uriEncode } from './percent-encoding.js';

/**
 * RFC 3986 dot-segment removal plus collapsing of empty segments (repeated slashes), as botocore and
 * the JS SDK do for non-S3 services before signing. A leading slash and a trailing slash (after a
 * non-empty result) are kept.
 */
export function normalizeUriPath(path: string): string {
  if (path.indexOf('//') < 0 && path.indexOf('/.') < 0 && !path.startsWith('.')) return path;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const lead = path.startsWith('/') ? '/' : '';
  const trail = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return lead + segments.join('/') + trail;
}

/**
 * The canonical URI of non-S3 SigV4: the path as sent (normalised when asked), each segment
 * URI-encoded once more, so an escape like %20 on the wire becomes %2520.
 */
export function canonicalUri(path: string, normalize: boolean): string {
  const p = normalize ? normalizeUriPath(path) : path;
  return p === '' ? '/' : uriEncode(p, true);
}
