/**
 * Nodes in their own processes (the real CLI through tsx, as bench:api runs it), their CPU and
 * memory from /proc, and autocannon phases that print one line each.
 */
import autocannon, { type Request as CannonRequest } from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface NodeProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** When the process was spawned (performance.now()). */
  spawnedAt: number;
  logs: string[];
}

/** The environment of a child: ours without GATEHOUSE_* variables, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GATEHOUSE_') && k !== 'NODE_OPTIONS') env[k] = v;
  return { ...env, ...extra };
}

/** Spawns `node args` and resolves once a stdout line matches `ready` (group 1: its URL or port). */
export function startProcess(args: string[], ready: RegExp, extraEnv: Record<string, string> = {}, timeoutMs = 60_000): Promise<NodeProcess> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(extraEnv) });
  const logs: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not ready after ${timeoutMs} ms: node ${args.join(' ')}\n${logs.join('\n')}`));
    }, timeoutMs);
    let rest = '';
    let done = false;
    const onData = (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (logs.length < 200) logs.push(line);
        const m = ready.exec(line);
        if (m && !done) {
          done = true;
          clearTimeout(timer);
          resolve({ child, pid: child.pid as number, url: m[1], spawnedAt, logs });
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!done) reject(new Error(`process exited (${code}) before it was ready: node ${args.join(' ')}\n${logs.join('\n')}`));
    });
  });
}

/** Extra Node flags for the nodes, e.g. BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile them. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');

/** `gatehouse serve ...` through tsx. */
export function startServe(args: string[], ready: RegExp, env: Record<string, string>, timeoutMs?: number): Promise<NodeProcess> {
  return startProcess([...NODE_FLAGS, '--import', 'tsx', CLI, 'serve', ...args], ready, env, timeoutMs);
}

export function stop(node: NodeProcess | undefined): Promise<void> {
  const child = node?.child;
  return new Promise((ok) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return ok();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      ok();
    });
    child.kill('SIGTERM');
  });
}

/** /proc/<pid>/stat's fields after the command name (which may hold spaces). */
async function statFields(pid: number | string): Promise<string[] | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** A process and its children (a node's workers). */
async function withChildren(pid: number): Promise<number[]> {
  const pids = [pid];
  // The parent pid is the 2nd field.
  for (const entry of await readdir('/proc').catch(() => [])) if (/^\d+$/.test(entry) && (await statFields(entry))?.[1] === String(pid)) pids.push(Number(entry));
  return pids;
}

/**
 * CPU time (all threads) a process and its children have used in user and kernel mode, in
 * seconds; undefined without /proc.
 */
export async function cpuTimes(pid: number | undefined): Promise<{ user: number; system: number } | undefined> {
  if (pid === undefined) return undefined;
  const pids = await withChildren(pid);
  // utime and stime are the 12th and 13th fields, in 1/100 s.
  let user = 0;
  let system = 0;
  for (const p of pids) {
    const fields = await statFields(p);
    if (!fields) return undefined;
    user += Number(fields[11]) / 100;
    system += Number(fields[12]) / 100;
  }
  return { user, system };
}

/** CPU time (user + system, all threads) a process has used, in seconds; undefined without /proc. */
export async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  const t = await cpuTimes(pid);
  return t && t.user + t.system;
}

/** Resident memory now and at its peak (bytes) of a process and its children (summed), from /proc/<pid>/status. */
export async function memoryOf(pid: number): Promise<{ rss: number; peak: number } | undefined> {
  let rss = 0;
  let peak = 0;
  for (const p of await withChildren(pid)) {
    const status = await readFile(`/proc/${p}/status`, 'utf8').catch(() => undefined);
    if (!status) return undefined;
    const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) * 1024;
    rss += kib('VmRSS');
    peak += kib('VmHWM');
  }
  return { rss, peak };
}

export function load(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

export interface CannonResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** The server's CPU use (1 = one core) and its CPU time per request (µs). */
  serverCpu?: number;
  cpuPerRequestUs?: number;
}

/**
 * One autocannon phase at `connections` for `seconds`: each connection replays `requests` in turn
 * (autocannon keeps one position per connection). Prints a line with the server's CPU use, which
 * shows whether it or the load generator was the limit.
 */
export async function cannon(title: string, url: string, serverPid: number | undefined, requests: CannonRequest[], seconds: number, connections: number): Promise<CannonResult> {
  const before = await cpuTimes(serverPid);
  const result = await autocannon({ url, connections, duration: seconds, requests });
  const after = await cpuTimes(serverPid);
  const serverCpu = before === undefined || after === undefined ? undefined : (after.user + after.system - before.user - before.system) / seconds;
  const kernelShare = before === undefined || after === undefined ? undefined : (after.system - before.system) / seconds / (serverCpu || 1);
  const out: CannonResult = { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx, serverCpu };
  // CPU per request tells the server's cost even when other work on the machine takes its share.
  const perRequest = serverCpu === undefined || out.rps === 0 ? undefined : (serverCpu / out.rps) * 1e6;
  const cpu = serverCpu === undefined ? '' : `   server CPU ${(serverCpu * 100).toFixed(0)}% (${perRequest?.toFixed(0)} µs/req, ${((kernelShare ?? 0) * 100).toFixed(0)}% in the kernel)`;
  out.cpuPerRequestUs = perRequest;
  console.log(`  ${title.padEnd(30)} ${out.rps.toFixed(0).padStart(7)} req/s   p50 ${String(out.p50).padStart(3)} ms   p99 ${String(out.p99).padStart(3)} ms   errors ${out.errors}   non-2xx ${out.non2xx}${cpu}   (load ${load()})`);
  return out;
}
