/**
 * The HTTP edge of the AWS Query API (IAM and STS): reads the request within limits, routes it by
 * `Version` and credential scope to its backend (query-backends.ts), authenticates, decodes,
 * runs, answers in AWS's XML, and records an audit event for every call, failures included.
 * Anything unexpected becomes `InternalFailure` with no internal text.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildAuditEvent, unauthenticatedIdentity, type AuditLog } from '../audit/index.js';
import { AwsError, awsError } from '../core/errors/index.js';
import { policyLintAudit, policyLintHeader } from '../control-plane/policy-lint-on-write.js';
import type { Principal } from '../core/model/principal.js';
import { sha256Hex, type HttpRequestParts } from '../core/sigv4/index.js';
import { decodeForm, parseQueryRequest, serializeError, serializeResult, type QueryService } from '../protocol/index.js';
import { auditIdentity } from './audit-identity.js';
import type { ServerLimits } from './limits.js';
import { minRevisionOf, MIN_REVISION_WAIT_MS } from './min-revision.js';
import type { QueryBackend } from './query-backends.js';
import { BodyTooLarge, readBody } from './read-body.js';

export interface QueryHandlerDeps {
  /** The backend for a service and request; undefined: this node does not serve it. */
  backendFor(service: QueryService, parts: HttpRequestParts): QueryBackend | undefined;
  /** IAM on a node without the control plane: pass the request through (data-plane nodes). */
  forwardIam?(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void>;
  audit?: AuditLog;
  limits: ServerLimits;
  now: () => Date;
  /** Region named in audit events of requests that never got one. */
  homeRegion: string;
  /** Called with unexpected errors (logged without request data). */
  onInternalError?: (err: unknown) => void;
}

const VERSIONS: Record<string, QueryService> = { '2010-05-08': 'iam', '2011-06-15': 'sts' };

interface RequestHeaders {
  /** Every header as received, for SigV4. */
  pairs: [string, string][];
  /** The first value of each, as `req.headers` would have it. */
  contentLength?: string;
  userAgent?: string;
  minRevision?: string;
}

/** One pass over the raw headers: `req.headers` would build a second copy of them for a few values. */
function readHeaders(raw: string[]): RequestHeaders {
  const out: RequestHeaders = { pairs: [] };
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    out.pairs.push([name, value]);
    if (name.length === 10 && out.userAgent === undefined && name.toLowerCase() === 'user-agent') out.userAgent = value;
    else if (name.length === 14 && out.contentLength === undefined && name.toLowerCase() === 'content-length') out.contentLength = value;
    else if (name.length === 24 && out.minRevision === undefined && name.toLowerCase() === 'x-gatehouse-min-revision') out.minRevision = value;
  }
  return out;
}

/** Sends the response: every header in one writeHead call, rather than one setHeader call (and check) each. */
function send(res: ServerResponse, status: number, body: string, requestId: string, revision: number | undefined, closeConnection: boolean, policyLint?: string): void {
  const headers = ['Content-Type', 'text/xml', 'Content-Length', String(Buffer.byteLength(body)), 'x-amzn-RequestId', requestId];
  if (revision !== undefined) headers.push('x-gatehouse-revision', String(revision));
  if (policyLint !== undefined) headers.push('x-gatehouse-policy-lint', policyLint);
  if (closeConnection) headers.push('Connection', 'close');
  res.writeHead(status, headers);
  res.end(body);
}

export function createQueryHandler(deps: QueryHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((err) => {
      deps.onInternalError?.(err);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      }
    });
  };
}

