/**
 * A small replica for the STS tests: two accounts, users, roles with trust policies, a managed
 * policy, an MFA device with precomputed codes and a token key schedule, loaded into a ReplicaIndex
 * at a fixed time. Randomness is a counter, so ids and secrets are deterministic.
 */
import { createHash } from 'node:crypto';
import type { Tag } from '../../src/core/model/iam-entities.js';
import type { Principal } from '../../src/core/model/principal.js';
import { tokenKeySchedule } from '../../src/core/tokens/index.js';
import { ReplicaIndex } from '../../src/data-plane/replica-index.js';
import { sessionPrincipal } from '../../src/core/model/session-principal.js';
import { StsService, type StsRequest } from '../../src/data-plane/sts/sts-service.js';
import { openSessionToken } from '../../src/core/tokens/index.js';
import type { SessionClaims } from '../../src/core/model/principal.js';
import type { ReplicaAccessKey, ReplicaAccount, ReplicaMfaDevice, ReplicaPolicy, ReplicaRecord, ReplicaRole, ReplicaUser } from '../../src/replication/feed-types.js';

export const A = '111111111111';
export const B = '222222222222';
/** The tests' clock: milliseconds on purpose, so expirations are checked exactly. */
export const NOW = new Date('2025-03-10T12:00:00.123Z');
export const TOKEN_ROOT = Buffer.alloc(32, 7);
export const MFA_SERIAL = `arn:aws:iam::${A}:mfa/alice`;

const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (action: string | string[], resource: string | string[] = '*', extra: object = {}) => ({ Effect: 'Allow', Action: action, Resource: resource, ...extra });
const trust = (principal: object, action: string | string[] = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], extra: object = {}) => ({ Effect: 'Allow', Principal: principal, Action: action, ...extra });

/** The code the device shows at a 30-second step (any deterministic 6 digits will do). */
export function mfaCode(step: number): string {
  return String((step * 7919 + 12345) % 1_000_000).padStart(6, '0');
}

export function stepOf(time: Date): number {
  return Math.floor(time.getTime() / 30_000);
}

function user(account: string, userName: string, opts: { inline?: Record<string, string>; tags?: Tag[]; mfaDevices?: string[]; boundary?: string } = {}): ReplicaRecord<ReplicaUser> {
  return {
    kind: 'user',
    id: `${account}/${userName.toLowerCase()}`,
    account,
    data: {
      arn: `arn:aws:iam::${account}:user/${userName}`,
      path: '/',
      attachedPolicies: [],
      inlinePolicies: opts.inline ?? {},
      userName,
      userId: `AIDA${userName.toUpperCase().padEnd(17, 'X')}`,
      tags: opts.tags ?? [],
      permissionsBoundary: opts.boundary,
      groups: [],
      mfaDevices: opts.mfaDevices ?? [],
    },
  };
}

function role(account: string, roleName: string, trustDoc: string, opts: { path?: string; inline?: Record<string, string>; tags?: Tag[]; max?: number; attached?: string[] } = {}): ReplicaRecord<ReplicaRole> {
  const path = opts.path ?? '/';
  return {
    kind: 'role',
    id: `${account}/${roleName.toLowerCase()}`,
    account,
    data: {
      arn: `arn:aws:iam::${account}:role${path}${roleName}`,
      path,
      attachedPolicies: opts.attached ?? [],
      inlinePolicies: opts.inline ?? {},
      roleName,
      roleId: `AROA${roleName.toUpperCase().padEnd(17, 'X')}`,
      tags: opts.tags ?? [],
      assumeRolePolicyDocument: trustDoc,
      maxSessionDuration: opts.max ?? 3600,
    },
  };
}

const accountRoot = (account: string) => ({ AWS: `arn:aws:iam::${account}:root` });

