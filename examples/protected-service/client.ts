/**
 * Calls the reports service the way an AWS SDK calls an AWS service: the request is signed with
 * SigV4 (`@smithy/signature-v4`, the SDK's signer) for the service `reports` in a region, with
 * long-term keys or temporary credentials (the session token is sent and signed).
 *
 *   AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... [AWS_SESSION_TOKEN=...] AWS_REGION=eu-west-1 \
 *   npx tsx examples/protected-service/client.ts GET http://127.0.0.1:8443/reports/2026-q1
 *   npx tsx examples/protected-service/client.ts PUT http://127.0.0.1:8443/reports/2026-q1 'revenue,42'
 */
import { pathToFileURL } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from './sha256.js';

export interface ReportsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ReportsResponse {
  status: number;
  body: Record<string, unknown>;
}

/** Sends one signed request to the reports service. `now` overrides the signing time. */
export async function callReports(options: { method: string; url: string; body?: string; credentials: ReportsCredentials; region: string; now?: Date }): Promise<ReportsResponse> {
  const url = new URL(options.url);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signer = new SignatureV4({ service: 'reports', region: options.region, credentials: options.credentials, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: options.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      // The signer hashes the body into x-amz-content-sha256 and signs it.
      headers: { host: url.host, ...(options.body !== undefined ? { 'content-type': 'text/plain' } : {}) },
      body: options.body,
    },
    options.now ? { signingDate: options.now } : {},
  );
  const res = await fetch(url, { method: options.method, headers: signed.headers, body: options.body });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function main(argv: string[]): Promise<number> {
  const [method, url, body] = argv;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (!method || !url || !accessKeyId || !secretAccessKey) {
    process.stderr.write('usage: AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... [AWS_SESSION_TOKEN=...] [AWS_REGION=...] tsx client.ts METHOD URL [BODY]\n');
    return 2;
  }
  const credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  const res = await callReports({ method: method.toUpperCase(), url, body, credentials, region: process.env.AWS_REGION ?? 'us-east-1' });
  process.stdout.write(`${res.status} ${JSON.stringify(res.body)}\n`);
  return res.status < 300 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
