/**
 * Builds a region's replica from records the test writes, with real derived key material, for the
 * data plane's tests (authentication, authorization, STS). No control plane involved.
 *
 *   const f = new ReplicaFixture();                         // REGION, ACCOUNT, NOW
 *   f.accountRecord({ allowUsersToChangePassword: true });
 *   const readOnly = f.policy('ReadOnly', allow('s3:GetObject', '*'));    // returns the ARN
 *   f.user('alice', { attached: [readOnly], groups: ['devs'] });
 *   const alice = f.accessKey('alice');                     // { accessKeyId, secretAccessKey }
 *   f.role('Deployer', { trust: trustAccount(), attached: [readOnly] });
 *   const index = f.index();                                // a ReplicaIndex holding f.state()
 *   const session = f.session({ kind: 'AssumedRole', roleName: 'Deployer', sessionName: 's1' });
 *   const request = signedRequest(alice, { service: 's3', now: NOW });  // AuthorizeInput['request']
 *
 * Region keys are deriveRegionKey(secret, date, REGION) for each date of the key window, SigV4a
 * public keys come from deriveSigV4aKeyPair, token keys from the schedule of TOKEN_ROOT (as the
 * control plane publishes them); session tokens are sealed with the day's token key.
 */
import { createHash } from 'node:crypto';
import type { Tag } from '../../src/core/model/iam-entities.js';
import type { SessionClaims, SessionKind } from '../../src/core/model/principal.js';
import { deriveRegionKey, deriveSigV4aKeyPair, signRequest, type HttpRequestParts, type SigningAlgorithm } from '../../src/core/sigv4/index.js';
import { newTemporaryAccessKeyId } from '../../src/core/ids.js';
import { sealSessionToken, tokenKeyForDay, type TokenKey } from '../../src/core/tokens/index.js';
import { ReplicaIndex } from '../../src/data-plane/replica-index.js';
import type {
  FeedChange,
  FeedChanges,
  FeedWindows,
  ReplicaAccessKey,
  ReplicaAccount,
  ReplicaGroup,
  ReplicaMfaDevice,
  ReplicaPolicy,
  ReplicaRecord,
  ReplicaRole,
  ReplicaUser,
} from '../../src/replication/feed-types.js';
import { feedWindows, keyWindowDates, type FeedWindowOptions } from '../../src/replication/feed-windows.js';
import type { ReplicaState } from '../../src/replication/replica-sink.js';

export const REGION = 'eu-west-1';
export const ACCOUNT = '111122223333';
export const NOW = new Date('2026-03-10T12:00:00Z');
/** The token-key root the fixture's control plane would derive from its master key. */
export const TOKEN_ROOT = Buffer.alloc(32, 9);
export const DAY_MS = 86_400_000;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A policy document allowing (or denying) actions on resources. */
export function allow(action: string | string[], resource: string | string[] = '*', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Allow0', Effect: 'Allow', Action: action, Resource: resource, ...extra }] });
}

export function deny(action: string | string[], resource: string | string[] = '*', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Deny0', Effect: 'Deny', Action: action, Resource: resource, ...extra }] });
}

/** A trust policy letting the account's principals assume the role. */
export function trustAccount(account = ACCOUNT, partition = 'aws'): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: 'sts:AssumeRole' }] });
}

function hashId(prefix: string, seed: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = createHash('sha256').update(seed).digest();
  let out = prefix;
  for (let i = 0; out.length < length; i++) out += alphabet[bytes[i % 32] & 31];
  return out;
}

export interface FixtureOptions {
  region?: string;
  account?: string;
  now?: Date;
  partition?: string;
  windows?: FeedWindowOptions;
}

export class ReplicaFixture {
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  now: Date;
  windows: FeedWindows;
  revision = 1;
  /** Records by `kind|id`, in insertion order. */
  readonly records = new Map<string, ReplicaRecord>();
  private readonly secrets = new Map<string, string>();

  constructor(options: FixtureOptions = {}) {
    this.region = options.region ?? REGION;
    this.account = options.account ?? ACCOUNT;
    this.partition = options.partition ?? 'aws';
    this.now = options.now ?? NOW;
    this.windows = feedWindows(this.now, options.windows ?? {}, TOKEN_ROOT);
  }

  private add<T>(record: ReplicaRecord<T>): ReplicaRecord<T> {
    this.records.set(`${record.kind}|${record.id}`, record as ReplicaRecord);
    return record;
  }

  private key(name: string, account: string): string {
    return `${account}/${name.toLowerCase()}`;
  }

