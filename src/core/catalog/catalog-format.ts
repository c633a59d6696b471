/**
 * The shape of the generated catalog JSON (src/core/catalog/generated/catalog-data.ts). Shared by
 * the generator (scripts/catalog-builder.ts) and the loader, so the two cannot drift apart.
 * Positional tuples keep the text small: 22,000 actions repeat every field name otherwise.
 */

/** Bump when the tuple layout changes; the loader refuses a catalog of another format. */
export const CATALOG_FORMAT = 1;

/** `[name, type, category]`, e.g. `['aws:SourceIp', 'IPAddress', 'network']`. */
export type RawGlobalConditionKey = [name: string, type: string, category: string];

/** `[name, type]`, e.g. `['s3:ExistingObjectTag/<key>', 'String']`. */
export type RawConditionKey = [name: string, type: string];

/** `[name, arnFormats, conditionKeys]`. */
export type RawResourceType = [name: string, arnFormats: string[], conditionKeys: string[]];

/** `[resourceTypeName, required (1/0), conditionKeys]`: one row of an action's resource table. */
export type RawActionResourceType = [name: string, required: 0 | 1, conditionKeys: string[]];

/** `[name, accessLevel, resourceTypes, conditionKeys]`; `accessLevel` as published, e.g. `"Tagging, Write"`. */
export type RawAction = [name: string, accessLevel: string, resourceTypes: RawActionResourceType[], conditionKeys: string[]];

/** `[key, displayName, actions, resourceTypes, conditionKeys]`, each list sorted case-insensitively. */
export type RawService = [
  key: string,
  name: string,
  actions: RawAction[],
  resourceTypes: RawResourceType[],
  conditionKeys: RawConditionKey[],
];

export interface RawCatalog {
  format: number;
  /** `package@version` the data came from. */
  source: string;
  globalConditionKeys: RawGlobalConditionKey[];
  services: RawService[];
}
