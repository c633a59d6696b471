/**
 * A data plane's local copy of its region's replica: a SQLite file with the state (region,
 * revision, time, windows) and the records, so a node restarted while cut off from the control
 * plane serves again from it. Each call is one transaction, so the file always holds one whole
 * revision. It holds derived material only (feed-types.ts), yet it is still what a region
 * authenticates with, so it is readable by its owner only.
 *
 * synchronous = NORMAL: a power cut may lose the last few batches, never consistency; the
 * control plane holds the truth and the follower fetches them again.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { FeedChanges, FeedWindows, ReplicaKind, ReplicaRecord } from './feed-types.js';
import type { ReplicaState } from './replica-sink.js';

/** "GHRP" in the header: tells our replica files from any other SQLite database. */
const APPLICATION_ID = 0x47485250;
const SCHEMA_VERSION = 1;

interface StoredState {
  region: string;
  revision: number;
  time: string;
  windows: FeedWindows;
}

export class ReplicaFileError extends Error {
  override name = 'ReplicaFileError';
}

export class ReplicaFile {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #getState: Database.Statement<[], { value: string }>;
  readonly #setState: Database.Statement<[string]>;
  readonly #put: Database.Statement<[string, string, string, string]>;
  readonly #delete: Database.Statement<[string, string]>;
  readonly #all: Database.Statement<[]>;
  readonly #clear: Database.Statement<[]>;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.#db = db;
    this.#getState = db.prepare("SELECT value FROM meta WHERE key = 'state'");
    this.#setState = db.prepare("INSERT INTO meta (key, value) VALUES ('state', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    this.#put = db.prepare('INSERT INTO records (kind, id, account, data) VALUES (?, ?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET account = excluded.account, data = excluded.data');
    this.#delete = db.prepare('DELETE FROM records WHERE kind = ? AND id = ?');
    this.#all = db.prepare('SELECT kind, id, account, data FROM records');
    this.#clear = db.prepare('DELETE FROM records');
  }

  /** Opens the file, creating it (owner-only) when missing. */
  static open(path: string): ReplicaFile {
    const file = resolve(path);
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // Created here with mode 0600 before SQLite sees it; SQLite gives its -wal and -shm files
      // the database file's permissions.
      closeSync(openSync(file, 'a', 0o600));
    }
    chmodSync(file, 0o600);
    let db: Database.Database | undefined;
    try {
      const conn = new Database(file);
      db = conn;
      const appId = conn.pragma('application_id', { simple: true }) as number;
      const version = conn.pragma('user_version', { simple: true }) as number;
      const tables = conn.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
      if (tables.n > 0 && appId !== APPLICATION_ID) throw new ReplicaFileError(`${file} is not a Gatehouse replica file`);
      if (version > SCHEMA_VERSION) throw new ReplicaFileError(`${file} was written by a newer Gatehouse (replica schema ${version})`);
      conn.pragma('journal_mode = WAL');
      conn.pragma('synchronous = NORMAL');
      if (version < SCHEMA_VERSION) {
        conn.transaction(() => {
          conn.exec(`
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE records (kind TEXT NOT NULL, id TEXT NOT NULL, account TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID;
          `);
          conn.pragma(`application_id = ${APPLICATION_ID}`);
          conn.pragma(`user_version = ${SCHEMA_VERSION}`);
        })();
      }
      return new ReplicaFile(file, conn);
    } catch (err) {
      db?.close();
      if (err instanceof ReplicaFileError) throw err;
      throw new ReplicaFileError(`cannot open the replica file ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The revision the file holds, or undefined when it holds no replica yet. */
  get revision(): number | undefined {
    return this.#state()?.revision;
  }

  /** The replica the file holds, or undefined when it has none yet. */
  load(): ReplicaState | undefined {
    return this.#db.transaction((): ReplicaState | undefined => {
      const state = this.#state();
      if (!state) return undefined;
      const records: ReplicaRecord[] = [];
      for (const row of this.#all.raw().iterate() as Iterable<[ReplicaKind, string, string, string]>) {
        records.push({ kind: row[0], id: row[1], account: row[2], data: JSON.parse(row[3]) as ReplicaRecord['data'] });
      }
      return { region: state.region, revision: state.revision, time: state.time, windows: state.windows, records };
    })();
  }

  /** Replaces everything with `state`. */
  saveSnapshot(state: ReplicaState): void {
    this.#db.transaction(() => {
      this.#clear.run();
      for (const r of state.records) this.#put.run(r.kind, r.id, r.account, JSON.stringify(r.data));
      this.#writeState({ region: state.region, revision: state.revision, time: state.time, windows: state.windows });
    })();
  }

  /** Applies one batch whole; throws (and changes nothing) unless it follows the file's revision. */
  applyChanges(batch: FeedChanges): void {
    this.#db.transaction(() => {
      const state = this.#state();
      if (!state) throw new ReplicaFileError('the replica file holds no snapshot to apply changes to');
      if (batch.region !== state.region) throw new ReplicaFileError(`changes for ${batch.region} cannot go into the replica of ${state.region}`);
      if (batch.after !== state.revision) throw new ReplicaFileError(`changes after revision ${batch.after} cannot go into a replica at revision ${state.revision}`);
      for (const c of batch.changes) {
        if (c.op === 'put' && c.data !== undefined) this.#put.run(c.kind, c.id, c.account, JSON.stringify(c.data));
        else this.#delete.run(c.kind, c.id);
      }
      this.#writeState({ region: state.region, revision: batch.revision, time: batch.time, windows: batch.windows });
    })();
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #state(): StoredState | undefined {
    const row = this.#getState.get();
    return row ? (JSON.parse(row.value) as StoredState) : undefined;
  }

  #writeState(state: StoredState): void {
    this.#setState.run(JSON.stringify(state));
  }
}
