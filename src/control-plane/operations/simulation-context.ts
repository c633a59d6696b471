/** ContextEntries of the simulation APIs as request context, with AWS's checks and wording. */
import { awsError } from '../../core/errors/index.js';
import type { ContextValue } from '../../core/policy/index.js';
import { parseDate } from '../../core/policy/dates.js';
import { parseCidr, parseIp } from '../../core/policy/ip.js';
import { parseIamArn } from '../iam-arns.js';

export interface ContextEntryInput {
  contextKeyName?: string;
  contextKeyValues?: string[];
  contextKeyType?: string;
}

const SINGLE_TYPES = new Set(['string', 'numeric', 'boolean', 'ip', 'binary', 'date']);
const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Checks one value of a typed context entry; returns what AWS says it expected, or undefined. */
function badValue(base: string, value: string): string | undefined {
  switch (base) {
    case 'numeric':
      return NUMERIC.test(value.trim()) ? undefined : 'numeric format';
    case 'date':
      return parseDate(value) === undefined ? 'DateTime format' : undefined;
    case 'ip':
      return parseIp(value) || parseCidr(value) ? undefined : 'IP address';
    case 'binary':
      return BASE64.test(value) ? undefined : 'base-64 encoded binary format';
    default:
      // AWS-COMPAT: boolean entries accept any text ("yes" and "TRUE" were both accepted).
      return undefined;
  }
}

export interface RequestContext {
  values: Record<string, ContextValue>;
  /** Lower-cased names of the keys the caller supplied (MissingContextValues ignores defaults). */
  supplied: Set<string>;
}

/**
 * ContextEntries as request context. Single-valued types take exactly one value; list types any
 * number, evaluated as a multivalued key. AWS's messages, as recorded.
 */
export function contextFromEntries(entries: ContextEntryInput[] | undefined): RequestContext {
  const values: Record<string, ContextValue> = {};
  const supplied = new Set<string>();
  for (const entry of entries ?? []) {
    const name = entry.contextKeyName;
    if (!name) continue;
    const lower = name.toLowerCase();
    if (supplied.has(lower)) throw awsError('InvalidInput', `Duplicate context key: ${name}.`);
    supplied.add(lower);
    const list = entry.contextKeyValues ?? [];
    const type = entry.contextKeyType ?? (list.length === 1 ? 'string' : 'stringList');
    const base = type.endsWith('List') ? type.slice(0, -4) : type;
    if (SINGLE_TYPES.has(type) && list.length !== 1) throw awsError('InvalidInput', `Context key ${type} expected a single value, but received ${list.length}.`);
    for (const v of list) {
      const expected = badValue(base, v);
      if (expected) throw awsError('InvalidInput', `Invalid context value for key ${name}: expected ${expected}.`);
    }
    values[name] = SINGLE_TYPES.has(type) ? list[0] : [...list];
  }
  return { values, supplied };
}

/**
 * The keys AWS fills in from the simulated caller unless ContextEntries supply them: recorded for
 * aws:PrincipalArn, aws:PrincipalAccount and (for users) aws:username; not aws:userid.
 */
export function withCallerDefaults(context: RequestContext, caller: string | undefined, account: string): Record<string, ContextValue> {
  const defaults: Record<string, string> = {};
  const parsed = caller ? parseIamArn(caller) : undefined;
  if (caller && parsed) {
    defaults['aws:PrincipalArn'] = caller;
    defaults['aws:PrincipalAccount'] = parsed.account;
    if (parsed.type === 'user') defaults['aws:username'] = parsed.name;
  } else defaults['aws:PrincipalAccount'] = account;
  const out: Record<string, ContextValue> = {};
  for (const [k, v] of Object.entries(defaults)) if (!context.supplied.has(k.toLowerCase())) out[k] = v;
  return { ...out, ...context.values };
}
