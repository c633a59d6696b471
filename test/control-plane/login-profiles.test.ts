import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyPassword } from '../../src/control-plane/passwords.js';
import { KIND, type UserEntity } from '../../src/core/model/iam-entities.js';
import { ACCOUNT, createHarness, type Harness } from './harness.js';

const STRONG = 'Correct-Horse-9';
const VIOLATION = { code: 'PasswordPolicyViolation', message: 'Password does not conform to the account password policy.' };

async function storedUser(h: Harness, name: string) {
  return (await h.env.store.read((tx) => tx.get<UserEntity>(KIND.user, `${ACCOUNT}/${name}`)))?.data;
}

describe('login profiles', () => {
  it('creates, reads, updates and deletes a password without ever returning it', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'alice' });
    const created = await h.call('CreateLoginProfile', { userName: 'alice', password: STRONG, passwordResetRequired: true });
    assert.deepEqual(created, { loginProfile: { userName: 'alice', createDate: '2026-11-21T12:00:00.000Z', passwordResetRequired: true } });
    assert.deepEqual(await h.call('GetLoginProfile', { userName: 'alice' }), created);
    await assert.rejects(h.call('CreateLoginProfile', { userName: 'alice', password: STRONG }), { code: 'EntityAlreadyExists', message: 'Login Profile for user alice already exists.' });

    const stored = (await storedUser(h, 'alice'))!.loginProfile!;
    assert.match(stored.passwordHash, /^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    assert.ok(await verifyPassword(STRONG, stored.passwordHash));
    assert.ok(!JSON.stringify(await h.env.store.changesSince(0, 100_000)).includes(STRONG), 'the password is never stored');

    await h.call('UpdateLoginProfile', { userName: 'alice', passwordResetRequired: false });
    assert.deepEqual(await h.call('GetLoginProfile', { userName: 'alice' }), { loginProfile: { userName: 'alice', createDate: '2026-11-21T12:00:00.000Z', passwordResetRequired: false } });
    assert.equal((await storedUser(h, 'alice'))!.loginProfile!.passwordHash, stored.passwordHash, 'no password, no new hash');

    await h.call('UpdateLoginProfile', { userName: 'alice', password: 'Another-Pass-7' });
    assert.ok(await verifyPassword('Another-Pass-7', (await storedUser(h, 'alice'))!.loginProfile!.passwordHash));

    await h.call('DeleteLoginProfile', { userName: 'alice' });
    const missing = { code: 'NoSuchEntity', message: 'Login Profile for User alice cannot be found.' };
    await assert.rejects(h.call('GetLoginProfile', { userName: 'alice' }), missing);
    await assert.rejects(h.call('DeleteLoginProfile', { userName: 'alice' }), missing);
    await assert.rejects(h.call('UpdateLoginProfile', { userName: 'alice', passwordResetRequired: true }), missing);
  });

  it('applies AWS’s default policy when the account has none, and writes nothing on a violation', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'alice' });
    const revision = await h.env.store.revision();
    // Too short, and long enough but only two character classes.
    await assert.rejects(h.call('CreateLoginProfile', { userName: 'alice', password: 'Ab1!' }), VIOLATION);
    await assert.rejects(h.call('CreateLoginProfile', { userName: 'alice', password: 'alllowercase123' }), VIOLATION);
    assert.equal(await h.env.store.revision(), revision);
    await assert.rejects(h.call('GetLoginProfile', { userName: 'alice' }), { code: 'NoSuchEntity' });
    // Three classes of four are enough.
    await h.call('CreateLoginProfile', { userName: 'alice', password: 'lowerUPPER123' });
  });

  it('refuses DeleteUser while the user has a password', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'alice' });
    await h.call('CreateLoginProfile', { userName: 'alice', password: STRONG });
    await assert.rejects(h.call('DeleteUser', { userName: 'alice' }), { code: 'DeleteConflict', message: 'Cannot delete entity, must delete login profile first.' });
    await h.call('DeleteLoginProfile', { userName: 'alice' });
    await h.call('DeleteUser', { userName: 'alice' });
  });
});

