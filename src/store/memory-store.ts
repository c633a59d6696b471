/**
 * The in-memory driver: for tests and for trying Gatehouse without a data folder. It keeps the
 * semantics of the SQLite driver exactly (the shared suite runs against both): units are
 * serialized through one queue, data is held as JSON text so callers never share objects with
 * the store, ids sort in code point order, and a write keeps its changes in a private overlay
 * that reaches the committed state only when the unit returns, so a thrown error leaves nothing
 * behind (and an unfinished unit is invisible even without the queue).
 */
import { checkAccount, checkChangesArgs, checkKey, checkKind, checkListOptions, encodeData } from './check-input.js';
import { compareIds } from './id-order.js';
import { StoreClosedError, TransactionEndedError } from './ports.js';
import type { ChangeRecord, EntityRecord, ListOptions, ListPage, ReadTx, Store, WriteResult, WriteTx } from './ports.js';
import { SerialQueue } from './serial-queue.js';

export interface MemoryStoreOptions {
  /** The clock for change times. */
  now?: () => Date;
}

interface Row {
  account: string;
  json: string;
  revision: number;
}

interface KindTable {
  rows: Map<string, Row>;
  /** The ids of `rows`, sorted with compareIds. */
  ids: string[];
}

interface StoredChange {
  revision: number;
  seq: number;
  kind: string;
  id: string;
  account: string;
  op: 'put' | 'delete';
  json?: string;
  time: string;
}

type PendingChange = Omit<StoredChange, 'revision' | 'seq' | 'time'>;

export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  return new MemoryStore(options.now ?? (() => new Date()));
}

/** The first index in sorted `ids` whose id is >= `id` (or > `id` when `strict`). */
function lowerBound(ids: string[], id: string, strict: boolean): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareIds(ids[mid] as string, id);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function setRow(table: KindTable, id: string, row: Row): void {
  if (!table.rows.has(id)) table.ids.splice(lowerBound(table.ids, id, false), 0, id);
  table.rows.set(id, row);
}

function deleteRow(table: KindTable, id: string): void {
  if (table.rows.delete(id)) table.ids.splice(lowerBound(table.ids, id, false), 1);
}

function toRecord<T>(kind: string, id: string, row: Row): EntityRecord<T> {
  return { kind, id, account: row.account, data: JSON.parse(row.json) as T, revision: row.revision };
}

/** Visits the records of `table` matching the filters, in id order, until `visit` returns false. */
function scan(table: KindTable | undefined, options: ListOptions, visit: (id: string, row: Row) => boolean): void {
  if (!table) return;
  const { ids, rows } = table;
  let start = 0;
  if (options.prefix !== undefined) start = lowerBound(ids, options.prefix, false);
  if (options.after !== undefined) start = Math.max(start, lowerBound(ids, options.after, true));
  for (let i = start; i < ids.length; i++) {
    const id = ids[i] as string;
    // Ids sharing a prefix are contiguous in code point order, so the first miss ends the scan.
    if (options.prefix !== undefined && !id.startsWith(options.prefix)) return;
    const row = rows.get(id) as Row;
    if (options.account !== undefined && row.account !== options.account) continue;
    if (!visit(id, row)) return;
  }
}

class MemoryStore implements Store {
  readonly #now: () => Date;
  readonly #queue = new SerialQueue();
  readonly #kinds = new Map<string, KindTable>();
  readonly #changes: StoredChange[] = [];
  #revision = 0;
  #closing: Promise<void> | undefined;

  constructor(now: () => Date) {
    this.#now = now;
  }

  #unit<R>(task: () => Promise<R>): Promise<R> {
    if (this.#closing) return Promise.reject(new StoreClosedError('store: the store is closed'));
    return this.#queue.run(task);
  }

  read<R>(work: (tx: ReadTx) => Promise<R>): Promise<R> {
    return this.#unit(async () => {
      const tx = new MemoryTx(this.#kinds, this.#revision, undefined);
      try {
        return await work(tx);
      } finally {
        tx.end();
      }
    });
  }

  write<R>(work: (tx: WriteTx) => Promise<R>): Promise<WriteResult<R>> {
    return this.#unit(async () => {
      const revision = this.#revision + 1;
      const tx = new MemoryTx(this.#kinds, this.#revision, revision);
      let result: R;
      try {
        result = await work(tx);
      } finally {
        tx.end();
      }
      // Nothing above touched the committed state, so a throw has already rolled back.
      if (tx.changes.length === 0) return { result, revision: this.#revision, changed: false };
      const time = this.#now().toISOString();
      for (const [kind, rows] of tx.pending) {
        let table = this.#kinds.get(kind);
        if (!table) this.#kinds.set(kind, (table = { rows: new Map(), ids: [] }));
        for (const [id, row] of rows) {
          if (row) setRow(table, id, row);
          else deleteRow(table, id);
        }
      }
      tx.changes.forEach((change, index) => this.#changes.push({ ...change, revision, seq: index + 1, time }));
      this.#revision = revision;
      return { result, revision, changed: true };
    });
  }

  revision(): Promise<number> {
    return this.#unit(async () => this.#revision);
  }

  changesSince(after: number, limit: number): Promise<ChangeRecord[]> {
    return this.#unit(async () => {
      checkChangesArgs(after, limit);
      const changes = this.#changes;
      let lo = 0;
      let hi = changes.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((changes[mid] as StoredChange).revision <= after) lo = mid + 1;
        else hi = mid;
      }
      let end = Math.min(lo + limit, changes.length);
      // Only whole revisions (see the port): drop a revision the limit cut in two, unless it is
      // the first one, which is then returned whole.
      if (end < changes.length) {
        const cut = (changes[end] as StoredChange).revision;
        const first = (changes[lo] as StoredChange).revision;
        if (cut === first) {
          while (end < changes.length && (changes[end] as StoredChange).revision === cut) end++;
        } else {
          while ((changes[end - 1] as StoredChange).revision === cut) end--;
        }
      }
      return changes.slice(lo, end).map(toChangeRecord);
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#queue.drain();
    return this.#closing;
  }
}

