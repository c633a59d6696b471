import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { StoreOpenError } from '../../src/store/ports.js';
import type { ChangeRecord } from '../../src/store/ports.js';
import { applySqliteMigrations, GATEHOUSE_APPLICATION_ID, SQLITE_MIGRATIONS } from '../../src/store/sqlite-migrations.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { runStoreDriverSuite } from './driver-suite.js';

const here = dirname(fileURLToPath(import.meta.url));

async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-store-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

runStoreDriverSuite('sqlite', async (options) => {
  const { dir, cleanup } = await tempDir();
  const file = join(dir, 'store.db');
  return { store: await openSqliteStore(file, options), reopen: () => openSqliteStore(file, options), cleanup };
});

describe('sqlite store: file and schema', () => {
  it('opens in WAL mode with synchronous = FULL, foreign keys and a busy timeout', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const store = await openSqliteStore(join(dir, 'store.db'), { busyTimeoutMs: 1234 });
      try {
        assert.deepEqual(await store.settings(), { journalMode: 'wal', synchronous: 2, busyTimeoutMs: 1234, foreignKeys: true, schemaVersion: SQLITE_MIGRATIONS.length });
      } finally {
        await store.close();
      }
      // WAL is a property of the file: it holds for every later connection too.
      const raw = new Database(join(dir, 'store.db'), { readonly: true });
      try {
        assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
        assert.equal(raw.pragma('application_id', { simple: true }), GATEHOUSE_APPLICATION_ID);
        assert.equal(raw.pragma('user_version', { simple: true }), SQLITE_MIGRATIONS.length);
      } finally {
        raw.close();
      }
    } finally {
      await cleanup();
    }
  });

  it('refuses a store whose schema is newer than this code', async () => {
    const { dir, cleanup } = await tempDir();
    const file = join(dir, 'store.db');
    try {
      await (await openSqliteStore(file)).close();
      const raw = new Database(file);
      raw.pragma('user_version = 99');
      raw.close();
      await assert.rejects(openSqliteStore(file), (err: unknown) => {
        assert.ok(err instanceof StoreOpenError);
        assert.match(err.message, new RegExp(`store schema version 99 is newer than this Gatehouse supports \\(${SQLITE_MIGRATIONS.length}\\)`));
        assert.ok(err.message.includes(file));
        return true;
      });
    } finally {
      await cleanup();
    }
  });

  it('refuses a file that is not a SQLite database, naming the file and leaving it alone', async () => {
    const { dir, cleanup } = await tempDir();
    const file = join(dir, 'garbage.db');
    try {
      // SQLite itself takes a one-byte file for an empty database.
      for (const garbage of [Buffer.from('this is not a database, just some text\n'.repeat(200)), Buffer.from('x'), Buffer.alloc(99, 7)]) {
        await writeFile(file, garbage);
        await assert.rejects(openSqliteStore(file), (err: unknown) => {
          assert.ok(err instanceof StoreOpenError);
          assert.ok(err.message.includes(file), err.message);
          assert.match(err.message, /not a SQLite database/);
          return true;
        });
        assert.deepEqual(await readFile(file), garbage);
      }
    } finally {
      await cleanup();
    }
  });

  it('refuses a path it cannot open, naming it', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const folder = join(dir, 'a-folder');
      await mkdir(folder);
      for (const path of [folder, join(dir, 'missing', 'store.db')]) {
        await assert.rejects(openSqliteStore(path), (err: unknown) => {
          assert.ok(err instanceof StoreOpenError, String(err));
          assert.ok(err.message.includes(path), err.message);
          return true;
        });
      }
    } finally {
      await cleanup();
    }
  });

  it("refuses another program's SQLite database without touching it", async () => {
    const { dir, cleanup } = await tempDir();
    const file = join(dir, 'other.db');
    try {
      const raw = new Database(file);
      raw.exec('CREATE TABLE notes (body TEXT)');
      raw.close();
      await assert.rejects(openSqliteStore(file), /not a Gatehouse store/);
      const check = new Database(file);
      try {
        assert.deepEqual(check.prepare('SELECT name FROM sqlite_schema').pluck().all(), ['notes']);
        assert.equal(check.pragma('user_version', { simple: true }), 0);
      } finally {
        check.close();
      }
      // A Gatehouse-versioned file without the Gatehouse stamp is someone else's too.
      const stamped = new Database(file);
      stamped.pragma('user_version = 1');
      stamped.close();
      await assert.rejects(openSqliteStore(file), /not a Gatehouse store/);
    } finally {
      await cleanup();
    }
  });

  it('runs each migration in its own transaction: a failing one leaves the previous version', async () => {
    const { dir, cleanup } = await tempDir();
    const file = join(dir, 'm.db');
    const db = new Database(file);
    try {
      const migrations = [
        ...SQLITE_MIGRATIONS,
        { description: 'add a table', up: (d: Database.Database) => d.exec('CREATE TABLE extra (x INTEGER)') },
        {
          description: 'half done',
          up: (d: Database.Database) => {
            d.exec('CREATE TABLE half (x INTEGER)');
            throw new Error('disk on fire');
          },
        },
      ];
      assert.throws(
        () => applySqliteMigrations(db, file, migrations),
        (err: unknown) => err instanceof StoreOpenError && /migration 3 \(half done\) failed: disk on fire/.test(err.message) && err.message.includes(file),
      );
      assert.equal(db.pragma('user_version', { simple: true }), SQLITE_MIGRATIONS.length + 1);
      const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all();
      assert.ok(tables.includes('extra'));
      assert.ok(!tables.includes('half'));
      assert.equal(db.inTransaction, false);
      // Already current: nothing to do.
      assert.deepEqual(applySqliteMigrations(db, file, migrations.slice(0, -1)), { from: SQLITE_MIGRATIONS.length + 1, to: SQLITE_MIGRATIONS.length + 1 });
    } finally {
      db.close();
      await cleanup();
    }
  });

  it('writes started together share one commit, and none resolves before it is committed', async () => {
    const { dir, cleanup } = await tempDir();
    const file = join(dir, 'store.db');
    const store = await openSqliteStore(file);
    // Another connection sees only what is committed.
    const other = new Database(file, { readonly: true });
    try {
      const committedRows = () => other.prepare("SELECT count(*) FROM entities WHERE kind = 'user'").pluck().get() as number;
      const seenOnResolve = await Promise.all(Array.from({ length: 10 }, (_, i) => store.write((tx) => tx.put('user', `u${i}`, 'acct', {})).then(committedRows)));
      // One COMMIT made all ten durable: the first to resolve already sees every one.
      assert.deepEqual(seenOnResolve, Array(10).fill(10));
      // A unit of another kind commits the open group before it reads.
      const writing = store.write((tx) => tx.put('user', 'late', 'acct', {}));
      assert.equal(await store.read((tx) => tx.count('user')), 11);
      assert.equal(committedRows(), 11);
      assert.equal((await writing).revision, 11);
    } finally {
      other.close();
      await store.close();
      await cleanup();
    }
  });

  it('two connections to one file share one revision sequence', async () => {
    const { dir, cleanup } = await tempDir();
    const file = join(dir, 'store.db');
    const a = await openSqliteStore(file);
    const b = await openSqliteStore(file);
    try {
      assert.equal((await a.write((tx) => tx.put('user', 'x', 'acct', { by: 'a' }))).revision, 1);
      assert.equal((await b.write((tx) => tx.put('user', 'y', 'acct', { by: 'b' }))).revision, 2);
      assert.equal((await a.write((tx) => tx.put('user', 'z', 'acct', { by: 'a' }))).revision, 3);
      assert.deepEqual(
        (await b.changesSince(0, 10)).map((c) => `${c.revision}:${c.id}`),
        ['1:x', '2:y', '3:z'],
      );
      assert.equal(await b.read((tx) => tx.count('user')), 3);
    } finally {
      await a.close();
      await b.close();
      await cleanup();
    }
  });
});

