/**
 * Phase 1: the in-process check, `createAuthorizer` fed by the control plane's feed in the same
 * process (no network), with a data folder (replica.db, usage recorded as a service embedding it
 * would). Each check verifies the inner request's SigV4 signature with the region's derived keys
 * and evaluates the principal's identity policies, boundary and session policy; one core (the
 * loop is synchronous, so the follower and the usage flush never run during it). Rates are given
 * per second of wall-clock time and per second of the process's CPU time: the second is what one
 * dedicated core does, whatever else the machine is running.
 */
import { createAuthorizer } from '../../src/data-plane/create-authorizer.js';
import type { AuthorizeInput } from '../../src/data-plane/authorize.js';
import type { FeedSource } from '../../src/replication/feed-source.js';
import { HOME_REGION } from './seed.js';
import { heapUsed, percentile } from './stats.js';

export interface InProcessResult {
  checks: number;
  /** Checks per second of wall time, and per second of the process's CPU time (one core, whatever else the machine runs). */
  perSecond: number;
  perCpuSecond: number;
  p50us: number;
  p99us: number;
  maxUs: number;
  heapBefore: number;
  heapLoaded: number;
  heapAfter: number;
  rss: number;
  tally: Record<string, number>;
  errors: Record<string, number>;
  /** Checks per CPU-second on the allowed and on the denied requests alone (a denial seals an encoded message). */
  allowPerCpuSecond: number;
  denyPerCpuSecond: number;
  /** The same denials with `encodeMessage: true` (the encoded authorization message sealed). */
  encodedDenyPerCpuSecond: number;
}

/** Checks per CPU-second over `list`, repeated for about `seconds`. */
function rate(check: (input: AuthorizeInput) => unknown, list: AuthorizeInput[], seconds: number): number {
  if (!list.length) return NaN;
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  do {
    for (let i = 0; i < list.length; i++) check(list[i]);
    n += list.length;
  } while (performance.now() - t0 < seconds * 1000);
  const c = process.cpuUsage(c0);
  return n / ((c.user + c.system) / 1e6);
}

export async function runInProcess(source: FeedSource, inputs: AuthorizeInput[], dataDir: string, seconds: number): Promise<InProcessResult> {
  const heapBefore = heapUsed();
  const authorizer = await createAuthorizer({ source, region: HOME_REGION, dataDir });
  try {
    const heapLoaded = heapUsed();
    const tally: Record<string, number> = { Allow: 0, Deny: 0 };
    const errors: Record<string, number> = {};
    const allowed: AuthorizeInput[] = [];
    const denied: AuthorizeInput[] = [];
    // Warm-up pass: compiles the principals' policy sets, derives the signing keys, settles the JIT.
    for (const input of inputs) {
      const r = authorizer.authorize(input);
      if (r.body.error) errors[r.body.error.code] = (errors[r.body.error.code] ?? 0) + 1;
      else {
        tally[r.body.decision]++;
        (r.body.decision === 'Allow' ? allowed : denied).push(input);
      }
    }
    for (const input of inputs) authorizer.authorize(input);

    let checks = 0;
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    let elapsed = 0;
    do {
      for (let i = 0; i < inputs.length; i++) authorizer.authorize(inputs[i]);
      checks += inputs.length;
      elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    } while (elapsed < seconds);
    const cpu = process.cpuUsage(cpu0);

    // Latency: each check timed on its own (includes ~50 ns of timer overhead).
    const lat = new Float64Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const s = process.hrtime.bigint();
      authorizer.authorize(inputs[i]);
      lat[i] = Number(process.hrtime.bigint() - s) / 1000;
    }
    lat.sort();
    const check = (input: AuthorizeInput) => authorizer.authorize(input);
    const allowPerCpuSecond = rate(check, allowed, Math.max(1, seconds / 4));
    const denyPerCpuSecond = rate(check, denied, Math.max(1, seconds / 4));
    const encodedDenyPerCpuSecond = rate(check, denied.map((input) => ({ ...input, encodeMessage: true })), Math.max(1, seconds / 4));
    const heapAfter = heapUsed();
    return {
      checks,
      perSecond: checks / elapsed,
      perCpuSecond: checks / ((cpu.user + cpu.system) / 1e6),
      p50us: percentile(lat, 0.5),
      p99us: percentile(lat, 0.99),
      maxUs: lat[lat.length - 1],
      heapBefore,
      heapLoaded,
      heapAfter,
      rss: process.memoryUsage().rss,
      tally,
      errors,
      allowPerCpuSecond,
      denyPerCpuSecond,
      encodedDenyPerCpuSecond,
    };
  } finally {
    await authorizer.close();
  }
}
