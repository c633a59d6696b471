/**
 * Analysis benchmark (issue 5), on seeded generated data (bench/analysis/):
 *
 *   1. lint throughput: `lintPolicy` on 10,000 generated identity policies given as JSON text, as
 *      `gatehouse policy lint` reads them: policies/second, p50/p99 per policy, heap;
 *   2. the full access review of a generated account of 5,000 principals (3,000 users, 2,000
 *      roles) and 20,000 customer managed policies, as `gatehouse access-review --import` runs
 *      it: import (read + parse + model), the review's rows, the escalation graph, rendering
 *      JSON/CSV/HTML; wall and CPU time per phase, and the process's peak RSS (sampled every
 *      25 ms).
 *
 *   npm run bench:analysis              (targets: 5,000 policies/s; review < 30 s in < 2 GiB)
 *   npm run bench:analysis -- --quick   (1,000 policies; 500 principals, 2,000 policies)
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountIndex, importAuthorizationDetails } from '../src/analysis/account/index.js';
import { reviewAccount } from '../src/analysis/review/access-review.js';
import { escalationForReview } from '../src/analysis/review/review-escalation.js';
import { renderCsv } from '../src/analysis/review/render-csv.js';
import { renderHtml } from '../src/analysis/review/render-html.js';
import { renderJson } from '../src/analysis/review/render-json.js';
import type { AccessReview } from '../src/analysis/review/review-types.js';
import { generateAccount, type GenerateAccountOptions } from './analysis/generate-account.js';
import { generateIdentityPolicy, type PolicyWorld } from './analysis/generate-policy.js';
import { createRng } from './analysis/prng.js';

const SEED = 20250101;
const quick = process.argv.includes('--quick');
const LINT_POLICIES = quick ? 1_000 : 10_000;
const ACCOUNT: GenerateAccountOptions = quick ? { seed: SEED, users: 300, roles: 200, groups: 20, policies: 2_000 } : { seed: SEED, users: 3_000, roles: 2_000, groups: 100, policies: 20_000 };

const gc = (globalThis as { gc?: () => void }).gc;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function heapUsed(): number {
  gc?.();
  return process.memoryUsage().heapUsed;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** Wall and CPU time of one phase. */
