/**
 * What a capability on one resource means in actions: every action of the catalog that has the
 * capability and can act on the resource's type, on the resource itself and, for the data
 * capabilities, on the sub-resources its data lives in (a bucket's objects, a table's indexes
 * and streams). The policy generator and the access review both build on it.
 */
import { actionsOfService, getAction, listActionNames, resourceTypesOfService, type ActionInfo } from '../../core/catalog/index.js';
import { CAPABILITY_NAMES, isCapability, type Capability } from './capability.js';
import { capabilitiesOfAction } from './capabilities-of-action.js';
import { CAPABILITY_OVERRIDES } from './overrides.js';
import { childPatterns, isResourceError, resolveResource, type MatchedType, type ResourceErrorCode } from './resolve-resource.js';

export type CapabilityErrorCode = ResourceErrorCode | 'unknown-capability' | 'no-actions';

export interface CapabilityError {
  readonly code: CapabilityErrorCode;
  readonly message: string;
}

export interface Grant {
  /** `s3:GetObject`, catalog case. */
  readonly action: string;
  /** Resource patterns the action is granted on: the ARN itself, or sub-resource patterns. */
  readonly resources: readonly string[];
  /** True when the action acts on the resource itself, false when only on its sub-resources. */
  readonly onResource: boolean;
}

export interface CapabilityGrants {
  readonly capability: string;
  readonly resource: string;
  /** Sorted by action. Empty when there are errors. */
  readonly grants: readonly Grant[];
  /**
   * Actions of the capability in the resource's service that only work on `"Resource": "*"`, so
   * cannot be limited to this resource (`s3:ListAllMyBuckets`). Not in `grants`.
   */
  readonly unscoped: readonly string[];
  /** Readable remarks: sub-resources covered, actions left out, service hints. */
  readonly notes: readonly string[];
  readonly errors: readonly CapabilityError[];
}

export interface GrantOptions {
  /**
   * Other capabilities asked for on the same resource. An action that gives several capabilities
   * (secretsmanager:UpdateSecret: administer-resource and write-data) is granted only when all of
   * them are asked for. `'all'`: every action that gives the capability (what a review wants).
   */
  readonly together?: readonly Capability[] | 'all';
  /** Add the service's companion actions (sqs:GetQueueUrl beside sending); default true. */
  readonly companions?: boolean;
}

/** Capabilities whose actions also reach a container's sub-resources (a bucket's objects). */
const REACHES_CHILDREN: ReadonlySet<Capability> = new Set(['read-data', 'write-data', 'delete-data', 'use-resource']);

