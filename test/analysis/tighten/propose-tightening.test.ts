import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proposeTightening, type PolicyProposal } from '../../../src/analysis/tighten/index.js';
import { validatePolicy } from '../../../src/core/policy/index.js';
import { ACCOUNT, APP_POLICY, APP_ROLE, NOW, SINCE_30D, appAccount, appUsage, doc, smallAccount, used } from '../usage/helpers.js';

const USER = `arn:aws:iam::${ACCOUNT}:user/p`;
const removals = (p: PolicyProposal | undefined) => p?.removals.map((r) => [r.path, r.what, r.reason]);

const APP_PROPOSAL = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ReadData', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::app-data/reports/*' },
    { Sid: 'ReadData2', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::app-data' },
    { Sid: 'WriteData', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::app-data/uploads/a.bin' },
    { Sid: 'Queues', Effect: 'Allow', Action: ['sqs:DeleteMessage', 'sqs:ReceiveMessage', 'sqs:SendMessage'], Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:app-jobs` },
    { Sid: 'NoProdDeletes', Effect: 'Deny', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::app-data/prod/*' },
  ],
};

describe('proposeTightening', () => {
  it('narrows the used statements, drops the rest with reasons, keeps Denies, and proves it', () => {
    const result = proposeTightening({ index: appAccount(), principalArn: APP_ROLE, usage: appUsage(), since: SINCE_30D, now: NOW });
    assert.deepEqual(result.principal, { arn: APP_ROLE, kind: 'role', name: 'app' });
    assert.deepEqual(result.usage, { records: 10, requests: 229, actions: 6 });
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(result.policies.map((p) => [p.kind, p.policyId, p.changed]), [
      ['inline', 'extra', true],
      ['managed', APP_POLICY, true],
    ]);

    const managed = result.policies[1];
    assert.deepEqual(managed.proposed, APP_PROPOSAL);
    assert.deepEqual(managed.sources, [0, 0, 1, 2, 4]);
    assert.equal(managed.versionId, 'v2');
    assert.deepEqual(managed.sharedWith, [`arn:aws:iam::${ACCOUNT}:role/old-batch`]);
    assert.deepEqual(removals(managed), [
      ['$.Statement[0].Resource[1]', 'Resource arn:aws:s3:::app-data/* narrowed to arn:aws:s3:::app-data/reports/*', 'only 5 resources used since 2026-05-02'],
      ['$.Statement[1].Action[1]', 's3:DeleteObject', 'not used since 2026-05-02'],
      ['$.Statement[1].Resource', 'Resource arn:aws:s3:::app-data/* narrowed to arn:aws:s3:::app-data/uploads/a.bin', 'only 1 resource used since 2026-05-02'],
      ['$.Statement[2].Action', 'sqs:* except sqs:DeleteMessage, sqs:ReceiveMessage, sqs:SendMessage (17 of 20 actions)', 'not used since 2026-05-02'],
      ['$.Statement[2].Resource', `Resource arn:aws:sqs:us-east-1:${ACCOUNT}:app-* narrowed to arn:aws:sqs:us-east-1:${ACCOUNT}:app-jobs`, 'only 1 resource used since 2026-05-02'],
      ['$.Statement[3]', 'logs:CreateLogStream, logs:PutLogEvents on *', 'not used since 2026-05-02'],
    ]);
    assert.deepEqual(validatePolicy(managed.proposed, 'identity'), []);

    // Nothing of the inline policy was used; PassRole was never usable under the boundary.
    const inline = result.policies[0];
    assert.equal(inline.proposed, null);
    assert.deepEqual(inline.owner, { kind: 'role', name: 'app', arn: APP_ROLE });
    assert.deepEqual(removals(inline), [
      ['$.Statement[0]', `dynamodb:* on arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/*`, 'not used since 2026-05-02'],
      ['$.Statement[1]', `iam:PassRole on arn:aws:iam::${ACCOUNT}:role/*`, `never granted effectively (denied by the permissions boundary arn:aws:iam::${ACCOUNT}:policy/AppBoundary)`],
    ]);

    assert.equal(result.proof.proven, true);
    assert.equal(result.proof.checked, 8);
    assert.deepEqual(result.proof.counterexamples, []);
  });

  it('traces requests without allowedBy, or recorded against another version, through the engine', () => {
    const bare = appUsage().map((r) => ({ ...r, allowedBy: [] }));
    const fromBare = proposeTightening({ index: appAccount(), principalArn: APP_ROLE, usage: bare, since: SINCE_30D, now: NOW });
    assert.deepEqual(fromBare.policies[1].proposed, APP_PROPOSAL);
    // v1's statement 0 (s3:* on *) is not v2's: the index is not trusted.
    const stale = appUsage().map((r) => ({ ...r, allowedBy: r.allowedBy.map((a) => ({ ...a, policyVersion: 'v1', statementIndex: 0 })) }));
    const fromStale = proposeTightening({ index: appAccount(), principalArn: APP_ROLE, usage: stale, since: SINCE_30D, now: NOW });
    assert.deepEqual(fromStale.policies[1].proposed, APP_PROPOSAL);
  });

  it('removes a statement whose every use another allowed too, naming it', () => {
    const index = smallAccount({ inline: { p: doc({ Sid: 'Objects', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }, { Sid: 'Everything', Effect: 'Allow', Action: 's3:*', Resource: '*' }) } });
    const allowedBy = [{ policyId: `${USER}:inline/p`, statementIndex: 0 }, { policyId: `${USER}:inline/p`, statementIndex: 1 }];
    const result = proposeTightening({ index, principalArn: USER, usage: [used(USER, 's3:GetObject', 'arn:aws:s3:::b/k', allowedBy)], since: SINCE_30D, now: NOW });
    const p = result.policies[0];
    assert.deepEqual(p.proposed, doc({ Sid: 'Objects', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/k' }));
    assert.deepEqual(removals(p), [
      ['$.Statement[0].Resource', 'Resource arn:aws:s3:::b/* narrowed to arn:aws:s3:::b/k', 'only 1 resource used since 2026-05-02'],
      ['$.Statement[1]', 's3:* on *', 'covered by $.Statement[0] (Objects), which allowed the same requests'],
    ]);
    assert.equal(result.proof.proven, true);
  });

  it('keeps conditions, policy variables and Denies; turns NotAction into the used actions', () => {
    const index = smallAccount({
      inline: {
        p: doc(
          { Sid: 'Home', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::home/${aws:username}/*' },
          { Sid: 'Secure', Effect: 'Allow', Action: 'sqs:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
          { Sid: 'AllButIam', Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
          { Sid: 'NoDeletes', Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: '*' },
        ),
      },
    });
    const usage = [
      used(USER, 's3:GetObject', 'arn:aws:s3:::home/p/notes.txt'),
      used(USER, 'sqs:SendMessage', `arn:aws:sqs:us-east-1:${ACCOUNT}:q`, [{ policyId: `${USER}#p`, statementIndex: 1 }]),
      used(USER, 'dynamodb:GetItem', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t`),
    ];
    const result = proposeTightening({ index, principalArn: USER, usage, since: SINCE_30D, now: NOW });
    assert.deepEqual(result.policies[0].proposed, doc(
      { Sid: 'Home', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*' },
      { Sid: 'Secure', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`, Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      { Sid: 'AllButIam', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t` },
      { Sid: 'NoDeletes', Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: '*' },
    ));
    const notAction = result.policies[0].removals.find((r) => r.path === '$.Statement[2].NotAction');
    assert.match(notAction?.what ?? '', /^every action except iam:\*, but the 1 used action \(\d+ actions\)$/);
    assert.equal(result.proof.proven, true);
  });

  it('says nothing can be proposed without use, or for an unknown principal', () => {
    const index = appAccount();
    const none = proposeTightening({ index, principalArn: `arn:aws:iam::${ACCOUNT}:role/old-batch`, usage: appUsage(), since: SINCE_30D, now: NOW });
    assert.deepEqual(none.policies, []);
    assert.deepEqual(none.warnings, [`no recorded use by arn:aws:iam::${ACCOUNT}:role/old-batch since 2026-05-02: nothing to base a proposal on (see \`gatehouse usage unused\`)`]);
    const unknown = proposeTightening({ index, principalArn: `arn:aws:iam::${ACCOUNT}:role/ghost`, usage: [], since: SINCE_30D, now: NOW });
    assert.equal(unknown.principal, null);
    assert.deepEqual(unknown.warnings, [`arn:aws:iam::${ACCOUNT}:role/ghost is not a user or role of account ${ACCOUNT}`]);
  });

  it('a policy used exactly as written is unchanged', () => {
    const index = smallAccount({ managed: { exact: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/k' }) } });
    const result = proposeTightening({ index, principalArn: USER, usage: [used(USER, 's3:GetObject', 'arn:aws:s3:::b/k')], since: SINCE_30D, now: NOW });
    assert.deepEqual(result.policies.map((p) => [p.policyId, p.changed, p.removals.length]), [[`arn:aws:iam::${ACCOUNT}:policy/exact`, false, 0]]);
    assert.deepEqual(result.policies[0].proposed, result.policies[0].current);
  });
});
