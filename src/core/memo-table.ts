/**
 * A memo for pure lookups that are cheap to recompute (pattern expansions, catalog checks),
 * bounded by emptying it when full: nothing to do on a hit, unlike the least-recently-used
 * `BoundedCache` (src/replication/bounded-cache.ts) kept for costly material.
 */
export class MemoTable<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(private readonly limit: number) {}

  /**
   * The value for `key`, computed and kept when absent (undefined is a value too). On hot paths,
   * pass a function of the key rather than a new closure per call.
   */
  get(key: K, compute: (key: K) => V): V {
    const hit = this.#entries.get(key);
    if (hit !== undefined || this.#entries.has(key)) return hit as V;
    const value = compute(key);
    if (this.#entries.size >= this.limit) this.#entries.clear();
    this.#entries.set(key, value);
    return value;
  }
}