  accountRecord(options: { accountId?: string; allowUsersToChangePassword?: boolean; alias?: string } = {}): ReplicaRecord<ReplicaAccount> {
    const accountId = options.accountId ?? this.account;
    const data: ReplicaAccount = { accountId, allowUsersToChangePassword: options.allowUsersToChangePassword ?? false };
    if (options.alias) data.alias = options.alias;
    return this.add({ kind: 'account', id: accountId, account: accountId, data });
  }

  /**
   * A customer managed policy (or, with `account: 'aws'`, an AWS managed one); returns its ARN.
   * Its record id is the store's, `<account>/<lowercased name>`, as the feed sends it.
   */
  policy(name: string, document: string, options: { account?: string; version?: string; path?: string } = {}): string {
    const account = options.account ?? this.account;
    const arn = `arn:${this.partition}:iam::${account}:policy${options.path ?? '/'}${name}`;
    const data: ReplicaPolicy = { arn, policyId: hashId('ANPA', arn, 21), policyName: name, defaultVersionId: options.version ?? 'v1', document };
    this.add({ kind: 'policy', id: this.key(name, account), account, data });
    return arn;
  }

  /** An AWS managed policy (`arn:aws:iam::aws:policy/<name>`). */
  awsPolicy(name: string, document: string, options: { version?: string; path?: string } = {}): string {
    return this.policy(name, document, { ...options, account: 'aws' });
  }

  user(
    name: string,
    options: { account?: string; path?: string; inline?: Record<string, string>; attached?: string[]; groups?: string[]; tags?: Tag[]; boundary?: string; mfaDevices?: string[]; userId?: string } = {},
  ): ReplicaUser {
    const account = options.account ?? this.account;
    const path = options.path ?? '/';
    const data: ReplicaUser = {
      arn: `arn:${this.partition}:iam::${account}:user${path}${name}`,
      path,
      userName: name,
      userId: options.userId ?? hashId('AIDA', `${account}/${name}`, 21),
      attachedPolicies: options.attached ?? [],
      inlinePolicies: options.inline ?? {},
      tags: options.tags ?? [],
      groups: (options.groups ?? []).map((g) => g.toLowerCase()),
      mfaDevices: options.mfaDevices ?? [],
    };
    if (options.boundary) data.permissionsBoundary = options.boundary;
    this.add({ kind: 'user', id: this.key(name, account), account, data });
    return data;
  }

  group(name: string, options: { account?: string; path?: string; inline?: Record<string, string>; attached?: string[] } = {}): ReplicaGroup {
    const account = options.account ?? this.account;
    const path = options.path ?? '/';
    const data: ReplicaGroup = {
      arn: `arn:${this.partition}:iam::${account}:group${path}${name}`,
      path,
      groupName: name,
      groupId: hashId('AGPA', `${account}/${name}`, 21),
      attachedPolicies: options.attached ?? [],
      inlinePolicies: options.inline ?? {},
    };
    this.add({ kind: 'group', id: this.key(name, account), account, data });
    return data;
  }

  role(
    name: string,
    options: { account?: string; path?: string; trust?: string; inline?: Record<string, string>; attached?: string[]; tags?: Tag[]; boundary?: string; maxSessionDuration?: number; roleId?: string } = {},
  ): ReplicaRole {
    const account = options.account ?? this.account;
    const path = options.path ?? '/';
    const data: ReplicaRole = {
      arn: `arn:${this.partition}:iam::${account}:role${path}${name}`,
      path,
      roleName: name,
      roleId: options.roleId ?? hashId('AROA', `${account}/${name}`, 21),
      attachedPolicies: options.attached ?? [],
      inlinePolicies: options.inline ?? {},
      tags: options.tags ?? [],
      assumeRolePolicyDocument: options.trust ?? trustAccount(account, this.partition),
      maxSessionDuration: options.maxSessionDuration ?? 3600,
    };
    if (options.boundary) data.permissionsBoundary = options.boundary;
    this.add({ kind: 'role', id: this.key(name, account), account, data });
    return data;
  }

