/**
 * The statements of a policy document as the review needs them: effect, the catalog actions the
 * Action/NotAction element covers (expanded once per distinct element, for every review), the
 * Resource entries, and whether a condition makes the statement worth asking the engine about.
 */
import { expandActionPatterns } from '../../core/catalog/index.js';
import type { ReviewStatement } from './review-types.js';

export interface ParsedStatement {
  ref: ReviewStatement;
  allow: boolean;
  /** Canonical catalog actions, shared between statements with the same element. */
  actions: ExpandedActions;
  /** Resource entries; `['*']` for a NotResource statement (it grants outside the listed ones). */
  resources: readonly string[];
  conditional: boolean;
  /** A resource entry holds a policy variable: it depends on the principal. */
  variables: boolean;
}

export interface ExpandedActions {
  key: string;
  list: readonly string[];
  /** The same actions by service prefix (as the catalog spells it). */
  byService: ReadonlyMap<string, readonly string[]>;
}

const expansions = new Map<string, ExpandedActions>();

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

/** The catalog actions an Action (or with `not`, NotAction) element covers; cached for the process. */
export function expandElement(patterns: readonly string[], not: boolean): ExpandedActions {
  const key = `${not ? '!' : ''}${patterns.map((p) => p.toLowerCase()).sort().join('\n')}`;
  let found = expansions.get(key);
  if (found) return found;
  const list = expandActionPatterns(patterns, { not });
  const byService = new Map<string, string[]>();
  for (const action of list) {
    const service = action.slice(0, action.indexOf(':'));
    let bucket = byService.get(service);
    if (!bucket) byService.set(service, (bucket = []));
    bucket.push(action);
  }
  found = { key, list, byService };
  expansions.set(key, found);
  return found;
}

/** The statements of a document; anything malformed is skipped (lint reports it; the engine grants nothing from it). */
export function parseStatements(document: unknown, policyId: string): ParsedStatement[] {
  if (!isObj(document)) return [];
  const raw = document.Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const out: ParsedStatement[] = [];
  list.forEach((s, statementIndex) => {
    if (!isObj(s) || (s.Effect !== 'Allow' && s.Effect !== 'Deny')) return;
    const action = strings(s.Action);
    const notAction = strings(s.NotAction);
    if (!action === !notAction) return;
    const resource = strings(s.Resource);
    const notResource = strings(s.NotResource);
    if (!resource === !notResource) return;
    const ref: ReviewStatement = { policyId, statementIndex };
    if (typeof s.Sid === 'string' && s.Sid) ref.sid = s.Sid;
    const resources = resource ?? ['*'];
    out.push({
      ref,
      allow: s.Effect === 'Allow',
      actions: expandElement((action ?? notAction) as string[], !action),
      resources,
      conditional: isObj(s.Condition) && Object.keys(s.Condition).length > 0,
      variables: resources.some((r) => r.includes('${')),
    });
  });
  return out;
}
