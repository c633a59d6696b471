/**
 * Data-plane benchmark (issue 4) on the seeded workload of ../shared/bench/workload.mjs (seed
 * 20240601, 50 principals: users with long-term keys, role sessions with session tags and
 * session policies, identity policies and boundaries), written into a control-plane store through
 * the IAM use cases:
 *
 *   1. the in-process check (`createAuthorizer` fed by the control plane's feed in process): SigV4
 *      verification plus evaluation per second on one core, p50/p99 per check, memory;
 *   2. `POST /v1/authorize` over HTTP against a data-plane node in its own process (pre-signed
 *      inner requests replayed by autocannon at 64 connections), beside a bare Node HTTP
 *      server's ceiling measured in the same run;
 *   3. STS `AssumeRole` per second over HTTP (pre-signed requests replayed by autocannon);
 *   4. propagation from an IAM write on the control plane to three data-plane nodes (p50/p99);
 *   5. a data plane's cold start from a local snapshot of 100,000 principals (seconds, memory).
 *
 *   npm run bench:dataplane      (BENCH_SECONDS=N: seconds per measured phase, default 10;
 *                                 BENCH_PHASES=1,2: only those phases, 2 and 3 run together)
 *
 * Without the workload file (GATEHOUSE_BENCH_WORKLOAD=path points at one) phases 1-3 are skipped.
 * The load generator shares the machine's cores with the nodes, as in bench:api.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSecret } from '../src/control-plane/access-key-secrets.js';
import { deriveKey, open } from '../src/core/crypto/index.js';
import { ControlPlaneFeed } from '../src/replication/control-plane-feed.js';
import { replicationToken } from '../src/replication/replication-token.js';
import { STORE_FILE } from '../src/server/standalone.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { buildSnapshot, coldStart, coldStartProbe, type ColdStart } from './dataplane/cold-start.js';
import { authorizeRequests, runHttpPhases, signedStsQuery, type HttpPhases } from './dataplane/http-phases.js';
import { runInProcess, type InProcessResult } from './dataplane/in-process.js';
import { authorizeInputs } from './dataplane/inner-requests.js';
import { load, memoryOf, startServe, stop, type NodeProcess } from './dataplane/processes.js';
import { measurePropagation, type PropagationResult } from './dataplane/propagation.js';
import { controlPlaneEnv, HOME_REGION, mintSessions, seedStore, type Credentials } from './dataplane/seed.js';
import { fmtInt, heapUsed, mib } from './dataplane/stats.js';
import { loadWorkload, SEED, workloadPath } from './dataplane/workload.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PHASES = new Set((process.env.BENCH_PHASES ?? '1,2,3,4,5').split(',').map((p) => p.trim()));
const runs = (phase: number) => PHASES.has(String(phase));
/** Worker processes of the data-plane node measured over HTTP (`serve --workers`): one per core. */
const WORKERS = Number(process.env.BENCH_WORKERS ?? cpus().length);
const CONNECTIONS = 64;
const REGIONS = [HOME_REGION, 'eu-west-1', 'ap-southeast-2'];
const COLD_REGION = 'us-west-2';
/** Fixed, so that the nodes started here share the store's keys (a benchmark key, nothing else). */
const MASTER_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff));
const PRINCIPALS = 50;
const REQUESTS = 50_000;
const COLD_USERS = 100_000;

interface Row {
  figure: string;
  measured: string;
  target: string;
  met: boolean | undefined;
}

function printTable(rows: Row[]): void {
  const w = [Math.max(6, ...rows.map((r) => r.figure.length)), Math.max(8, ...rows.map((r) => r.measured.length)), Math.max(6, ...rows.map((r) => r.target.length))];
  const line = (a: string, b: string, c: string, d: string) => console.log(`${a.padEnd(w[0])}  ${b.padEnd(w[1])}  ${c.padEnd(w[2])}  ${d}`);
  line('figure', 'measured', 'target', 'met?');
  line('-'.repeat(w[0]), '-'.repeat(w[1]), '-'.repeat(w[2]), '----');
  for (const r of rows) line(r.figure, r.measured, r.target, r.met === undefined ? 'n/a' : r.met ? 'yes' : 'NO');
}

