/**
 * Condition keys of every service and the global `aws:` keys, with their types. A key written in
 * a policy (`aws:ResourceTag/team`) resolves to its documented template (`aws:ResourceTag/${TagKey}`).
 */
import { loadRawCatalog } from './catalog-store.js';
import type { ConditionKeyInfo, ConditionKeyType } from './catalog-types.js';

interface Template {
  /** Lowercase text before the first variable part, for a cheap pre-filter. */
  readonly prefix: string;
  readonly pattern: RegExp;
  /** Number of fixed characters: the most specific template wins. */
  readonly fixedLength: number;
  readonly info: ConditionKeyInfo;
}

interface ConditionKeyIndex {
  readonly exact: ReadonlyMap<string, ConditionKeyInfo>;
  readonly templates: readonly Template[];
  readonly globals: readonly ConditionKeyInfo[];
}

// Variable parts as the reference writes them: `${TagKey}`, `<key>`, and a final `tag-key`
// (`secretsmanager:ResourceTag/tag-key`) or a bare final `/` (`glacier:ResourceTag/`).
const VARIABLE = /\$\{[^}]*\}|<[^>]*>|(?<=\/)tag-key$|(?<=\/)$/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toTemplate(info: ConditionKeyInfo): Template | undefined {
  const name = info.name;
  let source = '';
  let fixed = '';
  let prefix: string | undefined;
  let last = 0;
  for (const match of name.matchAll(VARIABLE)) {
    const literal = name.slice(last, match.index);
    prefix ??= (fixed + literal).toLowerCase();
    source += `${escapeRegExp(literal)}.+`;
    fixed += literal;
    last = match.index + match[0].length;
  }
  if (prefix === undefined) return undefined;
  const tail = name.slice(last);
  return {
    prefix,
    pattern: new RegExp(`^${source}${escapeRegExp(tail)}$`, 'is'),
    fixedLength: fixed.length + tail.length,
    info,
  };
}

interface Draft {
  name: string;
  types: Set<ConditionKeyType>;
  services: Set<string>;
  global: boolean;
  category?: string;
}

function buildIndex(): ConditionKeyIndex {
  const raw = loadRawCatalog();
  const drafts = new Map<string, Draft>();
  const draft = (name: string): Draft => {
    const lower = name.toLowerCase();
    let d = drafts.get(lower);
    if (!d) {
      d = { name, types: new Set(), services: new Set(), global: false };
      drafts.set(lower, d);
    }
    return d;
  };
  // Globals first, so their spelling wins when a service page writes a key differently.
  for (const [name, type, category] of raw.globalConditionKeys) {
    const d = draft(name);
    d.global = true;
    d.category = category;
    d.types.add(type as ConditionKeyType);
  }
  for (const [service, , , , conditionKeys] of raw.services) {
    for (const [name, type] of conditionKeys) {
      const d = draft(name);
      d.types.add(type as ConditionKeyType);
      d.services.add(service);
    }
  }

  const exact = new Map<string, ConditionKeyInfo>();
  const templates: Template[] = [];
  const globals: ConditionKeyInfo[] = [];
  for (const [lower, d] of drafts) {
    const info: ConditionKeyInfo = {
      name: d.name,
      types: Object.freeze([...d.types].sort()),
      global: d.global,
      ...(d.category === undefined ? {} : { category: d.category }),
      services: Object.freeze([...d.services].sort()),
      templated: false,
    };
    const template = toTemplate(info);
    const final = template ? { ...info, templated: true } : info;
    if (template) templates.push({ ...template, info: final });
    exact.set(lower, final);
    if (final.global) globals.push(final);
  }
  templates.sort((a, b) => b.fixedLength - a.fixedLength || (a.info.name < b.info.name ? -1 : 1));
  globals.sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  return { exact, templates, globals };
}

let index: ConditionKeyIndex | undefined;
function conditionKeyIndex(): ConditionKeyIndex {
  return (index ??= buildIndex());
}

/**
 * The documented condition key `name` refers to, case-insensitively: an exact key
 * (`aws:SourceIp`), or the most specific template it instantiates (`aws:ResourceTag/team` →
 * `aws:ResourceTag/${TagKey}`, `s3:ExistingObjectTag/env` → `s3:ExistingObjectTag/<key>`).
 */
export function getConditionKey(name: string): ConditionKeyInfo | undefined {
  const { exact, templates } = conditionKeyIndex();
  const lower = name.toLowerCase();
  const hit = exact.get(lower);
  if (hit) return hit;
  for (const t of templates) {
    if (lower.startsWith(t.prefix) && t.pattern.test(name)) return t.info;
  }
  return undefined;
}

/** True for AWS's global condition context keys (`aws:CurrentTime`, `aws:PrincipalTag/dept`...). */
export function isGlobalConditionKey(name: string): boolean {
  return getConditionKey(name)?.global === true;
}

/** The global condition keys, sorted by name. */
export function listGlobalConditionKeys(): readonly ConditionKeyInfo[] {
  return conditionKeyIndex().globals;
}