async function handle(deps: QueryHandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const started = deps.now();
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  let service: QueryService = 'iam';
  let backend: QueryBackend | undefined;
  let operation = 'Unknown';
  let principal: Principal | undefined;
  let accessKeyId: string | undefined;
  let region = deps.homeRegion;
  let input: Record<string, unknown> | undefined;
  let closeConnection = false;
  const headers = readHeaders(req.rawHeaders);

  const reply = (status: number, body: string, revision?: number, policyLint?: string) => send(res, status, body, requestId, revision, closeConnection, policyLint);
  const audit = (fields: { errorCode?: string; errorMessage?: string; responseElements?: Record<string, unknown> | null; readOnly: boolean; additionalEventData?: Record<string, unknown> }) => {
    if (!deps.audit) return;
    deps.audit.append(
      buildAuditEvent({
        identity: principal ? auditIdentity(principal) : unauthenticatedIdentity(accessKeyId),
        eventSource: service === 'sts' ? 'sts.amazonaws.com' : 'iam.amazonaws.com',
        eventName: operation,
        awsRegion: region,
        sourceIPAddress: req.socket.remoteAddress ?? '',
        userAgent: headers.userAgent,
        requestParameters: input ?? null,
        responseElements: fields.responseElements ?? null,
        additionalEventData: fields.additionalEventData,
        errorCode: fields.errorCode,
        errorMessage: fields.errorMessage,
        requestId,
        eventId: randomUUID(),
        eventTime: deps.now(),
        readOnly: fields.readOnly,
        recipientAccountId: principal?.account ?? '',
      }),
    );
  };
  const fail = (err: AwsError, status = err.httpStatus) => {
    reply(status, serializeError(service, err, requestId));
    audit({ errorCode: err.code, errorMessage: err.message, readOnly: backend?.isReadOnly(operation) ?? true });
  };

  try {
    if (req.method !== 'POST' && req.method !== 'GET') throw awsError('InvalidAction', `Unsupported HTTP method ${req.method}`);
    let body: Buffer;
    try {
      body = await readBody(req, headers.contentLength, deps.limits.maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        closeConnection = true;
        throw awsError('RequestEntityTooLarge', `Request body must be at most ${deps.limits.maxBodyBytes} bytes.`);
      }
      throw err;
    }
    const form = decodeForm(req.method === 'GET' ? query : body.toString('utf8'), { maxParameters: deps.limits.maxParameters });
    operation = form.get('Action') ?? 'Unknown';
    service = VERSIONS[form.get('Version') ?? ''] ?? 'iam';

    const parts: HttpRequestParts = { method: req.method, path, query, headers: headers.pairs, bodySha256: sha256Hex(body) };
    backend = deps.backendFor(service, parts);
    if (!backend) {
      if (service === 'iam' && deps.forwardIam) return await deps.forwardIam(req, body, res);
      throw awsError('InvalidAction', `Could not find operation ${operation} for version ${form.get('Version')}`);
    }
    if (backend.isUnsigned?.(operation)) {
      // Web identity and SAML federation carry their own proof of identity instead of a signature.
      region = backend.plane?.region ?? deps.homeRegion;
    } else {
      const auth = await backend.authenticate(parts, started);
      if (!auth.ok) {
        accessKeyId = auth.accessKeyId;
        principal = auth.principal;
        return fail(awsError(auth.code, auth.message), auth.status);
      }
      principal = auth.principal;
      region = auth.region || deps.homeRegion;
    }

    const parsed = parseQueryRequest(form);
    operation = parsed.operation;
    input = parsed.input;
    if (parsed.service !== service) throw awsError('InvalidAction', `Could not find operation ${operation} for version ${form.get('Version')}`);
    const minRevision = minRevisionOf(headers.minRevision);
    if (minRevision === null) throw awsError('ValidationError', 'x-gatehouse-min-revision must be a non-negative integer.');
    if (minRevision !== undefined && backend.plane && !(await backend.plane.follower.waitForRevision(minRevision, MIN_REVISION_WAIT_MS))) {
      throw awsError('ServiceUnavailable', `Revision ${minRevision} has not reached ${backend.plane.region} yet (applied: ${backend.plane.follower.revision}). Retry shortly.`);
    }
    const result = await backend.call(operation, parsed.input, principal, region, {
      requestId,
      sourceIp: req.socket.remoteAddress ?? '',
      userAgent: headers.userAgent ?? '',
      secureTransport: false,
      now: started,
    });
    // Lint on write (the account's setting): a header and the audit event; the body stays AWS's.
    reply(200, serializeResult(service, operation, result.output as Record<string, unknown> | undefined, requestId), result.revision, result.lint && policyLintHeader(result.lint));
    audit({
      responseElements: result.changed || service === 'sts' ? ((result.output as Record<string, unknown> | undefined) ?? null) : null,
      readOnly: !result.changed && backend.isReadOnly(operation),
      ...(result.lint ? { additionalEventData: { policyLint: policyLintAudit(result.lint) } } : {}),
    });
  } catch (err) {
    if (err instanceof AwsError) return fail(err);
    deps.onInternalError?.(err);
    fail(awsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.'));
  }
}
