/**
 * The wire format of the per-region replication feed: what the control plane sends a region's
 * data planes. It carries DERIVED material only: never a secret access key, TOTP seed, password
 * hash or master-key-derived root, nor anything from which one can be computed.
 *
 * A data plane starts from a snapshot (the region's whole replica at a revision), then tails the
 * changes after the revision it has applied, applying each revision whole and in order.
 * Record ids are the control plane store's ids (`<account>/<lowercased name>` for users, groups,
 * roles and MFA devices, `<account>` for accounts, the access key id, `<account or "aws">/<lowercased name>`
 * for managed policies: look those up by `data.arn`); `account`
 * is the owning account. `group-member` records are not replicated (users list their groups).
 */
import type { Tag } from '../core/model/iam-entities.js';

export const FEED_VERSION = 1;

export type ReplicaKind = 'account' | 'user' | 'group' | 'role' | 'policy' | 'access-key' | 'mfa-device';

export interface ReplicaAccount {
  accountId: string;
  alias?: string;
  /** The password policy's AllowUsersToChangePassword (grants iam:ChangePassword on oneself). */
  allowUsersToChangePassword: boolean;
}

interface ReplicaPrincipalBase {
  arn: string;
  path: string;
  /** ARNs of attached managed policies. */
  attachedPolicies: string[];
  /** Inline policies: name → document. */
  inlinePolicies: Record<string, string>;
}

export interface ReplicaUser extends ReplicaPrincipalBase {
  userName: string;
  userId: string;
  tags: Tag[];
  permissionsBoundary?: string;
  /** Lowercased group names. */
  groups: string[];
  /** Serial numbers of the MFA devices enabled for the user. */
  mfaDevices: string[];
}

export interface ReplicaGroup extends ReplicaPrincipalBase {
  groupName: string;
  groupId: string;
}

export interface ReplicaRole extends ReplicaPrincipalBase {
  roleName: string;
  roleId: string;
  tags: Tag[];
  permissionsBoundary?: string;
  assumeRolePolicyDocument: string;
  maxSessionDuration: number;
}

/** A managed policy (customer or AWS managed, id = its ARN): only its default version. */
export interface ReplicaPolicy {
  arn: string;
  policyId: string;
  policyName: string;
  defaultVersionId: string;
  document: string;
}

export interface ReplicaAccessKey {
  accessKeyId: string;
  userName: string;
  status: 'Active' | 'Inactive';
  /**
   * kRegion = HMAC(HMAC("AWS4" + secret, date), region) for this feed's region, base64, for each
   * UTC date (YYYYMMDD) of the key window.
   */
  regionKeys: Record<string, string>;
  /** The SigV4a ECDSA P-256 public key (uncompressed point, base64). Needs no window. */
  sigv4aPublicKey: string;
}

export interface ReplicaMfaDevice {
  serialNumber: string;
  /** The user the device is enabled for; absent while not enabled. */
  userName?: string;
  /**
   * The valid TOTP codes of each 30-second step of the MFA window, precomputed by the control
   * plane (the seed never leaves it): `codes` is the 6-digit codes concatenated, the first for
   * time step `firstStep` (unix seconds / 30).
   */
  firstStep?: number;
  codes?: string;
}

export type ReplicaData = ReplicaAccount | ReplicaUser | ReplicaGroup | ReplicaRole | ReplicaPolicy | ReplicaAccessKey | ReplicaMfaDevice;

export interface ReplicaRecord<T = ReplicaData> {
  kind: ReplicaKind;
  id: string;
  account: string;
  data: T;
}

/**
 * One key of the session-token key schedule (core/tokens). Every region gets the same keys, so
 * any region opens any region's tokens.
 */
export interface TokenKeyMaterial {
  /** The key id written into tokens. */
  id: string;
  /** 32 bytes, base64. */
  key: string;
  /** Issue tokens with this key from this time… */
  issueFrom: string;
  /** …until this time (ISO). */
  issueUntil: string;
  /** Tokens sealed with it are accepted until this time (issueUntil + the longest session). */
  verifyUntil: string;
}

/**
 * Time-bound material the control plane renews ahead of time (on every snapshot and change
 * batch). The key and MFA windows roll once a day (00:00 UTC); a reader whose key or MFA window
 * differs from a batch's fetches a fresh snapshot, which carries the new dates' material.
 */
export interface FeedWindows {
  /** The UTC dates (YYYYMMDD, inclusive) that access keys' `regionKeys` cover. */
  keyWindow: { from: string; through: string };
  /** The MFA code window (unix time steps of 30 s, inclusive). */
  mfaWindow: { fromStep: number; throughStep: number };
  tokenKeys: TokenKeyMaterial[];
}

export interface FeedSnapshot extends FeedWindows {
  version: typeof FEED_VERSION;
  region: string;
  /** The control plane revision the records reflect. */
  revision: number;
  /** The control plane's clock when the snapshot was made (ISO). */
  time: string;
  records: ReplicaRecord[];
}

export interface FeedChange {
  revision: number;
  op: 'put' | 'delete';
  kind: ReplicaKind;
  id: string;
  account: string;
  /** The record after a put. */
  data?: ReplicaData;
}

export interface FeedChanges {
  version: typeof FEED_VERSION;
  region: string;
  /** The revision the batch follows (the reader's `after`). */
  after: number;
  /** The last revision the batch brings the reader to (= `after` when it holds no changes). */
  revision: number;
  /** The control plane's latest committed revision (lag = latest − applied). */
  latest: number;
  /** The control plane's clock when the batch was made (ISO). */
  time: string;
  /** Whole revisions, in order. */
  changes: FeedChange[];
  /** The current windows: a batch always renews them, so a tailing reader never runs out while connected. */
  windows: FeedWindows;
}