function timed<T>(work: () => T): { value: T; wallMs: number; cpuMs: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = work();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function timedAsync<T>(work: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await work();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function line(label: string, t: { wallMs: number; cpuMs: number }, extra = ''): void {
  console.log(`${label.padEnd(18)} ${(t.wallMs / 1000).toFixed(2).padStart(7)} s wall  ${(t.cpuMs / 1000).toFixed(2).padStart(7)} s CPU${extra ? `   ${extra}` : ''}`);
}

async function benchLint(): Promise<void> {
  let lintPolicy: ((input: unknown, options: { kind: 'identity' }) => { severity: string }[]) | undefined;
  try {
    ({ lintPolicy } = await import('../src/analysis/lint/lint-policy.js'));
  } catch {
    lintPolicy = undefined;
  }
  console.log(`\n== lint: ${fmt(LINT_POLICIES)} generated identity policies (JSON text), seed ${SEED}`);
  if (!lintPolicy) {
    console.log('lint: not available');
    return;
  }
  const rng = createRng(SEED);
  const world: PolicyWorld = {
    accountId: '123456789012',
    apps: Array.from({ length: 400 }, (_, i) => `app-${String(i).padStart(4, '0')}`),
    teams: ['platform', 'payments', 'data', 'web'],
    roleNames: Array.from({ length: 200 }, (_, i) => `role-${i}`),
  };
  const texts = Array.from({ length: LINT_POLICIES }, () => JSON.stringify(generateIdentityPolicy(rng, world), null, 2));
  for (let i = 0; i < Math.min(500, texts.length); i++) lintPolicy(texts[i], { kind: 'identity' });
  const heapBefore = heapUsed();
  const lat = new Float64Array(texts.length);
  let findings = 0;
  const severities: Record<string, number> = {};
  const all = timed(() => {
    for (let i = 0; i < texts.length; i++) {
      const s = process.hrtime.bigint();
      const found = lintPolicy(texts[i], { kind: 'identity' });
      lat[i] = Number(process.hrtime.bigint() - s) / 1e6;
      findings += found.length;
      for (const f of found) severities[f.severity] = (severities[f.severity] ?? 0) + 1;
    }
  });
  lat.sort();
  console.log(`policies/second    ${fmt(texts.length / (all.wallMs / 1000))} (one core; ${fmt(texts.length / (all.cpuMs / 1000))} per CPU second)`);
  console.log(`latency            p50 ${percentile(lat, 0.5).toFixed(3)} ms   p99 ${percentile(lat, 0.99).toFixed(3)} ms   max ${lat[lat.length - 1].toFixed(1)} ms`);
  console.log(`heap used          ${mib(heapBefore)} before, ${mib(heapUsed())} after`);
  console.log(`findings           ${fmt(findings)} (${Object.entries(severities).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')})`);
}

function renderSize(chunks: Iterable<string>): number {
  let bytes = 0;
  for (const c of chunks) bytes += Buffer.byteLength(c);
  return bytes;
}

async function benchReview(): Promise<void> {
  // The generated document goes through a file, as the CLI reads it.
  const file = join(tmpdir(), `gatehouse-bench-account-${process.pid}.json`);
  {
    const generated = generateAccount(ACCOUNT);
    await writeFile(file, JSON.stringify(generated.document));
    const c = generated.counts;
    console.log(`\n== access review: seed ${ACCOUNT.seed}, ${fmt(c.users)} users + ${fmt(c.roles)} roles = ${fmt(c.users + c.roles)} principals, ${fmt(c.groups)} groups,`);
    console.log(`   ${fmt(c.managedPolicies)} managed policies (${fmt(c.policyVersions)} versions), ${fmt(c.inlinePolicies)} inline policies, ${fmt(c.boundaries)} boundaries, ${c.admins} administrators`);
  }
  gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  try {
    const read = await timedAsync(() => readFile(file, 'utf8'));
    const text = read.value;
    const imported = timed(() => importAuthorizationDetails(JSON.parse(text)));
    sample();
    const { model, warnings } = imported.value;
    const index = new AccountIndex(model);
    const escalation = timed(() => escalationForReview(index));
    sample();
    // The graph's paths are searched per principal when the review asks for them.
    const review = timed(() => reviewAccount(index, { now: new Date('2025-06-01T00:00:00Z'), escalation: escalation.value }));
    sample();
    const r: AccessReview = review.value;
    const json = timed(() => renderSize(renderJson(r)));
    const csv = timed(() => renderSize(renderCsv(r)));
    const html = timed(() => renderSize(renderHtml(r)));
    sample();
    clearInterval(sampler);
    const importTotal = { wallMs: read.wallMs + imported.wallMs, cpuMs: read.cpuMs + imported.cpuMs };
    const total = { wallMs: importTotal.wallMs + escalation.wallMs + review.wallMs, cpuMs: importTotal.cpuMs + escalation.cpuMs + review.cpuMs };
    console.log(`document           ${mib(Buffer.byteLength(text))} JSON, ${warnings.length} import warnings`);
    line('import', importTotal, `(read ${(read.wallMs / 1000).toFixed(2)} s, parse + model ${(imported.wallMs / 1000).toFixed(2)} s)`);
    line('escalation graph', escalation);
    line('review', review, `${fmt(r.counts.rows)} rows, ${fmt(r.counts.resources)} known resources, ${fmt(r.counts.findings)} findings`);
    line('total (CLI work)', total, 'import + escalation + review');
    line('render json', json, mib(json.value));
    line('render csv', csv, mib(csv.value));
    line('render html', html, mib(html.value));
    console.log(`peak RSS           ${mib(peak)} (${mib(baseline)} before the import)`);
    console.log(`admins / paths     ${r.counts.admins} administrators, ${r.counts.escalationPaths} principals with a path to admin`);
    const status = total.wallMs < 30_000 && peak < 2 * 2 ** 30 ? 'within' : 'OUTSIDE';
    console.log(`target             ${status} the target (< 30 s, < 2 GiB)`);
  } finally {
    clearInterval(sampler);
    await rm(file, { force: true });
  }
}

console.log(`Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}${quick ? ', --quick' : ''}${gc ? '' : ' (run with --expose-gc for exact heap figures)'}`);
await benchLint();
await benchReview();
