import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretKey, redactSecrets, REDACTED } from '../../src/audit/redact.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('redactSecrets', () => {
  test('uses CloudTrail\'s wording', () => {
    assert.equal(REDACTED, 'HIDDEN_DUE_TO_SECURITY_REASONS');
  });

  test('hides the secret of a created access key, keeps the rest', () => {
    const out = redactSecrets({ accessKey: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET, status: 'Active', userName: 'alice' } });
    assert.deepEqual(out, { accessKey: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: REDACTED, status: 'Active', userName: 'alice' } });
  });

  test('every listed secret, at any depth, any case', () => {
    const input = {
      userName: 'alice',
      password: 'p1',
      OldPassword: 'p2',
      NEWPASSWORD: 'p3',
      mfa: { authenticationCode1: '482913', AuthenticationCode2: '739201', tokenCode: '550172' },
      virtualMFADevice: { serialNumber: 'arn:aws:iam::123456789012:mfa/alice', base32StringSeed: 'JBSWY3DPEHPK3PXP', qRCodePNG: 'iVBORw0KGgo' },
      responses: [{ credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: SECRET, sessionToken: 'TOKEN', expiration: '2024-01-01T00:00:00Z' } }],
      certificate: { certificateBody: '-----BEGIN CERTIFICATE-----', privateKey: '-----BEGIN PRIVATE KEY-----' },
      sAMLAssertion: 'PHNhbWw+',
      webIdentityToken: 'eyJhbGciOi',
      providedContexts: [{ providerArn: 'arn:aws:iam::aws:contextProvider/IdentityCenter', contextAssertion: 'ASSERT' }],
      serviceSpecificCredential: { serviceUserName: 'alice-at-1', servicePassword: 'sp' },
    };
    const out = redactSecrets(input);
    const text = JSON.stringify(out);
    for (const secret of ['p1', 'p2', 'p3', '482913', '739201', '550172', 'JBSWY3DPEHPK3PXP', 'iVBORw0KGgo', SECRET, 'TOKEN', 'PRIVATE KEY', 'PHNhbWw+', 'eyJhbGciOi', 'ASSERT', '"sp"']) {
      assert.ok(!text.includes(secret), `leaked ${secret}`);
    }
    // Non-secrets survive.
    for (const kept of ['alice', 'ASIAEXAMPLE', 'BEGIN CERTIFICATE', 'arn:aws:iam::123456789012:mfa/alice', 'alice-at-1', '2024-01-01T00:00:00Z']) {
      assert.ok(text.includes(kept), `lost ${kept}`);
    }
    assert.equal((out as { OldPassword: string }).OldPassword, REDACTED);
  });

  test('matches the last segment of dotted wire names', () => {
    const out = redactSecrets({ 'AccessKey.SecretAccessKey': SECRET, 'Credentials.member.1.SessionToken': 'T', 'Tags.member.1.Value': 'v' });
    assert.deepEqual(out, { 'AccessKey.SecretAccessKey': REDACTED, 'Credentials.member.1.SessionToken': REDACTED, 'Tags.member.1.Value': 'v' });
    assert.equal(isSecretKey('a.b.password'), true);
    assert.equal(isSecretKey('passwordResetRequired'), false);
    assert.equal(isSecretKey('passwordPolicy'), false);
  });

  test('replaces a secret key\'s whole value, whatever its type', () => {
    const out = redactSecrets({ password: { nested: 'x' }, sessionToken: ['a', 'b'], tokenCode: 123456 });
    assert.deepEqual(out, { password: REDACTED, sessionToken: REDACTED, tokenCode: REDACTED });
  });

  test('never modifies its input', () => {
    const input = { user: { password: 'p' } };
    redactSecrets(input);
    assert.deepEqual(input, { user: { password: 'p' } });
  });

  test('plain JSON out: dates, bytes, bigints, cycles, undefined', () => {
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    const out = redactSecrets({
      when: new Date('2024-05-01T12:00:00.000Z'),
      bytes: Buffer.from('hi'),
      big: 10n,
      gone: undefined,
      nan: Number.NaN,
      list: [undefined, 1],
      cyclic,
    });
    assert.deepEqual(out, { when: '2024-05-01T12:00:00.000Z', bytes: 'aGk=', big: '10', nan: null, list: [null, 1], cyclic: { name: 'c', self: '[omitted]' } });
  });

  test('extra key names for one call site', () => {
    assert.deepEqual(redactSecrets({ clientSecret: 's', other: 'o' }, ['ClientSecret']), { clientSecret: REDACTED, other: 'o' });
  });

  test('shared (non-cyclic) references are copied, not omitted', () => {
    const shared = { a: 1 };
    assert.deepEqual(redactSecrets({ x: shared, y: shared }), { x: { a: 1 }, y: { a: 1 } });
  });
});
