/**
 * Virtual MFA devices (TOTP: RFC 6238, SHA-1, 6 digits, 30 s): CreateVirtualMFADevice,
 * EnableMFADevice, DeactivateMFADevice, ResyncMFADevice, ListMFADevices, ListVirtualMFADevices,
 * DeleteVirtualMFADevice. The seed is sealed at rest and returned only by CreateVirtualMFADevice.
 */
import { HOTP, Secret } from 'otpauth';
import { constantTimeEqual, open, seal } from '../../core/crypto/index.js';
import { awsError } from '../../core/errors/index.js';
import { KIND, type MfaDeviceEntity, type UserEntity } from '../../core/model/iam-entities.js';
import type { ReadTx, WriteTx } from '../../store/ports.js';
import { defineOperation, type OperationContext } from '../context.js';
import { entityArn, findMfaDevice, findUser, mfaDeviceId, loadUser, mergeTags, quotaExceeded, removeTags, requestTagContext, saveUser, tagPage, type TagInput } from '../entities.js';
import { iamArn } from '../iam-arns.js';
import { qrCodePng } from '../qr-code-png.js';
import { paginate } from '../paging.js';
import { USERS_PER_ACCOUNT, userNameOrCaller, userResource, userOutput } from './users.js';

/** AWS quota: MFA devices in use by one user (eight since AWS allowed several per user). */
export const MFA_DEVICES_PER_USER = 8;
/** AWS quota: virtual MFA devices per account, "equal to the user quota for the account". */
export const VIRTUAL_MFA_DEVICES_PER_ACCOUNT = USERS_PER_ACCOUNT;

const PERIOD_MS = 30_000;
/** AWS's virtual MFA seeds are 40 bytes (64 base32 characters). */
const SEED_BYTES = 40;
/** Time steps around now accepted for the second code: enabling is immediate, resync searches wider. */
const ENABLE_WINDOW = { behind: 2, ahead: 1 };
const RESYNC_WINDOW = { behind: 10, ahead: 10 };

const INVALID_CODE = 'Authentication code for device is not valid.';

// ---- TOTP ----------------------------------------------------------------------------------

export function totpCounter(now: Date): number {
  return Math.floor(now.getTime() / PERIOD_MS);
}

export function totpCode(seed: string, counter: number): string {
  return HOTP.generate({ secret: Secret.fromBase32(seed), algorithm: 'SHA1', digits: 6, counter });
}

/**
 * The time step of `code2` when `code1` and `code2` are the codes of two consecutive steps with
 * code2's step in [from, to]; undefined when no such pair matches.
 */
export function matchConsecutiveCodes(seed: string, code1: string, code2: string, from: number, to: number): number | undefined {
  for (let step = from; step <= to; step++) {
    const first = constantTimeEqual(totpCode(seed, step - 1), code1);
    const second = constantTimeEqual(totpCode(seed, step), code2);
    if (first && second) return step;
  }
  return undefined;
}

/** Checks two consecutive codes within `window` of now, never at or before the last accepted step. */
function verifyCodes(ctx: OperationContext, device: MfaDeviceEntity, codes: { authenticationCode1: string; authenticationCode2: string }, window: { behind: number; ahead: number }): number {
  const now = totpCounter(ctx.now);
  // Both codes must be newer than the last accepted one, so a code is never accepted twice.
  const from = Math.max(now - window.behind, (device.lastCounter ?? -Infinity) + 2);
  const seed = open(ctx.env.secretsKey, device.sealedSeed, device.serialNumber);
  const step = matchConsecutiveCodes(seed, codes.authenticationCode1, codes.authenticationCode2, from, now + window.ahead);
  if (step === undefined) throw awsError('InvalidAuthenticationCode', INVALID_CODE);
  return step;
}

// ---- storage -------------------------------------------------------------------------------

/** A virtual device of this account by serial number (its ARN); anything else is unknown. */
function findDevice(tx: ReadTx, ctx: OperationContext, serialNumber: string): Promise<{ id: string; device: MfaDeviceEntity } | undefined> {
  return findMfaDevice(tx, ctx.env.partition, ctx.account, serialNumber);
}

function noDevice(serialNumber: string) {
  return awsError('NoSuchEntity', `VirtualMFADevice with serial number ${serialNumber} doesn't exist.`);
}

async function loadDevice(ctx: OperationContext, serialNumber: string) {
  const found = await findDevice(ctx.tx, ctx, serialNumber);
  if (!found) throw noDevice(serialNumber);
  return found;
}

/** A device enabled for `user`; one that is not is as unknown to the request as a missing one. */
async function loadUserDevice(ctx: OperationContext, user: UserEntity, serialNumber: string) {
  const found = await findDevice(ctx.tx, ctx, serialNumber);
  if (!found || found.device.userName?.toLowerCase() !== user.userName.toLowerCase()) throw noDevice(serialNumber);
  return found;
}

