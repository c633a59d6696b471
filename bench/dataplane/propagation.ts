/**
 * Phase 4: propagation from an IAM write on the control plane to three regions, each a data-plane
 * node in its own process following the control plane's feed. Each write attaches or detaches the
 * probe user's one policy (AttachUserPolicy / DetachUserPolicy, signed as the AWS CLI would);
 * as soon as it answers, each region is asked `POST /v1/authorize` for the probe's request with
 * `x-gatehouse-min-revision` = the write's `x-gatehouse-revision`: the region answers once it has
 * applied that revision (no polling), and the decision must have flipped. Delays are measured from
 * the moment the write was sent and from its answer (the commit).
 */
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { signRequest } from '../../src/core/sigv4/index.js';
import type { AuthorizeBody, AuthorizeInput } from '../../src/data-plane/authorize.js';
import { authorizeInput } from './inner-requests.js';
import { HOME_REGION, PROBE_BUCKET, PROBE_USER, type Credentials } from './seed.js';
import { percentile, sortedCopy } from './stats.js';

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function post(url: string, path: string, headers: Record<string, string>, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An IAM Query request signed for the control plane at `url`. */
function iamWrite(url: URL, admin: Credentials, body: string): { headers: Record<string, string>; body: string } {
  const headers: [string, string][] = [
    ['Host', url.host],
    ['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8'],
  ];
  const bodySha256 = createHash('sha256').update(body).digest('hex');
  const signed = signRequest({ method: 'POST', path: '/', query: '', headers, bodySha256 }, admin, { now: new Date(), region: HOME_REGION, service: 'iam' });
  return { headers: Object.fromEntries(signed.headers), body };
}

export interface PropagationResult {
  writes: number;
  regions: string[];
  /** Write sent → visible in a region (ms), every region of every write. */
  fromSend: { p50: number; p99: number; max: number };
  /** Write answered → visible (ms). */
  fromCommit: { p50: number; p99: number; max: number };
  /** Write sent → visible in all three regions (ms), per write. */
  allRegions: { p50: number; p99: number; max: number };
  writeMs: { p50: number; p99: number };
  /** Answers whose decision had not flipped, or that failed. */
  wrong: number;
}

function summary(values: number[]): { p50: number; p99: number; max: number } {
  const s = sortedCopy(values);
  return { p50: percentile(s, 0.5), p99: percentile(s, 0.99), max: s[s.length - 1] };
}

export async function measurePropagation(options: {
  controlPlaneUrl: string;
  /** Region → data-plane node URL. */
  planes: Map<string, string>;
  admin: Credentials;
  probe: Credentials;
  probePolicyArn: string;
  writes: number;
}): Promise<PropagationResult> {
  const cp = new URL(options.controlPlaneUrl);
  const regions = [...options.planes.keys()];
  const check = new Map<string, AuthorizeInput>();
  for (const region of regions) {
    check.set(region, authorizeInput({ principal: '', action: 's3:GetObject', resource: `arn:aws:s3:::${PROBE_BUCKET}/report.csv`, context: {}, resourceAccount: '' }, options.probe, region, new Date()));
  }
  const encoded = encodeURIComponent(options.probePolicyArn);
  const fromSend: number[] = [];
  const fromCommit: number[] = [];
  const allRegions: number[] = [];
  const writeMs: number[] = [];
  let wrong = 0;
  for (let i = 0; i < options.writes; i++) {
    const attach = i % 2 === 0;
    const write = iamWrite(cp, options.admin, `Action=${attach ? 'Attach' : 'Detach'}UserPolicy&Version=2010-05-08&UserName=${PROBE_USER}&PolicyArn=${encoded}`);
    const sent = performance.now();
    const answer = await post(options.controlPlaneUrl, '/', write.headers, write.body);
    const committed = performance.now();
    const revision = answer.headers['x-gatehouse-revision'];
    if (answer.status !== 200 || typeof revision !== 'string') throw new Error(`the write answered ${answer.status}: ${answer.body}`);
    writeMs.push(committed - sent);
    const seen = await Promise.all(
      regions.map(async (region) => {
        const res = await post(options.planes.get(region) as string, '/v1/authorize', { 'content-type': 'application/json', 'x-gatehouse-min-revision': revision }, JSON.stringify(check.get(region)));
        const at = performance.now();
        const body = JSON.parse(res.body) as AuthorizeBody;
        if (res.status !== 200 || body.decision !== (attach ? 'Allow' : 'Deny') || body.revision < Number(revision)) wrong++;
        return at;
      }),
    );
    for (const at of seen) {
      fromSend.push(at - sent);
      fromCommit.push(at - committed);
    }
    allRegions.push(Math.max(...seen) - sent);
  }
  agent.destroy();
  const w = summary(writeMs);
  return { writes: options.writes, regions, fromSend: summary(fromSend), fromCommit: summary(fromCommit), allRegions: summary(allRegions), writeMs: { p50: w.p50, p99: w.p99 }, wrong };
}
