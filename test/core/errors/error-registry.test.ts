import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  AwsError,
  awsError,
  COMMON_ERRORS,
  errorInfo,
  isAwsError,
  isAwsErrorCode,
  listErrorCodes,
  lookupError,
  toAwsError,
} from '../../../src/core/errors/index.js';

interface BotoShape {
  exception?: boolean;
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
}
const model = (path: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/conformance/models/botocore/${path}`, import.meta.url), 'utf8')) as {
    shapes: Record<string, BotoShape>;
  };
const MODELS = { iam: model('iam/2010-05-08/service-2.json'), sts: model('sts/2011-06-15/service-2.json') };

describe('error registry', () => {
  for (const [service, m] of Object.entries(MODELS)) {
    test(`has every ${service.toUpperCase()} exception shape with the model's code, status and fault`, () => {
      let count = 0;
      for (const [name, shape] of Object.entries(m.shapes)) {
        if (!shape.exception) continue;
        count++;
        const code = shape.error?.code ?? name;
        const info = lookupError(code);
        assert.ok(info, `${name} (${code}) is registered`);
        assert.equal(info.httpStatus, shape.error?.httpStatusCode ?? 400, code);
        assert.equal(info.senderFault, shape.error ? shape.error.senderFault === true : true, code);
        assert.equal(info.shapes?.[service as 'iam' | 'sts'], name);
      }
      assert.equal(count, service === 'iam' ? 35 : 12);
    });
  }

  test('model examples from the conformance README', () => {
    const expect: [string, number, boolean][] = [
      ['NoSuchEntity', 404, true],
      ['EntityAlreadyExists', 409, true],
      ['LimitExceeded', 409, true],
      ['DeleteConflict', 409, true],
      ['InvalidInput', 400, true],
      ['MalformedPolicyDocument', 400, true],
      ['ServiceFailure', 500, false],
      ['PackedPolicyTooLarge', 400, true],
      ['RegionDisabledException', 403, true],
      ['ExpiredTokenException', 400, true],
      ['InvalidIdentityToken', 400, true],
      ['IDPRejectedClaim', 403, true],
      ['ReportInProgress', 404, true],
      ['PolicyEvaluation', 500, false],
      // No `error` trait in botocore; the Smithy model says client, 400.
      ['OrganizationNotFoundException', 400, true],
    ];
    for (const [code, status, sender] of expect) {
      const info = errorInfo(code);
      assert.deepEqual([info.httpStatus, info.senderFault], [status, sender], code);
    }
    // One code, two services.
    assert.deepEqual(errorInfo('MalformedPolicyDocument').shapes, { iam: 'MalformedPolicyDocumentException', sts: 'MalformedPolicyDocumentException' });
  });

  test('common errors: statuses from AWS Common Errors and observed responses', () => {
    const expect: [string, number, boolean][] = [
      ['AccessDenied', 403, true],
      ['AccessDeniedException', 403, true],
      ['ExpiredToken', 403, true],
      ['IncompleteSignature', 400, true],
      ['InternalFailure', 500, false],
      ['InvalidAction', 400, true],
      ['InvalidClientTokenId', 403, true],
      ['InvalidParameterCombination', 400, true],
      ['InvalidParameterValue', 400, true],
      ['InvalidQueryParameter', 400, true],
      ['MalformedQueryString', 404, true],
      ['MissingAction', 400, true],
      ['MissingAuthenticationToken', 403, true],
      ['MissingParameter', 400, true],
      ['NotAuthorized', 400, true],
      ['OptInRequired', 403, true],
      ['RequestExpired', 400, true],
      ['RequestEntityTooLarge', 413, true],
      ['ServiceUnavailable', 503, false],
      ['SignatureDoesNotMatch', 403, true],
      ['Throttling', 400, true],
      ['ThrottlingException', 400, true],
      ['ValidationError', 400, true],
    ];
    for (const [code, status, sender] of expect) {
      const info = errorInfo(code);
      assert.deepEqual([info.httpStatus, info.senderFault], [status, sender], code);
    }
    assert.equal(Object.keys(COMMON_ERRORS).length, expect.length);
  });

  test('no code is both a model code and a common one; every code is listed once', () => {
    const codes = listErrorCodes();
    assert.equal(new Set(codes).size, codes.length);
    for (const code of Object.keys(COMMON_ERRORS)) assert.equal(lookupError(code)?.shapes, undefined, code);
    assert.ok(codes.includes('NoSuchEntity') && codes.includes('ValidationError'));
  });

  test('isAwsErrorCode and lookupError on unknown codes', () => {
    assert.equal(isAwsErrorCode('NoSuchEntity'), true);
    assert.equal(isAwsErrorCode('NoSuchEntityException'), false, 'the shape name is not the wire code');
    assert.equal(isAwsErrorCode('toString'), false);
    assert.equal(lookupError('Nope'), undefined);
  });
});

describe('AwsError', () => {
  test('takes status and fault from the registry', () => {
    const e = awsError('NoSuchEntity', 'The user with name bob cannot be found.');
    assert.ok(e instanceof AwsError && e instanceof Error);
    assert.equal(isAwsError(e), true);
    assert.deepEqual([e.code, e.message, e.httpStatus, e.senderFault, e.faultType], ['NoSuchEntity', 'The user with name bob cannot be found.', 404, true, 'Sender']);
    const f = awsError('ServiceFailure', 'x');
    assert.deepEqual([f.httpStatus, f.senderFault, f.faultType], [500, false, 'Receiver']);
  });

  test('an unknown code is a programming error', () => {
    assert.throws(() => awsError('NoSuchThing', 'x'), /unknown AWS error code "NoSuchThing"/);
    assert.throws(() => new AwsError('', 'x'), /unknown AWS error code/);
  });

  test('codes with a fixed AWS message may leave it out', () => {
    assert.equal(awsError('InvalidClientTokenId').message, 'The security token included in the request is invalid.');
    assert.equal(awsError('ExpiredToken').message, 'The security token included in the request is expired');
    assert.equal(awsError('Throttling').message, 'Rate exceeded');
    assert.equal(awsError('MissingAuthenticationToken').message, 'Request is missing Authentication Token');
    assert.match(awsError('SignatureDoesNotMatch').message, /^The request signature we calculated does not match/);
    assert.equal(awsError('InvalidClientTokenId', 'custom').message, 'custom');
  });

  test('toAwsError keeps AwsErrors and hides everything else behind InternalFailure', () => {
    const known = awsError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
    assert.equal(toAwsError(known), known);
    const hidden = toAwsError(new Error('SQLITE_BUSY at /var/lib/gatehouse/db.sqlite'));
    assert.equal(hidden.code, 'InternalFailure');
    assert.equal(hidden.httpStatus, 500);
    assert.equal(hidden.senderFault, false);
    assert.doesNotMatch(hidden.message, /SQLITE|var/);
    assert.equal(toAwsError('a string').code, 'InternalFailure');
  });
});
