/**
 * The credential report: GenerateCredentialReport builds it (kept four hours), GetCredentialReport
 * returns the CSV in AWS's column order and values, and the record stays on the control plane.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { Authenticator } from '../../src/control-plane/authenticator.js';
import { KIND, type UserEntity } from '../../src/core/model/iam-entities.js';
import { isReplicatedKind } from '../../src/replication/record-projector.js';
import { ACCOUNT, createHarness, type Harness } from './harness.js';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const COLUMNS = HEADER.split(',');

interface ReportOut {
  content: Uint8Array;
  reportFormat: string;
  generatedTime: string;
}

/** RFC 4180 CSV lines (a quoted field may hold commas and doubled quotes). */
function parseCsv(text: string): string[][] {
  return text.split('\n').map((line) => {
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted && c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = !quoted;
      } else if (c === ',' && !quoted) {
        fields.push(field);
        field = '';
      } else {
        field += c;
      }
    }
    fields.push(field);
    return fields;
  });
}

/** The report's rows by user name, each as column → value. */
async function report(h: Harness, caller = h.admin) {
  const out = (await h.call('GetCredentialReport', {}, caller)) as ReportOut;
  const text = Buffer.from(out.content).toString('utf8');
  const [header, ...rows] = parseCsv(text);
  assert.deepEqual(header, COLUMNS);
  const byUser = new Map(rows.map((r) => [r[0], Object.fromEntries(COLUMNS.map((c, i) => [c, r[i]]))]));
  return { out, text, rows, byUser };
}

function totpCodes(seed: string, now: Date) {
  const totp = new TOTP({ secret: Secret.fromBase32(seed), algorithm: 'SHA1', digits: 6, period: 30 });
  return { authenticationCode1: totp.generate({ timestamp: now.getTime() - 30_000 }), authenticationCode2: totp.generate({ timestamp: now.getTime() }) };
}

const at = (h: Harness, time: string) => {
  h.clock.now = new Date(`2026-11-21T${time}Z`);
};

const NOT_PRESENT = { code: 'ReportNotPresent', httpStatus: 410 };
const EXPIRED = { code: 'ReportExpired', httpStatus: 410 };

/** alice: password (used), MFA, an active key used once and an inactive one; bob: nothing; carol: a password never used. */
async function setUp() {
  const h = await createHarness();
  await h.call('UpdateAccountPasswordPolicy', { maxPasswordAge: 90 });
  await h.call('CreateUser', { userName: 'alice' });
  await h.call('CreateUser', { userName: 'bob' });
  await h.call('CreateUser', { userName: 'carol' });
  await h.call('CreateUser', { userName: 'dave,ops', path: '/ops/' });
  at(h, '12:05:00');
  await h.call('CreateLoginProfile', { userName: 'alice', password: 'Str0ng!Passw0rd' });
  await h.call('CreateLoginProfile', { userName: 'carol', password: 'An0ther!Passw0rd' });
  at(h, '12:10:00');
  const key1 = ((await h.call('CreateAccessKey', { userName: 'alice' })) as { accessKey: { accessKeyId: string } }).accessKey.accessKeyId;
  at(h, '12:15:00');
  const key2 = ((await h.call('CreateAccessKey', { userName: 'alice' })) as { accessKey: { accessKeyId: string } }).accessKey.accessKeyId;
  await h.call('UpdateAccessKey', { userName: 'alice', accessKeyId: key2, status: 'Inactive' });
  at(h, '12:20:00');
  const authenticator = new Authenticator(h.env, h.service);
  authenticator.recordUse(key1, h.clock.now, 'iam', 'eu-west-1');
  await authenticator.flushUsage();
  at(h, '12:25:00');
  const device = (await h.call('CreateVirtualMFADevice', { virtualMFADeviceName: 'alice-phone' })) as { virtualMFADevice: { serialNumber: string; base32StringSeed: Buffer } };
  const seed = device.virtualMFADevice.base32StringSeed.toString('ascii');
  await h.call('EnableMFADevice', { userName: 'alice', serialNumber: device.virtualMFADevice.serialNumber, ...totpCodes(seed, h.clock.now) });
  // No console sign-in here: set alice's last sign-in as one would.
  await h.env.store.write(async (tx) => {
    const rec = await tx.get<UserEntity>(KIND.user, `${ACCOUNT}/alice`);
    await tx.put(KIND.user, rec!.id, ACCOUNT, { ...rec!.data, passwordLastUsed: '2026-11-21T12:30:00.000Z' });
  });
  h.service.changed();
  at(h, '13:00:00');
  return h;
}

