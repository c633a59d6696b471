import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { describe, test } from 'node:test';
import { canonicalRequest, checkRequestTime, deriveSigningKey, parseSignature, stringToSign, verifySigV4 } from '../../../src/core/sigv4/index.js';
import { SIGV4_FIXTURES, parseHttpMessage, readText } from './fixtures.js';

/**
 * The classic "AWS Signature Version 4 Test Suite" (botocore's copy): .creq, .sts and .authz from the
 * signed request .sreq. All its cases are non-S3, so paths are normalised. Its form-encoded POST
 * cases carry no x-amz-content-sha256 (as the AWS CLI sends them): the body hash is the payload hash.
 * The .authz file is the reference: upstream's get-vanilla-with-session-token.sreq carries a wrong
 * signature (a slice of the token), so the request verified is the .sreq with .authz as its Authorization.
 */
const BROKEN_SREQ = 'get-vanilla-with-session-token/get-vanilla-with-session-token';
const SUITE = `${SIGV4_FIXTURES}/aws-sig-v4-test-suite`;
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const NOW = new Date('2015-08-30T12:36:00Z');

const CASES = (readdirSync(SUITE, { recursive: true }) as string[])
  .filter((p) => p.endsWith('.sreq'))
  .map((p) => `${SUITE}/${dirname(p)}/${basename(p, '.sreq')}`)
  .sort();

describe('aws-sig-v4-test-suite', () => {
  test('the suite has its 34 cases', () => {
    assert.equal(CASES.length, 34);
  });

  for (const stem of CASES) {
    test(stem.slice(SUITE.length + 1), () => {
      const sreq = parseHttpMessage(readText(`${stem}.sreq`));
      const authz = readText(`${stem}.authz`);
      const sent = sreq.headers.find(([name]) => name === 'Authorization')?.[1];
      if (stem.endsWith(BROKEN_SREQ)) assert.notEqual(sent, authz);
      else assert.equal(sent, authz);
      const req = { ...sreq, headers: sreq.headers.map(([name, value]): [string, string] => [name, name === 'Authorization' ? authz : value]) };
      const parsed = parseSignature(req);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.failure.message);
      const { info } = parsed;
      assert.equal(canonicalRequest(req, info), readText(`${stem}.creq`));
      assert.equal(stringToSign(req, info), readText(`${stem}.sts`));
      assert.equal(info.signature, /Signature=([0-9a-f]+)$/.exec(authz)?.[1]);
      assert.equal(verifySigV4(req, info, deriveSigningKey(SECRET, info.date, info.region ?? '', info.service)), true);
      assert.equal(checkRequestTime(info, NOW), undefined);
    });
  }

  test('the broken upstream .sreq does not verify (its signature is not the .authz one)', () => {
    const req = parseHttpMessage(readText(`${SUITE}/${BROKEN_SREQ}.sreq`));
    const parsed = parseSignature(req);
    assert.ok(parsed.ok);
    assert.equal(verifySigV4(req, parsed.info, deriveSigningKey(SECRET, '20150830', 'us-east-1', 'service')), false);
  });
});
