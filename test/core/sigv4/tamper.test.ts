import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { deriveSigningKey, deriveSigV4aKeyPair, parseSignature, verifySigV4, verifySigV4a, type HttpRequestParts } from '../../../src/core/sigv4/index.js';
import { SIGV4_FIXTURES, parseHttpMessage, readContext, readText, readWireRecords, sha256Hex, wireRequest } from './fixtures.js';

/**
 * Changing any byte the signature covers (a signed header, the body, method, path, query, the
 * signature itself, the date) must make verification fail; changing what it doesn't cover must not.
 */

type Request = HttpRequestParts & { body: string };

interface Subject {
  name: string;
  req: Request;
  /** Parses and verifies, false on any parse failure: what a server would accept. */
  verifies: (req: HttpRequestParts) => boolean;
}

function sigV4Subject(name: string, req: Request, secret: string, options?: { normalizePath?: boolean }): Subject {
  return {
    name,
    req,
    verifies: (r) => {
      const parsed = parseSignature(r);
      if (!parsed.ok) return false;
      const { info } = parsed;
      return verifySigV4(r, info, deriveSigningKey(secret, info.date, info.region ?? '', info.service), options);
    },
  };
}

function sigV4aSubject(name: string, req: Request, publicKey: KeyObject, options?: { normalizePath?: boolean }): Subject {
  return {
    name,
    req,
    verifies: (r) => {
      const parsed = parseSignature(r);
      return parsed.ok && verifySigV4a(r, parsed.info, publicKey, options);
    },
  };
}

const records = new Map(readWireRecords().map((r) => [r.id, r]));
function wire(id: string): { req: Request; secret: string; akid: string } {
  const record = records.get(id);
  assert.ok(record, id);
  return { req: wireRequest(record), secret: record.credentials.secretAccessKey, akid: record.credentials.accessKeyId };
}

const V4 = `${SIGV4_FIXTURES}/aws-c-auth/v4`;
const V4A = `${SIGV4_FIXTURES}/aws-c-auth/v4a`;
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const vectorKey = deriveSigV4aKeyPair('AKIDEXAMPLE', SECRET).publicKey;
const v4aWire = wire('045-sdk-sigv4a');
const wireKey = deriveSigV4aKeyPair(v4aWire.akid, v4aWire.secret).publicKey;

function vector(dir: string, form: 'header' | 'query'): Request {
  return parseHttpMessage(readText(`${dir}/${form}-signed-request.txt`));
}

const SUBJECTS: Subject[] = [
  sigV4Subject('CLI v1 (body hashed, no x-amz-content-sha256)', wire('001-v1-iam-list-users').req, wire('001-v1-iam-list-users').secret),
  sigV4Subject('JS SDK (x-amz-content-sha256 signed)', wire('030-sdk-basic').req, wire('030-sdk-basic').secret),
  sigV4Subject('CLI v1 with a session token, under a path prefix', wire('017-v1-session-token-sts').req, wire('017-v1-session-token-sts').secret),
  sigV4Subject('JS SDK with an empty region', wire('047-sdk-sigv4a').req, wire('047-sdk-sigv4a').secret),
  sigV4aSubject('JS SDK SigV4a', v4aWire.req, wireKey),
  sigV4Subject('presigned POST with body', vector(`${V4}/post-x-www-form-urlencoded`, 'query'), SECRET),
  sigV4Subject('presigned GET with parameters', vector(`${V4}/get-vanilla-query-order-encoded`, 'query'), SECRET),
  sigV4Subject('repeated header', vector(`${V4}/get-header-value-order`, 'header'), SECRET),
  sigV4aSubject('SigV4a header vector with body', vector(`${V4A}/post-x-www-form-urlencoded`, 'header'), vectorKey),
  sigV4aSubject('SigV4a presigned vector', vector(`${V4A}/get-vanilla-query`, 'query'), vectorKey),
];

function signedHeaderNames(req: HttpRequestParts): string[] {
  const parsed = parseSignature(req);
  assert.ok(parsed.ok);
  return parsed.info.signedHeaders;
}

function withHeaders(req: Request, headers: ReadonlyArray<readonly [string, string]>): Request {
  return { ...req, headers };
}

function withBody(req: Request, body: string): Request {
  return { ...req, body, bodySha256: sha256Hex(body) };
}

function replaceSignature(req: Request, replace: (signature: string) => string): Request {
  const parsed = parseSignature(req);
  assert.ok(parsed.ok);
  const signature = parsed.info.signature;
  if (parsed.info.form === 'query') return { ...req, query: req.query.replace(`X-Amz-Signature=${signature}`, `X-Amz-Signature=${replace(signature)}`) };
  return withHeaders(
    req,
    req.headers.map(([n, v]): [string, string] => [n, n.toLowerCase() === 'authorization' ? v.replace(`Signature=${signature}`, `Signature=${replace(signature)}`) : v]),
  );
}

