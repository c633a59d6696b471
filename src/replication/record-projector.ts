/**
 * Turns the control plane's stored entities into replica records for one region. Every field is
 * copied by name from an allowlist, so a field added to an entity later (a new secret, say)
 * stays on the control plane until someone decides to replicate it. Secrets are replaced by what
 * a data plane needs to verify with them: region keys and the SigV4a public key for an access
 * key, the precomputed codes of the MFA window for a TOTP device.
 */
import { HOTP, Secret } from 'otpauth';
import type {
  AccessKeyEntity,
  AccountEntity,
  GroupEntity,
  ManagedPolicyEntity,
  MfaDeviceEntity,
  RoleEntity,
  Tag,
  UserEntity,
} from '../core/model/iam-entities.js';
import { KIND } from '../core/model/iam-entities.js';
import { deriveRegionKey, deriveSigV4aPublicPoint } from '../core/sigv4/index.js';
import { BoundedCache } from './bounded-cache.js';
import type {
  FeedWindows,
  ReplicaAccessKey,
  ReplicaAccount,
  ReplicaData,
  ReplicaGroup,
  ReplicaKind,
  ReplicaMfaDevice,
  ReplicaPolicy,
  ReplicaRole,
  ReplicaUser,
} from './feed-types.js';
import { keyWindowDates } from './feed-windows.js';

/** Store kinds that are replicated (group membership is carried by users' `groups`). */
export const REPLICATED_KINDS: readonly ReplicaKind[] = [KIND.account, KIND.user, KIND.group, KIND.role, KIND.policy, KIND.accessKey, KIND.mfa];
const REPLICATED = new Set<string>(REPLICATED_KINDS);

export function isReplicatedKind(kind: string): kind is ReplicaKind {
  return REPLICATED.has(kind);
}

export interface ProjectorOptions {
  /** Opens an access key's secret (the control plane's sealing key stays with the caller). */
  secretOf(key: AccessKeyEntity): string;
  /** Opens an MFA device's base32 seed. */
  mfaSeedOf(device: MfaDeviceEntity): string;
  /** Bound of the region-key cache, in entries (one per key, region and window). */
  regionKeyCacheEntries?: number;
  /** Bound of the SigV4a public-key cache, in entries (one per key). */
  publicKeyCacheEntries?: number;
  /** Bound of the MFA code cache, in characters of codes (one entry per device and window). */
  mfaCacheChars?: number;
}

export class RecordProjector {
  readonly #secretOf: (key: AccessKeyEntity) => string;
  readonly #mfaSeedOf: (device: MfaDeviceEntity) => string;
  readonly #regionKeys: BoundedCache<string, Record<string, string>>;
  readonly #publicKeys: BoundedCache<string, string>;
  readonly #mfaCodes: BoundedCache<string, string>;

  constructor(options: ProjectorOptions) {
    this.#secretOf = options.secretOf;
    this.#mfaSeedOf = options.mfaSeedOf;
    this.#regionKeys = new BoundedCache(options.regionKeyCacheEntries ?? 250_000);
    this.#publicKeys = new BoundedCache(options.publicKeyCacheEntries ?? 250_000);
    this.#mfaCodes = new BoundedCache(options.mfaCacheChars ?? 64 * 1024 * 1024);
  }

  /** The replica data of a stored entity of a replicated kind. */
  project(kind: ReplicaKind, data: unknown, region: string, windows: FeedWindows): ReplicaData {
    switch (kind) {
      case 'account':
        return account(data as AccountEntity);
      case 'user':
        return user(data as UserEntity);
      case 'group':
        return group(data as GroupEntity);
      case 'role':
        return role(data as RoleEntity);
      case 'policy':
        return policy(data as ManagedPolicyEntity);
      case 'access-key':
        return this.#accessKey(data as AccessKeyEntity, region, windows);
      case 'mfa-device':
        return this.#mfaDevice(data as MfaDeviceEntity, windows);
    }
  }