async function saveDevice(tx: WriteTx, account: string, id: string, device: MfaDeviceEntity): Promise<void> {
  await tx.put(KIND.mfa, id, account, device);
}

interface CodesInput {
  userName: string;
  serialNumber: string;
  authenticationCode1: string;
  authenticationCode2: string;
}

// ---- operations ----------------------------------------------------------------------------

export const createVirtualMFADevice = defineOperation({
  name: 'CreateVirtualMFADevice',
  write: true,
  resource: (input: { virtualMFADeviceName: string; path?: string }, ctx) => iamArn(ctx.env.partition, ctx.account, 'mfa', input.path ?? '/', input.virtualMFADeviceName),
  context: (input: { tags?: TagInput }) => requestTagContext(input.tags),
  async run(input: { virtualMFADeviceName: string; path?: string; tags?: TagInput }, ctx) {
    const path = input.path ?? '/';
    const id = mfaDeviceId(ctx.account, path, input.virtualMFADeviceName);
    if (await ctx.tx.get(KIND.mfa, id)) throw awsError('EntityAlreadyExists', 'MFADevice entity at the same path and name already exists.');
    if ((await ctx.tx.count(KIND.mfa, { account: ctx.account })) >= VIRTUAL_MFA_DEVICES_PER_ACCOUNT) {
      throw quotaExceeded('VirtualMFADevicesPerAccount', VIRTUAL_MFA_DEVICES_PER_ACCOUNT);
    }
    const serialNumber = iamArn(ctx.env.partition, ctx.account, 'mfa', path, input.virtualMFADeviceName);
    const seed = new Secret({ buffer: Uint8Array.from(ctx.env.random(SEED_BYTES)).buffer }).base32;
    const device: MfaDeviceEntity = {
      serialNumber,
      virtualMFADeviceName: input.virtualMFADeviceName,
      path,
      sealedSeed: seal(ctx.env.secretsKey, seed, serialNumber),
      createDate: ctx.now.toISOString(),
      tags: mergeTags([], input.tags),
    };
    await saveDevice(ctx.tx, ctx.account, id, device);
    // AWS's documented URI: the account name is the caller's user name, else the account id.
    const uri = `otpauth://totp/${input.virtualMFADeviceName}@${ctx.caller.userName ?? ctx.account}?secret=${seed}`;
    return {
      virtualMFADevice: { serialNumber, base32StringSeed: Buffer.from(seed, 'ascii'), qRCodePNG: qrCodePng(uri), tags: device.tags.length ? device.tags : undefined },
    };
  },
});

export const enableMFADevice = defineOperation({
  name: 'EnableMFADevice',
  write: true,
  resource: (input: { userName: string }, ctx) => entityArn(ctx, 'user', input.userName),
  async run(input: CodesInput, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, input.userName);
    const { id, device } = await loadDevice(ctx, input.serialNumber);
    if (device.userName) throw awsError('EntityAlreadyExists', 'MFA Device is already in use.');
    if (user.mfaDevices.length >= MFA_DEVICES_PER_USER) throw quotaExceeded('MFADevicesPerUser', MFA_DEVICES_PER_USER);
    const step = verifyCodes(ctx, device, input, ENABLE_WINDOW);
    await saveDevice(ctx.tx, ctx.account, id, { ...device, userName: user.userName, enableDate: ctx.now.toISOString(), lastCounter: step, drift: undefined });
    await saveUser(ctx.tx, ctx.account, { ...user, mfaDevices: [...user.mfaDevices, device.serialNumber] });
    return undefined;
  },
});

export const resyncMFADevice = defineOperation({
  name: 'ResyncMFADevice',
  write: true,
  resource: (input: { userName: string }, ctx) => entityArn(ctx, 'user', input.userName),
  async run(input: CodesInput, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, input.userName);
    const { id, device } = await loadUserDevice(ctx, user, input.serialNumber);
    const step = verifyCodes(ctx, device, input, RESYNC_WINDOW);
    // The device's clock offset, for whoever verifies its codes next (sign-in, STS).
    await saveDevice(ctx.tx, ctx.account, id, { ...device, lastCounter: step, drift: step - totpCounter(ctx.now) });
    return undefined;
  },
});

export const deactivateMFADevice = defineOperation({
  name: 'DeactivateMFADevice',
  write: true,
  resource: userResource,
  async run(input: { userName?: string; serialNumber: string }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, userNameOrCaller(ctx, input.userName));
    const { id, device } = await loadUserDevice(ctx, user, input.serialNumber);
    // The device stays (unassigned) until DeleteVirtualMFADevice; lastCounter stays too, so codes
    // already used cannot enable it again.
    await saveDevice(ctx.tx, ctx.account, id, { ...device, userName: undefined, enableDate: undefined, drift: undefined });
    await saveUser(ctx.tx, ctx.account, { ...user, mfaDevices: user.mfaDevices.filter((s) => s !== device.serialNumber) });
    return undefined;
  },
});

