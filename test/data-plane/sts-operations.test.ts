import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountOfTemporaryAccessKeyId } from '../../src/core/ids.js';
import { principalContext } from '../../src/core/model/principal-context.js';
import type { Principal } from '../../src/core/model/principal.js';
import { evaluate } from '../../src/core/policy/index.js';
import { sealAuthorizationMessage, tokenKeyForDay } from '../../src/core/tokens/index.js';
import { ownTags } from '../../src/data-plane/sts/sts-context.js';
import { serializeResult, unknownOutputKeys } from '../../src/protocol/index.js';
import type { ReplicaRecord } from '../../src/replication/feed-types.js';
import { A, B, MFA_SERIAL, NOW, TOKEN_ROOT, mfaCode, records, request, rootPrincipal, setup, stepOf, userPrincipal, type CredentialsOutput, type Setup } from './sts-fixture.js';

const alice = userPrincipal(A, 'alice');
const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

function call<T = unknown>(s: Setup, op: string, input: Record<string, unknown>, caller: Principal | undefined, now: Date = NOW): T {
  return s.sts.call(op, input, caller, request(now)) as T;
}

function may(s: Setup, p: Principal, action: string): boolean {
  const sets = s.index.policySets(p);
  if (!sets) return false;
  const context = principalContext(p, ownTags(s.index, p), { now: NOW, sourceIp: '', userAgent: '', secureTransport: true, region: 'eu-west-1' });
  return evaluate({ principal: p.arn, action, resource: '*', context }, sets).decision === 'Allow';
}

describe('GetCallerIdentity', () => {
  it('answers for users and root, whatever their policies say', () => {
    const s = setup();
    assert.deepEqual(call(s, 'GetCallerIdentity', {}, userPrincipal(A, 'bob')), { userId: 'AIDABOBXXXXXXXXXXXXXX', account: A, arn: `arn:aws:iam::${A}:user/bob` });
    assert.deepEqual(call(s, 'GetCallerIdentity', {}, rootPrincipal(B)), { userId: B, account: B, arn: `arn:aws:iam::${B}:root` });
    assert.deepEqual(unknownOutputKeys('sts', 'GetCallerIdentity', call(s, 'GetCallerIdentity', {}, alice)), []);
  });
});

