/**
 * The session-token key schedule. One key per UTC day, derived from the control plane's token
 * root (itself derived from the master key), so the control plane can publish any day's key ahead
 * of time without storing it, and a region that holds a day's key learns nothing about the root
 * or other days. Every region gets the same keys: a token from one region opens in all of them.
 */
import { deriveSubkey } from '../crypto/index.js';

/** The longest a session lasts (GetSessionToken and GetFederationToken allow 36 hours). */
export const MAX_SESSION_SECONDS = 129_600;

const DAY_MS = 86_400_000;

export interface TokenKey {
  /** Written into every token it seals (the UTC day, YYYYMMDD). */
  id: string;
  key: Buffer;
  /** Tokens are sealed with it from issueFrom until issueUntil… */
  issueFrom: Date;
  issueUntil: Date;
  /** …and opened until verifyUntil (issueUntil plus the longest session). */
  verifyUntil: Date;
}

/** YYYYMMDD of a time's UTC day. */
export function utcDay(time: Date | number): string {
  return new Date(time).toISOString().slice(0, 10).replace(/-/g, '');
}

function dayStart(time: Date | number): number {
  const ms = new Date(time).getTime();
  return ms - (ms % DAY_MS);
}

/** The token key of the UTC day that starts at `start` (ms). */
export function tokenKeyForDay(root: Buffer, start: number): TokenKey {
  const id = utcDay(start);
  return {
    id,
    key: deriveSubkey(root, `gatehouse:token-key:${id}`),
    issueFrom: new Date(start),
    issueUntil: new Date(start + DAY_MS),
    verifyUntil: new Date(start + DAY_MS + MAX_SESSION_SECONDS * 1000),
  };
}

/**
 * The keys to publish at `now`: those that may still open a live token (two days back), today's,
 * and one for each of the next `windowDays` days, so a region cut off now keeps issuing tokens
 * for that long.
 */
export function tokenKeySchedule(root: Buffer, now: Date, windowDays: number): TokenKey[] {
  const today = dayStart(now);
  const out: TokenKey[] = [];
  for (let d = -2; d <= windowDays; d++) out.push(tokenKeyForDay(root, today + d * DAY_MS));
  return out;
}

/** The key to issue with at `now`, from a schedule. */
export function issuingKey(keys: Iterable<TokenKey>, now: Date): TokenKey | undefined {
  const t = now.getTime();
  for (const k of keys) if (k.issueFrom.getTime() <= t && t < k.issueUntil.getTime()) return k;
  return undefined;
}
