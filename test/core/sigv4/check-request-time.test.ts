import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkRequestTime, parseSignature, signRequest, type SignatureInfo } from '../../../src/core/sigv4/index.js';
import { sha256Hex } from './fixtures.js';

/** AWS's 15-minute window, and the lifetime a presigned URL asks for. */

const SIGNED_AT = Date.parse('2015-08-30T12:36:00Z');
const MINUTE = 60_000;
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

function signedInfo(form: 'header' | 'query', expiresSeconds?: number): SignatureInfo {
  const req = signRequest(
    { method: 'GET', path: '/', query: 'Action=GetCallerIdentity&Version=2011-06-15', headers: [['Host', 'sts.example']], bodySha256: sha256Hex('') },
    CREDENTIALS,
    { now: new Date(SIGNED_AT), region: 'us-east-1', service: 'sts', form, ...(expiresSeconds === undefined ? {} : { expiresSeconds }) },
  );
  const parsed = parseSignature(req);
  assert.ok(parsed.ok);
  return parsed.info;
}

describe('checkRequestTime', () => {
  const header = signedInfo('header');

  test('within 15 minutes either way is fine, 15 minutes exactly included', () => {
    for (const offset of [0, 14, -14, 15, -15]) {
      assert.equal(checkRequestTime(header, new Date(SIGNED_AT + offset * MINUTE)), undefined, `${offset} min`);
    }
  });

  test('16 minutes old: SignatureDoesNotMatch "Signature expired", as STS words it', () => {
    assert.deepEqual(checkRequestTime(header, new Date(SIGNED_AT + 16 * MINUTE)), {
      code: 'SignatureDoesNotMatch',
      message: 'Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)',
    });
    assert.equal(checkRequestTime(header, new Date(SIGNED_AT + 15 * MINUTE + 1000))?.code, 'SignatureDoesNotMatch');
  });

  test('16 minutes in the future: "Signature not yet current"', () => {
    assert.deepEqual(checkRequestTime(header, new Date(SIGNED_AT - 16 * MINUTE)), {
      code: 'SignatureDoesNotMatch',
      message: 'Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T122000Z + 15 min.)',
    });
  });

  test('a presigned URL is good for its X-Amz-Expires', () => {
    const hour = signedInfo('query', 3600);
    assert.equal(hour.expiresSeconds, 3600);
    assert.equal(checkRequestTime(hour, new Date(SIGNED_AT + 59 * MINUTE)), undefined);
    assert.equal(checkRequestTime(hour, new Date(SIGNED_AT + 60 * MINUTE)), undefined);
    assert.deepEqual(checkRequestTime(hour, new Date(SIGNED_AT + 61 * MINUTE)), {
      code: 'SignatureDoesNotMatch',
      message: 'Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T133700Z - 60 min.)',
    });

    const short = signedInfo('query', 90);
    assert.equal(checkRequestTime(short, new Date(SIGNED_AT + 90_000)), undefined);
    assert.deepEqual(checkRequestTime(short, new Date(SIGNED_AT + 91_000)), {
      code: 'SignatureDoesNotMatch',
      message: 'Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T123731Z - 90 sec.)',
    });
    // Still not usable before it was signed (beyond the skew).
    assert.equal(checkRequestTime(hour, new Date(SIGNED_AT - 16 * MINUTE))?.message.startsWith('Signature not yet current'), true);

    const week = signedInfo('query', 604800);
    assert.equal(checkRequestTime(week, new Date(SIGNED_AT + 7 * 24 * 60 * MINUTE)), undefined);
    assert.equal(checkRequestTime(week, new Date(SIGNED_AT + 7 * 24 * 60 * MINUTE + 1000))?.code, 'SignatureDoesNotMatch');
  });

  test('a presigned URL without X-Amz-Expires gets the 15-minute window', () => {
    const info: SignatureInfo = { ...signedInfo('query') };
    delete info.expiresSeconds;
    assert.equal(checkRequestTime(info, new Date(SIGNED_AT + 15 * MINUTE)), undefined);
    assert.equal(checkRequestTime(info, new Date(SIGNED_AT + 16 * MINUTE))?.code, 'SignatureDoesNotMatch');
  });

  test('X-Amz-Expires applies only to the query form', () => {
    assert.equal(checkRequestTime({ ...header, expiresSeconds: 3600 }, new Date(SIGNED_AT + 30 * MINUTE))?.code, 'SignatureDoesNotMatch');
  });
});
