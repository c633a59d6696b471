/**
 * The authenticator and temporary credentials: the session token travels with the request (a
 * header, or a query parameter when presigned), opens with a day key of the token schedule, names
 * the request's key id, has not expired, and carries the secret the signature verifies with.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Authenticator, type AuthResult } from '../../src/control-plane/authenticator.js';
import { deriveKey } from '../../src/core/crypto/index.js';
import { ACCOUNT, createHarness } from './harness.js';
import { allowDoc, mintSession, roleSession, signedIamRequest, TRUST_ACCOUNT, type SessionCredentials, type SessionFacts } from './session-helpers.js';

const DAY_MS = 86_400_000;

async function setUp() {
  const h = await createHarness();
  const authenticator = new Authenticator(h.env, h.service);
  const { role } = (await h.call('CreateRole', { roleName: 'app', assumeRolePolicyDocument: TRUST_ACCOUNT(ACCOUNT) })) as { role: { arn: string; roleId: string; roleName: string } };
  await h.call('PutRolePolicy', { roleName: 'app', policyName: 'p', policyDocument: allowDoc('iam:ListUsers') });
  const mint = (facts: Partial<SessionFacts> = {}, root = h.env.tokenRoot) => mintSession(root, ACCOUNT, 'AssumedRole', h.clock.now, { ...roleSession(role, 'worker'), sourceIdentity: 'alice', ...facts }).credentials;
  const authenticate = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, options: Parameters<typeof signedIamRequest>[2] = {}) =>
    authenticator.authenticate(signedIamRequest(credentials, h.clock.now, options), h.clock.now, 'iam');
  return { h, authenticator, role, mint, authenticate };
}

function failure(result: AuthResult): { code: string; message: string } {
  assert.equal(result.ok, false, 'authenticated');
  return result.ok ? { code: '', message: '' } : { code: result.code, message: result.message };
}

const INVALID = { code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid' };

describe('authenticating temporary credentials', () => {
  it('a request signed with the session token in a header authenticates as the session', async () => {
    const { h, role, mint, authenticate } = await setUp();
    const credentials = mint();
    const result = await authenticate(credentials);
    assert.ok(result.ok);
    assert.equal(result.caller.type, 'AssumedRole');
    assert.equal(result.caller.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/worker`);
    assert.equal(result.caller.userId, `${role.roleId}:worker`);
    assert.equal(result.caller.accessKeyId, credentials.accessKeyId);
    assert.equal(result.caller.account, ACCOUNT);
    assert.equal(result.caller.session?.sourceIdentity, 'alice');
    assert.equal(result.caller.session?.secretAccessKey, credentials.secretAccessKey);
    // Authenticated again from the cache, and usable for a call.
    assert.ok((await authenticate(credentials)).ok);
    await h.call('ListUsers', {}, result.caller);
  });

  it('a presigned request carries the token as a query parameter', async () => {
    const { mint, authenticate } = await setUp();
    const result = await authenticate(mint(), { form: 'query' });
    assert.ok(result.ok);
    assert.equal(result.caller.type, 'AssumedRole');
  });

  it('SigV4a requests verify with the key pair derived from the session secret', async () => {
    const { mint, authenticate } = await setUp();
    const result = await authenticate(mint(), { algorithm: 'AWS4-ECDSA-P256-SHA256', regionSet: ['*'] });
    assert.ok(result.ok, !result.ok ? result.message : '');
  });

  it('an expired token is ExpiredToken, with the session named for the audit trail', async () => {
    const { h, mint, authenticate } = await setUp();
    const credentials = mint({ issuedAt: new Date(h.clock.now.getTime() - 3_600_000), durationSeconds: 3600 });
    const result = await authenticate(credentials);
    assert.deepEqual(failure(result), { code: 'ExpiredToken', message: 'The security token included in the request is expired' });
    assert.equal(!result.ok && result.caller?.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/worker`);

    // Valid up to the last millisecond, whether or not the token was cached before.
    const live = mint({ durationSeconds: 900 });
    assert.ok((await authenticate(live)).ok);
    h.clock.now = new Date(h.clock.now.getTime() + 900_000 - 1);
    assert.ok((await authenticate(live)).ok);
    h.clock.now = new Date(h.clock.now.getTime() + 1);
    assert.equal(failure(await authenticate(live)).code, 'ExpiredToken');
  });

  it('a tampered, foreign or missing token, or one for another key id, is InvalidClientTokenId', async () => {
    const { mint, authenticate } = await setUp();
    const credentials = mint();
    const token = Buffer.from(credentials.sessionToken, 'base64');
    token[token.length - 5] ^= 1;
    assert.deepEqual(failure(await authenticate({ ...credentials, sessionToken: token.toString('base64') })), INVALID);
    assert.deepEqual(failure(await authenticate({ ...credentials, sessionToken: 'not-a-token' })), INVALID);
    assert.deepEqual(failure(await authenticate({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey })), INVALID);
    // Sealed under another deployment's token root.
    assert.deepEqual(failure(await authenticate(mint({}, deriveKey(Buffer.alloc(32, 9), 'sts-token-keys')))), INVALID);
    // Another session's token with this session's key id and secret.
    const other: SessionCredentials = mint();
    assert.deepEqual(failure(await authenticate({ ...credentials, sessionToken: other.sessionToken })), INVALID);
  });

  it('a token sealed with a day key outside its window is InvalidClientTokenId', async () => {
    const { h, mint, authenticate } = await setUp();
    // Tomorrow's key is published ahead but opens nothing yet.
    assert.deepEqual(failure(await authenticate(mint({ keyDay: new Date(h.clock.now.getTime() + DAY_MS) }))), INVALID);
    // Three days back: past its verify window (the day plus the longest session).
    assert.deepEqual(failure(await authenticate(mint({ keyDay: new Date(h.clock.now.getTime() - 3 * DAY_MS) }))), INVALID);
    // Yesterday's key still opens tokens.
    assert.ok((await authenticate(mint({ keyDay: new Date(h.clock.now.getTime() - DAY_MS) }))).ok);
  });

  it('a wrong secret is SignatureDoesNotMatch', async () => {
    const { mint, authenticate } = await setUp();
    const credentials = mint();
    const result = await authenticate({ ...credentials, secretAccessKey: 'x'.repeat(40) });
    assert.equal(failure(result).code, 'SignatureDoesNotMatch');
    assert.equal(!result.ok && result.caller?.type, 'AssumedRole');
  });

  it('a long-term key sent with a session token is InvalidClientTokenId', async () => {
    const { h, mint, authenticate } = await setUp();
    await h.call('CreateUser', { userName: 'bob' });
    const { accessKey } = (await h.call('CreateAccessKey', { userName: 'bob' })) as { accessKey: { accessKeyId: string; secretAccessKey: string } };
    assert.ok((await authenticate(accessKey)).ok);
    assert.deepEqual(failure(await authenticate({ ...accessKey, sessionToken: mint().sessionToken })), INVALID);
  });

  it('temporary key ids have no last-used record', async () => {
    const { h, authenticator, mint } = await setUp();
    const credentials = mint();
    authenticator.recordUse(credentials.accessKeyId, h.clock.now, 'iam', 'us-east-1');
    assert.equal(authenticator.pendingUse(credentials.accessKeyId), undefined);
    await authenticator.flushUsage();
  });
});
