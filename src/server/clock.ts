/**
 * The node's clock. For drills and the static-stability tests, a node may run ahead of the
 * machine's clock by an offset read from a file (`--clock-offset-file`; milliseconds), re-read on
 * SIGUSR2, so a test can move a separate process days forward without waiting.
 */
import { readFileSync } from 'node:fs';

export interface NodeClock {
  now: () => Date;
  /** Re-reads the offset file; returns the offset in ms. */
  reload(): number;
}

export function nodeClock(offsetFile?: string): NodeClock {
  let offset = 0;
  const reload = () => {
    if (!offsetFile) return 0;
    try {
      const value = Number(readFileSync(offsetFile, 'utf8').trim() || '0');
      offset = Number.isFinite(value) ? value : 0;
    } catch {
      offset = 0;
    }
    return offset;
  };
  reload();
  return { now: offsetFile ? () => new Date(Date.now() + offset) : () => new Date(), reload };
}
