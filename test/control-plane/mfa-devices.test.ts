import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { KIND, type MfaDeviceEntity, type UserEntity } from '../../src/core/model/iam-entities.js';
import { Authenticator } from '../../src/control-plane/authenticator.js';
import { ACCOUNT, createHarness, type Harness } from './harness.js';
import { scanQrCode } from './scan-qr-code.js';
import { allowDoc, mintSession, roleSession, signedIamRequest, TRUST_ACCOUNT } from './session-helpers.js';

const SERIAL = `arn:aws:iam::${ACCOUNT}:mfa/alice-phone`;
const INVALID = { code: 'InvalidAuthenticationCode', message: 'Authentication code for device is not valid.' };

interface CreatedDevice {
  virtualMFADevice: { serialNumber: string; base32StringSeed: Buffer; qRCodePNG: Buffer; tags?: unknown };
}


/** The code an authenticator app shows `steps` time steps from the harness clock. */
function code(seed: string, h: Harness, steps = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(seed), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: h.clock.now.getTime() + steps * 30_000 });
}

/** Two consecutive codes ending `steps` from now, as EnableMFADevice and ResyncMFADevice take them. */
function codes(seed: string, h: Harness, steps = 0) {
  return { authenticationCode1: code(seed, h, steps - 1), authenticationCode2: code(seed, h, steps) };
}

async function setup() {
  const h = await createHarness();
  await h.call('CreateUser', { userName: 'alice' });
  const created = (await h.call('CreateVirtualMFADevice', { virtualMFADeviceName: 'alice-phone' })) as CreatedDevice;
  return { h, seed: created.virtualMFADevice.base32StringSeed.toString('ascii'), created };
}

async function stored<T>(h: Harness, kind: string, id: string) {
  return (await h.env.store.read((tx) => tx.get<T>(kind, id)))?.data;
}