function toChangeRecord(change: StoredChange): ChangeRecord {
  const { json, ...rest } = change;
  return json === undefined ? rest : { ...rest, data: JSON.parse(json) };
}

/** One unit's view: the committed kinds, overlaid with this unit's pending writes. */
class MemoryTx implements WriteTx {
  readonly #committed: Map<string, KindTable>;
  /** The committed revision this unit sees. */
  readonly #seen: number;
  /** The revision this unit's writes get; undefined for a read unit. */
  readonly #revision: number | undefined;
  /** Per kind, the rows this unit wrote; null marks a delete. */
  readonly pending = new Map<string, Map<string, Row | null>>();
  readonly changes: PendingChange[] = [];
  #ended = false;

  constructor(committed: Map<string, KindTable>, seen: number, revision: number | undefined) {
    this.#committed = committed;
    this.#seen = seen;
    this.#revision = revision;
  }

  end(): void {
    this.#ended = true;
  }

  #check(): void {
    if (this.#ended) throw new TransactionEndedError('store: this transaction was used after its unit of work ended');
  }

  #checkWrite(): number {
    this.#check();
    // A read tx is a MemoryTx too; refuse a cast that tries to write through it.
    if (this.#revision === undefined) throw new TypeError('store: cannot write in a read unit');
    return this.#revision;
  }

  #row(kind: string, id: string): Row | undefined {
    const pending = this.pending.get(kind);
    if (pending?.has(id)) return pending.get(id) ?? undefined;
    return this.#committed.get(kind)?.rows.get(id);
  }

  /**
   * The kind as this unit sees it. Merging copies the kind, O(records), but only a unit that
   * lists a kind after writing to it pays that.
   */
  #table(kind: string): KindTable | undefined {
    const committed = this.#committed.get(kind);
    const pending = this.pending.get(kind);
    if (!pending) return committed;
    const merged: KindTable = committed ? { rows: new Map(committed.rows), ids: committed.ids.slice() } : { rows: new Map(), ids: [] };
    for (const [id, row] of pending) {
      if (row) setRow(merged, id, row);
      else deleteRow(merged, id);
    }
    return merged;
  }

  #set(kind: string, id: string, row: Row | null): void {
    let pending = this.pending.get(kind);
    if (!pending) this.pending.set(kind, (pending = new Map()));
    pending.set(id, row);
  }

  async get<T>(kind: string, id: string): Promise<EntityRecord<T> | undefined> {
    this.#check();
    checkKey(kind, id);
    const row = this.#row(kind, id);
    return row && toRecord<T>(kind, id, row);
  }

  async list<T>(kind: string, options: ListOptions = {}): Promise<ListPage<T>> {
    this.#check();
    checkKind(kind);
    checkListOptions(options);
    const limit = options.limit ?? Infinity;
    const items: EntityRecord<T>[] = [];
    let more = false;
    scan(this.#table(kind), options, (id, row) => {
      if (items.length === limit) {
        more = true;
        return false;
      }
      items.push(toRecord<T>(kind, id, row));
      return true;
    });
    return more ? { items, next: (items[items.length - 1] as EntityRecord<T>).id } : { items };
  }

  async count(kind: string, options: Pick<ListOptions, 'account' | 'prefix'> = {}): Promise<number> {
    this.#check();
    checkKind(kind);
    checkListOptions(options);
    let n = 0;
    scan(this.#table(kind), options, () => {
      n++;
      return true;
    });
    return n;
  }

  async revision(): Promise<number> {
    this.#check();
    return this.#seen;
  }

  async put<T>(kind: string, id: string, account: string, data: T): Promise<void> {
    const revision = this.#checkWrite();
    checkKey(kind, id);
    checkAccount(account);
    const json = encodeData(data);
    this.#set(kind, id, { account, json, revision });
    this.changes.push({ kind, id, account, op: 'put', json });
  }

  async insert<T>(kind: string, id: string, account: string, data: T): Promise<boolean> {
    const revision = this.#checkWrite();
    checkKey(kind, id);
    checkAccount(account);
    const json = encodeData(data);
    if (this.#row(kind, id)) return false;
    this.#set(kind, id, { account, json, revision });
    this.changes.push({ kind, id, account, op: 'put', json });
    return true;
  }

  async delete(kind: string, id: string): Promise<boolean> {
    this.#checkWrite();
    checkKey(kind, id);
    const row = this.#row(kind, id);
    if (!row) return false;
    this.#set(kind, id, null);
    this.changes.push({ kind, id, account: row.account, op: 'delete' });
    return true;
  }
}
