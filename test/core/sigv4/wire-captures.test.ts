import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  canonicalRequest,
  checkCredentialScope,
  checkRequestTime,
  deriveRegionKey,
  deriveSigV4aKeyPair,
  parseAmzDate,
  parseSignature,
  regionSetIncludes,
  signingKeyFromRegionKey,
  verifySigV4,
  verifySigV4a,
} from '../../../src/core/sigv4/index.js';
import { readWireRecords, wireRequest } from './fixtures.js';

/**
 * Every request the real AWS CLI v1/v2, botocore and the JS SDK v3 sent to a logging server must
 * verify: SigV4 with the key a data plane would get (kRegion for the scope's region, '' included),
 * the one SigV4a request with the public key derived from the secret; with the clock at request time.
 */
const RECORDS = readWireRecords();

describe('captured real-client requests', () => {
  test('77 records: 76 SigV4, 1 SigV4a, 2 SigV4 with an empty region', () => {
    assert.equal(RECORDS.length, 77);
    assert.equal(RECORDS.filter((r) => r.algorithm === 'AWS4-ECDSA-P256-SHA256').length, 1);
    const emptyRegion = RECORDS.filter((r) => {
      const parsed = parseSignature(wireRequest(r));
      return parsed.ok && parsed.info.region === '';
    });
    assert.deepEqual(
      emptyRegion.map((r) => r.id),
      ['044-sdk-sigv4a-nodep', '047-sdk-sigv4a'],
    );
  });

  for (const record of RECORDS) {
    test(`${record.id} (${record.client.split(' ')[0]})`, () => {
      const req = wireRequest(record);
      const parsed = parseSignature(req);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.failure.message);
      const { info } = parsed;
      assert.equal(info.form, 'header');
      assert.equal(info.algorithm, record.algorithm);
      assert.equal(info.accessKeyId, record.credentials.accessKeyId);
      assert.equal(info.sessionToken, record.credentials.sessionToken);
      assert.ok(info.service === 'iam' || info.service === 'sts');
      assert.equal(checkCredentialScope(info, { service: info.service }), undefined);

      const signedAt = parseAmzDate(info.amzDate);
      assert.ok(signedAt !== undefined);
      assert.equal(checkRequestTime(info, new Date(signedAt + 2000)), undefined);

      // Canonicalisation must not depend on anything but the request.
      assert.equal(canonicalRequest(req, info), canonicalRequest(wireRequest(record), info));

      if (info.algorithm === 'AWS4-ECDSA-P256-SHA256') {
        assert.deepEqual(info.regionSet, ['*']);
        assert.equal(regionSetIncludes(info.regionSet ?? [], 'eu-west-1'), true);
        const { publicKey } = deriveSigV4aKeyPair(record.credentials.accessKeyId, record.credentials.secretAccessKey);
        assert.equal(verifySigV4a(req, info, publicKey), true);
      } else {
        assert.ok(info.region !== undefined);
        const regionKey = deriveRegionKey(record.credentials.secretAccessKey, info.date, info.region);
        assert.equal(verifySigV4(req, info, signingKeyFromRegionKey(regionKey, info.service)), true);
      }
    });
  }
});
