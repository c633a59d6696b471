/**
 * GetSessionToken: temporary credentials for an IAM user (or the root user) signing with a
 * long-term key, typically to carry MFA (`SerialNumber` + `TokenCode`) into later requests
 * (aws:MultiFactorAuthPresent). AWS-COMPAT: it needs no permission ("You cannot use policies to
 * control authentication operations", STS API reference); sessions may not call it (caller-rules.ts).
 */
import type { Principal } from '../../core/model/principal.js';
import { issueCredentials, type IssuedCredentials } from './credentials.js';
import { checkDuration } from './durations.js';
import { int, iso, str, type StsContext } from './sts-context.js';

/** 12 hours by default, 15 minutes to 36 hours; the root user's sessions last at most an hour. */
export const SESSION_TOKEN_DURATION = { min: 900, max: 129_600, default: 43_200, root: 3600 } as const;

export function getSessionToken(ctx: StsContext, input: Record<string, unknown>, caller: Principal): { credentials: IssuedCredentials } {
  const duration = checkDuration(int(input, 'durationSeconds'), SESSION_TOKEN_DURATION, caller.type === 'Root');
  const serialNumber = str(input, 'serialNumber');
  const tokenCode = str(input, 'tokenCode');
  let mfaAuthenticatedAt: string | undefined;
  if (serialNumber !== undefined || tokenCode !== undefined) {
    ctx.mfa.verify(ctx.view, caller, serialNumber, tokenCode, ctx.now);
    mfaAuthenticatedAt = iso(ctx.now);
  }
  const { credentials } = issueCredentials(
    ctx,
    { kind: 'SessionToken', account: caller.account, userArn: caller.arn, userId: caller.userId, userName: caller.userName, mfaAuthenticatedAt },
    duration,
  );
  return { credentials };
}
