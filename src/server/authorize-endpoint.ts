/**
 * `POST /v1/authorize`: the data plane's check for other services (docs/authorize-api.yaml).
 * JSON in (the incoming request as received, the action, the resource, extra context keys), JSON
 * out (the decision, the principal, the deciding statements, AWS's AccessDenied message, the
 * applied revision). The request goes to the data plane of the region its signature is scoped to.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerPairs, type AuthorizeInput } from '../data-plane/authorize.js';
import type { RegionDataPlane } from './region-data-plane.js';
import { readBody, BodyTooLarge } from './read-body.js';
import { scopeRegion } from './scope-region.js';
import { minRevisionOf, MIN_REVISION_WAIT_MS } from './min-revision.js';

export const AUTHORIZE_PATH = '/v1/authorize';
/** An inner request's headers plus policy context: far below this. */
const MAX_AUTHORIZE_BODY = 64 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function error(res: ServerResponse, status: number, code: string, message: string, extra: { revision?: number } = {}): void {
  sendJson(res, status, { decision: 'Deny', ...extra, error: { code, message } });
}

/** Answers `POST /v1/authorize` with the data plane `planeFor` picks for the request's region. */
export async function serveAuthorize(req: IncomingMessage, res: ServerResponse, planeFor: (region: string | undefined) => RegionDataPlane): Promise<void> {
  if (req.method !== 'POST') return error(res, 405, 'MethodNotAllowed', 'Use POST.');
  let input: AuthorizeInput;
  try {
    const body = await readBody(req, req.headers['content-length'], MAX_AUTHORIZE_BODY);
    input = JSON.parse(body.toString('utf8')) as AuthorizeInput;
  } catch (err) {
    if (err instanceof BodyTooLarge) return error(res, 413, 'RequestEntityTooLarge', `The request body must be at most ${MAX_AUTHORIZE_BODY} bytes.`);
    return error(res, 400, 'ValidationError', 'The request body must be a JSON object.');
  }
  const headers = input && typeof input === 'object' && input.request && typeof input.request === 'object' ? headerPairs(input.request.headers) : undefined;
  if (!headers) return error(res, 400, 'ValidationError', 'request.headers must be an object of header names to values, or a list of [name, value] pairs.');
  const query = typeof input.request.query === 'string' ? input.request.query : '';
  const plane = planeFor(scopeRegion(headers, query));
  const minRevision = minRevisionOf(req.headers['x-gatehouse-min-revision']);
  if (minRevision === null) return error(res, 400, 'ValidationError', 'x-gatehouse-min-revision must be a non-negative integer.');
  if (minRevision !== undefined && !(await plane.follower.waitForRevision(minRevision, MIN_REVISION_WAIT_MS))) {
    res.setHeader('Retry-After', '1');
    const applied = plane.follower.revision;
    return error(res, 503, 'ServiceUnavailable', `Revision ${minRevision} has not reached ${plane.region} yet (applied: ${applied}). Retry shortly.`, { revision: applied });
  }
  // Pairs already: authorize() does not convert them again.
  const result = plane.authorize({ ...input, request: { ...input.request, headers } });
  sendJson(res, result.status, result.body);
}
