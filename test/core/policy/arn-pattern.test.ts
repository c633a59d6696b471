import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchArn } from '../../../src/core/policy/arn-pattern.js';

/**
 * "ARN condition operators" (IAM User Guide): "Case-sensitive matching of the ARN. Each of the six
 * colon-delimited components of the ARN is checked separately and each can include multi-character
 * match wildcards (*) or single-character match wildcards (?)."
 */

const INSTANCE = 'arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0';
const ROLE = 'arn:aws:iam::111122223333:role/Admin';

describe('matchArn', () => {
  test('"*" matches any ARN, and anything else', () => {
    assert.equal(matchArn('*', INSTANCE), true);
    assert.equal(matchArn('*', 'not-an-arn'), true);
  });

  test('an ARN without wildcards matches only itself, case-sensitively', () => {
    assert.equal(matchArn(ROLE, ROLE), true);
    assert.equal(matchArn(ROLE, 'arn:aws:iam::111122223333:role/admin'), false);
    assert.equal(matchArn(ROLE, 'arn:aws:iam::111122223333:role/Admin2'), false);
    assert.equal(matchArn(ROLE, 'arn:aws:iam::444455556666:role/Admin'), false);
  });

  test('a wildcard in one segment matches that segment', () => {
    assert.equal(matchArn('arn:aws:iam::*:role/Admin', ROLE), true);
    assert.equal(matchArn('arn:aws:ec2:*:111122223333:instance/*', INSTANCE), true);
    assert.equal(matchArn('arn:aws:ec2:*:*:instance/*', INSTANCE), true);
    assert.equal(matchArn('arn:aws:ec2:*:444455556666:instance/*', INSTANCE), false);
    assert.equal(matchArn('arn:*:ec2:us-east-1:111122223333:instance/*', INSTANCE), true);
    assert.equal(matchArn('arn:aws:*:us-east-1:111122223333:*', INSTANCE), true);
  });

  test('* matches an empty segment (S3 ARNs have no region or account)', () => {
    assert.equal(matchArn('arn:aws:s3:*:*:bucket/*', 'arn:aws:s3:::bucket/key'), true);
    assert.equal(matchArn('arn:aws:s3:::*', 'arn:aws:s3:::bucket'), true);
  });

  test('? matches exactly one character within a segment', () => {
    assert.equal(matchArn('arn:aws:sqs:us-east-?:111122223333:queue', 'arn:aws:sqs:us-east-1:111122223333:queue'), true);
    assert.equal(matchArn('arn:aws:sqs:us-east-?:111122223333:queue', 'arn:aws:sqs:us-east-10:111122223333:queue'), false);
    assert.equal(matchArn('arn:aws:sqs:us-east-?:111122223333:queue', 'arn:aws:sqs:us-east-:111122223333:queue'), false);
  });

  test('a wildcard does not cross ":" in the first five segments', () => {
    // As a plain glob, "*" would absorb "ec2:us-east-1"; segment by segment, the fourth
    // segment "111122223333" is compared with the region "us-east-1".
    assert.equal(matchArn('arn:aws:*:111122223333:instance/*', INSTANCE), false);
    // "*" in the account segment cannot absorb a colon of the resource.
    assert.equal(matchArn('arn:aws:iam::*:role/Admin', 'arn:aws:iam::111122223333:extra:role/Admin'), false);
    assert.equal(matchArn('arn:aws:iam::1111*:role/Admin', 'arn:aws:iam::111122223333:role/Admin'), true);
    // "?" never matches the colon between segments.
    assert.equal(matchArn('arn:aws:s3:?::bucket', 'arn:aws:s3:::bucket'), false);
  });

  test('a wildcard in the resource segment runs to the end, across colons', () => {
    const stream = 'arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:web-1';
    assert.equal(matchArn('arn:aws:logs:us-east-1:111122223333:log-group:*', stream), true);
    assert.equal(matchArn('arn:aws:logs:*:*:log-group:app:*', stream), true);
    assert.equal(matchArn('arn:aws:logs:*:*:log-group:other:*', stream), false);
    assert.equal(matchArn('arn:aws:iam::111122223333:role/*', 'arn:aws:iam::111122223333:role/path/to/Admin'), true);
  });

  test('the resource segment is case-sensitive', () => {
    assert.equal(matchArn('arn:aws:iam::*:role/admin*', ROLE), false);
    assert.equal(matchArn('arn:aws:iam::*:role/Admin*', ROLE), true);
  });

  test('a value with fewer than six segments is matched as a whole', () => {
    assert.equal(matchArn('arn:aws:s3:::b*', 'not-an-arn'), false);
    assert.equal(matchArn('not-*', 'not-an-arn'), true);
  });
});
