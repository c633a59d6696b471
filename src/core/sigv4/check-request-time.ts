import { formatAmzDate, parseAmzDate } from './amz-date.js';
import { authFailure, dateNotIso8601, signatureExpired, signatureNotYetCurrent } from './messages.js';
import type { AuthFailure, SignatureInfo } from './types.js';

/** AWS accepts a request signed up to 15 minutes before or after its own clock. */
export const ALLOWED_SKEW_SECONDS = 15 * 60;

function windowText(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} min.` : `${seconds} sec.`;
}

/**
 * Checks X-Amz-Date against the server clock: at most 15 minutes in the future, and at most 15
 * minutes old; a presigned request with X-Amz-Expires is good for that many seconds instead.
 * AWS-COMPAT: AWS answers a stale or future signature with SignatureDoesNotMatch and these texts
 * (observed for STS), not with the RequestExpired of the Common Errors page.
 */
export function checkRequestTime(info: SignatureInfo, now: Date): AuthFailure | undefined {
  const signedAt = parseAmzDate(info.amzDate);
  if (signedAt === undefined) return authFailure('IncompleteSignature', dateNotIso8601(info.amzDate));
  const nowMs = Math.floor(now.getTime() / 1000) * 1000;
  const skewMs = ALLOWED_SKEW_SECONDS * 1000;

  if (signedAt > nowMs + skewMs) {
    return authFailure(
      'SignatureDoesNotMatch',
      signatureNotYetCurrent(info.amzDate, formatAmzDate(nowMs + skewMs), formatAmzDate(nowMs), windowText(ALLOWED_SKEW_SECONDS)),
    );
  }
  // DIVERGENCE: STS is reported to ignore X-Amz-Expires and apply the 15-minute window to presigned
  // requests too (aws-sdk-go#2167); we honour the expiry the signer chose, up to 7 days.
  const lifetime = info.form === 'query' && info.expiresSeconds !== undefined ? info.expiresSeconds : ALLOWED_SKEW_SECONDS;
  if (signedAt < nowMs - lifetime * 1000) {
    return authFailure(
      'SignatureDoesNotMatch',
      signatureExpired(info.amzDate, formatAmzDate(nowMs - lifetime * 1000), formatAmzDate(nowMs), windowText(lifetime)),
    );
  }
  return undefined;
}
