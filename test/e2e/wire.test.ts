/** Wire details real clients depend on: encoded policy documents, presigned GETs, the clock window. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateUserCommand, GetUserPolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { signRequest } from '../../src/core/sigv4/index.js';
import { startTestServer, type TestServer } from './server-harness.js';

function signed(server: TestServer, body: string, now: Date, form: 'header' | 'query' = 'header') {
  const url = new URL(server.gatehouse.url);
  const method = form === 'query' ? 'GET' : 'POST';
  const req = signRequest(
    { method, path: '/', query: form === 'query' ? body : '', headers: [['Host', url.host], ...(form === 'header' ? [['Content-Type', 'application/x-www-form-urlencoded'] as [string, string]] : [])], bodySha256: createHash('sha256').update(form === 'query' ? '' : body).digest('hex') },
    server.admin,
    { now, region: 'us-east-1', service: 'iam', form },
  );
  return fetch(`${server.gatehouse.url}/${req.query ? `?${req.query}` : ''}`, { method, headers: Object.fromEntries(req.headers.filter(([k]) => k.toLowerCase() !== 'host')), body: form === 'query' ? undefined : body });
}

describe('wire behaviour', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('returns policy documents URL-encoded, as AWS does', async () => {
    const iam = server.iam();
    await iam.send(new CreateUserCommand({ UserName: 'docs' }));
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/*' }] });
    await iam.send(new PutUserPolicyCommand({ UserName: 'docs', PolicyName: 'read', PolicyDocument: document }));
    const out = await iam.send(new GetUserPolicyCommand({ UserName: 'docs', PolicyName: 'read' }));
    assert.match(out.PolicyDocument ?? '', /^%7B%22Version%22/);
    assert.equal(decodeURIComponent(out.PolicyDocument!), document);
  });

  it('accepts a presigned GET with the parameters in the query', async () => {
    const res = await signed(server, 'Action=GetUser&Version=2010-05-08', new Date(), 'query');
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<UserName>admin<\/UserName>/);
  });

  it('refuses a request signed 16 minutes ago, in AWS wording, and accepts one signed 14 minutes ago', async () => {
    const old = await signed(server, 'Action=GetUser&Version=2010-05-08', new Date(Date.now() - 16 * 60_000));
    assert.equal(old.status, 403);
    const text = await old.text();
    assert.match(text, /<Code>SignatureDoesNotMatch<\/Code>/);
    assert.match(text, /Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)/);
    assert.ok(old.headers.get('x-amzn-requestid'));
    const recent = await signed(server, 'Action=GetUser&Version=2010-05-08', new Date(Date.now() - 14 * 60_000));
    assert.equal(recent.status, 200);
  });

  it('carries the store revision of each write in x-gatehouse-revision', async () => {
    const first = await signed(server, 'Action=CreateUser&Version=2010-05-08&UserName=rev-1', new Date());
    const second = await signed(server, 'Action=CreateUser&Version=2010-05-08&UserName=rev-2', new Date());
    assert.equal(first.status, 200);
    const a = Number(first.headers.get('x-gatehouse-revision'));
    const b = Number(second.headers.get('x-gatehouse-revision'));
    assert.ok(a > 0 && b === a + 1, `revisions ${a} then ${b}`);
    const failed = await signed(server, 'Action=CreateUser&Version=2010-05-08&UserName=rev-1', new Date());
    assert.equal(failed.status, 409);
    const read = await signed(server, 'Action=GetUser&Version=2010-05-08&UserName=rev-2', new Date());
    assert.equal(Number(read.headers.get('x-gatehouse-revision')), b, 'a failed write takes no revision');
  });

  it('answers InvalidAction for an unknown action, after authentication', async () => {
    const res = await signed(server, 'Action=FlyToTheMoon&Version=2010-05-08', new Date());
    assert.equal(res.status, 400);
    assert.match(await res.text(), /<Code>InvalidAction<\/Code><Message>Could not find operation FlyToTheMoon for version 2010-05-08<\/Message>/);
  });
});
