import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { javaPatternToRegExp } from '../../src/protocol/index.js';
import { SERVICE_MODELS } from '../../src/protocol/models/index.js';

const matches = (pattern: string, value: string) => javaPatternToRegExp(pattern).test(value);

describe('javaPatternToRegExp', () => {
  test('every pattern of the IAM and STS models translates', () => {
    let count = 0;
    for (const model of Object.values(SERVICE_MODELS)) {
      for (const shape of Object.values(model.shapes)) {
        if (shape.type === 'string' && shape.pattern !== undefined) {
          assert.ok(javaPatternToRegExp(shape.pattern) instanceof RegExp, shape.pattern);
          count++;
        }
      }
    }
    assert.ok(count >= 60, `${count} patterns`);
  });

  test('the whole value must match (String.matches)', () => {
    assert.equal(matches('[\\w+=,.@-]+', 'alice@example.com'), true);
    assert.equal(matches('[\\w+=,.@-]+', 'bad name'), false);
    assert.equal(matches('[\\w+=,.@-]+', ''), false);
    assert.equal(matches('[\\w+=,.@-]*', ''), true);
    // An alternation is anchored as a whole: neither side may match a part only.
    const path = '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)';
    assert.equal(matches(path, '/'), true);
    assert.equal(matches(path, '/eng/'), true);
    assert.equal(matches(path, '/eng'), false);
    assert.equal(matches(path, 'x/'), false);
  });

  test('\\uXXXX ranges (policy documents are Latin-1 in IAM)', () => {
    const doc = '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+';
    assert.equal(matches(doc, '{"Version":"2012-10-17"}\n\tü'), true);
    assert.equal(matches(doc, 'ā'), false, 'U+0101 is above U+00FF');
    assert.equal(matches(doc, '\u0001'), false);
    const prefix = '\\u002F[\\u0021-\\u007F]*';
    assert.equal(matches(prefix, '/a/b'), true);
    assert.equal(matches(prefix, '/a b'), false);
  });

  test('supplementary code points in the STS ARN pattern mean U+10000..U+10FFFF', () => {
    const arn = '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+';
    assert.equal(matches(arn, 'arn:aws:iam::123456789012:role/r'), true);
    assert.equal(matches(arn, 'arn😀'), true);
    assert.equal(matches(arn, 'arn\u0001'), false);
    assert.equal(matches(arn, 'arn\uD800'), false, 'a lone surrogate is not a character');
  });

  test('Unicode categories and escaped punctuation', () => {
    const tagKey = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+';
    assert.equal(matches(tagKey, 'Équipe 42_.:/=+-@'), true);
    assert.equal(matches(tagKey, 'a*b'), false);
    assert.equal(matches(tagKey, '✓'), false, 'a symbol is neither letter, separator nor number');
    assert.equal(matches('[\\w+=,.@\\:-]*', 'a:b'), true, '\\: is a colon');
    assert.equal(matches('[\\w+=,.@:\\/-]*', 'a/b:c'), true);
    assert.equal(matches('^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$', 'my-alias'), true);
    assert.equal(matches('^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$', 'my--alias'), false);
    assert.equal(matches('v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?', 'v12'), true);
    assert.equal(matches('((/[A-Za-z0-9\\.,\\+@=_-]+)*)/', '/a/b.c/'), true);
  });

  test("Java's \\s is ASCII whitespace only", () => {
    assert.equal(matches('a\\sb', 'a b'), true);
    assert.equal(matches('a\\sb', 'a\u00A0b'), false);
    assert.equal(matches('[\\s]+', ' \t'), true);
  });

  test('constructs it cannot translate fail loudly', () => {
    assert.throws(() => javaPatternToRegExp('[a-z&&[^b]]'), /class intersection|nested/);
    assert.throws(() => javaPatternToRegExp('\\Qabc\\E'), /unsupported escape/);
    assert.throws(() => javaPatternToRegExp('\\p{IsAlphabetic}'), /unsupported property/);
    assert.throws(() => javaPatternToRegExp('[abc'), /unterminated/);
  });
});