function itemId(n: number): string {
  return `item/${String(n).padStart(8, '0')}`;
}

/** Runs the crash writer until it has acknowledged `acks` writes, then kills it with SIGKILL. */
async function writeThenKill(file: string, acks: number): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'crash-writer.ts'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const acknowledged: number[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const [revision, n] = line.split(' ').map(Number);
    assert.equal(revision, n, `each write changes something, so revision = n: ${line}`);
    acknowledged.push(revision as number);
    if (acknowledged.length === acks) child.kill('SIGKILL');
  }
  const { signal } = await exited;
  assert.equal(signal, 'SIGKILL', `the writer died on its own: ${stderr}`);
  return acknowledged;
}

describe('sqlite store: crash safety', () => {
  it('keeps every acknowledged write and no partial revision after kill -9, twice', async () => {
    const { dir, cleanup } = await tempDir();
    const file = join(dir, 'crash.db');
    try {
      const acknowledged: number[] = [];
      for (const acks of [60, 90]) {
        acknowledged.push(...(await writeThenKill(file, acks)));
        const store = await openSqliteStore(file);
        try {
          const revision = await store.revision();
          const last = acknowledged[acknowledged.length - 1] as number;
          assert.ok(revision >= last, `revision ${revision} lost acknowledged revision ${last}`);
          const changes = await store.changesSince(0, 1_000_000);
          const byRevision = new Map<number, ChangeRecord[]>();
          for (const c of changes) byRevision.set(c.revision, [...(byRevision.get(c.revision) ?? []), c]);
          // No gaps: every revision 1..R is in the log, and no revision after R.
          assert.deepEqual(
            [...byRevision.keys()],
            Array.from({ length: revision }, (_, i) => i + 1),
          );
          for (const [r, entries] of byRevision) {
            // No partial revision: each one has exactly the changes its write made, in order.
            const expected = [
              { op: 'put', kind: 'counter', id: 'c', data: { n: r } },
              { op: 'put', kind: 'item', id: itemId(r), data: { n: r, payload: 'x'.repeat(500) } },
              ...(r % 3 === 0 ? [{ op: 'delete', kind: 'item', id: itemId(r - 1), data: undefined }] : []),
            ];
            assert.deepEqual(
              entries.map((c) => ({ op: c.op, kind: c.kind, id: c.id, data: c.data })),
              expected,
              `revision ${r}`,
            );
            assert.deepEqual(
              entries.map((c) => c.seq),
              expected.map((_, i) => i + 1),
            );
          }
          await store.read(async (tx) => {
            assert.deepEqual((await tx.get('counter', 'c'))?.data, { n: revision });
            for (const r of acknowledged) {
              const item = await tx.get('item', itemId(r));
              // Item n is deleted by write n + 1 when n + 1 is a multiple of three.
              if ((r + 1) % 3 === 0 && r + 1 <= revision) assert.equal(item, undefined, `item ${r}`);
              else assert.deepEqual(item?.data, { n: r, payload: 'x'.repeat(500) }, `item ${r}`);
            }
            assert.equal(await tx.count('item'), revision - Math.floor(revision / 3));
          });
        } finally {
          await store.close();
        }
        const raw = new Database(file, { readonly: true });
        try {
          assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
        } finally {
          raw.close();
        }
      }
      assert.ok(acknowledged.length === 150);
    } finally {
      await cleanup();
    }
  });
});
