/**
 * IAM requests that reach a data-plane node are passed, byte for byte, to the control plane (the
 * only writer): the signature still verifies there, since the original Host header goes with
 * them. When the control plane cannot be reached they fail fast with a retryable error, so
 * nothing is half-written: a request either reached the control plane whole or not at all. The
 * one case that cannot be told apart is a request that was sent and got no answer in time (a
 * partition that drops packets, or a control plane that hangs): that 503 says the write may have
 * been applied.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { awsError } from '../core/errors/index.js';
import { serializeError } from '../protocol/index.js';

export interface ForwarderOptions {
  controlPlaneUrl: string;
  region: string;
  /** False while the region's follower cannot reach the control plane: fail at once. */
  reachable: () => boolean;
  /** Give up connecting after this long (ms, default 2000). */
  connectTimeoutMs?: number;
  /** Give up when the answer has not begun this long after the request was sent (ms, default 3000). */
  answerTimeoutMs?: number;
  /** Give up on the whole exchange until the answer begins after this long (ms, default 5000); also the idle limit while the answer streams. */
  timeoutMs?: number;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/** Why a forwarded request got no answer: it never reached the control plane, or it may have. */
type Failure = 'unreachable' | 'no-answer';

export class ControlPlaneForwarder {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly target: URL;

  constructor(private readonly options: ForwarderOptions) {
    this.target = new URL(options.controlPlaneUrl);
  }

  forward(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    if (!this.options.reachable()) return Promise.resolve(this.unavailable(res, 'unreachable'));
    const connectMs = this.options.connectTimeoutMs ?? 2_000;
    const answerMs = this.options.answerTimeoutMs ?? 3_000;
    const totalMs = this.options.timeoutMs ?? 5_000;
    return new Promise((done) => {
      const headers: Record<string, string | string[]> = {};
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i];
        if (HOP_BY_HOP.has(name.toLowerCase()) || name.toLowerCase() === 'content-length') continue;
        const prev = headers[name];
        headers[name] = prev === undefined ? req.rawHeaders[i + 1] : ([] as string[]).concat(prev, req.rawHeaders[i + 1]);
      }
      headers['Content-Length'] = String(body.length);
      let settled = false;
      /** Set once the body was handed to a connected socket: from then on the control plane may act on it. */
      let sent = false;
      let answered = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = (failure?: Failure) => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        if (failure) this.unavailable(res, failure);
        done();
      };
      const out = httpRequest(
        { protocol: this.target.protocol, hostname: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers, agent: this.agent, timeout: totalMs },
        (answer) => {
          answered = true;
          for (const t of timers) clearTimeout(t);
          const pass: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) pass[name] = value;
          res.writeHead(answer.statusCode ?? 502, pass);
          answer.pipe(res);
          answer.on('end', () => finish());
          answer.on('error', () => {
            res.destroy();
            finish();
          });
        },
      );
      // Each timer destroys the request; the error handler below answers.
      const giveUp = (why: string) => () => out.destroy(new Error(why));
      const connectTimer = setTimeout(giveUp('connect timeout'), connectMs);
      timers.push(connectTimer, setTimeout(giveUp('no answer in time'), totalMs));
      out.on('socket', (socket) => {
        const connected = () => clearTimeout(connectTimer);
        if (!socket.connecting) connected();
        else socket.once('connect', connected);
      });
      out.on('finish', () => {
        sent = true;
        if (!answered && !settled) timers.push(setTimeout(giveUp('no answer in time'), answerMs));
      });
      out.on('timeout', giveUp('idle timeout'));
      out.on('error', (err: NodeJS.ErrnoException) => {
        if (res.headersSent) {
          res.destroy();
          finish();
          return;
        }
        // A kept-alive connection the control plane had closed fails on reuse before the request
        // is read: that one never reached it.
        const stale = out.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
        finish(sent && !stale ? 'no-answer' : 'unreachable');
      });
      out.end(body);
    });
  }

  private unavailable(res: ServerResponse, failure: Failure): void {
    const requestId = randomUUID();
    const message =
      failure === 'unreachable'
        ? `The control plane cannot be reached from ${this.options.region}: IAM changes cannot be made right now. Retry later; STS and authorization keep working in this region.`
        : 'The request reached the control plane but no answer came back in time; it may have been applied: check before retrying.';
    const body = serializeError('iam', awsError('ServiceUnavailable', message), requestId);
    res.writeHead(503, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body), 'x-amzn-RequestId': requestId, 'Retry-After': '5' });
    res.end(body);
  }

  close(): void {
    this.agent.destroy();
  }
}
