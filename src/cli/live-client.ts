/**
 * The CLI's connection to a running Gatehouse: IAM Query calls and the JSON analysis API
 * (`/v1/analysis/…`, docs/analysis-api.md), both signed with SigV4 for the service `iam` in
 * us-east-1, the scope the control plane's authenticator accepts for everything it serves.
 *
 * Credentials, first found wins: `--credentials FILE` (the `admin-credentials.json` that
 * `gatehouse serve` writes, or any `{"AccessKeyId", "SecretAccessKey", "SessionToken"?}` file),
 * then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then
 * ./gatehouse-data/admin-credentials.json. They are read on the first call, so building a client
 * never fails; every failure is a LiveClientError with a one-line message.
 */
import { join } from 'node:path';
import { DEFAULT_DATA_DIR } from '../audit/index.js';
import { sha256Hex, signRequest, type SigningCredentials } from '../core/sigv4/index.js';
import { ADMIN_CREDENTIALS_FILE, DEFAULT_HOST, DEFAULT_PORT } from '../server/standalone.js';
import type { CliIo } from './io.js';

export const DEFAULT_LIVE_ENDPOINT = `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
export const DEFAULT_CREDENTIALS_FILE = join(DEFAULT_DATA_DIR, ADMIN_CREDENTIALS_FILE);
/** The credential scope of every signed call: the IAM endpoint's. */
export const LIVE_SIGNING_SERVICE = 'iam';
export const LIVE_SIGNING_REGION = 'us-east-1';
const IAM_VERSION = '2010-05-08';
const DEFAULT_TIMEOUT_MS = 120_000;

export interface LiveClientOptions {
  /** Base URL of the node (default http://127.0.0.1:8380). */
  endpoint?: string;
  /** A credentials JSON file (`--credentials FILE`). */
  credentialsFile?: string;
  /** Region of the credential scope (default us-east-1). */
  region?: string;
  /** Environment for the AWS_* credential variables (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Clock for the signature (default the system clock). */
  now?: () => Date;
  timeoutMs?: number;
}

/** A failure the CLI prints as is: one line, no stack. */
export class LiveClientError extends Error {
  override readonly name = 'LiveClientError';
}

/** An error answered by the server: the AWS-style code, the message and the HTTP status. */
export class LiveApiError extends LiveClientError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface LiveResponse {
  status: number;
  headers: Headers;
  body: string;
}

export interface LiveClient {
  readonly endpoint: string;
  /** An IAM Query call (POST form); the raw answer, errors included. */
  iam(action: string, params: Record<string, string>): Promise<LiveResponse>;
  /** An IAM call that must succeed: the XML body, or a LiveApiError with AWS's code and message. */
  iamOk(action: string, params: Record<string, string>): Promise<string>;
  /** `GET path?query` on the JSON API: the parsed body, or a LiveApiError. */
  getJson<T = unknown>(path: string, query?: Record<string, string | undefined>): Promise<T>;
  /** `POST path` with a JSON body: the parsed answer, or a LiveApiError. */
  postJson<T = unknown>(path: string, body: unknown): Promise<T>;
  /** `PUT path` with a JSON body: the parsed answer, or a LiveApiError. */
  putJson<T = unknown>(path: string, body: unknown): Promise<T>;
  /** The credentials in use (read on first need). */
  credentials(): Promise<SigningCredentials>;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e[0] !== '#') return ENTITIES[e];
    const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

/** `<Code>` and `<Message>` of an AWS Query error body; undefined when it is not one. */
export function iamError(body: string): { code: string; message: string } | undefined {
  const error = /<Error>([\s\S]*?)<\/Error>/.exec(body)?.[1];
  if (error === undefined) return undefined;
  const code = /<Code>([\s\S]*?)<\/Code>/.exec(error)?.[1];
  if (code === undefined) return undefined;
  const message = /<Message>([\s\S]*?)<\/Message>/.exec(error)?.[1] ?? '';
  return { code: unescapeXml(code.trim()), message: unescapeXml(message.trim()) };
}

/** Form and query encoding as SigV4 canonicalizes it (encodeURIComponent leaves !'()* alone). */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function formOf(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .join('&');
}

function parseCredentials(text: string, source: string): SigningCredentials {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LiveClientError(`${source} is not JSON`);
  }
  const c = json as { AccessKeyId?: unknown; SecretAccessKey?: unknown; SessionToken?: unknown } | null;
  if (!c || typeof c.AccessKeyId !== 'string' || typeof c.SecretAccessKey !== 'string' || !c.AccessKeyId || !c.SecretAccessKey) {
    throw new LiveClientError(`${source} has no AccessKeyId and SecretAccessKey`);
  }
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(typeof c.SessionToken === 'string' && c.SessionToken ? { sessionToken: c.SessionToken } : {}) };
}

async function readCredentials(options: LiveClientOptions, io: Pick<CliIo, 'readFile'>): Promise<SigningCredentials> {
  const read = async (file: string, explicit: boolean) => {
    let text: string;
    try {
      text = await io.readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      throw new LiveClientError(
        explicit
          ? `cannot read credentials file ${file}: ${why}`
          : `no credentials: pass --credentials FILE, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where ${file} exists (${why})`,
      );
    }
    return parseCredentials(text, `credentials file ${file}`);
  };
  if (options.credentialsFile !== undefined) return read(options.credentialsFile, true);
  const env = options.env ?? process.env;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
  }
  return read(DEFAULT_CREDENTIALS_FILE, false);
}

function checkEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new LiveClientError(`--endpoint ${endpoint} is not a URL such as ${DEFAULT_LIVE_ENDPOINT}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LiveClientError(`--endpoint ${endpoint} must be an http:// or https:// URL`);
  return url;
}

