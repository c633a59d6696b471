/**
 * The feed read over HTTP from the control plane (feed-http.ts is the other end), for data
 * planes in their own processes. Failures come back fast as FeedErrors: retryable when the
 * control plane is unreachable, slow, or answers 5xx; not retryable for a token it refuses.
 *
 * A silent partition (packets dropped, nothing reset) shows only as silence. A control plane that
 * announces heartbeats (`x-gatehouse-heartbeat-ms`) writes a byte at least that often during a
 * long-poll, so once one answer has announced them, a long-poll silent for `silenceTimeoutMs`
 * fails at once instead of after its whole wait.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { APPLIED_HEADER, CHANGES_PATH, HEARTBEAT_HEADER, NODE_HEADER, SNAPSHOT_PATH } from './feed-http.js';
import { abortedError, FeedError, type ChangesOptions, type FeedSource } from './feed-source.js';
import { FEED_VERSION, type FeedChanges, type FeedSnapshot } from './feed-types.js';
import { SnapshotLineParser } from './snapshot-lines.js';

export interface HttpFeedSourceOptions {
  /** The control plane's base URL (http or https). */
  url: string;
  /** This region's replication token. */
  token: string;
  /** This node's id, reported with every poll. */
  nodeId: string;
  /**
   * The revision this node has applied, reported with a snapshot request made before the source
   * knows one (a changes request reports its `after`, and after a snapshot its revision is known).
   */
  applied?: () => number;
  /** Give up connecting after this long (ms, default 2000). */
  connectTimeoutMs?: number;
  /** Give up when the connection is silent this long beyond any long-poll wait (ms, default 30000), with a control plane that sends no heartbeats. */
  idleTimeoutMs?: number;
  /** With a control plane that sends heartbeats: give up on a long-poll silent this long (ms, default 12000, at least twice its heartbeat). */
  silenceTimeoutMs?: number;
  /** Give up on a snapshot whose connection is silent this long (ms, default 120000: building one takes a while). */
  snapshotIdleTimeoutMs?: number;
}

interface RequestPlan {
  path: string;
  signal?: AbortSignal;
  idleMs: number;
  /** The applied revision to report. */
  applied: number | undefined;
}

class ConnectTimeout extends Error {}
class IdleTimeout extends Error {}

export class HttpFeedSource implements FeedSource {
  readonly #base: URL;
  readonly #token: string;
  readonly #nodeId: string;
  readonly #applied: (() => number) | undefined;
  readonly #connectTimeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #silenceTimeoutMs: number;
  readonly #snapshotIdleTimeoutMs: number;
  /** The heartbeat interval the control plane announced in its last answer (ms), if any. */
  #heartbeatMs: number | undefined;
  /** The revision this node last said it holds: a changes request's `after`, a snapshot's revision. */
  #known: number | undefined;
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;

