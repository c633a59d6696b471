/**
 * Argument checks every driver runs before touching its storage, so that drivers fail the same
 * way on the same bad input (the shared suite holds them to it). These are programming errors,
 * hence plain TypeError/RangeError rather than registry errors.
 */
import type { ListOptions } from './ports.js';

// With the `u` flag a paired surrogate is one code point above U+FFFF, so this matches only
// unpaired ones: SQLite would store them as U+FFFD and two different ids could collide.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function checkText(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`store: ${what} must be a string`);
  if (LONE_SURROGATE.test(value)) throw new TypeError(`store: ${what} must be well-formed Unicode (it has an unpaired surrogate)`);
}

export function checkKind(kind: unknown): void {
  checkText('kind', kind);
  if (kind === '') throw new TypeError('store: kind must not be empty');
}

/** A record's kind and id: non-empty, well-formed strings. */
export function checkKey(kind: unknown, id: unknown): void {
  checkKind(kind);
  checkText('id', id);
  if (id === '') throw new TypeError('store: id must not be empty');
}

/** An account may be empty (records that belong to no account), but it is always a string. */
export function checkAccount(account: unknown): void {
  checkText('account', account);
}

/** The stored form of a record's data; refuses what JSON cannot carry rather than store `null`. */
export function encodeData(data: unknown): string {
  const text = JSON.stringify(data);
  if (text === undefined) throw new TypeError('store: data must be JSON-serializable (got undefined, a function or a symbol)');
  return text;
}

export function checkListOptions(options: ListOptions | undefined): void {
  if (options === undefined) return;
  if (options.account !== undefined) checkText('list account', options.account);
  if (options.prefix !== undefined) checkText('list prefix', options.prefix);
  if (options.after !== undefined) checkText('list after', options.after);
  if (options.limit !== undefined && !(Number.isSafeInteger(options.limit) && options.limit >= 1)) {
    throw new RangeError(`store: list limit must be a positive integer (got ${String(options.limit)})`);
  }
}

export function checkChangesArgs(after: number, limit: number): void {
  if (!(Number.isSafeInteger(after) && after >= 0)) throw new RangeError(`store: changesSince after must be a non-negative integer (got ${String(after)})`);
  if (!(Number.isSafeInteger(limit) && limit >= 1)) throw new RangeError(`store: changesSince limit must be a positive integer (got ${String(limit)})`);
}
