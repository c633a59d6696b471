/**
 * What a node start-up has opened, closed in reverse order by the node's close() or when the start
 * fails (a port in use, say): a failed start must leave no worker thread or open file behind.
 */
export class Closers {
  private readonly closers: (() => Promise<void> | void)[] = [];

  constructor(private readonly log: (line: string) => void) {}

  push(close: () => Promise<void> | void): void {
    this.closers.push(close);
  }

  /** Closes everything pushed so far, newest first; a failure is logged and the rest still close. */
  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        this.log(`gatehouse: while closing: ${String(err)}`);
      }
    }
  }
}
