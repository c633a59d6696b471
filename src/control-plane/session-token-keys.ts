/**
 * The token keys the control plane opens session tokens with: the day key a token names, derived
 * from the token root exactly as the published schedule (core/tokens tokenKeySchedule) derives it,
 * and only while that key may still open a live token.
 */
import { MAX_SESSION_SECONDS, tokenKeyForDay, utcDay, type TokenKey } from '../core/tokens/index.js';

const DAY_MS = 86_400_000;

/** A day key lives from its day's start until the end of its verify window: a handful at a time. */
const MAX_CACHED_DAYS = 16;

export class SessionTokenKeys {
  private readonly days = new Map<string, TokenKey>();

  constructor(private readonly root: Buffer) {}

  /** The key of day `id` (YYYYMMDD) when its verify window includes `now`; undefined otherwise. */
  keyFor(id: string, now: Date): TokenKey | undefined {
    const cached = this.days.get(id);
    if (cached) return inWindow(cached, now) ? cached : undefined;
    if (!/^\d{8}$/.test(id)) return undefined;
    const start = Date.UTC(Number(id.slice(0, 4)), Number(id.slice(4, 6)) - 1, Number(id.slice(6, 8)));
    // Date.UTC rolls 20250230 over to March: such an id names no day.
    if (!Number.isFinite(start) || utcDay(start) !== id) return undefined;
    // Checked before deriving, so made-up ids cost nothing and only live keys are kept.
    const t = now.getTime();
    if (t < start || t >= start + DAY_MS + MAX_SESSION_SECONDS * 1000) return undefined;
    const key = tokenKeyForDay(this.root, start);
    if (this.days.size >= MAX_CACHED_DAYS) this.days.clear();
    this.days.set(id, key);
    return inWindow(key, now) ? key : undefined;
  }
}

function inWindow(key: TokenKey, now: Date): boolean {
  const t = now.getTime();
  return key.issueFrom.getTime() <= t && t < key.verifyUntil.getTime();
}
