import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  canonicalRequest,
  checkRequestTime,
  deriveSigV4aKeyPair,
  parseSignature,
  regionSetIncludes,
  sigV4aPublicKeyFromXY,
  signRequest,
  stringToSign,
  verifySigV4a,
  type HttpRequestParts,
  type SigV4aKeyPair,
} from '../../../src/core/sigv4/index.js';
import { SIGV4_FIXTURES, exists, parseHttpMessage, readContext, readText, subdirectories, withoutQueryParameter } from './fixtures.js';

/**
 * aws-c-auth's SigV4a suite: the key derived from the credentials must equal public-key.json, the
 * canonical request and string to sign must match byte for byte, and both signatures of each form
 * (the one in *-signature.txt and the one inside *-signed-request.txt; ECDSA is randomised) must verify.
 */
const SUITE = `${SIGV4_FIXTURES}/aws-c-auth/v4a`;
const ALL = subdirectories(SUITE);
// Upstream's test list leaves out the two cases that only have context.json and request.txt.
const CASES = ALL.filter((name) => exists(`${SUITE}/${name}/header-signed-request.txt`));

const keyPairs = new Map<string, SigV4aKeyPair>();
function keyPairFor(accessKeyId: string, secret: string): SigV4aKeyPair {
  const id = `${accessKeyId}\n${secret}`;
  let pair = keyPairs.get(id);
  if (!pair) {
    pair = deriveSigV4aKeyPair(accessKeyId, secret);
    keyPairs.set(id, pair);
  }
  return pair;
}

describe('aws-c-auth v4a vectors', () => {
  test('38 complete cases, 2 partial ones skipped', () => {
    assert.equal(CASES.length, 38);
    assert.deepEqual(
      ALL.filter((n) => !CASES.includes(n)),
      ['get-vanilla-query-order-key', 'get-vanilla-query-order-value'],
    );
  });

  test('get-vanilla: the older canonical-request.txt / string-to-sign.txt duplicates agree', () => {
    const dir = `${SUITE}/get-vanilla`;
    const req = parseHttpMessage(readText(`${dir}/header-signed-request.txt`));
    const parsed = parseSignature(req);
    assert.ok(parsed.ok);
    assert.equal(canonicalRequest(req, parsed.info), readText(`${dir}/canonical-request.txt`));
    assert.equal(stringToSign(req, parsed.info), readText(`${dir}/string-to-sign.txt`));
  });

  for (const name of CASES) {
    const dir = `${SUITE}/${name}`;
    const ctx = readContext(dir);

    test(`${name}: derived public key equals public-key.json`, () => {
      const expected = JSON.parse(readText(`${dir}/public-key.json`)) as { X: string; Y: string };
      const pair = keyPairFor(ctx.credentials.access_key_id, ctx.credentials.secret_access_key);
      assert.deepEqual(pair.publicKeyXY, { x: expected.X.toLowerCase(), y: expected.Y.toLowerCase() });
    });

    for (const form of ['header', 'query'] as const) {
      test(`${name} (${form})`, () => {
        let req: HttpRequestParts = parseHttpMessage(readText(`${dir}/${form}-signed-request.txt`));
        if (form === 'query' && ctx.omit_session_token) {
          req = { ...req, query: withoutQueryParameter(req.query, 'X-Amz-Security-Token') };
        }
        const parsed = parseSignature(req);
        assert.ok(parsed.ok, parsed.ok ? '' : parsed.failure.message);
        const { info } = parsed;
        assert.equal(info.algorithm, 'AWS4-ECDSA-P256-SHA256');
        assert.equal(info.region, undefined);
        assert.deepEqual(info.regionSet, [ctx.region]);
        assert.equal(regionSetIncludes(info.regionSet ?? [], ctx.region), true);
        assert.equal(info.service, ctx.service);

        const options = { normalizePath: ctx.normalize };
        assert.equal(canonicalRequest(req, info, options), readText(`${dir}/${form}-canonical-request.txt`));
        assert.equal(stringToSign(req, info, options), readText(`${dir}/${form}-string-to-sign.txt`));

        const { publicKey } = keyPairFor(ctx.credentials.access_key_id, ctx.credentials.secret_access_key);
        const expected = JSON.parse(readText(`${dir}/public-key.json`)) as { X: string; Y: string };
        const shippedKey = sigV4aPublicKeyFromXY({ x: expected.X, y: expected.Y });
        assert.ok(shippedKey);
        const otherSignature = readText(`${dir}/${form}-signature.txt`);
        assert.notEqual(info.signature, otherSignature);
        for (const key of [publicKey, shippedKey]) {
          assert.equal(verifySigV4a(req, info, key, options), true, 'signature inside the signed request');
          assert.equal(verifySigV4a(req, { ...info, signature: otherSignature }, key, options), true, `${form}-signature.txt`);
        }
        assert.equal(checkRequestTime(info, new Date(ctx.timestamp)), undefined);
      });
    }
  }

  test('signRequest produces SigV4a signatures that verify, in both forms', () => {
    const ctx = readContext(`${SUITE}/post-x-www-form-urlencoded`);
    const unsigned = parseHttpMessage(readText(`${SUITE}/post-x-www-form-urlencoded/request.txt`));
    const pair = keyPairFor(ctx.credentials.access_key_id, ctx.credentials.secret_access_key);
    const credentials = { accessKeyId: ctx.credentials.access_key_id, secretAccessKey: ctx.credentials.secret_access_key };
    for (const form of ['header', 'query'] as const) {
      const signed = signRequest(unsigned, credentials, {
        now: new Date(ctx.timestamp),
        region: ctx.region,
        service: ctx.service,
        algorithm: 'AWS4-ECDSA-P256-SHA256',
        form,
        signContentSha256: form === 'header' && ctx.sign_body,
        expiresSeconds: ctx.expiration_in_seconds,
        sigV4aPrivateKey: pair.privateKey,
      });
      const parsed = parseSignature(signed);
      assert.ok(parsed.ok);
      assert.equal(canonicalRequest(signed, parsed.info), readText(`${SUITE}/post-x-www-form-urlencoded/${form}-canonical-request.txt`));
      assert.equal(verifySigV4a(signed, parsed.info, pair.publicKey), true);
    }
  });
});
