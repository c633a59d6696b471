/**
 * The AWS SDK for JavaScript v3 against StsService through the Query protocol, in memory: the SDK
 * serializes the request, the protocol reads it, StsService answers, the SDK parses the XML. The
 * caller is fixed (signatures are the authenticator's business, tested elsewhere).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import type { Principal } from '../../src/core/model/principal.js';
import { decodeForm, errorResponse, parseQueryRequest, serializeResult } from '../../src/protocol/index.js';
import { A, NOW, request, setup, userPrincipal, type Setup } from './sts-fixture.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

function client(s: Setup, caller: () => Principal): STSClient {
  const requestHandler = {
    async handle(req: { body?: unknown }) {
      let status = 200;
      let body: string;
      try {
        const { operation, input } = parseQueryRequest(decodeForm(String(req.body ?? '')));
        body = serializeResult('sts', operation, s.sts.call(operation, input, caller(), request()) as Record<string, unknown>, 'rid');
      } catch (err) {
        ({ status, body } = errorResponse('sts', err, 'rid'));
      }
      return { response: { statusCode: status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': 'rid' }, body: new TextEncoder().encode(body) } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
  };
  return new STSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }, requestHandler, maxAttempts: 1 });
}

describe('STS through the AWS SDK', () => {
  it('assumes a role with tags and session policies, chains, and reads the answers', async () => {
    const s = setup();
    let caller = userPrincipal(A, 'alice');
    const sts = client(s, () => caller);
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${A}:role/Dev`,
        RoleSessionName: 'sdk',
        DurationSeconds: 1800,
        Tags: [{ Key: 'Project', Value: 'apollo' }],
        TransitiveTagKeys: ['Project'],
        PolicyArns: [{ arn: `arn:aws:iam::${A}:policy/ReadOnlyS3` }],
        // The session may chain only if its session policies allow it too.
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: '*' }] }),
      }),
    );
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/Dev/sdk`);
    assert.equal(out.Credentials?.Expiration?.toISOString(), new Date(Math.floor((NOW.getTime() + 1_800_000) / 1000) * 1000).toISOString());
    assert.equal(typeof out.PackedPolicySize, 'number');
    const token = out.Credentials?.SessionToken ?? '';
    assert.deepEqual(s.open(token)?.policyArns, [`arn:aws:iam::${A}:policy/ReadOnlyS3`]);

    caller = s.principalOf(token);
    const who = await sts.send(new GetCallerIdentityCommand({}));
    assert.deepEqual({ Account: who.Account, Arn: who.Arn, UserId: who.UserId }, { Account: A, Arn: `arn:aws:sts::${A}:assumed-role/Dev/sdk`, UserId: 'AROADEVXXXXXXXXXXXXXX:sdk' });
    const chained = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/Second`, RoleSessionName: 'next' }));
    assert.deepEqual(s.open(chained.Credentials?.SessionToken ?? '')?.tags, [{ key: 'Project', value: 'apollo' }]);
  });

  it('surfaces AWS errors as the SDK names them', async () => {
    const s = setup();
    const sts = client(s, () => userPrincipal(A, 'bob'));
    await assert.rejects(sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/Dev`, RoleSessionName: 'xx' })), (err: Error & { $fault?: string; $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, 'AccessDenied');
      assert.equal(err.message, `User: arn:aws:iam::${A}:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${A}:role/Dev`);
      assert.equal(err.$metadata?.httpStatusCode, 403);
      return true;
    });
    await assert.rejects(sts.send(new GetFederationTokenCommand({ Name: 'xx', Policy: '{"Version":"2012-10-17","Statement":[' })), { name: 'MalformedPolicyDocumentException' });
    await assert.rejects(sts.send(new GetSessionTokenCommand({ DurationSeconds: 100 })), { name: 'ValidationError' });
    const ok = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    assert.ok(ok.Credentials?.AccessKeyId?.startsWith('ASIA'));
  });
});
