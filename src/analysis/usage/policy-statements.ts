/**
 * Reading policy documents without trusting them: the statements as a list, elements as string
 * lists, and policy variables resolved the way the engine resolves them in `Resource`.
 */
import type { ContextValue } from '../../core/policy/index.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The statements of a document (`Statement` may be one object); empty for anything else. */
export function statementsOf(doc: unknown): Obj[] {
  if (!isObj(doc)) return [];
  const raw = doc.Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter(isObj);
}

/** `$.Statement[i]`, or `$.Statement` when the document has a single statement object. */
export function statementPath(doc: unknown, index: number): string {
  return isObj(doc) && !Array.isArray(doc.Statement) ? '$.Statement' : `$.Statement[${index}]`;
}

/** An element as a list of strings; undefined when absent or not strings. */
export function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

const VARIABLE = /\$\{([^}]*)\}/g;
const WITH_DEFAULT = /^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$/;

/**
 * A `Resource` entry with its variables replaced by the context's values (`${*}` → `*`), or
 * undefined when a variable has no value: the engine then matches no resource with that entry.
 * Only under Version 2012-10-17; older documents have no variables.
 */
export function resolveVariables(pattern: string, context: Readonly<Record<string, ContextValue>>, variables = true): string | undefined {
  if (!variables || !pattern.includes('${')) return pattern;
  let missing = false;
  const lower = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  const out = pattern.replace(VARIABLE, (_, body: string) => {
    const b = body.trim();
    if (b === '*' || b === '?' || b === '$') return b;
    const d = WITH_DEFAULT.exec(b);
    const key = (d ? d[1] : b).toLowerCase();
    const v = lower.get(key);
    const value = typeof v === 'string' ? v : Array.isArray(v) && v.length === 1 ? (v[0] as string) : d?.[2];
    if (value === undefined) missing = true;
    return value ?? '';
  });
  return missing ? undefined : out;
}

/** Whether a document enables policy variables. */
export function hasVariables(doc: unknown): boolean {
  return isObj(doc) && doc.Version === '2012-10-17';
}