describe('tampering', () => {
  for (const subject of SUBJECTS) {
    describe(subject.name, () => {
      const { req } = subject;

      test('verifies untouched', () => {
        assert.equal(subject.verifies(req), true);
      });

      test('each signed header value changed: fails', () => {
        const parsed = parseSignature(req);
        assert.ok(parsed.ok);
        const signed = new Set(signedHeaderNames(req));
        let changed = 0;
        req.headers.forEach(([name], index) => {
          if (!signed.has(name.toLowerCase())) return;
          const headers = req.headers.map(([n, v], i): [string, string] => [n, i === index ? v + 'x' : v]);
          assert.equal(subject.verifies(withHeaders(req, headers)), false, `${name} changed`);
          changed++;
        });
        assert.ok(changed >= (parsed.info.form === 'query' ? 1 : 2));
      });

      test('a signed header repeated or dropped: fails', () => {
        const signed = new Set(signedHeaderNames(req));
        const target = req.headers.find(([name]) => signed.has(name.toLowerCase()));
        assert.ok(target);
        assert.equal(subject.verifies(withHeaders(req, [...req.headers, [target[0], target[1]]])), false);
        assert.equal(subject.verifies(withHeaders(req, req.headers.filter((h) => h !== target))), false);
      });

      test('the body changed: fails (with or without a matching x-amz-content-sha256)', () => {
        const body = req.body === '' ? 'x' : req.body + '&Extra=1';
        const tampered = withBody(req, body);
        assert.equal(subject.verifies(tampered), false);
        const rehashed = withHeaders(
          tampered,
          tampered.headers.map(([n, v]): [string, string] => [n, n.toLowerCase() === 'x-amz-content-sha256' ? tampered.bodySha256 : v]),
        );
        assert.equal(subject.verifies(rehashed), false);
      });

      test('the method, path or query changed: fails', () => {
        assert.equal(subject.verifies({ ...req, method: req.method === 'POST' ? 'GET' : 'POST' }), false);
        assert.equal(subject.verifies({ ...req, path: req.path + 'x' }), false);
        assert.equal(subject.verifies({ ...req, path: '/other' + req.path }), false);
        assert.equal(subject.verifies({ ...req, query: req.query === '' ? 'a=b' : req.query + '&a=b' }), false);
        if (req.query !== '') {
          // Change one character of the first parameter's value.
          const eq = req.query.indexOf('=');
          assert.equal(subject.verifies({ ...req, query: req.query.slice(0, eq + 1) + 'Z' + req.query.slice(eq + 1) }), false);
        }
      });

      test('the signature changed: fails', () => {
        const flip = (s: string) => s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');
        assert.equal(subject.verifies(replaceSignature(req, flip)), false, 'last digit flipped');
        assert.equal(subject.verifies(replaceSignature(req, (s) => s.slice(0, -2))), false, 'truncated');
        assert.equal(subject.verifies(replaceSignature(req, (s) => s + '00')), false, 'extended');
        assert.equal(subject.verifies(replaceSignature(req, (s) => s + 'zz')), false, 'junk appended');
        assert.equal(subject.verifies(replaceSignature(req, (s) => s.toUpperCase())), false, 'uppercase hex');
        assert.equal(subject.verifies(replaceSignature(req, () => '')), false, 'empty');
      });

      test('the date changed by one second: fails', () => {
        const bump = (d: string) => d.slice(0, 13) + String((Number(d.slice(13, 15)) + 1) % 60).padStart(2, '0') + 'Z';
        const parsed = parseSignature(req);
        assert.ok(parsed.ok);
        const date = parsed.info.amzDate;
        const tampered =
          parsed.info.form === 'query'
            ? { ...req, query: req.query.replace(`X-Amz-Date=${date}`, `X-Amz-Date=${bump(date)}`) }
            : withHeaders(req, req.headers.map(([n, v]): [string, string] => [n, n.toLowerCase() === 'x-amz-date' ? bump(v) : v]));
        assert.notDeepEqual(tampered, req);
        assert.equal(subject.verifies(tampered), false);
      });

      test('unsigned headers changed, added or removed, and signed header names recased: still verifies', () => {
        const signed = new Set(signedHeaderNames(req));
        const covered = (name: string) => signed.has(name.toLowerCase()) || name.toLowerCase() === 'authorization';
        const unsignedChanged = req.headers.map(([n, v]): [string, string] => [n, covered(n) ? v : v + ' (changed)']);
        assert.equal(subject.verifies(withHeaders(req, [...unsignedChanged, ['X-Added-Later', 'anything'], ['User-Agent', 'proxy/1.0']])), true);
        const unsignedDropped = req.headers.filter(([n]) => covered(n));
        assert.equal(subject.verifies(withHeaders(req, unsignedDropped)), true);
        const recased = req.headers.map(([n, v]): [string, string] => [signed.has(n.toLowerCase()) ? n.toUpperCase() : n, v]);
        assert.equal(subject.verifies(withHeaders(req, recased)), true);
        const reversed = [...req.headers].reverse();
        // Reversing changes the relative order of distinct headers only, unless a signed header repeats.
        const repeats = req.headers.some(([n], i) => req.headers.findIndex(([m]) => m.toLowerCase() === n.toLowerCase()) !== i);
        assert.equal(subject.verifies(withHeaders(req, reversed)), !repeats);
      });
    });
  }

  test('the wrong key fails: another secret, date, region or service', () => {
    const { req, secret } = wire('001-v1-iam-list-users');
    const parsed = parseSignature(req);
    assert.ok(parsed.ok);
    const { info } = parsed;
    assert.equal(verifySigV4(req, info, deriveSigningKey(secret, info.date, 'us-east-1', 'iam')), true);
    assert.equal(verifySigV4(req, info, deriveSigningKey(secret + 'x', info.date, 'us-east-1', 'iam')), false);
    assert.equal(verifySigV4(req, info, deriveSigningKey(secret, '20261122', 'us-east-1', 'iam')), false);
    assert.equal(verifySigV4(req, info, deriveSigningKey(secret, info.date, 'us-east-2', 'iam')), false);
    assert.equal(verifySigV4(req, info, deriveSigningKey(secret, info.date, 'us-east-1', 'sts')), false);
    // Nor does a SigV4a key verify a SigV4 request, or the other way round.
    assert.equal(verifySigV4a(req, info, wireKey), false);
    const v4a = parseSignature(v4aWire.req);
    assert.ok(v4a.ok);
    assert.equal(verifySigV4(v4aWire.req, v4a.info, deriveSigningKey(v4aWire.secret, v4a.info.date, '', 'sts')), false);
    assert.equal(verifySigV4a(v4aWire.req, v4a.info, vectorKey), false);
  });

  test('x-amz-content-sha256 must be the body hash: UNSIGNED-PAYLOAD and other hashes fail', () => {
    const { req, secret } = wire('030-sdk-basic');
    const parsed = parseSignature(req);
    assert.ok(parsed.ok);
    const key = deriveSigningKey(secret, parsed.info.date, parsed.info.region ?? '', parsed.info.service);
    for (const value of ['UNSIGNED-PAYLOAD', sha256Hex('other'), 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD']) {
      const headers = req.headers.map(([n, v]): [string, string] => [n, n === 'x-amz-content-sha256' ? value : v]);
      assert.equal(verifySigV4({ ...req, headers }, parsed.info, key), false, value);
    }
    // The caller's body hash must match the header too.
    assert.equal(verifySigV4({ ...req, bodySha256: sha256Hex('') }, parsed.info, key), false);
  });

  test('an unsigned session token (added after signing) may change; a signed one may not', () => {
    const after = parseHttpMessage(readText(`${V4}/post-sts-header-after/header-signed-request.txt`));
    const before = parseHttpMessage(readText(`${V4}/post-sts-header-before/header-signed-request.txt`));
    const ctx = readContext(`${V4}/post-sts-header-after`);
    const check = sigV4Subject('', after, ctx.credentials.secret_access_key).verifies;
    const retoken = (r: Request) => withHeaders(r, r.headers.map(([n, v]): [string, string] => [n, n === 'X-Amz-Security-Token' ? v + 'x' : v]));
    assert.equal(check(after), true);
    assert.equal(check(retoken(after)), true);
    assert.equal(check(before), true);
    assert.equal(check(retoken(before)), false);
  });

  test('repeated values of a signed header must keep their order', () => {
    const req = vector(`${V4}/get-header-value-order`, 'header');
    const values = req.headers.filter(([n]) => n === 'My-Header1');
    assert.equal(values.length, 4);
    const others = req.headers.filter(([n]) => n !== 'My-Header1');
    const check = sigV4Subject('', req, SECRET).verifies;
    assert.equal(check(withHeaders(req, [...others, ...values])), true);
    assert.equal(check(withHeaders(req, [...others, ...[...values].reverse()])), false);
  });

  test('path normalisation: "//" and "/./" are the same path when normalising (as clients sign), different when not', () => {
    const { req, secret } = wire('010-v1-endpoint-path');
    assert.equal(req.path, '/some/prefix/');
    const normalising = sigV4Subject('', req, secret).verifies;
    const literal = sigV4Subject('', req, secret, { normalizePath: false }).verifies;
    assert.equal(normalising(req), true);
    assert.equal(literal(req), true);
    for (const path of ['/some//prefix/', '/some/./prefix/', '/some/x/../prefix/']) {
      assert.equal(normalising({ ...req, path }), true, path);
      assert.equal(literal({ ...req, path }), false, path);
    }
    assert.equal(normalising({ ...req, path: '/some/prefix' }), false);
    assert.equal(normalising({ ...req, path: '/some/prefiX/' }), false);
    assert.equal(normalising({ ...req, path: '/some/prefix%2F' }), false);
  });
});
