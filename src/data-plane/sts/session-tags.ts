/**
 * Session tags and transitive tag keys ("Passing session tags in AWS STS", IAM User Guide). Keys
 * compare case-insensitively but keep their case; a chained session inherits the calling session's
 * transitive tags, which the request may not set again.
 *
 * Error wording is AWS's, as LocalStack reproduces it from AWS responses (localstack#12508,
 * services/sts/provider.py): InvalidParameterValue for duplicate keys, a transitive key that is not
 * a requested tag, and a tag that conflicts with an inherited transitive one.
 */
import { awsError } from '../../core/errors/index.js';
import type { Tag } from '../../core/model/iam-entities.js';
import type { SessionClaims } from '../../core/model/principal.js';

/** `Tags` in domain form (`[{key, value}]`). */
export function readTags(input: Record<string, unknown>): Tag[] {
  const list = input.tags;
  if (!Array.isArray(list)) return [];
  const out: Tag[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const { key, value } = item as { key?: unknown; value?: unknown };
    if (typeof key === 'string') out.push({ key, value: typeof value === 'string' ? value : '' });
  }
  return out;
}

export function readTagKeys(input: Record<string, unknown>, name: string): string[] {
  const list = input[name];
  return Array.isArray(list) ? list.filter((k): k is string => typeof k === 'string') : [];
}

/** Refuses two tags whose keys differ only in case. */
export function checkDuplicateKeys(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    const k = t.key.toLowerCase();
    if (seen.has(k)) throw awsError('InvalidParameterValue', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
}

/** The calling session's tags that pass on to a chained session. */
export function inheritedTransitiveTags(caller: SessionClaims | undefined): Tag[] {
  if (!caller?.tags?.length || !caller.transitiveTagKeys?.length) return [];
  const keys = new Set(caller.transitiveTagKeys);
  return caller.tags.filter((t) => keys.has(t.key.toLowerCase()));
}

export interface SessionTags {
  /** The tags the request passed. */
  requested: Tag[];
  /** Inherited transitive tags first, then the requested ones. */
  all: Tag[];
  /** Lowercased keys that stay transitive: inherited ones and the request's TransitiveTagKeys. */
  transitiveKeys: string[];
  /** The request's TransitiveTagKeys as given (for sts:TransitiveTagKeys). */
  requestedTransitiveKeys: string[];
}

/** AssumeRole's tags: the request's, checked, merged with what the calling session passes on. */
export function assumeRoleTags(input: Record<string, unknown>, caller: SessionClaims | undefined): SessionTags {
  const requested = readTags(input);
  const requestedTransitiveKeys = readTagKeys(input, 'transitiveTagKeys');
  checkDuplicateKeys(requested);
  const requestedKeys = new Set(requested.map((t) => t.key.toLowerCase()));
  for (const k of requestedTransitiveKeys) {
    if (!requestedKeys.has(k.toLowerCase())) throw awsError('InvalidParameterValue', 'The specified transitive tag key must be included in the requested tags.');
  }
  const inherited = inheritedTransitiveTags(caller);
  for (const t of inherited) {
    if (requestedKeys.has(t.key.toLowerCase())) {
      throw awsError('InvalidParameterValue', "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.");
    }
  }
  const transitiveKeys = [...new Set([...inherited.map((t) => t.key.toLowerCase()), ...requestedTransitiveKeys.map((k) => k.toLowerCase())])];
  return { requested, all: [...inherited, ...requested], transitiveKeys, requestedTransitiveKeys };
}