/** Everything alice may do through STS (and a little S3, for session policy checks). */
const ALICE_POLICY = doc(allow(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity', 'sts:GetFederationToken', 'sts:GetAccessKeyInfo', 'sts:DecodeAuthorizationMessage', 's3:*']));
const ROLE_WORK_POLICY = doc(allow(['s3:GetObject', 's3:PutObject', 'sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity', 'sts:GetAccessKeyInfo']));

export function records(): ReplicaRecord[] {
  const step = stepOf(NOW);
  const codes = Array.from({ length: 240 }, (_, i) => mfaCode(step - 120 + i)).join('');
  const mfa: ReplicaRecord<ReplicaMfaDevice> = { kind: 'mfa-device', id: `${A}/alice`, account: A, data: { serialNumber: MFA_SERIAL, userName: 'alice', firstStep: step - 120, codes } };
  const policy: ReplicaRecord<ReplicaPolicy> = {
    kind: 'policy',
    id: `arn:aws:iam::${A}:policy/ReadOnlyS3`,
    account: A,
    data: { arn: `arn:aws:iam::${A}:policy/ReadOnlyS3`, policyId: 'ANPAREADONLYS3XXXXXX', policyName: 'ReadOnlyS3', defaultVersionId: 'v1', document: doc(allow('s3:GetObject')) },
  };
  const key: ReplicaRecord<ReplicaAccessKey> = {
    kind: 'access-key',
    id: 'AKIAALICEALICEALICE1',
    account: A,
    data: { accessKeyId: 'AKIAALICEALICEALICE1', userName: 'alice', status: 'Active', regionKeys: {}, sigv4aPublicKey: '' },
  };
  const accounts: ReplicaRecord<ReplicaAccount>[] = [A, B].map((id) => ({ kind: 'account', id, account: id, data: { accountId: id, allowUsersToChangePassword: false } }));
  return [
    ...accounts,
    user(A, 'alice', { inline: { sts: ALICE_POLICY }, tags: [{ key: 'team', value: 'blue' }], mfaDevices: [MFA_SERIAL] }),
    user(A, 'bob'),
    user(A, 'erin', { inline: { sts: ALICE_POLICY }, boundary: `arn:aws:iam::${A}:policy/ReadOnlyS3` }),
    user(B, 'carol', { inline: { assume: doc(allow('sts:AssumeRole', `arn:aws:iam::${A}:role/ExtRole`)) } }),
    user(B, 'dave'),
    role(A, 'Dev', doc(trust(accountRoot(A))), { inline: { work: ROLE_WORK_POLICY }, tags: [{ key: 'env', value: 'dev' }, { key: 'team', value: 'red' }], max: 7200 }),
    role(A, 'Second', doc(trust({ AWS: `arn:aws:iam::${A}:role/Dev` })), { inline: { work: ROLE_WORK_POLICY }, max: 43200 }),
    role(A, 'NoTags', doc(trust(accountRoot(A), 'sts:AssumeRole'))),
    role(A, 'ExtRole', doc(trust(accountRoot(B), 'sts:AssumeRole', { Condition: { StringEquals: { 'sts:ExternalId': 'ext-123' } } })), { inline: { work: ROLE_WORK_POLICY } }),
    role(A, 'MfaRole', doc(trust(accountRoot(A), 'sts:AssumeRole', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })), { inline: { work: ROLE_WORK_POLICY } }),
    role(A, 'BobsRole', doc(trust({ AWS: `arn:aws:iam::${A}:user/bob` }, 'sts:AssumeRole'))),
    role(A, 'Ops', doc(trust(accountRoot(A))), { path: '/team/', inline: { work: ROLE_WORK_POLICY } }),
    role(A, 'SourceRole', doc(trust(accountRoot(A), 'sts:AssumeRole'), trust(accountRoot(A), 'sts:SetSourceIdentity', { Condition: { StringEquals: { 'sts:SourceIdentity': 'alice-laptop' } } })), { inline: { work: ROLE_WORK_POLICY } }),
    policy,
    mfa,
    key,
  ];
}

/** A fresh index loaded with the fixture at NOW (or with `recs`). */
export function replica(opts: { recs?: ReplicaRecord[]; tokenWindowDays?: number } = {}): ReplicaIndex {
  const index = new ReplicaIndex({ region: 'eu-west-1' });
  const keys = tokenKeySchedule(TOKEN_ROOT, NOW, opts.tokenWindowDays ?? 7);
  const step = stepOf(NOW);
  index.reset({
    region: 'eu-west-1',
    revision: 1,
    time: NOW.toISOString(),
    windows: {
      keyWindow: { from: '20250309', through: '20250317' },
      mfaWindow: { fromStep: step - 120, throughStep: step + 119 },
      tokenKeys: keys.map((k) => ({ id: k.id, key: k.key.toString('base64'), issueFrom: k.issueFrom.toISOString(), issueUntil: k.issueUntil.toISOString(), verifyUntil: k.verifyUntil.toISOString() })),
    },
    records: opts.recs ?? records(),
  });
  return index;
}

/** Deterministic randomness: a hash chain. */
export function counterRandom(): (n: number) => Buffer {
  let i = 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let off = 0; off < n; off += 32) createHash('sha256').update(String(i++)).digest().copy(out, off);
    return out;
  };
}

export function request(now: Date = NOW, region = 'eu-west-1'): StsRequest {
  return { requestId: 'req-1', now, sourceIp: '203.0.113.7', userAgent: 'aws-cli/2 test', region, secureTransport: true };
}

export function userPrincipal(account: string, userName: string): Principal {
  return { type: 'IAMUser', account, arn: `arn:aws:iam::${account}:user/${userName}`, userId: `AIDA${userName.toUpperCase().padEnd(17, 'X')}`, userName, accessKeyId: 'AKIAEXAMPLEEXAMPLE01' };
}

export function rootPrincipal(account: string): Principal {
  return { type: 'Root', account, arn: `arn:aws:iam::${account}:root`, userId: account, accessKeyId: 'AKIAROOTROOTROOTROOT' };
}

export interface Setup {
  index: ReplicaIndex;
  sts: StsService;
  /** Opens a session token with the index's keys at `now`. */
  open(token: string, now?: Date): SessionClaims | undefined;
  /** The principal a token stands for, as an authenticator rebuilds it. */
  principalOf(token: string, now?: Date): Principal;
}

export function setup(opts: { recs?: ReplicaRecord[]; tokenWindowDays?: number } = {}): Setup {
  const index = replica(opts);
  const sts = new StsService({ view: index, random: counterRandom() });
  const open = (token: string, now: Date = NOW) => openSessionToken(token, (id) => index.verifyingTokenKey(id, now));
  const principalOf = (token: string, now: Date = NOW) => {
    const claims = open(token, now);
    const p = claims && sessionPrincipal(claims, 'aws');
    if (!p) throw new Error('token does not open to a principal');
    return p;
  };
  return { index, sts, open, principalOf };
}

export interface CredentialsOutput {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date };
}
