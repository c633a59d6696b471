/**
 * IAM requests that reach a data-plane node are passed, byte for byte, to the control plane (the
 * only writer): the signature still verifies there, since the original Host header goes with
 * them. When the control plane cannot be reached they fail fast with a retryable error, so
 * nothing is half-written: a request either reached the control plane whole or not at all.
 */
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { awsError } from '../core/errors/index.js';
import { serializeError } from '../protocol/index.js';
import { randomUUID } from 'node:crypto';

export interface ForwarderOptions {
  controlPlaneUrl: string;
  region: string;
  /** False while the region's follower cannot reach the control plane: fail at once. */
  reachable: () => boolean;
  connectTimeoutMs?: number;
  timeoutMs?: number;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

export class ControlPlaneForwarder {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly target: URL;

  constructor(private readonly options: ForwarderOptions) {
    this.target = new URL(options.controlPlaneUrl);
  }

  forward(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    if (!this.options.reachable()) return Promise.resolve(this.unavailable(res));
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
      const finish = (fail: boolean) => {
        if (settled) return;
        settled = true;
        if (fail) this.unavailable(res);
        done();
      };
      const out = httpRequest(
        { protocol: this.target.protocol, hostname: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers, agent: this.agent, timeout: this.options.timeoutMs ?? 10_000 },
        (answer) => {
          const pass: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) pass[name] = value;
          res.writeHead(answer.statusCode ?? 502, pass);
          answer.pipe(res);
          answer.on('end', () => finish(false));
          answer.on('error', () => {
            res.destroy();
            finish(false);
          });
        },
      );
      const connectTimer = setTimeout(() => out.destroy(new Error('connect timeout')), this.options.connectTimeoutMs ?? 2_000);
      out.on('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once('connect', () => clearTimeout(connectTimer));
      });
      out.on('timeout', () => out.destroy(new Error('timeout')));
      out.on('error', () => {
        clearTimeout(connectTimer);
        if (res.headersSent) {
          res.destroy();
          finish(false);
        } else finish(true);
      });
      out.end(body);
    });
  }

  private unavailable(res: ServerResponse): void {
    const requestId = randomUUID();
    const err = awsError('ServiceUnavailable', `The control plane cannot be reached from ${this.options.region}: IAM changes cannot be made right now. Retry later; STS and authorization keep working in this region.`);
    const body = serializeError('iam', err, requestId);
    res.writeHead(503, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body), 'x-amzn-RequestId': requestId, 'Retry-After': '5' });
    res.end(body);
  }

  close(): void {
    this.agent.destroy();
  }
}
