import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountOfTemporaryAccessKeyId } from '../../src/core/ids.js';
import { principalContext } from '../../src/core/model/principal-context.js';
import type { Principal } from '../../src/core/model/principal.js';
import { evaluate } from '../../src/core/policy/index.js';
import type { AssumeRoleOutput } from '../../src/data-plane/sts/assume-role.js';
import { ownTags } from '../../src/data-plane/sts/sts-context.js';
import { serializeResult, unknownOutputKeys } from '../../src/protocol/index.js';
import { A, B, MFA_SERIAL, NOW, mfaCode, request, rootPrincipal, setup, stepOf, userPrincipal, type Setup } from './sts-fixture.js';

const alice = userPrincipal(A, 'alice');
const roleArn = (name: string, account = A, path = '/') => `arn:aws:iam::${account}:role${path}${name}`;

function assume(s: Setup, caller: Principal, input: Record<string, unknown>, now: Date = NOW): AssumeRoleOutput {
  return s.sts.call('AssumeRole', input, caller, request(now)) as AssumeRoleOutput;
}

function code(err: unknown): string {
  return (err as { code: string }).code;
}

/** Whether the session may do `action` on `resource` (the replica's policy sets and the principal's context keys). */
function sessionMay(s: Setup, p: Principal, action: string, resource = '*'): boolean {
  const sets = s.index.policySets(p);
  if (!sets) return false;
  const context = principalContext(p, ownTags(s.index, p), { now: NOW, sourceIp: '203.0.113.7', userAgent: 'x', secureTransport: true, region: 'eu-west-1' });
  return evaluate({ principal: p.arn, action, resource, context }, sets).decision === 'Allow';
}

