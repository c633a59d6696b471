/**
 * A parsed policy document → its statements with every element as a list, so rules need not
 * handle the string-or-array forms. Entries of the wrong JSON type are dropped here: the
 * validator already reports them, and a rule should not see them twice.
 */
import type { NormalizedStatement } from './lint-types.js';
import { indexPath } from './statement-helpers.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === 'string');
}

function scalarList(value: unknown): string[] | undefined {
  const scalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  if (scalar(value)) return [String(value)];
  if (!Array.isArray(value)) return undefined;
  return value.filter(scalar).map(String);
}

function principal(value: unknown): '*' | Record<string, string[]> | undefined {
  if (value === '*') return '*';
  if (!isObject(value)) return undefined;
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const type of Object.keys(value)) {
    const list = stringList(value[type]);
    if (list) out[type] = list;
  }
  return out;
}

function condition(value: unknown): Record<string, Record<string, string[]>> | undefined {
  if (!isObject(value)) return undefined;
  const out: Record<string, Record<string, string[]>> = Object.create(null) as Record<string, Record<string, string[]>>;
  for (const operator of Object.keys(value)) {
    const block = value[operator];
    if (!isObject(block)) continue;
    const keys: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const key of Object.keys(block)) {
      const list = scalarList(block[key]);
      if (list) keys[key] = list;
    }
    out[operator] = keys;
  }
  return out;
}

function effectOf(value: unknown): 'Allow' | 'Deny' | undefined {
  if (typeof value !== 'string') return undefined;
  // A wrongly-cased Effect is an error the validator reports; the intent is still clear.
  const lower = value.toLowerCase();
  return lower === 'allow' ? 'Allow' : lower === 'deny' ? 'Deny' : undefined;
}

function normalizeOne(raw: unknown, index: number, path: string): NormalizedStatement | undefined {
  if (!isObject(raw)) return undefined;
  const effect = effectOf(own(raw, 'Effect'));
  // Without a readable Effect no rule can tell whether the statement grants or denies.
  if (!effect) return undefined;
  const stmt: NormalizedStatement = { index, path, effect, raw };
  const sid = own(raw, 'Sid');
  if (typeof sid === 'string') stmt.sid = sid;
  const lists = [
    ['Action', 'action'],
    ['NotAction', 'notAction'],
    ['Resource', 'resource'],
    ['NotResource', 'notResource'],
  ] as const;
  for (const [element, field] of lists) {
    const list = stringList(own(raw, element));
    if (list) stmt[field] = list;
  }
  const p = principal(own(raw, 'Principal'));
  if (p) stmt.principal = p;
  const np = principal(own(raw, 'NotPrincipal'));
  if (np) stmt.notPrincipal = np;
  const c = condition(own(raw, 'Condition'));
  if (c) stmt.condition = c;
  return stmt;
}

/** The statements of a parsed document; those without a readable Effect are left out. */
export function normalizeStatements(document: Record<string, unknown>): NormalizedStatement[] {
  const statement = own(document, 'Statement');
  const out: NormalizedStatement[] = [];
  if (Array.isArray(statement)) {
    for (let i = 0; i < statement.length; i++) {
      const s = normalizeOne(statement[i], i, indexPath('$.Statement', i));
      if (s) out.push(s);
    }
  } else {
    const s = normalizeOne(statement, 0, '$.Statement');
    if (s) out.push(s);
  }
  return out;
}
