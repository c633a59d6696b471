/**
 * The SQLite driver (better-sqlite3): the default store of the control plane.
 *
 * Durability: WAL journal with `synchronous = FULL`, so a write resolves only after its commit
 * record is fsynced: it survives a killed process and a power cut. Every unit of work runs on
 * one connection through one queue. better-sqlite3 is synchronous but a unit may await between
 * its calls, so the queue is what keeps another unit from seeing, or committing, this unit's
 * half-done work. A write holds the SQLite write lock (BEGIN IMMEDIATE) from its first statement,
 * so its revision (last + 1) is known up front and stamped on the rows it writes; its change
 * rows and the new revision are written at the end of the unit, in the same transaction.
 *
 * Group commit: the fsync is what a write costs (hundreds of microseconds on a typical disk), so
 * write units that run in the same turn of the event loop share one SQLite transaction, each in
 * its own SAVEPOINT (a unit that throws rolls back only its own work), and one COMMIT, in a
 * setImmediate callback queued behind them, makes them durable together. No unit resolves before
 * that COMMIT has returned, and a unit of any other kind commits the open group before it reads,
 * so nothing is ever seen, or acknowledged, before it is durable.
 *
 * Statements run synchronously, so a commit's fsync blocks the event loop for its duration; the
 * control plane is the one writer and the data planes never read this store on a request path.
 */