describe('GetSessionToken', () => {
  it('issues a 12-hour session for the user itself, with exact expiration', () => {
    const s = setup();
    const out = call<CredentialsOutput>(s, 'GetSessionToken', {}, alice);
    assert.deepEqual(unknownOutputKeys('sts', 'GetSessionToken', out), []);
    assert.equal(out.credentials.expiration.getTime(), NOW.getTime() + 43_200_000);
    assert.equal(accountOfTemporaryAccessKeyId(out.credentials.accessKeyId), A);
    const claims = s.open(out.credentials.sessionToken);
    assert.deepEqual(claims, {
      v: 1,
      kind: 'SessionToken',
      account: A,
      userArn: alice.arn,
      userId: alice.userId,
      userName: 'alice',
      accessKeyId: out.credentials.accessKeyId,
      secretAccessKey: out.credentials.secretAccessKey,
      issuedAt: NOW.toISOString(),
      expiresAt: '2025-03-11T00:00:00.123Z',
      issuedIn: 'eu-west-1',
    });
    const p = s.principalOf(out.credentials.sessionToken);
    assert.deepEqual(call(s, 'GetCallerIdentity', {}, p), { userId: alice.userId, account: A, arn: alice.arn });
    const xml = serializeResult('sts', 'GetSessionToken', out as unknown as Record<string, unknown>, 'r');
    assert.match(xml, /<Expiration>2025-03-11T00:00:00Z<\/Expiration>/);
  });

  it('takes DurationSeconds and clamps the root user to one hour', () => {
    const s = setup();
    assert.equal(call<CredentialsOutput>(s, 'GetSessionToken', { durationSeconds: 900 }, alice).credentials.expiration.getTime(), NOW.getTime() + 900_000);
    assert.equal(call<CredentialsOutput>(s, 'GetSessionToken', { durationSeconds: 129_600 }, alice).credentials.expiration.getTime(), NOW.getTime() + 129_600_000);
    assert.equal(call<CredentialsOutput>(s, 'GetSessionToken', {}, rootPrincipal(A)).credentials.expiration.getTime(), NOW.getTime() + 3_600_000);
    assert.throws(() => call(s, 'GetSessionToken', { durationSeconds: 129_601 }, alice), {
      code: 'ValidationError',
      message: "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
    });
  });

  it('needs no permission', () => {
    const s = setup();
    assert.ok(call<CredentialsOutput>(s, 'GetSessionToken', {}, userPrincipal(A, 'bob')).credentials.sessionToken);
  });

  it('carries MFA into the session (aws:MultiFactorAuthPresent and Age)', () => {
    const s = setup();
    const out = call<CredentialsOutput>(s, 'GetSessionToken', { serialNumber: MFA_SERIAL, tokenCode: mfaCode(stepOf(NOW)) }, alice);
    const p = s.principalOf(out.credentials.sessionToken);
    assert.equal(p.session?.mfaAuthenticatedAt, NOW.toISOString());
    const later = new Date(NOW.getTime() + 90_000);
    const ctx = principalContext(p, [], { now: later, sourceIp: '', userAgent: '', secureTransport: true, region: 'eu-west-1' });
    assert.equal(ctx['aws:MultiFactorAuthPresent'], 'true');
    assert.equal(ctx['aws:MultiFactorAuthAge'], '90');
    assert.throws(() => call(s, 'GetSessionToken', { serialNumber: MFA_SERIAL, tokenCode: mfaCode(stepOf(NOW)) }, alice), { code: 'AccessDenied' }, 'a code is accepted once');
    assert.throws(() => call(s, 'GetSessionToken', { serialNumber: MFA_SERIAL, tokenCode: mfaCode(stepOf(NOW) + 5) }, alice), {
      code: 'AccessDenied',
      message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.',
    });
  });

  it('lets a GetSessionToken session call only AssumeRole and GetCallerIdentity', () => {
    const s = setup();
    const p = s.principalOf(call<CredentialsOutput>(s, 'GetSessionToken', {}, alice).credentials.sessionToken);
    assert.throws(() => call(s, 'GetSessionToken', {}, p), { code: 'AccessDenied', message: 'Cannot call GetSessionToken with session credentials' });
    assert.throws(() => call(s, 'GetFederationToken', { name: 'x1' }, p), { code: 'AccessDenied', message: 'Cannot call GetFederationToken with session credentials' });
    assert.throws(() => call(s, 'GetAccessKeyInfo', { accessKeyId: 'AKIAALICEALICEALICE1' }, p), { code: 'AccessDenied' });
    const role = call<{ assumedRoleUser: { arn: string }; credentials: { expiration: Date } }>(s, 'AssumeRole', { roleArn: `arn:aws:iam::${A}:role/Dev`, roleSessionName: 'from-session' }, p);
    assert.equal(role.assumedRoleUser.arn, `arn:aws:sts::${A}:assumed-role/Dev/from-session`);
    assert.throws(() => call(s, 'AssumeRole', { roleArn: `arn:aws:iam::${A}:role/Dev`, roleSessionName: 'x', durationSeconds: 7200 }, p), { code: 'ValidationError' }, 'temporary credentials chain: one hour');
  });

  it('is refused to role sessions', () => {
    const s = setup();
    const role = call<CredentialsOutput>(s, 'AssumeRole', { roleArn: `arn:aws:iam::${A}:role/Dev`, roleSessionName: 'r' }, alice);
    assert.throws(() => call(s, 'GetSessionToken', {}, s.principalOf(role.credentials.sessionToken)), { code: 'AccessDenied', message: 'Cannot call GetSessionToken with session credentials' });
  });
});

