/**
 * What went unused over a period, as IAM Access Analyzer's unused-access findings: roles nobody
 * used, access keys and passwords nobody signed in with, and granted permissions (per service,
 * with the unused actions) that the recorded usage never exercised.
 */
import { getService } from '../../core/catalog/index.js';
import type { AccountIndex, AccountPrincipal, AccountRole, AccountUser } from '../account/index.js';
import { progressReporter, type ProgressListener } from '../progress.js';
import { grantedActions, type GrantedAccess } from './granted-actions.js';
import { groupUsageByPrincipal } from './usage-principal.js';
import { canonicalAction, usageSince, type UsageRecord } from './usage-record.js';

export type UnusedFindingId = 'UNUSED-ROLE' | 'UNUSED-ACCESS-KEY' | 'UNUSED-PASSWORD' | 'UNUSED-PERMISSION';

export interface UnusedFinding {
  id: UnusedFindingId;
  /** `warning` for credentials and roles (remove them), `info` for permissions (tighten them). */
  severity: 'warning' | 'info';
  /** The user or role. */
  principal: string;
  principalKind: 'user' | 'role';
  /** What is unused: the role's ARN, the access key id, `password`, or the service namespace. */
  subject: string;
  message: string;
  /** Last use known (ISO), null when never used. */
  lastUsed: string | null;
  /** UNUSED-PERMISSION: the service's name and granted actions, and those not used. */
  serviceName?: string;
  grantedActionCount?: number;
  unusedActions?: string[];
}

export interface UnusedReport {
  since: string;
  now: string;
  findings: UnusedFinding[];
  summary: Record<UnusedFindingId, number>;
  /** Recorded callers that are not principals of the account. */
  unmatchedPrincipals: string[];
}

