/**
 * `POST /v1/authorize` over HTTP, as a protected service uses it: the request its caller signed
 * with the AWS SDK's signer for a service AWS does not have (`reports`), the action and the
 * resource; the answer's decision, deciding statement, AWS's AccessDenied message, an encoded
 * message that STS decodes, and read-your-writes with x-gatehouse-min-revision.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, DecodeAuthorizationMessageCommand } from '@aws-sdk/client-sts';
import type { AuthorizeBody } from '../../src/data-plane/authorize.js';
import { sessionCredentials, signServiceRequest, startRegionServer, type Credentials, type ReceivedRequest, type RegionServer } from './region-harness.js';

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

describe('POST /v1/authorize', () => {
  let s: RegionServer;
  let account: string;
  let analyst: Credentials;
  const report = (name: string) => `arn:aws:reports:eu-west-1:${account}:report/${name}`;

  async function authorize(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: AuthorizeBody; headers: Headers }> {
    const res = await fetch(`${s.url}/v1/authorize`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as AuthorizeBody, headers: res.headers };
  }

  /** A GET of the report, signed by `credentials` as the reports service received it. */
  function received(credentials: Credentials, name: string, region = 'eu-west-1'): Promise<ReceivedRequest> {
    return signServiceRequest({ credentials, service: 'reports', region, method: 'GET', url: `https://reports.internal:8443/reports/${encodeURIComponent(name)}?format=csv`, now: s.now() });
  }

  before(async () => {
    s = await startRegionServer();
    account = s.accountId;
    const iam = s.iam('us-east-1');
    await iam.send(new CreateUserCommand({ UserName: 'analyst' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'analyst',
        PolicyName: 'reports',
        PolicyDocument: policy({ Sid: 'ReadThisYear', Effect: 'Allow', Action: 'reports:GetReport', Resource: `arn:aws:reports:*:${account}:report/2026-*` }, { Effect: 'Allow', Action: 'sts:DecodeAuthorizationMessage', Resource: '*' }),
      }),
    );
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'analyst' }));
    analyst = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
    await s.propagated();
  });
  after(async () => {
    await s?.stop();
  });

  it('allows, naming the principal, the deciding statement and the revision', async () => {
    const res = await authorize({ request: await received(analyst, '2026-q1'), action: 'reports:GetReport', resource: report('2026-q1') });
    assert.equal(res.status, 200);
    assert.equal(res.body.decision, 'Allow');
    assert.deepEqual(res.body.principal, { arn: `arn:aws:iam::${account}:user/analyst`, account, userId: res.body.principal?.userId, type: 'IAMUser' });
    assert.match(res.body.principal?.userId ?? '', /^AIDA[A-Z0-9]{17}$/);
    assert.deepEqual(res.body.decidedBy, [{ policyId: `arn:aws:iam::${account}:user/analyst:inline/reports`, statementIndex: 0, sid: 'ReadThisYear', effect: 'Allow', layer: 'identity' }]);
    assert.ok(res.body.revision >= s.lastRevision, `revision ${res.body.revision} < ${s.lastRevision}`);
    assert.equal(res.body.message, undefined);
    // Signed for us-east-1: the other region's data plane answers the same.
    const east = await authorize({ request: await received(analyst, '2026-q2', 'us-east-1'), action: 'reports:GetReport', resource: report('2026-q2') });
    assert.equal(east.body.decision, 'Allow');
  });

  it("denies with AWS's message and an encoded message that DecodeAuthorizationMessage reads", async () => {
    const res = await authorize({ request: await received(analyst, '2025-q4'), action: 'reports:GetReport', resource: report('2025-q4'), encodeMessage: true });
    assert.equal(res.status, 200);
    assert.equal(res.body.decision, 'Deny');
    assert.equal(res.body.message, `User: arn:aws:iam::${account}:user/analyst is not authorized to perform: reports:GetReport on resource: ${report('2025-q4')} because no identity-based policy allows the reports:GetReport action`);
    assert.deepEqual(res.body.blockedBy, { layer: 'identity', kind: 'implicit' });
    assert.equal(typeof res.body.encodedMessage, 'string');

    // Decoded by STS in the other region, with the denied user's own credentials.
    const decoded = await s.sts('us-east-1', analyst).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: res.body.encodedMessage }));
    const message = JSON.parse(decoded.DecodedMessage ?? '') as { allowed: boolean; explicitDeny: boolean; context: { action: string; resource: string; principal: { arn: string } } };
    assert.equal(message.allowed, false);
    assert.equal(message.explicitDeny, false);
    assert.equal(message.context.action, 'reports:GetReport');
    assert.equal(message.context.resource, report('2025-q4'));
    assert.equal(message.context.principal.arn, `arn:aws:iam::${account}:user/analyst`);
  });

  it('authorizes role sessions with their session policy', async () => {
    const iam = s.iam('us-east-1');
    const trust = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' });
    await iam.send(new CreateRoleCommand({ RoleName: 'ReportReader', AssumeRolePolicyDocument: trust }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'ReportReader', PolicyName: 'all-reports', PolicyDocument: policy({ Effect: 'Allow', Action: 'reports:*', Resource: '*' }) }));
    await s.propagated();
    const out = await s.sts('eu-west-1').send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/ReportReader`, RoleSessionName: 'nightly', Policy: policy({ Effect: 'Allow', Action: 'reports:GetReport', Resource: report('2026-*') }) }),
    );
    const session = sessionCredentials(out.Credentials);
    const request = await received(session, '2026-q3');
    assert.ok(request.headers['x-amz-security-token'], 'the signer sends the session token');
    const allowed = await authorize({ request, action: 'reports:GetReport', resource: report('2026-q3') });
    assert.equal(allowed.body.decision, 'Allow');
    assert.deepEqual(allowed.body.principal, { arn: `arn:aws:sts::${account}:assumed-role/ReportReader/nightly`, account, userId: allowed.body.principal?.userId, type: 'AssumedRole', sessionName: 'nightly' });
    const denied = await authorize({ request: await received(session, '2026-q3'), action: 'reports:DeleteReport', resource: report('2026-q3') });
    assert.equal(denied.body.decision, 'Deny');
    assert.equal(denied.body.message, `User: arn:aws:sts::${account}:assumed-role/ReportReader/nightly is not authorized to perform: reports:DeleteReport on resource: ${report('2026-q3')} because no session policy allows the reports:DeleteReport action`);
  });

  it('refuses a bad signature with 403 SignatureDoesNotMatch', async () => {
    const request = await received(analyst, '2026-q1');
    request.headers.authorization = request.headers.authorization.replace(/Signature=([0-9a-f])/, (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`);
    const res = await authorize({ request, action: 'reports:GetReport', resource: report('2026-q1') });
    assert.equal(res.status, 403);
    assert.equal(res.body.decision, 'Deny');
    assert.equal(res.body.error?.code, 'SignatureDoesNotMatch');
    assert.equal(res.body.principal, undefined);
    // Not signed at all.
    const unsigned = await authorize({ request: { method: 'GET', path: '/reports/2026-q1', headers: { host: 'reports.internal' } }, action: 'reports:GetReport', resource: report('2026-q1') });
    assert.deepEqual([unsigned.status, unsigned.body.error?.code], [403, 'MissingAuthenticationToken']);
    // Signed with another secret.
    const forged = await signServiceRequest({ credentials: { ...analyst, secretAccessKey: 'x'.repeat(40) }, service: 'reports', region: 'eu-west-1', method: 'GET', url: 'https://reports.internal/reports/2026-q1', now: s.now() });
    assert.equal((await authorize({ request: forged, action: 'reports:GetReport', resource: report('2026-q1') })).body.error?.code, 'SignatureDoesNotMatch');
  });

  it('answers 400 to a malformed body', async () => {
    const notJson = await authorize('{"request":');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.error?.code, 'ValidationError');
    const request = await received(analyst, '2026-q1');
    const noAction = await authorize({ request, resource: report('2026-q1') });
    assert.equal(noAction.status, 400);
    assert.equal(noAction.body.error?.message, "action must be 'service:Action', e.g. 's3:GetObject'.");
    const badResource = await authorize({ request, action: 'reports:GetReport', resource: 'report-2026' });
    assert.equal(badResource.status, 400);
    const noHeaders = await authorize({ request: { method: 'GET', path: '/x' }, action: 'reports:GetReport', resource: '*' });
    assert.equal(noHeaders.status, 400);
  });

  it('honours x-gatehouse-min-revision', async () => {
    // Granted just now: with the write's revision, the decision reflects it.
    const iam = s.iam('us-east-1');
    await iam.send(new PutUserPolicyCommand({ UserName: 'analyst', PolicyName: 'archive', PolicyDocument: policy({ Effect: 'Allow', Action: 'reports:GetReport', Resource: report('2025-*') }) }));
    const revision = s.lastRevision;
    const res = await authorize({ request: await received(analyst, '2025-q4'), action: 'reports:GetReport', resource: report('2025-q4') }, { 'x-gatehouse-min-revision': String(revision) });
    assert.equal(res.body.decision, 'Allow');
    assert.ok(res.body.revision >= revision);
    assert.equal(res.body.decidedBy?.[0]?.policyId, `arn:aws:iam::${account}:user/analyst:inline/archive`);

    const malformed = await authorize({ request: await received(analyst, '2025-q4'), action: 'reports:GetReport', resource: report('2025-q4') }, { 'x-gatehouse-min-revision': 'soon' });
    assert.equal(malformed.status, 400);

    // A revision that does not exist yet: a retryable 503 after the bounded wait (5 s).
    const future = await authorize({ request: await received(analyst, '2025-q4'), action: 'reports:GetReport', resource: report('2025-q4') }, { 'x-gatehouse-min-revision': String(revision + 1000) });
    assert.equal(future.status, 503);
    assert.equal(future.body.error?.code, 'ServiceUnavailable');
    assert.equal(future.headers.get('retry-after'), '1');
  });
});
