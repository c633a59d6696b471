/**
 * One region's data plane, assembled: the compiled replica index fed by a follower (from the
 * control plane in process, or over HTTP with a local snapshot file), the SigV4 authenticator on
 * derived keys, STS, and the authorization check with its usage record.
 */
import { randomBytes } from 'node:crypto';
import { authorize, type AuthorizeInput, type AuthorizeResult } from '../data-plane/authorize.js';
import { DataPlaneAuthenticator } from '../data-plane/authenticator.js';
import { ReplicaIndex } from '../data-plane/replica-index.js';
import { StsService } from '../data-plane/sts/sts-service.js';
import { UsageRecorder } from '../data-plane/usage-recorder.js';
import type { UsageLog } from '../data-plane/usage-log.js';
import type { FeedSource } from '../replication/feed-source.js';
import { ReplicaFollower, type FollowerHealth } from '../replication/follower.js';
import type { ReplicaFile } from '../replication/replica-file.js';

export interface RegionDataPlaneOptions {
  region: string;
  source: FeedSource;
  /** The local snapshot (distributed data planes); standalone regions keep theirs in memory. */
  file?: ReplicaFile;
  usageLog?: UsageLog;
  now: () => Date;
  partition?: string;
  log?: (line: string) => void;
  pollWaitMs?: number;
  /** Aborts `start()` while it waits for a first replica. */
  signal?: AbortSignal;
}

export interface RegionHealth extends FollowerHealth {
  counts: Record<string, number>;
  /** On a node with several workers: the node id of the worker this entry is from. */
  node?: string;
}

export class RegionDataPlane {
  readonly region: string;
  readonly index: ReplicaIndex;
  readonly follower: ReplicaFollower;
  readonly authenticator: DataPlaneAuthenticator;
  readonly sts: StsService;
  readonly usage?: UsageRecorder;
  private readonly usageFlusher?: NodeJS.Timeout;

  private constructor(private readonly options: RegionDataPlaneOptions) {
    this.region = options.region;
    this.index = new ReplicaIndex({ region: options.region, partition: options.partition });
    this.follower = new ReplicaFollower({ region: options.region, source: options.source, sink: this.index, file: options.file, now: options.now, log: options.log, pollWaitMs: options.pollWaitMs });
    this.authenticator = new DataPlaneAuthenticator(this.index);
    this.sts = new StsService({ view: this.index, random: randomBytes, partition: options.partition });
    if (options.usageLog) {
      const usageLog = options.usageLog;
      this.usage = new UsageRecorder();
      this.usageFlusher = setInterval(() => this.flushUsage(usageLog, options.log), 10_000);
      this.usageFlusher.unref();
    }
  }

  /**
   * Starts following; resolves once the region holds a replica (from its file or a snapshot).
   * Rejects (having stopped) when `options.signal` aborts first.
   */
  static async start(options: RegionDataPlaneOptions): Promise<RegionDataPlane> {
    const plane = new RegionDataPlane(options);
    try {
      await plane.follower.start(options.signal);
    } catch (err) {
      await plane.close();
      throw err;
    }
    return plane;
  }

  authorize(input: AuthorizeInput): AuthorizeResult {
    return authorize({ view: this.index, authenticator: this.authenticator, usage: this.usage, now: this.options.now() }, input);
  }

  health(): RegionHealth {
    return { ...this.follower.health(), counts: this.index.counts() };
  }

  private flushUsage(log: UsageLog, write?: (line: string) => void): void {
    const entries = this.usage?.drain() ?? [];
    if (!entries.length) return;
    try {
      log.merge(entries);
    } catch (err) {
      write?.(`gatehouse: could not record authorization usage in ${this.region}: ${String(err)}`);
    }
  }

  async close(): Promise<void> {
    if (this.usageFlusher) clearInterval(this.usageFlusher);
    await this.follower.stop();
    if (this.options.usageLog) this.flushUsage(this.options.usageLog);
  }
}