describe('credential report', () => {
  it('is not present until generated, then lists root and every user with AWS’s values', async () => {
    const h = await setUp();
    await assert.rejects(h.call('GetCredentialReport'), NOT_PRESENT);

    assert.deepEqual(await h.call('GenerateCredentialReport'), { state: 'STARTED', description: 'No report exists. Starting a new report generation task' });
    const revision = await h.env.store.revision();
    // AWS-COMPAT: COMPLETE, with no Description, once a report exists; nothing is written again.
    assert.deepEqual(await h.call('GenerateCredentialReport'), { state: 'COMPLETE' });
    assert.equal(await h.env.store.revision(), revision);

    const { out, text, rows, byUser } = await report(h);
    assert.equal(out.reportFormat, 'text/csv');
    assert.equal(out.generatedTime, '2026-11-21T13:00:00.000Z');
    assert.ok(text.startsWith(`${HEADER}\n`));
    assert.ok(!text.endsWith('\n'), 'no newline after the last row');
    assert.deepEqual(
      rows.map((r) => r[0]),
      ['<root_account>', 'admin', 'alice', 'bob', 'carol', 'dave,ops'],
    );
    for (const row of rows) assert.equal(row.length, COLUMNS.length);

    assert.deepEqual(byUser.get('<root_account>'), {
      user: '<root_account>',
      arn: `arn:aws:iam::${ACCOUNT}:root`,
      user_creation_time: '2026-11-21T12:00:00+00:00',
      password_enabled: 'not_supported',
      password_last_used: 'N/A',
      password_last_changed: 'not_supported',
      password_next_rotation: 'not_supported',
      mfa_active: 'false',
      access_key_1_active: 'false',
      access_key_1_last_rotated: 'N/A',
      access_key_1_last_used_date: 'N/A',
      access_key_1_last_used_region: 'N/A',
      access_key_1_last_used_service: 'N/A',
      access_key_2_active: 'false',
      access_key_2_last_rotated: 'N/A',
      access_key_2_last_used_date: 'N/A',
      access_key_2_last_used_region: 'N/A',
      access_key_2_last_used_service: 'N/A',
      cert_1_active: 'false',
      cert_1_last_rotated: 'N/A',
      cert_2_active: 'false',
      cert_2_last_rotated: 'N/A',
    });
    assert.deepEqual(byUser.get('alice'), {
      user: 'alice',
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      user_creation_time: '2026-11-21T12:00:00+00:00',
      password_enabled: 'true',
      password_last_used: '2026-11-21T12:30:00+00:00',
      password_last_changed: '2026-11-21T12:05:00+00:00',
      // MaxPasswordAge 90 days from the last change.
      password_next_rotation: '2027-02-19T12:05:00+00:00',
      mfa_active: 'true',
      access_key_1_active: 'true',
      access_key_1_last_rotated: '2026-11-21T12:10:00+00:00',
      access_key_1_last_used_date: '2026-11-21T12:20:00+00:00',
      access_key_1_last_used_region: 'eu-west-1',
      access_key_1_last_used_service: 'iam',
      // Inactive and never used: its creation date stays, its use is N/A.
      access_key_2_active: 'false',
      access_key_2_last_rotated: '2026-11-21T12:15:00+00:00',
      access_key_2_last_used_date: 'N/A',
      access_key_2_last_used_region: 'N/A',
      access_key_2_last_used_service: 'N/A',
      cert_1_active: 'false',
      cert_1_last_rotated: 'N/A',
      cert_2_active: 'false',
      cert_2_last_rotated: 'N/A',
    });
    assert.deepEqual(byUser.get('bob'), {
      user: 'bob',
      arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
      user_creation_time: '2026-11-21T12:00:00+00:00',
      password_enabled: 'false',
      password_last_used: 'N/A',
      password_last_changed: 'N/A',
      password_next_rotation: 'N/A',
      mfa_active: 'false',
      access_key_1_active: 'false',
      access_key_1_last_rotated: 'N/A',
      access_key_1_last_used_date: 'N/A',
      access_key_1_last_used_region: 'N/A',
      access_key_1_last_used_service: 'N/A',
      access_key_2_active: 'false',
      access_key_2_last_rotated: 'N/A',
      access_key_2_last_used_date: 'N/A',
      access_key_2_last_used_region: 'N/A',
      access_key_2_last_used_service: 'N/A',
      cert_1_active: 'false',
      cert_1_last_rotated: 'N/A',
      cert_2_active: 'false',
      cert_2_last_rotated: 'N/A',
    });
    const carol = byUser.get('carol')!;
    assert.deepEqual([carol.password_enabled, carol.password_last_used, carol.password_last_changed, carol.password_next_rotation], ['true', 'no_information', '2026-11-21T12:05:00+00:00', '2027-02-19T12:05:00+00:00']);
    const admin = byUser.get('admin')!;
    assert.deepEqual([admin.password_enabled, admin.access_key_1_active, admin.access_key_1_last_rotated, admin.access_key_1_last_used_date, admin.access_key_2_active], ['false', 'true', '2026-11-21T12:00:00+00:00', 'N/A', 'false']);
    // A name or path with a comma is quoted.
    assert.ok(text.includes(`\n"dave,ops","arn:aws:iam::${ACCOUNT}:user/ops/dave,ops",2026-11-21T12:00:00+00:00,false,`));
  });

  it('leaves password_next_rotation N/A without a rotation policy', async () => {
    const h = await setUp();
    await h.call('DeleteAccountPasswordPolicy');
    await h.call('GenerateCredentialReport');
    const { byUser } = await report(h);
    assert.equal(byUser.get('alice')!.password_next_rotation, 'N/A');
    assert.equal(byUser.get('<root_account>')!.password_next_rotation, 'not_supported');
  });

  it('keeps a report four hours, then expires it until a new one is generated', async () => {
    const h = await setUp();
    await h.call('GenerateCredentialReport');
    const first = await report(h);

    at(h, '14:00:00');
    await h.call('CreateUser', { userName: 'erin' });
    // Within four hours: the same report, not regenerated.
    assert.deepEqual(await h.call('GenerateCredentialReport'), { state: 'COMPLETE' });
    const again = await report(h);
    assert.equal(again.text, first.text);
    assert.equal(again.out.generatedTime, '2026-11-21T13:00:00.000Z');
    at(h, '17:00:00');
    assert.equal((await report(h)).text, first.text, 'still valid at exactly four hours');

    at(h, '17:00:01');
    await assert.rejects(h.call('GetCredentialReport'), {
      ...EXPIRED,
      message: 'The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.',
    });
    assert.deepEqual(await h.call('GenerateCredentialReport'), { state: 'STARTED' });
    const fresh = await report(h);
    assert.equal(fresh.out.generatedTime, '2026-11-21T17:00:01.000Z');
    assert.ok(fresh.byUser.has('erin'));
  });

  it('stores one record per account, which the replication feed does not carry', async () => {
    const h = await setUp();
    await h.call('GenerateCredentialReport');
    at(h, '18:00:00');
    await h.call('GenerateCredentialReport');
    const records = await h.env.store.read((tx) => tx.list(KIND.credentialReport));
    assert.deepEqual(
      records.items.map((r) => [r.id, r.account]),
      [[ACCOUNT, ACCOUNT]],
    );
    assert.equal(isReplicatedKind(KIND.credentialReport), false);
    // It is in the change log (so the feed's kind filter is what keeps it home).
    const changes = await h.env.store.changesSince(0, 100_000);
    assert.ok(changes.some((c) => c.kind === KIND.credentialReport));
  });

  it('needs iam:GenerateCredentialReport and iam:GetCredentialReport on *', async () => {
    const h = await setUp();
    await h.call('GenerateCredentialReport');
    const bob = await h.userCaller('bob');
    for (const action of ['GenerateCredentialReport', 'GetCredentialReport']) {
      await assert.rejects(h.call(action, {}, bob), {
        code: 'AccessDenied',
        message: `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: iam:${action} on resource: * because no identity-based policy allows the iam:${action} action`,
      });
    }
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GenerateCredentialReport', 'iam:GetCredentialReport'], Resource: '*' }] });
    await h.call('PutUserPolicy', { userName: 'bob', policyName: 'Reports', policyDocument: document });
    assert.deepEqual(await h.call('GenerateCredentialReport', {}, bob), { state: 'COMPLETE' });
    assert.ok((await report(h, bob)).byUser.has('alice'));
  });

  it('answers ReportNotPresent with AWS’s status before any report', async () => {
    const h = await createHarness();
    await assert.rejects(h.call('GetCredentialReport'), {
      ...NOT_PRESENT,
      message: 'The request was rejected because the credential report does not exist. To generate a credential report, use GenerateCredentialReport.',
    });
  });
});
