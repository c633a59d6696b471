/**
 * The time-bound material the feed renews: which UTC dates access keys' region keys cover, which
 * TOTP steps MFA codes cover, and the session-token key schedule. All three depend only on the
 * UTC day, so they change once a day (00:00 UTC) and every region computes the same.
 */
import { tokenKeySchedule, utcDay } from '../core/tokens/index.js';
import type { FeedWindows, TokenKeyMaterial } from './feed-types.js';

export const DAY_MS = 86_400_000;
export const TOTP_STEP_MS = 30_000;
const STEPS_PER_HOUR = 120;

export interface FeedWindowOptions {
  /** Access keys' region keys cover yesterday through today + this many days (default 7). */
  keyWindowDays?: number;
  /** Token keys are published for this many days ahead (default 7, never under 1). */
  tokenWindowDays?: number;
  /** MFA codes cover this many hours from today 00:00 UTC (default 48, at least 24). */
  mfaWindowHours?: number;
}

export interface ResolvedWindowOptions {
  keyWindowDays: number;
  tokenWindowDays: number;
  mfaWindowHours: number;
}

/** Defaults and bounds; throws RangeError for values that would leave a gap. */
export function resolveWindowOptions(options: FeedWindowOptions): ResolvedWindowOptions {
  const keyWindowDays = options.keyWindowDays ?? 7;
  const tokenWindowDays = Math.max(1, options.tokenWindowDays ?? 7);
  const mfaWindowHours = options.mfaWindowHours ?? 48;
  if (!Number.isInteger(keyWindowDays) || keyWindowDays < 0 || keyWindowDays > 366) throw new RangeError('keyWindowDays must be an integer from 0 to 366');
  if (!Number.isInteger(tokenWindowDays) || tokenWindowDays > 366) throw new RangeError('tokenWindowDays must be an integer from 1 to 366');
  // The MFA window starts at today 00:00 and is renewed only when the day rolls, so anything
  // shorter than a day would leave the end of each day without codes.
  if (!Number.isInteger(mfaWindowHours) || mfaWindowHours < 24 || mfaWindowHours > 24 * 31) throw new RangeError('mfaWindowHours must be an integer from 24 to 744');
  return { keyWindowDays, tokenWindowDays, mfaWindowHours };
}

function dayStart(now: Date): number {
  const ms = now.getTime();
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}

/** The UTC dates (YYYYMMDD) of a key window, in order. */
export function keyWindowDates(window: { from: string; through: string }): string[] {
  const out: string[] = [];
  const from = Date.parse(`${window.from.slice(0, 4)}-${window.from.slice(4, 6)}-${window.from.slice(6, 8)}T00:00:00Z`);
  for (let t = from; ; t += DAY_MS) {
    const day = utcDay(t);
    if (day > window.through || out.length > 400) break;
    out.push(day);
  }
  return out;
}

/** The end (exclusive, ms) of a key window's last date. */
export function keyWindowEnd(window: { through: string }): number {
  const d = window.through;
  return Date.parse(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T00:00:00Z`) + DAY_MS;
}

export function feedWindows(now: Date, options: FeedWindowOptions, tokenRoot: Buffer): FeedWindows {
  const { keyWindowDays, tokenWindowDays, mfaWindowHours } = resolveWindowOptions(options);
  const today = dayStart(now);
  const todayStep = today / TOTP_STEP_MS;
  // One step before midnight too: a code typed at 23:59:59 is checked against the previous step.
  const fromStep = todayStep - 1;
  const tokenKeys: TokenKeyMaterial[] = tokenKeySchedule(tokenRoot, now, tokenWindowDays).map((k) => ({
    id: k.id,
    key: k.key.toString('base64'),
    issueFrom: k.issueFrom.toISOString(),
    issueUntil: k.issueUntil.toISOString(),
    verifyUntil: k.verifyUntil.toISOString(),
  }));
  return {
    keyWindow: { from: utcDay(today - DAY_MS), through: utcDay(today + keyWindowDays * DAY_MS) },
    mfaWindow: { fromStep, throughStep: todayStep + mfaWindowHours * STEPS_PER_HOUR - 1 },
    tokenKeys,
  };
}

/** Whether two windows cover the same key dates and MFA steps (token keys aside). */
export function sameMaterialWindows(a: FeedWindows, b: FeedWindows): boolean {
  return (
    a.keyWindow.from === b.keyWindow.from &&
    a.keyWindow.through === b.keyWindow.through &&
    a.mfaWindow.fromStep === b.mfaWindow.fromStep &&
    a.mfaWindow.throughStep === b.mfaWindow.throughStep
  );
}
