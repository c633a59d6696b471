/**
 * Static stability (ARCHITECTURE.md), each promise proved with separate processes: a control
 * plane on the real clock, an eu-west-1 data plane that follows it through a TCP proxy the test
 * cuts and heals, and the data plane's clock moved forward (offset file + SIGUSR2). Requests are
 * signed at the data plane's time. The cases run in order and share the processes:
 *
 *   setup   control plane (key window 3 days, token window 2 days), proxy, data plane, IAM entities
 *   cut     the link is cut: /health, /metrics, `gatehouse status` show it
 *   (3)     authorization as last replicated; a revoke and a grant made meanwhile are not seen
 *   (4)     IAM writes through the region fail fast with 503 and write nothing
 *   (2)     STS issues credentials at +25 h and to the end of the token window, then says why not
 *   (1)     long-term keys authenticate to the end of the key window, then a clear 503; SigV4a on
 *   (5)     the data plane, killed and restarted while cut off, serves from its snapshot
 *   (6)     healed: the region catches up in order (the revoke never shows after the grant), lag 0
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  IAMClient,
  ListAttachedUserPoliciesCommand,
  PutUserPolicyCommand,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { deriveKey } from '../../src/core/crypto/index.js';
import { SIGV4A_ALGORITHM, sha256Hex, signRequest, type SigningCredentials } from '../../src/core/sigv4/index.js';
import { utcDay } from '../../src/core/tokens/index.js';
import { replicationToken } from '../../src/replication/replication-token.js';
import type { NodeHealth } from '../../src/server/health.js';
import { fetchHealth, fetchMetrics, runCli, setClockOffset, startControlPlane, startDataPlane, waitFor, type NodeProcess } from './process-harness.js';
import { onRevisionHeader } from './revision-header.js';
import { TcpProxy } from './tcp-proxy.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const REGION = 'eu-west-1';
const HOME = 'us-east-1';
const KEY_WINDOW_DAYS = 3;
const TOKEN_WINDOW_DAYS = 2;
const NODE_ID = 'dp-eu-west-1-a';
const HOUR = 3_600_000;
const DAY = 86_400_000;
const BUCKET = 'arn:aws:s3:::static-bucket';
const OBJECT = `${BUCKET}/report.csv`;
const EMPTY_SHA256 = sha256Hex('');
const NOISE_WRITES = 1_100;

// ---- small clients ---------------------------------------------------------------------------

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function send(url: string, method: string, path: string, headers: Record<string, string>, body: string): Promise<HttpAnswer> {
  const target = new URL(url);
  return new Promise((ok, fail) => {
    const req = httpRequest({ hostname: target.hostname, port: target.port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', fail);
    });
    req.setTimeout(15_000, () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', fail);
    req.end(body);
  });
}

function xmlValue(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
}

interface AuthorizeAnswer {
  status: number;
  body: { decision: 'Allow' | 'Deny'; revision: number; principal?: { arn: string }; error?: { code: string; message: string } };
}

/**
 * Asks a node's `/v1/authorize` about an S3-style request signed by `credentials` at `at` (the
 * node's clock) for `region`, the way a resource server hands over what it received.
 */
async function authorize(url: string, credentials: SigningCredentials, action: string, at: Date, options: { region?: string; minRevision?: number } = {}): Promise<AuthorizeAnswer> {
  const inner = signRequest(
    { method: 'GET', path: '/report.csv', query: '', headers: [['host', 'static-bucket.s3.internal']], bodySha256: EMPTY_SHA256 },
    credentials,
    { now: at, region: options.region ?? REGION, service: 's3', signContentSha256: true },
  );
  const body = JSON.stringify({ request: { method: inner.method, path: inner.path, query: inner.query, headers: inner.headers }, action, resource: OBJECT });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.minRevision !== undefined) headers['x-gatehouse-min-revision'] = String(options.minRevision);
  const answer = await send(url, 'POST', '/v1/authorize', headers, body);
  return { status: answer.status, body: JSON.parse(answer.text) as AuthorizeAnswer['body'] };
}

