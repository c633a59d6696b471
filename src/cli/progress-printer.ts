import type { ProgressEvent } from '../analysis/progress.js';
import type { CliIo } from './io.js';

/**
 * Progress of long phases on stderr, a line per tenth of a phase of 100 items or more:
 * `gatehouse access-review: import 40%`, `… review 1200/5000 principals`.
 */
export function progressPrinter(command: string, io: CliIo): (e: ProgressEvent) => void {
  const last = new Map<string, number>();
  return (e) => {
    if (e.total < 100) return;
    const tenth = Math.floor((e.done * 10) / e.total);
    if (tenth === 0 || last.get(e.phase) === tenth) return;
    last.set(e.phase, tenth);
    const amount = e.phase === 'review' ? `${e.done}/${e.total} principals` : `${Math.floor((e.done * 100) / e.total)}%`;
    io.stderr(`gatehouse ${command}: ${e.phase} ${amount}\n`);
  };
}
