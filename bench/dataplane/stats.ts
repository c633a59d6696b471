/** Small helpers for the figures the benchmark prints. */

export function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

export function sortedCopy(values: number[] | Float64Array): Float64Array {
  return Float64Array.from(values).sort();
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** The heap in use after a full collection (needs --expose-gc; otherwise as it stands). */
export function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}
