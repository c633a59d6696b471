/**
 * Resource types of every service with their ARN formats, and matching of a concrete ARN to the
 * resource types it can be.
 */
import { loadRawCatalog } from './catalog-store.js';
import type { ResourceTypeInfo } from './catalog-types.js';

interface ArnMatcher {
  readonly pattern: RegExp;
  /** Fixed characters of the format: ranks matches, see resourceTypesForArn. */
  readonly fixedLength: number;
  readonly info: ResourceTypeInfo;
}

interface ServiceResourceTypes {
  readonly list: readonly ResourceTypeInfo[];
  readonly byName: ReadonlyMap<string, ResourceTypeInfo>;
  matchers?: readonly ArnMatcher[];
}

const PLACEHOLDER = /\$\{[^}]*\}/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `arn:${Partition}:s3:::${BucketName}/${ObjectName}` → RegExp. A placeholder in the first five
 * fields (partition, service, region, account) stays within its field; one in the resource part
 * matches any non-empty text, since names there may hold `/` or `:` (IAM paths, S3 keys).
 */
function compileArnFormat(format: string): { pattern: RegExp; fixedLength: number } {
  let colons = 0;
  let resourceStart = format.length;
  for (let i = 0; i < format.length; i++) {
    if (format[i] === ':' && ++colons === 5) {
      resourceStart = i + 1;
      break;
    }
  }
  let source = '';
  let fixedLength = 0;
  let last = 0;
  for (const match of format.matchAll(PLACEHOLDER)) {
    const literal = format.slice(last, match.index);
    source += escapeRegExp(literal) + (match.index < resourceStart ? '[^:]+' : '.+');
    fixedLength += literal.length;
    last = match.index + match[0].length;
  }
  const tail = format.slice(last);
  return { pattern: new RegExp(`^${source}${escapeRegExp(tail)}$`, 's'), fixedLength: fixedLength + tail.length };
}

let index: Map<string, ServiceResourceTypes> | undefined;
function resourceTypeIndex(): Map<string, ServiceResourceTypes> {
  if (!index) {
    index = new Map();
    for (const [service, , , resourceTypes] of loadRawCatalog().services) {
      const list = resourceTypes.map(
        ([name, arnFormats, conditionKeys]): ResourceTypeInfo => ({ service, name, arnFormats, conditionKeys }),
      );
      index.set(service.toLowerCase(), { list, byName: new Map(list.map((rt) => [rt.name.toLowerCase(), rt])) });
    }
  }
  return index;
}

/** `getResourceType('s3', 'object')`, case-insensitive. */
export function getResourceType(service: string, name: string): ResourceTypeInfo | undefined {
  return resourceTypeIndex().get(service.toLowerCase())?.byName.get(name.toLowerCase());
}

/** The resource types of a service sorted by name; empty for an unknown service. */
export function resourceTypesOfService(service: string): readonly ResourceTypeInfo[] {
  return resourceTypeIndex().get(service.toLowerCase())?.list ?? [];
}

/**
 * The resource types of `service` whose ARN format matches the concrete `arn`. When several
 * match, only the most specific are kept (most fixed characters): `arn:aws:s3:::b/k` fits both
 * `${BucketName}` and `${BucketName}/${ObjectName}` and is an object. Ties are all returned
 * (a qualified Lambda ARN is a `function alias` or a `function version`). Matching is
 * case-sensitive, as ARNs are; empty when nothing matches.
 */
export function resourceTypesForArn(service: string, arn: string): readonly ResourceTypeInfo[] {
  const entry = resourceTypeIndex().get(service.toLowerCase());
  if (!entry) return [];
  entry.matchers ??= entry.list.flatMap((info) =>
    info.arnFormats.map((format) => ({ ...compileArnFormat(format), info })),
  );
  let best = -1;
  let found: ResourceTypeInfo[] = [];
  for (const m of entry.matchers) {
    if (m.fixedLength < best || !m.pattern.test(arn)) continue;
    if (m.fixedLength > best) {
      best = m.fixedLength;
      found = [];
    }
    if (!found.includes(m.info)) found.push(m.info);
  }
  return found;
}
