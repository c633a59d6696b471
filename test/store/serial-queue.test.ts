import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SerialQueue } from '../../src/store/serial-queue.js';

describe('SerialQueue', () => {
  it('runs tasks one at a time in order, past failures', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const task = (name: string, fail = false) => async () => {
      running++;
      assert.equal(running, 1);
      log.push(`start ${name}`);
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`end ${name}`);
      running--;
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([queue.run(task('a')), queue.run(task('b', true)), queue.run(task('c'))]);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('drain waits for every task queued so far', async () => {
    const queue = new SerialQueue();
    let done = 0;
    for (let i = 0; i < 3; i++) {
      void queue.run(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        done++;
      });
    }
    void queue.run(async () => {
      throw new Error('ignored by drain');
    }).catch(() => undefined);
    await queue.drain();
    assert.equal(done, 3);
  });
});