function compareActions(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function plural(typeName: string): string {
  return /(s|x|ch|sh)$/.test(typeName) ? `${typeName}es` : `${typeName}s`;
}

function hasType(info: ActionInfo, typeName: string): boolean {
  const lower = typeName.toLowerCase();
  return info.resourceTypes.some((r) => r.name.toLowerCase() === lower);
}

function failed(capability: string, resource: string, error: CapabilityError): CapabilityGrants {
  return { capability, resource, grants: [], unscoped: [], notes: [], errors: [error] };
}

/** The grants for `capability` on `resource`; never throws, reports bad input in `errors`. */
export function capabilityGrants(capability: string, resource: string, options: GrantOptions = {}): CapabilityGrants {
  if (!isCapability(capability)) {
    return failed(capability, resource, {
      code: 'unknown-capability',
      message: `unknown capability '${String(capability)}'; expected one of ${CAPABILITY_NAMES.join(', ')}`,
    });
  }
  const resolved = resolveResource(resource);
  if (isResourceError(resolved)) return failed(capability, resource, resolved);

  const together = options.together ?? [];
  const accepts = (action: string): boolean => {
    const caps = capabilitiesOfAction(action);
    if (!caps.includes(capability)) return false;
    return together === 'all' || caps.every((c) => c === capability || together.includes(c));
  };

  const granted = new Map<string, Set<string>>();
  const onResource = new Set<string>();
  const grant = (action: string, pattern: string, direct = true): void => {
    const set = granted.get(action) ?? new Set<string>();
    set.add(pattern);
    granted.set(action, set);
    if (direct) onResource.add(action);
  };
  const notes: string[] = [];
  const homeMatches = resolved.matches.filter((m) => m.home);
  const home = homeMatches.length > 0 ? homeMatches : resolved.matches;

  for (const m of resolved.matches) {
    const matchedHere = resolved.matches.filter((x) => x.service === m.service).map((x) => x.type.name);
    for (const info of actionsOfService(m.service)) {
      if (!hasType(info, m.type.name) || !accepts(info.action)) continue;
      // Another service's action on this resource (sts:AssumeRole on a role) counts only when this
      // resource is all it needs: kinesis:StartStreamEncryption also needs a stream.
      if (!m.home && info.resourceTypes.some((r) => r.required && !matchedHere.includes(r.name))) continue;
      grant(info.action, resource);
    }
    applyExtensions(m, capability, resource, accepts, grant);
    if (m.home && REACHES_CHILDREN.has(capability)) {
      for (const child of childPatterns(m.service, m.type, resource)) {
        let any = false;
        for (const info of actionsOfService(m.service)) {
          if (hasType(info, child.type.name) && accepts(info.action)) {
            grant(info.action, child.pattern, false);
            any = true;
          }
        }
        if (any) notes.push(`${capability} on ${resource} also covers its ${plural(child.type.name)} (${child.pattern}).`);
      }
    }
    if (m.home) notes.push(...parentNotes(m, capability, accepts));
  }

  if (options.companions !== false) {
    for (const m of home) {
      for (const c of CAPABILITY_OVERRIDES[m.service]?.companions ?? []) {
        if (!c.capabilities.includes(capability)) continue;
        for (const name of c.actions) {
          const info = getAction(`${m.service}:${name}`);
          if (info && hasType(info, m.type.name) && !granted.has(info.action)) {
            grant(info.action, resource);
            notes.push(`${info.action} is added: ${c.why}`);
          }
        }
      }
    }
  }

  const unscoped = new Set<string>();
  for (const service of new Set(home.map((m) => m.service))) {
    for (const info of actionsOfService(service)) {
      if (info.resourceTypes.length === 0 && accepts(info.action)) unscoped.add(info.action);
    }
  }
  for (const service of new Set(home.map((m) => m.service))) {
    for (const h of CAPABILITY_OVERRIDES[service]?.hints ?? []) {
      if (!h.capabilities.includes(capability)) continue;
      if (h.resourceType && !home.some((m) => m.service === service && m.type.name === h.resourceType)) continue;
      notes.push(h.text);
    }
  }

  const grants = [...granted]
    .map(([action, set]) => ({ action, resources: [...set], onResource: onResource.has(action) }))
    .sort((a, b) => compareActions(a.action, b.action));
  const unscopedList = [...unscoped].sort(compareActions);
  if (grants.length === 0) {
    const types = [...new Set(home.map((m) => m.type.name))].join(' or ');
    const offered = CAPABILITY_NAMES.filter((c) => c !== capability && offers(home, c));
    const extra = unscopedList.length > 0 ? `; ${unscopedList.length} action(s) with it work only on "Resource": "*" (${examples(unscopedList)})` : '';
    const alternatives = offered.length > 0 ? `; it offers ${offered.join(', ')}` : '';
    return failed(capability, resource, {
      code: 'no-actions',
      message: `no action gives ${capability} on ${resource} (resource type ${types})${extra}${alternatives}`,
    });
  }
  return { capability, resource, grants, unscoped: unscopedList, notes: [...new Set(notes)], errors: [] };
}

/** Whether any action acts on one of the matched types with `capability` (for error messages). */
function offers(matches: readonly MatchedType[], capability: Capability): boolean {
  return matches.some((m) => actionsOfService(m.service).some((a) => hasType(a, m.type.name) && capabilitiesOfAction(a.action).includes(capability)));
}

function examples(actions: readonly string[]): string {
  return actions.slice(0, 3).join(', ') + (actions.length > 3 ? ', ...' : '');
}

/** Lambda's qualified function ARNs: see `ResourceTypeExtension` in overrides.ts. */
function applyExtensions(
  m: MatchedType,
  capability: Capability,
  resource: string,
  accepts: (action: string) => boolean,
  grant: (action: string, pattern: string, direct?: boolean) => void,
): void {
  for (const ext of CAPABILITY_OVERRIDES[m.service]?.extensions ?? []) {
    if (!ext.capabilities.includes(capability)) continue;
    const onType = m.type.name === ext.resourceType;
    const qualified = ext.qualifiedTypes?.includes(m.type.name) ?? false;
    if (!onType && !qualified) continue;
    for (const info of actionsOfService(m.service)) {
      if (!hasType(info, ext.resourceType) || !accepts(info.action)) continue;
      // On the unqualified ARN: add the qualified forms; on a qualified ARN: the ARN itself.
      grant(info.action, onType ? resource + ext.suffix : resource);
    }
  }
}

/**
 * When the resource is a sub-resource (an object), the container's actions of the capability
 * (s3:ListBucket) are not granted: say so, and how to get them.
 */
function parentNotes(m: MatchedType, capability: Capability, accepts: (action: string) => boolean): string[] {
  const out: string[] = [];
  for (const parent of actionsParentTypes(m)) {
    const actions = actionsOfService(m.service)
      .filter((a) => hasType(a, parent) && accepts(a.action))
      .map((a) => a.action);
    if (actions.length === 0) continue;
    out.push(`${examples(actions)} act on the ${parent}, not on its ${plural(m.type.name)}: ask for ${capability} on the ${parent}'s ARN to include them.`);
  }
  return out;
}

/** Names of the resource types of the same service whose ARNs `m.type`'s extend (a bucket for an object). */
function actionsParentTypes(m: MatchedType): string[] {
  const out: string[] = [];
  for (const parent of resourceTypesOfService(m.service)) {
    if (parent === m.type) continue;
    const extended = parent.arnFormats.some((pf) =>
      m.type.arnFormats.some((f) => f.startsWith(pf) && (f[pf.length] === '/' || f[pf.length] === ':')),
    );
    if (extended) out.push(parent.name);
  }
  return out;
}

let allByCapability: Map<Capability, readonly string[]> | undefined;

/**
 * The actions with `capability`: with no ARN, every one in the catalog; with an ARN, those that
 * can act on that resource's type (not its sub-resources: see `capabilityGrants`), leaving out
 * actions that only work on `"Resource": "*"`. Empty for an unknown capability or a bad ARN.
 */
export function actionsForCapability(capability: Capability, resourceArn?: string): string[] {
  if (!isCapability(capability)) return [];
  if (resourceArn === undefined) {
    allByCapability ??= new Map();
    let list = allByCapability.get(capability);
    if (!list) {
      list = listActionNames().filter((a) => capabilitiesOfAction(a).includes(capability));
      allByCapability.set(capability, list);
    }
    return [...list];
  }
  const result = capabilityGrants(capability, resourceArn, { together: 'all', companions: false });
  return result.grants.filter((g) => g.onResource).map((g) => g.action);
}