import { closeSync, existsSync, fsyncSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { checkAccount, checkChangesArgs, checkKey, checkKind, checkListOptions, encodeData } from './check-input.js';
import { prefixUpperBound } from './id-order.js';
import { StoreClosedError, StoreOpenError, TransactionEndedError } from './ports.js';
import type { ChangeRecord, EntityRecord, ListOptions, ListPage, ReadTx, Store, WriteResult, WriteTx } from './ports.js';
import { SerialQueue } from './serial-queue.js';
import { applySqliteMigrations } from './sqlite-migrations.js';

export interface SqliteStoreOptions {
  /** The clock for change times. */
  now?: () => Date;
  /** How long a unit waits for another process's lock before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/** The connection settings that matter for safety, as SQLite reports them (for tests and diagnostics). */
export interface SqliteSettings {
  journalMode: string;
  /** 2 = FULL. */
  synchronous: number;
  busyTimeoutMs: number;
  foreignKeys: boolean;
  schemaVersion: number;
}

export interface SqliteStore extends Store {
  readonly file: string;
  settings(): Promise<SqliteSettings>;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export async function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  const path = resolve(file);
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const created = !existsSync(path);
  let db: Database.Database | undefined;
  try {
    refuseTinyFile(path);
    db = new Database(path, { timeout: busyTimeoutMs });
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    // The first statement that reads the file: a file that is not a database fails here.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new StoreOpenError(`cannot open ${path}: SQLite could not switch it to WAL mode (journal mode is ${String(mode)})`);
    db.pragma('synchronous = FULL');
    // macOS fsync() does not flush the drive's cache; F_FULLFSYNC does. A no-op elsewhere.
    db.pragma('fullfsync = ON');
    db.pragma('foreign_keys = ON');
    applySqliteMigrations(db, path);
    // SQLite fsyncs the directory when it creates the WAL, not when it creates the database
    // file itself: without this a power cut could lose a brand-new store's directory entry.
    if (created) syncDirectory(dirname(path));
  } catch (err) {
    try {
      db?.close();
    } catch {
      // The open error is the one worth reporting.
    }
    if (err instanceof StoreOpenError) throw err;
    throw new StoreOpenError(describeOpenError(path, err), { cause: err });
  }
  return new SqliteStoreImpl(db, path, options.now ?? (() => new Date()));
}

/**
 * SQLite treats some files shorter than its 100-byte header (one byte, for instance) as an empty
 * database and would overwrite them with a new store. No real database is that short.
 */
function refuseTinyFile(path: string): void {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats?.isFile() && stats.size > 0 && stats.size < SQLITE_HEADER_BYTES) {
    throw new StoreOpenError(`cannot open ${path}: it is not a SQLite database (only ${stats.size} bytes)`);
  }
}

const SQLITE_HEADER_BYTES = 100;

function describeOpenError(path: string, err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_NOTADB') return `cannot open ${path}: it is not a SQLite database (or it is encrypted)`;
  if (code === 'SQLITE_CORRUPT') return `cannot open ${path}: the database is damaged (${message})`;
  if (code === 'SQLITE_CANTOPEN') return `cannot open ${path}: SQLite cannot open the file (missing folder, a directory, or no permission)`;
  if (code === 'SQLITE_BUSY') return `cannot open ${path}: another process holds its lock (${message})`;
  return `cannot open ${path}: ${message}`;
}

function syncDirectory(dir: string): void {
  // Windows cannot open a directory for fsync, and NTFS journals directory entries anyway.
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

interface EntityRow {
  id: string;
  account: string;
  data: string;
  revision: number;
}

interface ChangeRow {
  revision: number;
  seq: number;
  kind: string;
  id: string;
  account: string;
  op: 'put' | 'delete';
  data: string | null;
  time: string;
}

interface PendingChange {
  kind: string;
  id: string;
  account: string;
  op: 'put' | 'delete';
  data: string | null;
}

/** Every statement the driver runs, prepared once per connection. */
class Statements {
  readonly db: Database.Database;
  readonly begin;
  readonly beginImmediate;
  readonly commit;
  readonly rollback;
  readonly savepoint;
  readonly rollbackToSavepoint;
  readonly releaseSavepoint;
  readonly readRevision;
  readonly writeRevision;
  readonly get;
  readonly put;
  readonly insert;
  readonly delete;
  readonly appendChange;
  readonly changesAfter;
  readonly changesAt;
  /** list/count statements by shape (which filters are present); at most 16 + 8 of them. */
  readonly #shaped = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.db = db;
    this.begin = db.prepare('BEGIN');
    this.beginImmediate = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.savepoint = db.prepare('SAVEPOINT unit');
    this.rollbackToSavepoint = db.prepare('ROLLBACK TO unit');
    this.releaseSavepoint = db.prepare('RELEASE unit');
    this.readRevision = db.prepare<[], number>("SELECT value FROM meta WHERE key = 'revision'").pluck();
    this.writeRevision = db.prepare<[number]>("UPDATE meta SET value = ? WHERE key = 'revision'");
    this.get = db.prepare<[string, string], Omit<EntityRow, 'id'>>('SELECT account, data, revision FROM entities WHERE kind = ? AND id = ?');
    this.put = db.prepare<[string, string, string, string, number]>(
      'INSERT INTO entities (kind, id, account, data, revision) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (kind, id) DO UPDATE SET account = excluded.account, data = excluded.data, revision = excluded.revision',
    );
    this.insert = db.prepare<[string, string, string, string, number]>(
      'INSERT INTO entities (kind, id, account, data, revision) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, id) DO NOTHING',
    );
    this.delete = db.prepare<[string, string], { account: string }>('DELETE FROM entities WHERE kind = ? AND id = ? RETURNING account');
    this.appendChange = db.prepare<[number, number, string, string, string, string, string | null, string]>(
      'INSERT INTO changes (revision, seq, kind, id, account, op, data, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.changesAfter = db.prepare<[number, number], ChangeRow>('SELECT * FROM changes WHERE revision > ? ORDER BY revision, seq LIMIT ?');
    this.changesAt = db.prepare<[number], ChangeRow>('SELECT * FROM changes WHERE revision = ? ORDER BY seq');
  }

  /**
   * A list (or count) statement and its parameters. A prefix becomes the index range
   * `id >= prefix AND id < upper bound`: exact on any character, unlike LIKE or GLOB.
   */
  shaped(what: 'list' | 'count', kind: string, options: ListOptions): { statement: Database.Statement; params: unknown[] } {
    const where = ['kind = ?'];
    const params: unknown[] = [kind];
    if (options.account !== undefined) {
      where.push('account = ?');
      params.push(options.account);
    }
    if (options.prefix !== undefined && options.prefix !== '') {
      where.push('id >= ?');
      params.push(options.prefix);
      const upper = prefixUpperBound(options.prefix);
      if (upper !== undefined) {
        where.push('id < ?');
        params.push(upper);
      }
    }
    if (what === 'list' && options.after !== undefined) {
      where.push('id > ?');
      params.push(options.after);
    }
    let sql: string;
    if (what === 'count') {
      sql = `SELECT count(*) FROM entities WHERE ${where.join(' AND ')}`;
    } else {
      sql = `SELECT id, account, data, revision FROM entities WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`;
      // One more than asked tells whether another page exists; -1 is SQLite for "no limit".
      params.push(options.limit === undefined ? -1 : options.limit + 1);
    }
    let statement = this.#shaped.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (what === 'count') statement.pluck();
      this.#shaped.set(sql, statement);
    }
    return { statement, params };
  }
}

/** Write units sharing one SQLite transaction until its COMMIT (see the header). */
interface CommitGroup {
  /** The latest revision written in the transaction so far. */
  revision: number;
  /** Settles once the COMMIT has returned: every unit of the group waits for it. */
  committed: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

class SqliteStoreImpl implements SqliteStore {
  readonly file: string;
  readonly #db: Database.Database;
  readonly #sql: Statements;
  readonly #now: () => Date;
  readonly #queue = new SerialQueue();
  #group: CommitGroup | undefined;
  #closing: Promise<void> | undefined;

  constructor(db: Database.Database, file: string, now: () => Date) {
    this.#db = db;
    this.file = file;
    this.#sql = new Statements(db);
    this.#now = now;
  }

  #unit<R>(task: () => Promise<R>): Promise<R> {
    if (this.#closing) return Promise.reject(new StoreClosedError(`store: ${this.file} is closed`));
    return this.#queue.run(task);
  }

  /** A unit that is not a write: it first makes the open group durable, so it reads only durable data. */
  #readUnit<R>(task: () => Promise<R>): Promise<R> {
    return this.#unit(() => {
      this.#commitGroup();
      return task();
    });
  }

  read<R>(work: (tx: ReadTx) => Promise<R>): Promise<R> {
    return this.#readUnit(async () => {
      const tx = new SqliteTx(this.#sql, undefined);
      try {
        return await work(tx);
      } finally {
        tx.end();
        // Read-only, so COMMIT and ROLLBACK are the same; ROLLBACK cannot fail on a busy disk.
        if (this.#db.inTransaction) this.#sql.rollback.run();
      }
    });
  }

  async write<R>(work: (tx: WriteTx) => Promise<R>): Promise<WriteResult<R>> {
    // The unit frees the queue as soon as its work is done; its caller hears back after the COMMIT.
    const { outcome, committed } = await this.#unit(() => this.#writeUnit(work));
    await committed;
    return outcome;
  }

  async #writeUnit<R>(work: (tx: WriteTx) => Promise<R>): Promise<{ outcome: WriteResult<R>; committed: Promise<void> }> {
    const sql = this.#sql;
    const group = this.#joinGroup();
    sql.savepoint.run();
    let tx: SqliteTx | undefined;
    try {
      const last = group.revision;
      const revision = last + 1;
      tx = new SqliteTx(sql, revision);
      const result = await work(tx);
      tx.end();
      // Some errors (disk full, I/O) make SQLite roll back on its own; if the unit caught one
      // and carried on, committing now would acknowledge writes that were thrown away.
      if (!this.#db.inTransaction) throw new Error('store: SQLite rolled this write back after an error inside the unit');
      if (tx.changes.length === 0) {
        sql.rollbackToSavepoint.run();
        sql.releaseSavepoint.run();
        return { outcome: { result, revision: last, changed: false }, committed: group.committed };
      }
      const time = this.#now().toISOString();
      tx.changes.forEach((c, index) => sql.appendChange.run(revision, index + 1, c.kind, c.id, c.account, c.op, c.data, time));
      sql.writeRevision.run(revision);
      sql.releaseSavepoint.run();
      group.revision = revision;
      return { outcome: { result, revision, changed: true }, committed: group.committed };
    } catch (err) {
      tx?.end();
      let undone = false;
      if (this.#db.inTransaction) {
        try {
          sql.rollbackToSavepoint.run();
          sql.releaseSavepoint.run();
          undone = true;
        } catch {
          // Handled below: the group cannot be committed with this unit's work in it.
        }
      }
      // SQLite rolled back the whole transaction on its own, or this unit's work cannot be
      // undone alone: the group's earlier units fail with it.
      if (!undone) this.#abandonGroup(group, err);
      throw err;
    }
  }

  /** The open group, or a new one: BEGIN IMMEDIATE, and its COMMIT queued for the next turn. */
  #joinGroup(): CommitGroup {
    if (this.#group) return this.#group;
    this.#sql.beginImmediate.run();
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const committed = new Promise<void>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    // Every unit of the group may have failed on its own, leaving no one to hear a failed COMMIT.
    committed.catch(() => undefined);
    const group: CommitGroup = { revision: this.#sql.readRevision.get() as number, committed, resolve, reject };
    this.#group = group;
    // setImmediate runs after the I/O callbacks of this turn, so the write units of every request
    // that arrived with this one are queued by then, and run before the COMMIT does.
    setImmediate(() => void this.#queue.run(async () => this.#commitGroup()));
    return group;
  }

  #abandonGroup(group: CommitGroup, err: unknown): void {
    if (this.#group !== group) return;
    this.#group = undefined;
    try {
      if (this.#db.inTransaction) this.#sql.rollback.run();
    } catch {
      // The unit's error is the one to report; SQLite rolls back on close anyway.
    }
    group.reject(err);
  }

  /** Commits the open group, if any, and settles its units. Runs between units, never inside one. */
  #commitGroup(): void {
    const group = this.#group;
    if (!group) return;
    try {
      this.#sql.commit.run();
    } catch (err) {
      this.#abandonGroup(group, err);
      return;
    }
    this.#group = undefined;
    group.resolve();
  }

  revision(): Promise<number> {
    return this.#readUnit(async () => this.#sql.readRevision.get() as number);
  }

  changesSince(after: number, limit: number): Promise<ChangeRecord[]> {
    return this.#readUnit(async () => {
      checkChangesArgs(after, limit);
      const rows = this.#sql.changesAfter.all(after, limit + 1);
      if (rows.length <= limit) return rows.map(toChangeRecord);
      // Only whole revisions (see the port). A committed revision never changes, so reading the
      // rest of one with a second statement needs no snapshot.
      const cut = (rows[limit] as ChangeRow).revision;
      if (cut === (rows[0] as ChangeRow).revision) return this.#sql.changesAt.all(cut).map(toChangeRecord);
      let end = limit;
      while ((rows[end - 1] as ChangeRow).revision === cut) end--;
      return rows.slice(0, end).map(toChangeRecord);
    });
  }

  settings(): Promise<SqliteSettings> {
    return this.#readUnit(async () => ({
      journalMode: this.#db.pragma('journal_mode', { simple: true }) as string,
      synchronous: this.#db.pragma('synchronous', { simple: true }) as number,
      busyTimeoutMs: this.#db.pragma('busy_timeout', { simple: true }) as number,
      foreignKeys: this.#db.pragma('foreign_keys', { simple: true }) === 1,
      schemaVersion: this.#db.pragma('user_version', { simple: true }) as number,
    }));
  }

  close(): Promise<void> {
    // Units queued before close still run; the connection closes once they have ended and the
    // last group is committed.
    this.#closing ??= this.#queue.drain().then(() => {
      this.#commitGroup();
      this.#db.close();
    });
    return this.#closing;
  }
}