export const deleteVirtualMFADevice = defineOperation({
  name: 'DeleteVirtualMFADevice',
  write: true,
  resource: (input: { serialNumber: string }) => input.serialNumber,
  async run(input: { serialNumber: string }, ctx) {
    const { id, device } = await loadDevice(ctx, input.serialNumber);
    if (device.userName) throw awsError('DeleteConflict', 'MFA device is still in use.');
    await ctx.tx.delete(KIND.mfa, id);
    return undefined;
  },
});

export const listMFADevices = defineOperation({
  name: 'ListMFADevices',
  write: false,
  resource: userResource,
  async run(input: { userName?: string; marker?: string; maxItems?: number }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, userNameOrCaller(ctx, input.userName));
    const devices: MfaDeviceEntity[] = [];
    for (const serial of user.mfaDevices) {
      const found = await findDevice(ctx.tx, ctx, serial);
      if (found?.device.enableDate) devices.push(found.device);
    }
    const key = (d: MfaDeviceEntity) => `${d.enableDate}|${d.serialNumber}`;
    devices.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const page = paginate(devices, key, input.marker, input.maxItems);
    return {
      mFADevices: page.items.map((d) => ({ userName: user.userName, serialNumber: d.serialNumber, enableDate: d.enableDate })),
      isTruncated: page.isTruncated,
      marker: page.marker,
    };
  },
});

export const listVirtualMFADevices = defineOperation({
  name: 'ListVirtualMFADevices',
  write: false,
  resource: () => '*',
  async run(input: { assignmentStatus?: 'Assigned' | 'Unassigned' | 'Any'; marker?: string; maxItems?: number }, ctx) {
    const status = input.assignmentStatus ?? 'Any';
    const records = (await ctx.tx.list<MfaDeviceEntity>(KIND.mfa, { account: ctx.account, prefix: `${ctx.account}/` })).items;
    const devices = records.filter((r) => status === 'Any' || (status === 'Assigned') === Boolean(r.data.userName)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const page = paginate(devices, (r) => r.id, input.marker, input.maxItems);
    const out = [];
    for (const { data: d } of page.items) {
      const user = d.userName ? await findUser(ctx.tx, ctx.account, d.userName) : undefined;
      // AWS-COMPAT: listing returns neither the seed nor the tags.
      out.push({ serialNumber: d.serialNumber, user: user ? userOutput(user, false) : undefined, enableDate: d.enableDate });
    }
    return { virtualMFADevices: out, isTruncated: page.isTruncated, marker: page.marker };
  },
});

export const getMFADevice = defineOperation({
  name: 'GetMFADevice',
  write: false,
  resource: userResource,
  async run(input: { serialNumber: string; userName?: string }, ctx) {
    const user = await loadUser(ctx.tx, ctx.account, userNameOrCaller(ctx, input.userName));
    const { device } = await loadUserDevice(ctx, user, input.serialNumber);
    // Certifications are for FIDO security keys; a virtual device has none.
    return { userName: user.userName, serialNumber: device.serialNumber, enableDate: device.enableDate };
  },
});

export const tagMFADevice = defineOperation({
  name: 'TagMFADevice',
  write: true,
  resource: (input: { serialNumber: string }) => input.serialNumber,
  context: (input: { tags?: TagInput }) => requestTagContext(input.tags),
  async run(input: { serialNumber: string; tags: TagInput }, ctx) {
    const { id, device } = await loadDevice(ctx, input.serialNumber);
    await saveDevice(ctx.tx, ctx.account, id, { ...device, tags: mergeTags(device.tags, input.tags) });
    return undefined;
  },
});

export const untagMFADevice = defineOperation({
  name: 'UntagMFADevice',
  write: true,
  resource: (input: { serialNumber: string }) => input.serialNumber,
  context: (input: { tagKeys?: string[] }) => requestTagContext(undefined, input.tagKeys),
  async run(input: { serialNumber: string; tagKeys: string[] }, ctx) {
    const { id, device } = await loadDevice(ctx, input.serialNumber);
    await saveDevice(ctx.tx, ctx.account, id, { ...device, tags: removeTags(device.tags, input.tagKeys) });
    return undefined;
  },
});

export const listMFADeviceTags = defineOperation({
  name: 'ListMFADeviceTags',
  write: false,
  resource: (input: { serialNumber: string }) => input.serialNumber,
  async run(input: { serialNumber: string; marker?: string; maxItems?: number }, ctx) {
    const { device } = await loadDevice(ctx, input.serialNumber);
    return tagPage(device.tags, input);
  },
});

export const MFA_DEVICE_OPERATIONS = [
  createVirtualMFADevice,
  enableMFADevice,
  resyncMFADevice,
  deactivateMFADevice,
  deleteVirtualMFADevice,
  listMFADevices,
  listVirtualMFADevices,
  getMFADevice,
  tagMFADevice,
  untagMFADevice,
  listMFADeviceTags,
];
