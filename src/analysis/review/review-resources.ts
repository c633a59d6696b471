/**
 * What a `Resource` entry is to the review: the resource a row is about (S3 objects folded into
 * their bucket, DynamoDB indexes and streams into their table), its type, and which actions can
 * apply to it (a statement granting `s3:GetObject` on a bucket ARN grants nothing: objects are
 * another resource type). Everything is cached per entry; one instance per review.
 */
import { getAction, hasWildcard, resourceTypesForArn, resourceTypesOfService } from '../../core/catalog/index.js';
import { FIELD_STAR, globsOverlap } from './globs-overlap.js';

/** `arn:aws:s3:::b/k` → `s3`; undefined when not an ARN. */
export function arnService(arn: string): string | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  const a = arn.indexOf(':', 4);
  if (a < 0) return undefined;
  const b = arn.indexOf(':', a + 1);
  return b < 0 ? undefined : arn.slice(a + 1, b);
}

/**
 * The resource a review row is about: a bucket for its objects, a table for its indexes and
 * streams. Other ARNs and patterns are their own resource.
 */
export function foldResource(arn: string): string {
  const s3 = /^(arn:[^:]+:s3:::)([^/]+)\/.*$/s.exec(arn);
  if (s3) return s3[1] + s3[2];
  const ddb = /^(arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+)\/(?:index|stream|backup|export|import)\/.*$/s.exec(arn);
  if (ddb) return ddb[1];
  return arn;
}

const EMPTY: ReadonlySet<string> = new Set();

/** `arn:${Partition}:s3:::${BucketName}` → `arn:\u0001:s3:::*` (see globsOverlap). */
function formatGlob(format: string): string {
  let colons = 0;
  let out = '';
  for (let i = 0; i < format.length; i++) {
    if (format[i] === '$' && format[i + 1] === '{') {
      const end = format.indexOf('}', i);
      if (end > 0) {
        out += colons < 5 ? FIELD_STAR : '*';
        i = end;
        continue;
      }
    }
    if (format[i] === ':') colons++;
    out += format[i];
  }
  return out;
}

export class ReviewResources {
  private readonly typesCache = new Map<string, ReadonlySet<string>>();
  private readonly displayCache = new Map<string, string>();
  private readonly actionTypes = new Map<string, ReadonlySet<string>>();
  private readonly formatGlobs = new Map<string, { name: string; globs: string[] }[]>();

  /**
   * Lower-case names of the resource types of `service` that the entry `resource` can denote:
   * exactly for an ARN, every type whose ARN format overlaps for a pattern.
   */
  typesOf(service: string, resource: string): ReadonlySet<string> {
    const key = `${service}\0${resource}`;
    let types = this.typesCache.get(key);
    if (types) return types;
    if (!hasWildcard(resource)) {
      const found = resourceTypesForArn(service, resource);
      types = found.length ? new Set(found.map((t) => t.name.toLowerCase())) : EMPTY;
    } else {
      const names = new Set<string>();
      for (const t of this.formats(service)) if (t.globs.some((g) => globsOverlap(g, resource))) names.add(t.name);
      types = names.size ? names : EMPTY;
    }
    this.typesCache.set(key, types);
    return types;
  }

  /** Whether `action` (canonical) can act on the resource entry `resource` of its own service. */
  applies(action: string, service: string, resource: string): boolean {
    if (resource === '*') return true;
    const types = this.typesOf(service, resource);
    if (types.size === 0) return false;
    for (const t of this.typesOfAction(action)) if (types.has(t)) return true;
    return false;
  }

  /** `s3:bucket` for a bucket ARN or pattern; empty when the catalog knows no type. */
  displayType(resource: string): string {
    let shown = this.displayCache.get(resource);
    if (shown !== undefined) return shown;
    const service = arnService(resource);
    shown = '';
    if (service && !hasWildcard(service)) {
      const exact = resourceTypesForArn(service, resource);
      if (exact.length) shown = `${service}:${exact[0].name}`;
      else {
        const loose = this.typesOf(service, resource);
        if (loose.size === 1) shown = `${service}:${[...loose][0]}`;
      }
    }
    this.displayCache.set(resource, shown);
    return shown;
  }

  private typesOfAction(action: string): ReadonlySet<string> {
    let types = this.actionTypes.get(action);
    if (!types) {
      const info = getAction(action);
      types = info ? new Set(info.resourceTypes.map((t) => t.name.toLowerCase())) : EMPTY;
      this.actionTypes.set(action, types);
    }
    return types;
  }

  /** The service's ARN formats as wildcard patterns: a placeholder is `*` in the resource part, a field wildcard before. */
  private formats(service: string): { name: string; globs: string[] }[] {
    let list = this.formatGlobs.get(service);
    if (!list) {
      list = resourceTypesOfService(service).map((t) => ({ name: t.name.toLowerCase(), globs: t.arnFormats.map(formatGlob) }));
      this.formatGlobs.set(service, list);
    }
    return list;
  }
}
