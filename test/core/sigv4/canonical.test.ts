import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  checkRequestTime,
  deriveSigningKey,
  deriveSigV4aKeyPair,
  normalizeUriPath,
  parseSignature,
  signRequest,
  verifySigV4,
  verifySigV4a,
  type HttpRequestParts,
} from '../../../src/core/sigv4/index.js';
import { normalizeHeaderValue } from '../../../src/core/sigv4/request-headers.js';
import { sha256Hex } from './fixtures.js';

describe('canonical URI (non-S3: the wire path encoded once more)', () => {
  test('unreserved characters and slashes stay, everything else is %XX of its UTF-8 bytes', () => {
    assert.equal(canonicalUri('/-._~AZaz09/', false), '/-._~AZaz09/');
    assert.equal(canonicalUri('/example space/', false), '/example%20space/');
    assert.equal(canonicalUri('/ሴ', false), '/%E1%88%B4');
    assert.equal(canonicalUri('/😀', false), '/%F0%9F%98%80');
    assert.equal(canonicalUri("/!'()*+,;=:@$&", false), '/%21%27%28%29%2A%2B%2C%3B%3D%3A%40%24%26');
  });

  test('escapes already on the wire are encoded again (double encoding)', () => {
    assert.equal(canonicalUri('/a%20b/%2F', false), '/a%2520b/%252F');
  });

  test('an empty path is "/"', () => {
    assert.equal(canonicalUri('', false), '/');
    assert.equal(canonicalUri('', true), '/');
  });

  test('normalisation removes dot segments and empty segments, keeping a trailing slash', () => {
    assert.equal(normalizeUriPath('/'), '/');
    assert.equal(normalizeUriPath('/some/prefix/'), '/some/prefix/');
    assert.equal(normalizeUriPath('//example//'), '/example/');
    assert.equal(normalizeUriPath('/example1/example2/../..'), '/');
    assert.equal(normalizeUriPath('/./'), '/');
    assert.equal(normalizeUriPath('/a/./b/../c'), '/a/c');
    assert.equal(normalizeUriPath('/../a'), '/a');
    assert.equal(normalizeUriPath('/a/.hidden/..b'), '/a/.hidden/..b');
  });

  test('lone surrogates encode as U+FFFD instead of throwing', () => {
    assert.equal(canonicalUri('/\ud800', false), '/%EF%BF%BD');
    assert.equal(canonicalUri('/\udc00x', false), '/%EF%BF%BDx');
  });
});

describe('canonical query string', () => {
  test('parameters are re-encoded and sorted by key, then value', () => {
    assert.equal(canonicalQuery('b=2&a=1&a=0', false), 'a=0&a=1&b=2');
    assert.equal(canonicalQuery('Param1=value2&Param1=Value1', false), 'Param1=Value1&Param1=value2');
    assert.equal(canonicalQuery('%E1%88%B4=Value1&Param=Value2&Param-3=Value3', false), '%E1%88%B4=Value1&Param=Value2&Param-3=Value3');
  });

  test('decoding then encoding gives one spelling per value', () => {
    assert.equal(canonicalQuery('a=%41%7e%7E%2f', false), 'a=A~~%2F');
    assert.equal(canonicalQuery('a=%c3%a9', false), 'a=%C3%A9');
    assert.equal(canonicalQuery('a=é', false), 'a=%C3%A9');
    assert.equal(canonicalQuery('a=x y', false), 'a=x%20y');
  });

  test("'+' is a literal plus, not a space", () => {
    assert.equal(canonicalQuery('a=x+y', false), 'a=x%2By');
  });

  test('bad escapes are literal percent signs; invalid UTF-8 bytes stay bytes', () => {
    assert.equal(canonicalQuery('a=%&b=%4&c=%zz&d=100%', false), 'a=%25&b=%254&c=%25zz&d=100%25');
    assert.equal(canonicalQuery('a=%FF%FE', false), 'a=%FF%FE');
  });

  test('keys without "=" get an empty value; empty pieces are dropped', () => {
    assert.equal(canonicalQuery('flag&&a=1&', false), 'a=1&flag=');
    assert.equal(canonicalQuery('=x', false), '=x');
  });

  test('the query form drops X-Amz-Signature, however it is spelled', () => {
    assert.equal(canonicalQuery('X-Amz-Signature=abc&a=1', true), 'a=1');
    assert.equal(canonicalQuery('X%2DAmz-Signature=abc&a=1', true), 'a=1');
    assert.equal(canonicalQuery('X-Amz-Signature=abc&a=1', false), 'X-Amz-Signature=abc&a=1');
  });
});