  /**
   * A long-term key for a user, with its region keys for every date of the key window (or `dates`)
   * and its SigV4a public key. Returns the credentials a client would sign with.
   */
  accessKey(userName: string, options: { account?: string; status?: 'Active' | 'Inactive'; accessKeyId?: string; secretAccessKey?: string; dates?: string[] } = {}): Credentials {
    const account = options.account ?? this.account;
    const accessKeyId = options.accessKeyId ?? hashId('AKIA', `${account}/${userName}/${this.secrets.size}`, 20);
    const secretAccessKey = options.secretAccessKey ?? createHash('sha256').update(`secret:${accessKeyId}`).digest('base64').slice(0, 40);
    this.secrets.set(accessKeyId, secretAccessKey);
    const regionKeys: Record<string, string> = {};
    for (const date of options.dates ?? keyWindowDates(this.windows.keyWindow)) regionKeys[date] = deriveRegionKey(secretAccessKey, date, this.region).toString('base64');
    const { x, y } = deriveSigV4aKeyPair(accessKeyId, secretAccessKey).publicKeyXY;
    const sigv4aPublicKey = Buffer.concat([Buffer.from([4]), Buffer.from(x, 'hex'), Buffer.from(y, 'hex')]).toString('base64');
    const data: ReplicaAccessKey = { accessKeyId, userName, status: options.status ?? 'Active', regionKeys, sigv4aPublicKey };
    this.add({ kind: 'access-key', id: accessKeyId, account, data });
    return { accessKeyId, secretAccessKey };
  }

  mfaDevice(serialNumber: string, options: { account?: string; userName?: string; firstStep?: number; codes?: string } = {}): ReplicaMfaDevice {
    const account = options.account ?? this.account;
    const data: ReplicaMfaDevice = { serialNumber };
    if (options.userName) data.userName = options.userName;
    if (options.firstStep !== undefined) data.firstStep = options.firstStep;
    if (options.codes !== undefined) data.codes = options.codes;
    const id = this.key(serialNumber.slice(serialNumber.lastIndexOf('/') + 1), account);
    this.add({ kind: 'mfa-device', id, account, data });
    return data;
  }

  /** The replica as a follower would deliver it. */
  state(): ReplicaState {
    return { region: this.region, revision: this.revision, time: this.now.toISOString(), windows: this.windows, records: [...this.records.values()] };
  }

  /** A ReplicaIndex holding the current state. */
  index(): ReplicaIndex {
    const index = new ReplicaIndex({ region: this.region, partition: this.partition });
    index.reset(this.state());
    return index;
  }

  /** The token key of `time`'s UTC day (the one that seals tokens issued then). */
  tokenKey(time: Date = this.now): TokenKey {
    const ms = time.getTime();
    return tokenKeyForDay(TOKEN_ROOT, ms - (ms % DAY_MS));
  }

  /**
   * Temporary credentials as STS would issue them: an ASIA id carrying the account, a secret, and
   * a token sealed with the day's key. For AssumedRole, `roleName` names a role of the fixture;
   * for SessionToken and FederatedUser, `userName` a user.
   */
  session(options: {
    kind: SessionKind;
    roleName?: string;
    sessionName?: string;
    userName?: string;
    federatedName?: string;
    policy?: string;
    policyArns?: string[];
    tags?: Tag[];
    sourceIdentity?: string;
    mfaAuthenticatedAt?: string;
    issuedAt?: Date;
    durationSeconds?: number;
    account?: string;
    seed?: string;
  }): Credentials & { sessionToken: string; claims: SessionClaims } {
    const account = options.account ?? this.account;
    const issuedAt = options.issuedAt ?? this.now;
    const seed = options.seed ?? `${options.kind}/${options.roleName ?? options.userName}/${options.sessionName ?? options.federatedName}/${issuedAt.toISOString()}`;
    let counter = 0;
    const random = (n: number) => {
      const out = Buffer.alloc(n);
      createHash('sha256').update(`${seed}:${counter++}`).digest().copy(out);
      return out;
    };
    const accessKeyId = newTemporaryAccessKeyId(account, random);
    const secretAccessKey = random(30).toString('base64');
    const claims: SessionClaims = {
      v: 1,
      kind: options.kind,
      accessKeyId,
      secretAccessKey,
      account,
      issuedAt: issuedAt.toISOString(),
      expiresAt: new Date(issuedAt.getTime() + (options.durationSeconds ?? 3600) * 1000).toISOString(),
      issuedIn: this.region,
    };
    if (options.kind === 'AssumedRole') {
      const role = this.records.get(`role|${this.key(options.roleName ?? '', account)}`)?.data as ReplicaRole | undefined;
      if (!role) throw new Error(`no role ${options.roleName}`);
      Object.assign(claims, { roleArn: role.arn, roleId: role.roleId, roleName: role.roleName, sessionName: options.sessionName ?? 'session' });
    } else {
      const user = this.records.get(`user|${this.key(options.userName ?? '', account)}`)?.data as ReplicaUser | undefined;
      if (!user) throw new Error(`no user ${options.userName}`);
      Object.assign(claims, { userArn: user.arn, userId: user.userId, userName: user.userName });
      if (options.kind === 'FederatedUser') claims.federatedName = options.federatedName ?? 'federated';
    }
    if (options.policy !== undefined) claims.policy = options.policy;
    if (options.policyArns !== undefined) claims.policyArns = options.policyArns;
    if (options.tags !== undefined) claims.tags = options.tags;
    if (options.sourceIdentity !== undefined) claims.sourceIdentity = options.sourceIdentity;
    if (options.mfaAuthenticatedAt !== undefined) claims.mfaAuthenticatedAt = options.mfaAuthenticatedAt;
    const sessionToken = sealSessionToken(this.tokenKey(issuedAt), claims);
    return { accessKeyId, secretAccessKey, sessionToken, claims };
  }

