/**
 * Policy-engine benchmark on the seeded workload of ../shared/bench/workload.mjs (seed 20240601):
 * decisions/second, p50/p99 per decision and heap used at 50 principals, then compile time and
 * the same figures at 10,000 principals. No decision cache: every request is evaluated.
 *
 *   npm run bench:policy            (GATEHOUSE_BENCH_WORKLOAD=path overrides the workload file)
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CompiledPolicy, compilePolicy, evaluate, type PolicySets } from '../src/core/policy/index.js';
import type { AuthzRequest } from '../src/core/policy/request.js';

interface Workload {
  meta: { seed: number; principalCount: number; requestCount: number; counts: Record<string, number> };
  principals: { arn: string; account: string; identityPolicyIds: string[]; permissionsBoundaryId: string | null; sessionPolicyIds: string[]; scpPath: string[] }[];
  policies: Record<string, { kind: 'identity' | 'boundary' | 'session' | 'scp' | 'resource'; document: unknown }>;
  resources: { arn: string; account: string; resourcePolicyId: string | null }[];
  scpNodes: Record<string, string[]>;
  requests: (AuthzRequest & { resourceAccount: string })[];
}

const SEED = 20240601;
const workloadPath = process.env.GATEHOUSE_BENCH_WORKLOAD ?? fileURLToPath(new URL('../../shared/bench/workload.mjs', import.meta.url));

function heapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** Compiles every policy once and wires each principal's and resource's policy sets. */
function prepare(w: Workload) {
  const compiled = new Map<string, CompiledPolicy>();
  const get = (id: string, layer: 'identity' | 'boundary' | 'session' | 'resource') => {
    const key = `${layer}:${id}`;
    let p = compiled.get(key);
    if (!p) compiled.set(key, (p = compilePolicy(w.policies[id].document, { id, layer })));
    return p;
  };
  const scpLevel = (node: string, level: number) => w.scpNodes[node].map((id) => compilePolicy(w.policies[id].document, { id, layer: 'scp', scpLevel: level }));
  const scpCache = new Map<string, CompiledPolicy[][]>();
  const principals = new Map<string, PolicySets>();
  for (const p of w.principals) {
    const pathKey = p.scpPath.join('/');
    let scps = scpCache.get(pathKey);
    if (!scps) scpCache.set(pathKey, (scps = p.scpPath.map(scpLevel)));
    principals.set(p.arn, {
      // A principal's identity policies share one action index, as the data plane keeps them.
      identity: [CompiledPolicy.merge(p.arn, p.identityPolicyIds.map((id) => get(id, 'identity')))],
      boundary: p.permissionsBoundaryId ? get(p.permissionsBoundaryId, 'boundary') : null,
      session: p.sessionPolicyIds.map((id) => get(id, 'session')),
      scps,
    });
  }
  const resourcePolicies = new Map<string, CompiledPolicy>();
  for (const r of w.resources) if (r.resourcePolicyId) resourcePolicies.set(r.arn, get(r.resourcePolicyId, 'resource'));
  return { principals, resourcePolicies, policyCount: compiled.size };
}

function run(w: Workload, label: string): void {
  const heapBefore = heapMiB();
  const t0 = process.hrtime.bigint();
  const { principals, resourcePolicies, policyCount } = prepare(w);
  const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const heapCompiled = heapMiB();

  const reqs = w.requests;
  const decide = (r: (typeof reqs)[number]) => {
    const p = principals.get(r.principal)!;
    return evaluate(r, { identity: p.identity, boundary: p.boundary, session: p.session, scps: p.scps, resource: resourcePolicies.get(r.resource) ?? null, resourceAccount: r.resourceAccount });
  };

  // Warm up (fills the per-policy action indexes and lets the JIT settle), then count decisions.
  const tally = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0 };
  for (const r of reqs) tally[decide(r).decision]++;
  for (let pass = 0; pass < 2; pass++) for (const r of reqs) decide(r);

  const passes = 5;
  const t1 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (let pass = 0; pass < passes; pass++) for (let i = 0; i < reqs.length; i++) decide(reqs[i]);
  const cpu = process.cpuUsage(cpu0);
  const seconds = Number(process.hrtime.bigint() - t1) / 1e9;
  const perSecond = (passes * reqs.length) / seconds;
  // Per second of this process's CPU time: what one core does while other work shares the machine.
  const perCpuSecond = (passes * reqs.length) / ((cpu.user + cpu.system) / 1e6);

  // Latency: each decision timed on its own (includes ~30-60 ns of timer overhead).
  const lat = new Float64Array(reqs.length);
  for (let i = 0; i < reqs.length; i++) {
    const s = process.hrtime.bigint();
    decide(reqs[i]);
    lat[i] = Number(process.hrtime.bigint() - s) / 1000;
  }
  lat.sort();
  const heapAfter = heapMiB();

  const pct = (n: number) => ((100 * n) / reqs.length).toFixed(1);
  console.log(`\n== ${label}: seed ${w.meta.seed}, ${w.meta.principalCount} principals, ${reqs.length} requests, ${policyCount} policies compiled`);
  console.log(`compile          ${compileMs.toFixed(1)} ms (${w.meta.principalCount} principals)`);
  console.log(`decisions/second ${Math.round(perSecond).toLocaleString('en-US')} per wall-clock second, ${Math.round(perCpuSecond).toLocaleString('en-US')} per CPU-second (one core, ${passes} passes, no decision cache)`);
  console.log(`latency          p50 ${percentile(lat, 0.5).toFixed(2)} µs   p99 ${percentile(lat, 0.99).toFixed(2)} µs   max ${lat[lat.length - 1].toFixed(1)} µs`);
  console.log(`heap used        ${heapBefore.toFixed(1)} MiB before, ${heapCompiled.toFixed(1)} MiB compiled, ${heapAfter.toFixed(1)} MiB after the run`);
  console.log(`decisions        Allow ${pct(tally.Allow)}%  ImplicitDeny ${pct(tally.ImplicitDeny)}%  ExplicitDeny ${pct(tally.ExplicitDeny)}%`);
}

async function main(): Promise<void> {
  if (!existsSync(workloadPath)) {
    console.log(`policy-engine benchmark skipped: workload not found at ${workloadPath} (set GATEHOUSE_BENCH_WORKLOAD).`);
    return;
  }
  const { generateWorkload } = (await import(pathToFileURL(workloadPath).href)) as { generateWorkload: (o: object) => Workload };
  console.log(`Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}`);
  run(generateWorkload({ seed: SEED, principalCount: 50, requestCount: 100000 }), 'small');
  run(generateWorkload({ seed: SEED, principalCount: 10000, requestCount: 100000 }), 'large');
}

await main();
