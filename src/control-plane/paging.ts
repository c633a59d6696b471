/**
 * IAM's `Marker`/`MaxItems` pagination over a list already in its final order. The marker is
 * opaque to clients: the base64url of the last returned item's sort key.
 */
import { awsError } from '../core/errors/index.js';

export interface Page<T> {
  items: T[];
  isTruncated: boolean;
  marker?: string;
}

export const DEFAULT_MAX_ITEMS = 100;

export function paginate<T>(all: readonly T[], keyOf: (item: T) => string, marker: string | undefined, maxItems: number | undefined): Page<T> {
  let start = 0;
  if (marker !== undefined) {
    const after = Buffer.from(marker, 'base64url').toString('utf8');
    if (!after || Buffer.from(after).toString('base64url') !== marker) throw awsError('InvalidInput', 'Invalid Marker.');
    start = all.findIndex((item) => keyOf(item) > after);
    if (start < 0) start = all.length;
  }
  const limit = maxItems ?? DEFAULT_MAX_ITEMS;
  const items = all.slice(start, start + limit);
  const isTruncated = start + limit < all.length;
  return isTruncated ? { items, isTruncated, marker: Buffer.from(keyOf(items[items.length - 1])).toString('base64url') } : { items, isTruncated };
}

/** Entities whose path starts with `pathPrefix` (IAM's PathPrefix filter; default `/` = all). */
export function withPathPrefix<T extends { path: string }>(items: readonly T[], pathPrefix: string | undefined): T[] {
  return pathPrefix ? items.filter((e) => e.path.startsWith(pathPrefix)) : [...items];
}
