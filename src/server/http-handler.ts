/**
 * The HTTP edge of the AWS Query API: reads the request within limits, authenticates it,
 * decodes it, runs it, answers in AWS's XML, and records an audit event for every call,
 * failures included. Anything unexpected becomes `InternalFailure` with no internal text.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildAuditEvent, unauthenticatedIdentity, type AuditLog, type SessionIssuer, type UserIdentity } from '../audit/index.js';
import type { Authenticator } from '../control-plane/authenticator.js';
import type { Caller } from '../control-plane/context.js';
import type { IamService } from '../control-plane/iam-service.js';
import { AwsError, awsError } from '../core/errors/index.js';
import { sha256Hex, type HttpRequestParts } from '../core/sigv4/index.js';
import { decodeForm, parseQueryRequest, serializeError, serializeResult, type QueryService } from '../protocol/index.js';
import type { ServerLimits } from './limits.js';

export interface HandlerDeps {
  iam: IamService;
  authenticator: Authenticator;
  audit?: AuditLog;
  limits: ServerLimits;
  now: () => Date;
  /** Region named in audit events when a request's scope has none. */
  homeRegion: string;
  /** Called with unexpected errors (logged without request data). */
  onInternalError?: (err: unknown) => void;
}

const VERSIONS: Record<string, QueryService> = { '2010-05-08': 'iam', '2011-06-15': 'sts' };

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, declaredLength: string | undefined, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(declaredLength);
    if (declared > max) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface RequestHeaders {
  /** Every header as received, for SigV4. */
  pairs: [string, string][];
  /** The first value of each, as `req.headers` would have it. */
  contentLength?: string;
  userAgent?: string;
}

/** One pass over the raw headers: `req.headers` would build a second copy of them for two values. */
function readHeaders(raw: string[]): RequestHeaders {
  const out: RequestHeaders = { pairs: [] };
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    out.pairs.push([name, value]);
    if (name.length === 10 && out.userAgent === undefined && name.toLowerCase() === 'user-agent') out.userAgent = value;
    else if (name.length === 14 && out.contentLength === undefined && name.toLowerCase() === 'content-length') out.contentLength = value;
  }
  return out;
}

/**
 * CloudTrail's userIdentity for a caller. A session adds `sessionContext`: who issued it (the role
 * for a role session, the calling user for a federated user; nothing for GetSessionToken, whose
 * caller is the user itself), when, whether with MFA, and the source identity.
 */
function identityOf(caller: Caller): UserIdentity {
  const identity: UserIdentity = { type: caller.type, principalId: caller.userId, arn: caller.arn, accountId: caller.account, accessKeyId: caller.accessKeyId };
  if (caller.type === 'IAMUser' && caller.userName) identity.userName = caller.userName;
  const s = caller.session;
  if (!s) return identity;
  const account = caller.account;
  const sessionIssuer: SessionIssuer | undefined =
    s.kind === 'AssumedRole'
      ? { type: 'Role', principalId: s.roleId ?? '', arn: s.roleArn ?? '', accountId: account, userName: s.roleName ?? '' }
      : s.kind === 'FederatedUser'
        ? s.userName
          ? { type: 'IAMUser', principalId: s.userId ?? '', arn: s.userArn ?? '', accountId: account, userName: s.userName }
          : { type: 'Root', principalId: account, arn: s.userArn ?? '', accountId: account }
        : undefined;
  identity.sessionContext = {
    ...(sessionIssuer ? { sessionIssuer } : {}),
    attributes: { creationDate: new Date(s.issuedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'), mfaAuthenticated: s.mfaAuthenticatedAt !== undefined ? 'true' : 'false' },
    ...(s.sourceIdentity !== undefined ? { sourceIdentity: s.sourceIdentity } : {}),
  };
  return identity;
}

/** Sends the response: every header in one writeHead call, rather than one setHeader call (and check) each. */
function send(res: ServerResponse, status: number, body: string, requestId: string, revision: number | undefined, closeConnection: boolean): void {
  const headers = ['Content-Type', 'text/xml', 'Content-Length', String(Buffer.byteLength(body)), 'x-amzn-RequestId', requestId];
  if (revision !== undefined) headers.push('x-gatehouse-revision', String(revision));
  if (closeConnection) headers.push('Connection', 'close');
  res.writeHead(status, headers);
  res.end(body);
}

export function createQueryHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
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

async function handle(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const started = deps.now();
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  let service: QueryService = 'iam';
  let operation = 'Unknown';
  let caller: Caller | undefined;
  let accessKeyId: string | undefined;
  let region = deps.homeRegion;
  let input: Record<string, unknown> | undefined;
  let closeConnection = false;
  const headers = readHeaders(req.rawHeaders);

  const reply = (status: number, body: string, revision?: number) => send(res, status, body, requestId, revision, closeConnection);
  const audit = (fields: { errorCode?: string; errorMessage?: string; responseElements?: Record<string, unknown> | null; readOnly: boolean }) => {
    if (!deps.audit) return;
    deps.audit.append(
      buildAuditEvent({
        identity: caller ? identityOf(caller) : unauthenticatedIdentity(accessKeyId),
        eventSource: service === 'sts' ? 'sts.amazonaws.com' : 'iam.amazonaws.com',
        eventName: operation,
        awsRegion: region,
        sourceIPAddress: req.socket.remoteAddress ?? '',
        userAgent: headers.userAgent,
        requestParameters: input ?? null,
        responseElements: fields.responseElements ?? null,
        errorCode: fields.errorCode,
        errorMessage: fields.errorMessage,
        requestId,
        eventId: randomUUID(),
        eventTime: deps.now(),
        readOnly: fields.readOnly,
        recipientAccountId: caller?.account ?? '',
      }),
    );
  };
  const fail = (err: AwsError, revision?: number) => {
    reply(err.httpStatus, serializeError(service, err, requestId), revision);
    audit({ errorCode: err.code, errorMessage: err.message, readOnly: deps.iam.isReadOnly(operation) });
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
    const auth = await deps.authenticator.authenticate(parts, started, service);
    if (!auth.ok) {
      accessKeyId = auth.accessKeyId;
      caller = auth.caller;
      throw awsError(auth.code, auth.message);
    }
    caller = auth.caller;
    region = auth.info.region || auth.info.regionSet?.[0] || deps.homeRegion;

    const parsed = parseQueryRequest(form);
    operation = parsed.operation;
    input = parsed.input;
    if (parsed.service !== 'iam') throw awsError('InvalidAction', `Could not find operation ${operation} for version ${form.get('Version')}`);
    deps.authenticator.recordUse(caller.accessKeyId, started, 'iam', region);
    const result = await deps.iam.call(operation, parsed.input, caller, {
      requestId,
      sourceIp: req.socket.remoteAddress ?? '',
      userAgent: headers.userAgent ?? '',
      region,
      secureTransport: false,
    });
    reply(200, serializeResult(service, operation, result.output as Record<string, unknown> | undefined, requestId), result.revision);
    audit({ responseElements: result.changed ? (result.output as Record<string, unknown> | undefined) ?? null : null, readOnly: !result.changed && deps.iam.isReadOnly(operation) });
  } catch (err) {
    if (err instanceof AwsError) return fail(err);
    deps.onInternalError?.(err);
    fail(awsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.'));
  }
}