/** STS GetCallerIdentity signed by hand (SigV4 or SigV4a) at `at`. */
async function rawCallerIdentity(url: string, credentials: SigningCredentials, at: Date, algorithm?: typeof SIGV4A_ALGORITHM): Promise<HttpAnswer> {
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const host = new URL(url).host;
  const signed = signRequest(
    { method: 'POST', path: '/', query: '', headers: [['host', host], ['content-type', 'application/x-www-form-urlencoded; charset=utf-8']], bodySha256: sha256Hex(body) },
    credentials,
    { now: at, region: REGION, service: 'sts', algorithm },
  );
  return send(url, 'POST', '/', Object.fromEntries(signed.headers.map(([k, v]) => [k, v])), body);
}

/** Adds a header to every request of an SDK client. */
function withHeader<T extends IAMClient | STSClient>(client: T, name: string, value: string): T {
  (client as STSClient).middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers[name] = value;
      return next(args);
    },
    { step: 'build', name: `header-${name}` },
  );
  return client;
}

function sdkError(err: unknown): { name: string; message: string; status?: number } {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return { name: e.name ?? '', message: e.message ?? '', status: e.$metadata?.httpStatusCode };
}

function regionOf(health: NodeHealth) {
  const region = health.regions.find((r) => r.region === REGION);
  assert.ok(region, `the node reports no ${REGION} region: ${JSON.stringify(health)}`);
  return region;
}

/** Start (ms) of the UTC day `days` after today's. */
function dayStartAfter(days: number): number {
  const now = Date.now();
  return now - (now % DAY) + days * DAY;
}

// ---- the scenario ------------------------------------------------------------------------------

