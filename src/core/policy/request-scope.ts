import { parseIp } from './ip.js';
import { parseDate } from './dates.js';
import { parsePrincipal, type PrincipalInfo } from './principal.js';
import type { AuthzRequest, ContextValue } from './request.js';

const EMPTY_CONTEXT: Readonly<Record<string, ContextValue>> = Object.freeze({});

/**
 * One request as the evaluator sees it: the action lower-cased once, the principal parsed once,
 * and context keys looked up case-insensitively without building an index (a request has a
 * dozen keys; most lookups hit the exact spelling first).
 */
export class RequestScope {
  readonly lowerAction: string;
  readonly resource: string;
  readonly principal: PrincipalInfo;
  /** Set by the evaluator: the principal has a permissions boundary (see the NotPrincipal quirk). */
  hasBoundary = false;
  private readonly context: Readonly<Record<string, ContextValue>>;
  private keys: string[] | undefined;
  private lastIpText: string | undefined;
  private lastIp: Uint32Array | undefined;

  constructor(readonly request: AuthzRequest) {
    this.lowerAction = request.action.toLowerCase();
    this.resource = request.resource;
    this.principal = parsePrincipal(request.principal);
    this.context = request.context ?? EMPTY_CONTEXT;
  }

  /** The value of a context key: `key` as written in the policy, `lowerKey` its lower-case form. */
  get(lowerKey: string, key: string = lowerKey): ContextValue | undefined {
    const ctx = this.context;
    if (Object.hasOwn(ctx, key)) return ctx[key];
    const keys = (this.keys ??= Object.keys(ctx));
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (k.length === lowerKey.length && k.toLowerCase() === lowerKey) return ctx[k];
    }
    return undefined;
  }

  /** A single-valued key as a policy variable (multivalued keys cannot be variables). */
  variable(lowerKey: string): string | undefined {
    const v = this.get(lowerKey);
    if (v === undefined || typeof v === 'string') return v;
    return v.length === 1 ? v[0] : undefined;
  }

  ip(text: string): Uint32Array | undefined {
    if (text !== this.lastIpText) {
      this.lastIpText = text;
      this.lastIp = parseIp(text)?.words;
    }
    return this.lastIp;
  }

  date(text: string): number | undefined {
    return parseDate(text);
  }
}
