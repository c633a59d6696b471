/**
 * The authorization usage a node holds, for `GET /v1/analysis/usage`: what its usage logs
 * (`usage.db`) have stored, plus what its regions' recorders hold in memory and have not merged
 * yet (they merge every few seconds), added together as the log would add them.
 */
import type { UsageLog, UsageQuery } from '../data-plane/usage-log.js';
import type { UsageRecord } from '../core/model/usage.js';
import type { UsageRecorder } from '../data-plane/usage-recorder.js';

function statementKey(s: UsageRecord['allowedBy'][number]): string {
  return `${s.policyId}\n${s.policyVersion ?? ''}\n${s.statementIndex}`;
}

/** Entries of several sources summed per principal, action and resource, in that order. */
export function mergeUsage(sources: Iterable<readonly UsageRecord[]>): UsageRecord[] {
  const byKey = new Map<string, UsageRecord>();
  for (const entries of sources) {
    for (const e of entries) {
      const key = `${e.principal}\n${e.action}\n${e.resource}`;
      const seen = byKey.get(key);
      if (!seen) {
        byKey.set(key, { ...e, allowedBy: e.allowedBy.map((s) => ({ ...s })) });
        continue;
      }
      seen.count += e.count;
      if (e.firstSeen < seen.firstSeen) seen.firstSeen = e.firstSeen;
      if (e.lastSeen > seen.lastSeen) seen.lastSeen = e.lastSeen;
      const have = new Set(seen.allowedBy.map(statementKey));
      for (const s of e.allowedBy) if (!have.has(statementKey(s))) seen.allowedBy.push({ ...s });
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...byKey.values()].sort((a, b) => cmp(a.principal, b.principal) || cmp(a.action, b.action) || cmp(a.resource, b.resource));
}

/** Reads usage from the node's logs (each opened once, however many regions share it) and recorders. */
export function nodeUsage(logs: readonly UsageLog[], recorders: () => readonly (UsageRecorder | undefined)[]): (query: UsageQuery) => UsageRecord[] {
  return (query) => {
    const since = query.since === undefined ? undefined : typeof query.since === 'string' ? query.since : query.since.toISOString();
    const pending = recorders().flatMap((r) => r?.entries() ?? []).filter((e) => (query.principal === undefined || e.principal === query.principal) && (since === undefined || e.lastSeen >= since));
    return mergeUsage([...[...new Set(logs)].map((log) => log.query(query)), pending]);
  };
}
