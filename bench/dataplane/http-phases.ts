/**
 * Phases 2 and 3 over HTTP on loopback, against a data-plane node in its own process, with a bare
 * Node HTTP server measured in the same run as the ceiling (as bench:api does):
 * - `POST /v1/authorize`: the workload's inner requests, signed once, replayed by autocannon;
 * - STS `AssumeRole`: signed requests (the administrator assuming the workload's roles) replayed
 *   by autocannon; every answer issues fresh credentials.
 */
import type { Request as CannonRequest } from 'autocannon';
import { createHash } from 'node:crypto';
import { signRequest } from '../../src/core/sigv4/index.js';
import type { AuthorizeInput } from '../../src/data-plane/authorize.js';
import { cannon, startProcess, stop, type CannonResult, type NodeProcess } from './processes.js';
import type { Credentials } from './seed.js';

/** A bare Node HTTP server answering every request with a fixed body once it has read it. */
export function startBareServer(): Promise<NodeProcess> {
  return startProcess(
    ['-e', "require('http').createServer((q,s)=>{q.resume();q.on('end',()=>s.end('{\"decision\":\"Allow\"}'))}).listen(0,'127.0.0.1',function(){console.log('port '+this.address().port)})"],
    /port (\d+)/,
  );
}

export function authorizeRequests(inputs: AuthorizeInput[]): CannonRequest[] {
  return inputs.map((input) => ({ method: 'POST', path: '/v1/authorize', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) }));
}

/** A signed STS Query request (SigV4, as the AWS CLI signs it) for a node at `url`. */
export function signedStsQuery(url: URL, credentials: Credentials, region: string, body: string): CannonRequest {
  const headers: [string, string][] = [
    ['Host', url.host],
    ['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8'],
  ];
  const bodySha256 = createHash('sha256').update(body).digest('hex');
  const signed = signRequest({ method: 'POST', path: '/', query: '', headers, bodySha256 }, credentials, { now: new Date(), region, service: 'sts' });
  return { method: 'POST', path: '/', headers: Object.fromEntries(signed.headers), body };
}

export interface HttpPhases {
  ceiling: CannonResult;
  authorize: CannonResult;
  assumeRole?: CannonResult;
}

export async function runHttpPhases(options: {
  node: NodeProcess;
  authorizeBodies: CannonRequest[];
  assumeRoleRequests: CannonRequest[];
  seconds: number;
  connections: number;
}): Promise<HttpPhases> {
  const { node, seconds, connections } = options;
  const bare = await startBareServer();
  try {
    const warm = Math.max(1, Math.min(3, Math.round(seconds / 3)));
    await cannon('warm-up /v1/authorize', node.url, node.pid, options.authorizeBodies, warm, connections);
    const ceiling = await cannon('bare Node HTTP (ceiling)', `http://127.0.0.1:${bare.url}`, bare.pid, [{ method: 'POST', path: '/v1/authorize', headers: { 'content-type': 'application/json' }, body: options.authorizeBodies[0].body }], seconds, connections);
    const authorize = await cannon('POST /v1/authorize', node.url, node.pid, options.authorizeBodies, seconds, connections);
    let assumeRole: CannonResult | undefined;
    if (options.assumeRoleRequests.length) {
      await cannon('warm-up AssumeRole', node.url, node.pid, options.assumeRoleRequests, warm, connections);
      assumeRole = await cannon('STS AssumeRole', node.url, node.pid, options.assumeRoleRequests, seconds, connections);
    }
    return { ceiling, authorize, assumeRole };
  } finally {
    await stop(bare);
  }
}
