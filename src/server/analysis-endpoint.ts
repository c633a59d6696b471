/**
 * The JSON analysis API under `/v1/analysis/` (docs/analysis-api.md, docs/analysis-api.yaml), on
 * the control plane:
 *
 *   GET  account-authorization-details   the caller's account, as `aws iam get-account-authorization-details` prints it
 *   GET  usage?principal=ARN&since=ISO   recorded authorization usage
 *   POST lint       {policy, kind}       lint findings, references checked against the account
 *   GET  settings / PUT settings {policyLint}   the account's lint-on-write setting
 *
 * Requests are signed with SigV4 for the service `iam` (any region) and authenticated by the
 * control plane's authenticator, as IAM calls are; each call is authorized by the engine with the
 * caller's policies (IamService.callOperation) and recorded in the audit log. Errors are
 * `{"error": {"code", "message"}}` with AWS's codes and HTTP statuses.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildAuditEvent, unauthenticatedIdentity, type AuditLog } from '../audit/index.js';
import { authorizeUsageRead, exportAccountOperation, getAnalysisSettings, putAnalysisSettings, validatePolicyOperation } from '../control-plane/analysis-operations.js';
import type { AnyOperation } from '../control-plane/context.js';
import type { IamService } from '../control-plane/iam-service.js';
import { parseArn } from '../core/arn.js';
import { AwsError, awsError } from '../core/errors/index.js';
import type { AccessKeyUsageEntity } from '../core/model/iam-entities.js';
import type { Principal } from '../core/model/principal.js';
import { sha256Hex, type HttpRequestParts } from '../core/sigv4/index.js';
import type { UsageQuery } from '../data-plane/usage-log.js';
import type { UsageRecord } from '../core/model/usage.js';
import { auditIdentity } from './audit-identity.js';
import type { ServerLimits } from './limits.js';
import type { BackendAuth } from './query-backends.js';
import { BodyTooLarge, readBody } from './read-body.js';

export const ANALYSIS_PATH_PREFIX = '/v1/analysis/';

export interface AnalysisEndpointDeps {
  iam: IamService;
  /** The control plane's authentication of IAM requests (iamBackend's: it also records key use). */
  authenticate(parts: HttpRequestParts, now: Date): Promise<BackendAuth>;
  /** Key use recorded but not yet written to the store. */
  pendingKeyUse?(accessKeyId: string): AccessKeyUsageEntity | undefined;
  /** The node's recorded authorization usage; absent where the node records none. */
  usage?(query: UsageQuery): UsageRecord[];
  audit?: AuditLog;
  limits: ServerLimits;
  now: () => Date;
  homeRegion: string;
  onInternalError?: (err: unknown) => void;
}

interface Route {
  method: string;
  /** Builds the operation's input from the request (throws ValidationError). */
  input(query: URLSearchParams, body: unknown): Record<string, unknown>;
  op: AnyOperation;
  /** Turns the operation's output into the response body. */
  respond(output: unknown, caller: Principal, input: Record<string, unknown>): unknown;
}

// ---- wire shape of the account export -------------------------------------------------------

/** Members that hold policy documents: the AWS CLI prints them as JSON objects. */
const DOCUMENT_KEYS = new Set(['policyDocument', 'assumeRolePolicyDocument', 'document']);

/** AWS CLI timestamps: `2024-01-02T03:04:05+00:00`. */
function cliTime(value: string): string {
  const t = Date.parse(value);
  return Number.isNaN(t) ? value : new Date(t).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function parseDocument(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // AWS never stores one that does not parse; keep it as it is rather than lose it.
    return text;
  }
}

/**
 * Domain output → the JSON the AWS CLI prints: model member names (the domain key with its first
 * letter raised, see src/protocol/README.md), documents as objects, CLI timestamps, undefined
 * members left out.
 */
export function cliJson(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => cliJson(v));
  if (value instanceof Date) return cliTime(value.toISOString());
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k[0].toUpperCase() + k.slice(1)] = cliJson(v, k);
    return out;
  }
  if (typeof value === 'string') {
    if (DOCUMENT_KEYS.has(key)) return parseDocument(value);
    if (key.endsWith('Date') || key === 'passwordLastUsed') return cliTime(value);
  }
  return value;
}

// ---- routes ----------------------------------------------------------------------------------

function accountOf(arn: string): string | undefined {
  return parseArn(arn)?.account;
}

