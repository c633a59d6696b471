/**
 * Which statement allowed what: every Allow is counted in memory per principal, action and
 * resource, with the statements that granted it, for the least-privilege tooling (usage-log.ts
 * keeps it). The hot path is one Map lookup and a few assignments; distinct keys are bounded and
 * what does not fit is counted as dropped until the next drain.
 */
import type { UsageRecord, UsageStatementRef } from '../core/model/usage.js';

export interface UsageRecorderOptions {
  /** Distinct (principal, action, resource) keys held between drains (default 100,000). */
  maxKeys?: number;
}

interface Aggregate {
  principal: string;
  action: string;
  resource: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  allowedBy: UsageStatementRef[];
}

function sameStatement(a: UsageStatementRef, b: UsageStatementRef): boolean {
  return a.statementIndex === b.statementIndex && a.policyId === b.policyId && a.policyVersion === b.policyVersion;
}

function copyStatement(s: UsageStatementRef): UsageStatementRef {
  const out: UsageStatementRef = { policyId: s.policyId, statementIndex: s.statementIndex };
  if (s.policyVersion !== undefined) out.policyVersion = s.policyVersion;
  if (s.sid !== undefined) out.sid = s.sid;
  return out;
}

export class UsageRecorder {
  private readonly maxKeys: number;
  /** principal → action → resource: no key string to build on the hot path. */
  private readonly aggregates = new Map<string, Map<string, Map<string, Aggregate>>>();
  private count = 0;
  private droppedCount = 0;

  constructor(options: UsageRecorderOptions = {}) {
    this.maxKeys = Math.max(1, options.maxKeys ?? 100_000);
  }

  /** Counts one allowed request; `at` is ms since the epoch. */
  record(principal: string, action: string, resource: string, allowedBy: readonly UsageStatementRef[], at: number): void {
    let byAction = this.aggregates.get(principal);
    let byResource = byAction?.get(action);
    const entry = byResource?.get(resource);
    if (entry) {
      entry.count++;
      if (at > entry.lastSeen) entry.lastSeen = at;
      if (at < entry.firstSeen) entry.firstSeen = at;
      // Usually the same one or two statements: a short scan, no allocation.
      for (let i = 0; i < allowedBy.length; i++) {
        const s = allowedBy[i];
        let known = false;
        for (let j = 0; j < entry.allowedBy.length; j++) {
          if (sameStatement(entry.allowedBy[j], s)) {
            known = true;
            break;
          }
        }
        if (!known) entry.allowedBy.push(copyStatement(s));
      }
      return;
    }
    if (this.count >= this.maxKeys) {
      this.droppedCount++;
      return;
    }
    if (!byAction) this.aggregates.set(principal, (byAction = new Map()));
    if (!byResource) byAction.set(action, (byResource = new Map()));
    byResource.set(resource, { principal, action, resource, count: 1, firstSeen: at, lastSeen: at, allowedBy: allowedBy.map(copyStatement) });
    this.count++;
  }

  /** Allowed requests not recorded since the last drain because the key bound was reached. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Distinct (principal, action, resource) keys held. */
  get size(): number {
    return this.count;
  }

  /** What has been recorded since the last drain. */
  entries(): UsageRecord[] {
    const out: UsageRecord[] = [];
    for (const byAction of this.aggregates.values()) for (const byResource of byAction.values()) for (const a of byResource.values()) {
      out.push({
        principal: a.principal,
        action: a.action,
        resource: a.resource,
        count: a.count,
        firstSeen: new Date(a.firstSeen).toISOString(),
        lastSeen: new Date(a.lastSeen).toISOString(),
        allowedBy: a.allowedBy.map(copyStatement),
      });
    }
    return out;
  }

  /** The entries, and forgets them (and the dropped count). */
  drain(): UsageRecord[] {
    const out = this.entries();
    this.aggregates.clear();
    this.count = 0;
    this.droppedCount = 0;
    return out;
  }
}
