import { parseIp } from './ip.js';
import { parseDate } from './dates.js';
import { parsePrincipal, type PrincipalInfo } from './principal.js';
import type { AuthzRequest, ContextValue } from './request.js';

/**
 * One request as the evaluator sees it: the action lower-cased once, the principal parsed once,
 * and the context looked up case-insensitively (the lower-cased index is built on first use).
 */
export class RequestScope {
  readonly lowerAction: string;
  readonly resource: string;
  readonly principal: PrincipalInfo;
  /** Set by the evaluator: the principal has a permissions boundary (see the NotPrincipal quirk). */
  hasBoundary = false;
  private readonly context: Readonly<Record<string, ContextValue>>;
  private index: Map<string, ContextValue> | undefined;
  private ips: Map<string, Uint32Array | undefined> | undefined;

  constructor(readonly request: AuthzRequest) {
    this.lowerAction = request.action.toLowerCase();
    this.resource = request.resource;
    this.principal = parsePrincipal(request.principal);
    this.context = request.context ?? {};
  }

  /** The value of a context key, by its lower-cased name. */
  get(lowerKey: string): ContextValue | undefined {
    let index = this.index;
    if (!index) {
      index = new Map();
      for (const k in this.context) {
        if (Object.hasOwn(this.context, k)) index.set(k.toLowerCase(), this.context[k]);
      }
      this.index = index;
    }
    return index.get(lowerKey);
  }

  /** A single-valued key as a policy variable (multivalued keys cannot be variables). */
  readonly variable = (lowerKey: string): string | undefined => {
    const v = this.get(lowerKey);
    if (v === undefined || typeof v === 'string') return v;
    return v.length === 1 ? v[0] : undefined;
  };

  ip(text: string): Uint32Array | undefined {
    const cache = (this.ips ??= new Map());
    if (cache.has(text)) return cache.get(text);
    const parsed = parseIp(text)?.words;
    cache.set(text, parsed);
    return parsed;
  }

  date(text: string): number | undefined {
    return parseDate(text);
  }
}
