/** Fixtures of the usage and tightening tests: the app account, its recorded usage, and small accounts built in code. */
import { readFileSync } from 'node:fs';
import { AccountIndex, importAuthorizationDetails, type AccountModel, type AccountRole, type AccountUser, type ManagedPolicy } from '../../../src/analysis/account/index.js';
import { parseUsageRecords, type UsageRecord } from '../../../src/analysis/usage/index.js';

export const ACCOUNT = '111122223333';
export const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/service/app`;
export const APP_POLICY = `arn:aws:iam::${ACCOUNT}:policy/AppPolicy`;
export const NOW = new Date('2026-06-01T00:00:00Z');
/** 30 days before NOW. */
export const SINCE_30D = new Date('2026-05-02T00:00:00Z');
/** 90 days before NOW. */
export const SINCE_90D = new Date('2026-03-03T00:00:00Z');

export const fixturePath = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;

/** The app account: a role with a managed policy shared with an unused role, an inline policy, a boundary; users in a group. */
export function appAccount(): AccountIndex {
  const { model, warnings } = importAuthorizationDetails(JSON.parse(readFileSync(fixturePath('app-account.json'), 'utf8')));
  if (warnings.length) throw new Error(JSON.stringify(warnings));
  return new AccountIndex(model);
}

export function appUsage(): UsageRecord[] {
  return parseUsageRecords(JSON.parse(readFileSync(fixturePath('app-usage.json'), 'utf8'))).records;
}

export const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

/** An account of one user (or role) with inline and managed policies given as documents. */
export function smallAccount(options: { kind?: 'user' | 'role'; inline?: Record<string, unknown>; managed?: Record<string, unknown>; boundary?: unknown }): AccountIndex {
  const kind = options.kind ?? 'user';
  const arn = `arn:aws:iam::${ACCOUNT}:${kind}/p`;
  const policies = new Map<string, ManagedPolicy>();
  const managed = (name: string, document: unknown): string => {
    const policyArn = `arn:aws:iam::${ACCOUNT}:policy/${name}`;
    policies.set(policyArn, { arn: policyArn, name, path: '/', awsManaged: false, defaultVersionId: 'v1', versions: [{ versionId: 'v1', isDefault: true, document }], defaultDocument: document });
    return policyArn;
  };
  const attached = Object.entries(options.managed ?? {}).map(([name, d]) => managed(name, d));
  const boundary = options.boundary !== undefined ? managed('boundary', options.boundary) : undefined;
  const inlinePolicies = Object.entries(options.inline ?? {}).map(([name, document]) => ({ name, document }));
  const base = { arn, name: 'p', id: 'AIDAP0000000000000001', path: '/', inlinePolicies, attachedPolicies: attached, tags: [], permissionsBoundary: boundary };
  const model: AccountModel = {
    accountId: ACCOUNT,
    partition: 'aws',
    users: kind === 'user' ? [{ ...base, kind: 'user', groups: [] } as AccountUser] : [],
    groups: [],
    roles: kind === 'role' ? [{ ...base, kind: 'role', trustPolicy: doc(), instanceProfiles: [] } as AccountRole] : [],
    policies,
  };
  return new AccountIndex(model);
}

/** A usage record last seen 2026-05-20 (within 30 days of NOW). */
export function used(principal: string, action: string, resource: string, allowedBy: UsageRecord['allowedBy'] = [], count = 1): UsageRecord {
  return { principal, action, resource, count, firstSeen: '2026-05-20T00:00:00.000Z', lastSeen: '2026-05-20T00:00:00.000Z', allowedBy };
}
