/**
 * The one HTTP entry of every node: health and metrics, the replication feed (control plane),
 * `/v1/authorize` (data planes), and the AWS Query API for everything else.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditLog } from '../audit/index.js';
import type { HttpRequestParts } from '../core/sigv4/index.js';
import type { QueryService } from '../protocol/index.js';
import { ANALYSIS_PATH_PREFIX } from './analysis-endpoint.js';
import { AUTHORIZE_PATH, serveAuthorize } from './authorize-endpoint.js';
import { serveHealth, type NodeRole, type RemoteNode, type WorkersReport } from './health.js';
import type { ServerLimits } from './limits.js';
import type { QueryBackend } from './query-backends.js';
import { createQueryHandler } from './query-handler.js';
import type { RegionDataPlane } from './region-data-plane.js';

export interface NodeHandlerDeps {
  role: NodeRole;
  now: () => Date;
  limits: ServerLimits;
  audit?: AuditLog;
  homeRegion: string;
  /** The regions this node serves (for health and `/v1/authorize`). */
  regions: RegionDataPlane[];
  /** On a worker of a node with several (`--workers`): every worker's health, for /health and /metrics. */
  workersHealth?: () => Promise<WorkersReport>;
  /** The data plane answering `/v1/authorize` for a request scoped to `region`. */
  planeFor(region: string | undefined): RegionDataPlane;
  queryBackend(service: QueryService, parts: HttpRequestParts): QueryBackend | undefined;
  forwardIam?(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void>;
  /** The control plane's feed endpoints; resolves false for paths it does not serve. */
  feed?(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** The JSON analysis API (control plane only). */
  analysis?(req: IncomingMessage, res: ServerResponse): Promise<void>;
  revision?(): Promise<number>;
  remoteNodes?(): RemoteNode[];
  onInternalError?: (err: unknown) => void;
}

function notServed(res: ServerResponse, message: string): void {
  const body = JSON.stringify({ error: { code: 'NotFound', message } });
  res.writeHead(404, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function createNodeHandler(deps: NodeHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const query = createQueryHandler({
    backendFor: (service, parts) => deps.queryBackend(service, parts),
    forwardIam: deps.forwardIam,
    audit: deps.audit,
    limits: deps.limits,
    now: deps.now,
    homeRegion: deps.homeRegion,
    onInternalError: deps.onInternalError,
  });
  const health = { role: deps.role, now: deps.now, revision: deps.revision, regions: () => deps.regions.map((r) => r.health()), workers: deps.workersHealth, remoteNodes: deps.remoteNodes };
  const failed = (res: ServerResponse) => (err: unknown) => {
    deps.onInternalError?.(err);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.end();
    } else res.destroy();
  };
  return (req, res) => {
    const url = req.url ?? '/';
    // Query requests (POST /, or GET /?Action=…) are the hot path: no routing work for them.
    if (url.length > 1 && url[1] !== '?') {
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      if (path === '/health' || path === '/metrics') {
        serveHealth(health, req, res, path).catch(failed(res));
        return;
      }
      if (path === AUTHORIZE_PATH) {
        serveAuthorize(req, res, (region) => deps.planeFor(region)).catch(failed(res));
        return;
      }
      if (path.startsWith(ANALYSIS_PATH_PREFIX)) {
        if (deps.analysis) deps.analysis(req, res).catch(failed(res));
        else notServed(res, 'The analysis API is served by the control plane (or a standalone node), not by a data-plane node.');
        return;
      }
      if (deps.feed && path.startsWith('/v1/replication/')) {
        const feed = deps.feed;
        feed(req, res)
          .then((served) => {
            if (!served) query(req, res);
          })
          .catch(failed(res));
        return;
      }
    }
    query(req, res);
  };
}
