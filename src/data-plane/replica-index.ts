/**
 * The region's replica as a compiled in-memory index: the follower delivers snapshots and change
 * batches (ReplicaSink), STS and authentication/authorization read it (ReplicaView).
 *
 * Applying a snapshot only fills maps; policies are compiled on first use, so a cold start with
 * 100,000 principals costs no more than reading them. Compiled results are cached:
 * - managed policies per ARN, layer, policy id and default version (they survive a snapshot that
 *   brings the same version back);
 * - a principal's PolicySets per principal (the user's or role's ARN; a session with session
 *   policies per temporary key id), with the records they were built from. Every batch with changes
 *   bumps a generation; an entry is re-checked against the current records once per generation
 *   (same object, or an equal one after a snapshot) and rebuilt only when one of them changed.
 */
import type { Principal, SessionClaims } from '../core/model/principal.js';
import { CompiledPolicy, compilePolicy, type PolicyLayer, type PolicySets } from '../core/policy/index.js';
import type { TokenKey } from '../core/tokens/index.js';
import type {
  FeedChanges,
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
} from '../replication/feed-types.js';
import type { ReplicaSink, ReplicaState } from '../replication/replica-sink.js';
import type { ReplicaView } from './replica-view.js';

export interface ReplicaIndexOptions {
  region: string;
  /** The ARN partition of this deployment (default 'aws'). */
  partition?: string;
}

export type ReplicaCounts = {
  accounts: number;
  users: number;
  groups: number;
  roles: number;
  policies: number;
  accessKeys: number;
  mfaDevices: number;
  /** Principals and sessions whose compiled policies are cached. */
  cachedPolicySets: number;
  tokenKeys: number;
};

/** A record a cached value was built from: which table, which id, and the record as it was (undefined: absent). */
interface Dependency {
  table: Map<string, unknown>;
  id: string;
  value: unknown;
}

interface CachedSets {
  sets: PolicySets;
  /** The user id or role id the sets belong to: a session of a deleted and re-created principal gets none. */
  ownerId: string;
  deps: Dependency[];
  /** The generation at which the dependencies were last found current. */
  checked: number;
}

/** Bounds on the per-principal caches (oldest entries go first). */
const MAX_PRINCIPAL_SETS = 200_000;
const MAX_SESSION_SETS = 50_000;

const EMPTY_DOCUMENT = { Version: '2012-10-17', Statement: [] };
const ROOT_SETS: PolicySets = {
  identity: [compilePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, { id: 'root', layer: 'identity' })],
};
/** The id AWS-less explanations give an inline session policy (managed ones keep their ARN). */
export const SESSION_POLICY_ID = 'session-policy';
/** The id of the account-level grant of AllowUsersToChangePassword. */
export const ACCOUNT_PASSWORD_GRANT_ID = 'account-password-policy';

function entityKey(account: string, name: string): string {
  return `${account}/${name.toLowerCase()}`;
}

/** Structural equality of JSON data (records from the feed). */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

function decodeTokenKeys(windows: FeedWindows | undefined): Map<string, TokenKey> {
  const out = new Map<string, TokenKey>();
  for (const k of windows?.tokenKeys ?? []) {
    out.set(k.id, { id: k.id, key: Buffer.from(k.key, 'base64'), issueFrom: new Date(k.issueFrom), issueUntil: new Date(k.issueUntil), verifyUntil: new Date(k.verifyUntil) });
  }
  return out;
}

function hasSessionPolicies(claims: SessionClaims): boolean {
  return (claims.policy !== undefined || (claims.policyArns !== undefined && claims.policyArns.length > 0));
}

export class ReplicaIndex implements ReplicaView, ReplicaSink {
  readonly region: string;
  readonly partition: string;
  private _revision = 0;
  private _updatedAt: string | undefined;
  private _windows: FeedWindows | undefined;
  private tokenKeys = new Map<string, TokenKey>();

  private readonly accounts = new Map<string, ReplicaAccount>();
  private readonly users = new Map<string, ReplicaUser>();
  private readonly groups = new Map<string, ReplicaGroup>();
  private readonly roles = new Map<string, ReplicaRole>();
  /** By ARN (the feed's record id is the store's, `<account>/<lowercased name>`). */
  private readonly policies = new Map<string, ReplicaPolicy>();
  private readonly policyArnById = new Map<string, string>();
  private readonly accessKeys = new Map<string, ReplicaAccessKey>();
  private readonly accessKeyAccounts = new Map<string, string>();
  private readonly mfaById = new Map<string, ReplicaMfaDevice>();
  private readonly mfaBySerial = new Map<string, ReplicaMfaDevice>();

