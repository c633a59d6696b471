/**
 * The replication feed over HTTP, on the control plane:
 *
 *   GET /v1/replication/snapshot?region=R
 *   GET /v1/replication/changes?region=R&after=N[&wait=MS][&limit=N]
 *
 * Each region's data planes authenticate with that region's bearer token (replication-token.ts),
 * so a token read from one region's disk opens no other region's feed. Bodies are JSON (a
 * snapshot laid out one record per line, snapshot-lines.ts), gzipped when the reader accepts it.
 * Pollers report who they are and what they have applied (`x-gatehouse-node`,
 * `x-gatehouse-applied`), which gives the control plane its view of the regions.
 *
 * A long-poll that waits sends a heartbeat while it does: after `heartbeatMs` it commits the
 * 200 and writes one space, then another every `heartbeatMs` until the batch follows (JSON allows
 * leading whitespace). Every answer announces the interval (`x-gatehouse-heartbeat-ms`), so a
 * reader can treat a longer silence as a dead link (a partition that drops packets sends no
 * reset) instead of waiting out the whole poll.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip, gzip } from 'node:zlib';
import { constantTimeEqual } from '../core/crypto/index.js';
import { checkRegion, DEFAULT_CHANGES_LIMIT, MAX_CHANGES_LIMIT } from './control-plane-feed.js';
import { FeedError, type FeedSource } from './feed-source.js';
import { snapshotChunks } from './snapshot-lines.js';

export const SNAPSHOT_PATH = '/v1/replication/snapshot';
export const CHANGES_PATH = '/v1/replication/changes';
export const NODE_HEADER = 'x-gatehouse-node';
export const APPLIED_HEADER = 'x-gatehouse-applied';
export const HEARTBEAT_HEADER = 'x-gatehouse-heartbeat-ms';
export const DEFAULT_HEARTBEAT_MS = 5_000;

export interface FeedPoll {
  region: string;
  /** The polling node's id as it reported it. */
  node: string;
  /** The revision the node had applied when it asked (0 when it did not say). */
  applied: number;
  time: Date;
}

export interface FeedHandlerOptions {
  source: FeedSource;
  /** The bearer token of a region's feed. */
  tokenFor(region: string): string;
  /** Told of every authenticated request that names its node. */
  onPoll?(poll: FeedPoll): void;
  /** The longest long-poll a reader may ask for (ms, default 25000). */
  maxWaitMs?: number;
  /** How often a waiting long-poll writes a heartbeat byte (ms, default 5000; 0: never). */
  heartbeatMs?: number;
  /** Clock for `onPoll` times (default: the system clock). */
  now?: () => Date;
  /** Told of unexpected errors (the reader gets a bare 500). */
  onError?(err: unknown): void;
}

const gzipAsync = promisify(gzip);
/** Below this, compressing costs more than it saves. */
const GZIP_MIN_BYTES = 1024;
const MAX_NODE_CHARS = 128;

/** Answers the feed's two paths; false for any other path, so the caller routes it on. */
export function createFeedHandler(options: FeedHandlerOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const maxWaitMs = options.maxWaitMs ?? 25_000;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const now = options.now ?? (() => new Date());
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://feed.invalid');
    const route = url.pathname === SNAPSHOT_PATH ? 'snapshot' : url.pathname === CHANGES_PATH ? 'changes' : undefined;
    if (!route) return false;
    // The long-poll and the snapshot stop working for a reader that went away.
    const aborter = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) aborter.abort();
    });
    try {
      if (req.method !== 'GET') {
        res.setHeader('allow', 'GET');
        throw new FeedError(`${req.method ?? 'This method'} is not allowed here; use GET`, 405, false);
      }
      const region = url.searchParams.get('region') ?? '';
      checkRegion(region);
      authenticate(req, region, options.tokenFor);
      reportPoll(req, region, options, now);
      const acceptsGzip = acceptsGzipEncoding(req.headers['accept-encoding']);
      if (heartbeatMs > 0) res.setHeader(HEARTBEAT_HEADER, String(heartbeatMs));
      if (route === 'snapshot') {
        const snapshot = await options.source.snapshot(region, aborter.signal);
        await sendSnapshot(res, snapshot, acceptsGzip);
      } else {
        const after = integerParam(url, 'after', undefined, 0, Number.MAX_SAFE_INTEGER);
        const waitMs = Math.min(integerParam(url, 'wait', 0, 0, Number.MAX_SAFE_INTEGER), maxWaitMs);
        const limit = integerParam(url, 'limit', DEFAULT_CHANGES_LIMIT, 1, MAX_CHANGES_LIMIT);
        const heartbeat = waitMs > 0 && heartbeatMs > 0 ? startHeartbeat(res, heartbeatMs) : undefined;
        let batch;
        try {
          batch = await options.source.changes(region, after, { waitMs, limit, signal: aborter.signal });
        } finally {
          heartbeat?.stop();
        }
        // Once a heartbeat went out the 200 is committed, without compression: end it with the batch.
        if (heartbeat?.started) res.end(JSON.stringify(batch));
        else await sendJson(res, 200, JSON.stringify(batch), acceptsGzip);
      }
    } catch (err) {
      if (aborter.signal.aborted || res.destroyed) return true;
      if (res.headersSent) {
        // Mid-body: the reader sees a truncated document and retries.
        res.destroy();
        return true;
      }
      if (err instanceof FeedError) {
        if (err.status === 401) res.setHeader('www-authenticate', 'Bearer realm="gatehouse-replication"');
        await sendJson(res, err.status >= 400 && err.status < 600 ? err.status : 503, errorBody(err.status, err.message), false);
      } else {
        options.onError?.(err);
        await sendJson(res, 500, errorBody(500, 'The feed failed unexpectedly.'), false);
      }
    }
    return true;
  };
}

