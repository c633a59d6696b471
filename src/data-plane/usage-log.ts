/**
 * The data plane's record of authorization usage on disk (SQLite, `usage.db` in the data folder):
 * the recorder's aggregates merged in periodically, read back by the least-privilege tooling.
 *
 * `usage` has one row per principal, action, resource and allowing statement (how many allowed
 * requests that statement took part in); `usage_totals` the request count per principal, action
 * and resource (a request allowed by two statements counts once there).
 */
import Database from 'better-sqlite3';
import type { UsageRecord, UsageStatementRef } from '../core/model/usage.js';

export interface UsageQuery {
  /** One principal's ARN. */
  principal?: string;
  /** Only what was last seen at or after this time. */
  since?: Date | string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS usage (
  principal TEXT NOT NULL,
  action TEXT NOT NULL,
  resource TEXT NOT NULL,
  policy_id TEXT NOT NULL,
  policy_version TEXT NOT NULL DEFAULT '',
  statement_index INTEGER NOT NULL,
  sid TEXT,
  count INTEGER NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  PRIMARY KEY (principal, action, resource, policy_id, policy_version, statement_index)
);
CREATE TABLE IF NOT EXISTS usage_totals (
  principal TEXT NOT NULL,
  action TEXT NOT NULL,
  resource TEXT NOT NULL,
  count INTEGER NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  PRIMARY KEY (principal, action, resource)
);
CREATE INDEX IF NOT EXISTS usage_totals_last_seen ON usage_totals (last_seen);
`;

interface TotalRow {
  principal: string;
  action: string;
  resource: string;
  count: number;
  first_seen: string;
  last_seen: string;
}

interface StatementRow {
  principal: string;
  action: string;
  resource: string;
  policy_id: string;
  policy_version: string;
  statement_index: number;
  sid: string | null;
}

export class UsageLog {
  private constructor(private readonly db: Database.Database) {}

  static open(path: string): UsageLog {
    const db = new Database(path, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    // Usage is a statistic: losing the last merge in a power cut is acceptable.
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    return new UsageLog(db);
  }

  /** Adds the entries' counts to what is stored (times widen to cover both). */
  merge(entries: readonly UsageRecord[]): void {
    if (entries.length === 0) return;
    const total = this.db.prepare(
      `INSERT INTO usage_totals (principal, action, resource, count, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (principal, action, resource) DO UPDATE SET count = count + excluded.count,
         first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
    );
    const statement = this.db.prepare(
      `INSERT INTO usage (principal, action, resource, policy_id, policy_version, statement_index, sid, count, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (principal, action, resource, policy_id, policy_version, statement_index) DO UPDATE SET count = count + excluded.count,
         sid = excluded.sid, first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
    );
    this.db.transaction(() => {
      for (const e of entries) {
        total.run(e.principal, e.action, e.resource, e.count, e.firstSeen, e.lastSeen);
        for (const s of e.allowedBy) {
          statement.run(e.principal, e.action, e.resource, s.policyId, s.policyVersion ?? '', s.statementIndex, s.sid ?? null, e.count, e.firstSeen, e.lastSeen);
        }
      }
    })();
  }

  /** The stored usage, by principal, action and resource, with every statement that allowed it. */
  query(filter: UsageQuery = {}): UsageRecord[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.principal !== undefined) {
      where.push('principal = ?');
      params.push(filter.principal);
    }
    if (filter.since !== undefined) {
      where.push('last_seen >= ?');
      params.push(typeof filter.since === 'string' ? filter.since : filter.since.toISOString());
    }
    const clause = where.length ? `WHERE ${where.map((w) => `t.${w}`).join(' AND ')}` : '';
    const totals = this.db.prepare(`SELECT * FROM usage_totals t ${clause} ORDER BY principal, action, resource`).all(...params) as TotalRow[];
    const statements = this.db
      .prepare(
        `SELECT u.principal, u.action, u.resource, u.policy_id, u.policy_version, u.statement_index, u.sid FROM usage u
         JOIN usage_totals t ON t.principal = u.principal AND t.action = u.action AND t.resource = u.resource ${clause}
         ORDER BY u.policy_id, u.policy_version, u.statement_index`,
      )
      .all(...params) as StatementRow[];
    const byKey = new Map<string, UsageRecord>();
    const out: UsageRecord[] = [];
    for (const t of totals) {
      const entry: UsageRecord = { principal: t.principal, action: t.action, resource: t.resource, count: t.count, firstSeen: t.first_seen, lastSeen: t.last_seen, allowedBy: [] };
      byKey.set(`${t.principal}\n${t.action}\n${t.resource}`, entry);
      out.push(entry);
    }
    for (const s of statements) {
      const entry = byKey.get(`${s.principal}\n${s.action}\n${s.resource}`);
      if (!entry) continue;
      const statement: UsageStatementRef = { policyId: s.policy_id, statementIndex: s.statement_index };
      if (s.policy_version !== '') statement.policyVersion = s.policy_version;
      if (s.sid !== null) statement.sid = s.sid;
      entry.allowedBy.push(statement);
    }
    return out;
  }

  close(): void {
    this.db.close();
  }
}
