/**
 * The six capabilities of intent-based policies: what a caller can do to a resource, in words a
 * reviewer uses ("read the data in this bucket") rather than in API names.
 */

export type Capability = 'administer-resource' | 'read-config' | 'read-data' | 'write-data' | 'delete-data' | 'use-resource';

export interface CapabilityInfo {
  readonly name: Capability;
  /** One line, for `--list`, reports and docs. */
  readonly meaning: string;
}

/** In the order reports show them: from the most to the least powerful. */
export const CAPABILITIES: readonly CapabilityInfo[] = [
  {
    name: 'administer-resource',
    meaning:
      'change who can access it, its policies, tags, configuration or lifecycle (create/delete the resource itself)',
  },
  { name: 'read-config', meaning: 'read its configuration and metadata, list' },
  { name: 'read-data', meaning: 'read the data it holds' },
  { name: 'write-data', meaning: 'create or change its data' },
  { name: 'delete-data', meaning: 'delete its data' },
  {
    name: 'use-resource',
    meaning:
      'use it without reading or changing it (invoke a function, encrypt with a key, publish, assume a role, pass a role)',
  },
];

export const CAPABILITY_NAMES: readonly Capability[] = CAPABILITIES.map((c) => c.name);

export function isCapability(value: unknown): value is Capability {
  return typeof value === 'string' && (CAPABILITY_NAMES as readonly string[]).includes(value);
}

/** `read-data` → `ReadData`, for Sids. */
export function capabilityPascalCase(capability: Capability): string {
  return capability
    .split('-')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}
