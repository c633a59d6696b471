/**
 * Services and actions of every AWS service, from the generated catalog: look-ups by name
 * (case-insensitive, as IAM compares action names) and expansion of wildcard action patterns.
 */
import { loadCatalog } from './catalog-store.js';
import type { ActionInfo, ServiceInfo } from './catalog-types.js';
import { globToRegExp, hasWildcard } from '../policy/glob.js';

/** `package@version` the catalog was generated from. */
export function catalogSource(): string {
  return loadCatalog().source;
}

/** `getAction('s3:getobject')` → s3:GetObject's entry; undefined for unknown names and patterns. */
export function getAction(action: string): ActionInfo | undefined {
  const colon = action.indexOf(':');
  if (colon < 0) return undefined;
  const service = loadCatalog().serviceByKey.get(action.slice(0, colon).toLowerCase());
  return service?.actionByName.get(action.slice(colon + 1).toLowerCase());
}

export function serviceExists(service: string): boolean {
  return loadCatalog().serviceByKey.has(service.toLowerCase());
}

export function getService(service: string): ServiceInfo | undefined {
  return loadCatalog().serviceByKey.get(service.toLowerCase())?.info;
}

/** Every service, sorted by key. */
export function listServices(): ServiceInfo[] {
  return loadCatalog().services.map((s) => s.info);
}

/** The actions of a service sorted by name; empty for an unknown service. */
export function actionsOfService(service: string): readonly ActionInfo[] {
  return loadCatalog().serviceByKey.get(service.toLowerCase())?.actions ?? [];
}

/** Every `service:Action` of the catalog, sorted by service then action. */
export function listActionNames(): readonly string[] {
  return loadCatalog().allActionNames;
}

/**
 * The canonical names (`s3:GetObject`) of the catalog's actions an `Action` element value covers,
 * with IAM's wildcards (`*` any run, `?` one character, case-insensitive); `*` alone is every
 * action. Sorted by service then action; empty when nothing matches.
 */
export function expandActionPattern(pattern: string): readonly string[] {
  const catalog = loadCatalog();
  if (pattern === '*') return catalog.allActionNames;
  const colon = pattern.indexOf(':');
  const servicePart = colon < 0 ? pattern : pattern.slice(0, colon);
  if (colon >= 0 && !hasWildcard(servicePart)) {
    // Fast path for the usual `s3:Get*`: only one service can match.
    const service = catalog.serviceByKey.get(servicePart.toLowerCase());
    if (!service) return [];
    const actionPart = pattern.slice(colon + 1);
    if (actionPart === '*') return service.actions.map((a) => a.action);
    if (!hasWildcard(actionPart)) {
      const action = service.actionByName.get(actionPart.toLowerCase());
      return action ? [action.action] : [];
    }
    const re = globToRegExp(actionPart);
    return service.actions.filter((a) => re.test(a.name)).map((a) => a.action);
  }
  // A wildcard in the service part (`*:Get*`, `s3*`): IAM globs the whole `service:Action` string.
  const re = globToRegExp(pattern);
  return catalog.allActionNames.filter((name) => re.test(name));
}

export interface ExpandOptions {
  /** For `NotAction`: return the catalog's actions that no pattern covers. */
  not?: boolean;
}

/**
 * The union of `expandActionPattern` over `patterns` (an `Action` element), or with `{not: true}`
 * its complement in the catalog (a `NotAction` element). Sorted by service then action.
 */
export function expandActionPatterns(patterns: Iterable<string>, options: ExpandOptions = {}): readonly string[] {
  const all = loadCatalog().allActionNames;
  const covered = new Set<string>();
  for (const pattern of patterns) {
    if (pattern === '*') return options.not ? [] : all;
    for (const name of expandActionPattern(pattern)) covered.add(name);
  }
  // Filtering the sorted full list keeps the output order independent of the patterns' order.
  return all.filter((name) => covered.has(name) !== (options.not === true));
}