  /**
   * A change batch after the fixture's current revision (for ReplicaIndex.apply); the records are
   * updated in the fixture too, so state() stays the whole replica.
   */
  changes(changes: Array<{ op: 'put'; record: ReplicaRecord } | { op: 'delete'; kind: ReplicaRecord['kind']; id: string; account?: string }>): FeedChanges {
    const after = this.revision;
    const revision = after + 1;
    const out: FeedChange[] = changes.map((c) => {
      if (c.op === 'put') {
        this.records.set(`${c.record.kind}|${c.record.id}`, c.record);
        return { revision, op: 'put', kind: c.record.kind, id: c.record.id, account: c.record.account, data: c.record.data };
      }
      this.records.delete(`${c.kind}|${c.id}`);
      return { revision, op: 'delete', kind: c.kind, id: c.id, account: c.account ?? this.account };
    });
    this.revision = revision;
    return { version: 1, region: this.region, after, revision, latest: revision, time: this.now.toISOString(), changes: out, windows: this.windows };
  }

  /** A record of the fixture, to change and put back with changes(). */
  record<T>(kind: ReplicaRecord['kind'], id: string): ReplicaRecord<T> {
    // Policies may be named by ARN too.
    const r = this.records.get(`${kind}|${id}`) ?? [...this.records.values()].find((x) => x.kind === kind && (x.data as { arn?: string }).arn === id);
    if (!r) throw new Error(`no ${kind} ${id}`);
    return r as ReplicaRecord<T>;
  }
}

/** A fixture filled by `build`, its state and an index holding it, in one call. */
export function buildReplicaState(build: (f: ReplicaFixture) => void, options: FixtureOptions = {}): { fixture: ReplicaFixture; state: ReplicaState; index: ReplicaIndex } {
  const fixture = new ReplicaFixture(options);
  build(fixture);
  return { fixture, state: fixture.state(), index: fixture.index() };
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface SignedRequestOptions {
  now?: Date;
  region?: string;
  service?: string;
  algorithm?: SigningAlgorithm;
  regionSet?: string[];
  form?: 'header' | 'query';
  method?: string;
  host?: string;
  path?: string;
  query?: string;
  headers?: [string, string][];
  body?: string;
  signContentSha256?: boolean;
}

/** A request signed as a client would (core signRequest), as HTTP parts. */
export function signedParts(credentials: Credentials, options: SignedRequestOptions = {}): HttpRequestParts {
  const base: HttpRequestParts = {
    method: options.method ?? 'GET',
    path: options.path ?? '/objects/report.csv',
    query: options.query ?? '',
    headers: [['Host', options.host ?? 'files.example.com'], ...(options.headers ?? [])],
    bodySha256: sha256Hex(options.body ?? ''),
  };
  return signRequest(base, credentials, {
    now: options.now ?? NOW,
    region: options.region ?? REGION,
    service: options.service ?? 's3',
    algorithm: options.algorithm,
    regionSet: options.regionSet,
    form: options.form,
    signContentSha256: options.signContentSha256,
  });
}

/** The same, in the shape of AuthorizeInput['request'] (the body's hash as payloadHash). */
export function signedRequest(
  credentials: Credentials,
  options: SignedRequestOptions = {},
): { method: string; path: string; query: string; headers: [string, string][]; payloadHash: string } {
  const parts = signedParts(credentials, options);
  return { method: parts.method, path: parts.path, query: parts.query, headers: parts.headers.map(([n, v]) => [n, v] as [string, string]), payloadHash: parts.bodySha256 };
}