  #accessKey(key: AccessKeyEntity, region: string, windows: FeedWindows): ReplicaAccessKey {
    const { from, through } = windows.keyWindow;
    // Access key ids are random and never reused, so the id names the secret; the secret is
    // opened only on a miss, and dropped as soon as the derived values exist.
    let secret: string | undefined;
    const secretOnce = () => (secret ??= this.#secretOf(key));
    const regionKeys = this.#regionKeys.getOrCompute(`${key.accessKeyId}\n${region}\n${from}\n${through}`, () => {
      const out: Record<string, string> = {};
      for (const date of keyWindowDates(windows.keyWindow)) out[date] = deriveRegionKey(secretOnce(), date, region).toString('base64');
      // Frozen: records from the in-process feed reach the data plane's index as they are, and
      // a cached object must not change under another reader.
      return Object.freeze(out);
    });
    const sigv4aPublicKey = this.#publicKeys.getOrCompute(key.accessKeyId, () => deriveSigV4aPublicPoint(key.accessKeyId, secretOnce()).toString('base64'));
    return { accessKeyId: key.accessKeyId, userName: key.userName, status: key.status, regionKeys, sigv4aPublicKey };
  }

  #mfaDevice(device: MfaDeviceEntity, windows: FeedWindows): ReplicaMfaDevice {
    // A device not enabled for anyone cannot be used to sign in: it travels without codes.
    if (device.userName === undefined) return { serialNumber: device.serialNumber };
    const { fromStep, throughStep } = windows.mfaWindow;
    const drift = device.drift ?? 0;
    // The sealed seed is part of the key: a device deleted and created again under the same
    // serial number has a new seed.
    const cacheKey = `${device.serialNumber}\n${device.sealedSeed}\n${fromStep}\n${throughStep}\n${drift}`;
    const codes = this.#mfaCodes.getOrCompute(
      cacheKey,
      () => {
        const secret = Secret.fromBase32(this.#mfaSeedOf(device));
        const parts: string[] = [];
        // ResyncMFADevice measured the device's clock `drift` steps off: at real step s it shows
        // the code of step s + drift.
        for (let step = fromStep; step <= throughStep; step++) parts.push(HOTP.generate({ secret, algorithm: 'SHA1', digits: 6, counter: step + drift }));
        return parts.join('');
      },
      (value) => value.length,
    );
    return { serialNumber: device.serialNumber, userName: device.userName, firstStep: fromStep, codes };
  }
}

// Entities come from our own control plane, but one malformed record must not stop a region's
// replication: missing lists and maps replicate as empty ones.
function tags(list: Tag[] | undefined): Tag[] {
  return (list ?? []).map((t) => ({ key: t.key, value: t.value }));
}

function account(a: AccountEntity): ReplicaAccount {
  return { accountId: a.accountId, ...(a.alias !== undefined && { alias: a.alias }), allowUsersToChangePassword: a.passwordPolicy?.allowUsersToChangePassword ?? false };
}

function user(u: UserEntity): ReplicaUser {
  return {
    userName: u.userName,
    userId: u.userId,
    arn: u.arn,
    path: u.path,
    tags: tags(u.tags),
    attachedPolicies: [...(u.attachedPolicies ?? [])],
    inlinePolicies: { ...u.inlinePolicies },
    ...(u.permissionsBoundary !== undefined && { permissionsBoundary: u.permissionsBoundary }),
    groups: [...(u.groups ?? [])],
    mfaDevices: [...(u.mfaDevices ?? [])],
  };
}

function group(g: GroupEntity): ReplicaGroup {
  return { groupName: g.groupName, groupId: g.groupId, arn: g.arn, path: g.path, attachedPolicies: [...(g.attachedPolicies ?? [])], inlinePolicies: { ...g.inlinePolicies } };
}

function role(r: RoleEntity): ReplicaRole {
  return {
    roleName: r.roleName,
    roleId: r.roleId,
    arn: r.arn,
    path: r.path,
    tags: tags(r.tags),
    attachedPolicies: [...(r.attachedPolicies ?? [])],
    inlinePolicies: { ...r.inlinePolicies },
    ...(r.permissionsBoundary !== undefined && { permissionsBoundary: r.permissionsBoundary }),
    assumeRolePolicyDocument: r.assumeRolePolicyDocument,
    maxSessionDuration: r.maxSessionDuration,
  };
}

function policy(p: ManagedPolicyEntity): ReplicaPolicy {
  const version = (p.versions ?? []).find((v) => v.versionId === p.defaultVersionId) ?? (p.versions ?? []).find((v) => v.isDefaultVersion);
  return { arn: p.arn, policyId: p.policyId, policyName: p.policyName, defaultVersionId: p.defaultVersionId, document: version?.document ?? '' };
}
