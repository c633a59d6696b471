/**
 * The /v1/authorize check as a library: a Node service embeds a replica of one region (fed from
 * the control plane's feed, kept in a local snapshot file when given a data folder) and checks
 * the SigV4-signed requests it receives in process, with no network hop on the request path.
 *
 *   const authorizer = await createAuthorizer({ controlPlaneUrl, token, region: 'eu-west-1', dataDir });
 *   const { status, body } = authorizer.authorize({ request, action: 's3:GetObject', resource });
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FeedSource } from '../replication/feed-source.js';
import { ReplicaFollower, type FollowerHealth } from '../replication/follower.js';
import { HttpFeedSource } from '../replication/http-feed-source.js';
import { newNodeId, persistentNodeId } from '../replication/node-id.js';
import { ReplicaFile } from '../replication/replica-file.js';
import { DataPlaneAuthenticator } from './authenticator.js';
import { authorize, type AuthorizeInput, type AuthorizeResult } from './authorize.js';
import { ReplicaIndex } from './replica-index.js';
import { UsageLog } from './usage-log.js';
import { UsageRecorder } from './usage-recorder.js';

/** The files createAuthorizer keeps in its data folder (the same names as a data-plane node's). */
export const AUTHORIZER_REPLICA_FILE = 'replica.db';
export const AUTHORIZER_USAGE_FILE = 'usage.db';
const USAGE_FLUSH_MS = 10_000;

export interface CreateAuthorizerOptions {
  /** The control plane's base URL, with the region's replication token… */
  controlPlaneUrl?: string;
  token?: string;
  /** …or any feed source instead (e.g. the control plane in the same process). */
  source?: FeedSource;
  region: string;
  /** Keeps the replica (`replica.db`: restarts serve from it while cut off) and usage (`usage.db`) here. */
  dataDir?: string;
  /** The id reported to the control plane; default: the one kept in `<dataDir>/node-id` (created on first use), or a new one per process without a data folder. */
  nodeId?: string;
  now?: () => Date;
  partition?: string;
  log?: (line: string) => void;
  /** How long each long-poll of the feed waits (ms). */
  pollWaitMs?: number;
  /** Gives up waiting for a first replica (createAuthorizer then rejects). */
  signal?: AbortSignal;
}

export interface Authorizer {
  /** The check; synchronous, never throws. */
  authorize(input: AuthorizeInput): AuthorizeResult;
  /** The control plane revision applied. */
  readonly revision: number;
  /** True once `revision` is applied, false after `timeoutMs` (read-your-writes). */
  waitForRevision(revision: number, timeoutMs: number): Promise<boolean>;
  health(): FollowerHealth;
  close(): Promise<void>;
}

/** Starts following the region's feed; resolves once a replica is held (from the data folder, else a snapshot). */
export async function createAuthorizer(options: CreateAuthorizerOptions): Promise<Authorizer> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  if (!options.source && (!options.controlPlaneUrl || !options.token)) throw new TypeError('createAuthorizer needs controlPlaneUrl and token, or a source');
  const dir = options.dataDir ? resolve(options.dataDir) : undefined;
  if (dir) mkdirSync(dir, { recursive: true, mode: 0o700 });
  let http: HttpFeedSource | undefined;
  let source = options.source;
  if (!source) {
    // A stable id across restarts when there is a data folder, so the control plane's list of
    // nodes (and `wait-propagated`) does not keep the previous process's entry.
    const nodeId = options.nodeId ?? (dir ? persistentNodeId(dir, 'authorizer') : newNodeId('authorizer'));
    // The source reports the applied revision itself (each poll's `after`).
    source = http = new HttpFeedSource({ url: options.controlPlaneUrl as string, token: options.token as string, nodeId });
  }

  let file: ReplicaFile | undefined;
  let usageLog: UsageLog | undefined;
  if (dir) {
    try {
      file = ReplicaFile.open(join(dir, AUTHORIZER_REPLICA_FILE));
      usageLog = UsageLog.open(join(dir, AUTHORIZER_USAGE_FILE));
    } catch (err) {
      file?.close();
      http?.close();
      throw err;
    }
  }

  const index = new ReplicaIndex({ region: options.region, partition: options.partition });
  const authenticator = new DataPlaneAuthenticator(index);
  const usage = new UsageRecorder();
  const started = new ReplicaFollower({ region: options.region, source, sink: index, file, now, log, pollWaitMs: options.pollWaitMs });

  const flushUsage = () => {
    if (!usageLog) return;
    const entries = usage.drain();
    if (!entries.length) return;
    try {
      usageLog.merge(entries);
    } catch (err) {
      log(`gatehouse: could not record authorization usage: ${String(err)}`);
    }
  };
  const closeFiles = () => {
    http?.close();
    usageLog?.close();
    file?.close();
  };

  try {
    await started.start(options.signal);
  } catch (err) {
    closeFiles();
    throw err;
  }
  const flusher = usageLog ? setInterval(flushUsage, USAGE_FLUSH_MS) : undefined;
  flusher?.unref();

  let closed = false;
  return {
    authorize: (input) => authorize({ view: index, authenticator, usage: usageLog ? usage : undefined, now: now() }, input),
    get revision() {
      return started.revision;
    },
    waitForRevision: (revision, timeoutMs) => started.waitForRevision(revision, timeoutMs),
    health: () => started.health(),
    async close() {
      if (closed) return;
      closed = true;
      if (flusher) clearInterval(flusher);
      await started.stop();
      flushUsage();
      closeFiles();
    },
  };
}
