/**
 * Observed authorization usage as the analysis reads it (the shape the data planes record, in
 * src/core/model/usage.ts): parsing it from JSON with warnings, and filtering it by time.
 */
import { getAction } from '../../core/catalog/index.js';
import type { UsageRecord, UsageStatementRef } from '../../core/model/usage.js';

export type { UsageRecord, UsageStatementRef } from '../../core/model/usage.js';

export interface UsageWarning {
  /** JSON path of the record in its source, e.g. `$[3]`. */
  path: string;
  message: string;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isTime(v: unknown): v is string {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v));
}

/** `s3:getobject` → `s3:GetObject`: the catalog's spelling when it knows the action. */
export function canonicalAction(action: string): string {
  return getAction(action)?.action ?? action;
}

/**
 * Reads usage records from parsed JSON: an array of records, or `{usage: [...]}` / `{entries: [...]}`
 * as an API answer may wrap it. Never throws: records it cannot read become warnings.
 */
export function parseUsageRecords(json: unknown, source = '$'): { records: UsageRecord[]; warnings: UsageWarning[] } {
  const records: UsageRecord[] = [];
  const warnings: UsageWarning[] = [];
  let list: unknown = json;
  let base = source;
  if (isObj(json)) {
    const key = ['usage', 'entries', 'records'].find((k) => Array.isArray(json[k]));
    if (key) {
      list = json[key];
      base = `${source}.${key}`;
    }
  }
  if (!Array.isArray(list)) {
    warnings.push({ path: source, message: 'expected an array of usage records' });
    return { records, warnings };
  }
  list.forEach((item, i) => {
    const path = `${base}[${i}]`;
    if (!isObj(item)) return void warnings.push({ path, message: 'not an object' });
    const { principal, action, resource } = item;
    if (typeof principal !== 'string' || typeof action !== 'string' || typeof resource !== 'string') {
      return void warnings.push({ path, message: 'principal, action and resource must be strings' });
    }
    const lastSeen = isTime(item.lastSeen) ? new Date(item.lastSeen).toISOString() : undefined;
    if (!lastSeen) return void warnings.push({ path, message: 'lastSeen must be an ISO time' });
    const firstSeen = isTime(item.firstSeen) ? new Date(item.firstSeen).toISOString() : lastSeen;
    const count = typeof item.count === 'number' && Number.isFinite(item.count) && item.count > 0 ? Math.floor(item.count) : 1;
    const allowedBy: UsageStatementRef[] = [];
    if (Array.isArray(item.allowedBy)) {
      for (const s of item.allowedBy) {
        if (!isObj(s) || typeof s.policyId !== 'string' || typeof s.statementIndex !== 'number') continue;
        const ref: UsageStatementRef = { policyId: s.policyId, statementIndex: s.statementIndex };
        if (typeof s.policyVersion === 'string') ref.policyVersion = s.policyVersion;
        if (typeof s.sid === 'string') ref.sid = s.sid;
        allowedBy.push(ref);
      }
    }
    records.push({ principal, action, resource, count, firstSeen, lastSeen, allowedBy });
  });
  return { records, warnings };
}

/** The records last seen at or after `since` (all of them without `since`). */
export function usageSince(records: readonly UsageRecord[], since: Date | undefined): UsageRecord[] {
  if (!since) return [...records];
  const t = since.getTime();
  return records.filter((r) => Date.parse(r.lastSeen) >= t);
}