function toChangeRecord(row: ChangeRow): ChangeRecord {
  const { data, ...rest } = row;
  return data === null ? rest : { ...rest, data: JSON.parse(data) };
}

/** One unit's transaction. A read unit begins its SQLite transaction on its first statement. */
class SqliteTx implements WriteTx {
  readonly #sql: Statements;
  /** The revision this unit's writes get; undefined for a read unit. */
  readonly #revision: number | undefined;
  readonly changes: PendingChange[] = [];
  /**
   * Rows this unit has read, per kind and id (null: none). A unit's snapshot cannot change under
   * it, so a second get of one record (a use case and its authorization both read the caller)
   * skips SQLite; it still parses the text again, so callers never share objects.
   */
  readonly #read = new Map<string, Map<string, Omit<EntityRow, 'id'> | null>>();
  #ended = false;

  constructor(sql: Statements, revision: number | undefined) {
    this.#sql = sql;
    this.#revision = revision;
  }

  end(): void {
    this.#ended = true;
  }

  #check(): void {
    if (this.#ended) throw new TransactionEndedError('store: this transaction was used after its unit of work ended');
    // A read unit's snapshot: only multi-statement units need one, but a BEGIN costs about a
    // microsecond and an idle unit never pays it.
    if (!this.#sql.db.inTransaction) {
      if (this.#revision !== undefined) throw new Error('store: SQLite rolled this write back after an error inside the unit');
      this.#sql.begin.run();
    }
  }

  #checkWrite(): number {
    this.#check();
    // A read tx is a SqliteTx too; refuse a cast that tries to write through it.
    if (this.#revision === undefined) throw new TypeError('store: cannot write in a read unit');
    return this.#revision;
  }

  async get<T>(kind: string, id: string): Promise<EntityRecord<T> | undefined> {
    this.#check();
    checkKey(kind, id);
    let rows = this.#read.get(kind);
    if (!rows) this.#read.set(kind, (rows = new Map()));
    let row = rows.get(id);
    if (row === undefined) {
      row = this.#sql.get.get(kind, id) ?? null;
      rows.set(id, row);
    }
    return row === null ? undefined : { kind, id, account: row.account, data: JSON.parse(row.data) as T, revision: row.revision };
  }

  /** A write to a record makes what this unit read of it stale. */
  #forget(kind: string, id: string): void {
    this.#read.get(kind)?.delete(id);
  }