  /** Bumped by every reset and every batch with changes: cached sets re-check their records once per generation. */
  private generation = 0;
  /** Users' and roles' sets by the principal's IAM ARN. */
  private readonly principalSets = new Map<string, CachedSets>();
  /** Sessions with session policies, by temporary access key id. */
  private readonly sessionSets = new Map<string, CachedSets>();
  /** Compiled managed policies by `layer|arn`, with the policy id and version they were compiled from. */
  private readonly managed = new Map<string, { policyId: string; versionId: string; compiled: CompiledPolicy }>();
  /** Compiled inline policies of each user, group and role record. */
  private readonly inline = new WeakMap<object, CompiledPolicy[]>();
  private readonly trust = new Map<string, { document: string; compiled: CompiledPolicy }>();
  /** Decoded kRegion buffers of each access key record, by date. */
  private readonly regionKeys = new WeakMap<ReplicaAccessKey, Map<string, Buffer>>();

  constructor(options: ReplicaIndexOptions) {
    this.region = options.region;
    this.partition = options.partition ?? 'aws';
  }

  // ---------------------------------------------------------------------------------------------
  // ReplicaSink

  reset(state: ReplicaState): void {
    if (state.region !== this.region) throw new Error(`replica for ${state.region} delivered to the ${this.region} index`);
    for (const table of [this.accounts, this.users, this.groups, this.roles, this.policies, this.policyArnById, this.accessKeys, this.accessKeyAccounts, this.mfaById, this.mfaBySerial]) table.clear();
    for (const r of state.records) this.put(r.kind, r.id, r.account, r.data);
    // Compiled managed policies of policies that are gone.
    for (const key of this.managed.keys()) if (!this.policies.has(key.slice(key.indexOf('|') + 1))) this.managed.delete(key);
    for (const id of this.trust.keys()) if (!this.roles.has(id)) this.trust.delete(id);
    this._revision = state.revision;
    this._updatedAt = state.time;
    this.setWindows(state.windows);
    this.generation++;
  }

  apply(batch: FeedChanges): void {
    if (batch.region !== this.region) throw new Error(`changes for ${batch.region} delivered to the ${this.region} index`);
    if (batch.after !== this._revision) throw new Error(`batch after revision ${batch.after} applied to a replica at ${this._revision}`);
    for (const c of batch.changes) {
      if (c.op === 'put' && c.data !== undefined) this.put(c.kind, c.id, c.account, c.data);
      else this.remove(c.kind, c.id);
    }
    if (batch.changes.length > 0) this.generation++;
    this._revision = batch.revision;
    this._updatedAt = batch.time;
    this.setWindows(batch.windows);
  }

  private setWindows(windows: FeedWindows): void {
    this._windows = windows;
    this.tokenKeys = decodeTokenKeys(windows);
  }

  private put(kind: ReplicaKind, id: string, account: string, data: ReplicaData): void {
    switch (kind) {
      case 'account':
        this.accounts.set(id, data as ReplicaAccount);
        break;
      case 'user':
        this.users.set(id, data as ReplicaUser);
        break;
      case 'group':
        this.groups.set(id, data as ReplicaGroup);
        break;
      case 'role':
        this.roles.set(id, data as ReplicaRole);
        break;
      case 'policy': {
        const policy = data as ReplicaPolicy;
        const old = this.policyArnById.get(id);
        if (old !== undefined && old !== policy.arn) this.removePolicy(id);
        this.policies.set(policy.arn, policy);
        this.policyArnById.set(id, policy.arn);
        break;
      }
      case 'access-key':
        this.accessKeys.set(id, data as ReplicaAccessKey);
        this.accessKeyAccounts.set(id, account);
        break;
      case 'mfa-device': {
        this.removeMfa(id);
        const device = data as ReplicaMfaDevice;
        this.mfaById.set(id, device);
        this.mfaBySerial.set(device.serialNumber, device);
        break;
      }
    }
  }