function printInProcess(r: InProcessResult): void {
  const total = r.tally.Allow + r.tally.Deny;
  const pct = (n: number) => ((100 * n) / Math.max(1, total)).toFixed(1);
  console.log(`  checks/second    ${fmtInt(r.perCpuSecond)} per CPU-second of one core (${fmtInt(r.perSecond)} per wall-clock second, ${fmtInt(r.checks)} checks)`);
  console.log(`  latency          p50 ${r.p50us.toFixed(1)} µs   p99 ${r.p99us.toFixed(1)} µs   max ${r.maxUs.toFixed(0)} µs (each check timed on its own)`);
  console.log(`  memory           heap ${mib(r.heapBefore)} before the authorizer (workload and inner requests), ${mib(r.heapLoaded)} with its replica, ${mib(r.heapAfter)} after the run; process RSS ${mib(r.rss)}`);
  const errors = Object.entries(r.errors).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`  decisions        Allow ${pct(r.tally.Allow)}%  Deny ${pct(r.tally.Deny)}%${errors ? `   errors: ${errors}` : ''}`);
  const us = (perSecond: number) => `${fmtInt(perSecond)}/s (${(1e6 / perSecond).toFixed(1)} µs)`;
  console.log(`  by decision      Allow alone ${us(r.allowPerCpuSecond)}, Deny alone ${us(r.denyPerCpuSecond)}, Deny with encodeMessage ${us(r.encodedDenyPerCpuSecond)}`);
}

