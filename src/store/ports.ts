/**
 * The storage ports. Every driver (sqlite today, postgres later, memory for tests) implements
 * them and passes the one shared driver suite (test/store/driver-suite.ts).
 *
 * The store is a small document store: records of a `kind` (user, role, policy...) keyed by an
 * `id` that the caller designs so that ids sort and prefix-match usefully
 * (`<account>/<lowercased name>`). Records are JSON; the store never looks inside them.
 * Callers seal secrets before they reach the store.
 *
 * Units of work: `read` and `write` run a function against a transaction. A write commits
 * atomically or not at all (a thrown error rolls everything back), durably before it resolves,
 * and a write that changed anything gets the next revision, assigned by the store, with its
 * changes appended to the change log in the same transaction.
 */

export interface EntityRecord<T = unknown> {
  kind: string;
  id: string;
  account: string;
  data: T;
  /** The revision of the write that last changed this record. */
  revision: number;
}

export interface ListOptions {
  /** Only records of this account. */
  account?: string;
  /** Only ids starting with this prefix. */
  prefix?: string;
  /** Only ids strictly after this one (the cursor of the previous page). */
  after?: string;
  /** At most this many records (default: all). */
  limit?: number;
}

export interface ListPage<T> {
  /** Records in ascending id order. */
  items: EntityRecord<T>[];
  /** Set when more records remain: pass it as `after` to read the next page. */
  next?: string;
}

export interface ReadTx {
  get<T>(kind: string, id: string): Promise<EntityRecord<T> | undefined>;
  list<T>(kind: string, options?: ListOptions): Promise<ListPage<T>>;
  count(kind: string, options?: Pick<ListOptions, 'account' | 'prefix'>): Promise<number>;
  /**
   * The revision this unit's reads reflect: the latest committed one (in a write unit, the one
   * before the unit's own). Saves a reader a second unit just to learn it.
   */
  revision(): Promise<number>;
}

export interface WriteTx extends ReadTx {
  /** Inserts or replaces a record. */
  put<T>(kind: string, id: string, account: string, data: T): Promise<void>;
  /** Inserts a record; false (and nothing written) when the id is taken. */
  insert<T>(kind: string, id: string, account: string, data: T): Promise<boolean>;
  /** Deletes a record; false when there was none. */
  delete(kind: string, id: string): Promise<boolean>;
}

/** One entry of the change log: what a write did to one record. */
export interface ChangeRecord {
  revision: number;
  /** Order within the revision. */
  seq: number;
  kind: string;
  id: string;
  account: string;
  op: 'put' | 'delete';
  /** The record's data after a put. */
  data?: unknown;
  /** ISO time of the commit. */
  time: string;
}

export interface WriteResult<R> {
  result: R;
  /** The revision of this write, or the latest revision when it changed nothing. */
  revision: number;
  /** Whether this write changed anything. */
  changed: boolean;
}

export interface Store {
  read<R>(work: (tx: ReadTx) => Promise<R>): Promise<R>;
  write<R>(work: (tx: WriteTx) => Promise<R>): Promise<WriteResult<R>>;
  /** The latest committed revision (0 for an empty store). */
  revision(): Promise<number>;
  /**
   * Change-log entries with revision > `after`, in order, at most `limit` of them. Only whole
   * revisions are returned, so a reader can resume with `after` = the last revision it got and
   * apply each revision atomically; a single revision with more than `limit` entries is returned
   * whole (the one case that exceeds `limit`), so a reader always makes progress.
   */
  changesSince(after: number, limit: number): Promise<ChangeRecord[]>;
  close(): Promise<void>;
}

/** Thrown when a store cannot be opened (unreadable file, newer schema, not a database). */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

/** Thrown when a store is used after `close()`. */
export class StoreClosedError extends Error {
  override name = 'StoreClosedError';
}

/**
 * Thrown when a transaction is used after its unit of work ended: a leaked `tx` would otherwise
 * write outside any transaction, or into someone else's.
 */
export class TransactionEndedError extends Error {
  override name = 'TransactionEndedError';
}