describe('account password policy', () => {
  it('reverts omitted parameters to AWS’s defaults and is gone after delete', async () => {
    const h = await createHarness();
    const none = { code: 'NoSuchEntity', message: 'The Password Policy with domain name 123456789012 cannot be found.' };
    await assert.rejects(h.call('GetAccountPasswordPolicy'), none);
    await assert.rejects(h.call('DeleteAccountPasswordPolicy'), none);

    await h.call('UpdateAccountPasswordPolicy', {});
    assert.deepEqual(await h.call('GetAccountPasswordPolicy'), {
      passwordPolicy: {
        minimumPasswordLength: 6,
        requireSymbols: false,
        requireNumbers: false,
        requireUppercaseCharacters: false,
        requireLowercaseCharacters: false,
        allowUsersToChangePassword: false,
        expirePasswords: false,
        maxPasswordAge: undefined,
        passwordReusePrevention: undefined,
        hardExpiry: undefined,
      },
    });

    await h.call('UpdateAccountPasswordPolicy', { minimumPasswordLength: 12, requireSymbols: true, maxPasswordAge: 90, passwordReusePrevention: 3, hardExpiry: true });
    const policy = ((await h.call('GetAccountPasswordPolicy')) as { passwordPolicy: Record<string, unknown> }).passwordPolicy;
    assert.equal(policy.minimumPasswordLength, 12);
    assert.equal(policy.requireSymbols, true);
    assert.equal(policy.expirePasswords, true);
    assert.equal(policy.maxPasswordAge, 90);
    assert.equal(policy.passwordReusePrevention, 3);
    assert.equal(policy.hardExpiry, true);

    await h.call('DeleteAccountPasswordPolicy');
    await assert.rejects(h.call('GetAccountPasswordPolicy'), none);
  });

  it('checks new passwords against the custom policy, including reuse', async () => {
    const h = await createHarness();
    await h.call('UpdateAccountPasswordPolicy', { minimumPasswordLength: 10, requireNumbers: true, requireSymbols: true, passwordReusePrevention: 2 });
    await h.call('CreateUser', { userName: 'alice' });
    await assert.rejects(h.call('CreateLoginProfile', { userName: 'alice', password: 'short1!' }), VIOLATION);
    await assert.rejects(h.call('CreateLoginProfile', { userName: 'alice', password: 'nosymbols123' }), VIOLATION);
    // Lowercase only is fine: the custom policy replaces the default one.
    await h.call('CreateLoginProfile', { userName: 'alice', password: 'first-pass-1' });
    await h.call('UpdateLoginProfile', { userName: 'alice', password: 'second-pass-2' });
    await assert.rejects(h.call('UpdateLoginProfile', { userName: 'alice', password: 'first-pass-1' }), VIOLATION);
    await h.call('UpdateLoginProfile', { userName: 'alice', password: 'third-pass-3' });
    // Two passwords back is remembered; three is not.
    await assert.rejects(h.call('UpdateLoginProfile', { userName: 'alice', password: 'second-pass-2' }), VIOLATION);
    await h.call('UpdateLoginProfile', { userName: 'alice', password: 'first-pass-1' });
  });

  it('needs a policy for a user to read it, or AllowUsersToChangePassword', async () => {
    const h = await createHarness();
    await h.call('UpdateAccountPasswordPolicy', {});
    await h.call('CreateUser', { userName: 'alice' });
    const alice = await h.userCaller('alice');
    await assert.rejects(h.call('GetAccountPasswordPolicy', {}, alice), { code: 'AccessDenied' });
    await assert.rejects(h.call('UpdateAccountPasswordPolicy', {}, alice), { code: 'AccessDenied' });
    await h.call('UpdateAccountPasswordPolicy', { allowUsersToChangePassword: true });
    assert.equal(((await h.call('GetAccountPasswordPolicy', {}, alice)) as { passwordPolicy: { allowUsersToChangePassword: boolean } }).passwordPolicy.allowUsersToChangePassword, true);
    await assert.rejects(h.call('UpdateAccountPasswordPolicy', {}, alice), { code: 'AccessDenied' });
  });
});

describe('ChangePassword', () => {
  it('changes the caller’s own password when the account lets users do so', async () => {
    const h = await createHarness();
    await h.call('CreateUser', { userName: 'alice' });
    await h.call('CreateLoginProfile', { userName: 'alice', password: STRONG, passwordResetRequired: true });
    const alice = await h.userCaller('alice');
    const change = { oldPassword: STRONG, newPassword: 'Brand-New-Pass-1' };

    await assert.rejects(h.call('ChangePassword', change, alice), {
      code: 'AccessDenied',
      message:
        'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:ChangePassword on resource: arn:aws:iam::123456789012:user/alice because no identity-based policy allows the iam:ChangePassword action',
    });
    await h.call('UpdateAccountPasswordPolicy', { allowUsersToChangePassword: true, minimumPasswordLength: 8 });

    const revision = await h.env.store.revision();
    await assert.rejects(h.call('ChangePassword', { ...change, oldPassword: 'wrong-password' }, alice), { code: 'AccessDenied', message: 'The old password is incorrect.' });
    await assert.rejects(h.call('ChangePassword', { ...change, newPassword: 'short' }, alice), VIOLATION);
    assert.equal(await h.env.store.revision(), revision);

    await h.call('ChangePassword', change, alice);
    const profile = (await storedUser(h, 'alice'))!.loginProfile!;
    assert.ok(await verifyPassword('Brand-New-Pass-1', profile.passwordHash));
    assert.equal(profile.passwordResetRequired, false);
  });

  it('refuses the root user and users without a password', async () => {
    const h = await createHarness();
    await h.call('UpdateAccountPasswordPolicy', { allowUsersToChangePassword: true });
    await h.call('CreateUser', { userName: 'bob' });
    await assert.rejects(h.call('ChangePassword', { oldPassword: 'x', newPassword: 'y' }, await h.userCaller('bob')), {
      code: 'NoSuchEntity',
      message: 'Login Profile for User bob cannot be found.',
    });
    const root = { type: 'Root' as const, account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT, accessKeyId: 'AKIAROOTROOTROOTROOT' };
    await assert.rejects(h.call('ChangePassword', { oldPassword: 'x', newPassword: 'y' }, root), { code: 'InvalidUserType' });
  });
});
