/**
 * The catalog's ARN formats indexed by the service segment of the ARN (which is not always the
 * action prefix: `ec2` resource types include `iam` instance profiles), and a test of whether a
 * Resource entry (with wildcards and policy variables) can name a resource of a given type.
 * Built once, on first use; answers are cached per entry.
 *
 * Formats and entries are compared field by field (partition, service, region, account, then the
 * resource part), each as a glob. DIVERGENCE: IAM lets a `*` in a Resource entry span colons;
 * here a star in one of the first five fields stays within its field, which is what such a star
 * means in practice (`arn:aws:dynamodb:*:*:table/x`) and keeps each test cheap.
 */
import { listServices, resourceTypesOfService, type ResourceTypeInfo } from '../../core/catalog/index.js';
import { globMatch } from '../../core/policy/glob.js';

export interface ArnFormat {
  /** The resource type's id, `service/type name` (lowercase), as `typeId` builds it. */
  typeId: string;
  info: ResourceTypeInfo;
  format: string;
  /** Partition, service, region and account fields as globs (a placeholder is `?*`: non-empty text). */
  fields: string[];
  /** The resource part (after the fifth colon) as a glob. */
  resource: string;
  /** Literal text before the resource part's first wildcard, and after its last: a cheap reject. */
  prefix: string;
  suffix: string;
  region: string;
  account: string;
  /** Characters outside placeholders: the more, the more specific the format. */
  fixedLength: number;
}

export interface ArnServiceFormats {
  formats: ArnFormat[];
  /** Some format has a region (placeholder or literal): a region in an ARN may be right. */
  allowsRegion: boolean;
  /** Every format has a region: an ARN without one names nothing. */
  requiresRegion: boolean;
  allowsAccount: boolean;
  requiresAccount: boolean;
}

export function typeId(service: string, typeName: string): string {
  return `${service.toLowerCase()}/${typeName.toLowerCase()}`;
}

const PLACEHOLDER = /\$\{[^}]*\}/g;

/** `${X}` → `?*` (placeholders stand for non-empty text). */
function placeholderGlob(text: string): string {
  return text.replace(PLACEHOLDER, '?*');
}

/** Splits at the first five colons: five fields and the resource part; undefined with fewer. */
export function splitArn(value: string): { fields: string[]; resource: string } | undefined {
  const fields: string[] = [];
  let start = 0;
  for (let k = 0; k < 5; k++) {
    const colon = value.indexOf(':', start);
    if (colon < 0) return undefined;
    fields.push(value.slice(start, colon));
    start = colon + 1;
  }
  return { fields, resource: value.slice(start) };
}

function literalPrefix(glob: string): string {
  const m = /[*?]/.exec(glob);
  return m ? glob.slice(0, m.index) : glob;
}

function literalSuffix(glob: string): string {
  for (let i = glob.length - 1; i >= 0; i--) if (glob[i] === '*' || glob[i] === '?') return glob.slice(i + 1);
  return glob;
}

let index: Map<string, ArnServiceFormats> | undefined;

function buildIndex(): Map<string, ArnServiceFormats> {
  const byService = new Map<string, ArnFormat[]>();
  for (const { key } of listServices()) {
    for (const info of resourceTypesOfService(key)) {
      for (const format of info.arnFormats) {
        const split = splitArn(format);
        if (!split || split.fields[2].includes('${')) continue;
        const arnService = split.fields[2].toLowerCase();
        const resource = placeholderGlob(split.resource);
        const entry: ArnFormat = {
          typeId: typeId(key, info.name),
          info,
          format,
          fields: split.fields.map(placeholderGlob),
          resource,
          prefix: literalPrefix(resource),
          suffix: literalSuffix(resource),
          region: split.fields[3],
          account: split.fields[4],
          fixedLength: format.replace(PLACEHOLDER, '').length,
        };
        const list = byService.get(arnService);
        if (list) list.push(entry);
        else byService.set(arnService, [entry]);
      }
    }
  }
  const out = new Map<string, ArnServiceFormats>();
  for (const [service, formats] of byService) {
    out.set(service, {
      formats,
      allowsRegion: formats.some((f) => f.region !== ''),
      requiresRegion: formats.every((f) => f.region !== ''),
      allowsAccount: formats.some((f) => f.account !== ''),
      requiresAccount: formats.every((f) => f.account !== ''),
    });
  }
  return out;
}

/** The formats whose ARN service segment is `service` (case-insensitive); undefined for a service no format names. */
export function formatsOfArnService(service: string): ArnServiceFormats | undefined {
  index ??= buildIndex();
  return index.get(service.toLowerCase());
}

/**
 * True when some string matches both glob patterns (`*` any run, `?` one character). Iterative
 * over the (i, j) state space, so it is O(|a|·|b|) and cannot recurse deeply.
 */