/** Writes a space every `ms` (committing a 200 JSON answer at the first), until stopped. */
function startHeartbeat(res: ServerResponse, ms: number): { readonly started: boolean; stop(): void } {
  let started = false;
  const timer = setInterval(() => {
    if (res.destroyed || res.writableEnded) return;
    if (!started) {
      started = true;
      res.statusCode = 200;
      res.setHeader('content-type', 'application/json');
      res.setHeader('cache-control', 'no-store');
    }
    res.write(' ');
  }, ms);
  return {
    get started() {
      return started;
    },
    stop: () => clearInterval(timer),
  };
}

function authenticate(req: IncomingMessage, region: string, tokenFor: (region: string) => string): void {
  const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
  let expected = '';
  try {
    expected = tokenFor(region);
  } catch {
    // A region the control plane does not serve: answered like a wrong token.
  }
  const same = constantTimeEqual(match?.[1] ?? '', expected);
  if (!match || expected === '' || !same) throw new FeedError(`This token does not open the replication feed of ${region}.`, 401, false);
}

function reportPoll(req: IncomingMessage, region: string, options: FeedHandlerOptions, now: () => Date): void {
  if (!options.onPoll) return;
  const node = header(req, NODE_HEADER);
  if (!node) return;
  const appliedText = header(req, APPLIED_HEADER) ?? '';
  const applied = /^\d{1,15}$/.test(appliedText) ? Number(appliedText) : 0;
  options.onPoll({ region, node: node.replace(/[^\x21-\x7e]/g, '').slice(0, MAX_NODE_CHARS), applied, time: now() });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function integerParam(url: URL, name: string, fallback: number | undefined, min: number, max: number): number {
  const text = url.searchParams.get(name);
  if (text === null || text === '') {
    if (fallback === undefined) throw new FeedError(`${name} is required`, 400, false);
    return fallback;
  }
  const value = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new FeedError(`${name} must be an integer from ${min} to ${max}`, 400, false);
  return value;
}

/** Whether Accept-Encoding lists gzip with a non-zero quality. */
export function acceptsGzipEncoding(value: string | string[] | undefined): boolean {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  for (const part of text.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name?.trim() !== 'gzip') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

function errorBody(status: number, message: string): string {
  const code = status === 401 ? 'Unauthorized' : status === 400 ? 'BadRequest' : status === 405 ? 'MethodNotAllowed' : status === 500 ? 'InternalFailure' : 'ServiceUnavailable';
  return JSON.stringify({ error: { code, message } });
}

async function sendJson(res: ServerResponse, status: number, body: string, acceptsGzip: boolean): Promise<void> {
  let bytes: Buffer = Buffer.from(body, 'utf8');
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('vary', 'accept-encoding');
  if (acceptsGzip && bytes.length >= GZIP_MIN_BYTES) {
    bytes = await gzipAsync(bytes);
    res.setHeader('content-encoding', 'gzip');
  }
  res.setHeader('content-length', bytes.length);
  res.end(bytes);
}

async function sendSnapshot(res: ServerResponse, snapshot: Parameters<typeof snapshotChunks>[0], acceptsGzip: boolean): Promise<void> {
  res.statusCode = 200;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('vary', 'accept-encoding');
  const body = Readable.from(snapshotChunks(snapshot));
  if (acceptsGzip) {
    res.setHeader('content-encoding', 'gzip');
    await pipeline(body, createGzip({ level: 6 }), res);
  } else {
    await pipeline(body, res);
  }
}