  private remove(kind: ReplicaKind, id: string): void {
    switch (kind) {
      case 'account':
        this.accounts.delete(id);
        break;
      case 'user':
        this.users.delete(id);
        break;
      case 'group':
        this.groups.delete(id);
        break;
      case 'role':
        this.roles.delete(id);
        this.trust.delete(id);
        break;
      case 'policy':
        this.removePolicy(id);
        break;
      case 'access-key':
        this.accessKeys.delete(id);
        this.accessKeyAccounts.delete(id);
        break;
      case 'mfa-device':
        this.removeMfa(id);
        break;
    }
  }

  private removePolicy(id: string): void {
    const arn = this.policyArnById.get(id);
    if (arn === undefined) return;
    this.policyArnById.delete(id);
    this.policies.delete(arn);
    for (const layer of ['identity', 'boundary', 'session'] as const) this.managed.delete(`${layer}|${arn}`);
  }

  private removeMfa(id: string): void {
    const old = this.mfaById.get(id);
    if (!old) return;
    this.mfaById.delete(id);
    if (this.mfaBySerial.get(old.serialNumber) === old) this.mfaBySerial.delete(old.serialNumber);
  }

  // ---------------------------------------------------------------------------------------------
  // ReplicaView: records

  get revision(): number {
    return this._revision;
  }

  get updatedAt(): string | undefined {
    return this._updatedAt;
  }

  /** The windows of the latest snapshot or batch (undefined before the first). */
  get windows(): FeedWindows | undefined {
    return this._windows;
  }

  get keyWindow(): { from: string; through: string } | undefined {
    return this._windows?.keyWindow;
  }

  account(accountId: string): ReplicaAccount | undefined {
    return this.accounts.get(accountId);
  }

  user(account: string, userName: string): ReplicaUser | undefined {
    return this.users.get(entityKey(account, userName));
  }

  role(account: string, roleName: string): ReplicaRole | undefined {
    return this.roles.get(entityKey(account, roleName));
  }

  policy(arn: string): ReplicaPolicy | undefined {
    return this.policies.get(arn);
  }

  accessKey(accessKeyId: string): ReplicaAccessKey | undefined {
    return this.accessKeys.get(accessKeyId);
  }

  accessKeyAccount(accessKeyId: string): string | undefined {
    return this.accessKeyAccounts.get(accessKeyId);
  }

  mfaDevice(serialNumber: string): ReplicaMfaDevice | undefined {
    return this.mfaBySerial.get(serialNumber);
  }

