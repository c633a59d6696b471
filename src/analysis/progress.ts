/** Progress of long work (imports, analyses): `done` of `total` items of a named phase. */
export interface ProgressEvent {
  phase: string;
  done: number;
  total: number;
}

export type ProgressListener = (event: ProgressEvent) => void;

/**
 * Calls `listener` at most every `every` items and at the end of the phase, so reporting costs
 * nothing measurable in a loop over a hundred thousand items.
 */
export function progressReporter(listener: ProgressListener | undefined, phase: string, total: number, every = Math.max(1, Math.floor(total / 100))) {
  let last = -1;
  return (done: number): void => {
    if (!listener) return;
    if (done === total || done - last >= every) {
      last = done;
      listener({ phase, done, total });
    }
  };
}
