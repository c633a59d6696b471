/**
 * Parses the generated catalog once, on first use, and indexes services and actions by lowercase
 * name. Resource-type and condition-key indexes are built by their own modules, also on first
 * use, so a caller that only looks up actions never pays for them.
 */
import { CATALOG_FORMAT, type RawAction, type RawCatalog, type RawService } from './catalog-format.js';
import type { AccessLevel, ActionInfo, ActionResourceType, ServiceInfo } from './catalog-types.js';
import { CATALOG_JSON } from './generated/catalog-data.js';

export interface ServiceEntry {
  readonly info: ServiceInfo;
  /** Sorted by lowercase name. */
  readonly actions: readonly ActionInfo[];
  /** Lowercase action name (without the prefix) → action. */
  readonly actionByName: ReadonlyMap<string, ActionInfo>;
}

export interface CatalogStore {
  readonly source: string;
  /** Sorted by key. */
  readonly services: readonly ServiceEntry[];
  readonly serviceByKey: ReadonlyMap<string, ServiceEntry>;
  /** Every `service:Action` in canonical case, sorted by service then action. */
  readonly allActionNames: readonly string[];
}

const EMPTY: readonly string[] = Object.freeze([]);

/** Shares one frozen array per published access level, instead of one array per action. */
const accessLevelCache = new Map<string, readonly AccessLevel[]>();
function accessLevels(published: string): readonly AccessLevel[] {
  let levels = accessLevelCache.get(published);
  if (!levels) {
    // "Permissions management, Write" → ['Permissions management', 'Write']
    levels = Object.freeze(published.split(',').map((l) => l.trim() as AccessLevel));
    accessLevelCache.set(published, levels);
  }
  return levels;
}

function toActionInfo(service: string, [name, level, rows, conditionKeys]: RawAction): ActionInfo {
  const resourceTypes: ActionResourceType[] = rows.map(([rtName, required, rtKeys]) => ({
    name: rtName,
    required: required === 1,
    conditionKeys: rtKeys.length === 0 ? EMPTY : rtKeys,
  }));
  return {
    service,
    name,
    action: `${service}:${name}`,
    accessLevels: accessLevels(level),
    resourceTypes,
    conditionKeys: conditionKeys.length === 0 ? EMPTY : conditionKeys,
  };
}

/**
 * A service whose action objects are built on first access: building all 22,000 up front costs
 * about 50 ms, while most callers only ever touch a few services.
 */
class LazyServiceEntry implements ServiceEntry {
  readonly info: ServiceInfo;
  private built?: { actions: readonly ActionInfo[]; actionByName: ReadonlyMap<string, ActionInfo> };

  constructor(private readonly raw: RawService) {
    this.info = { key: raw[0], name: raw[1] };
  }

  private build() {
    const actions = this.raw[2].map((a) => toActionInfo(this.info.key, a));
    return (this.built = { actions, actionByName: new Map(actions.map((a) => [a.name.toLowerCase(), a])) });
  }

  get actions(): readonly ActionInfo[] {
    return (this.built ?? this.build()).actions;
  }

  get actionByName(): ReadonlyMap<string, ActionInfo> {
    return (this.built ?? this.build()).actionByName;
  }
}

function buildStore(raw: RawCatalog): CatalogStore {
  if (raw.format !== CATALOG_FORMAT) {
    throw new Error(`catalog format ${raw.format} is not ${CATALOG_FORMAT}; run npm run catalog:generate`);
  }
  const services = raw.services.map((s) => new LazyServiceEntry(s));
  const allActionNames: string[] = [];
  for (const [key, , actions] of raw.services) {
    for (const action of actions) allActionNames.push(`${key}:${action[0]}`);
  }
  return {
    source: raw.source,
    services,
    serviceByKey: new Map(services.map((s) => [s.info.key.toLowerCase(), s])),
    allActionNames: Object.freeze(allActionNames),
  };
}

let store: CatalogStore | undefined;
let rawCatalog: RawCatalog | undefined;

/** The parsed catalog as generated (for the resource-type and condition-key indexes). */
export function loadRawCatalog(): RawCatalog {
  return (rawCatalog ??= JSON.parse(CATALOG_JSON) as RawCatalog);
}

export function loadCatalog(): CatalogStore {
  return (store ??= buildStore(loadRawCatalog()));
}
