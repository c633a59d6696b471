/**
 * The one behaviour suite every store driver passes (see src/store/ports.ts). A driver's test
 * file calls `runStoreDriverSuite` with a factory for fresh, empty stores; anything a driver
 * adds of its own (files, pragmas, crashes) lives in that driver's test file.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreClosedError, TransactionEndedError } from '../../src/store/ports.js';
import type { ChangeRecord, EntityRecord, ReadTx, Store, WriteTx } from '../../src/store/ports.js';

export interface OpenedStore {
  store: Store;
  /** Opens the same data again, after the test has closed `store`; absent for volatile drivers. */
  reopen?: () => Promise<Store>;
  cleanup(): Promise<void>;
}

export interface OpenOptions {
  now?: () => Date;
}

export type OpenStore = (options?: OpenOptions) => Promise<OpenedStore>;

const ACCOUNT = '111122223333';
const OTHER = '444455556666';

/** A promise and the function that settles it, to hold a unit of work open at a known point. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Lets every queued microtask and I/O callback run, without depending on time. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A clock that moves one second per reading, from a fixed start. */
function steppingClock(): () => Date {
  let t = Date.parse('2030-01-02T03:04:05.000Z');
  return () => new Date((t += 1000));
}

async function ids(store: Store, kind: string, options?: Parameters<ReadTx['list']>[1]): Promise<string[]> {
  const page = await store.read((tx) => tx.list(kind, options));
  return page.items.map((r) => r.id);
}

async function allChanges(store: Store): Promise<ChangeRecord[]> {
  return store.changesSince(0, 1_000_000);
}

