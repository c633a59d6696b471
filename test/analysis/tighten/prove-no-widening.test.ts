import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proveNoWidening, satisfyingContext, UNKNOWN_ACTION } from '../../../src/analysis/tighten/index.js';
import { expandActionPattern } from '../../../src/core/catalog/index.js';
import { doc } from '../usage/helpers.js';

const original = doc(
  { Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] },
  { Sid: 'Queue', Effect: 'Allow', Action: 'sqs:*', Resource: 'arn:aws:sqs:us-east-1:111122223333:q', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
  { Sid: 'NoSecrets', Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/secret/*' },
);
const deny = original.Statement[2];

const kinds = (proof: ReturnType<typeof proveNoWidening>) => proof.counterexamples.map((c) => [c.kind, c.statementIndex, c.action, c.resource]);

describe('proveNoWidening', () => {
  it('proves a narrower proposal, counting the pairs checked', () => {
    const proposal = doc(
      { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/reports/*' },
      { Sid: 'Queue', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: 'arn:aws:sqs:us-east-1:111122223333:q', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      deny,
    );
    const proof = proveNoWidening(original, proposal);
    assert.deepEqual(proof.counterexamples, []);
    assert.equal(proof.proven, true);
    // s3:GetObject on the pattern and its two fillings; SendMessage on the queue.
    assert.equal(proof.checked, 4);
    // The original against itself: every action of sqs:* is checked.
    const self = proveNoWidening(original, original);
    assert.equal(self.proven, true);
    assert.ok(self.checked > 20, String(self.checked));
  });

  it('adding conditions is fine; removing one is not', () => {
    const added = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }, deny);
    assert.equal(proveNoWidening(original, added).proven, true);
    const removed = doc({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:111122223333:q' });
    const proof = proveNoWidening(original, removed);
    assert.equal(proof.proven, false);
    assert.deepEqual(kinds(proof), [['condition-removed', 0, 'sqs:SendMessage', 'arn:aws:sqs:us-east-1:111122223333:q']]);
    assert.equal(proof.counterexamples[0].message, 'the current policy allows sqs:SendMessage on arn:aws:sqs:us-east-1:111122223333:q only under the conditions of $.Statement[1], which this statement does not keep');
  });

  it('rejects wider actions, wider resources, unknown actions and dropped Denies', () => {
    const widerAction = proveNoWidening(original, doc({ Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/x' }, deny), { maxCounterexamples: 1 });
    assert.deepEqual(kinds(widerAction), [['not-granted', 0, 's3:GetAccelerateConfiguration', 'arn:aws:s3:::b/x']]);
    const widerResource = proveNoWidening(original, doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*' }, deny), { maxCounterexamples: 1 });
    assert.equal(widerResource.counterexamples[0].kind, 'not-granted');
    assert.match(widerResource.counterexamples[0].message, /^the current policy does not allow s3:GetObject on arn:aws:s3:::/);
    // A wildcard also grants actions the catalog does not list yet: sqs:* is wider than every sqs action listed.
    const listed = doc({ Effect: 'Allow', Action: expandActionPattern('sqs:*'), Resource: '*' });
    assert.equal(proveNoWidening(listed, doc({ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage'], Resource: '*' })).proven, true);
    assert.deepEqual(kinds(proveNoWidening(listed, doc({ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }))), [['not-granted', 0, 'sqs:*', '*']]);
    // NotAction grants unknown actions too.
    const notAction = proveNoWidening(doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }), doc({ Effect: 'Allow', NotAction: ['iam:*', 's3:*'], Resource: '*' }));
    assert.equal(notAction.proven, true);
    assert.deepEqual(kinds(proveNoWidening(doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }), doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }, { Effect: 'Allow', Action: UNKNOWN_ACTION, Resource: '*' }))), []);
    const dropped = proveNoWidening(original, doc(original.Statement[0]));
    assert.deepEqual(kinds(dropped), [
      ['deny-removed', 0, 's3:GetObject', 'arn:aws:s3:::b/secret/*'],
      ['deny-removed', 0, 's3:GetObject', 'arn:aws:s3:::b/secret/'],
      ['deny-removed', 0, 's3:GetObject', 'arn:aws:s3:::b/secret/gatehouse-probe/x:y'],
    ]);
    assert.equal(dropped.counterexamples[0].message, 'the proposal drops the Deny $.Statement[2] that applies to s3:GetObject on arn:aws:s3:::b/secret/*');
  });

  it('a proposal that is not a document is not proven', () => {
    assert.deepEqual(proveNoWidening(original, 'nope'), { proven: false, checked: 0, counterexamples: [{ kind: 'invalid', statementIndex: -1, action: '', resource: '', message: 'the proposal is not a policy document' }] });
  });

  it('builds a context that meets a statement\'s conditions', () => {
    const ctx = satisfyingContext(
      {
        Condition: {
          StringLike: { 's3:prefix': 'home/*' },
          IpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
          NumericLessThan: { 's3:max-keys': '10' },
          'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env'] },
          StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' },
          StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' },
        },
      },
      { 'aws:username': 'alice' },
      true,
    );
    assert.deepEqual(ctx, {
      'aws:username': 'alice',
      's3:prefix': 'home/x',
      'aws:SourceIp': '10.0.0.0',
      's3:max-keys': '9',
      'aws:TagKeys': ['env'],
      'aws:RequestedRegion': 'gatehouse-probe-value',
      'aws:ResourceTag/owner': 'alice',
    });
  });
});
