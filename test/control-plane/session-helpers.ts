/**
 * Temporary credentials minted as a data plane's STS mints them (the day's token key from the
 * token root, sealed claims, an ASIA key id carrying the account), and requests signed with them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { newSecretAccessKey, newTemporaryAccessKeyId } from '../../src/core/ids.js';
import type { SessionClaims, SessionKind } from '../../src/core/model/principal.js';
import { signRequest, type HttpRequestParts, type SignRequestOptions } from '../../src/core/sigv4/index.js';
import { sealSessionToken, tokenKeyForDay } from '../../src/core/tokens/index.js';

const DAY_MS = 86_400_000;

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export type SessionFacts = Omit<SessionClaims, 'v' | 'kind' | 'accessKeyId' | 'secretAccessKey' | 'account' | 'issuedAt' | 'expiresAt' | 'issuedIn'> & {
  issuedAt?: Date;
  /** Seconds the credentials last (default one hour). */
  durationSeconds?: number;
  /** Seal with the key of another day than the issue time's. */
  keyDay?: Date;
};

/** Credentials for a session of `kind` in `account`, issued at `facts.issuedAt` (default `now`). */
export function mintSession(tokenRoot: Buffer, account: string, kind: SessionKind, now: Date, facts: SessionFacts = {}): { credentials: SessionCredentials; claims: SessionClaims } {
  const { issuedAt = now, durationSeconds = 3600, keyDay, ...rest } = facts;
  const accessKeyId = newTemporaryAccessKeyId(account, randomBytes);
  const secretAccessKey = newSecretAccessKey(randomBytes);
  const claims: SessionClaims = {
    v: 1,
    kind,
    accessKeyId,
    secretAccessKey,
    account,
    issuedAt: issuedAt.toISOString(),
    expiresAt: new Date(issuedAt.getTime() + durationSeconds * 1000).toISOString(),
    issuedIn: 'us-east-1',
    ...rest,
  };
  const day = (keyDay ?? issuedAt).getTime();
  const key = tokenKeyForDay(tokenRoot, day - (day % DAY_MS));
  return { credentials: { accessKeyId, secretAccessKey, sessionToken: sealSessionToken(key, claims) }, claims };
}

/** Claims of a session of `role` (as GetRole returns it) named `sessionName`. */
export function roleSession(role: { arn: string; roleId: string; roleName: string }, sessionName: string): SessionFacts {
  return { roleArn: role.arn, roleId: role.roleId, roleName: role.roleName, sessionName };
}

/** Claims of a session created by `user` (as GetUser returns it): GetSessionToken or GetFederationToken. */
export function userSession(user: { arn: string; userId: string; userName: string }): SessionFacts {
  return { userArn: user.arn, userId: user.userId, userName: user.userName };
}

/** An IAM Query request signed with `credentials` (session token included, in the header or the query). */
export function signedIamRequest(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, now: Date, options: Partial<SignRequestOptions> = {}, body = 'Action=ListUsers&Version=2010-05-08'): HttpRequestParts {
  const bodySha256 = createHash('sha256').update(body).digest('hex');
  return signRequest({ method: 'POST', path: '/', query: '', headers: [['Host', 'iam.amazonaws.com']], bodySha256 }, credentials, { now, region: 'us-east-1', service: 'iam', ...options });
}

export const allowDoc = (action: string | string[], extra: Record<string, unknown> = {}) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*', ...extra }] });

export const TRUST_ACCOUNT = (account: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }] });
