import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  canonicalRequest,
  checkRequestTime,
  deriveRegionKey,
  deriveSigningKey,
  parseSignature,
  signingKeyFromRegionKey,
  signRequest,
  stringToSign,
  verifySigV4,
  type HttpRequestParts,
} from '../../../src/core/sigv4/index.js';
import { SIGV4_FIXTURES, parseHttpMessage, readContext, readText, subdirectories, withoutQueryParameter } from './fixtures.js';

/**
 * aws-c-auth's SigV4 signing suite, both header and query (presigned) forms: the canonical request and
 * string to sign must equal the expected files byte for byte, and the signature must verify with the
 * key derived from the case's credentials, at the case's time.
 */
const SUITE = `${SIGV4_FIXTURES}/aws-c-auth/v4`;
const CASES = subdirectories(SUITE);

describe('aws-c-auth v4 vectors', () => {
  test('the suite has its 38 cases', () => {
    assert.equal(CASES.length, 38);
  });

  for (const name of CASES) {
    const dir = `${SUITE}/${name}`;
    const ctx = readContext(dir);
    for (const form of ['header', 'query'] as const) {
      test(`${name} (${form})`, () => {
        let req: HttpRequestParts = parseHttpMessage(readText(`${dir}/${form}-signed-request.txt`));
        if (form === 'query' && ctx.omit_session_token) {
          // The token was appended to the URL after signing, so it can't be part of what verifies.
          const whole = parseSignature(req);
          assert.ok(whole.ok);
          assert.equal(verifySigV4(req, whole.info, deriveSigningKey(ctx.credentials.secret_access_key, whole.info.date, ctx.region, ctx.service), { normalizePath: ctx.normalize }), false);
          req = { ...req, query: withoutQueryParameter(req.query, 'X-Amz-Security-Token') };
        }
        const parsed = parseSignature(req);
        assert.ok(parsed.ok, parsed.ok ? '' : parsed.failure.message);
        const { info } = parsed;
        assert.equal(info.form, form);
        assert.equal(info.algorithm, 'AWS4-HMAC-SHA256');
        assert.equal(info.accessKeyId, ctx.credentials.access_key_id);
        assert.equal(info.region, ctx.region);
        assert.equal(info.service, ctx.service);
        if (form === 'query') assert.equal(info.expiresSeconds, ctx.expiration_in_seconds);
        if (ctx.credentials.token && !(form === 'query' && ctx.omit_session_token)) assert.equal(info.sessionToken, ctx.credentials.token);

        const options = { normalizePath: ctx.normalize };
        assert.equal(canonicalRequest(req, info, options), readText(`${dir}/${form}-canonical-request.txt`));
        assert.equal(stringToSign(req, info, options), readText(`${dir}/${form}-string-to-sign.txt`));
        assert.equal(info.signature, readText(`${dir}/${form}-signature.txt`));

        const key = deriveSigningKey(ctx.credentials.secret_access_key, info.date, ctx.region, ctx.service);
        assert.deepEqual(signingKeyFromRegionKey(deriveRegionKey(ctx.credentials.secret_access_key, info.date, ctx.region), ctx.service), key);
        assert.equal(verifySigV4(req, info, key, options), true);
        assert.equal(checkRequestTime(info, new Date(ctx.timestamp)), undefined);
      });
    }

    test(`${name}: signRequest reproduces both signatures`, () => {
      const unsigned = parseHttpMessage(readText(`${dir}/request.txt`));
      const token = ctx.omit_session_token ? undefined : ctx.credentials.token;
      const credentials = { accessKeyId: ctx.credentials.access_key_id, secretAccessKey: ctx.credentials.secret_access_key, ...(token ? { sessionToken: token } : {}) };
      const base = { now: new Date(ctx.timestamp), region: ctx.region, service: ctx.service, normalizePath: ctx.normalize };
      const header = signRequest(unsigned, credentials, { ...base, signContentSha256: ctx.sign_body });
      const headerInfo = parseSignature(header);
      assert.ok(headerInfo.ok);
      assert.equal(headerInfo.info.signature, readText(`${dir}/header-signature.txt`));
      const query = signRequest(unsigned, credentials, { ...base, form: 'query', expiresSeconds: ctx.expiration_in_seconds });
      const queryInfo = parseSignature(query);
      assert.ok(queryInfo.ok);
      assert.equal(queryInfo.info.signature, readText(`${dir}/query-signature.txt`));
    });
  }
});