export interface UnusedInput {
  index: AccountIndex;
  usage: readonly UsageRecord[];
  since: Date;
  now: Date;
  /** Only these principals (ARNs); all users and roles when absent. */
  principals?: readonly string[];
  /** Skip UNUSED-PERMISSION (the costly part on large accounts). */
  skipPermissions?: boolean;
  onProgress?: ProgressListener;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

function latest(...times: (string | undefined | null)[]): string | null {
  let best: string | null = null;
  for (const t of times) {
    if (!t) continue;
    const iso = Number.isNaN(Date.parse(t)) ? undefined : new Date(t).toISOString();
    if (iso && (best === null || iso > best)) best = iso;
  }
  return best;
}

function before(time: string | undefined, since: Date): boolean {
  return time !== undefined && !Number.isNaN(Date.parse(time)) && Date.parse(time) < since.getTime();
}

/** Roles AWS services create and manage: users cannot delete them, so they are not reported. */
function isServiceLinked(role: AccountRole): boolean {
  return role.path.startsWith('/aws-service-role/');
}

/**
 * The policies that decide a principal's grants, as text: principals with the same text and no
 * principal-dependent policy (variables, `aws:Principal*` / `aws:username` conditions) have the
 * same granted actions, so large accounts pay once per distinct set.
 */
function grantKey(index: AccountIndex, p: AccountPrincipal): string {
  const parts: unknown[] = [p.kind, p.inlinePolicies, [...p.attachedPolicies].sort(), p.permissionsBoundary ?? null];
  if (p.kind === 'user') parts.push(index.groupsOf(p).map((g) => [g.inlinePolicies, g.attachedPolicies]));
  const docs = [...p.attachedPolicies, ...(p.kind === 'user' ? index.groupsOf(p).flatMap((g) => g.attachedPolicies) : []), ...(p.permissionsBoundary ? [p.permissionsBoundary] : [])];
  parts.push(docs.map((arn) => index.policy(arn)?.defaultVersionId ?? null));
  let key = JSON.stringify(parts);
  const texts = key + docs.map((arn) => JSON.stringify(index.policy(arn)?.defaultDocument ?? null)).join('');
  if (/\$\{|aws:(principal|user|username|userid)/i.test(texts)) key += `|${p.arn}`;
  return key;
}

/** Findings for everything unused between `since` and `now`. */
export function findUnused(input: UnusedInput): UnusedReport {
  const { index, since, now } = input;
  const sinceText = day(since.toISOString());
  const recent = usageSince(input.usage, since);
  const { byPrincipal, unmatched } = groupUsageByPrincipal(index, recent);
  const wanted = input.principals ? new Set(input.principals) : undefined;
  const principals = index.principals().filter((p) => !wanted || wanted.has(p.arn));
  const findings: UnusedFinding[] = [];
  const grantCache = new Map<string, Map<string, GrantedAccess>>();
  const progress = progressReporter(input.onProgress, 'unused', principals.length);
  const createdAfter = (created: string | undefined) => created !== undefined && !before(created, since);

  principals.forEach((p, i) => {
    progress(i);
    const own = byPrincipal.get(p.arn) ?? [];
    const lastRecorded = latest(...own.map((r) => r.lastSeen));
    if (p.kind === 'role') {
      const lastUsed = latest(lastRecorded, p.lastUsedDate);
      const unusedRole = !isServiceLinked(p) && !createdAfter(p.createDate) && (lastUsed === null || Date.parse(lastUsed) < since.getTime());
      if (unusedRole) {
        findings.push({
          id: 'UNUSED-ROLE',
          severity: 'warning',
          principal: p.arn,
          principalKind: 'role',
          subject: p.arn,
          lastUsed,
          message: lastUsed ? `role ${p.name} not used since ${sinceText}; last used ${day(lastUsed)}` : `role ${p.name} never used`,
        });
        return; // its permissions are all unused: the role is the finding
      }
    } else {
      userCredentials(p, since, sinceText, findings, createdAfter);
    }
    // A principal created within the period has not had the whole period to use its permissions.
    if (!input.skipPermissions && !createdAfter(p.createDate)) permissionFindings(index, p, own, sinceText, grantCache, findings);
  });
  progress(principals.length);

  const summary: Record<UnusedFindingId, number> = { 'UNUSED-ROLE': 0, 'UNUSED-ACCESS-KEY': 0, 'UNUSED-PASSWORD': 0, 'UNUSED-PERMISSION': 0 };
  for (const f of findings) summary[f.id]++;
  return { since: since.toISOString(), now: now.toISOString(), findings, summary, unmatchedPrincipals: unmatched };
}

function userCredentials(u: AccountUser, since: Date, sinceText: string, findings: UnusedFinding[], createdAfter: (t: string | undefined) => boolean): void {
  for (const key of u.accessKeys ?? []) {
    if (key.status !== 'Active') continue; // already disabled
    if (key.lastUsedDate ? !before(key.lastUsedDate, since) : createdAfter(key.createDate)) continue;
    const lastUsed = latest(key.lastUsedDate);
    findings.push({
      id: 'UNUSED-ACCESS-KEY',
      severity: 'warning',
      principal: u.arn,
      principalKind: 'user',
      subject: key.accessKeyId,
      lastUsed,
      message: lastUsed ? `access key ${key.accessKeyId} of ${u.name} not used since ${sinceText}; last used ${day(lastUsed)}` : `access key ${key.accessKeyId} of ${u.name} never used`,
    });
  }
  // Without a password nothing to report; unknown (no credential report) is not reported either.
  const hasPassword = u.hasPassword ?? (u.passwordLastUsed !== undefined ? true : undefined);
  if (!hasPassword) return;
  if (u.passwordLastUsed ? !before(u.passwordLastUsed, since) : createdAfter(u.createDate)) return;
  const lastUsed = latest(u.passwordLastUsed);
  findings.push({
    id: 'UNUSED-PASSWORD',
    severity: 'warning',
    principal: u.arn,
    principalKind: 'user',
    subject: 'password',
    lastUsed,
    message: lastUsed ? `console password of ${u.name} not used since ${sinceText}; last used ${day(lastUsed)}` : `console password of ${u.name} never used`,
  });
}

function permissionFindings(
  index: AccountIndex,
  p: AccountPrincipal,
  own: readonly UsageRecord[],
  sinceText: string,
  cache: Map<string, Map<string, GrantedAccess>>,
  findings: UnusedFinding[],
): void {
  const key = grantKey(index, p);
  let granted = cache.get(key);
  if (!granted) cache.set(key, (granted = grantedActions(index, p)));
  const used = new Set(own.map((r) => canonicalAction(r.action)));
  const byService = new Map<string, string[]>();
  for (const action of granted.keys()) {
    const ns = action.slice(0, action.indexOf(':')).toLowerCase();
    let list = byService.get(ns);
    if (!list) byService.set(ns, (list = []));
    list.push(action);
  }
  for (const ns of [...byService.keys()].sort()) {
    const actions = byService.get(ns) as string[];
    const unused = actions.filter((a) => !used.has(a)).sort();
    if (unused.length === 0) continue;
    const lastUsed = latest(...own.filter((r) => r.action.toLowerCase().startsWith(`${ns}:`)).map((r) => r.lastSeen));
    const serviceName = getService(ns)?.name ?? ns;
    const message =
      unused.length === actions.length
        ? `${serviceName} (${ns}) granted (${actions.length} action${actions.length === 1 ? '' : 's'}) but not used since ${sinceText}`
        : `${unused.length} of ${actions.length} granted ${ns} actions not used since ${sinceText}`;
    findings.push({
      id: 'UNUSED-PERMISSION',
      severity: 'info',
      principal: p.arn,
      principalKind: p.kind,
      subject: ns,
      lastUsed,
      message,
      serviceName,
      grantedActionCount: actions.length,
      unusedActions: unused,
    });
  }
}