function errorOfJson(status: number, text: string): LiveApiError {
  try {
    const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    if (error && typeof error.code === 'string') return new LiveApiError(status, error.code, typeof error.message === 'string' ? error.message : '');
  } catch {
    // Not our JSON (a proxy's page, an older Gatehouse): fall through.
  }
  // An AWS Query error: a node (or an older Gatehouse) that routes the path to the Query API.
  const query = iamError(text);
  if (status === 404 || query?.code === 'MissingAction' || query?.code === 'InvalidAction') {
    return new LiveApiError(status, 'NotFound', 'this endpoint does not serve the analysis API (is it a Gatehouse control plane or standalone node?)');
  }
  if (query) return new LiveApiError(status, query.code, query.message);
  return new LiveApiError(status, `HTTP${status}`, text.replace(/\s+/g, ' ').trim().slice(0, 200) || 'no body');
}

/** A client for the node at `options.endpoint`; credentials are read on the first call. */
export function createLiveClient(options: LiveClientOptions, io: Pick<CliIo, 'readFile'>): LiveClient {
  const endpoint = options.endpoint ?? DEFAULT_LIVE_ENDPOINT;
  const now = options.now ?? (() => new Date());
  const region = options.region ?? LIVE_SIGNING_REGION;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let credentials: Promise<SigningCredentials> | undefined;
  const getCredentials = () => (credentials ??= readCredentials(options, io));

  async function send(method: string, path: string, query: string, contentType: string | undefined, body: string | undefined): Promise<LiveResponse> {
    const base = checkEndpoint(endpoint);
    const creds = await getCredentials();
    // Keep a path prefix of the endpoint (a node behind a reverse proxy at /gatehouse, say).
    const fullPath = base.pathname.replace(/\/+$/, '') + path;
    const headers: [string, string][] = [['Host', base.host]];
    if (contentType) headers.push(['Content-Type', contentType]);
    const signed = signRequest({ method, path: fullPath, query, headers, bodySha256: sha256Hex(Buffer.from(body ?? '', 'utf8')) }, creds, { now: now(), region, service: LIVE_SIGNING_SERVICE });
    const url = `${base.origin}${fullPath}${query ? `?${query}` : ''}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        // fetch sets Host itself, to the same value.
        headers: signed.headers.filter(([k]) => k.toLowerCase() !== 'host') as [string, string][],
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${Math.round(timeoutMs / 1000)} s` : (e.cause?.message ?? e.cause?.code ?? e.message);
      throw new LiveClientError(`cannot reach Gatehouse at ${endpoint}: ${why}`);
    }
    return { status: res.status, headers: res.headers, body: await res.text() };
  }

  async function json<T>(method: string, path: string, query: Record<string, string | undefined>, body: unknown): Promise<T> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const res = await send(method, path, formOf(query), text === undefined ? undefined : 'application/json', text);
    if (res.status < 200 || res.status > 299) throw errorOfJson(res.status, res.body);
    try {
      return JSON.parse(res.body) as T;
    } catch {
      throw new LiveClientError(`${endpoint}${path} answered HTTP ${res.status} with a body that is not JSON`);
    }
  }

  const client: LiveClient = {
    endpoint,
    iam: (action, params) => send('POST', '/', '', 'application/x-www-form-urlencoded; charset=utf-8', formOf({ Action: action, Version: IAM_VERSION, ...params })),
    async iamOk(action, params) {
      const res = await client.iam(action, params);
      if (res.status >= 200 && res.status <= 299) return res.body;
      const error = iamError(res.body);
      throw new LiveApiError(res.status, error?.code ?? `HTTP${res.status}`, error?.message ?? `${action} failed`);
    },
    getJson: (path, query = {}) => json('GET', path, query, undefined),
    postJson: (path, body) => json('POST', path, {}, body),
    putJson: (path, body) => json('PUT', path, {}, body),
    credentials: getCredentials,
  };
  return client;
}
