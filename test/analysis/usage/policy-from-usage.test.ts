import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generalizeResources, globCovers, ownUsage, policyFromUsage } from '../../../src/analysis/usage/index.js';
import { validatePolicy } from '../../../src/core/policy/index.js';
import { ACCOUNT, SINCE_30D, appAccount, appUsage, used } from './helpers.js';

describe('resource patterns', () => {
  it('exact when few, else the narrowest wildcard at the ARN separators', () => {
    assert.deepEqual(generalizeResources(['arn:aws:s3:::b/x', 'arn:aws:s3:::b/y']), ['arn:aws:s3:::b/x', 'arn:aws:s3:::b/y']);
    assert.deepEqual(generalizeResources(['arn:aws:s3:::b/a/1', 'arn:aws:s3:::b/a/2', 'arn:aws:s3:::b/a/3', 'arn:aws:s3:::b/a/4']), ['arn:aws:s3:::b/a/*']);
    assert.deepEqual(generalizeResources(['arn:aws:s3:::b/a/1', 'arn:aws:s3:::b/a/2', 'arn:aws:s3:::b/c/3', 'arn:aws:s3:::b/d/4', 'arn:aws:s3:::b']), ['arn:aws:s3:::b', 'arn:aws:s3:::b/*']);
    const tables = Array.from({ length: 6 }, (_, i) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders-${i}`);
    assert.deepEqual(generalizeResources(tables), [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/*`]);
    // At the top of the resource part only a shared name beginning: never every bucket or queue.
    assert.deepEqual(generalizeResources(['arn:aws:s3:::logs-a/1', 'arn:aws:s3:::logs-b/2', 'arn:aws:s3:::logs-c/3', 'arn:aws:s3:::logs-d/4']), ['arn:aws:s3:::logs-*']);
    assert.deepEqual(generalizeResources(['arn:aws:s3:::x/1', 'arn:aws:s3:::y/2', 'arn:aws:s3:::z/3', 'arn:aws:s3:::w/4']), ['arn:aws:s3:::w/4', 'arn:aws:s3:::x/1', 'arn:aws:s3:::y/2', 'arn:aws:s3:::z/3']);
    assert.deepEqual(generalizeResources(['arn:aws:s3:::b/1', '*']), ['*']);
    assert.deepEqual(generalizeResources(['arn:aws:s3:::b/1', 'arn:aws:s3:::b/2'], { maxResources: 1 }), ['arn:aws:s3:::b/*']);
  });

  it('glob containment', () => {
    assert.equal(globCovers('arn:aws:s3:::b/*', 'arn:aws:s3:::b/x/*'), true);
    assert.equal(globCovers('arn:aws:s3:::b/x*', 'arn:aws:s3:::b/*'), false);
    assert.equal(globCovers('a?', 'a*'), false);
    assert.equal(globCovers('a*b', 'a?b'), true);
    assert.equal(globCovers('*', 'anything*?'), true);
    assert.equal(globCovers('arn:aws:s3:::b', 'arn:aws:s3:::B'), false);
  });
});

describe('policy from usage', () => {
  it('one statement per service and resource group, with Sids, lint-clean', () => {
    const index = appAccount();
    const own = ownUsage(index, index.role('app')!, appUsage());
    const result = policyFromUsage(own, { since: SINCE_30D });
    assert.deepEqual(result.document, {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'S3Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::app-data/reports/*' },
        { Sid: 'S3List', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::app-data' },
        { Sid: 'S3Write', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::app-data/uploads/a.bin' },
        { Sid: 'SqsReadWrite', Effect: 'Allow', Action: ['sqs:DeleteMessage', 'sqs:ReceiveMessage', 'sqs:SendMessage'], Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:app-jobs` },
      ],
    });
    assert.deepEqual(result.statements[0], { sid: 'S3Read', service: 's3', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::app-data/reports/*'], observedResources: 5, requests: 15, generalized: true });
    assert.deepEqual(validatePolicy(result.document, 'identity'), []);
    assert.deepEqual(result.warnings, []);
  });

  it('actions without resource types stay on *, action names in the catalog spelling, Sids unique', () => {
    const p = `arn:aws:iam::${ACCOUNT}:user/u`;
    const result = policyFromUsage([
      used(p, 'sqs:listqueues', '*'),
      used(p, 's3:GetObject', 'arn:aws:s3:::a/1'),
      used(p, 's3:GetObject', 'arn:aws:s3:::a/2'),
      used(p, 's3:GetObjectTagging', 'arn:aws:s3:::c/1'),
    ]);
    assert.deepEqual(result.document?.Statement, [
      { Sid: 'S3Read', Effect: 'Allow', Action: 's3:GetObject', Resource: ['arn:aws:s3:::a/1', 'arn:aws:s3:::a/2'] },
      { Sid: 'S3Read2', Effect: 'Allow', Action: 's3:GetObjectTagging', Resource: 'arn:aws:s3:::c/1' },
      { Sid: 'SqsRead', Effect: 'Allow', Action: 'sqs:ListQueues', Resource: '*' },
    ]);
  });

  it('nothing used: no document and a warning', () => {
    const result = policyFromUsage([used('arn:aws:iam::111122223333:user/u', 's3:GetObject', 'arn:aws:s3:::a/1')], { since: new Date('2026-05-25T00:00:00Z') });
    assert.equal(result.document, null);
    assert.deepEqual(result.warnings, ['no recorded use since 2026-05-25T00:00:00.000Z']);
  });
});
