import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compileGlob, globMatch, hasWildcard } from '../../../src/core/policy/glob.js';

/**
 * IAM wildcards ("IAM JSON policy elements: Action / Resource", "String condition operators"):
 * `*` matches any run of characters including none, `?` exactly one character; everything else
 * is literal and case-sensitive.
 */

describe('globMatch', () => {
  test('a pattern without wildcards is an exact, case-sensitive comparison', () => {
    assert.equal(globMatch('s3:GetObject', 's3:GetObject'), true);
    assert.equal(globMatch('s3:GetObject', 's3:getobject'), false);
    assert.equal(globMatch('s3:GetObject', 's3:GetObjectAcl'), false, 'no implicit prefix match');
    assert.equal(globMatch('s3:GetObjectAcl', 's3:GetObject'), false);
    assert.equal(globMatch('', ''), true);
    assert.equal(globMatch('', 'a'), false);
  });

  test('* matches any run of characters, including none', () => {
    assert.equal(globMatch('*', ''), true);
    assert.equal(globMatch('*', 'anything at all'), true);
    assert.equal(globMatch('s3:*', 's3:'), true);
    assert.equal(globMatch('s3:*', 's3:GetObject'), true);
    assert.equal(globMatch('s3:Get*', 's3:GetObject'), true);
    assert.equal(globMatch('s3:Get*', 's3:PutObject'), false);
    assert.equal(globMatch('*Object', 's3:GetObject'), true);
    assert.equal(globMatch('*Object', 's3:GetObjectAcl'), false);
  });

  test('* crosses "/" and ":" (a resource wildcard spans path segments)', () => {
    assert.equal(globMatch('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b/c.txt'), true);
    assert.equal(globMatch('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket'), false);
    assert.equal(globMatch('arn:aws:*', 'arn:aws:iam::111122223333:user/alice'), true);
  });

  test('? matches exactly one character', () => {
    assert.equal(globMatch('file?.txt', 'file1.txt'), true);
    assert.equal(globMatch('file?.txt', 'file.txt'), false);
    assert.equal(globMatch('file?.txt', 'file12.txt'), false);
    assert.equal(globMatch('???', 'abc'), true);
    assert.equal(globMatch('???', 'ab'), false);
    assert.equal(globMatch('?', '/'), true);
  });

  test('several stars backtrack correctly', () => {
    assert.equal(globMatch('a*b*c', 'axxbyyc'), true);
    assert.equal(globMatch('a*b*c', 'abc'), true);
    assert.equal(globMatch('a*b*c', 'axxbyy'), false);
    assert.equal(globMatch('a*b*c', 'acb'), false);
    assert.equal(globMatch('*a*a*a*', 'banana'), true);
    assert.equal(globMatch('*a*a*a*a*', 'banana'), false);
    assert.equal(globMatch('**', ''), true);
    assert.equal(globMatch('*?', ''), false);
    assert.equal(globMatch('*?', 'x'), true);
    assert.equal(globMatch('a*?*b', 'ab'), false);
    assert.equal(globMatch('a*?*b', 'axb'), true);
  });

  test('regular-expression metacharacters are literal', () => {
    assert.equal(globMatch('a.b', 'a.b'), true);
    assert.equal(globMatch('a.b', 'axb'), false);
    assert.equal(globMatch('a+b(c)[d]$^', 'a+b(c)[d]$^'), true);
    assert.equal(globMatch('${aws:username}', '${aws:username}'), true);
  });

  test('offsets restrict matching to a part of the value and pattern', () => {
    // pattern "bc" against value[1..3) = "bc"
    assert.equal(globMatch('bc', 'abcd', 0, 1, 3), true);
    assert.equal(globMatch('bc', 'abcd', 0, 1, 4), false);
    // pattern part [2..4) = "c*" against value[2..4) = "cd"
    assert.equal(globMatch('abc*', 'abcd', 2, 2, 4, 4), true);
    assert.equal(globMatch('x*y', 'zzz', 1, 0, 3, 2), true, 'only the "*" of the pattern is used');
  });
});

describe('hasWildcard', () => {
  test('detects * and ?', () => {
    assert.equal(hasWildcard('s3:*'), true);
    assert.equal(hasWildcard('file?.txt'), true);
    assert.equal(hasWildcard('s3:GetObject'), false);
    assert.equal(hasWildcard(''), false);
  });
});

describe('compileGlob', () => {
  test('specialised shapes behave like globMatch', () => {
    assert.equal(compileGlob('*')(''), true);
    assert.equal(compileGlob('*')('x'), true);
    assert.equal(compileGlob('exact')('exact'), true);
    assert.equal(compileGlob('exact')('exactly'), false);
    assert.equal(compileGlob('pre*')('pre'), true);
    assert.equal(compileGlob('pre*')('prefix'), true);
    assert.equal(compileGlob('pre*')('pr'), false);
    assert.equal(compileGlob('pre?*')('pre'), false);
    assert.equal(compileGlob('pre?*')('prex'), true);
    assert.equal(compileGlob('*suf')('a-suf'), true);
    assert.equal(compileGlob('p*?')('p'), false);
  });

  test('agrees with globMatch on random patterns and values', () => {
    const pattern = fc.string({ unit: fc.constantFrom('a', 'b', ':', '/', '*', '?'), maxLength: 7 });
    const value = fc.string({ unit: fc.constantFrom('a', 'b', ':', '/', '*', '?'), maxLength: 8 });
    fc.assert(
      fc.property(pattern, value, (p, v) => {
        assert.equal(compileGlob(p)(v), globMatch(p, v), `pattern ${JSON.stringify(p)} value ${JSON.stringify(v)}`);
      }),
      { numRuns: 2000 },
    );
  });

  test('agrees with a regular-expression reference implementation', () => {
    const toRegExp = (p: string): RegExp =>
      new RegExp(`^${[...p].map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('')}$`);
    const unit = fc.constantFrom('a', 'b', '.', '*', '?');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 6 }), fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength: 8 }), (p, v) => {
        assert.equal(globMatch(p, v), toRegExp(p).test(v), `pattern ${JSON.stringify(p)} value ${JSON.stringify(v)}`);
      }),
      { numRuns: 2000 },
    );
  });
});