export function runStoreDriverSuite(name: string, open: OpenStore): void {
  async function withStore(test: (store: Store, opened: OpenedStore) => Promise<void>, options?: OpenOptions): Promise<void> {
    const opened = await open(options);
    try {
      await test(opened.store, opened);
    } finally {
      await opened.store.close();
      await opened.cleanup();
    }
  }

  describe(`store driver: ${name}`, () => {
    describe('records', () => {
      it('starts empty', () =>
        withStore(async (store) => {
          assert.equal(await store.revision(), 0);
          assert.deepEqual(await allChanges(store), []);
          await store.read(async (tx) => {
            assert.equal(await tx.get('user', `${ACCOUNT}/alice`), undefined);
            assert.deepEqual(await tx.list('user'), { items: [] });
            assert.equal(await tx.count('user'), 0);
          });
        }));

      it('puts and gets a record stamped with the revision of its write', () =>
        withStore(async (store) => {
          const written = await store.write((tx) => tx.put('user', `${ACCOUNT}/alice`, ACCOUNT, { name: 'Alice' }).then(() => 'done'));
          assert.deepEqual(written, { result: 'done', revision: 1, changed: true });
          const record = await store.read((tx) => tx.get('user', `${ACCOUNT}/alice`));
          assert.deepEqual(record, { kind: 'user', id: `${ACCOUNT}/alice`, account: ACCOUNT, data: { name: 'Alice' }, revision: 1 });
        }));

      it('put replaces the data and the account and restamps the revision', () =>
        withStore(async (store) => {
          await store.write((tx) => tx.put('user', 'u1', ACCOUNT, { v: 1 }));
          await store.write((tx) => tx.put('user', 'other', ACCOUNT, {}));
          await store.write((tx) => tx.put('user', 'u1', OTHER, { v: 2 }));
          const record = await store.read((tx) => tx.get('user', 'u1'));
          assert.deepEqual(record, { kind: 'user', id: 'u1', account: OTHER, data: { v: 2 }, revision: 3 });
          assert.equal(await store.read((tx) => tx.count('user')), 2);
        }));

      it('insert writes only when the id is free', () =>
        withStore(async (store) => {
          const first = await store.write((tx) => tx.insert('role', 'r1', ACCOUNT, { v: 1 }));
          assert.deepEqual(first, { result: true, revision: 1, changed: true });
          const second = await store.write((tx) => tx.insert('role', 'r1', OTHER, { v: 2 }));
          assert.deepEqual(second, { result: false, revision: 1, changed: false });
          assert.deepEqual(await store.read((tx) => tx.get('role', 'r1')), { kind: 'role', id: 'r1', account: ACCOUNT, data: { v: 1 }, revision: 1 });
          assert.equal((await allChanges(store)).length, 1);
        }));

      it('delete removes a record and says whether there was one', () =>
        withStore(async (store) => {
          await store.write((tx) => tx.put('group', 'g1', ACCOUNT, { v: 1 }));
          const deleted = await store.write((tx) => tx.delete('group', 'g1'));
          assert.deepEqual(deleted, { result: true, revision: 2, changed: true });
          assert.equal(await store.read((tx) => tx.get('group', 'g1')), undefined);
          const again = await store.write((tx) => tx.delete('group', 'g1'));
          assert.deepEqual(again, { result: false, revision: 2, changed: false });
          assert.equal(await store.read((tx) => tx.count('group')), 0);
        }));

      it('keeps kinds apart', () =>
        withStore(async (store) => {
          await store.write(async (tx) => {
            await tx.put('user', 'same', ACCOUNT, { kind: 'user' });
            await tx.put('role', 'same', ACCOUNT, { kind: 'role' });
          });
          assert.deepEqual((await store.read((tx) => tx.get('user', 'same')))?.data, { kind: 'user' });
          await store.write((tx) => tx.delete('role', 'same'));
          assert.deepEqual((await store.read((tx) => tx.get('user', 'same')))?.data, { kind: 'user' });
          assert.equal(await store.read((tx) => tx.count('role')), 0);
        }));

      it('hands out copies: neither the caller nor a reader can change stored data in place', () =>
        withStore(async (store) => {
          const data = { tags: ['a'], nested: { n: 1 } };
          await store.write((tx) => tx.put('user', 'u', ACCOUNT, data));
          data.tags.push('mutated');
          const first = await store.read((tx) => tx.get<typeof data>('user', 'u'));
          assert.ok(first);
          first.data.nested.n = 99;
          const second = await store.read((tx) => tx.get<typeof data>('user', 'u'));
          assert.deepEqual(second?.data, { tags: ['a'], nested: { n: 1 } });
        }));

      it('a unit reads its own writes, and each get hands out a fresh copy', () =>
        withStore(async (store) => {
          await store.write((tx) => tx.put('user', 'u', ACCOUNT, { v: 1, list: ['a'] }));
          await store.write(async (tx) => {
            const first = await tx.get<{ v: number; list: string[] }>('user', 'u');
            assert.ok(first);
            first.data.list.push('mutated');
            assert.deepEqual((await tx.get('user', 'u'))?.data, { v: 1, list: ['a'] });
            await tx.put('user', 'u', ACCOUNT, { v: 2 });
            assert.deepEqual(await tx.get('user', 'u'), { kind: 'user', id: 'u', account: ACCOUNT, data: { v: 2 }, revision: 2 });
            assert.equal(await tx.get('user', 'new'), undefined);
            assert.equal(await tx.insert('user', 'new', ACCOUNT, { v: 3 }), true);
            assert.deepEqual((await tx.get('user', 'new'))?.data, { v: 3 });
            await tx.delete('user', 'u');
            assert.equal(await tx.get('user', 'u'), undefined);
          });
          await store.read(async (tx) => {
            assert.equal(await tx.get('user', 'u'), undefined);
            const copy = await tx.get<{ v: number }>('user', 'new');
            assert.ok(copy);
            copy.data.v = 99;
            assert.deepEqual((await tx.get('user', 'new'))?.data, { v: 3 });
          });
        }));

      it('round-trips JSON: unicode, nesting and every JSON type', () =>
        withStore(async (store) => {
          const values: unknown[] = [
            {
              text: 'héllo wörld ✓ 日本語 👩‍👩‍👧 \u0000 \u2028 "quoted" \\ back',
              lone: 'half a pair: \ud83d',
              numbers: [0, -1, 1.5, 1e-7, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
              flags: [true, false, null],
              deep: { a: { b: { c: { d: [[[{ e: 'f' }]]] } } } },
              empty: { obj: {}, arr: [], str: '' },
            },
            'just a string',
            42,
            null,
            [1, 'two', { three: 3 }],
          ];
          await store.write(async (tx) => {
            for (const [i, value] of values.entries()) await tx.put('doc', `d${i}`, ACCOUNT, value);
          });
          const read = await store.read(async (tx) => Promise.all(values.map((_, i) => tx.get('doc', `d${i}`))));
          assert.deepEqual(
            read.map((r) => r?.data),
            values,
          );
          const changes = await allChanges(store);
          assert.deepEqual(
            changes.map((c) => c.data),
            values,
          );
        }));

      it('stores ids and accounts with any well-formed characters', () =>
        withStore(async (store) => {
          const odd = ['%', '_', '*', '?', '[a]', "it's", 'a\u0000b', 'ü', '😀', '\u{10FFFF}', 'x y', '/'];
          await store.write(async (tx) => {
            for (const id of odd) await tx.put('thing', id, `acct ${id}`, { id });
          });
          for (const id of odd) {
            const record = await store.read((tx) => tx.get('thing', id));
            assert.deepEqual(record, { kind: 'thing', id, account: `acct ${id}`, data: { id }, revision: 1 }, JSON.stringify(id));
          }
          assert.equal(await store.read((tx) => tx.count('thing')), odd.length);
        }));

      it('refuses bad arguments with TypeError or RangeError', () =>
        withStore(async (store) => {
          await store.write(async (tx) => {
            await assert.rejects(tx.put('', 'id', ACCOUNT, {}), TypeError);
            await assert.rejects(tx.put('user', '', ACCOUNT, {}), TypeError);
            await assert.rejects(tx.put('user', 'bad\ud800', ACCOUNT, {}), TypeError);
            await assert.rejects(tx.put('user', 'id', 'bad\udc00', {}), TypeError);
            await assert.rejects(tx.put('user', 'id', 7 as unknown as string, {}), TypeError);
            await assert.rejects(tx.put('user', 'id', ACCOUNT, undefined), TypeError);
            await assert.rejects(tx.insert('user', 'id', ACCOUNT, () => 1), TypeError);
            await assert.rejects(tx.get('user', 'bad\ud800'), TypeError);
            await assert.rejects(tx.list('user', { limit: 0 }), RangeError);
            await assert.rejects(tx.list('user', { limit: 1.5 }), RangeError);
            await assert.rejects(tx.list('user', { prefix: '\udfff' }), TypeError);
          });
          await assert.rejects(store.changesSince(-1, 10), RangeError);
          await assert.rejects(store.changesSince(0, 0), RangeError);
          assert.equal(await store.revision(), 0);
        }));
    });

    describe('list and count', () => {
      it('lists in code point order (the order of UTF-8 bytes), not UTF-16 order', () =>
        withStore(async (store) => {
          // UTF-16 puts U+1F600 (a surrogate pair) before U+FF5E; code point order after it.
          const shuffled = ['b', '\u{1F600}', 'a', '\uFF5E', 'ab', 'A', 'a\u0000', 'é', '\u{10FFFF}', 'Z', '0'];
          await store.write(async (tx) => {
            for (const id of shuffled) await tx.put('k', id, ACCOUNT, {});
          });
          assert.deepEqual(await ids(store, 'k'), ['0', 'A', 'Z', 'a', 'a\u0000', 'ab', 'b', 'é', '\uFF5E', '\u{1F600}', '\u{10FFFF}']);
          // Paging through the same order one record at a time.
          const paged: string[] = [];
          let after: string | undefined;
          do {
            const page = await store.read((tx) => tx.list('k', { limit: 1, after }));
            paged.push(...page.items.map((r) => r.id));
            after = page.next;
          } while (after !== undefined);
          assert.deepEqual(paged, await ids(store, 'k'));
        }));

      it('pages with limit, next and after', () =>
        withStore(async (store) => {
          await store.write(async (tx) => {
            for (let i = 0; i < 7; i++) await tx.put('user', `${ACCOUNT}/u${i}`, ACCOUNT, { i });
          });
          const first = await store.read((tx) => tx.list<{ i: number }>('user', { limit: 3 }));
          assert.deepEqual(
            first.items.map((r) => r.data.i),
            [0, 1, 2],
          );
          assert.equal(first.next, `${ACCOUNT}/u2`);
          const second = await store.read((tx) => tx.list('user', { limit: 3, after: first.next }));
          assert.deepEqual(
            second.items.map((r) => r.id),
            [`${ACCOUNT}/u3`, `${ACCOUNT}/u4`, `${ACCOUNT}/u5`],
          );
          assert.equal(second.next, `${ACCOUNT}/u5`);
          const last = await store.read((tx) => tx.list('user', { limit: 3, after: second.next }));
          assert.deepEqual(
            last.items.map((r) => r.id),
            [`${ACCOUNT}/u6`],
          );
          assert.equal(last.next, undefined);
          assert.equal('next' in last, false);
          // A page that ends exactly at the last record says nothing remains.
          const exact = await store.read((tx) => tx.list('user', { limit: 7 }));
          assert.equal(exact.items.length, 7);
          assert.equal(exact.next, undefined);
          // `after` need not be an existing id.
          assert.deepEqual(await ids(store, 'user', { after: `${ACCOUNT}/u3x` }), [`${ACCOUNT}/u4`, `${ACCOUNT}/u5`, `${ACCOUNT}/u6`]);
          assert.deepEqual(await ids(store, 'user', { after: `${ACCOUNT}/z` }), []);
        }));

      it('matches a prefix exactly, whatever its characters', () =>
        withStore(async (store) => {
          const all = ['a%b/1', 'a%b/2', 'aXb/1', 'a_b/1', 'a_b', 'abb/1', 'a*b/1', 'a?b/1', 'a[b]/1', 'a\\b/1', 'a%', 'b', '\u{10FFFF}', '\u{10FFFF}\u{10FFFF}', '\u{10FFFF}a', 'z\u{10FFFF}', 'z\u{10FFFF}\u{10FFFF}x', '\uD7FF', '\uD7FFa', '\uE000'];
          await store.write(async (tx) => {
            for (const id of all) await tx.put('p', id, ACCOUNT, {});
          });
          const cases: Record<string, string[]> = {
            'a%b/': ['a%b/1', 'a%b/2'],
            'a_b': ['a_b', 'a_b/1'],
            'a*': ['a*b/1'],
            'a?b': ['a?b/1'],
            'a[': ['a[b]/1'],
            'a\\': ['a\\b/1'],
            'a%': ['a%', 'a%b/1', 'a%b/2'],
            '\u{10FFFF}': ['\u{10FFFF}', '\u{10FFFF}a', '\u{10FFFF}\u{10FFFF}'],
            '\u{10FFFF}\u{10FFFF}': ['\u{10FFFF}\u{10FFFF}'],
            'z\u{10FFFF}': ['z\u{10FFFF}', 'z\u{10FFFF}\u{10FFFF}x'],
            '\uD7FF': ['\uD7FF', '\uD7FFa'],
            'nothing': [],
          };
          for (const [prefix, expected] of Object.entries(cases)) {
            assert.deepEqual(await ids(store, 'p', { prefix }), expected, `prefix ${JSON.stringify(prefix)}`);
            assert.equal(await store.read((tx) => tx.count('p', { prefix })), expected.length, `count prefix ${JSON.stringify(prefix)}`);
          }
          assert.equal((await ids(store, 'p', { prefix: '' })).length, all.length);
        }));

      it('filters by account, with prefix, after and limit', () =>
        withStore(async (store) => {
          await store.write(async (tx) => {
            for (let i = 0; i < 6; i++) {
              await tx.put('user', `${ACCOUNT}/u${i}`, ACCOUNT, { i });
              await tx.put('user', `${OTHER}/u${i}`, OTHER, { i });
            }
            // Interleaved ids, so the account filter is not the same as a prefix.
            await tx.put('user', `${ACCOUNT}/u2b`, OTHER, {});
          });
          assert.deepEqual(await ids(store, 'user', { account: OTHER, prefix: `${ACCOUNT}/` }), [`${ACCOUNT}/u2b`]);
          assert.equal(await store.read((tx) => tx.count('user', { account: ACCOUNT })), 6);
          assert.equal(await store.read((tx) => tx.count('user', { account: OTHER })), 7);
          assert.equal(await store.read((tx) => tx.count('user', { account: OTHER, prefix: `${OTHER}/` })), 6);
          assert.equal(await store.read((tx) => tx.count('user', { account: 'nobody' })), 0);
          const page = await store.read((tx) => tx.list('user', { account: OTHER, limit: 2, after: `${ACCOUNT}/u0` }));
          assert.deepEqual(
            page.items.map((r) => r.id),
            [`${ACCOUNT}/u2b`, `${OTHER}/u0`],
          );
          assert.equal(page.next, `${OTHER}/u0`);
          const rest = await store.read((tx) => tx.list('user', { account: OTHER, prefix: `${OTHER}/`, after: page.next, limit: 10 }));
          assert.deepEqual(
            rest.items.map((r) => r.id),
            [1, 2, 3, 4, 5].map((i) => `${OTHER}/u${i}`),
          );
          assert.equal(rest.next, undefined);
          assert.ok(rest.items.every((r) => r.account === OTHER && r.kind === 'user'));
        }));

      it('a write unit reads its own writes', () =>
        withStore(async (store) => {
          await store.write((tx) => tx.put('user', 'before', ACCOUNT, { v: 0 }));
          await store.write(async (tx) => {
            await tx.put('user', 'new', ACCOUNT, { v: 1 });
            await tx.delete('user', 'before');
            assert.deepEqual(await tx.get('user', 'new'), { kind: 'user', id: 'new', account: ACCOUNT, data: { v: 1 }, revision: 2 });
            assert.equal(await tx.get('user', 'before'), undefined);
            assert.deepEqual(
              (await tx.list('user')).items.map((r) => r.id),
              ['new'],
            );
            assert.equal(await tx.count('user'), 1);
            assert.equal(await tx.insert('user', 'new', ACCOUNT, {}), false);
          });
        }));
    });

    describe('revisions and the change log', () => {
      it('gives each changing write the next revision and logs its changes in order', () =>
        withStore(
          async (store) => {
            const r1 = await store.write(async (tx) => {
              await tx.put('user', 'a', ACCOUNT, { v: 1 });
              await tx.put('user', 'b', ACCOUNT, { v: 1 });
              await tx.delete('user', 'a');
              await tx.put('user', 'a', OTHER, { v: 2 });
            });
            assert.equal(r1.revision, 1);
            const r2 = await store.write((tx) => tx.delete('user', 'b'));
            assert.equal(r2.revision, 2);
            assert.equal(await store.revision(), 2);
            assert.deepEqual(await allChanges(store), [
              { revision: 1, seq: 1, kind: 'user', id: 'a', account: ACCOUNT, op: 'put', data: { v: 1 }, time: '2030-01-02T03:04:06.000Z' },
              { revision: 1, seq: 2, kind: 'user', id: 'b', account: ACCOUNT, op: 'put', data: { v: 1 }, time: '2030-01-02T03:04:06.000Z' },
              { revision: 1, seq: 3, kind: 'user', id: 'a', account: ACCOUNT, op: 'delete', time: '2030-01-02T03:04:06.000Z' },
              { revision: 1, seq: 4, kind: 'user', id: 'a', account: OTHER, op: 'put', data: { v: 2 }, time: '2030-01-02T03:04:06.000Z' },
              { revision: 2, seq: 1, kind: 'user', id: 'b', account: ACCOUNT, op: 'delete', time: '2030-01-02T03:04:07.000Z' },
            ]);
            assert.deepEqual(await store.read((tx) => tx.get('user', 'a')), { kind: 'user', id: 'a', account: OTHER, data: { v: 2 }, revision: 1 });
          },
          { now: steppingClock() },
        ));

      it('read-only and no-op writes take no revision and log nothing', () =>
        withStore(async (store) => {
          await store.write((tx) => tx.put('user', 'a', ACCOUNT, {}));
          const readOnly = await store.write(async (tx) => (await tx.get('user', 'a'))?.id);
          assert.deepEqual(readOnly, { result: 'a', revision: 1, changed: false });
          const noOp = await store.write(async (tx) => {
            await tx.insert('user', 'a', ACCOUNT, { ignored: true });
            await tx.delete('user', 'missing');
            return 'nothing';
          });
          assert.deepEqual(noOp, { result: 'nothing', revision: 1, changed: false });
          const empty = await store.write(async () => undefined);
          assert.deepEqual(empty, { result: undefined, revision: 1, changed: false });
          assert.equal(await store.read(async () => 'read result'), 'read result');
          assert.equal(await store.revision(), 1);
          assert.equal((await allChanges(store)).length, 1);
          const next = await store.write((tx) => tx.put('user', 'b', ACCOUNT, {}));
          assert.equal(next.revision, 2);
        }));

      it("a unit's tx.revision() is the latest committed revision, before its own in a write", () =>
        withStore(async (store) => {
          assert.equal(await store.read((tx) => tx.revision()), 0);
          await store.write((tx) => tx.put('user', 'a', ACCOUNT, {}));
          assert.equal(await store.read((tx) => tx.revision()), 1);
          const inWrite = await store.write(async (tx) => {
            const before = await tx.revision();
            await tx.put('user', 'b', ACCOUNT, {});
            return [before, await tx.revision()];
          });
          assert.deepEqual(inWrite, { result: [1, 1], revision: 2, changed: true });
          // Writes started together: each sees the one before it.
          const seen = await Promise.all([1, 2, 3].map((i) => store.write(async (tx) => [await tx.revision(), await tx.put('user', `c${i}`, ACCOUNT, {})][0])));
          assert.deepEqual(
            seen.map((r) => [r.result, r.revision]),
            [
              [2, 3],
              [3, 4],
              [4, 5],
            ],
          );
          assert.equal(await store.read((tx) => tx.revision()), 5);
        }));

      it('changesSince returns entries after a revision, in whole revisions', () =>
        withStore(async (store) => {
          // Revisions with 1, 3, 1, 4 and 2 changes.
          for (const size of [1, 3, 1, 4, 2]) {
            await store.write(async (tx) => {
              for (let i = 0; i < size; i++) await tx.put('c', `size${size}/${i}`, ACCOUNT, { i });
            });
          }
          const shape = (changes: ChangeRecord[]) => changes.map((c) => `${c.revision}.${c.seq}`);
          assert.deepEqual(shape(await store.changesSince(0, 100)), ['1.1', '2.1', '2.2', '2.3', '3.1', '4.1', '4.2', '4.3', '4.4', '5.1', '5.2']);
          assert.deepEqual(shape(await store.changesSince(2, 100)), ['3.1', '4.1', '4.2', '4.3', '4.4', '5.1', '5.2']);
          assert.deepEqual(shape(await store.changesSince(5, 100)), []);
          assert.deepEqual(shape(await store.changesSince(99, 100)), []);
          // The limit falls inside revision 2: stop before it.
          assert.deepEqual(shape(await store.changesSince(0, 2)), ['1.1']);
          assert.deepEqual(shape(await store.changesSince(0, 4)), ['1.1', '2.1', '2.2', '2.3']);
          assert.deepEqual(shape(await store.changesSince(0, 5)), ['1.1', '2.1', '2.2', '2.3', '3.1']);
          // The first revision alone is larger than the limit: it comes whole.
          assert.deepEqual(shape(await store.changesSince(3, 2)), ['4.1', '4.2', '4.3', '4.4']);
          assert.deepEqual(shape(await store.changesSince(1, 1)), ['2.1', '2.2', '2.3']);
          // Reading the whole log page by page gives the whole log.
          const paged: ChangeRecord[] = [];
          let after = 0;
          while (true) {
            const page = await store.changesSince(after, 3);
            if (page.length === 0) break;
            paged.push(...page);
            after = (page[page.length - 1] as ChangeRecord).revision;
          }
          assert.deepEqual(paged, await allChanges(store));
        }));
    });

    describe('units of work', () => {
      it('rolls back everything when the unit throws, and rethrows the error', () =>
        withStore(async (store) => {
          await store.write((tx) => tx.put('user', 'kept', ACCOUNT, { v: 1 }));
          const boom = new Error('boom');
          await assert.rejects(
            store.write(async (tx) => {
              await tx.put('user', 'kept', ACCOUNT, { v: 2 });
              await tx.put('user', 'new', ACCOUNT, {});
              await settle();
              await tx.delete('user', 'kept');
              await tx.insert('group', 'g', ACCOUNT, {});
              throw boom;
            }),
            (err) => err === boom,
          );
          assert.equal(await store.revision(), 1);
          assert.equal((await allChanges(store)).length, 1);
          await store.read(async (tx) => {
            assert.deepEqual((await tx.get('user', 'kept'))?.data, { v: 1 });
            assert.equal(await tx.get('user', 'new'), undefined);
            assert.equal(await tx.count('user'), 1);
            assert.equal(await tx.count('group'), 0);
          });
          // No gap: the next write takes the revision the failed one would have had.
          assert.equal((await store.write((tx) => tx.put('user', 'later', ACCOUNT, {}))).revision, 2);
        }));

      it('rolls back when a store call inside the unit fails', () =>
        withStore(async (store) => {
          await assert.rejects(
            store.write(async (tx) => {
              await tx.put('user', 'a', ACCOUNT, {});
              await tx.put('user', 'b', ACCOUNT, undefined);
            }),
            TypeError,
          );
          assert.equal(await store.read((tx) => tx.get('user', 'a')), undefined);
          assert.equal(await store.revision(), 0);
        }));

      it('a unit that catches a refused call and carries on still commits the rest', () =>
        withStore(async (store) => {
          const result = await store.write(async (tx) => {
            await tx.put('user', 'a', ACCOUNT, {});
            await tx.put('user', '', ACCOUNT, {}).catch(() => undefined);
            await tx.put('user', 'b', ACCOUNT, {});
          });
          assert.equal(result.revision, 1);
          assert.deepEqual(
            (await allChanges(store)).map((c) => c.id),
            ['a', 'b'],
          );
        }));

      it('serializes concurrent writes: 50 read-modify-write units, consecutive revisions', () =>
        withStore(async (store) => {
          await store.write((tx) => tx.put('counter', 'c', ACCOUNT, { n: 0 }));
          const writes = Array.from({ length: 50 }, (_, i) =>
            store.write(async (tx) => {
              const current = await tx.get<{ n: number }>('counter', 'c');
              // Yield to the event loop between the read and the write: without serialization,
              // every unit would read the same n.
              await settle();
              const n = (current?.data.n ?? -1) + 1;
              await tx.put('counter', 'c', ACCOUNT, { n });
              await tx.put('item', `i${String(i).padStart(2, '0')}`, ACCOUNT, { i, n });
              return n;
            }),
          );
          const results = await Promise.all(writes);
          const revisions = results.map((r) => r.revision).sort((a, b) => a - b);
          assert.deepEqual(
            revisions,
            Array.from({ length: 50 }, (_, i) => i + 2),
          );
          // Units run in the order they were started.
          assert.deepEqual(
            results.map((r) => r.result),
            Array.from({ length: 50 }, (_, i) => i + 1),
          );
          assert.deepEqual((await store.read((tx) => tx.get('counter', 'c')))?.data, { n: 50 });
          assert.equal(await store.read((tx) => tx.count('item')), 50);
          const changes = await allChanges(store);
          assert.equal(changes.length, 1 + 50 * 2);
          for (const { revision, result } of results) {
            const mine = changes.filter((c) => c.revision === revision);
            assert.deepEqual(
              mine.map((c) => c.data),
              [{ n: result }, { i: result - 1, n: result }],
            );
          }
        }));

      it('a unit that throws among writes started together rolls back only its own work', () =>
        withStore(async (store) => {
          const [first, failed, third] = await Promise.allSettled([
            store.write((tx) => tx.put('user', 'a', ACCOUNT, { v: 1 })),
            store.write(async (tx) => {
              await tx.put('user', 'a', ACCOUNT, { v: 'lost' });
              await tx.put('user', 'b', ACCOUNT, {});
              throw new Error('boom');
            }),
            store.write(async (tx) => {
              const a = await tx.get<{ v: number }>('user', 'a');
              await tx.put('user', 'c', ACCOUNT, { sawA: a?.data.v });
            }),
          ]);
          assert.equal(first.status === 'fulfilled' && first.value.revision, 1);
          assert.equal(failed.status, 'rejected');
          assert.equal(third.status === 'fulfilled' && third.value.revision, 2);
          await store.read(async (tx) => {
            assert.deepEqual((await tx.get('user', 'a'))?.data, { v: 1 });
            assert.equal(await tx.get('user', 'b'), undefined);
            assert.deepEqual((await tx.get('user', 'c'))?.data, { sawA: 1 });
          });
          assert.deepEqual(
            (await allChanges(store)).map((c) => `${c.revision}:${c.id}`),
            ['1:a', '2:c'],
          );
        }));

      it('a read started during a write never sees its uncommitted data', () =>
        withStore(async (store) => {
          await store.write((tx) => tx.put('user', 'a', ACCOUNT, { v: 1 }));
          const inside = gate();
          const release = gate();
          const failing = store.write(async (tx) => {
            await tx.put('user', 'a', ACCOUNT, { v: 'uncommitted' });
            await tx.put('user', 'b', ACCOUNT, {});
            inside.open();
            await release.promise;
            throw new Error('abandon');
          });
          await inside.promise;
          const reads = [
            store.read(async (tx) => [await tx.get('user', 'a'), await tx.get('user', 'b'), await tx.count('user')] as const),
            store.revision(),
            store.changesSince(0, 100),
          ] as const;
          await settle();
          release.open();
          await assert.rejects(failing, /abandon/);
          const [[a, b, count], revision, changes] = await Promise.all(reads);
          assert.deepEqual(a?.data, { v: 1 });
          assert.equal(b, undefined);
          assert.equal(count, 1);
          assert.equal(revision, 1);
          assert.equal(changes.length, 1);
        }));

      it('a read sees a committed write either whole or not at all', () =>
        withStore(async (store) => {
          const inside = gate();
          const release = gate();
          const writing = store.write(async (tx) => {
            await tx.put('user', 'a', ACCOUNT, { v: 1 });
            inside.open();
            await release.promise;
            await tx.put('user', 'b', ACCOUNT, { v: 1 });
          });
          await inside.promise;
          const reading = store.read(async (tx) => {
            const a = await tx.get('user', 'a');
            await settle();
            const b = await tx.get('user', 'b');
            return [a !== undefined, b !== undefined];
          });
          await settle();
          release.open();
          await writing;
          const seen = await reading;
          assert.ok(seen[0] === seen[1], `saw a=${seen[0]} b=${seen[1]}`);
        }));

      it('refuses a transaction used after its unit ended', () =>
        withStore(async (store) => {
          let leakedWrite: WriteTx | undefined;
          let leakedRead: ReadTx | undefined;
          await store.write(async (tx) => {
            leakedWrite = tx;
            await tx.put('user', 'a', ACCOUNT, {});
          });
          await store.read(async (tx) => {
            leakedRead = tx;
          });
          assert.ok(leakedWrite && leakedRead);
          const w = leakedWrite;
          const r = leakedRead;
          await assert.rejects(w.put('user', 'late', ACCOUNT, {}), TransactionEndedError);
          await assert.rejects(w.insert('user', 'late', ACCOUNT, {}), TransactionEndedError);
          await assert.rejects(w.delete('user', 'a'), TransactionEndedError);
          await assert.rejects(w.get('user', 'a'), TransactionEndedError);
          await assert.rejects(r.get('user', 'a'), TransactionEndedError);
          await assert.rejects(r.list('user'), TransactionEndedError);
          await assert.rejects(r.count('user'), TransactionEndedError);
          // Also while another unit is running: the leaked tx must not write into it.
          await store.write(async (tx) => {
            await assert.rejects(w.put('user', 'sneaky', ACCOUNT, {}), TransactionEndedError);
            await tx.put('user', 'b', ACCOUNT, {});
          });
          // And after a unit that failed.
          let failedTx: WriteTx | undefined;
          await assert.rejects(
            store.write(async (tx) => {
              failedTx = tx;
              throw new Error('fail');
            }),
          );
          await assert.rejects((failedTx as WriteTx).put('user', 'c', ACCOUNT, {}), TransactionEndedError);
          assert.deepEqual(await ids(store, 'user'), ['a', 'b']);
          assert.equal(await store.revision(), 2);
        }));

      it('a read unit cannot write through a cast', () =>
        withStore(async (store) => {
          await assert.rejects(store.read((tx) => (tx as WriteTx).put('user', 'a', ACCOUNT, {})));
          assert.equal(await store.revision(), 0);
          assert.equal(await store.read((tx) => tx.count('user')), 0);
        }));
    });

    describe('closing', () => {
      it('close is idempotent, waits for the running unit, and refuses units after it', () =>
        withStore(async (store, opened) => {
          const inside = gate();
          const release = gate();
          const writing = store.write(async (tx) => {
            await tx.put('user', 'a', ACCOUNT, { v: 1 });
            inside.open();
            await release.promise;
            await tx.put('user', 'b', ACCOUNT, { v: 1 });
          });
          await inside.promise;
          let closed = false;
          const closing = store.close().then(() => {
            closed = true;
          });
          await settle();
          assert.equal(closed, false);
          await assert.rejects(store.read(async () => 1), StoreClosedError);
          await assert.rejects(store.write(async () => 1), StoreClosedError);
          await assert.rejects(store.revision(), StoreClosedError);
          await assert.rejects(store.changesSince(0, 1), StoreClosedError);
          release.open();
          assert.equal((await writing).revision, 1);
          await closing;
          assert.equal(closed, true);
          await store.close();
          if (opened.reopen) {
            const again = await opened.reopen();
            try {
              assert.equal(await again.revision(), 1);
              assert.equal(await again.read((tx) => tx.count('user')), 2);
            } finally {
              await again.close();
            }
          }
        }));
    });

    describe('persistence', () => {
      it('keeps records, revision and change log across a reopen', async (t) => {
        const opened = await open({ now: steppingClock() });
        try {
          if (!opened.reopen) {
            t.skip('volatile driver');
            return;
          }
          const { store } = opened;
          await store.write(async (tx) => {
            await tx.put('user', `${ACCOUNT}/a`, ACCOUNT, { name: 'ä 😀', list: [1, { x: null }] });
            await tx.put('user', `${ACCOUNT}/b`, ACCOUNT, { name: 'b' });
          });
          await store.write((tx) => tx.delete('user', `${ACCOUNT}/b`));
          await store.write((tx) => tx.put('role', `${OTHER}/r`, OTHER, { trust: {} }));
          const records: EntityRecord[] = [...(await store.read((tx) => tx.list('user'))).items, ...(await store.read((tx) => tx.list('role'))).items];
          const changes = await allChanges(store);
          await store.close();

          const again = await opened.reopen();
          try {
            assert.equal(await again.revision(), 3);
            assert.deepEqual([...(await again.read((tx) => tx.list('user'))).items, ...(await again.read((tx) => tx.list('role'))).items], records);
            assert.deepEqual(await allChanges(again), changes);
            assert.equal((await again.write((tx) => tx.put('user', `${ACCOUNT}/c`, ACCOUNT, {}))).revision, 4);
          } finally {
            await again.close();
          }
        } finally {
          await opened.store.close();
          await opened.cleanup();
        }
      });
    });
  });
}
