/**
 * `gatehouse serve --role data-plane --workers 2`, as separate processes: one port served by two
 * worker processes, each a whole data plane of the region (its own replica under DIR/worker-K,
 * its own node id), a worker that dies is restarted, and SIGTERM stops them all.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, DetachUserPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { sha256Hex, signRequest, type SigningCredentials } from '../../src/core/sigv4/index.js';
import { fetchHealth, fetchMetrics, runCli, startControlPlane, startDataPlane, waitFor, type NodeProcess } from './process-harness.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const REGION = 'eu-west-1';
const BUCKET = 'arn:aws:s3:::workers-bucket';

/** `/v1/authorize` for alice's signed GetObject, on a new connection each time (so both workers answer some). */
function authorize(url: string, credentials: SigningCredentials, minRevision?: number): Promise<{ status: number; decision: string }> {
  const inner = signRequest({ method: 'GET', path: '/a.txt', query: '', headers: [['host', 'workers-bucket.s3.internal']], bodySha256: sha256Hex('') }, credentials, {
    now: new Date(),
    region: REGION,
    service: 's3',
    signContentSha256: true,
  });
  const body = JSON.stringify({ request: { method: inner.method, path: inner.path, query: inner.query, headers: inner.headers }, action: 's3:GetObject', resource: `${BUCKET}/a.txt` });
  const target = new URL('/v1/authorize', url);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  if (minRevision !== undefined) headers['x-gatehouse-min-revision'] = String(minRevision);
  return new Promise((ok, fail) => {
    const req = httpRequest({ hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => ok({ status: res.statusCode ?? 0, decision: (JSON.parse(text) as { decision: string }).decision }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** The pids whose parent is `pid` (a node's workers). */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === String(pid)) out.push(Number(entry));
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a data-plane node with --workers 2 (separate processes)', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  const masterKey = randomBytes(32).toString('base64');
  let root = '';
  let dpDir = '';
  let cp: NodeProcess;
  let dp: NodeProcess;
  let iam: IAMClient;
  let alice: SigningCredentials;
  let policyArn = '';

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'gatehouse-workers-'));
    const cpDir = join(root, 'control-plane');
    dpDir = join(root, 'data-plane');
    await mkdir(cpDir, { mode: 0o700 });
    const [control, token] = await Promise.all([startControlPlane({ dataDir: cpDir, masterKey }), runCli(['replication-token', '--region', REGION, '--data-dir', cpDir], { GATEHOUSE_MASTER_KEY: masterKey })]);
    cp = control;
    assert.equal(token.code, 0, token.stderr);
    const tokenFile = join(root, 'token');
    await writeFile(tokenFile, token.stdout, { mode: 0o600 });
    const admin = JSON.parse(await readFile(join(cpDir, 'admin-credentials.json'), 'utf8')) as { AccessKeyId: string; SecretAccessKey: string };
    iam = new IAMClient({ endpoint: cp.url, region: 'us-east-1', credentials: { accessKeyId: admin.AccessKeyId, secretAccessKey: admin.SecretAccessKey }, maxAttempts: 1 });
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    alice = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/*` }] });
    policyArn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'read', PolicyDocument: document }))).Policy!.Arn!;
    await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: policyArn }));
    dp = await startDataPlane({ region: REGION, controlPlaneUrl: cp.url, tokenFile, dataDir: dpDir, nodeId: 'dp-eu', workers: 2 });
  });

  after(async () => {
    iam?.destroy();
    await dp?.stop();
    await cp?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('listens once both workers do, each with its own folder and node id', async () => {
    assert.match(dp.logs.join('\n'), /^gatehouse: data plane eu-west-1 listening on http:\/\/127\.0\.0\.1:\d+ \(STS, \/v1\/authorize\), 2 workers$/m);
    assert.match(dp.logs.join('\n'), /^gatehouse\[worker 1\]: data plane eu-west-1 \(node dp-eu-w1\)/m);
    assert.match(dp.logs.join('\n'), /^gatehouse\[worker 2\]: data plane eu-west-1 \(node dp-eu-w2\)/m);
    assert.deepEqual((await readdir(dpDir)).filter((f) => f.startsWith('worker-')).sort(), ['worker-1', 'worker-2']);
    assert.equal((await childrenOf(dp.pid)).length, 2);
    // The control plane sees two followers of the region.
    const nodes = await waitFor('both workers polling the feed', async () => {
      const ids = ((await fetchHealth(cp.url)).remoteNodes ?? []).filter((n) => n.region === REGION).map((n) => n.node).sort();
      return ids.length === 2 && ids;
    });
    assert.deepEqual(nodes, ['dp-eu-w1', 'dp-eu-w2']);
  });

  it('answers on every connection, and every worker applies a write before answering with min-revision', async () => {
    const before = await Promise.all(Array.from({ length: 12 }, () => authorize(dp.url, alice)));
    assert.deepEqual(new Set(before.map((a) => `${a.status} ${a.decision}`)), new Set(['200 Allow']));
    await iam.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: policyArn }));
    const minRevision = (await fetchHealth(cp.url)).revision as number;
    const after = await Promise.all(Array.from({ length: 12 }, () => authorize(dp.url, alice, minRevision)));
    assert.deepEqual(new Set(after.map((a) => `${a.status} ${a.decision}`)), new Set(['200 Deny']));
  });

  it('answers /health and /metrics for the whole node, whichever worker takes the request', async () => {
    for (let i = 0; i < 4; i++) {
      const health = await fetchHealth(dp.url);
      assert.deepEqual(health.workers, { expected: 2, answered: 2 });
      assert.deepEqual(health.regions.map((r) => `${r.region} ${r.node}`).sort(), ['eu-west-1 dp-eu-w1', 'eu-west-1 dp-eu-w2']);
      assert.equal(health.status, 'ok');
      const metrics = await fetchMetrics(dp.url);
      // One series per worker: a scrape never sees a gauge jump from one worker's value to another's.
      for (const node of ['dp-eu-w1', 'dp-eu-w2']) assert.match(metrics, new RegExp(`^gatehouse_replica_applied_revision\\{region="eu-west-1",node="${node}"\\} \\d+$`, 'm'));
      assert.match(metrics, /^gatehouse_workers_answered 2$/m);
      assert.equal(metrics.match(/^# TYPE gatehouse_replica_applied_revision gauge$/gm)?.length, 1);
    }
  });

  it('restarts a worker that dies, and keeps answering meanwhile', async () => {
    const [first] = await childrenOf(dp.pid);
    process.kill(first, 'SIGKILL');
    await waitFor('the restart to be logged', () => dp.logs.some((l) => /^gatehouse: data-plane worker \d exited \(SIGKILL\); restarting it/.test(l)));
    // Until it is back, the node says so.
    const health = await fetchHealth(dp.url);
    assert.deepEqual([health.status, health.workers], ['degraded', { expected: 2, answered: 1 }]);
    assert.equal((await authorize(dp.url, alice)).status, 200);
    const listening = () => dp.logs.filter((l) => /^gatehouse\[worker \d\]: data plane eu-west-1 listening on/.test(l)).length;
    await waitFor('the new worker to listen', () => listening() === 3, 20_000);
    assert.equal((await childrenOf(dp.pid)).filter((pid) => pid !== first).length, 2);
    const answers = await Promise.all(Array.from({ length: 8 }, () => authorize(dp.url, alice)));
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
  });

  it('stops every worker on SIGTERM and exits 0', async () => {
    const workers = await childrenOf(dp.pid);
    await dp.stop(15_000);
    assert.equal(await dp.exited, 0);
    assert.deepEqual(workers.filter(alive), []);
    assert.match(dp.logs.join('\n'), /^gatehouse\[worker 1\]: stopped$/m);
    assert.match(dp.logs.join('\n'), /^gatehouse: stopped$/m);
  });
});
