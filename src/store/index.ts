export * from './ports.js';
export { createMemoryStore } from './memory-store.js';
export type { MemoryStoreOptions } from './memory-store.js';
export { openSqliteStore } from './sqlite-store.js';
export type { SqliteSettings, SqliteStore, SqliteStoreOptions } from './sqlite-store.js';
export { compareIds, prefixUpperBound } from './id-order.js';