async function main(): Promise<void> {
  console.log(`Data-plane benchmark: ${SECONDS} s per phase, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${load()}`);
  const work = await mkdtemp(join(tmpdir(), 'gatehouse-bench-dp-'));
  const nodes: NodeProcess[] = [];
  const rows: Row[] = [];
  try {
    const now = () => new Date();
    let workload = await loadWorkload({ principalCount: PRINCIPALS, requestCount: REQUESTS });
    if (!workload) console.log(`\nworkload not found at ${workloadPath} (set GATEHOUSE_BENCH_WORKLOAD): phases 1-3 are skipped.`);

    // The control plane's store, seeded in process before its node starts on it.
    const cpDir = join(work, 'control-plane');
    await mkdir(cpDir, { recursive: true });
    const store = await openSqliteStore(join(cpDir, STORE_FILE), { now });
    const seedStarted = performance.now();
    const seeded = await seedStore(store, MASTER_KEY, now, workload);
    const env = controlPlaneEnv(store, MASTER_KEY, now);
    const secretsKey = deriveKey(MASTER_KEY, 'secrets');
    const feed = new ControlPlaneFeed({ store, now, tokenRoot: env.tokenRoot, secretOf: (k) => openSecret(env, k), mfaSeedOf: (d) => open(secretsKey, d.sealedSeed, d.serialNumber) });
    const sessions = workload ? await mintSessions(feed, seeded, workload, now) : new Map<string, Credentials>();
    const credentialsOf = (arn: string) => seeded.userKeys.get(arn) ?? sessions.get(arn);
    if (workload) {
      const c = workload.meta.counts;
      console.log(
        `\nWorkload: seed ${SEED}, ${workload.meta.principalCount} principals (${c.users} users with an access key, ${c.roleSessions} sessions of ${seeded.roles.size} roles, ${c.principalsWithBoundary} with a boundary, ${c.principalsWithSessionPolicy} with a session policy), ` +
          `${c.identityPolicies} identity policies (${seeded.inlineAsManaged} inline ones attached as managed: over the user's 2,048-character quota); seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
      );
    }

    // ---- 1. in process
    let inProcess: InProcessResult | undefined;
    if (workload && runs(1)) {
      const inputs = authorizeInputs(workload.requests, credentialsOf, HOME_REGION, new Date());
      console.log(`\n== 1. In-process check (createAuthorizer, ControlPlaneFeed in process, usage recorded): ${fmtInt(inputs.length)} pre-signed inner requests, SigV4 + evaluation`);
      inProcess = await runInProcess(feed, inputs, join(work, 'authorizer'), Math.min(SECONDS, 10));
      printInProcess(inProcess);
      rows.push({ figure: 'in-process check (one core)', measured: `${fmtInt(inProcess.perCpuSecond)}/s, p50 ${inProcess.p50us.toFixed(1)} µs, p99 ${inProcess.p99us.toFixed(1)} µs`, target: '≥ 100,000/s', met: inProcess.perCpuSecond >= 100_000 });
    }
    await store.close();
    // What the HTTP phases need; the rest goes, so that the load generator in this process runs light.
    const httpRequests = workload?.requests.slice(0, 1200) ?? [];
    const documents = workload ? Object.values(workload.policies).filter((x) => x.kind === 'identity').map((x) => JSON.stringify(x.document)) : [];
    const haveWorkload = workload !== undefined;
    if (!haveWorkload) {
      for (const figure of ['in-process check (one core)', 'POST /v1/authorize over HTTP', 'STS AssumeRole over HTTP']) rows.push({ figure, measured: 'skipped: no workload file', target: '', met: undefined });
    }
    workload = undefined;
    heapUsed();

    // ---- the deployment: a control plane and three data-plane nodes, each its own process
    const masterKeyEnv = { GATEHOUSE_MASTER_KEY: MASTER_KEY.toString('base64') };
    const cp = await startServe(['--role', 'control-plane', '--data-dir', cpDir, '--port', '0'], /^gatehouse: listening on (http:\/\/\S+)/, masterKeyEnv);
    nodes.push(cp);
    const replicationKey = deriveKey(MASTER_KEY, 'replication');
    const planes = new Map<string, NodeProcess>();
    for (const region of REGIONS) {
      const dir = join(work, `data-plane-${region}`);
      const workers = region === HOME_REGION ? ['--workers', String(WORKERS)] : [];
      const node = await startServe(['--role', 'data-plane', '--region', region, '--control-plane', cp.url, '--data-dir', dir, '--port', '0', ...workers], /^gatehouse: data plane \S+ listening on (http:\/\/\S+)/, {
        GATEHOUSE_REPLICATION_TOKEN: replicationToken(replicationKey, region),
      });
      nodes.push(node);
      planes.set(region, node);
    }
    const east = planes.get(HOME_REGION) as NodeProcess;

    // ---- 2 and 3. over HTTP
    let http: HttpPhases | undefined;
    if (haveWorkload && (runs(2) || runs(3))) {
      // Signed now (a signature is good for 15 minutes), 1,000 of them, the workload's mix.
      const inputs = authorizeInputs(httpRequests, credentialsOf, HOME_REGION, new Date()).slice(0, 1000);
      const bodies = authorizeRequests(inputs);
      const tally: Record<string, number> = {};
      for (const b of bodies) {
        const res = await fetch(new URL('/v1/authorize', east.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: b.body as string });
        const body = (await res.json()) as { decision: string; error?: { code: string } };
        const k = body.error ? `${res.status} ${body.error.code}` : body.decision;
        tally[k] = (tally[k] ?? 0) + 1;
      }
      const roleArns = [...seeded.roles.keys()];
      const assume = Array.from({ length: 256 }, (_, i) =>
        signedStsQuery(new URL(east.url), seeded.admin, HOME_REGION, `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(roleArns[i % roleArns.length])}&RoleSessionName=bench-${i}`),
      );
      const probe = await fetch(new URL('/', east.url), { method: 'POST', headers: assume[0].headers as Record<string, string>, body: assume[0].body as string });
      if (probe.status !== 200) throw new Error(`AssumeRole answered ${probe.status}: ${await probe.text()}`);
      console.log(`\n== 2-3. Over HTTP: data-plane node ${HOME_REGION} in its own process (${WORKERS} worker${WORKERS === 1 ? '' : 's'}: serve --workers), autocannon at ${CONNECTIONS} connections in this process`);
      console.log(`  /v1/authorize bodies: ${bodies.length} inner requests of the workload (${Object.entries(tally).map(([k, v]) => `${k} ${v}`).join(', ')}), ${Math.round(bodies.reduce((n, b) => n + String(b.body).length, 0) / bodies.length)} bytes on average`);
      console.log(`  AssumeRole requests: ${assume.length}, signed by the administrator for the ${roleArns.length} roles`);
      http = await runHttpPhases({ node: east, authorizeBodies: bodies, assumeRoleRequests: runs(3) ? assume : [], seconds: SECONDS, connections: CONNECTIONS });
      const mem = await memoryOf(east.pid);
      const share = http.authorize.rps / http.ceiling.rps;
      console.log(`  /v1/authorize: ${(share * 100).toFixed(0)}% of the ceiling, p99 ${http.authorize.p99} ms; data-plane node RSS ${mem ? `${mib(mem.rss)} (peak ${mib(mem.peak)})` : 'n/a'}`);
      rows.push({ figure: 'POST /v1/authorize over HTTP', measured: `${fmtInt(http.authorize.rps)}/s = ${(share * 100).toFixed(0)}% of ${fmtInt(http.ceiling.rps)}/s, p50 ${http.authorize.p50} ms, p99 ${http.authorize.p99} ms`, target: '≥ 50% of ceiling, p99 < 15 ms', met: share >= 0.5 && http.authorize.p99 < 15 });
      if (http.assumeRole) rows.push({ figure: 'STS AssumeRole over HTTP', measured: `${fmtInt(http.assumeRole.rps)}/s, p50 ${http.assumeRole.p50} ms, p99 ${http.assumeRole.p99} ms`, target: '≥ 3,000/s', met: http.assumeRole.rps >= 3000 });
    }

    // ---- 4. propagation
    if (runs(4)) {
    const writes = Math.max(20, SECONDS * 10);
    console.log(`\n== 4. Propagation: ${writes} IAM writes on the control plane (Attach/DetachUserPolicy), each region asked with x-gatehouse-min-revision until its decision flips`);
    const propagation: PropagationResult = await measurePropagation({
      controlPlaneUrl: cp.url,
      planes: new Map([...planes].map(([r, n]) => [r, n.url])),
      admin: seeded.admin,
      probe: seeded.probe.credentials,
      probePolicyArn: seeded.probe.policyArn,
      writes,
    });
    const p = propagation;
    console.log(`  write (commit)          p50 ${p.writeMs.p50.toFixed(1)} ms   p99 ${p.writeMs.p99.toFixed(1)} ms`);
    console.log(`  write sent → region     p50 ${p.fromSend.p50.toFixed(1)} ms   p99 ${p.fromSend.p99.toFixed(1)} ms   max ${p.fromSend.max.toFixed(1)} ms   (${p.regions.length} regions × ${p.writes} writes)`);
    console.log(`  write answered → region p50 ${p.fromCommit.p50.toFixed(1)} ms   p99 ${p.fromCommit.p99.toFixed(1)} ms   max ${p.fromCommit.max.toFixed(1)} ms`);
    console.log(`  write sent → all three  p50 ${p.allRegions.p50.toFixed(1)} ms   p99 ${p.allRegions.p99.toFixed(1)} ms`);
    console.log(`  decisions that had not flipped: ${p.wrong}`);
    rows.push({ figure: 'propagation to 3 regions', measured: `p50 ${p.fromSend.p50.toFixed(1)} ms, p99 ${p.fromSend.p99.toFixed(1)} ms (${p.wrong} wrong)`, target: 'p99 < 250 ms', met: p.fromSend.p99 < 250 && p.wrong === 0 });
    }

    for (const node of nodes.splice(0)) await stop(node);

    // ---- 5. cold start
    if (runs(5)) {
    console.log(`\n== 5. Cold start of a data plane from its local snapshot (control plane unreachable)`);
    const small = await buildSnapshot(join(work, 'cold-small'), COLD_REGION, MASTER_KEY, { users: 1, roles: 0, policies: 1, documents: [] });
    const baseline: ColdStart = await coldStart(join(work, 'cold-small'), COLD_REGION, coldStartProbe(small, COLD_REGION));
    const built = await buildSnapshot(join(work, 'cold'), COLD_REGION, MASTER_KEY, { users: COLD_USERS, roles: 2000, policies: 1000, documents });
    console.log(`  snapshot         ${fmtInt(COLD_USERS)} users with an access key, 2,000 roles, 1,001 managed policies: ${fmtInt(built.records)} records, ${mib(built.bytes)} file, built in ${built.buildSeconds.toFixed(1)} s`);
    const cold: ColdStart = await coldStart(join(work, 'cold'), COLD_REGION, coldStartProbe(built, COLD_REGION));
    console.log(`  1-user snapshot  listening ${baseline.listening.toFixed(2)} s, /health ${baseline.health.toFixed(2)} s, RSS ${mib(baseline.rss)} (process start, tsx, modules)`);
    console.log(`  100k snapshot    listening ${cold.listening.toFixed(2)} s, /health ${cold.health.toFixed(2)} s (${fmtInt(cold.records ?? 0)} records held), RSS ${mib(cold.rss)}, peak ${mib(cold.peak)}`);
    console.log(`  first check      ${cold.firstCheckMs.toFixed(1)} ms (${cold.firstDecision}) for one of the 100,000 users`);
    rows.push({ figure: 'cold start, 100k principals', measured: `${cold.health.toFixed(2)} s to /health, peak RSS ${mib(cold.peak)}`, target: '< 10 s, < 1.5 GiB', met: cold.health < 10 && cold.peak < 1.5 * 2 ** 30 && cold.firstDecision === 'Allow' });
    }

    console.log(`\n== Summary (${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version})`);
    printTable(rows);
  } finally {
    for (const node of nodes) await stop(node);
    await rm(work, { recursive: true, force: true });
  }
}

await main();