export function globsIntersect(a: string, b: string): boolean {
  if (a === b || a === '*' || b === '*') return true;
  // One side literal (the usual `aws`, `us-east-1`, ``): a plain match, without the table.
  if (!a.includes('*') && !a.includes('?')) return globMatch(b, a);
  if (!b.includes('*') && !b.includes('?')) return globMatch(a, b);
  const n = a.length;
  const m = b.length;
  // reach[i*(m+1)+j]: the prefixes a[0..i) and b[0..j) can produce the same text.
  const width = m + 1;
  const reach = new Uint8Array((n + 1) * width);
  reach[0] = 1;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      if (!reach[i * width + j]) continue;
      const ca = i < n ? a.charCodeAt(i) : -1;
      const cb = j < m ? b.charCodeAt(j) : -1;
      const starA = ca === 42;
      const starB = cb === 42;
      // A star matches nothing, or absorbs one character (or `?`) of the other side and stays.
      if (starA) reach[(i + 1) * width + j] = 1;
      if (starB) reach[i * width + j + 1] = 1;
      if (starA && cb >= 0 && !starB) reach[i * width + j + 1] = 1;
      if (starB && ca >= 0 && !starA) reach[(i + 1) * width + j] = 1;
      if (ca >= 0 && cb >= 0 && !starA && !starB && (ca === 63 || cb === 63 || ca === cb)) reach[(i + 1) * width + j + 1] = 1;
    }
  }
  return reach[n * width + m] === 1;
}

/** The shorter string is a prefix (or with `fromEnd`, a suffix) of the longer one. */
function compatible(x: string, y: string, fromEnd: boolean): boolean {
  const k = Math.min(x.length, y.length);
  return fromEnd ? x.slice(x.length - k) === y.slice(y.length - k) : x.slice(0, k) === y.slice(0, k);
}

/** A Resource entry as a glob: policy variables (`${aws:username}`) may become any text. */
export function resourceGlob(resource: string): string {
  return resource.includes('${') ? resource.replace(PLACEHOLDER, '*') : resource;
}

interface EntryGlob {
  fields: string[];
  resource: string;
  prefix: string;
  suffix: string;
  /** No wildcard anywhere: a plain match against the format answers. */
  literal: boolean;
}

function intersects(entry: EntryGlob, f: ArnFormat): boolean {
  if (!compatible(entry.prefix, f.prefix, false) || !compatible(entry.suffix, f.suffix, true)) return false;
  if (entry.literal) return contains(f, entry);
  for (let k = 0; k < 5; k++) if (k !== 2 && !globsIntersect(entry.fields[k], f.fields[k])) return false;
  return globsIntersect(entry.resource, f.resource);
}

/** Every ARN the entry names is one the format names (sound: the entry's wildcards fall inside the format's stars). */
function contains(f: ArnFormat, entry: EntryGlob): boolean {
  for (let k = 0; k < 5; k++) if (k !== 2 && !globMatch(f.fields[k], entry.fields[k])) return false;
  return globMatch(f.resource, entry.resource);
}

const matchCache = new Map<string, ReadonlySet<string>>();
const EMPTY: ReadonlySet<string> = new Set();

/**
 * The resource types (as `typeId`s) a Resource entry can name: those with an ARN format the
 * entry intersects, unless every ARN the entry names is also named by a more specific format.
 * Placeholders match any text, so `arn:aws:s3:::b/*` intersects the bucket format
 * `arn:${Partition}:s3:::${BucketName}` too; like `resourceTypesForArn`, the more specific object
 * format wins for it, while `arn:aws:s3:::*` names buckets and objects. The service segment is
 * compared case-insensitively (a wrongly-cased service is REF-ARN-FORMAT's to report).
 */
export function resourceTypesMatching(resource: string): ReadonlySet<string> {
  const hit = matchCache.get(resource);
  if (hit) return hit;
  const split = splitArn(resourceGlob(resource));
  let result: ReadonlySet<string> = EMPTY;
  const formats = split ? formatsOfArnService(split.fields[2]) : undefined;
  if (split && formats) {
    const glob = `${split.fields.join(':')}:${split.resource}`;
    const literal = !glob.includes('*') && !glob.includes('?');
    const entry: EntryGlob = { ...split, prefix: literalPrefix(split.resource), suffix: literalSuffix(split.resource), literal };
    const touching = formats.formats.filter((f) => intersects(entry, f));
    let containerFixed = -1;
    for (const f of touching) if (f.fixedLength > containerFixed && contains(f, entry)) containerFixed = f.fixedLength;
    const found = new Set<string>();
    for (const f of touching) {
      if (f.fixedLength < containerFixed) continue;
      found.add(f.typeId);
      // AWS-COMPAT: a qualified ARN (`function:f:PROD`, a version or alias) is accepted wherever its
      // unqualified type is (Lambda's InvokeFunction lists only `function`, yet takes `function:f:*`).
      for (const g of formats.formats) if (f.format.startsWith(`${g.format}:`)) found.add(g.typeId);
    }
    result = found;
  }
  if (matchCache.size >= 20000) matchCache.clear();
  matchCache.set(resource, result);
  return result;
}
