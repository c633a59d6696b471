import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../src/core/errors/index.js';
import { decodeForm, DEFAULT_FORM_LIMITS } from '../../src/protocol/index.js';

const entries = (body: string) => [...decodeForm(body)];

function rejects(fn: () => unknown, code: string, message?: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, String(e));
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('decodeForm', () => {
  test('plain pairs, any order', () => {
    assert.deepEqual(entries('Version=2010-05-08&Action=ListUsers'), [
      ['Version', '2010-05-08'],
      ['Action', 'ListUsers'],
    ]);
  });

  test("'+' and %20 are both spaces; %2B is a plus", () => {
    assert.equal(decodeForm('a=x+y').get('a'), 'x y');
    assert.equal(decodeForm('a=x%20y').get('a'), 'x y');
    assert.equal(decodeForm('a=x%2By').get('a'), 'x+y');
    assert.equal(decodeForm('a+b=1').get('a b'), '1');
  });

  test('UTF-8 percent-encoding, including 4-byte characters; raw non-ASCII passes through', () => {
    assert.equal(decodeForm('k=%C3%BC').get('k'), 'ü');
    assert.equal(decodeForm('k=%E2%9C%93').get('k'), '✓');
    assert.equal(decodeForm('k=%F0%9F%98%80').get('k'), '😀');
    assert.equal(decodeForm('k=ü').get('k'), 'ü');
    assert.equal(decodeForm('k=a%26b%3Dc').get('k'), 'a&b=c');
  });

  test('empty values, missing =, empty pairs and names', () => {
    assert.deepEqual(entries('Tags=&a&&b=2&'), [
      ['Tags', ''],
      ['a', ''],
      ['b', '2'],
    ]);
    assert.deepEqual(entries(''), []);
    assert.deepEqual(entries('=x&&&'), []);
    assert.equal(decodeForm('a=b=c').get('a'), 'b=c');
  });

  test('a repeated name keeps its last value', () => {
    assert.equal(decodeForm('UserName=a&UserName=b').get('UserName'), 'b');
  });

  test('malformed percent-encoding is MalformedQueryString', () => {
    for (const body of ['a=%zz', 'a=%', 'a=%4', 'a=%C3', 'a=%C3%28', 'a=%ED%A0%80', 'a=%C0%AF', 'a%=1']) {
      rejects(() => decodeForm(body), 'MalformedQueryString', /Invalid percent-encoding/);
    }
    const e = (() => {
      try {
        decodeForm('Action=CreateUser&UserName=%E2%9C');
      } catch (err) {
        return err as AwsError;
      }
      return undefined;
    })();
    assert.equal(e?.httpStatus, 404);
    assert.match(e?.message ?? '', /the value of UserName: "%E2%9C"/);
  });

  test('limits from the caller; partial limits fall back to the defaults', () => {
    rejects(() => decodeForm('a=1&b=2&c=3', { maxParameters: 2 }), 'RequestEntityTooLarge', /more than 2 parameters/);
    assert.equal(decodeForm('a=1&b=2', { maxParameters: 2 }).size, 2);
    rejects(() => decodeForm(`${'k'.repeat(11)}=1`, { maxKeyLength: 10 }), 'RequestEntityTooLarge', /Parameter name longer than 10/);
    rejects(() => decodeForm(`k=${'%C3%BC'.repeat(11)}`, { maxValueLength: 10 }), 'RequestEntityTooLarge', /Value of parameter k is longer than 10/);
    // Lengths are counted decoded: 10 encoded characters are 10, not 60.
    assert.equal(decodeForm(`k=${'%C3%BC'.repeat(10)}`, { maxValueLength: 10 }).get('k'), 'ü'.repeat(10));
    assert.equal(decodeForm('a=1', {}).get('a'), '1');
    assert.equal(DEFAULT_FORM_LIMITS.maxParameters, 5000);
  });

  test('the default value limit admits the largest modelled value (a 2 MiB certificate chain)', () => {
    const chain = 'A'.repeat(2_097_152);
    assert.equal(decodeForm(`CertificateChain=${chain}`).get('CertificateChain')?.length, 2_097_152);
  });
});