describe('static stability: a data plane cut off from its control plane (separate processes)', () => {
  const masterKey = randomBytes(32).toString('base64');
  let root = '';
  let cpDir = '';
  let dpDir = '';
  let tokenFile = '';
  let offsetFile = '';
  let cp: NodeProcess;
  let dp: NodeProcess;
  let proxy: TcpProxy;
  const clients: (IAMClient | STSClient)[] = [];
  let lastRevision = 0;
  let accountId = '';
  let admin: SigningCredentials;
  let alice: SigningCredentials;
  let aliceArn = '';
  let roleArn = '';
  let getPolicyArn = '';
  let putPolicyArn = '';
  /** The revision the region holds from the cut on; the revoke and the grant made during the cut. */
  let cutRevision = 0;
  let revokeRevision = 0;
  let grantRevision = 0;

  const iam = (url: string, credentials: SigningCredentials = admin) => {
    const client = new IAMClient({ endpoint: url, region: HOME, credentials, maxAttempts: 1 });
    onRevisionHeader(client, (revision) => (lastRevision = Math.max(lastRevision, revision)));
    clients.push(client);
    return client;
  };
  /** An STS client of the data plane whose clock runs `offsetMs` ahead (the SDK signs at its own clock plus the offset). */
  const sts = (credentials: SigningCredentials, offsetMs: number) => {
    const client = new STSClient({ endpoint: dp.url, region: REGION, credentials, maxAttempts: 1, systemClockOffset: offsetMs });
    clients.push(client);
    return client;
  };
  const cpIam = () => iam(cp.url);

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'gatehouse-static-'));
    cpDir = join(root, 'control-plane');
    dpDir = join(root, 'data-plane');
    tokenFile = join(root, 'eu-west-1.token');
    offsetFile = join(root, 'clock-offset-ms');
    await mkdir(cpDir, { mode: 0o700 });
    await writeFile(offsetFile, '0\n');

    const [control, token] = await Promise.all([
      startControlPlane({ dataDir: cpDir, masterKey, keyWindowDays: KEY_WINDOW_DAYS, tokenWindowDays: TOKEN_WINDOW_DAYS }),
      runCli(['replication-token', '--region', REGION, '--data-dir', cpDir], { GATEHOUSE_MASTER_KEY: masterKey }),
    ]);
    cp = control;
    assert.equal(token.code, 0, token.stderr);
    assert.equal(token.stdout.trim(), replicationToken(deriveKey(Buffer.from(masterKey, 'base64'), 'replication'), REGION));
    await writeFile(tokenFile, token.stdout, { mode: 0o600 });

    const credentialsFile = JSON.parse(await readFile(join(cpDir, 'admin-credentials.json'), 'utf8')) as { AccessKeyId: string; SecretAccessKey: string };
    admin = { accessKeyId: credentialsFile.AccessKeyId, secretAccessKey: credentialsFile.SecretAccessKey };

    // alice may read the bucket (policy attached) and assume the role "reader", which may read it too.
    const client = cpIam();
    const user = await client.send(new CreateUserCommand({ UserName: 'alice' }));
    aliceArn = user.User!.Arn!;
    accountId = aliceArn.split(':')[4];
    const key = await client.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    alice = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
    const policy = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: `${BUCKET}/*` }] });
    getPolicyArn = (await client.send(new CreatePolicyCommand({ PolicyName: 'get-objects', PolicyDocument: policy('s3:GetObject') }))).Policy!.Arn!;
    putPolicyArn = (await client.send(new CreatePolicyCommand({ PolicyName: 'put-objects', PolicyDocument: policy('s3:PutObject') }))).Policy!.Arn!;
    await client.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: getPolicyArn }));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: aliceArn }, Action: 'sts:AssumeRole' }] });
    roleArn = (await client.send(new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: trust }))).Role!.Arn!;
    await client.send(new AttachRolePolicyCommand({ RoleName: 'reader', PolicyArn: getPolicyArn }));
    await client.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'assume-reader', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }] }) }));

    proxy = await TcpProxy.start(cp.url);
    dp = await startDataPlane({ region: REGION, controlPlaneUrl: proxy.url, tokenFile, dataDir: dpDir, nodeId: NODE_ID, clockOffsetFile: offsetFile });

    // Before the cut: IAM through the data plane reaches the control plane (passed through whole).
    await iam(dp.url).send(new CreateUserCommand({ UserName: 'created-through-the-region' }));
    const written = lastRevision;
    await waitFor(`${REGION} to apply revision ${written}`, async () => regionOf(await fetchHealth(dp.url)).appliedRevision >= written);
    const health = regionOf(await fetchHealth(dp.url));
    assert.equal(health.connected, true);
    assert.equal(health.keyWindowThrough, utcDay(dayStartAfter(KEY_WINDOW_DAYS)));
    const before = await authorize(dp.url, alice, 's3:GetObject', new Date());
    assert.equal(before.body.decision, 'Allow', JSON.stringify(before.body));
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await Promise.all([dp?.stop(), cp?.stop()]);
    await proxy?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('shows the cut: /health (connected false, a timed control-plane-unreachable event), /metrics, gatehouse status', async () => {
    const cutAt = Date.now();
    await proxy.cut();
    const health = await waitFor('the data plane to notice the cut', async () => {
      const h = await fetchHealth(dp.url);
      return !regionOf(h).connected && regionOf(h).events.some((e) => e.type === 'control-plane-unreachable') ? h : undefined;
    });
    const region = regionOf(health);
    assert.equal(health.status, 'degraded');
    // Where the region stays until the link heals (the control plane may have written more, such
    // as access keys' last use, between the setup and the cut).
    cutRevision = region.appliedRevision;
    assert.ok(cutRevision >= lastRevision);
    const event = region.events.find((e) => e.type === 'control-plane-unreachable')!;
    assert.ok(Date.parse(event.time) >= cutAt - 1000 && Date.parse(event.time) <= Date.now(), `event time ${event.time}`);
    assert.ok(region.lastContact && Date.parse(region.lastContact) <= Date.parse(event.time));
    assert.ok(region.keyWindowRemainingSeconds > KEY_WINDOW_DAYS * 86_400 - 60);
    assert.ok(region.tokenWindowRemainingSeconds > TOKEN_WINDOW_DAYS * 86_400 - 60);

    const metrics = await fetchMetrics(dp.url);
    assert.match(metrics, /^gatehouse_replica_connected\{region="eu-west-1"\} 0$/m);
    assert.match(metrics, new RegExp(`^gatehouse_replica_applied_revision\\{region="eu-west-1"\\} ${cutRevision}$`, 'm'));
    for (const gauge of ['gatehouse_replica_lag_revisions', 'gatehouse_replica_lag_seconds', 'gatehouse_replica_last_contact_timestamp_seconds', 'gatehouse_key_window_remaining_seconds', 'gatehouse_token_window_remaining_seconds']) {
      assert.match(metrics, new RegExp(`^# TYPE ${gauge} gauge$[\\s\\S]*^${gauge}\\{region="eu-west-1"\\} [0-9.e+]+$`, 'm'), gauge);
    }

    const status = await runCli(['status', '--endpoint', dp.url]);
    assert.equal(status.code, 1, status.stdout + status.stderr);
    assert.match(status.stdout, /DEGRADED/);
    assert.match(status.stdout, /eu-west-1\s+\d+\s+\d+\s+\d+\s+\S+\s+\S+.*CUT OFF/);
    assert.match(status.stdout, /control-plane-unreachable/);
  });

  it('(3) authorizes exactly as last replicated: a revoke and a grant made on the control plane during the cut are not seen', async () => {
    const client = cpIam();
    await client.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: getPolicyArn }));
    revokeRevision = lastRevision;
    // More revisions between the two than one feed batch carries (1000 changes), so the region
    // catches up in several batches and case (6) can see the states in between.
    await client.send(new CreateUserCommand({ UserName: 'busy' }));
    let n = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (n < NOISE_WRITES) await client.send(new TagUserCommand({ UserName: 'busy', Tags: [{ Key: 'n', Value: String(n++) }] }));
      }),
    );
    await client.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: putPolicyArn }));
    grantRevision = lastRevision;
    assert.ok(cutRevision < revokeRevision && revokeRevision + NOISE_WRITES < grantRevision);

    // The control plane's own region has both.
    const home = { get: await authorize(cp.url, alice, 's3:GetObject', new Date(), { region: HOME, minRevision: grantRevision }), put: await authorize(cp.url, alice, 's3:PutObject', new Date(), { region: HOME }) };
    assert.deepEqual([home.get.body.decision, home.put.body.decision], ['Deny', 'Allow']);

    // The cut-off region decides as at the cut.
    const get = await authorize(dp.url, alice, 's3:GetObject', new Date());
    const put = await authorize(dp.url, alice, 's3:PutObject', new Date());
    assert.equal(get.status, 200);
    assert.deepEqual([get.body.decision, get.body.revision, put.body.decision, put.body.revision], ['Allow', cutRevision, 'Deny', cutRevision]);
    assert.equal(get.body.principal?.arn, aliceArn);

    // Asking for the grant's revision: a bounded wait, then a retryable 503 (STS and /v1/authorize);
    // wait-propagated times out (exit 1) and says where the region is.
    const started = Date.now();
    const [waited, stsWaited, propagated] = await Promise.all([
      authorize(dp.url, alice, 's3:PutObject', new Date(), { minRevision: grantRevision }),
      withHeader(sts(alice, 0), 'x-gatehouse-min-revision', String(grantRevision))
        .send(new GetCallerIdentityCommand({}))
        .then(
          () => ({ name: 'no error', message: '', status: 200 }),
          (err: unknown) => sdkError(err),
        ),
      runCli(['wait-propagated', '--revision', String(grantRevision), '--endpoint', cp.url, '--timeout', '2s']),
    ]);
    assert.equal(waited.status, 503);
    assert.equal(waited.body.error?.code, 'ServiceUnavailable');
    assert.match(waited.body.error?.message ?? '', new RegExp(`Revision ${grantRevision} has not reached eu-west-1 yet \\(applied: ${cutRevision}\\)`));
    assert.ok(Date.now() - started >= 4_500, 'the min-revision wait is bounded (5 s), not skipped');
    assert.deepEqual([stsWaited.name, stsWaited.status], ['ServiceUnavailable', 503]);
    assert.equal(propagated.code, 1, propagated.stdout + propagated.stderr);
    // (The control plane knows what the node reported with its last poll before the cut.)
    const reported = /timed out: .*eu-west-1 at (\d+)/.exec(propagated.stdout);
    assert.ok(reported && Number(reported[1]) <= cutRevision, propagated.stdout);
  });

  it('(4) IAM writes sent through the cut-off region fail fast with a retryable 503 and write nothing', async () => {
    const viaRegion = iam(dp.url);
    for (const command of [new CreateUserCommand({ UserName: 'written-while-cut' }), new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: getPolicyArn })]) {
      const started = Date.now();
      const err = await viaRegion.send(command as CreateUserCommand).then(
        () => undefined,
        (e: unknown) => sdkError(e),
      );
      const ms = Date.now() - started;
      assert.ok(err, 'the write must fail');
      assert.equal(err.name, 'ServiceUnavailable');
      assert.equal(err.status, 503);
      assert.match(err.message, /control plane cannot be reached from eu-west-1.*Retry later/);
      assert.ok(ms < 2_000, `failed after ${ms} ms`);
    }
    // Nothing reached the control plane.
    const control = cpIam();
    const missing = await control.send(new GetUserCommand({ UserName: 'written-while-cut' })).then(
      () => 'exists',
      (e: unknown) => sdkError(e).name,
    );
    assert.equal(missing, 'NoSuchEntityException');
    const attached = await control.send(new ListAttachedUserPoliciesCommand({ UserName: 'alice' }));
    assert.deepEqual(attached.AttachedPolicies?.map((p) => p.PolicyArn), [putPolicyArn]);
  });

  it('(2) regional STS issues new credentials at +25 h and to the end of the token window, then answers a clear 503', async () => {
    const tokenEnd = dayStartAfter(TOKEN_WINDOW_DAYS + 1);
    for (const offset of [25 * HOUR, tokenEnd - Date.now() - 10 * 60_000]) {
      await setClockOffset(dp, offsetFile, offset);
      const at = () => new Date(Date.now() + offset);
      const assumed = await sts(alice, offset).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'cut-off', DurationSeconds: 900 }));
      const c = assumed.Credentials!;
      assert.match(c.AccessKeyId!, /^ASIA/);
      const expiresIn = c.Expiration!.getTime() - at().getTime();
      assert.ok(expiresIn > 880_000 && expiresIn <= 900_000, `expires in ${expiresIn} ms of the region's time`);
      const session = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
      const identity = await sts(session, offset).send(new GetCallerIdentityCommand({}));
      assert.equal(identity.Arn, `arn:aws:sts::${accountId}:assumed-role/reader/cut-off`);
      const allowed = await authorize(dp.url, session, 's3:GetObject', at());
      const denied = await authorize(dp.url, session, 's3:PutObject', at());
      assert.deepEqual([allowed.status, allowed.body.decision, denied.body.decision], [200, 'Allow', 'Deny']);
    }

    // Past the token window (keys still within theirs): no new credentials, and the answer says why.
    const offset = tokenEnd - Date.now() + 10 * 60_000;
    await setClockOffset(dp, offsetFile, offset);
    const err = await sts(alice, offset)
      .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'too-late' }))
      .then(
        () => undefined,
        (e: unknown) => sdkError(e),
      );
    assert.deepEqual([err?.name, err?.status], ['ServiceUnavailable', 503]);
    assert.match(err!.message, /cannot issue temporary credentials: it holds no session token key/);
    const identity = await sts(alice, offset).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, aliceArn);
    const health = regionOf(await fetchHealth(dp.url));
    assert.equal(health.tokenWindowRemainingSeconds, 0);
    assert.ok(health.events.some((e) => e.type === 'token-window-running-out'));
  });

  it('(1) long-term keys authenticate to the end of the key window, then fail with a clear 503; SigV4a keeps working', async () => {
    const keyEnd = dayStartAfter(KEY_WINDOW_DAYS + 1);
    const inside = keyEnd - Date.now() - 10 * 60_000;
    await setClockOffset(dp, offsetFile, inside);
    const identity = await sts(alice, inside).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, aliceArn);
    const get = await authorize(dp.url, alice, 's3:GetObject', new Date(Date.now() + inside));
    assert.deepEqual([get.status, get.body.decision], [200, 'Allow']);

    const outside = keyEnd - Date.now() + 10 * 60_000;
    await setClockOffset(dp, offsetFile, outside);
    const at = new Date(Date.now() + outside);
    const err = await sts(alice, outside)
      .send(new GetCallerIdentityCommand({}))
      .then(
        () => undefined,
        (e: unknown) => sdkError(e),
      );
    assert.deepEqual([err?.name, err?.status], ['ServiceUnavailable', 503]);
    assert.match(err!.message, new RegExp(`This region has no key material for ${utcDay(at)}: it has not received updates from the control plane since \\S+\\. Retry later or use another region\\.`));
    const denied = await authorize(dp.url, alice, 's3:GetObject', at);
    assert.deepEqual([denied.status, denied.body.error?.code], [503, 'ServiceUnavailable']);
    const health = regionOf(await fetchHealth(dp.url));
    assert.equal(health.keyWindowRemainingSeconds, 0);
    assert.ok(health.events.some((e) => e.type === 'key-window-running-out'));

    // SigV4a needs only the replicated public key: no window (here 30 days on).
    const late = 30 * DAY;
    await setClockOffset(dp, offsetFile, late);
    const sigv4a = await rawCallerIdentity(dp.url, alice, new Date(Date.now() + late), SIGV4A_ALGORITHM);
    assert.equal(sigv4a.status, 200, sigv4a.text);
    assert.equal(xmlValue(sigv4a.text, 'Arn'), aliceArn);
  });

  it('(5) a data plane killed and restarted while cut off serves from its local snapshot', async () => {
    await writeFile(offsetFile, '0\n');
    const port = dp.port;
    await dp.kill();
    const started = Date.now();
    dp = await startDataPlane({ region: REGION, controlPlaneUrl: proxy.url, tokenFile, dataDir: dpDir, port, nodeId: NODE_ID, clockOffsetFile: offsetFile });
    const startMs = Date.now() - started;
    assert.equal(proxy.state, 'cut');

    const identity = await rawCallerIdentity(dp.url, alice, new Date());
    assert.equal(identity.status, 200, identity.text);
    assert.equal(xmlValue(identity.text, 'Arn'), aliceArn);
    const get = await authorize(dp.url, alice, 's3:GetObject', new Date());
    const put = await authorize(dp.url, alice, 's3:PutObject', new Date());
    assert.deepEqual([get.body.decision, get.body.revision, put.body.decision], ['Allow', cutRevision, 'Deny']);
    const assumed = await sts(alice, 0).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'after-restart' }));
    assert.match(assumed.Credentials?.AccessKeyId ?? '', /^ASIA/);

    const health = await waitFor('the restarted node to report the cut', async () => {
      const h = regionOf(await fetchHealth(dp.url));
      return h.events.some((e) => e.type === 'control-plane-unreachable') ? h : undefined;
    });
    const restored = health.events.find((e) => e.type === 'restored-from-local-snapshot');
    assert.ok(restored, JSON.stringify(health.events));
    assert.match(restored.message, new RegExp(`at revision ${cutRevision}\\b`));
    assert.ok(!Number.isNaN(Date.parse(restored.time)));
    assert.equal(health.connected, false);
    assert.equal(health.appliedRevision, cutRevision);
    // Not heard from since the restart: the last contact shown is the snapshot's, and says so.
    assert.equal(health.lastContactSource, 'snapshot');
    assert.ok(health.lastContact && Date.parse(health.lastContact) < started, health.lastContact ?? 'never');
    const status = await runCli(['status', '--endpoint', dp.url]);
    assert.match(status.stdout, new RegExp(`eu-west-1\\s+${cutRevision}\\s+.*${health.lastContact.replace(/\./g, '\\.')} \\(snapshot\\).*CUT OFF`));
    assert.ok(startMs < 15_000, `restart took ${startMs} ms`);
  });

  it('(6) after the link heals the region catches up in order (the revoke is never seen after the grant) and lag returns to 0', async (t) => {
    /** What the control plane allowed alice at each revision. */
    const expected = (revision: number) =>
      revision >= grantRevision ? { get: 'Deny', put: 'Allow' } : revision >= revokeRevision ? { get: 'Deny', put: 'Deny' } : { get: 'Allow', put: 'Deny' };
    const seen: { revision: number; action: 'get' | 'put'; decision: string }[] = [];
    const observe = async () => {
      for (const action of ['get', 'put'] as const) {
        const answer = await authorize(dp.url, alice, action === 'get' ? 's3:GetObject' : 's3:PutObject', new Date());
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        seen.push({ revision: answer.body.revision, action, decision: answer.body.decision });
      }
    };
    await observe();
    const healedAt = Date.now();
    await proxy.heal();
    const health = await waitFor(
      'the region to catch up',
      async () => {
        await observe();
        const h = regionOf(await fetchHealth(dp.url));
        return h.connected && h.appliedRevision >= grantRevision && h.lagRevisions === 0 ? h : undefined;
      },
      15_000,
      0,
    );
    const catchUpMs = Date.now() - healedAt;
    await observe();

    // Revisions only move forward, and every decision is the control plane's at that revision.
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].revision >= seen[i - 1].revision, `revision went back: ${JSON.stringify(seen.slice(i - 1, i + 1))}`);
    for (const s of seen) assert.equal(s.decision, expected(s.revision)[s.action], `at revision ${s.revision}, ${s.action} was ${s.decision}`);
    // The final state is the control plane's: the grant, without the revoked permission. (The
    // revision may be past the grant: the control plane also writes access keys' last use.)
    const last = seen.slice(-2);
    assert.ok(last.every((s) => s.revision >= grantRevision), JSON.stringify(last));
    assert.deepEqual(
      last.map((s) => s.decision),
      ['Deny', 'Allow'],
    );
    assert.ok(seen.some((s) => s.revision === cutRevision), 'observed the state before the catch-up');
    const revisions = [...new Set(seen.map((s) => s.revision))];
    t.diagnostic(`caught up ${catchUpMs} ms after the heal; ${seen.length} decisions observed at revisions ${revisions.join(', ')} (revoke ${revokeRevision}, grant ${grantRevision})`);

    assert.equal(health.lagRevisions, 0);
    assert.ok(health.lagSeconds <= 1, `lag ${health.lagSeconds} s`);
    assert.ok(health.events.some((e) => e.type === 'control-plane-reachable'));
    assert.ok(catchUpMs < 10_000, `caught up ${catchUpMs} ms after the heal`);

    const fresh = await authorize(dp.url, alice, 's3:PutObject', new Date(), { minRevision: grantRevision });
    assert.deepEqual([fresh.status, fresh.body.decision], [200, 'Allow']);
    const [status, propagated] = await Promise.all([
      runCli(['status', '--endpoint', `${cp.url},${dp.url}`]),
      runCli(['wait-propagated', '--revision', String(grantRevision), '--endpoint', cp.url, '--timeout', '10s']),
    ]);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    const row = /^ {2}eu-west-1\s+(\d+)\s+0\s+0\s.*connected$/m.exec(status.stdout);
    assert.ok(row && Number(row[1]) >= grantRevision, status.stdout);
    const node = new RegExp(`eu-west-1\\s+${NODE_ID}\\s+applied (\\d+)`).exec(status.stdout);
    assert.ok(node && Number(node[1]) >= grantRevision, status.stdout);
    assert.equal(propagated.code, 0, propagated.stdout + propagated.stderr);
    assert.match(propagated.stdout, new RegExp(`revision ${grantRevision} has reached .*eu-west-1`));
  });
});