  /** Sizes, for /health and /metrics. */
  counts(): ReplicaCounts {
    return {
      accounts: this.accounts.size,
      users: this.users.size,
      groups: this.groups.size,
      roles: this.roles.size,
      policies: this.policies.size,
      accessKeys: this.accessKeys.size,
      mfaDevices: this.mfaById.size,
      cachedPolicySets: this.principalSets.size + this.sessionSets.size,
      tokenKeys: this.tokenKeys.size,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // ReplicaView: key material

  issuingTokenKey(now: Date): TokenKey | undefined {
    const t = now.getTime();
    for (const k of this.tokenKeys.values()) if (k.issueFrom.getTime() <= t && t < k.issueUntil.getTime()) return k;
    return undefined;
  }

  verifyingTokenKey(id: string, now: Date): TokenKey | undefined {
    const k = this.tokenKeys.get(id);
    return k && now.getTime() < k.verifyUntil.getTime() ? k : undefined;
  }

  regionKey(accessKeyId: string, date: string): Buffer | undefined {
    const key = this.accessKeys.get(accessKeyId);
    if (!key) return undefined;
    let decoded = this.regionKeys.get(key);
    if (!decoded) this.regionKeys.set(key, (decoded = new Map()));
    let buffer = decoded.get(date);
    if (!buffer) {
      const encoded = Object.hasOwn(key.regionKeys, date) ? key.regionKeys[date] : undefined;
      if (encoded === undefined) return undefined;
      buffer = Buffer.from(encoded, 'base64');
      decoded.set(date, buffer);
    }
    return buffer;
  }

  // ---------------------------------------------------------------------------------------------
  // ReplicaView: compiled policies

  /**
   * IAMUser (a long-term key, or a GetSessionToken session): the user's and its groups' policies,
   * its boundary and the account's password grant. AssumedRole: the role's (the same role: its id
   * must match the token's) plus the session layer. FederatedUser: the calling user's plus the
   * session layer. The session layer is ONE policy merging the inline session policy and each
   * PolicyArns policy the replica has, so each must allow.
   */
  policySets(principal: Principal): PolicySets | undefined {
    if (principal.type === 'Root') return ROOT_SETS;
    const claims = principal.session;
    if (principal.type === 'IAMUser') return this.userSets(principal.arn, principal.account, principal.userName ?? claims?.userName, principal.userId);
    if (!claims) return undefined;
    if (principal.type === 'AssumedRole') {
      if (!claims.roleName || !claims.roleId || !claims.roleArn) return undefined;
      if (!hasSessionPolicies(claims)) return this.roleSets(claims.roleArn, claims.account, claims.roleName, claims.roleId);
    } else if (!claims.userName || !claims.userId || !claims.userArn) {
      return undefined;
    } else if (!hasSessionPolicies(claims)) {
      return this.userSets(claims.userArn, claims.account, claims.userName, claims.userId);
    }
    return this.sessionSetsOf(claims);
  }

  trustPolicy(role: ReplicaRole): CompiledPolicy {
    const id = entityKey(role.arn.split(':')[4] ?? '', role.roleName);
    const cached = this.trust.get(id);
    if (cached && cached.document === role.assumeRolePolicyDocument) return cached.compiled;
    const compiled = compilePolicy(role.assumeRolePolicyDocument, { id: role.arn, layer: 'resource' });
    if (this.roles.get(id) === role) this.trust.set(id, { document: role.assumeRolePolicyDocument, compiled });
    return compiled;
  }

  private userSets(arn: string, account: string, userName: string | undefined, userId: string): PolicySets | undefined {
    if (!userName) return undefined;
    const entry = this.cached(this.principalSets, arn, () => this.buildUser(account, userName), MAX_PRINCIPAL_SETS);
    return entry && entry.ownerId === userId ? entry.sets : undefined;
  }

  private roleSets(arn: string, account: string, roleName: string, roleId: string): PolicySets | undefined {
    const entry = this.cached(this.principalSets, arn, () => this.buildRole(account, roleName), MAX_PRINCIPAL_SETS);
    return entry && entry.ownerId === roleId ? entry.sets : undefined;
  }

  private sessionSetsOf(claims: SessionClaims): PolicySets | undefined {
    const entry = this.cached(this.sessionSets, claims.accessKeyId, () => this.buildSession(claims), MAX_SESSION_SETS);
    return entry && entry.ownerId === (claims.kind === 'AssumedRole' ? claims.roleId : claims.userId) ? entry.sets : undefined;
  }

  /** The cached entry when its records are still current, else a fresh build (cached unless absent). */
  private cached(cache: Map<string, CachedSets>, key: string, build: () => CachedSets | undefined, max: number): CachedSets | undefined {
    let entry = cache.get(key);
    if (entry && entry.checked !== this.generation) {
      if (this.current(entry.deps)) entry.checked = this.generation;
      else {
        cache.delete(key);
        entry = undefined;
      }
    }
    if (entry) return entry;
    entry = build();
    if (!entry) return undefined;
    if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    cache.set(key, entry);
    return entry;
  }

  /** Whether every record a cached value was built from is unchanged (an equal copy from a snapshot counts). */
  private current(deps: Dependency[]): boolean {
    for (const d of deps) {
      const now = d.table.get(d.id);
      if (now === d.value) continue;
      if (now === undefined || d.value === undefined || !sameData(now, d.value)) return false;
      d.value = now;
    }
    return true;
  }

  private buildUser(account: string, userName: string): CachedSets | undefined {
    const id = entityKey(account, userName);
    const user = this.users.get(id);
    if (!user) return undefined;
    const deps: Dependency[] = [{ table: this.users, id, value: user }];
    const identity = [...this.inlineOf(user)];
    for (const arn of user.attachedPolicies) this.addManaged(identity, arn, 'identity', deps);
    for (const name of user.groups) {
      const gid = entityKey(account, name);
      const group = this.groups.get(gid);
      deps.push({ table: this.groups, id: gid, value: group });
      if (!group) continue;
      identity.push(...this.inlineOf(group));
      for (const arn of group.attachedPolicies) this.addManaged(identity, arn, 'identity', deps);
    }
    const acct = this.accounts.get(account);
    deps.push({ table: this.accounts, id: account, value: acct });
    if (acct?.allowUsersToChangePassword) identity.push(accountPasswordGrant(user.arn));
    const sets: PolicySets = { identity: identity.length ? [CompiledPolicy.merge('identity', identity)] : [], boundary: this.boundaryOf(user.permissionsBoundary, deps) };
    return { sets, ownerId: user.userId, deps, checked: this.generation };
  }

  private buildRole(account: string, roleName: string): CachedSets | undefined {
    const id = entityKey(account, roleName);
    const role = this.roles.get(id);
    if (!role) return undefined;
    const deps: Dependency[] = [{ table: this.roles, id, value: role }];
    const identity = [...this.inlineOf(role)];
    for (const arn of role.attachedPolicies) this.addManaged(identity, arn, 'identity', deps);
    const sets: PolicySets = { identity: identity.length ? [CompiledPolicy.merge('identity', identity)] : [], boundary: this.boundaryOf(role.permissionsBoundary, deps) };
    return { sets, ownerId: role.roleId, deps, checked: this.generation };
  }

  private buildSession(claims: SessionClaims): CachedSets | undefined {
    const base =
      claims.kind === 'AssumedRole'
        ? this.cached(this.principalSets, claims.roleArn as string, () => this.buildRole(claims.account, claims.roleName as string), MAX_PRINCIPAL_SETS)
        : this.cached(this.principalSets, claims.userArn as string, () => this.buildUser(claims.account, claims.userName as string), MAX_PRINCIPAL_SETS);
    const ownerId = claims.kind === 'AssumedRole' ? claims.roleId : claims.userId;
    if (!base || base.ownerId !== ownerId) return undefined;
    const deps = [...base.deps];
    // An empty policy keeps the layer present (and denying) when every named ARN is gone.
    const parts: CompiledPolicy[] = [compilePolicy(claims.policy ?? EMPTY_DOCUMENT, { id: SESSION_POLICY_ID, layer: 'session' })];
    for (const arn of claims.policyArns ?? []) this.addManaged(parts, arn, 'session', deps);
    const sets: PolicySets = { ...base.sets, session: [CompiledPolicy.merge(SESSION_POLICY_ID, parts)] };
    return { sets, ownerId: base.ownerId, deps, checked: this.generation };
  }

  private inlineOf(owner: ReplicaUser | ReplicaGroup | ReplicaRole): CompiledPolicy[] {
    let compiled = this.inline.get(owner);
    if (!compiled) {
      compiled = Object.entries(owner.inlinePolicies).map(([name, document]) => compilePolicy(document, { id: `${owner.arn}:inline/${name}`, layer: 'identity' }));
      this.inline.set(owner, compiled);
    }
    return compiled;
  }

  private addManaged(out: CompiledPolicy[], arn: string, layer: PolicyLayer, deps: Dependency[]): void {
    const policy = this.policies.get(arn);
    deps.push({ table: this.policies, id: arn, value: policy });
    if (policy) out.push(this.compileManaged(policy, layer));
  }

  private boundaryOf(arn: string | undefined, deps: Dependency[]): CompiledPolicy | null {
    if (!arn) return null;
    const policy = this.policies.get(arn);
    deps.push({ table: this.policies, id: arn, value: policy });
    // A boundary whose policy is gone allows nothing, as on the control plane.
    return policy ? this.compileManaged(policy, 'boundary') : compilePolicy(EMPTY_DOCUMENT, { id: arn, layer: 'boundary' });
  }

  private compileManaged(policy: ReplicaPolicy, layer: PolicyLayer): CompiledPolicy {
    const key = `${layer}|${policy.arn}`;
    const cached = this.managed.get(key);
    if (cached && cached.policyId === policy.policyId && cached.versionId === policy.defaultVersionId) return cached.compiled;
    const compiled = compilePolicy(policy.document, { id: policy.arn, layer });
    this.managed.set(key, { policyId: policy.policyId, versionId: policy.defaultVersionId, compiled });
    return compiled;
  }
}

/**
 * AWS-COMPAT: a password policy with AllowUsersToChangePassword lets every user call
 * iam:ChangePassword on itself and iam:GetAccountPasswordPolicy, without an attached policy (as
 * control-plane/caller-policies.ts withAccountGrants).
 */
function accountPasswordGrant(userArn: string): CompiledPolicy {
  return compilePolicy(
    {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iam:ChangePassword', Resource: userArn },
        { Effect: 'Allow', Action: 'iam:GetAccountPasswordPolicy', Resource: '*' },
      ],
    },
    { id: ACCOUNT_PASSWORD_GRANT_ID, layer: 'identity' },
  );
}
