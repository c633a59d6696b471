/**
 * Gatehouse nodes as separate processes, for the partition tests: a control plane and data
 * planes started with the real CLI (`node --import tsx src/cli/run.ts serve ...`), the CLI's
 * client commands, each node's `/health`, and a data plane's clock moved forward through its
 * `--clock-offset-file` and SIGUSR2. Nothing here sleeps for time to pass: it polls a condition
 * until a deadline.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { NodeHealth } from '../../src/server/health.js';

const CLI = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The environment of a child: ours without anything that would change its behaviour. */
function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GATEHOUSE_') && !k.startsWith('NODE_TEST') && k !== 'NODE_OPTIONS') env[k] = v;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(intervalMs);
  }
}

export async function fetchHealth(url: string): Promise<NodeHealth> {
  const res = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(3_000) });
  if (!res.ok) throw new Error(`GET ${url}/health answered ${res.status}`);
  return (await res.json()) as NodeHealth;
}

export async function fetchMetrics(url: string): Promise<string> {
  const res = await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(3_000) });
  if (!res.ok) throw new Error(`GET ${url}/metrics answered ${res.status}`);
  return res.text();
}

export interface NodeProcess {
  /** The listening URL the node printed. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** stdout and stderr lines so far. */
  readonly logs: string[];
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals>;
  signal(name: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: a crash, no clean shutdown. */
  kill(): Promise<void>;
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** Spawns `gatehouse serve ...` and resolves once it prints the line matching `ready` (its URL in group 1). */
export async function spawnServe(args: string[], options: { env: Record<string, string | undefined>; ready: RegExp; timeoutMs?: number }): Promise<NodeProcess> {
  const child: Child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(options.env) });
  const logs: string[] = [];
  const exited = new Promise<number | NodeJS.Signals>((ok) => child.once('exit', (code, signal) => ok(signal ?? code ?? 0)));
  let ready: (url: string) => void = () => undefined;
  const url = new Promise<string>((ok) => (ready = ok));
  const collect = (stream: Readable) => {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        const m = options.ready.exec(line);
        if (m) ready(m[1]);
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const timeoutMs = options.timeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    url,
    exited.then((code) => new Error(`gatehouse serve ${args.join(' ')} exited (${code}) before it was ready:\n${logs.join('\n')}`)),
    new Promise<Error>((ok) => (timer = setTimeout(() => ok(new Error(`gatehouse serve ${args.join(' ')} was not ready after ${timeoutMs} ms:\n${logs.join('\n')}`)), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome instanceof Error) {
    child.kill('SIGKILL');
    throw outcome;
  }
  const done = () => child.exitCode !== null || child.signalCode !== null;
  const node: NodeProcess = {
    url: outcome,
    port: Number(new URL(outcome).port),
    pid: child.pid as number,
    logs,
    exited,
    signal: (name) => {
      if (!done()) child.kill(name);
    },
    async stop(graceMs = 5_000) {
      if (done()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (!done()) child.kill('SIGKILL');
      await exited;
    },
  };
  return node;
}

export interface ControlPlaneOptions {
  dataDir: string;
  masterKey: string;
  keyWindowDays?: number;
  tokenWindowDays?: number;
}

/** `gatehouse serve --role control-plane` on a random port, on the real clock. */
export function startControlPlane(options: ControlPlaneOptions): Promise<NodeProcess> {
  const args = ['--role', 'control-plane', '--data-dir', options.dataDir, '--port', '0'];
  if (options.keyWindowDays !== undefined) args.push('--key-window-days', String(options.keyWindowDays));
  if (options.tokenWindowDays !== undefined) args.push('--token-window-days', String(options.tokenWindowDays));
  return spawnServe(args, { env: { GATEHOUSE_MASTER_KEY: options.masterKey }, ready: /^gatehouse: listening on (http:\/\/\S+)/ });
}

export interface DataPlaneOptions {
  region: string;
  controlPlaneUrl: string;
  tokenFile: string;
  dataDir: string;
  /** Default 0 (a random port). */
  port?: number;
  nodeId?: string;
  clockOffsetFile?: string;
  /** `--workers N`. */
  workers?: number;
}

/**
 * `gatehouse serve --role data-plane`: it gets its region's replication token and nothing else
 * (no master key in its environment). Ready once it listens, which it does only with a replica
 * (from its local snapshot, or the control plane's).
 */
export function startDataPlane(options: DataPlaneOptions): Promise<NodeProcess> {
  const args = ['--role', 'data-plane', '--region', options.region, '--control-plane', options.controlPlaneUrl, '--token-file', options.tokenFile, '--data-dir', options.dataDir, '--port', String(options.port ?? 0)];
  if (options.nodeId) args.push('--node-id', options.nodeId);
  if (options.clockOffsetFile) args.push('--clock-offset-file', options.clockOffsetFile);
  if (options.workers !== undefined) args.push('--workers', String(options.workers));
  return spawnServe(args, { env: {}, ready: /^gatehouse: data plane \S+ listening on (http:\/\/\S+)/ });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a `gatehouse` command (status, wait-propagated, replication-token...) as its own process. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const started = Date.now();
  const child: Child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise((ok, fail) => {
    child.once('error', fail);
    child.once('close', (code) => ok({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
  });
}

/**
 * Moves a node's clock to the real time plus `offsetMs`: writes its offset file, sends SIGUSR2,
 * and polls `/health` until the node's `time` shows the new offset.
 */
export async function setClockOffset(node: NodeProcess, offsetFile: string, offsetMs: number): Promise<void> {
  await writeFile(offsetFile, `${offsetMs}\n`);
  node.signal('SIGUSR2');
  await waitFor(`the clock of ${node.url} to run ${offsetMs} ms ahead`, async () => {
    const health = await fetchHealth(node.url);
    return Math.abs(Date.parse(health.time) - (Date.now() + offsetMs)) < 30_000;
  });
}