  constructor(options: HttpFeedSourceOptions) {
    this.#base = new URL(options.url);
    if (this.#base.protocol !== 'http:' && this.#base.protocol !== 'https:') throw new TypeError('the control plane URL must be http or https');
    this.#token = options.token;
    this.#nodeId = options.nodeId;
    this.#applied = options.applied;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.#silenceTimeoutMs = options.silenceTimeoutMs ?? 12_000;
    this.#snapshotIdleTimeoutMs = options.snapshotIdleTimeoutMs ?? 120_000;
    const secure = this.#base.protocol === 'https:';
    // Keep-alive: a tailing node polls without pause, so one connection serves every poll.
    this.#agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 4 }) : new http.Agent({ keepAlive: true, maxSockets: 4 });
    this.#request = secure ? https.request : http.request;
  }

  async snapshot(region: string, signal?: AbortSignal): Promise<FeedSnapshot> {
    const path = this.#path(SNAPSHOT_PATH, { region });
    const snapshot = await this.#get({ path, signal, idleMs: this.#snapshotIdleTimeoutMs, applied: this.#known ?? this.#applied?.() }, readSnapshot);
    checkAnswer(snapshot, region);
    this.#known = snapshot.revision;
    return snapshot;
  }

  async changes(region: string, after: number, options: ChangesOptions = {}): Promise<FeedChanges> {
    const waitMs = Math.max(0, Math.floor(options.waitMs ?? 0));
    const query: Record<string, string> = { region, after: String(after), wait: String(waitMs) };
    if (options.limit !== undefined) query.limit = String(options.limit);
    // A node asks for the changes after what it holds: `after` is its applied revision, even
    // before whoever owns this source has finished starting.
    this.#known = after;
    const batch = await this.#get({ path: this.#path(CHANGES_PATH, query), signal: options.signal, idleMs: this.#changesIdleMs(waitMs), applied: after }, readJson<FeedChanges>);
    checkAnswer(batch, region);
    return batch;
  }

  /** How long a long-poll may stay silent before it counts as failed. */
  #changesIdleMs(waitMs: number): number {
    if (this.#heartbeatMs === undefined) return waitMs + this.#idleTimeoutMs;
    return Math.min(waitMs + this.#idleTimeoutMs, Math.max(this.#silenceTimeoutMs, 2 * this.#heartbeatMs));
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  #path(route: string, query: Record<string, string>): string {
    return `${this.#base.pathname.replace(/\/+$/, '')}${route}?${new URLSearchParams(query).toString()}`;
  }

  async #get<T>(plan: RequestPlan, read: (body: Readable) => Promise<T>): Promise<T> {
    try {
      return await this.#attempt(plan, read);
    } catch (err) {
      // A keep-alive connection the server closed while idle fails on reuse: that says nothing
      // about the control plane, so try once more on a fresh connection.
      if (err instanceof StaleSocket) return this.#attempt(plan, read);
      throw err;
    }
  }

  #attempt<T>(plan: RequestPlan, read: (body: Readable) => Promise<T>): Promise<T> {
    if (plan.signal?.aborted) return Promise.reject(abortedError());
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (err: unknown, value?: T) => {
        if (settled) return;
        settled = true;
        plan.signal?.removeEventListener('abort', onAbort);
        if (err === undefined) resolve(value as T);
        else reject(err);
      };
      const headers: Record<string, string> = {
        authorization: `Bearer ${this.#token}`,
        accept: 'application/json',
        'accept-encoding': 'gzip',
        'user-agent': 'gatehouse-data-plane',
        [NODE_HEADER]: this.#nodeId,
      };
      const applied = plan.applied;
      if (applied !== undefined && Number.isSafeInteger(applied) && applied >= 0) headers[APPLIED_HEADER] = String(applied);
      const req = this.#request({
        protocol: this.#base.protocol,
        hostname: this.#base.hostname.replace(/^\[|\]$/g, ''),
        port: this.#base.port || undefined,
        path: plan.path,
        method: 'GET',
        headers,
        agent: this.#agent,
      });
      const onAbort = () => {
        req.destroy();
        finish(abortedError());
      };
      plan.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(() => req.destroy(new ConnectTimeout()), this.#connectTimeoutMs);
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      req.setTimeout(plan.idleMs, () => req.destroy(new IdleTimeout()));
      req.on('error', (err) => finish(plan.signal?.aborted ? abortedError() : requestError(err, req.reusedSocket)));
      req.on('response', (res) => {
        const body = bodyOf(res);
        const status = res.statusCode ?? 0;
        if (status === 200) this.#heartbeatMs = heartbeatOf(res);
        if (status !== 200) {
          readText(body).then(
            (text) => finish(statusError(status, text)),
            () => finish(statusError(status, '')),
          );
          return;
        }
        read(body).then(
          (value) => finish(undefined, value),
          (err: unknown) => finish(plan.signal?.aborted ? abortedError() : err instanceof FeedError ? err : new FeedError(`the control plane's answer could not be read: ${messageOf(err)}`, 502, true)),
        );
      });
      req.end();
    });
  }
}

class StaleSocket extends FeedError {}

/** The heartbeat interval a feed answer announces; undefined when it announces none. */
function heartbeatOf(res: IncomingMessage): number | undefined {
  const text = res.headers[HEARTBEAT_HEADER];
  const ms = typeof text === 'string' && /^\d{1,7}$/.test(text) ? Number(text) : 0;
  return ms > 0 ? ms : undefined;
}

function requestError(err: Error, reusedSocket: boolean): FeedError {
  const code = (err as NodeJS.ErrnoException).code;
  if (reusedSocket && code === 'ECONNRESET') return new StaleSocket('the kept-alive connection was closed', 0, true);
  if (err instanceof ConnectTimeout) return new FeedError('the control plane did not accept a connection in time', 0, true);
  if (err instanceof IdleTimeout) return new FeedError('the control plane did not answer in time', 0, true);
  return new FeedError(`the control plane is unreachable: ${code ?? err.message}`, 0, true);
}

function statusError(status: number, text: string): FeedError {
  let message = `the control plane answered ${status}`;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') message += `: ${parsed.error.message.slice(0, 300)}`;
  } catch {
    // Not our JSON (a proxy's page, say): the status says enough.
  }
  // Retrying cannot fix a refused token or a malformed request; anything else may pass.
  const retryable = !(status === 400 || status === 401 || status === 403 || status === 404 || status === 405);
  return new FeedError(message, status, retryable);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function bodyOf(res: IncomingMessage): Readable {
  if (String(res.headers['content-encoding'] ?? '').toLowerCase() !== 'gzip') return res;
  const gunzip = createGunzip();
  res.on('error', (err) => gunzip.destroy(err));
  return res.pipe(gunzip);
}

async function readText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson<T>(body: Readable): Promise<T> {
  return JSON.parse(await readText(body)) as T;
}

/** Parses a snapshot as its lines arrive, never holding the whole text. */
async function readSnapshot(body: Readable): Promise<FeedSnapshot> {
  const parser = new SnapshotLineParser();
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of body) {
    const text = rest + decoder.write(chunk as Buffer);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      parser.push(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest !== '') parser.push(rest);
  return parser.finish();
}

function checkAnswer(answer: { version?: unknown; region?: unknown }, region: string): void {
  if (answer.version !== FEED_VERSION) throw new FeedError(`the control plane speaks feed version ${String(answer.version)}, this node ${FEED_VERSION}`, 502, true);
  if (answer.region !== region) throw new FeedError(`the control plane answered for region ${String(answer.region)}`, 502, true);
}
