/**
 * examples/protected-service, run in process against a standalone Gatehouse: the service embeds a
 * replica of eu-west-1 through the replication feed over HTTP (the region's token), and its
 * callers sign with the AWS SDK's signer. Allowed requests are served, others get 403 with AWS's
 * AccessDenied message.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { createAuthorizer, type Authorizer } from '../../src/data-plane/create-authorizer.js';
import { regionReplicationToken } from '../../src/server/standalone.js';
import { callReports, type ReportsCredentials } from '../../examples/protected-service/client.js';
import { createApp } from '../../examples/protected-service/reports-app.js';
import { sessionCredentials, startRegionServer, type RegionServer } from './region-harness.js';

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

describe('examples/protected-service', () => {
  let s: RegionServer;
  let authorizer: Authorizer;
  let service: Server;
  let serviceUrl: string;
  let replicaDir: string;
  let alice: ReportsCredentials;
  const call = (method: string, path: string, credentials: ReportsCredentials, body?: string) => callReports({ method, url: `${serviceUrl}${path}`, body, credentials, region: 'eu-west-1', now: s.now() });

  before(async () => {
    s = await startRegionServer();
    const iam = s.iam('us-east-1');
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'alice',
        PolicyName: 'reports',
        PolicyDocument: policy(
          { Effect: 'Allow', Action: ['reports:ListReports', 'reports:PutReport'], Resource: '*' },
          { Effect: 'Allow', Action: 'reports:GetReport', Resource: `arn:aws:reports:eu-west-1:${s.accountId}:report/2026-*`, Condition: { StringEqualsIfExists: { 'reports:Format': 'csv' } } },
        ),
      }),
    );
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    alice = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };

    replicaDir = await mkdtemp(join(tmpdir(), 'gatehouse-example-'));
    const token = await regionReplicationToken(s.dataDir, 'eu-west-1', {});
    authorizer = await createAuthorizer({ controlPlaneUrl: s.url, token, region: 'eu-west-1', dataDir: replicaDir, now: s.now, pollWaitMs: 1_000 });
    assert.ok(await authorizer.waitForRevision(s.lastRevision, 5_000), 'the embedded replica caught up');
    service = createServer(createApp({ authorizer, region: 'eu-west-1', account: s.accountId }));
    await new Promise<void>((ok) => service.listen(0, '127.0.0.1', ok));
    serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  });
  after(async () => {
    service?.closeAllConnections();
    await new Promise((ok) => (service ? service.close(ok) : ok(undefined)));
    await authorizer?.close();
    await s?.stop();
    if (replicaDir) await rm(replicaDir, { recursive: true, force: true });
  });

  it('serves what the policy allows', async () => {
    const put = await call('PUT', '/reports/2026-q1', alice, 'revenue,42');
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.caller, `arn:aws:iam::${s.accountId}:user/alice`);
    const got = await call('GET', '/reports/2026-q1?format=csv', alice);
    assert.deepEqual([got.status, got.body.body], [200, 'revenue,42']);
    const list = await call('GET', '/reports', alice);
    assert.deepEqual(list.body.reports, ['2026-q1']);
  });

  it("refuses what it does not allow with 403 and AWS's AccessDenied message", async () => {
    const old = await call('GET', '/reports/2025-q4', alice);
    assert.equal(old.status, 403);
    assert.deepEqual(old.body.error, {
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${s.accountId}:user/alice is not authorized to perform: reports:GetReport on resource: arn:aws:reports:eu-west-1:${s.accountId}:report/2025-q4 because no identity-based policy allows the reports:GetReport action`,
    });
    assert.equal(typeof old.body.encodedMessage, 'string');
    // The condition on the service's own key (reports:Format).
    assert.equal((await call('GET', '/reports/2026-q1?format=json', alice)).status, 403);
    assert.equal((await call('DELETE', '/reports/2026-q1', alice)).status, 403);
  });

  it('refuses a request that is not signed by a known key, or whose body was changed', async () => {
    const forged = await call('GET', '/reports', { ...alice, secretAccessKey: 'x'.repeat(40) });
    assert.equal(forged.status, 403);
    assert.equal((forged.body.error as { code: string }).code, 'SignatureDoesNotMatch');
    const unknown = await call('GET', '/reports', { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: alice.secretAccessKey });
    assert.equal((unknown.body.error as { code: string }).code, 'InvalidClientTokenId');
    const unsigned = await fetch(`${serviceUrl}/reports`);
    assert.equal(unsigned.status, 403);
    assert.deepEqual(await unsigned.json(), { error: { code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' } });

    // Signed for one body, sent with another.
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { Sha256 } = await import('../../examples/protected-service/sha256.js');
    const url = new URL(`${serviceUrl}/reports/2026-q2`);
    const signed = await new SignatureV4({ service: 'reports', region: 'eu-west-1', credentials: alice, sha256: Sha256 }).sign(
      { method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host }, body: 'signed body' },
      { signingDate: s.now() },
    );
    const tampered = await fetch(url, { method: 'PUT', headers: signed.headers, body: 'other body!' });
    assert.equal(tampered.status, 403);
    assert.equal(((await tampered.json()) as { error: { code: string } }).error.code, 'SignatureDoesNotMatch');
  });

  it('authorizes role sessions, and follows IAM changes through the feed', async () => {
    const iam = s.iam('us-east-1');
    const trust = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${s.accountId}:root` }, Action: 'sts:AssumeRole' });
    await iam.send(new CreateRoleCommand({ RoleName: 'ReportJob', AssumeRolePolicyDocument: trust }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'ReportJob', PolicyName: 'list', PolicyDocument: policy({ Effect: 'Allow', Action: 'reports:ListReports', Resource: '*' }) }));
    await s.propagated();
    const out = await s.sts('eu-west-1').send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${s.accountId}:role/ReportJob`, RoleSessionName: 'nightly' }));
    const job = sessionCredentials(out.Credentials);
    assert.ok(await authorizer.waitForRevision(s.lastRevision, 5_000));
    const list = await call('GET', '/reports', job);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.equal(list.body.caller, `arn:aws:sts::${s.accountId}:assumed-role/ReportJob/nightly`);
    assert.equal((await call('PUT', '/reports/2026-q3', job, 'x')).status, 403);

    // Granted on the control plane: the embedded replica applies it from the feed.
    await iam.send(new PutRolePolicyCommand({ RoleName: 'ReportJob', PolicyName: 'write', PolicyDocument: policy({ Effect: 'Allow', Action: 'reports:PutReport', Resource: '*' }) }));
    assert.ok(await authorizer.waitForRevision(s.lastRevision, 5_000));
    assert.equal((await call('PUT', '/reports/2026-q3', job, 'x')).status, 200);
  });
});