describe('AssumeRole', () => {
  it('issues role credentials whose token opens to the claims, expiring exactly', () => {
    const s = setup();
    const out = assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'alice-session', durationSeconds: 7200 });
    assert.deepEqual(out.assumedRoleUser, { assumedRoleId: 'AROADEVXXXXXXXXXXXXXX:alice-session', arn: `arn:aws:sts::${A}:assumed-role/Dev/alice-session` });
    const { accessKeyId, secretAccessKey, sessionToken, expiration } = out.credentials;
    assert.match(accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(accountOfTemporaryAccessKeyId(accessKeyId), A);
    assert.equal(secretAccessKey.length, 40);
    assert.equal(expiration.getTime(), NOW.getTime() + 7200 * 1000);
    assert.equal(out.packedPolicySize, undefined, 'no policies or tags passed: no PackedPolicySize');

    const claims = s.open(sessionToken);
    assert.ok(claims);
    assert.deepEqual(claims, {
      v: 1,
      kind: 'AssumedRole',
      account: A,
      roleArn: roleArn('Dev'),
      roleId: 'AROADEVXXXXXXXXXXXXXX',
      roleName: 'Dev',
      sessionName: 'alice-session',
      accessKeyId,
      secretAccessKey,
      issuedAt: '2025-03-10T12:00:00.123Z',
      expiresAt: '2025-03-10T14:00:00.123Z',
      issuedIn: 'eu-west-1',
    });
    const p = s.principalOf(sessionToken);
    assert.deepEqual(s.sts.call('GetCallerIdentity', {}, p, request()), { userId: 'AROADEVXXXXXXXXXXXXXX:alice-session', account: A, arn: `arn:aws:sts::${A}:assumed-role/Dev/alice-session` });
  });

  it('writes the output as the STS model spells it', () => {
    const s = setup();
    const out = assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 's1', tags: [{ key: 'project', value: 'x' }] });
    assert.deepEqual(unknownOutputKeys('sts', 'AssumeRole', out), []);
    const xml = serializeResult('sts', 'AssumeRole', out as unknown as Record<string, unknown>, 'req-1');
    assert.match(xml, /<Expiration>2025-03-10T13:00:00Z<\/Expiration>/);
    assert.match(xml, /<AssumedRoleUser><AssumedRoleId>AROADEVXXXXXXXXXXXXXX:s1<\/AssumedRoleId><Arn>arn:aws:sts::111111111111:assumed-role\/Dev\/s1<\/Arn><\/AssumedRoleUser>/);
    assert.match(xml, /<PackedPolicySize>\d+<\/PackedPolicySize>/);
  });

  it('defaults to one hour and refuses more than the role allows', () => {
    const s = setup();
    const out = assume(s, alice, { roleArn: roleArn('NoTags'), roleSessionName: 's' });
    assert.equal(out.credentials.expiration.getTime() - NOW.getTime(), 3600_000);
    assert.throws(() => assume(s, alice, { roleArn: roleArn('NoTags'), roleSessionName: 's', durationSeconds: 3601 }), {
      name: 'AwsError',
      code: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
  });

  it('answers the same AccessDenied for a missing role and a denied one', () => {
    const s = setup();
    const bob = userPrincipal(A, 'bob');
    for (const arn of [roleArn('Nope'), roleArn('Dev')]) {
      assert.throws(() => assume(s, bob, { roleArn: arn, roleSessionName: 's' }), {
        code: 'AccessDenied',
        message: `User: arn:aws:iam::${A}:user/bob is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
      });
    }
    assert.throws(() => assume(s, alice, { roleArn: roleArn('Nope'), roleSessionName: 's' }), { code: 'AccessDenied' });
    assert.throws(() => assume(s, alice, { roleArn: `arn:aws:iam::${A}:user/bob`, roleSessionName: 's' }), { code: 'AccessDenied' });
    assert.throws(() => assume(s, alice, { roleArn: 'not-an-arn', roleSessionName: 's' }), { code: 'ValidationError', message: 'not-an-arn is invalid' });
  });

  it('lets a trust policy that names the user directly allow without an identity policy (same account)', () => {
    const s = setup();
    const out = assume(s, userPrincipal(A, 'bob'), { roleArn: roleArn('BobsRole'), roleSessionName: 'b' });
    assert.equal(out.assumedRoleUser.arn, `arn:aws:sts::${A}:assumed-role/BobsRole/b`);
  });

  it('refuses the root user with AWS wording', () => {
    const s = setup();
    assert.throws(() => assume(s, rootPrincipal(A), { roleArn: roleArn('Dev'), roleSessionName: 's' }), { code: 'AccessDenied', message: 'Roles may not be assumed by root accounts.' });
  });

  it('finds a role whose ARN has a path, with or without the path', () => {
    const s = setup();
    const withPath = assume(s, alice, { roleArn: roleArn('Ops', A, '/team/'), roleSessionName: 's' });
    const withoutPath = assume(s, alice, { roleArn: roleArn('Ops'), roleSessionName: 's' });
    assert.equal(withPath.assumedRoleUser.arn, `arn:aws:sts::${A}:assumed-role/Ops/s`);
    assert.equal(withoutPath.assumedRoleUser.arn, withPath.assumedRoleUser.arn);
    assert.equal(s.open(withPath.credentials.sessionToken)?.roleArn, roleArn('Ops', A, '/team/'));
  });

  describe('cross-account with an external id', () => {
    it('needs the trust policy, the ExternalId and the caller account identity policy', () => {
      const s = setup();
      const carol = userPrincipal(B, 'carol');
      const out = assume(s, carol, { roleArn: roleArn('ExtRole'), roleSessionName: 'c', externalId: 'ext-123' });
      assert.equal(out.assumedRoleUser.arn, `arn:aws:sts::${A}:assumed-role/ExtRole/c`);
      assert.equal(accountOfTemporaryAccessKeyId(out.credentials.accessKeyId), A, 'the credentials belong to the role account');
      assert.equal(s.principalOf(out.credentials.sessionToken).account, A);

      assert.throws(() => assume(s, carol, { roleArn: roleArn('ExtRole'), roleSessionName: 'c' }), { code: 'AccessDenied' }, 'no external id');
      assert.throws(() => assume(s, carol, { roleArn: roleArn('ExtRole'), roleSessionName: 'c', externalId: 'wrong-1' }), { code: 'AccessDenied' }, 'wrong external id');
      assert.throws(() => assume(s, userPrincipal(B, 'dave'), { roleArn: roleArn('ExtRole'), roleSessionName: 'd', externalId: 'ext-123' }), { code: 'AccessDenied' }, 'trusted account, but no identity allow');
      assert.throws(() => assume(s, alice, { roleArn: roleArn('ExtRole'), roleSessionName: 'a', externalId: 'ext-123' }), { code: 'AccessDenied' }, 'account A is not trusted');
    });
  });

  describe('MFA', () => {
    const step = stepOf(NOW);

    it('satisfies an aws:MultiFactorAuthPresent trust condition with a valid code, and marks the session', () => {
      const s = setup();
      assert.throws(() => assume(s, alice, { roleArn: roleArn('MfaRole'), roleSessionName: 'm' }), { code: 'AccessDenied' });
      const out = assume(s, alice, { roleArn: roleArn('MfaRole'), roleSessionName: 'm', serialNumber: MFA_SERIAL, tokenCode: mfaCode(step) });
      const claims = s.open(out.credentials.sessionToken);
      assert.equal(claims?.mfaAuthenticatedAt, NOW.toISOString());
    });

    it('accepts the previous and next step, refuses older codes and a reused code', () => {
      const s = setup();
      assume(s, alice, { roleArn: roleArn('MfaRole'), roleSessionName: 'm', serialNumber: MFA_SERIAL, tokenCode: mfaCode(step - 1) });
      assert.throws(() => assume(s, alice, { roleArn: roleArn('MfaRole'), roleSessionName: 'm', serialNumber: MFA_SERIAL, tokenCode: mfaCode(step - 1) }), {
        code: 'AccessDenied',
        message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.',
      });
      assume(s, alice, { roleArn: roleArn('MfaRole'), roleSessionName: 'm', serialNumber: MFA_SERIAL, tokenCode: mfaCode(step + 1) });
      const s2 = setup();
      assert.throws(() => assume(s2, alice, { roleArn: roleArn('MfaRole'), roleSessionName: 'm', serialNumber: MFA_SERIAL, tokenCode: mfaCode(step - 2) }), { code: 'AccessDenied' });
      assert.throws(() => assume(s2, alice, { roleArn: roleArn('MfaRole'), roleSessionName: 'm', serialNumber: MFA_SERIAL, tokenCode: '000000' === mfaCode(step) ? '111111' : '000000' }), { code: 'AccessDenied' });
    });

    it('refuses a device that is not the caller', () => {
      const s = setup();
      assert.throws(() => assume(s, userPrincipal(A, 'bob'), { roleArn: roleArn('BobsRole'), roleSessionName: 'b', serialNumber: MFA_SERIAL, tokenCode: mfaCode(step) }), {
        code: 'AccessDenied',
        message: 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
      });
      assert.throws(() => assume(s, alice, { roleArn: roleArn('MfaRole'), roleSessionName: 'm', serialNumber: `arn:aws:iam::${A}:mfa/nobody`, tokenCode: mfaCode(step) }), { code: 'AccessDenied' });
    });
  });

  describe('session policies', () => {
    it('restricts the session to the intersection with the role policies', () => {
      const s = setup();
      const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
      const out = assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'p', policy });
      assert.ok(out.packedPolicySize !== undefined && out.packedPolicySize > 0 && out.packedPolicySize <= 100);
      const p = s.principalOf(out.credentials.sessionToken);
      assert.equal(p.session?.policy, policy);
      assert.equal(sessionMay(s, p, 's3:GetObject'), true);
      assert.equal(sessionMay(s, p, 's3:PutObject'), false, 'the role allows it, the session policy does not');

      const unrestricted = s.principalOf(assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'q' }).credentials.sessionToken);
      assert.equal(sessionMay(s, unrestricted, 's3:PutObject'), true);
    });

    it('takes managed session policies of the role account', () => {
      const s = setup();
      const out = assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'p', policyArns: [{ arn: `arn:aws:iam::${A}:policy/ReadOnlyS3` }] });
      const p = s.principalOf(out.credentials.sessionToken);
      assert.deepEqual(p.session?.policyArns, [`arn:aws:iam::${A}:policy/ReadOnlyS3`]);
      assert.equal(sessionMay(s, p, 's3:GetObject'), true);
      assert.equal(sessionMay(s, p, 's3:PutObject'), false);
      assert.throws(() => assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'p', policyArns: [{ arn: `arn:aws:iam::${A}:policy/Missing` }] }), {
        code: 'InvalidParameterValue',
        message: `Policy arn:aws:iam::${A}:policy/Missing does not exist or is not attachable.`,
      });
      const eleven = Array.from({ length: 11 }, () => ({ arn: `arn:aws:iam::${A}:policy/ReadOnlyS3` }));
      assert.throws(() => assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'p', policyArns: eleven }), { code: 'ValidationError' });
    });

    it('refuses malformed and oversized session policies with AWS codes', () => {
      const s = setup();
      assert.throws(() => assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'p', policy: '{"Version":"2012-10-17","Statement":[' }), { code: 'MalformedPolicyDocument' });
      const withPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] });
      assert.throws(() => assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'p', policy: withPrincipal }), { code: 'MalformedPolicyDocument', message: 'Policy document should not specify a principal.' });
      const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(2100)}` }] });
      assert.throws(() => assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'p', policy: big }), {
        code: 'ValidationError',
        message: "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048",
      });
    });

    it('reports PackedPolicySize and refuses more than 100% with AWS wording', () => {
      const s = setup();
      const small = assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'p', tags: [{ key: 'a', value: 'b' }] });
      const noise = (i: number) => Buffer.from(Array.from({ length: 96 }, (_, j) => (i * 131 + j * 17 + ((i * j) % 7)) % 251)).toString('base64');
      const medium = assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'p', tags: Array.from({ length: 4 }, (_, i) => ({ key: `k${i}`, value: noise(i) })) });
      assert.ok((small.packedPolicySize ?? 0) < (medium.packedPolicySize ?? 0), 'grows with the tags');
      assert.throws(() => assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'p', tags: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: noise(i) })) }), (err: Error) => {
        assert.equal(code(err), 'PackedPolicyTooLarge');
        assert.match(err.message, /^Packed policy consumes \d{3}% of allotted space$/);
        return true;
      });
    });
  });

  describe('session tags and chaining', () => {
    it('needs sts:TagSession in the trust policy and puts the tags in the session', () => {
      const s = setup();
      assert.throws(() => assume(s, alice, { roleArn: roleArn('NoTags'), roleSessionName: 't', tags: [{ key: 'project', value: 'apollo' }] }), {
        code: 'AccessDenied',
        message: `User: arn:aws:iam::${A}:user/alice is not authorized to perform: sts:TagSession on resource: ${roleArn('NoTags')}`,
      });
      const out = assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 't', tags: [{ key: 'Project', value: 'apollo' }, { key: 'TEAM', value: 'green' }], transitiveTagKeys: ['project'] });
      const p = s.principalOf(out.credentials.sessionToken);
      assert.deepEqual(p.session?.tags, [{ key: 'Project', value: 'apollo' }, { key: 'TEAM', value: 'green' }]);
      assert.deepEqual(p.session?.transitiveTagKeys, ['project']);
      const ctx = principalContext(p, ownTags(s.index, p), { now: NOW, sourceIp: '', userAgent: '', secureTransport: true, region: 'eu-west-1' });
      assert.equal(ctx['aws:PrincipalTag/TEAM'], 'green', 'a session tag overrides the role tag of the same key');
      assert.equal(ctx['aws:PrincipalTag/env'], 'dev');
      assert.equal(ctx['aws:PrincipalTag/Project'], 'apollo');
    });

    it('refuses duplicate keys and transitive keys that are not tags', () => {
      const s = setup();
      assert.throws(() => assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 't', tags: [{ key: 'a', value: '1' }, { key: 'A', value: '2' }] }), {
        code: 'InvalidParameterValue',
        message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      });
      assert.throws(() => assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 't', tags: [{ key: 'a', value: '1' }], transitiveTagKeys: ['b'] }), {
        code: 'InvalidParameterValue',
        message: 'The specified transitive tag key must be included in the requested tags.',
      });
    });

    it('limits a chained session to one hour', () => {
      const s = setup();
      const first = assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'one' });
      const dev = s.principalOf(first.credentials.sessionToken);
      assert.throws(() => assume(s, dev, { roleArn: roleArn('Second'), roleSessionName: 'two', durationSeconds: 3601 }), {
        code: 'ValidationError',
        message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      });
      const later = new Date(NOW.getTime() + 60_000);
      const second = assume(s, dev, { roleArn: roleArn('Second'), roleSessionName: 'two' }, later);
      assert.equal(second.credentials.expiration.getTime(), later.getTime() + 3600_000);
      assert.equal(s.open(second.credentials.sessionToken)?.chained, true);
    });

    it('passes transitive tags on, refuses overriding them, and keeps the others behind', () => {
      const s = setup();
      const first = assume(s, alice, {
        roleArn: roleArn('Dev'),
        roleSessionName: 'one',
        tags: [{ key: 'Star', value: '1' }, { key: 'Heart', value: '1' }, { key: 'Moon', value: '1' }],
        transitiveTagKeys: ['Star', 'Heart'],
      });
      const dev = s.principalOf(first.credentials.sessionToken);
      assert.throws(() => assume(s, dev, { roleArn: roleArn('Second'), roleSessionName: 'two', tags: [{ key: 'heart', value: '3' }] }), {
        code: 'InvalidParameterValue',
        message: "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
      });
      const second = assume(s, dev, { roleArn: roleArn('Second'), roleSessionName: 'two', tags: [{ key: 'Moon', value: '2' }] });
      const p = s.principalOf(second.credentials.sessionToken);
      assert.deepEqual(p.session?.tags, [{ key: 'Star', value: '1' }, { key: 'Heart', value: '1' }, { key: 'Moon', value: '2' }]);
      assert.deepEqual(p.session?.transitiveTagKeys, ['star', 'heart']);
      const third = s.principalOf(assume(s, p, { roleArn: roleArn('Dev'), roleSessionName: 'three' }).credentials.sessionToken);
      assert.deepEqual(third.session?.tags, [{ key: 'Star', value: '1' }, { key: 'Heart', value: '1' }], 'Moon was not transitive');
    });

    it('lets a session chain only when its session policy allows sts:AssumeRole too', () => {
      const s = setup();
      const readOnly = assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'one', policyArns: [{ arn: `arn:aws:iam::${A}:policy/ReadOnlyS3` }] });
      assert.throws(() => assume(s, s.principalOf(readOnly.credentials.sessionToken), { roleArn: roleArn('Second'), roleSessionName: 'two' }), {
        code: 'AccessDenied',
        message: `User: arn:aws:sts::${A}:assumed-role/Dev/one is not authorized to perform: sts:AssumeRole on resource: ${roleArn('Second')}`,
      });
      assert.throws(() => assume(s, s.principalOf(assume(s, alice, { roleArn: roleArn('NoTags'), roleSessionName: 'one' }).credentials.sessionToken), { roleArn: roleArn('Second'), roleSessionName: 'two' }), { code: 'AccessDenied' }, 'Second trusts only Dev');
    });

    it('keeps MFA from the calling session', () => {
      const s = setup();
      const first = assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'one', serialNumber: MFA_SERIAL, tokenCode: mfaCode(stepOf(NOW)) });
      const dev = s.principalOf(first.credentials.sessionToken);
      const second = s.principalOf(assume(s, dev, { roleArn: roleArn('Second'), roleSessionName: 'two' }).credentials.sessionToken);
      assert.equal(second.session?.mfaAuthenticatedAt, NOW.toISOString());
    });
  });

  describe('source identity', () => {
    it('needs sts:SetSourceIdentity, follows its trust conditions, passes on and cannot change', () => {
      const s = setup();
      assert.throws(() => assume(s, alice, { roleArn: roleArn('SourceRole'), roleSessionName: 'x', sourceIdentity: 'someone-else' }), {
        code: 'AccessDenied',
        message: `User: arn:aws:iam::${A}:user/alice is not authorized to perform: sts:SetSourceIdentity on resource: ${roleArn('SourceRole')}`,
      });
      assert.throws(() => assume(s, alice, { roleArn: roleArn('NoTags'), roleSessionName: 'x', sourceIdentity: 'alice-laptop' }), { code: 'AccessDenied' });
      const out = assume(s, alice, { roleArn: roleArn('SourceRole'), roleSessionName: 'x', sourceIdentity: 'alice-laptop' });
      assert.equal(out.sourceIdentity, 'alice-laptop');
      const first = s.principalOf(assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 'x', sourceIdentity: 'alice-laptop' }).credentials.sessionToken);
      assert.equal(first.session?.sourceIdentity, 'alice-laptop');
      const chained = assume(s, first, { roleArn: roleArn('Second'), roleSessionName: 'y' });
      assert.equal(chained.sourceIdentity, 'alice-laptop');
      assert.equal(s.open(chained.credentials.sessionToken)?.sourceIdentity, 'alice-laptop');
      assert.throws(() => assume(s, first, { roleArn: roleArn('Second'), roleSessionName: 'y', sourceIdentity: 'mallory' }), { code: 'AccessDenied' });
    });
  });

  it('answers 503 when the region has no token key for now', () => {
    const s = setup({ tokenWindowDays: 1 });
    const late = new Date(NOW.getTime() + 3 * 86_400_000);
    assert.throws(() => assume(s, alice, { roleArn: roleArn('Dev'), roleSessionName: 's' }, late), (err: Error & { httpStatus?: number }) => {
      assert.equal(code(err), 'ServiceUnavailable');
      assert.equal(err.httpStatus, 503);
      assert.match(err.message, /cannot issue temporary credentials/);
      return true;
    });
  });

  it('is refused to federated users', () => {
    const s = setup();
    const fed = s.principalOf(
      (s.sts.call('GetFederationToken', { name: 'fed', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }, alice, request()) as {
        credentials: { sessionToken: string };
      }).credentials.sessionToken,
    );
    assert.throws(() => assume(s, fed, { roleArn: roleArn('Dev'), roleSessionName: 's' }), { code: 'AccessDenied', message: 'Cannot call AssumeRole with session credentials from GetFederationToken' });
  });

  it('applies the caller permissions boundary', () => {
    const s = setup();
    assert.throws(() => assume(s, userPrincipal(A, 'erin'), { roleArn: roleArn('Dev'), roleSessionName: 's' }), { code: 'AccessDenied' });
  });
});