describe('header values', () => {
  test('trimmed, with whitespace runs (including folded lines) collapsed to one space', () => {
    assert.equal(normalizeHeaderValue('value1'), 'value1');
    assert.equal(normalizeHeaderValue('  value1  '), 'value1');
    assert.equal(normalizeHeaderValue('"a   b   c"'), '"a b c"');
    assert.equal(normalizeHeaderValue('value1\n  value2\n     value3'), 'value1 value2 value3');
    assert.equal(normalizeHeaderValue('a\tb'), 'a b');
    assert.equal(normalizeHeaderValue('   '), '');
    assert.equal(normalizeHeaderValue(''), '');
  });
});

/** A small deterministic generator, so a failing input can be reproduced. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ALPHABET = ['%', '%2', '%ZZ', '%E1%88', '+', '&', '=', '/', '..', '.', ' ', '\t', '\n', ',', ';', 'ሴ', '\ud800', '😀', 'A', 'z', '0', '-', 'X-Amz-Signature', 'X-Amz-Algorithm', 'AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256', 'Credential=', 'SignedHeaders=', 'Signature=', 'host', 'aws4_request', '20150830T123600Z', '\u0000', '\u00ff'];

function garbage(next: () => number, max: number): string {
  let out = '';
  const n = Math.floor(next() * max);
  for (let i = 0; i < n; i++) out += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return out;
}

describe('never throws on malformed input', () => {
  const key = deriveSigningKey('secret', '20150830', 'us-east-1', 'iam');
  const { publicKey } = deriveSigV4aKeyPair('AKID', 'secret');

  test('5000 random requests: parse, canonicalise, check time and verify all return', () => {
    const next = prng(20261121);
    for (let i = 0; i < 5000; i++) {
      const headers: Array<[string, string]> = [];
      const count = Math.floor(next() * 6);
      for (let h = 0; h < count; h++) {
        const names = ['Host', 'Authorization', 'X-Amz-Date', 'Date', 'X-Amz-Region-Set', 'x-amz-content-sha256', 'X-Amz-Security-Token', garbage(next, 3)];
        headers.push([names[Math.floor(next() * names.length)], garbage(next, 12)]);
      }
      const req: HttpRequestParts = { method: garbage(next, 2) || 'GET', path: garbage(next, 8), query: garbage(next, 12), headers, bodySha256: sha256Hex(String(i)) };
      const parsed = parseSignature(req);
      if (parsed.ok) {
        canonicalRequest(req, parsed.info);
        checkRequestTime(parsed.info, new Date(0));
        assert.equal(verifySigV4(req, parsed.info, key), false);
        assert.equal(verifySigV4a(req, parsed.info, publicKey), false);
      } else {
        assert.equal(typeof parsed.failure.message, 'string');
      }
    }
  });

  test('a valid request with each header and the query garbled by random strings still answers', () => {
    const base = signRequest(
      { method: 'POST', path: '/', query: 'a=1', headers: [['Host', 'h'], ['Content-Type', 'x']], bodySha256: sha256Hex('') },
      { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      { now: new Date('2015-08-30T12:36:00Z'), region: 'us-east-1', service: 'iam' },
    );
    const next = prng(7);
    for (let i = 0; i < 2000; i++) {
      const at = Math.floor(next() * base.headers.length);
      const headers = base.headers.map(([n, v], j): [string, string] => [n, j === at ? v.slice(0, Math.floor(next() * v.length)) + garbage(next, 6) : v]);
      const req = { ...base, headers, query: next() < 0.5 ? base.query : garbage(next, 10) };
      const parsed = parseSignature(req);
      if (parsed.ok) assert.equal(typeof verifySigV4(req, parsed.info, key), 'boolean');
    }
  });

  test('huge values', () => {
    const big = 'A'.repeat(1 << 20);
    const req: HttpRequestParts = {
      method: 'POST',
      path: '/' + big,
      query: `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${big}&X-Amz-Signature=${big}&X-Amz-SignedHeaders=host&X-Amz-Date=20150830T123600Z`,
      headers: [['Host', big], ['Authorization', 'AWS4-HMAC-SHA256 ' + 'Credential=x,'.repeat(50_000)]],
      bodySha256: sha256Hex(''),
    };
    assert.equal(parseSignature(req).ok, false);
    const query = { ...req, headers: [['Host', big]] as Array<[string, string]> };
    assert.equal(parseSignature(query).ok, false);
    const v4aSig = parseSignature({ ...req, query: '', headers: [['Host', 'h'], ['X-Amz-Date', '20150830T123600Z'], ['X-Amz-Region-Set', '*'], ['Authorization', `AWS4-ECDSA-P256-SHA256 Credential=AKID/20150830/iam/aws4_request, SignedHeaders=host;x-amz-region-set, Signature=${'ab'.repeat(100_000)}`]] });
    assert.ok(v4aSig.ok);
    assert.equal(verifySigV4a({ ...req, headers: [] }, v4aSig.info, publicKey), false);
  });
});