describe('virtual MFA devices', () => {
  it('creates a device whose seed is returned once and sealed at rest', async () => {
    const { h, seed, created } = await setup();
    assert.equal(created.virtualMFADevice.serialNumber, SERIAL);
    assert.match(seed, /^[A-Z2-7]{64}$/);
    assert.equal(created.virtualMFADevice.tags, undefined);
    const rec = await stored<MfaDeviceEntity>(h, KIND.mfa, `${ACCOUNT}/alice-phone`);
    assert.ok(rec && !JSON.stringify(rec).includes(seed), 'the stored device must not hold the seed');
    assert.ok(!JSON.stringify(await h.env.store.changesSince(0, 100_000)).includes(seed));
    assert.ok(!JSON.stringify(await h.call('ListVirtualMFADevices')).includes(seed));

    await assert.rejects(h.call('CreateVirtualMFADevice', { virtualMFADeviceName: 'ALICE-PHONE' }), {
      code: 'EntityAlreadyExists',
      message: 'MFADevice entity at the same path and name already exists.',
    });
    const other = (await h.call('CreateVirtualMFADevice', { virtualMFADeviceName: 'spare', path: '/team/', tags: [{ key: 'k', value: 'v' }] })) as CreatedDevice;
    assert.equal(other.virtualMFADevice.serialNumber, `arn:aws:iam::${ACCOUNT}:mfa/team/spare`);
    assert.deepEqual(other.virtualMFADevice.tags, [{ key: 'k', value: 'v' }]);
  });

  it('returns a QR code an authenticator app can scan: the otpauth URI of AWS, with the seed', async () => {
    const { h, seed, created } = await setup();
    // The caller is the administrator user: its name is the URI's account name.
    assert.equal(scanQrCode(created.virtualMFADevice.qRCodePNG), `otpauth://totp/alice-phone@admin?secret=${seed}`);
    // A caller that is not a user (a role session) gets the account id instead.
    const { role } = (await h.call('CreateRole', { roleName: 'admin-role', assumeRolePolicyDocument: TRUST_ACCOUNT(ACCOUNT) })) as { role: { arn: string; roleId: string; roleName: string } };
    await h.call('PutRolePolicy', { roleName: 'admin-role', policyName: 'mfa', policyDocument: allowDoc('iam:CreateVirtualMFADevice') });
    const { credentials } = mintSession(h.env.tokenRoot, ACCOUNT, 'AssumedRole', h.clock.now, roleSession(role, 'ops'));
    const auth = await new Authenticator(h.env, h.service).authenticate(signedIamRequest(credentials, h.clock.now), h.clock.now, 'iam');
    assert.ok(auth.ok);
    const other = (await h.call('CreateVirtualMFADevice', { virtualMFADeviceName: 'by-role' }, auth.caller)) as CreatedDevice;
    const otherSeed = other.virtualMFADevice.base32StringSeed.toString('ascii');
    assert.equal(scanQrCode(other.virtualMFADevice.qRCodePNG), `otpauth://totp/by-role@${ACCOUNT}?secret=${otherSeed}`);
  });

  it('enables with two consecutive codes and refuses wrong ones without writing', async () => {
    const { h, seed } = await setup();
    const revision = await h.env.store.revision();
    const wrong = codes(seed, h);
    await assert.rejects(h.call('EnableMFADevice', { userName: 'alice', serialNumber: SERIAL, ...wrong, authenticationCode2: wrong.authenticationCode1 }), INVALID);
    // Consecutive, but far in the future.
    await assert.rejects(h.call('EnableMFADevice', { userName: 'alice', serialNumber: SERIAL, ...codes(seed, h, 6) }), INVALID);
    assert.equal(await h.env.store.revision(), revision);

    await h.call('EnableMFADevice', { userName: 'alice', serialNumber: SERIAL, ...codes(seed, h) });
    assert.deepEqual(await h.call('ListMFADevices', { userName: 'alice' }), {
      mFADevices: [{ userName: 'alice', serialNumber: SERIAL, enableDate: '2026-11-21T12:00:00.000Z' }],
      isTruncated: false,
      marker: undefined,
    });
    const assigned = (await h.call('ListVirtualMFADevices', { assignmentStatus: 'Assigned' })) as { virtualMFADevices: { serialNumber: string; user?: { userName: string }; enableDate?: string }[] };
    assert.equal(assigned.virtualMFADevices.length, 1);
    assert.equal(assigned.virtualMFADevices[0].user?.userName, 'alice');
    assert.equal(assigned.virtualMFADevices[0].enableDate, '2026-11-21T12:00:00.000Z');
    assert.deepEqual(((await h.call('ListVirtualMFADevices', { assignmentStatus: 'Unassigned' })) as { virtualMFADevices: unknown[] }).virtualMFADevices, []);
    assert.equal(((await h.call('ListVirtualMFADevices')) as { virtualMFADevices: unknown[] }).virtualMFADevices.length, 1);
    assert.deepEqual((await stored<UserEntity>(h, KIND.user, `${ACCOUNT}/alice`))?.mfaDevices, [SERIAL]);

    await assert.rejects(h.call('EnableMFADevice', { userName: 'alice', serialNumber: SERIAL, ...codes(seed, h) }), { code: 'EntityAlreadyExists' });
    await assert.rejects(h.call('EnableMFADevice', { userName: 'alice', serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/nope`, ...codes(seed, h) }), {
      code: 'NoSuchEntity',
      message: `VirtualMFADevice with serial number arn:aws:iam::${ACCOUNT}:mfa/nope doesn't exist.`,
    });
  });

  it('never accepts the same codes twice', async () => {
    const { h, seed } = await setup();
    const used = codes(seed, h);
    await h.call('EnableMFADevice', { userName: 'alice', serialNumber: SERIAL, ...used });
    await h.call('DeactivateMFADevice', { userName: 'alice', serialNumber: SERIAL });
    await assert.rejects(h.call('EnableMFADevice', { userName: 'alice', serialNumber: SERIAL, ...used }), INVALID);
    h.clock.now = new Date(h.clock.now.getTime() + 60_000);
    await h.call('EnableMFADevice', { userName: 'alice', serialNumber: SERIAL, ...codes(seed, h) });
  });

  it('resyncs a drifted device within a wider window and remembers the drift', async () => {
    const { h, seed } = await setup();
    await h.call('EnableMFADevice', { userName: 'alice', serialNumber: SERIAL, ...codes(seed, h) });
    h.clock.now = new Date(h.clock.now.getTime() + 5 * 60_000);
    // The phone's clock runs four minutes (eight steps) ahead.
    await assert.rejects(h.call('ResyncMFADevice', { userName: 'alice', serialNumber: SERIAL, ...codes(seed, h, 12) }), INVALID);
    await h.call('ResyncMFADevice', { userName: 'alice', serialNumber: SERIAL, ...codes(seed, h, 8) });
    const device = await stored<MfaDeviceEntity>(h, KIND.mfa, `${ACCOUNT}/alice-phone`);
    assert.equal(device?.drift, 8);
    await assert.rejects(h.call('ResyncMFADevice', { userName: 'alice', serialNumber: SERIAL, ...codes(seed, h, 8) }), INVALID);
    await h.call('CreateUser', { userName: 'bob' });
    await assert.rejects(h.call('ResyncMFADevice', { userName: 'bob', serialNumber: SERIAL, ...codes(seed, h, 10) }), { code: 'NoSuchEntity' });
  });

  it('deletes a device only once deactivated, and blocks DeleteUser until then', async () => {
    const { h, seed } = await setup();
    await h.call('EnableMFADevice', { userName: 'alice', serialNumber: SERIAL, ...codes(seed, h) });
    await assert.rejects(h.call('DeleteVirtualMFADevice', { serialNumber: SERIAL }), { code: 'DeleteConflict', message: 'MFA device is still in use.' });
    await assert.rejects(h.call('DeleteUser', { userName: 'alice' }), { code: 'DeleteConflict', message: 'Cannot delete entity, must delete MFA device first.' });

    await h.call('DeactivateMFADevice', { userName: 'alice', serialNumber: SERIAL });
    await assert.rejects(h.call('DeactivateMFADevice', { userName: 'alice', serialNumber: SERIAL }), { code: 'NoSuchEntity' });
    assert.deepEqual(((await h.call('ListMFADevices', { userName: 'alice' })) as { mFADevices: unknown[] }).mFADevices, []);
    assert.equal(((await h.call('ListVirtualMFADevices', { assignmentStatus: 'Unassigned' })) as { virtualMFADevices: unknown[] }).virtualMFADevices.length, 1);

    await h.call('DeleteUser', { userName: 'alice' });
    await h.call('DeleteVirtualMFADevice', { serialNumber: SERIAL });
    await assert.rejects(h.call('DeleteVirtualMFADevice', { serialNumber: SERIAL }), { code: 'NoSuchEntity' });
    assert.deepEqual(((await h.call('ListVirtualMFADevices')) as { virtualMFADevices: unknown[] }).virtualMFADevices, []);
  });

  it('tags a device and lists its tags in pages; GetMFADevice describes an enabled one', async () => {
    const { h, seed } = await setup();
    await h.call('TagMFADevice', { serialNumber: SERIAL, tags: [{ key: 'owner', value: 'alice' }, { key: 'env', value: 'prod' }] });
    await h.call('TagMFADevice', { serialNumber: SERIAL, tags: [{ key: 'env', value: 'dev' }] });
    const first = (await h.call('ListMFADeviceTags', { serialNumber: SERIAL, maxItems: 1 })) as { tags: unknown[]; isTruncated: boolean; marker?: string };
    assert.deepEqual(first.tags, [{ key: 'env', value: 'dev' }]);
    assert.equal(first.isTruncated, true);
    const rest = (await h.call('ListMFADeviceTags', { serialNumber: SERIAL, marker: first.marker })) as { tags: unknown[]; isTruncated: boolean };
    assert.deepEqual(rest.tags, [{ key: 'owner', value: 'alice' }]);
    await h.call('UntagMFADevice', { serialNumber: SERIAL, tagKeys: ['owner'] });
    assert.deepEqual(((await h.call('ListMFADeviceTags', { serialNumber: SERIAL })) as { tags: unknown[] }).tags, [{ key: 'env', value: 'dev' }]);
    const missing = `arn:aws:iam::${ACCOUNT}:mfa/nobody`;
    await assert.rejects(h.call('TagMFADevice', { serialNumber: missing, tags: [{ key: 'k', value: 'v' }] }), { code: 'NoSuchEntity', message: `VirtualMFADevice with serial number ${missing} doesn't exist.` });
    await assert.rejects(h.call('ListMFADeviceTags', { serialNumber: missing }), { code: 'NoSuchEntity' });

    // Not enabled for alice yet: unknown to GetMFADevice, as to the other per-user calls.
    await assert.rejects(h.call('GetMFADevice', { userName: 'alice', serialNumber: SERIAL }), { code: 'NoSuchEntity' });
    await h.call('EnableMFADevice', { userName: 'alice', serialNumber: SERIAL, ...codes(seed, h) });
    const got = (await h.call('GetMFADevice', { userName: 'alice', serialNumber: SERIAL })) as { userName: string; serialNumber: string; enableDate: string };
    assert.equal(got.userName, 'alice');
    assert.equal(got.serialNumber, SERIAL);
    assert.equal(got.enableDate, h.clock.now.toISOString());
  });

  it('refuses TagMFADevice by a tag condition on the device (aws:ResourceTag)', async () => {
    const { h } = await setup();
    await h.call('TagMFADevice', { serialNumber: SERIAL, tags: [{ key: 'locked', value: 'yes' }] });
    const alice = await h.userCaller('alice');
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:TagMFADevice', 'iam:UntagMFADevice'], Resource: '*' },
        { Effect: 'Deny', Action: ['iam:TagMFADevice', 'iam:UntagMFADevice'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/locked': 'yes' } } },
      ],
    });
    await h.call('PutUserPolicy', { userName: 'alice', policyName: 'Tags', policyDocument: document });
    await assert.rejects(h.call('UntagMFADevice', { serialNumber: SERIAL, tagKeys: ['locked'] }, alice), { code: 'AccessDenied' });
    await h.call('UntagMFADevice', { serialNumber: SERIAL, tagKeys: ['locked'] });
    await h.call('TagMFADevice', { serialNumber: SERIAL, tags: [{ key: 'team', value: 'a' }] }, alice);
  });

  it('keeps the device with its user across a rename', async () => {
    const { h, seed } = await setup();
    await h.call('EnableMFADevice', { userName: 'alice', serialNumber: SERIAL, ...codes(seed, h) });
    await h.call('UpdateUser', { userName: 'alice', newUserName: 'alicia' });
    const listed = (await h.call('ListVirtualMFADevices')) as { virtualMFADevices: { user?: { userName: string } }[] };
    assert.equal(listed.virtualMFADevices[0].user?.userName, 'alicia');
    await h.call('DeactivateMFADevice', { userName: 'alicia', serialNumber: SERIAL });
  });

  it('lets a user manage its own device only with a policy that allows it', async () => {
    const { h, seed } = await setup();
    const alice = await h.userCaller('alice');
    await assert.rejects(h.call('EnableMFADevice', { userName: 'alice', serialNumber: SERIAL, ...codes(seed, h) }, alice), {
      code: 'AccessDenied',
      message:
        'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:EnableMFADevice on resource: arn:aws:iam::123456789012:user/alice because no identity-based policy allows the iam:EnableMFADevice action',
    });
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['iam:EnableMFADevice', 'iam:ListMFADevices', 'iam:DeactivateMFADevice'], Resource: 'arn:aws:iam::*:user/${aws:username}' }],
    });
    await h.call('PutUserPolicy', { userName: 'alice', policyName: 'OwnMfa', policyDocument: document });
    await h.call('EnableMFADevice', { userName: 'alice', serialNumber: SERIAL, ...codes(seed, h) }, alice);
    assert.equal(((await h.call('ListMFADevices', {}, alice)) as { mFADevices: unknown[] }).mFADevices.length, 1);
    await assert.rejects(h.call('DeleteVirtualMFADevice', { serialNumber: SERIAL }, alice), { code: 'AccessDenied' });
    await h.call('DeactivateMFADevice', { serialNumber: SERIAL }, alice);
  });
});