/**
 * A silent partition (packets dropped: the proxy accepts and forwards nothing). The control
 * plane's long-poll writes a heartbeat byte every 5 s, so the data plane treats 12 s of silence
 * as a dead link: the region reports the cut within about 12 s. STS keeps answering at once; an
 * IAM write sent through the region before the cut is noticed gets its 503 after the
 * pass-through's 3 s answer timeout (saying it may have been applied, since it went out), and
 * at once after that; nothing is written.
 */
describe('static stability: a silent partition (blackhole)', () => {
  const masterKey = randomBytes(32).toString('base64');
  let root = '';
  let cp: NodeProcess;
  let dp: NodeProcess;
  let proxy: TcpProxy;
  let admin: SigningCredentials;
  const clients: (IAMClient | STSClient)[] = [];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'gatehouse-blackhole-'));
    cp = await startControlPlane({ dataDir: join(root, 'control-plane'), masterKey });
    const tokenFile = join(root, 'token');
    await writeFile(tokenFile, replicationToken(deriveKey(Buffer.from(masterKey, 'base64'), 'replication'), REGION), { mode: 0o600 });
    const file = JSON.parse(await readFile(join(root, 'control-plane', 'admin-credentials.json'), 'utf8')) as { AccessKeyId: string; SecretAccessKey: string };
    admin = { accessKeyId: file.AccessKeyId, secretAccessKey: file.SecretAccessKey };
    proxy = await TcpProxy.start(cp.url);
    dp = await startDataPlane({ region: REGION, controlPlaneUrl: proxy.url, tokenFile, dataDir: join(root, 'data-plane'), nodeId: 'dp-blackhole' });
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await Promise.all([dp?.stop(), cp?.stop()]);
    await proxy?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('keeps STS answering, fails IAM writes within 3 s (then at once), and reports the cut within 15 s', async (t) => {
    const viaRegion = new IAMClient({ endpoint: dp.url, region: HOME, credentials: admin, maxAttempts: 1 });
    const stsClient = new STSClient({ endpoint: dp.url, region: REGION, credentials: admin, maxAttempts: 1 });
    clients.push(viaRegion, stsClient);
    await viaRegion.send(new CreateUserCommand({ UserName: 'before-the-partition' }));

    const cutAt = Date.now();
    await proxy.blackhole();
    const started = Date.now();
    const err = await viaRegion.send(new CreateUserCommand({ UserName: 'during-the-partition' })).then(
      () => undefined,
      (e: unknown) => sdkError(e),
    );
    const writeMs = Date.now() - started;
    assert.deepEqual([err?.name, err?.status], ['ServiceUnavailable', 503]);
    // The request went out before anyone knew: the answer cannot say it was not applied.
    assert.equal(err?.message, 'The request reached the control plane but no answer came back in time; it may have been applied: check before retrying.');
    assert.ok(writeMs < 4_000, `the write failed after ${writeMs} ms`);

    const stsStarted = Date.now();
    const identity = await stsClient.send(new GetCallerIdentityCommand({}));
    assert.match(identity.Arn ?? '', /:user\/admin$/);
    assert.ok(Date.now() - stsStarted < 1_000);

    const health = await waitFor('the region to report the cut', async () => {
      const h = regionOf(await fetchHealth(dp.url));
      return h.connected ? undefined : h;
    }, 20_000, 100);
    const detectMs = Date.now() - cutAt;
    assert.ok(detectMs < 15_000, `the cut was reported ${detectMs} ms after it began`);
    const event = health.events.find((e) => e.type === 'control-plane-unreachable');
    assert.match(event?.message ?? '', /did not answer in time/);
    const fast = Date.now();
    const again = await viaRegion.send(new CreateUserCommand({ UserName: 'during-the-partition' })).then(
      () => undefined,
      (e: unknown) => sdkError(e),
    );
    assert.deepEqual([again?.name, again?.status], ['ServiceUnavailable', 503]);
    assert.match(again?.message ?? '', /control plane cannot be reached from eu-west-1/);
    assert.ok(Date.now() - fast < 1_000);

    const healedAt = Date.now();
    await proxy.heal();
    await waitFor('the region to reconnect', async () => regionOf(await fetchHealth(dp.url)).connected, 15_000, 100);
    const healMs = Date.now() - healedAt;
    const control = new IAMClient({ endpoint: cp.url, region: HOME, credentials: admin, maxAttempts: 1 });
    clients.push(control);
    const missing = await control.send(new GetUserCommand({ UserName: 'during-the-partition' })).then(
      () => 'exists',
      (e: unknown) => sdkError(e).name,
    );
    assert.equal(missing, 'NoSuchEntityException');
    t.diagnostic(`IAM write through the partitioned region failed after ${writeMs} ms; the region reported the cut ${detectMs} ms after it began; healed in ${healMs} ms`);
  });
});
