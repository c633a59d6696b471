import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from '../../src/audit/canonical-json.js';
import { containsSecrets, REDACTED } from '../../src/audit/redact.js';

/**
 * The first implementation, kept as the specification: the chain MACs this text, so a faster
 * canonicalJson must produce exactly the same for every value, or old logs would stop verifying.
 */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => reference(item)).join(',')}]`;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return reference((value as { toJSON: () => unknown }).toJSON());
  const parts: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    parts.push(`${JSON.stringify(key)}:${reference(item)}`);
  }
  return `{${parts.join(',')}}`;
}

describe('canonicalJson', () => {
  test('sorts keys, drops undefined members, and escapes as JSON.stringify does', () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, undefined], c: undefined, 'é': 'x"\\\n\u0001\ud800😀' }), '{"a":[true,null,null],"b":1,"é":"x\\"\\\\\\n\\u0001\\ud800😀"}');
    assert.equal(canonicalJson(new Date(0)), '"1970-01-01T00:00:00.000Z"');
  });

  test('writes exactly what the reference implementation writes, for any JSON value and string', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
        assert.equal(canonicalJson(value), reference(value));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        assert.equal(canonicalJson(text), reference(text));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('containsSecrets', () => {
  test('finds a secret at any depth unless it is already redacted', () => {
    assert.equal(containsSecrets({ userName: 'a', tags: [{ key: 'k', value: 'v' }] }), false);
    assert.equal(containsSecrets({ requestParameters: { password: REDACTED } }), false);
    assert.equal(containsSecrets({ requestParameters: { Password: 'hunter2' } }), true);
    assert.equal(containsSecrets({ a: [{ b: { 'Credentials.SessionToken': 't' } }] }), true);
    assert.equal(containsSecrets({ secretAccessKey: { nested: REDACTED } }), true);
    assert.equal(containsSecrets('password'), false);
  });
});
