/**
 * A least-recently-used map with a size bound, for derived material that is costly to compute
 * (HMACs, elliptic-curve points, TOTP codes) and cheap to keep. Each entry has a weight (1 by
 * default; the caller may weigh by size) and the oldest entries go once the total passes the bound.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, { value: V; weight: number }>();
  readonly #maxWeight: number;
  #weight = 0;

  constructor(maxWeight: number) {
    if (!(maxWeight > 0)) throw new RangeError('a cache needs a positive bound');
    this.#maxWeight = maxWeight;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    // Re-inserting moves the entry to the young end of the Map's insertion order.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, weight = 1): void {
    const old = this.#entries.get(key);
    if (old) {
      this.#weight -= old.weight;
      this.#entries.delete(key);
    }
    // Larger than the whole bound: not worth keeping (it would evict everything else).
    if (weight > this.#maxWeight) return;
    this.#entries.set(key, { value, weight });
    this.#weight += weight;
    for (const [oldest, entry] of this.#entries) {
      if (this.#weight <= this.#maxWeight) break;
      this.#entries.delete(oldest);
      this.#weight -= entry.weight;
    }
  }

  /** The value for `key`, computed and kept when absent. */
  getOrCompute(key: K, compute: () => V, weigh?: (value: V) => number): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    this.set(key, value, weigh ? weigh(value) : 1);
    return value;
  }
}
