import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareIds, prefixUpperBound } from '../../src/store/id-order.js';

/**
 * The id order must be SQLite's (byte order of UTF-8) for every well-formed string, and the
 * prefix bound must turn "starts with" into an exact range. Random strings over an alphabet
 * that crowds the places where UTF-16 and code point order part ways.
 */
const ALPHABET = ['\u0000', 'a', 'b', '\u00e9', '\ud7ff', '\ue000', '\uff5e', '\uffff', '\u{10000}', '\u{1f600}', '\u{10fffe}', '\u{10ffff}'];
const id = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 5 }).map((chars) => chars.join(''));

const sign = (n: number) => Math.sign(n);
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('id order', () => {
  it('compareIds agrees with the byte order of UTF-8', () => {
    fc.assert(
      fc.property(id, id, (a, b) => {
        assert.equal(sign(compareIds(a, b)), sign(utf8Order(a, b)));
      }),
      { numRuns: 5000 },
    );
  });

  it('prefixUpperBound makes prefix matching a range', () => {
    fc.assert(
      fc.property(id, id, (prefix, s) => {
        const upper = prefixUpperBound(prefix);
        const inRange = compareIds(s, prefix) >= 0 && (upper === undefined || compareIds(s, upper) < 0);
        assert.equal(inRange, s.startsWith(prefix), `prefix ${JSON.stringify(prefix)} upper ${JSON.stringify(upper)} s ${JSON.stringify(s)}`);
      }),
      { numRuns: 5000 },
    );
  });

  it('prefixUpperBound edge cases', () => {
    assert.equal(prefixUpperBound(''), undefined);
    assert.equal(prefixUpperBound('ab'), 'ac');
    assert.equal(prefixUpperBound('a\u{10ffff}'), 'b');
    assert.equal(prefixUpperBound('\u{10ffff}\u{10ffff}'), undefined);
    assert.equal(prefixUpperBound('\ud7ff'), '\ue000');
    assert.equal(prefixUpperBound('\uffff'), '\u{10000}');
  });
});
