/**
 * A tiny "reports" service protected by Gatehouse. Its callers sign requests with the AWS SDK's
 * SigV4 signer (service name `reports`), as they would call an AWS service; each request is mapped
 * to an IAM action and a resource ARN and checked in process by `createAuthorizer` (an embedded
 * replica of the region: no network hop, and it keeps answering while the control plane is away).
 *
 *   GET    /reports        reports:ListReports   arn:aws:reports:<region>:<account>:report/*
 *   GET    /reports/<id>   reports:GetReport     arn:aws:reports:<region>:<account>:report/<id>
 *   PUT    /reports/<id>   reports:PutReport     (body: the report)
 *   DELETE /reports/<id>   reports:DeleteReport
 *
 * `?format=csv|json` on GET is passed as the condition key `reports:Format`, so policies can
 * restrict it. Denied requests get 403 with AWS's AccessDenied message.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Authorizer } from '../../src/data-plane/create-authorizer.js';
import type { AuthorizeInput } from '../../src/data-plane/authorize.js';

export interface AppOptions {
  /** Anything with createAuthorizer's `authorize` (the embedded check). */
  authorizer: Pick<Authorizer, 'authorize'>;
  /** The region and account that own the reports (their ARNs). */
  region: string;
  account: string;
}

const MAX_BODY = 1024 * 1024;
const REPORT_ID = /^[A-Za-z0-9._-]{1,128}$/;

interface Route {
  action: string;
  resource: string;
  id?: string;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The action and resource a request needs, or undefined when no route matches. */
export function routeOf(method: string, path: string, region: string, account: string): Route | undefined {
  const arn = (id: string) => `arn:aws:reports:${region}:${account}:report/${id}`;
  if (path === '/reports' && method === 'GET') return { action: 'reports:ListReports', resource: arn('*') };
  const m = /^\/reports\/([^/]+)$/.exec(path);
  if (!m) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
  if (!REPORT_ID.test(id)) return undefined;
  const action = { GET: 'reports:GetReport', PUT: 'reports:PutReport', DELETE: 'reports:DeleteReport' }[method];
  return action ? { action, resource: arn(id), id } : undefined;
}

/** The service's request handler; reports live in memory. */
export function createApp(options: AppOptions): RequestListener {
  const reports = new Map<string, string>();
  return (req, res) => {
    void (async () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const query = q < 0 ? '' : url.slice(q + 1);
      const method = req.method ?? 'GET';
      const route = routeOf(method, path, options.region, options.account);
      if (!route) return send(res, 404, { error: { code: 'NotFound', message: `No route for ${method} ${path}.` } });

      const body = await readBody(req);
      if (!body) return send(res, 413, { error: { code: 'RequestEntityTooLarge', message: `The body must be at most ${MAX_BODY} bytes.` } });
      const format = new URLSearchParams(query).get('format');

      // The request exactly as received: the signature covers the method, the raw path and query,
      // the signed headers, and the body (hashed here, so a body that differs from what was
      // signed fails even when the client's x-amz-content-sha256 header claims otherwise).
      const headers: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
      const input: AuthorizeInput = {
        request: { method, path, query, headers, payloadHash: createHash('sha256').update(body).digest('hex') },
        action: route.action,
        resource: route.resource,
        ...(format ? { context: { 'reports:Format': format } } : {}),
        ...(req.socket.remoteAddress ? { sourceIp: req.socket.remoteAddress } : {}),
        // Denials carry the details `aws sts decode-authorization-message` shows.
        encodeMessage: true,
      };
      const result = options.authorizer.authorize(input);
      if (result.body.error) return send(res, result.status, { error: result.body.error });
      if (result.body.decision !== 'Allow') return send(res, 403, { error: { code: 'AccessDenied', message: result.body.message ?? 'Access denied' }, encodedMessage: result.body.encodedMessage });

      const caller = result.body.principal?.arn;
      switch (route.action) {
        case 'reports:ListReports':
          return send(res, 200, { reports: [...reports.keys()].sort(), caller });
        case 'reports:GetReport': {
          const text = reports.get(route.id as string);
          return text === undefined ? send(res, 404, { error: { code: 'NoSuchReport', message: `Report ${route.id} does not exist.` } }) : send(res, 200, { id: route.id, body: text, caller });
        }
        case 'reports:PutReport':
          reports.set(route.id as string, body.toString('utf8'));
          return send(res, 200, { id: route.id, caller });
        default:
          reports.delete(route.id as string);
          return send(res, 200, { id: route.id, caller });
      }
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { code: 'InternalError', message: 'Internal error' } });
      else res.destroy();
      console.error('reports: internal error', err);
    });
  };
}