  async revision(): Promise<number> {
    this.#check();
    // In a write unit the meta row still holds the revision before this unit's own.
    return this.#sql.readRevision.get() as number;
  }

  async list<T>(kind: string, options: ListOptions = {}): Promise<ListPage<T>> {
    this.#check();
    checkKind(kind);
    checkListOptions(options);
    const { statement, params } = this.#sql.shaped('list', kind, options);
    const rows = statement.all(...params) as EntityRow[];
    const more = options.limit !== undefined && rows.length > options.limit;
    if (more) rows.length = options.limit as number;
    const items = rows.map((row) => ({ kind, id: row.id, account: row.account, data: JSON.parse(row.data) as T, revision: row.revision }));
    return more ? { items, next: (items[items.length - 1] as EntityRecord<T>).id } : { items };
  }

  async count(kind: string, options: Pick<ListOptions, 'account' | 'prefix'> = {}): Promise<number> {
    this.#check();
    checkKind(kind);
    checkListOptions(options);
    const { statement, params } = this.#sql.shaped('count', kind, { account: options.account, prefix: options.prefix });
    return statement.get(...params) as number;
  }

  async put<T>(kind: string, id: string, account: string, data: T): Promise<void> {
    const revision = this.#checkWrite();
    checkKey(kind, id);
    checkAccount(account);
    const json = encodeData(data);
    this.#forget(kind, id);
    this.#sql.put.run(kind, id, account, json, revision);
    this.changes.push({ kind, id, account, op: 'put', data: json });
  }

  async insert<T>(kind: string, id: string, account: string, data: T): Promise<boolean> {
    const revision = this.#checkWrite();
    checkKey(kind, id);
    checkAccount(account);
    const json = encodeData(data);
    this.#forget(kind, id);
    if (this.#sql.insert.run(kind, id, account, json, revision).changes === 0) return false;
    this.changes.push({ kind, id, account, op: 'put', data: json });
    return true;
  }

  async delete(kind: string, id: string): Promise<boolean> {
    this.#checkWrite();
    checkKey(kind, id);
    this.#forget(kind, id);
    const row = this.#sql.delete.get(kind, id);
    if (!row) return false;
    this.changes.push({ kind, id, account: row.account, op: 'delete', data: null });
    return true;
  }
}
