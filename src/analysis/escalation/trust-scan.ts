/**
 * Who a role's trust policy could admit, read from its Allow statements before any evaluation:
 * named principals, the account (delegating to identity policies), anyone, and service
 * principals. A superset: the engine decides each candidate with conditions and denies.
 */
import type { AccountRole } from '../account/index.js';
import { compileGlob } from '../../core/policy/glob.js';

export interface TrustScan {
  /** `Principal: "*"`, `{"AWS": "*"}` or NotPrincipal: any principal may be admitted. */
  anyone: boolean;
  /** Accounts named (12 digits or `:root`): their principals need an identity Allow too. */
  accounts: Set<string>;
  /** User ARNs and role keys (`account/RoleName`) named. */
  principals: Set<string>;
  /** Service principals named (`lambda.amazonaws.com`). */
  services: Set<string>;
}

const ASSUME = ['sts:assumerole'];

function asList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** `account/RoleName` for a role or one of its sessions, as the engine keys roles. */
export function roleKey(arn: string): string | undefined {
  const m = /^arn:[^:]+:(?:iam|sts)::(\d{12}):(?:role\/(?:.*\/)?([^/]+)|assumed-role\/([^/]+)\/.*)$/.exec(arn);
  if (!m) return undefined;
  return `${m[1]}/${m[2] ?? m[3]}`;
}

export function scanTrust(role: AccountRole): TrustScan {
  const scan: TrustScan = { anyone: false, accounts: new Set(), principals: new Set(), services: new Set() };
  const doc = role.trustPolicy as { Statement?: unknown } | null;
  if (typeof doc !== 'object' || doc === null) return scan;
  const raw = doc.Statement;
  const statements = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as Record<string, unknown>[];
  for (const s of statements) {
    if (typeof s !== 'object' || s === null || s.Effect !== 'Allow') continue;
    const actions = s.Action !== undefined ? asList(s.Action) : undefined;
    if (actions && !actions.some((a) => ASSUME.some((x) => compileGlob(a.toLowerCase())(x)))) continue;
    if (s.NotPrincipal !== undefined || s.Principal === '*') {
      scan.anyone = true;
      continue;
    }
    const p = s.Principal as Record<string, unknown> | undefined;
    if (typeof p !== 'object' || p === null) continue;
    for (const v of asList(p.Service)) scan.services.add(v.toLowerCase());
    for (const v of asList(p.AWS)) {
      if (v === '*') scan.anyone = true;
      else if (/^\d{12}$/.test(v)) scan.accounts.add(v);
      else {
        const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(v);
        if (root) scan.accounts.add(root[1]);
        else scan.principals.add(roleKey(v) ?? v);
      }
    }
  }
  return scan;
}
