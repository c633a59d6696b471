import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openAuthorizationMessage } from '../../src/core/tokens/index.js';
import { DataPlaneAuthenticator } from '../../src/data-plane/authenticator.js';
import { authorize, type AuthorizeInput, type AuthorizeResult } from '../../src/data-plane/authorize.js';
import { UsageRecorder } from '../../src/data-plane/usage-recorder.js';
import { ACCOUNT, allow, deny, NOW, ReplicaFixture, signedRequest, TOKEN_ROOT, type Credentials } from './replica-fixture.js';
import { tokenKeyForDay } from '../../src/core/tokens/index.js';

const BUCKET = 'arn:aws:s3:::reports';
const OBJECT = `${BUCKET}/2026/q1.csv`;

function setup() {
  const f = new ReplicaFixture();
  f.accountRecord();
  const read = f.policy('ReadReports', JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'ReadObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [BUCKET, `${BUCKET}/*`] }] }), { version: 'v3' });
  const write = f.policy('WriteReports', allow('s3:PutObject', `${BUCKET}/*`));
  f.user('alice', { attached: [read], inline: { tagged: allow('s3:DeleteObject', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data' } } }) }, tags: [{ key: 'team', value: 'data' }] });
  f.role('Analyst', { attached: [read, write] });
  const alice = f.accessKey('alice');
  const index = f.index();
  const usage = new UsageRecorder();
  const authenticator = new DataPlaneAuthenticator(index);
  const check = (input: AuthorizeInput, now = NOW): AuthorizeResult => authorize({ view: index, authenticator, usage, now }, input);
  return { f, index, usage, check, alice, read, write };
}

function input(creds: Credentials, action: string, resource: string, extra: Partial<AuthorizeInput> = {}): AuthorizeInput {
  return { request: signedRequest(creds), action, resource, ...extra };
}

describe('/v1/authorize check', () => {
  test('Allow: the principal, the statements that allowed it (with the managed version), the revision', () => {
    const { check, alice, read, index } = setup();
    const result = check(input(alice, 's3:GetObject', OBJECT));
    assert.equal(result.status, 200);
    assert.deepEqual(result.body, {
      decision: 'Allow',
      principal: { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, account: ACCOUNT, userId: index.user(ACCOUNT, 'alice')?.userId, type: 'IAMUser' },
      decidedBy: [{ policyId: read, policyVersion: 'v3', statementIndex: 0, sid: 'ReadObjects', effect: 'Allow', layer: 'identity' }],
      revision: 1,
    });
  });

  test('principal tags come from the replica (aws:PrincipalTag)', () => {
    const { check, alice } = setup();
    const result = check(input(alice, 's3:DeleteObject', OBJECT));
    assert.equal(result.body.decision, 'Allow');
    assert.equal(result.body.decidedBy?.[0].policyId, `arn:aws:iam::${ACCOUNT}:user/alice:inline/tagged`);
    assert.equal(result.body.decidedBy?.[0].policyVersion, undefined);
  });

  test('Deny: AWS’s AccessDenied message and an encoded message DecodeAuthorizationMessage opens', () => {
    const { check, alice, f } = setup();
    const result = check({ ...input(alice, 's3:PutObject', OBJECT, { context: { 's3:x-amz-acl': 'private' } }), encodeMessage: true });
    assert.equal(result.status, 200);
    assert.equal(result.body.decision, 'Deny');
    assert.equal(result.body.message, `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: s3:PutObject on resource: ${OBJECT} because no identity-based policy allows the s3:PutObject action`);
    assert.deepEqual(result.body.blockedBy, { layer: 'identity', kind: 'implicit' });
    assert.deepEqual(result.body.decidedBy, []);
    const key = f.tokenKey();
    const decoded = openAuthorizationMessage(result.body.encodedMessage ?? '', (id) => (id === key.id ? key : undefined));
    assert.ok(decoded);
    assert.equal(decoded.allowed, false);
    assert.equal(decoded.explicitDeny, false);
    const context = decoded.context as { principal: { arn: string; id: string }; action: string; resource: string; conditions: { items: { key: string; values: { items: { value: string }[] } }[] } };
    assert.equal(context.principal.arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
    assert.equal(context.action, 's3:PutObject');
    assert.equal(context.resource, OBJECT);
    assert.deepEqual(context.conditions.items.find((c) => c.key === 's3:x-amz-acl')?.values.items, [{ value: 'private' }]);
    // Not with any other key (another day's).
    const other = tokenKeyForDay(TOKEN_ROOT, NOW.getTime() - (NOW.getTime() % 86_400_000) + 86_400_000);
    assert.equal(openAuthorizationMessage(result.body.encodedMessage ?? '', () => other), undefined);
  });

  test('an explicit deny names the denying statement', () => {
    const f = new ReplicaFixture();
    f.user('carol', { inline: { all: allow('s3:*'), guard: deny('s3:DeleteObject', `${BUCKET}/*`) } });
    const carol = f.accessKey('carol');
    const index = f.index();
    const result = authorize({ view: index, authenticator: new DataPlaneAuthenticator(index), now: NOW }, input(carol, 's3:DeleteObject', OBJECT));
    assert.equal(result.body.decision, 'Deny');
    assert.deepEqual(result.body.blockedBy, { layer: 'identity', kind: 'explicit' });
    assert.deepEqual(result.body.decidedBy, [{ policyId: `arn:aws:iam::${ACCOUNT}:user/carol:inline/guard`, statementIndex: 0, sid: 'Deny0', effect: 'Deny', layer: 'identity' }]);
    assert.match(result.body.message ?? '', /with an explicit deny in an identity-based policy$/);
  });

  test('role session with a session policy: allowed by both → Allow; by the role only → Deny (session policy)', () => {
    const { check, f, write } = setup();
    const session = f.session({ kind: 'AssumedRole', roleName: 'Analyst', sessionName: 'nightly', policy: allow('s3:GetObject', `${BUCKET}/*`), sourceIdentity: 'alice' });
    const ok = check(input(session, 's3:GetObject', OBJECT));
    assert.equal(ok.body.decision, 'Allow');
    assert.equal(ok.body.principal?.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/Analyst/nightly`);
    assert.equal(ok.body.principal?.type, 'AssumedRole');
    assert.equal(ok.body.principal?.sessionName, 'nightly');
    assert.equal(ok.body.principal?.sourceIdentity, 'alice');
    assert.deepEqual(
      ok.body.decidedBy?.map((s) => [s.layer, s.policyId]),
      [
        ['identity', `arn:aws:iam::${ACCOUNT}:policy/ReadReports`],
        ['session', 'session-policy'],
      ],
    );
    const denied = check(input(session, 's3:PutObject', OBJECT));
    assert.equal(denied.body.decision, 'Deny');
    assert.deepEqual(denied.body.blockedBy, { layer: 'session', kind: 'implicit' });
    assert.equal(denied.body.message, `User: arn:aws:sts::${ACCOUNT}:assumed-role/Analyst/nightly is not authorized to perform: s3:PutObject on resource: ${OBJECT} because no session policy allows the s3:PutObject action`);
    // A managed session policy (PolicyArns) counts as the session layer too; an unknown ARN grants nothing.
    const managed = f.session({ kind: 'AssumedRole', roleName: 'Analyst', sessionName: 'managed', policyArns: [write, `arn:aws:iam::${ACCOUNT}:policy/Gone`] });
    assert.equal(check(input(managed, 's3:PutObject', OBJECT)).body.decision, 'Allow');
    assert.equal(check(input(managed, 's3:GetObject', OBJECT)).body.decision, 'Deny');
  });

  test('a role session without session policies has the role’s permissions', () => {
    const { check, f } = setup();
    const session = f.session({ kind: 'AssumedRole', roleName: 'Analyst', sessionName: 'plain' });
    assert.equal(check(input(session, 's3:PutObject', OBJECT)).body.decision, 'Allow');
  });

  test('a federated user has only what both the user and the session policy allow', () => {
    const { check, f } = setup();
    const none = f.session({ kind: 'FederatedUser', userName: 'alice', federatedName: 'guest' });
    assert.equal(check(input(none, 's3:GetObject', OBJECT)).body.decision, 'Deny');
    const scoped = f.session({ kind: 'FederatedUser', userName: 'alice', federatedName: 'guest2', policy: allow('s3:*') });
    const result = check(input(scoped, 's3:GetObject', OBJECT));
    assert.equal(result.body.decision, 'Allow');
    assert.equal(result.body.principal?.arn, `arn:aws:sts::${ACCOUNT}:federated-user/guest2`);
    assert.equal(check(input(scoped, 's3:PutObject', OBJECT)).body.decision, 'Deny');
  });

  test('a change that detaches a policy makes the next check deny (compiled sets invalidated)', () => {
    const { check, f, index, alice } = setup();
    const session = f.session({ kind: 'AssumedRole', roleName: 'Analyst', sessionName: 's', policy: allow('s3:*') });
    assert.equal(check(input(alice, 's3:GetObject', OBJECT)).body.decision, 'Allow');
    assert.equal(check(input(session, 's3:GetObject', OBJECT)).body.decision, 'Allow');
    const user = f.record<{ attachedPolicies: string[] }>('user', `${ACCOUNT}/alice`);
    const role = f.record<{ attachedPolicies: string[] }>('role', `${ACCOUNT}/analyst`);
    index.apply(
      f.changes([
        { op: 'put', record: { ...user, data: { ...user.data, attachedPolicies: [] } } as never },
        { op: 'put', record: { ...role, data: { ...role.data, attachedPolicies: [] } } as never },
      ]),
    );
    const denied = check(input(alice, 's3:GetObject', OBJECT));
    assert.equal(denied.body.decision, 'Deny');
    assert.equal(denied.body.revision, 2);
    assert.equal(check(input(session, 's3:GetObject', OBJECT)).body.decision, 'Deny');
  });

  test('a new default policy version applies at once; a deleted role leaves its sessions nothing', () => {
    const { check, f, index, read } = setup();
    const session = f.session({ kind: 'AssumedRole', roleName: 'Analyst', sessionName: 's' });
    assert.equal(check(input(session, 's3:ListBucket', BUCKET)).body.decision, 'Allow');
    const policy = f.record<{ document: string; defaultVersionId: string }>('policy', read);
    index.apply(f.changes([{ op: 'put', record: { ...policy, data: { ...policy.data, defaultVersionId: 'v4', document: allow('s3:GetObject', `${BUCKET}/*`) } } as never }]));
    assert.equal(check(input(session, 's3:ListBucket', BUCKET)).body.decision, 'Deny');
    const get = check(input(session, 's3:GetObject', OBJECT));
    assert.equal(get.body.decidedBy?.[0].policyVersion, 'v4');
    index.apply(f.changes([{ op: 'delete', kind: 'role', id: `${ACCOUNT}/analyst` }]));
    const gone = check(input(session, 's3:GetObject', OBJECT));
    assert.equal(gone.status, 200);
    assert.equal(gone.body.decision, 'Deny');
  });

  test('revoking sessions with a deny on aws:TokenIssueTime works as in AWS', () => {
    const { check, f, index } = setup();
    const session = f.session({ kind: 'AssumedRole', roleName: 'Analyst', sessionName: 'old', issuedAt: new Date(NOW.getTime() - 600_000) });
    const fresh = f.session({ kind: 'AssumedRole', roleName: 'Analyst', sessionName: 'new' });
    const role = f.record<{ inlinePolicies: Record<string, string> }>('role', `${ACCOUNT}/analyst`);
    const revoke = deny('*', '*', { Condition: { DateLessThan: { 'aws:TokenIssueTime': new Date(NOW.getTime() - 60_000).toISOString() } } });
    index.apply(f.changes([{ op: 'put', record: { ...role, data: { ...role.data, inlinePolicies: { AWSRevokeOlderSessions: revoke } } } as never }]));
    assert.equal(check(input(session, 's3:GetObject', OBJECT)).body.decision, 'Deny');
    assert.equal(check(input(fresh, 's3:GetObject', OBJECT)).body.decision, 'Allow');
  });

  test('extra context keys apply, but cannot override the principal’s keys', () => {
    const { check, alice } = setup();
    // aws:PrincipalTag/team is data: a caller claiming otherwise changes nothing.
    const spoof = check(input(alice, 's3:DeleteObject', OBJECT, { context: { 'aws:PrincipalTag/team': 'other', 'AWS:USERID': 'x' } }));
    assert.equal(spoof.body.decision, 'Allow');
  });

  test('aws:SourceIp comes from sourceIp', () => {
    const f = new ReplicaFixture();
    f.user('dave', { inline: { office: allow('s3:GetObject', '*', { Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }) } });
    const dave = f.accessKey('dave');
    const index = f.index();
    const deps = { view: index, authenticator: new DataPlaneAuthenticator(index), now: NOW };
    assert.equal(authorize(deps, input(dave, 's3:GetObject', OBJECT, { sourceIp: '203.0.113.9' })).body.decision, 'Allow');
    assert.equal(authorize(deps, input(dave, 's3:GetObject', OBJECT, { sourceIp: '198.51.100.1' })).body.decision, 'Deny');
    assert.equal(authorize(deps, input(dave, 's3:GetObject', OBJECT)).body.decision, 'Deny');
  });

  test('authentication failures: the AWS status and error, decision Deny', () => {
    const { check, alice } = setup();
    const bad = check(input({ ...alice, secretAccessKey: 'z'.repeat(40) }, 's3:GetObject', OBJECT));
    assert.equal(bad.status, 403);
    assert.deepEqual(bad.body, { decision: 'Deny', revision: 1, error: { code: 'SignatureDoesNotMatch', message: bad.body.error?.message } });
    const unsigned = check({ request: { method: 'GET', path: '/', headers: { host: 'x' } }, action: 's3:GetObject', resource: OBJECT });
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.body.error?.code, 'MissingAuthenticationToken');
    const wrongRegion = check({ request: signedRequest(alice, { region: 'us-west-2' }), action: 's3:GetObject', resource: OBJECT });
    assert.equal(wrongRegion.status, 403);
    assert.equal(wrongRegion.body.error?.code, 'SignatureDoesNotMatch');
  });

  test('the payload hash: given, or the request’s own x-amz-content-sha256 (UNSIGNED-PAYLOAD too)', () => {
    const { check, alice } = setup();
    const body = 'hello';
    const signed = signedRequest(alice, { method: 'PUT', body, signContentSha256: true });
    assert.equal(check({ request: { ...signed, payloadHash: undefined }, action: 's3:GetObject', resource: OBJECT }).body.decision, 'Allow');
    const wrong = check({ request: { ...signed, payloadHash: 'a'.repeat(64) }, action: 's3:GetObject', resource: OBJECT });
    assert.equal(wrong.body.error?.code, 'SignatureDoesNotMatch');
    const plain = signedRequest(alice, { method: 'PUT', body });
    assert.equal(check({ request: plain, action: 's3:GetObject', resource: OBJECT }).body.decision, 'Allow');
    assert.equal(check({ request: { ...plain, payloadHash: undefined }, action: 's3:GetObject', resource: OBJECT }).body.error?.code, 'SignatureDoesNotMatch');
  });

  test('headers as an object (repeated headers as lists) work like pairs', () => {
    const { check, alice } = setup();
    const signed = signedRequest(alice);
    const headers: Record<string, string> = Object.fromEntries(signed.headers);
    assert.equal(check({ request: { ...signed, headers }, action: 's3:GetObject', resource: OBJECT }).body.decision, 'Allow');
  });

  test('malformed input: 400 ValidationError', () => {
    const { check, alice } = setup();
    const ok = input(alice, 's3:GetObject', OBJECT);
    const cases: unknown[] = [
      null,
      { action: 's3:GetObject', resource: OBJECT },
      { ...ok, action: 'GetObject' },
      { ...ok, action: 's3:Get Object' },
      { ...ok, resource: 'reports/q1.csv' },
      { ...ok, context: { key: 3 } },
      { ...ok, request: { ...ok.request, headers: 'Host: x' } },
      { ...ok, request: { ...ok.request, path: 'no-slash' } },
      { ...ok, request: { ...ok.request, payloadHash: 'xyz' } },
    ];
    for (const c of cases) {
      const result = check(c as AuthorizeInput);
      assert.equal(result.status, 400, JSON.stringify(c)?.slice(0, 80));
      assert.equal(result.body.decision, 'Deny');
      assert.equal(result.body.error?.code, 'ValidationError');
    }
    assert.equal(check({ ...ok, resource: '*' }).status, 200);
  });

  test('usage records the statement that allowed each request, not denials', () => {
    const { check, usage, alice, read } = setup();
    check(input(alice, 's3:GetObject', OBJECT));
    check(input(alice, 's3:GetObject', OBJECT), new Date(NOW.getTime() + 1000));
    check(input(alice, 's3:PutObject', OBJECT));
    const entries = usage.entries();
    assert.deepEqual(entries, [
      {
        principal: `arn:aws:iam::${ACCOUNT}:user/alice`,
        action: 's3:GetObject',
        resource: OBJECT,
        count: 2,
        firstSeen: NOW.toISOString(),
        lastSeen: new Date(NOW.getTime() + 1000).toISOString(),
        allowedBy: [{ policyId: read, policyVersion: 'v3', statementIndex: 0, sid: 'ReadObjects' }],
      },
    ]);
  });
});


