/**
 * SigV4a (AWS4-ECDSA-P256-SHA256) from the real AWS SDK v3: the STS client signs with SigV4a only
 * with all three of the signer package, `authSchemePreference: ['sigv4a']` and a region set of `*`
 * (../shared/conformance/CLIENTS.md). Each test checks on the wire that SigV4a was used.
 */
import '@aws-sdk/signature-v4a';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { sessionCredentials, startRegionServer, type Credentials, type RegionServer } from './region-harness.js';

interface Sent {
  authorization: string;
  regionSet: string | undefined;
}

/** An STS client that signs with SigV4a and records the headers each request went out with. */
function sigv4aClient(s: RegionServer, credentials: Credentials, sent: Sent[]): STSClient {
  const client = new STSClient({
    endpoint: s.url,
    region: 'eu-west-1',
    credentials,
    maxAttempts: 1,
    authSchemePreference: ['sigv4a'],
    sigv4aSigningRegionSet: ['*'],
  });
  // The deserialize step sees the request after signing, as it is sent.
  client.middlewareStack.add(
    (next) => (args) => {
      const headers = (args.request as { headers: Record<string, string> }).headers;
      const find = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
      sent.push({ authorization: find('authorization') ?? '', regionSet: find('x-amz-region-set') });
      return next(args);
    },
    { step: 'deserialize', name: 'recordSignedRequest' },
  );
  return client;
}

const SIGV4A_HEADER = /^AWS4-ECDSA-P256-SHA256 Credential=(A[SK]IA[A-Z0-9]{16})\/\d{8}\/sts\/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-region-set[a-z0-9;-]*, Signature=[0-9a-f]+$/;

describe('SigV4a from the AWS SDK', () => {
  let s: RegionServer;
  const clients: STSClient[] = [];
  before(async () => {
    s = await startRegionServer();
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await s?.stop();
  });

  it('authenticates GetCallerIdentity signed with AWS4-ECDSA-P256-SHA256', async () => {
    const sent: Sent[] = [];
    const sts = sigv4aClient(s, s.admin, sent);
    clients.push(sts);
    const who = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:iam::${s.accountId}:user/admin`);
    assert.equal(sent.length, 1);
    const m = SIGV4A_HEADER.exec(sent[0].authorization);
    assert.ok(m, `not a SigV4a Authorization header: ${sent[0].authorization}`);
    assert.equal(m[1], s.admin.accessKeyId);
    assert.equal(sent[0].regionSet, '*');
  });

  it('authenticates temporary credentials signed with SigV4a', async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${s.accountId}:root` }, Action: 'sts:AssumeRole' }] });
    await s.iam('us-east-1').send(new CreateRoleCommand({ RoleName: 'Signer', AssumeRolePolicyDocument: trust }));
    await s.propagated();
    const out = await s.sts('eu-west-1').send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${s.accountId}:role/Signer`, RoleSessionName: 'ecdsa' }));
    const sent: Sent[] = [];
    const sts = sigv4aClient(s, sessionCredentials(out.Credentials), sent);
    clients.push(sts);
    const who = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${s.accountId}:assumed-role/Signer/ecdsa`);
    assert.match(sent[0].authorization, SIGV4A_HEADER);
    assert.ok(sent[0].authorization.includes('x-amz-security-token'), 'the session token is signed');
  });

  it('refuses a SigV4a signature made with the wrong secret', async () => {
    const sent: Sent[] = [];
    const wrong = { accessKeyId: s.admin.accessKeyId, secretAccessKey: s.admin.secretAccessKey.slice(0, -1) + (s.admin.secretAccessKey.endsWith('A') ? 'B' : 'A') };
    const sts = sigv4aClient(s, wrong, sent);
    clients.push(sts);
    await assert.rejects(sts.send(new GetCallerIdentityCommand({})), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, 'SignatureDoesNotMatch');
      assert.match(err.message, /^The request signature we calculated does not match the signature you provided\./);
      assert.equal(err.$metadata?.httpStatusCode, 403);
      return true;
    });
    assert.match(sent[0].authorization, SIGV4A_HEADER);
  });

  it('refuses a SigV4a signature with an unknown access key', async () => {
    const sent: Sent[] = [];
    const sts = sigv4aClient(s, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: s.admin.secretAccessKey }, sent);
    clients.push(sts);
    await assert.rejects(sts.send(new GetCallerIdentityCommand({})), { name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid' });
    assert.match(sent[0].authorization, SIGV4A_HEADER);
  });
});
