/**
 * The SQLite schema, as an ordered list of migrations. Migration `i` (0-based) takes the file
 * from schema version `i` to `i + 1`; `PRAGMA user_version` holds the version applied. Append
 * new migrations at the end and never edit a released one: files in the field have run it.
 */
import type Database from 'better-sqlite3';
import { StoreOpenError } from './ports.js';

export interface SqliteMigration {
  /** What it changes, for error messages. */
  description: string;
  /** Runs inside the migration's transaction; a throw leaves the file at the previous version. */
  up(db: Database.Database): void;
}

/**
 * Stamped into the file header (`PRAGMA application_id`) by the first migration, so that we
 * never "migrate" some other program's SQLite file into a Gatehouse store. 0x47415445 = "GATE".
 */
export const GATEHOUSE_APPLICATION_ID = 0x47415445;

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    description: 'entities, change log and revision',
    up(db) {
      db.exec(`
        PRAGMA application_id = ${GATEHOUSE_APPLICATION_ID};

        -- One row per record. STRICT so a driver bug cannot store a number where text belongs.
        CREATE TABLE entities (
          kind     TEXT    NOT NULL,
          id       TEXT    NOT NULL,
          account  TEXT    NOT NULL,
          data     TEXT    NOT NULL,
          revision INTEGER NOT NULL,
          PRIMARY KEY (kind, id)
        ) STRICT;
        -- Serves list/count with an account filter in id order.
        CREATE INDEX entities_by_account ON entities (kind, account, id);

        -- Append-only: rows of a revision are written in the transaction that commits it.
        CREATE TABLE changes (
          revision INTEGER NOT NULL,
          seq      INTEGER NOT NULL,
          kind     TEXT    NOT NULL,
          id       TEXT    NOT NULL,
          account  TEXT    NOT NULL,
          op       TEXT    NOT NULL CHECK (op IN ('put', 'delete')),
          data     TEXT,
          time     TEXT    NOT NULL,
          PRIMARY KEY (revision, seq)
        ) STRICT;

        -- The latest revision, kept apart from the change log so that trimming old log entries
        -- later can never make the revision go back.
        CREATE TABLE meta (
          key   TEXT    PRIMARY KEY,
          value INTEGER NOT NULL
        ) STRICT;
        INSERT INTO meta (key, value) VALUES ('revision', 0);
      `);
    },
  },
];

function readVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings `db` up to the newest schema this code knows. Refuses, with a StoreOpenError, a file
 * that belongs to another program or was written by a newer Gatehouse (whose data this code
 * could misread or damage).
 */
export function applySqliteMigrations(db: Database.Database, file: string, migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS): { from: number; to: number } {
  const known = migrations.length;
  const from = readVersion(db);
  let version = from;
  while (true) {
    checkVersion(db, file, version, known);
    if (version === known) return { from, to: version };
    // IMMEDIATE takes the write lock first: two processes opening one old file migrate it once.
    db.exec('BEGIN IMMEDIATE');
    try {
      version = readVersion(db);
      checkVersion(db, file, version, known);
      if (version < known) {
        const migration = migrations[version] as SqliteMigration;
        try {
          migration.up(db);
        } catch (err) {
          throw new StoreOpenError(`cannot open ${file}: schema migration ${version + 1} (${migration.description}) failed: ${(err as Error).message}`, { cause: err });
        }
        version += 1;
        db.pragma(`user_version = ${version}`);
      }
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }
}

function checkVersion(db: Database.Database, file: string, version: number, known: number): void {
  if (version === 0) {
    // A fresh file has no schema; anything else at version 0 is someone else's database.
    const objects = db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number;
    if (objects > 0) throw new StoreOpenError(`cannot open ${file}: it is a SQLite database but not a Gatehouse store`);
    return;
  }
  if (db.pragma('application_id', { simple: true }) !== GATEHOUSE_APPLICATION_ID) {
    throw new StoreOpenError(`cannot open ${file}: it is a SQLite database but not a Gatehouse store`);
  }
  if (version > known) throw new StoreOpenError(`cannot open ${file}: store schema version ${version} is newer than this Gatehouse supports (${known})`);
}