function sinceOf(value: string | null): string | undefined {
  if (value === null || value === '') return undefined;
  const t = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t)) throw awsError('ValidationError', `since must be an ISO 8601 time such as 2024-05-01T00:00:00Z (got '${value.slice(0, 64)}').`);
  return new Date(t).toISOString();
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw awsError('ValidationError', 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

function routes(deps: AnalysisEndpointDeps): Map<string, Route[]> {
  const exportAccount = exportAccountOperation((id) => deps.pendingKeyUse?.(id));
  return new Map<string, Route[]>([
    ['account-authorization-details', [{ method: 'GET', op: exportAccount, input: () => ({}), respond: (output) => cliJson(output) }]],
    [
      'usage',
      [
        {
          method: 'GET',
          op: authorizeUsageRead,
          input: (query) => ({ principal: query.get('principal') || undefined, since: sinceOf(query.get('since')) }),
          respond: (_output, caller, input) => {
            if (!deps.usage) throw awsError('ServiceUnavailable', 'This node records no authorization usage.');
            const principal = input.principal as string | undefined;
            // Only the caller's own account: the usage file holds every account's.
            const entries = deps.usage({ principal, since: input.since as string | undefined }).filter((e) => accountOf(e.principal) === caller.account);
            return { entries };
          },
        },
      ],
    ],
    [
      'lint',
      [
        {
          method: 'POST',
          op: validatePolicyOperation,
          input: (_query, body) => {
            const { policy, kind } = bodyObject(body);
            return { policy, kind };
          },
          respond: (output) => output,
        },
      ],
    ],
    [
      'settings',
      [
        { method: 'GET', op: getAnalysisSettings, input: () => ({}), respond: (output) => output },
        {
          method: 'PUT',
          op: putAnalysisSettings,
          input: (_query, body) => {
            const { policyLint } = bodyObject(body);
            return { policyLint };
          },
          respond: (output) => output,
        },
      ],
    ],
  ]);
}

// ---- HTTP --------------------------------------------------------------------------------------

function headerPairs(raw: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]]);
  return pairs;
}

/** Handles one request under ANALYSIS_PATH_PREFIX. */
export function createAnalysisHandler(deps: AnalysisEndpointDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const table = routes(deps);
  return async (req, res) => {
    const requestId = randomUUID();
    const started = deps.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const name = path.slice(ANALYSIS_PATH_PREFIX.length);
    let principal: Principal | undefined;
    let accessKeyId: string | undefined;
    let region = deps.homeRegion;
    let route: Route | undefined;
    let input: Record<string, unknown> | undefined;
    let closeConnection = false;

    const send = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': requestId, ...(closeConnection ? { Connection: 'close' } : {}), ...extra });
      res.end(text);
    };
    const audit = (fields: { errorCode?: string; errorMessage?: string; responseElements?: Record<string, unknown> }) => {
      if (!deps.audit) return;
      deps.audit.append(
        buildAuditEvent({
          identity: principal ? auditIdentity(principal) : unauthenticatedIdentity(accessKeyId),
          // DIVERGENCE: Gatehouse's own API; its calls go to the IAM trail, named by operation.
          eventSource: 'iam.amazonaws.com',
          eventName: route?.op.name ?? 'Unknown',
          awsRegion: region,
          sourceIPAddress: req.socket.remoteAddress ?? '',
          userAgent: req.headers['user-agent'],
          // A linted policy can be large and says nothing about who may do what: its kind only.
          requestParameters: input ? (route?.op === validatePolicyOperation ? { kind: input.kind ?? 'identity' } : input) : null,
          responseElements: fields.responseElements ?? null,
          additionalEventData: { gatehouseApi: `${req.method ?? ''} ${path}` },
          errorCode: fields.errorCode,
          errorMessage: fields.errorMessage,
          requestId,
          eventId: randomUUID(),
          eventTime: deps.now(),
          readOnly: !route?.op.write,
          recipientAccountId: principal?.account ?? '',
        }),
      );
    };
    const fail = (err: AwsError, status = err.httpStatus) => {
      send(status, { error: { code: err.code, message: err.message } });
      audit({ errorCode: err.code, errorMessage: err.message });
    };

    try {
      const candidates = table.get(name);
      if (!candidates) return send(404, { error: { code: 'NotFound', message: `No analysis API at ${path}. See docs/analysis-api.md.` } });
      route = candidates.find((r) => r.method === req.method);
      if (!route) {
        return send(405, { error: { code: 'MethodNotAllowed', message: `Use ${candidates.map((r) => r.method).join(' or ')} for ${path}.` } }, { Allow: candidates.map((r) => r.method).join(', ') });
      }
      let body: Buffer;
      try {
        body = await readBody(req, req.headers['content-length'], deps.limits.maxBodyBytes);
      } catch (err) {
        if (err instanceof BodyTooLarge) {
          closeConnection = true;
          throw awsError('RequestEntityTooLarge', `Request body must be at most ${deps.limits.maxBodyBytes} bytes.`);
        }
        throw err;
      }
      const parts: HttpRequestParts = { method: req.method ?? 'GET', path, query: rawQuery, headers: headerPairs(req.rawHeaders), bodySha256: sha256Hex(body) };
      const auth = await deps.authenticate(parts, started);
      if (!auth.ok) {
        accessKeyId = auth.accessKeyId;
        principal = auth.principal;
        const err = awsError(auth.code, auth.message);
        return fail(err, auth.status ?? err.httpStatus);
      }
      principal = auth.principal;
      region = auth.region || deps.homeRegion;
      let json: unknown;
      if (body.length) {
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          throw awsError('ValidationError', 'The request body is not valid JSON.');
        }
      }
      input = route.input(new URLSearchParams(rawQuery), json);
      const result = await deps.iam.callOperation(route.op, input, principal, {
        requestId,
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: req.headers['user-agent'] ?? '',
        region,
        secureTransport: false,
      });
      const out = route.respond(result.output, principal, input);
      send(200, out, { 'x-gatehouse-revision': String(result.revision) });
      audit({ responseElements: result.changed ? (result.output as Record<string, unknown>) : undefined });
    } catch (err) {
      if (err instanceof AwsError) return fail(err);
      deps.onInternalError?.(err);
      fail(awsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.'));
    }
  };
}
