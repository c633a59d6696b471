/**
 * Reading the conformance fixtures (copied byte-exact from the shared conformance pack, see the README
 * next to them) into HttpRequestParts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HttpRequestParts } from '../../../src/core/sigv4/index.js';

export const SIGV4_FIXTURES = fileURLToPath(new URL('../../fixtures/conformance/sigv4/', import.meta.url));
export const WIRE_FIXTURES = fileURLToPath(new URL('../../fixtures/conformance/wire/', import.meta.url));

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

export function exists(path: string): boolean {
  return existsSync(path);
}

export function subdirectories(path: string): string[] {
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Splits a request target into the path and the raw query (without '?'). */
export function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

/**
 * Parses the suites' request files: a request line, `Name:value` header lines (a line starting with
 * whitespace continues the previous value), a blank line, then the body. Values lose leading and
 * trailing whitespace as Node's parser strips it; continuation lines are kept with their newline so
 * the verifier sees a folded value as sent.
 */
export function parseHttpMessage(text: string): HttpRequestParts & { body: string } {
  const blank = text.indexOf('\n\n');
  const head = blank < 0 ? text : text.slice(0, blank);
  const body = blank < 0 ? '' : text.slice(blank + 2);
  const lines = head.split('\n');
  const requestLine = lines[0];
  const firstSpace = requestLine.indexOf(' ');
  const lastSpace = requestLine.lastIndexOf(' ');
  const method = requestLine.slice(0, firstSpace);
  const { path, query } = splitTarget(requestLine.slice(firstSpace + 1, lastSpace));
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') {
      headers[headers.length - 1][1] += '\n' + line;
      continue;
    }
    const colon = line.indexOf(':');
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { method, path, query, headers, body, bodySha256: sha256Hex(body) };
}

export interface AwsCAuthContext {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  expiration_in_seconds: number;
  normalize: boolean;
  region: string;
  service: string;
  sign_body: boolean;
  timestamp: string;
  omit_session_token?: boolean;
}

export function readContext(caseDir: string): AwsCAuthContext {
  return JSON.parse(readText(`${caseDir}/context.json`)) as AwsCAuthContext;
}

/** Drops every occurrence of one query parameter from a raw query string. */
export function withoutQueryParameter(query: string, name: string): string {
  return query
    .split('&')
    .filter((p) => p.split('=')[0] !== name)
    .join('&');
}

export interface WireRecord {
  id: string;
  client: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  algorithm: string;
  request: { method: string; target: string; httpVersion: string; rawHeaders: string[]; body: string };
  signatureVerified: boolean;
}

export function readWireRecords(): WireRecord[] {
  return readText(`${WIRE_FIXTURES}/captured-requests.jsonl`)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as WireRecord);
}

export function wireRequest(record: WireRecord): HttpRequestParts & { body: string } {
  const raw = record.request.rawHeaders;
  const headers: Array<[string, string]> = [];
  for (let i = 0; i < raw.length; i += 2) headers.push([raw[i], raw[i + 1]]);
  const { path, query } = splitTarget(record.request.target);
  return { method: record.request.method, path, query, headers, body: record.request.body, bodySha256: sha256Hex(record.request.body) };
}
