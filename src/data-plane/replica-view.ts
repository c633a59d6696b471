/**
 * What the data plane's use cases (STS, authentication, authorization) read: the region's
 * replica as a compiled in-memory index (replica-index.ts implements it). Lookups are
 * synchronous and never leave the process; compiled policies are cached until a change to a
 * record they were built from is applied.
 */
import type { Principal } from '../core/model/principal.js';
import type { CompiledPolicy, PolicySets } from '../core/policy/index.js';
import type { TokenKey } from '../core/tokens/index.js';
import type { ReplicaAccessKey, ReplicaAccount, ReplicaMfaDevice, ReplicaPolicy, ReplicaRole, ReplicaUser } from '../replication/feed-types.js';

export interface ReplicaView {
  readonly region: string;
  /** The ARN partition of this deployment ('aws'). */
  readonly partition: string;
  /** The last control plane revision applied. */
  readonly revision: number;
  /**
   * The control plane's clock when the replica was last current (the time of the latest snapshot
   * or batch applied, empty batches included); undefined before the first one.
   */
  readonly updatedAt: string | undefined;
  account(accountId: string): ReplicaAccount | undefined;
  /** By account and name (any case). */
  user(account: string, userName: string): ReplicaUser | undefined;
  role(account: string, roleName: string): ReplicaRole | undefined;
  /** A managed policy by ARN (customer or AWS managed). */
  policy(arn: string): ReplicaPolicy | undefined;
  accessKey(accessKeyId: string): ReplicaAccessKey | undefined;
  /** The account that owns an access key (its feed record's account), when the replica has the key. */
  accessKeyAccount(accessKeyId: string): string | undefined;
  mfaDevice(serialNumber: string): ReplicaMfaDevice | undefined;
  /** The key to seal new session tokens with at `now` (undefined: the schedule ran out). */
  issuingTokenKey(now: Date): TokenKey | undefined;
  /** A key that may open a token at `now`, by the id written in the token. */
  verifyingTokenKey(id: string, now: Date): TokenKey | undefined;
  /** The kRegion of an access key for a UTC date (YYYYMMDD), when the key window covers it. */
  regionKey(accessKeyId: string, date: string): Buffer | undefined;
  /** The dates the key window covers. */
  readonly keyWindow: { from: string; through: string } | undefined;
  /**
   * The compiled policies that decide a principal's requests: identity policies (its own and
   * its groups', or the role's), permissions boundary, and the session policies its token
   * carries. Undefined when the user or role no longer exists.
   */
  policySets(principal: Principal): PolicySets | undefined;
  /** A role's trust policy, compiled as a resource policy. */
  trustPolicy(role: ReplicaRole): CompiledPolicy;
}
