/**
 * The requests a protected service receives and hands to the data plane: each workload request as
 * an AWS SDK would send it to the action's service (host, user agent, content hash, SigV4 header
 * signature, the session token for temporary credentials; lower-case names, as the SDK's signer
 * sends them), signed once, plus the context keys the service knows (resource tags, TLS, the
 * client's address). The principal's own keys (aws:Principal*, aws:username, MFA, times, region)
 * are the data plane's to set.
 */
import { sha256Hex, signRequest } from '../../src/core/sigv4/index.js';
import type { AuthorizeInput } from '../../src/data-plane/authorize.js';
import type { Credentials } from './seed.js';
import type { WorkloadRequest } from './workload.js';

const USER_AGENT = 'aws-sdk-js/3.1169.0 ua/2.1 os/linux#6.8 lang/js md/nodejs#20.20.2 api/bench#3.1169.0';
const READ = /^(Get|List|Describe|Receive|Query)/;
const PRINCIPAL_KEYS = /^aws:(principal|username|userid|currenttime|epochtime|requestedregion|multifactor|tokenissuetime|sourceip$)/i;

function pathOf(service: string, resource: string): string {
  if (service !== 's3') return '/';
  const name = resource.slice('arn:aws:s3:::'.length);
  return '/' + name.split('/').map(encodeURIComponent).join('/');
}

/** One signed inner request for `r` with `credentials`, scoped to `region`, dated `now`. */
export function authorizeInput(r: WorkloadRequest, credentials: Credentials, region: string, now: Date): AuthorizeInput {
  const service = r.action.slice(0, r.action.indexOf(':'));
  const verb = r.action.slice(r.action.indexOf(':') + 1);
  const get = READ.test(verb);
  const body = get ? '' : JSON.stringify({ Action: verb, Resource: r.resource });
  const headers: [string, string][] = [
    ['Host', `${service}.${region}.amazonaws.com`],
    ['User-Agent', USER_AGENT],
  ];
  if (!get) headers.push(['Content-Type', 'application/x-amz-json-1.0']);
  const signed = signRequest({ method: get ? 'GET' : 'POST', path: pathOf(service, r.resource), query: '', headers, bodySha256: sha256Hex(body) }, credentials, { now, region, service, signContentSha256: true });
  const context: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.context)) if (!PRINCIPAL_KEYS.test(k)) context[k] = v;
  const sourceIp = r.context['aws:SourceIp'];
  return {
    request: { method: signed.method, path: signed.path, query: signed.query, headers: Object.fromEntries(signed.headers.map(([k, v]) => [k.toLowerCase(), v])) },
    action: r.action,
    resource: r.resource,
    context,
    sourceIp: typeof sourceIp === 'string' ? sourceIp : undefined,
  };
}

/** Signed inner requests for the workload's requests (those whose principal has credentials). */
export function authorizeInputs(requests: WorkloadRequest[], credentialsOf: (arn: string) => Credentials | undefined, region: string, now: Date): AuthorizeInput[] {
  const out: AuthorizeInput[] = [];
  for (const r of requests) {
    const c = credentialsOf(r.principal);
    if (c) out.push(authorizeInput(r, c, region, now));
  }
  return out;
}
