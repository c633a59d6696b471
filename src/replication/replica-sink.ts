/**
 * Where a follower delivers the replica: the data plane's compiled index implements it. A reset
 * replaces everything (a snapshot, or the local file at start-up); a batch is applied whole.
 */
import type { FeedChanges, FeedWindows, ReplicaRecord } from './feed-types.js';

export interface ReplicaState {
  region: string;
  /** The control plane revision the records reflect. */
  revision: number;
  /** The control plane's clock when this state was current (ISO). */
  time: string;
  windows: FeedWindows;
  records: ReplicaRecord[];
}

export interface ReplicaSink {
  reset(state: ReplicaState): void;
  /** Applies one batch, whose `after` is the revision the sink holds. */
  apply(batch: FeedChanges): void;
}
