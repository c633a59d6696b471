/**
 * The audit trail's userIdentity for calls made with temporary credentials, as CloudTrail writes
 * it ("CloudTrail userIdentity element"): AssumedRole and FederatedUser identities with the
 * session's issuer, and for GetSessionToken credentials the IAM user with the session's attributes.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent, AuditLog } from '../../src/audit/index.js';
import { Authenticator } from '../../src/control-plane/authenticator.js';
import type { SessionKind } from '../../src/core/model/principal.js';
import { iamBackend } from '../../src/server/query-backends.js';
import { createQueryHandler } from '../../src/server/query-handler.js';
import { DEFAULT_LIMITS } from '../../src/server/limits.js';
import { ACCOUNT, createHarness, type Harness } from '../control-plane/harness.js';
import { allowDoc, mintSession, roleSession, signedIamRequest, TRUST_ACCOUNT, userSession, type SessionFacts } from '../control-plane/session-helpers.js';

const BODY = 'Action=ListUsers&Version=2010-05-08';

describe('audit identity of temporary credentials', () => {
  let h: Harness;
  let server: Server;
  let port: number;
  const events: AuditEvent[] = [];
  let role: { arn: string; roleId: string; roleName: string };
  let user: { arn: string; userId: string; userName: string };

  before(async () => {
    h = await createHarness();
    const authenticator = new Authenticator(h.env, h.service);
    const audit = { append: (event: AuditEvent) => void events.push(event) } as unknown as AuditLog;
    server = createServer(createQueryHandler({ backendFor: (service) => (service === 'iam' ? iamBackend(h.service, authenticator) : undefined), audit, limits: DEFAULT_LIMITS, now: () => h.clock.now, homeRegion: 'us-east-1' }));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as AddressInfo).port;
    ({ role } = (await h.call('CreateRole', { roleName: 'auditor', assumeRolePolicyDocument: TRUST_ACCOUNT(ACCOUNT) })) as { role: typeof role });
    await h.call('PutRolePolicy', { roleName: 'auditor', policyName: 'p', policyDocument: allowDoc('iam:ListUsers') });
    ({ user } = (await h.call('CreateUser', { userName: 'alice' })) as { user: typeof user });
    await h.call('PutUserPolicy', { userName: 'alice', policyName: 'p', policyDocument: allowDoc('iam:ListUsers') });
  });
  after(() => new Promise<void>((ok) => server.close(() => ok())));

  /** Calls ListUsers over HTTP with a fresh session; returns the status, the audit event and the key id. */
  async function callAs(kind: SessionKind, facts: SessionFacts) {
    const { credentials, claims } = mintSession(h.env.tokenRoot, ACCOUNT, kind, h.clock.now, facts);
    const signed = signedIamRequest(credentials, h.clock.now, {}, BODY);
    // Sent as signed (Host included); Content-Type is left unsigned, as some clients do.
    const headers = [...signed.headers, ['Content-Type', 'application/x-www-form-urlencoded']];
    const status = await new Promise<number>((ok, fail) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: headers.map(([n, v]) => [n, v]).flat() }, (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode ?? 0));
      });
      req.on('error', fail);
      req.end(BODY);
    });
    const event = events.at(-1);
    assert.ok(event);
    return { status, event, claims };
  }

  it('a role session: type AssumedRole, the role as session issuer, creation date, MFA and source identity', async () => {
    const { status, event, claims } = await callAs('AssumedRole', { ...roleSession(role, 'nightly'), sourceIdentity: 'alice@example.com', mfaAuthenticatedAt: h.clock.now.toISOString() });
    assert.equal(status, 200);
    assert.deepEqual(event.userIdentity, {
      type: 'AssumedRole',
      principalId: `${role.roleId}:nightly`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/auditor/nightly`,
      accountId: ACCOUNT,
      accessKeyId: claims.accessKeyId,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: role.roleId, arn: role.arn, accountId: ACCOUNT, userName: 'auditor' },
        attributes: { creationDate: '2026-11-21T12:00:00Z', mfaAuthenticated: 'true' },
        sourceIdentity: 'alice@example.com',
      },
    });
    assert.equal(event.recipientAccountId, ACCOUNT);
    assert.ok(!JSON.stringify(event).includes(claims.secretAccessKey), 'the session secret reached the audit record');
  });

  it('a federated user: type FederatedUser with the calling user as issuer (the call itself refused)', async () => {
    const { status, event, claims } = await callAs('FederatedUser', { ...userSession(user), federatedName: 'bob', policy: allowDoc('iam:*') });
    assert.equal(status, 403);
    assert.equal(event.errorCode, 'InvalidClientTokenId');
    assert.deepEqual(event.userIdentity, {
      type: 'FederatedUser',
      principalId: `${ACCOUNT}:bob`,
      arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob`,
      accountId: ACCOUNT,
      accessKeyId: claims.accessKeyId,
      sessionContext: {
        sessionIssuer: { type: 'IAMUser', principalId: user.userId, arn: user.arn, accountId: ACCOUNT, userName: 'alice' },
        attributes: { creationDate: '2026-11-21T12:00:00Z', mfaAuthenticated: 'false' },
      },
    });
  });

  it('GetSessionToken credentials: the IAM user, with the session attributes and no issuer', async () => {
    const { status, event, claims } = await callAs('SessionToken', { ...userSession(user), mfaAuthenticatedAt: h.clock.now.toISOString() });
    assert.equal(status, 200);
    assert.deepEqual(event.userIdentity, {
      type: 'IAMUser',
      principalId: user.userId,
      arn: user.arn,
      accountId: ACCOUNT,
      accessKeyId: claims.accessKeyId,
      userName: 'alice',
      sessionContext: { attributes: { creationDate: '2026-11-21T12:00:00Z', mfaAuthenticated: 'true' } },
    });
  });

  it('an expired token is recorded with the session it named', async () => {
    const { status, event } = await callAs('AssumedRole', { ...roleSession(role, 'old'), issuedAt: new Date(h.clock.now.getTime() - 7_200_000), durationSeconds: 3600 });
    assert.equal(status, 403);
    assert.equal(event.errorCode, 'ExpiredToken');
    assert.equal(event.userIdentity.type, 'AssumedRole');
    assert.equal(event.userIdentity.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/auditor/old`);
    assert.equal(event.userIdentity.sessionContext?.attributes.creationDate, '2026-11-21T10:00:00Z');
  });
});
