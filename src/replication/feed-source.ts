/**
 * What a follower reads the replication feed from: the control plane in the same process
 * (`ControlPlaneFeed`) or over HTTP (`HttpFeedSource`). Both speak the wire types of
 * feed-types.ts.
 */
import type { FeedChanges, FeedSnapshot } from './feed-types.js';

export interface ChangesOptions {
  /** At most about this many change entries (a single larger revision still comes whole). */
  limit?: number;
  /** How long to wait for a commit when there are no changes after `after` (ms, default 0). */
  waitMs?: number;
  signal?: AbortSignal;
}

export interface FeedSource {
  /** The region's whole replica at the latest revision. */
  snapshot(region: string, signal?: AbortSignal): Promise<FeedSnapshot>;
  /**
   * The changes after revision `after`, whole revisions in order. Long-polls: answers at once
   * when there are changes, else waits up to `waitMs` for a commit, then answers (maybe empty).
   */
  changes(region: string, after: number, options?: ChangesOptions): Promise<FeedChanges>;
}

/**
 * A feed failure. `status` is the HTTP status the feed answered (or would answer), 0 when it
 * could not be reached; `retryable` says whether trying again later can help (unreachable,
 * 5xx, aborted) or not (bad token, bad request).
 */
export class FeedError extends Error {
  override name = 'FeedError';
  readonly status: number;
  readonly retryable: boolean;

  constructor(message: string, status: number, retryable: boolean) {
    super(message);
    this.status = status;
    this.retryable = retryable;
  }
}

/** The error a feed call fails with when its signal aborts it. */
export function abortedError(): FeedError {
  return new FeedError('the feed request was aborted', 499, true);
}
