import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MESSAGES, checkCredentialScope, parseSignature, type AuthFailure, type HttpRequestParts } from '../../../src/core/sigv4/index.js';
import { sha256Hex } from './fixtures.js';

/** Parse failures carry AWS's code and exact wording (sources in src/core/sigv4/messages.ts). */

const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=' + 'a'.repeat(64);

function request(headers: Array<[string, string]>, query = ''): HttpRequestParts {
  return { method: 'POST', path: '/', query, headers, bodySha256: sha256Hex('') };
}

function failure(req: HttpRequestParts): AuthFailure {
  const parsed = parseSignature(req);
  assert.equal(parsed.ok, false, 'expected a parse failure');
  return parsed.ok ? { code: 'SignatureDoesNotMatch', message: '' } : parsed.failure;
}

describe('parseSignature: header form', () => {
  test('a well-formed header parses into its parts', () => {
    const parsed = parseSignature(
      request([
        ['Host', 'example.amazonaws.com'],
        ['X-Amz-Date', '20150830T123600Z'],
        ['X-Amz-Security-Token', 'token'],
        ['Authorization', AUTH],
      ]),
    );
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.info, {
      form: 'header',
      algorithm: 'AWS4-HMAC-SHA256',
      accessKeyId: 'AKIDEXAMPLE',
      date: '20150830',
      region: 'us-east-1',
      service: 'iam',
      scope: '20150830/us-east-1/iam/aws4_request',
      signedHeaders: ['host', 'x-amz-date'],
      signature: 'a'.repeat(64),
      amzDate: '20150830T123600Z',
      sessionToken: 'token',
    });
  });

  test('no Authorization header and no X-Amz-Algorithm: MissingAuthenticationToken', () => {
    assert.deepEqual(failure(request([['Host', 'h']])), { code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' });
    assert.deepEqual(failure(request([['Host', 'h'], ['Authorization', '   ']])), { code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' });
    // Presigned-looking parameters without X-Amz-Algorithm are just parameters.
    assert.equal(failure(request([['Host', 'h']], 'X-Amz-Credential=a&X-Amz-Signature=b')).code, 'MissingAuthenticationToken');
  });

  test('an algorithm other than the two SigV4 ones: IncompleteSignature', () => {
    assert.deepEqual(failure(request([['Authorization', 'Bearer eyJhbGciOi.x.y']])), {
      code: 'IncompleteSignature',
      message: "Unsupported AWS 'algorithm': 'Bearer'.",
    });
    assert.deepEqual(failure(request([['Authorization', 'AWS AKIAI2HBJEUM7LRSTWOQ:qaNdqGsI6bq4Hi+9Gzovwyjbh0E=']])), {
      code: 'IncompleteSignature',
      message: "Unsupported AWS 'algorithm': 'AWS'.",
    });
  });

  test('every missing part is listed, in AWS order, followed by the header as sent', () => {
    assert.deepEqual(failure(request([['Host', 'h'], ['Authorization', 'AWS4-HMAC-SHA256']])), {
      code: 'IncompleteSignature',
      message:
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256",
    });
    // As SES answered amazonka#316.
    assert.deepEqual(failure(request([['X-Amz-Date', '20150830T123600Z'], ['Authorization', 'AWS4-HMAC-SHA256 Credential=ABCDEF']])), {
      code: 'IncompleteSignature',
      message:
        "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=ABCDEF",
    });
  });

  test('a parameter without "=" (a stray space in the credential, as STS answered hadoop-aws)', () => {
    const header =
      'AWS4-HMAC-SHA256 Credential=not valid/20180109/us-east-1/sts/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-retry;host;user-agent;x-amz-date, Signature=abc';
    assert.deepEqual(failure(request([['X-Amz-Date', '20180109T000000Z'], ['Authorization', header]])), {
      code: 'IncompleteSignature',
      message: `'valid/20180109/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`,
    });
  });

  test('the Date header stands in for X-Amz-Date, but only in ISO-8601 basic format', () => {
    const ok = parseSignature(request([['Host', 'h'], ['Date', '20150830T123600Z'], ['Authorization', AUTH]]));
    assert.ok(ok.ok);
    assert.equal(ok.info.amzDate, '20150830T123600Z');
    assert.deepEqual(failure(request([['Host', 'h'], ['Date', 'Sun, 30 Aug 2015 12:36:00 GMT'], ['Authorization', AUTH]])), {
      code: 'IncompleteSignature',
      message: "Date must be in ISO-8601 'basic format'. Got 'Sun, 30 Aug 2015 12:36:00 GMT'. See http://en.wikipedia.org/wiki/ISO_8601",
    });
    // X-Amz-Date wins over Date.
    const both = parseSignature(request([['Date', 'Sun, 30 Aug 2015 12:36:00 GMT'], ['X-Amz-Date', '20150830T123600Z'], ['Authorization', AUTH]]));
    assert.ok(both.ok);
    for (const bad of ['20150830T123600', '20150230T123600Z', '20151330T123600Z', '20150830T246000Z', '2015-08-30T12:36:00Z']) {
      assert.equal(failure(request([['X-Amz-Date', bad], ['Authorization', AUTH]])).message, MESSAGES.dateNotIso8601(bad));
    }
  });

  test('Host must be signed: SignatureDoesNotMatch', () => {
    const header = AUTH.replace('SignedHeaders=host;x-amz-date', 'SignedHeaders=x-amz-date');
    assert.deepEqual(failure(request([['X-Amz-Date', '20150830T123600Z'], ['Authorization', header]])), {
      code: 'SignatureDoesNotMatch',
      message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    });
  });

  test('a credential that is not five slash-separated parts: IncompleteSignature', () => {
    const header = AUTH.replace('AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request', 'AKIDEXAMPLE/20150830/iam/aws4_request');
    assert.deepEqual(failure(request([['X-Amz-Date', '20150830T123600Z'], ['Authorization', header]])), {
      code: 'IncompleteSignature',
      message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/iam/aws4_request'",
    });
  });

  test('a wrong terminator and a scope date that is not the request date: SignatureDoesNotMatch, both at once', () => {
    const header = AUTH.replace('20150830/us-east-1/iam/aws4_request', '20150829/us-east-1/iam/aws5_request');
    assert.deepEqual(failure(request([['X-Amz-Date', '20150830T123600Z'], ['Authorization', header]])), {
      code: 'SignatureDoesNotMatch',
      message:
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150829' != '20150830', from '20150830T123600Z'. ",
    });
  });

  test('an empty region parses (the JS SDK sends it); the caller decides', () => {
    const header = AUTH.replace('/us-east-1/', '//');
    const parsed = parseSignature(request([['X-Amz-Date', '20150830T123600Z'], ['Authorization', header]]));
    assert.ok(parsed.ok);
    assert.equal(parsed.info.region, '');
    assert.equal(parsed.info.scope, '20150830//iam/aws4_request');
  });

  test('signing both ways at once: SignatureDoesNotMatch', () => {
    assert.deepEqual(failure(request([['X-Amz-Date', '20150830T123600Z'], ['Authorization', AUTH]], 'X-Amz-Algorithm=AWS4-HMAC-SHA256')), {
      code: 'SignatureDoesNotMatch',
      message: MESSAGES.signatureDoesNotMatch,
    });
  });

  test('SigV4a: the scope has no region, and X-Amz-Region-Set must be present and signed', () => {
    const v4a = 'AWS4-ECDSA-P256-SHA256 Credential=AKID/20150830/sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045';
    const ok = parseSignature(request([['Host', 'h'], ['X-Amz-Date', '20150830T123600Z'], ['X-Amz-Region-Set', 'us-east-1, eu-*'], ['Authorization', v4a]]));
    assert.ok(ok.ok);
    assert.equal(ok.info.region, undefined);
    assert.equal(ok.info.service, 'sts');
    assert.deepEqual(ok.info.regionSet, ['us-east-1', 'eu-*']);
    assert.equal(ok.info.scope, '20150830/sts/aws4_request');

    const unsigned = v4a.replace(';x-amz-region-set', '');
    assert.deepEqual(failure(request([['X-Amz-Date', '20150830T123600Z'], ['X-Amz-Region-Set', '*'], ['Authorization', unsigned]])), {
      code: 'SignatureDoesNotMatch',
      message: "'X-Amz-Region-Set' must be a 'SignedHeader' in the AWS Authorization.",
    });
    assert.equal(failure(request([['X-Amz-Date', '20150830T123600Z'], ['Authorization', v4a]])).code, 'IncompleteSignature');
    const fiveParts = v4a.replace('AKID/20150830/sts/', 'AKID/20150830/us-east-1/sts/');
    assert.deepEqual(failure(request([['X-Amz-Date', '20150830T123600Z'], ['X-Amz-Region-Set', '*'], ['Authorization', fiveParts]])), {
      code: 'IncompleteSignature',
      message: "Credential must have exactly 4 slash-delimited elements, e.g. keyid/date/service/term, got 'AKID/20150830/us-east-1/sts/aws4_request'",
    });
  });
});

describe('parseSignature: query (presigned) form', () => {
  const base = {
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': 'AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request',
    'X-Amz-Date': '20150830T123600Z',
    'X-Amz-Expires': '60',
    'X-Amz-SignedHeaders': 'host',
    'X-Amz-Signature': 'b'.repeat(64),
  };
  function query(overrides: Record<string, string | undefined>): string {
    return Object.entries({ ...base, ...overrides })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
  }

  test('a well-formed presigned URL parses, its parameters decoded', () => {
    const parsed = parseSignature(request([['Host', 'h']], `Action=GetCallerIdentity&Version=2011-06-15&${query({ 'X-Amz-Security-Token': 'a%2Bb%2F%3D' })}`));
    assert.ok(parsed.ok);
    assert.equal(parsed.info.form, 'query');
    assert.equal(parsed.info.accessKeyId, 'AKIDEXAMPLE');
    assert.equal(parsed.info.service, 'sts');
    assert.equal(parsed.info.expiresSeconds, 60);
    assert.equal(parsed.info.sessionToken, 'a+b/=');
  });

  test('an unknown X-Amz-Algorithm: MissingAuthenticationToken', () => {
    assert.deepEqual(failure(request([['Host', 'h']], query({ 'X-Amz-Algorithm': 'AWS4-HMAC-SHA1' }))), {
      code: 'MissingAuthenticationToken',
      message: 'Request is missing Authentication Token',
    });
  });

  test('missing parameters are listed, then "Re-examine the query-string parameters."', () => {
    assert.deepEqual(failure(request([['Host', 'h']], query({ 'X-Amz-Credential': undefined, 'X-Amz-Date': undefined }))), {
      code: 'IncompleteSignature',
      message:
        "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
    });
    assert.deepEqual(failure(request([['Host', 'h']], 'X-Amz-Algorithm=AWS4-HMAC-SHA256')), {
      code: 'IncompleteSignature',
      message:
        "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
    });
  });

  test('X-Amz-Expires: optional, a number, at most 7 days', () => {
    const noExpiry = parseSignature(request([['Host', 'h']], query({ 'X-Amz-Expires': undefined })));
    assert.ok(noExpiry.ok);
    assert.equal(noExpiry.info.expiresSeconds, undefined);
    const week = parseSignature(request([['Host', 'h']], query({ 'X-Amz-Expires': '604800' })));
    assert.ok(week.ok);
    assert.deepEqual(failure(request([['Host', 'h']], query({ 'X-Amz-Expires': '604801' }))), { code: 'IncompleteSignature', message: MESSAGES.expiresTooLarge });
    assert.deepEqual(failure(request([['Host', 'h']], query({ 'X-Amz-Expires': 'soon' }))), { code: 'IncompleteSignature', message: 'X-Amz-Expires should be a number' });
    assert.deepEqual(failure(request([['Host', 'h']], query({ 'X-Amz-Expires': '-1' }))), { code: 'IncompleteSignature', message: 'X-Amz-Expires must be non-negative' });
    assert.equal(failure(request([['Host', 'h']], query({ 'X-Amz-Expires': '1e3' }))).message, 'X-Amz-Expires should be a number');
  });

  test('SigV4a presigned URLs need X-Amz-Region-Set', () => {
    const v4a = { 'X-Amz-Algorithm': 'AWS4-ECDSA-P256-SHA256', 'X-Amz-Credential': 'AKID%2F20150830%2Fsts%2Faws4_request' };
    assert.deepEqual(failure(request([['Host', 'h']], query(v4a))), {
      code: 'IncompleteSignature',
      message: "AWS query-string parameters must include 'X-Amz-Region-Set'. Re-examine the query-string parameters.",
    });
    const ok = parseSignature(request([['Host', 'h']], query({ ...v4a, 'X-Amz-Region-Set': 'us-east-1%2Cus-west-2' })));
    assert.ok(ok.ok);
    assert.deepEqual(ok.info.regionSet, ['us-east-1', 'us-west-2']);
  });
});

describe('checkCredentialScope', () => {
  const parsed = parseSignature(request([['Host', 'h'], ['X-Amz-Date', '20150830T123600Z'], ['Authorization', AUTH]]));
  assert.ok(parsed.ok);
  const info = parsed.info;

  test('the right service (and any region unless one is required) passes', () => {
    assert.equal(checkCredentialScope(info, { service: 'iam' }), undefined);
    assert.equal(checkCredentialScope(info, { service: 'iam', region: 'us-east-1' }), undefined);
  });

  test("a wrong service or region gets AWS's words, trailing space included", () => {
    assert.deepEqual(checkCredentialScope(info, { service: 'sts' }), {
      code: 'SignatureDoesNotMatch',
      message: "Credential should be scoped to correct service: 'sts'. ",
    });
    assert.deepEqual(checkCredentialScope(info, { service: 'sts', region: 'eu-west-1' }), {
      code: 'SignatureDoesNotMatch',
      message: "Credential should be scoped to a valid region, not 'us-east-1'. Credential should be scoped to correct service: 'sts'. ",
    });
  });
});

describe('message constants', () => {
  test("InvalidClientTokenId and SignatureDoesNotMatch use AWS's Query-API wording", () => {
    assert.equal(MESSAGES.invalidClientTokenId, 'The security token included in the request is invalid');
    assert.equal(
      MESSAGES.signatureDoesNotMatch,
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  });
});
