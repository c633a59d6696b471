import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { deriveSigningKey, parseSignature, verifySigV4 } from '../../src/core/sigv4/index.js';
import { SigningKeyPads, verifySigV4WithPads } from '../../src/data-plane/signing-key-pads.js';
import { NOW, REGION, signedParts } from './replica-fixture.js';

test('the pads compute HMAC-SHA256 as createHmac does (short, long, non-ASCII messages; long keys)', () => {
  for (const key of [Buffer.alloc(32, 1), Buffer.alloc(0), Buffer.alloc(64, 2), Buffer.alloc(100, 3)]) {
    const pads = new SigningKeyPads(key);
    for (const message of ['', 'AWS4-HMAC-SHA256\n20260310T120000Z\n20260310/eu-west-1/s3/aws4_request\nabc', 'é€😀'.repeat(50), 'x'.repeat(5000)]) {
      assert.equal(pads.hmacHex(message), createHmac('sha256', key).update(message, 'utf8').digest('hex'));
    }
  }
});

test('verifySigV4WithPads agrees with core verifySigV4', () => {
  const creds = { accessKeyId: 'AKIAEXAMPLE000000001', secretAccessKey: 'secret/0123456789012345678901234567890123' };
  const key = deriveSigningKey(creds.secretAccessKey, '20260310', REGION, 's3');
  const pads = new SigningKeyPads(key);
  for (const parts of [signedParts(creds), signedParts(creds, { form: 'query' }), signedParts(creds, { body: 'b', signContentSha256: true }), signedParts({ ...creds, secretAccessKey: 'wrong' })]) {
    const parsed = parseSignature(parts);
    assert.ok(parsed.ok);
    assert.equal(verifySigV4WithPads(parts, parsed.info, pads), verifySigV4(parts, parsed.info, key));
  }
  const tampered = signedParts(creds);
  const parsed = parseSignature(tampered);
  assert.ok(parsed.ok);
  assert.equal(verifySigV4WithPads({ ...tampered, method: 'POST' }, parsed.info, pads), false);
  assert.equal(verifySigV4WithPads({ ...tampered, bodySha256: 'f'.repeat(64), headers: [...tampered.headers, ['x-amz-content-sha256', 'e'.repeat(64)]] }, parsed.info, pads), false);
  void NOW;
});
