/**
 * Runs async tasks one at a time, in the order they were queued. The drivers put every unit of
 * work through one queue: a unit may await between its calls, and nothing else may touch the
 * connection (or the in-memory state) until it has committed or rolled back.
 *
 * Not reentrant: a task that queues another task on the same queue and awaits it deadlocks.
 * Detecting that would need AsyncLocalStorage, which on Node 20 slows every promise in the
 * process; the store README documents the rule instead.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<R>(task: () => Promise<R>): Promise<R> {
    const result = this.#tail.then(task);
    // The next task waits for this one however it ends; its failure belongs to its caller only.
    this.#tail = result.catch(ignore);
    return result;
  }

  /** Resolves once every task queued so far has ended. */
  async drain(): Promise<void> {
    await this.#tail;
  }
}

function ignore(): void {}
