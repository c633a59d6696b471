/**
 * Issuing temporary credentials: an `ASIA…` key id that carries the session's account, a 40-character
 * random secret, and a self-contained session token sealed with today's token key (core/tokens), so
 * any region verifies it without a lookup. The expiration is exact: the request's time plus the
 * duration, to the millisecond in the token (the XML shows whole seconds, rounded down, so a client
 * never believes a credential lives longer than it does).
 */
import { awsError } from '../../core/errors/index.js';
import { newSecretAccessKey, newTemporaryAccessKeyId } from '../../core/ids.js';
import type { SessionClaims } from '../../core/model/principal.js';
import { sealSessionToken } from '../../core/tokens/index.js';
import { iso, type StsContext } from './sts-context.js';

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** What the operation decides; the key pair, times and region are added here. */
export type SessionFacts = Omit<SessionClaims, 'v' | 'accessKeyId' | 'secretAccessKey' | 'issuedAt' | 'expiresAt' | 'issuedIn'>;

export function issueCredentials(ctx: StsContext, facts: SessionFacts, durationSeconds: number): { credentials: IssuedCredentials; claims: SessionClaims } {
  const key = ctx.view.issuingTokenKey(ctx.now);
  if (!key) {
    // DIVERGENCE: AWS has no such state. The region was cut off from the control plane for longer
    // than the published token-key window, so it cannot seal new tokens; existing ones still open.
    throw awsError(
      'ServiceUnavailable',
      `Region ${ctx.request.region} cannot issue temporary credentials: it holds no session token key for the current time, having had no contact with the control plane for longer than the token key window. Credentials already issued keep working; retry once the region has reconnected, or use another region.`,
    );
  }
  const expiration = new Date(ctx.now.getTime() + durationSeconds * 1000);
  const claims: SessionClaims = {
    v: 1,
    ...facts,
    accessKeyId: newTemporaryAccessKeyId(facts.account, ctx.random),
    secretAccessKey: newSecretAccessKey(ctx.random),
    issuedAt: iso(ctx.now),
    expiresAt: iso(expiration),
    issuedIn: ctx.request.region,
  };
  for (const k of Object.keys(claims) as (keyof SessionClaims)[]) if (claims[k] === undefined) delete claims[k];
  const credentials = { accessKeyId: claims.accessKeyId, secretAccessKey: claims.secretAccessKey, sessionToken: sealSessionToken(key, claims), expiration };
  return { credentials, claims };
}
