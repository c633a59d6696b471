/**
 * What the policy validator's checks share: the findings collector (which knows AWS's check
 * order and the error codes of the policy kind), the per-document context, and safe accessors
 * for untrusted JSON (own properties only, so keys such as `__proto__` stay plain data).
 */
import type { Finding, PolicyKind, Severity } from './types.js';
import { MSG, type KindCodes } from './validate-messages.js';
import { indexPath, keyPath } from './validate-text.js';

/** A finding with, where AWS's message is terse ("Syntax errors in policy."), what exactly is wrong. */
export interface PolicyFinding extends Finding {
  detail?: string;
}

// The order in which AWS checks a document; the first error found is the one it reports.
export const RANK = {
  charset: 0,
  syntax: 10,
  fields: 15,
  version: 20,
  legacy: 30,
  sid: 40,
  actions: 50,
  resources: 60,
  principal: 65,
  resourceFormat: 70,
  actionFormat: 80,
  size: 90,
} as const;

/** Collected before sorting; bounds memory and time on pathological documents. */
const COLLECT_CAP = 10000;

export interface Ranked extends PolicyFinding {
  rank: number;
  seq: number;
}

export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export class Collector {
  readonly items: Ranked[] = [];
  dropped = 0;
  constructor(
    readonly kind: PolicyKind,
    readonly codes: KindCodes,
  ) {}

  add(f: PolicyFinding, rank: number): void {
    if (this.items.length >= COLLECT_CAP) {
      this.dropped++;
      return;
    }
    this.items.push({ ...f, rank, seq: this.items.length });
  }

  /** A document error. SCPs get Organizations' single message; the specifics go to `detail`. */
  malformed(id: string, path: string, message: string, rank: number, detail?: string): void {
    if (this.kind === 'scp') {
      this.add({ id, severity: 'error', code: this.codes.malformed, path, message: MSG.scp, detail: detail ?? (message === MSG.syntax ? undefined : message) }, rank);
      return;
    }
    this.add({ id, severity: 'error', code: this.codes.malformed, path, message, detail }, rank);
  }

  warn(id: string, path: string, message: string): void {
    this.add({ id, severity: 'warning', code: this.codes.malformed, path, message }, 1000);
  }
}

export interface DocContext {
  out: Collector;
  kind: PolicyKind;
  /** Policy variables are recognised only in 2012-10-17 documents; in 2008-10-17 they are text. */
  variables: boolean;
  sids: Map<string, string>;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

export function has(obj: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function quote(s: string, max = 80): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

/** `Action`, `Resource`... as a list: a string, or a non-empty array of strings. */
export function stringList(ctx: DocContext, value: unknown, path: string, element: string): { items: string[]; paths: string[] } | undefined {
  if (typeof value === 'string') return { items: [value], paths: [path] };
  if (!Array.isArray(value)) {
    ctx.out.malformed('SYN-DATA-TYPE', path, MSG.syntax, RANK.syntax, `${element} must be a string or an array of strings, not ${describe(value)}.`);
    return undefined;
  }
  const items: string[] = [];
  const paths: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v === 'string') {
      items.push(v);
      paths.push(indexPath(path, i));
    } else {
      ctx.out.malformed('SYN-DATA-TYPE', indexPath(path, i), MSG.syntax, RANK.syntax, `Each ${element} entry must be a string, not ${describe(v)}.`);
    }
  }
  return { items, paths };
}

export interface ElementList {
  element: string;
  path: string;
  items: string[];
  paths: string[];
}

/**
 * An element and its negation (`Action`/`NotAction`, `Resource`/`NotResource`): exactly one must
 * be present, as a string or a non-empty array of strings. Returns the well-formed lists (for
 * the caller's per-entry checks); the shape problems are reported here.
 */
export function exclusiveLists(
  ctx: DocContext,
  stmt: Record<string, unknown>,
  path: string,
  [element, notElement]: readonly [string, string],
  needMessage: string,
  rank: number,
): ElementList[] {
  const hasPlain = has(stmt, element);
  const hasNot = has(stmt, notElement);
  if (hasPlain && hasNot) {
    ctx.out.malformed('SYN-ELEMENT-COMBINATION', keyPath(path, notElement), MSG.syntax, RANK.syntax, `A statement has ${element} or ${notElement}, not both.`);
  }
  if (!hasPlain && !hasNot) {
    ctx.out.malformed('SYN-MISSING-ELEMENT', path, needMessage, rank, `The statement has neither ${element} nor ${notElement}.`);
    return [];
  }
  const out: ElementList[] = [];
  for (const name of [element, notElement]) {
    if (!has(stmt, name)) continue;
    const p = keyPath(path, name);
    const list = stringList(ctx, own(stmt, name), p, name);
    if (!list) continue;
    if (list.items.length === 0) ctx.out.malformed('SYN-EMPTY', p, needMessage, rank, `${name} is an empty array.`);
    else out.push({ element: name, path: p, ...list });
  }
  return out;
}
