/**
 * From a resource ARN to what the catalog knows about it: the services whose actions can act on
 * it and its resource types, and the sub-resources its data lives in (a bucket's objects).
 */
import { parseArn } from '../../core/arn.js';
import { getService, listServices, resourceTypesForArn, resourceTypesOfService, type ResourceTypeInfo } from '../../core/catalog/index.js';

export type ResourceErrorCode = 'malformed-arn' | 'unknown-service' | 'resource-type-mismatch';

export interface ResourceError {
  readonly code: ResourceErrorCode;
  readonly message: string;
}

/** A resource type the ARN is, in one service of the catalog. */
export interface MatchedType {
  /** The catalog service whose actions use the type (`sts` for a role ARN, besides `iam`). */
  readonly service: string;
  readonly type: ResourceTypeInfo;
  /** True when `service` is the ARN's own service (`iam` for a role, not `sts`). */
  readonly home: boolean;
}

/** A sub-resource pattern: where a container's data lives (`arn:aws:s3:::b/*` for bucket `b`). */
export interface ChildPattern {
  readonly service: string;
  readonly type: ResourceTypeInfo;
  readonly pattern: string;
}

export interface ResolvedResource {
  readonly arn: string;
  readonly matches: readonly MatchedType[];
}

const PARTITION = /^aws(-[a-z0-9]+)*$/;
const PLACEHOLDER = /\$\{[^}]*\}/g;

let servicesByArnService: Map<string, string[]> | undefined;
/** ARN service segment (`iam`) → catalog services with resource types in it (`iam`, `sts`, `ec2`...). */
function catalogServicesFor(arnService: string): readonly string[] {
  if (!servicesByArnService) {
    servicesByArnService = new Map();
    for (const { key } of listServices()) {
      for (const rt of resourceTypesOfService(key)) {
        for (const format of rt.arnFormats) {
          const segment = format.split(':')[2];
          if (!segment || segment.includes('$')) continue;
          const list = servicesByArnService.get(segment) ?? [];
          if (!list.includes(key)) list.push(key);
          servicesByArnService.set(segment, list);
        }
      }
    }
  }
  return servicesByArnService.get(arnService) ?? [];
}

/** Every catalog service whose resource types the ARN matches, with those types. */
export function resolveResource(arn: unknown): ResolvedResource | ResourceError {
  if (typeof arn !== 'string' || arn.length === 0) return { code: 'malformed-arn', message: 'the resource must be an ARN (arn:partition:service:region:account:resource)' };
  const parsed = parseArn(arn);
  if (!parsed || !PARTITION.test(parsed.partition) || !/^[a-z0-9-]+$/.test(parsed.service) || parsed.resource === '') {
    return { code: 'malformed-arn', message: `'${arn}' is not an ARN (arn:partition:service:region:account:resource)` };
  }
  const services = catalogServicesFor(parsed.service);
  if (services.length === 0) return { code: 'unknown-service', message: `no service of the catalog has resources in ARN service '${parsed.service}' (${arn})` };
  const matches: MatchedType[] = [];
  for (const service of services) {
    for (const type of resourceTypesForArn(service, arn)) matches.push({ service, type, home: service === parsed.service });
  }
  if (matches.length === 0) {
    const home = services.includes(parsed.service) ? parsed.service : services[0];
    // Shortest first: the top-level resources (a table before its indexes).
    const formats = resourceTypesOfService(home)
      .flatMap((rt) => rt.arnFormats.filter((f) => f.split(':')[2] === parsed.service))
      .sort((a, b) => a.length - b.length);
    const shown = formats.slice(0, 6).join(', ') + (formats.length > 6 ? ', ...' : '');
    const name = getService(home)?.name ?? home;
    return { code: 'resource-type-mismatch', message: `'${arn}' is not a resource of ${name}; its ARN formats are ${shown}` };
  }
  return { arn, matches };
}

export function isResourceError(value: ResolvedResource | ResourceError): value is ResourceError {
  return 'code' in value;
}

/** `arn:${Partition}:s3:::${BucketName}` → `arn:aws:s3:::*`: a format with every variable a wildcard. */
function formatAsGlob(format: string): string {
  return format.replace(PLACEHOLDER, '*');
}

/**
 * The resource types of the same service whose ARNs extend `type`'s with `/` or `:` (objects of
 * a bucket, indexes and streams of a table, versions and aliases of a function), each as a
 * pattern under `arn`.
 */
export function childPatterns(service: string, type: ResourceTypeInfo, arn: string): ChildPattern[] {
  const out: ChildPattern[] = [];
  for (const child of resourceTypesOfService(service)) {
    if (child === type) continue;
    for (const parentFormat of type.arnFormats) {
      for (const format of child.arnFormats) {
        const rest = format.slice(parentFormat.length);
        if (!format.startsWith(parentFormat) || (rest[0] !== '/' && rest[0] !== ':')) continue;
        const pattern = arn + formatAsGlob(rest);
        if (!out.some((c) => c.pattern === pattern && c.type === child)) out.push({ service, type: child, pattern });
      }
    }
  }
  return out;
}

/**
 * The resource types of `service` a pattern written in a policy can stand for, read as a literal
 * ARN: `arn:aws:s3:::b/*` is an object pattern, `arn:aws:s3:::b` a bucket.
 */
export function typesOfPattern(service: string, pattern: string): readonly string[] {
  return resourceTypesForArn(service, pattern).map((t) => t.name);
}