describe('GetFederationToken', () => {
  it('issues a federated-user session limited by the session policy', () => {
    const s = setup();
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    const out = call<CredentialsOutput & { federatedUser: { federatedUserId: string; arn: string }; packedPolicySize?: number }>(s, 'GetFederationToken', { name: 'Bob', policy, tags: [{ key: 'dept', value: 'eng' }] }, alice);
    assert.deepEqual(unknownOutputKeys('sts', 'GetFederationToken', out), []);
    assert.deepEqual(out.federatedUser, { federatedUserId: `${A}:Bob`, arn: `arn:aws:sts::${A}:federated-user/Bob` });
    assert.equal(out.credentials.expiration.getTime(), NOW.getTime() + 43_200_000);
    assert.ok(out.packedPolicySize !== undefined && out.packedPolicySize > 0);
    const p = s.principalOf(out.credentials.sessionToken);
    assert.deepEqual(call(s, 'GetCallerIdentity', {}, p), { userId: `${A}:Bob`, account: A, arn: `arn:aws:sts::${A}:federated-user/Bob` });
    assert.equal(p.session?.userArn, alice.arn);
    assert.equal(may(s, p, 's3:GetObject'), true);
    assert.equal(may(s, p, 's3:PutObject'), false, 'the user may, the session policy does not');
    const ctx = principalContext(p, [], { now: NOW, sourceIp: '', userAgent: '', secureTransport: true, region: 'eu-west-1' });
    assert.equal(ctx['aws:PrincipalTag/dept'], 'eng');
    assert.equal(ctx['aws:PrincipalTag/team'], 'blue', "the user's tags are the session's principal tags too");
  });

  it('gives no permissions without a session policy', () => {
    const s = setup();
    const p = s.principalOf(call<CredentialsOutput>(s, 'GetFederationToken', { name: 'NoPolicy' }, alice).credentials.sessionToken);
    assert.equal(may(s, p, 's3:GetObject'), false);
    assert.throws(() => call(s, 'GetAccessKeyInfo', { accessKeyId: 'AKIAALICEALICEALICE1' }, p), { code: 'AccessDenied', message: 'Cannot call GetAccessKeyInfo with session credentials from GetFederationToken' });
    assert.deepEqual(call(s, 'GetCallerIdentity', {}, p), { userId: `${A}:NoPolicy`, account: A, arn: `arn:aws:sts::${A}:federated-user/NoPolicy` });
  });

  it('needs sts:GetFederationToken, and sts:TagSession for tags', () => {
    const s = setup();
    assert.throws(() => call(s, 'GetFederationToken', { name: 'Bob', policy: allowAll }, userPrincipal(A, 'bob')), {
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${A}:user/bob is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::${A}:federated-user/Bob because no identity-based policy allows the sts:GetFederationToken action`,
    });
    const withoutTagSession = setup({
      recs: setupRecordsWith((r) => {
        if (r.kind === 'user' && r.id === `${A}/alice`) (r.data as { inlinePolicies: Record<string, string> }).inlinePolicies = { fed: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:GetFederationToken', Resource: '*' }] }) };
      }),
    });
    assert.ok(call<CredentialsOutput>(withoutTagSession, 'GetFederationToken', { name: 'Bob', policy: allowAll }, alice).credentials.sessionToken);
    assert.throws(() => call(withoutTagSession, 'GetFederationToken', { name: 'Bob', policy: allowAll, tags: [{ key: 'a', value: 'b' }] }, alice), {
      code: 'AccessDenied',
      message: /sts:TagSession/,
    });
  });

  it('clamps the root user to one hour and refuses sessions', () => {
    const s = setup();
    const root = call<CredentialsOutput>(s, 'GetFederationToken', { name: 'RootFed', policy: allowAll, durationSeconds: 7200 }, rootPrincipal(A));
    assert.equal(root.credentials.expiration.getTime(), NOW.getTime() + 3_600_000);
    const role = call<CredentialsOutput>(s, 'AssumeRole', { roleArn: `arn:aws:iam::${A}:role/Dev`, roleSessionName: 'r' }, alice);
    assert.throws(() => call(s, 'GetFederationToken', { name: 'x1' }, s.principalOf(role.credentials.sessionToken)), { code: 'AccessDenied', message: 'Cannot call GetFederationToken with session credentials' });
  });

  it('validates policies and managed session policies of the user account', () => {
    const s = setup();
    assert.throws(() => call(s, 'GetFederationToken', { name: 'Bob', policy: 'not json' }, alice), { code: 'MalformedPolicyDocument' });
    const ok = call<CredentialsOutput>(s, 'GetFederationToken', { name: 'Bob', policyArns: [{ arn: `arn:aws:iam::${A}:policy/ReadOnlyS3` }] }, alice);
    assert.equal(may(s, s.principalOf(ok.credentials.sessionToken), 's3:GetObject'), true);
    assert.throws(() => call(s, 'GetFederationToken', { name: 'Bob', policyArns: [{ arn: `arn:aws:iam::${B}:policy/ReadOnlyS3` }] }, alice), { code: 'InvalidParameterValue' });
  });
});

describe('GetAccessKeyInfo', () => {
  it('answers the account of long-term and temporary key ids', () => {
    const s = setup();
    assert.deepEqual(call(s, 'GetAccessKeyInfo', { accessKeyId: 'AKIAALICEALICEALICE1' }, alice), { account: A });
    const role = call<CredentialsOutput>(s, 'AssumeRole', { roleArn: `arn:aws:iam::${A}:role/ExtRole`, roleSessionName: 'c', externalId: 'ext-123' }, userPrincipal(B, 'carol'));
    assert.deepEqual(call(s, 'GetAccessKeyInfo', { accessKeyId: role.credentials.accessKeyId }, alice), { account: A });
    const dev = s.principalOf(call<CredentialsOutput>(s, 'AssumeRole', { roleArn: `arn:aws:iam::${A}:role/Dev`, roleSessionName: 'd' }, alice).credentials.sessionToken);
    assert.deepEqual(call(s, 'GetAccessKeyInfo', { accessKeyId: 'AKIAALICEALICEALICE1' }, dev), { account: A }, 'role sessions may call it');
    assert.deepEqual(unknownOutputKeys('sts', 'GetAccessKeyInfo', { account: A }), []);
  });

  it('needs sts:GetAccessKeyInfo and refuses unknown ids', () => {
    const s = setup();
    assert.throws(() => call(s, 'GetAccessKeyInfo', { accessKeyId: 'AKIAALICEALICEALICE1' }, userPrincipal(A, 'bob')), { code: 'AccessDenied' });
    assert.throws(() => call(s, 'GetAccessKeyInfo', { accessKeyId: 'AKIAUNKNOWNUNKNOWN12' }, alice), { code: 'InvalidParameterValue' });
  });
});

describe('DecodeAuthorizationMessage', () => {
  const key = tokenKeyForDay(TOKEN_ROOT, Date.UTC(2025, 2, 10));
  const message = { allowed: false, explicitDeny: false, matchedStatements: { items: [] }, failures: { items: [] }, context: { principal: { id: 'AIDAALICE', arn: `arn:aws:iam::${A}:user/alice` }, action: 's3:PutObject', resource: 'arn:aws:s3:::b/k', conditions: { items: [] } } };

  it('decodes a sealed message for a caller allowed to', () => {
    const s = setup();
    const out = call<{ decodedMessage: string }>(s, 'DecodeAuthorizationMessage', { encodedMessage: sealAuthorizationMessage(key, message) }, alice);
    assert.deepEqual(JSON.parse(out.decodedMessage), message);
    assert.deepEqual(unknownOutputKeys('sts', 'DecodeAuthorizationMessage', out), []);
  });

  it('refuses tampered, foreign-key and other-account messages, and callers without permission', () => {
    const s = setup();
    const sealed = sealAuthorizationMessage(key, message);
    const bytes = Buffer.from(sealed, 'base64');
    bytes[bytes.length - 1] ^= 1;
    for (const encodedMessage of [bytes.toString('base64'), sealAuthorizationMessage(tokenKeyForDay(Buffer.alloc(32, 9), Date.UTC(2025, 2, 10)), message), 'garbage', `${sealed}\n`]) {
      assert.throws(() => call(s, 'DecodeAuthorizationMessage', { encodedMessage }, alice), { code: 'InvalidAuthorizationMessageException', message: 'The encoded authorization message is invalid or has expired.' });
    }
    assert.throws(() => call(s, 'DecodeAuthorizationMessage', { encodedMessage: sealed }, userPrincipal(A, 'bob')), { code: 'AccessDenied' });
    const other = sealAuthorizationMessage(key, { ...message, context: { ...message.context, principal: { id: 'x', arn: `arn:aws:iam::${B}:user/carol` } } });
    assert.throws(() => call(s, 'DecodeAuthorizationMessage', { encodedMessage: other }, alice), { code: 'InvalidAuthorizationMessageException' });
  });
});

describe('identity providers and unsupported operations', () => {
  it('answers AWS errors for providers that do not exist, without credentials', () => {
    const s = setup();
    const jwt = [{ alg: 'RS256' }, { iss: 'https://token.actions.githubusercontent.com', sub: 'repo:x' }].map((o) => Buffer.from(JSON.stringify(o)).toString('base64url')).join('.') + '.sig';
    assert.throws(() => call(s, 'AssumeRoleWithWebIdentity', { roleArn: `arn:aws:iam::${A}:role/Dev`, roleSessionName: 'w', webIdentityToken: jwt }, undefined), {
      code: 'InvalidIdentityToken',
      message: 'No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com',
    });
    assert.throws(() => call(s, 'AssumeRoleWithWebIdentity', { webIdentityToken: 'nope' }, undefined), { code: 'InvalidIdentityToken' });
    assert.throws(() => call(s, 'AssumeRoleWithSAML', { roleArn: `arn:aws:iam::${A}:role/Dev`, principalArn: `arn:aws:iam::${A}:saml-provider/x`, sAMLAssertion: 'PHNhbWw+' }, undefined), {
      code: 'InvalidIdentityToken',
      message: "Specified provider doesn't exist",
    });
  });

  it('refuses AssumeRoot, GetDelegatedAccessToken and GetWebIdentityToken clearly', () => {
    const s = setup();
    assert.throws(() => call(s, 'AssumeRoot', {}, alice), { code: 'InvalidAction', message: /AssumeRoot is not supported/ });
    assert.throws(() => call(s, 'GetDelegatedAccessToken', {}, alice), { code: 'InvalidAction' });
    assert.throws(() => call(s, 'GetWebIdentityToken', {}, alice), (err: Error & { code?: string; httpStatus?: number }) => err.code === 'OutboundWebIdentityFederationDisabledException' && err.httpStatus === 403);
    assert.throws(() => call(s, 'GetCallerIdentity', {}, undefined), { code: 'MissingAuthenticationToken' });
    assert.throws(() => call(s, 'Bogus', {}, alice), { code: 'InvalidAction' });
  });

  it('knows every STS operation, all read-only', () => {
    const s = setup();
    for (const op of ['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'AssumeRoot', 'DecodeAuthorizationMessage', 'GetAccessKeyInfo', 'GetCallerIdentity', 'GetDelegatedAccessToken', 'GetFederationToken', 'GetSessionToken', 'GetWebIdentityToken']) {
      assert.equal(s.sts.has(op), true, op);
      assert.equal(s.sts.isReadOnly(op), true, op);
    }
    assert.equal(s.sts.has('CreateUser'), false);
    assert.equal(s.sts.has('constructor'), false);
    assert.equal(s.sts.isUnsigned('AssumeRoleWithSAML'), true);
    assert.equal(s.sts.isUnsigned('AssumeRole'), false);
  });
});

function setupRecordsWith(edit: (r: ReplicaRecord) => void): ReplicaRecord[] {
  const recs = records();
  for (const r of recs) edit(r);
  return recs;
}
