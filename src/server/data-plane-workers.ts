/**
 * A data-plane node on several cores (`gatehouse serve --role data-plane --workers N`): the
 * primary process forks N workers with node:cluster, each a whole data-plane node of the region
 * (its own replica, snapshot file, usage record and audit trail under DIR/worker-K, its own feed
 * follower reporting as NODE-ID-wK), all accepting on the one port. A check is a few tens of
 * microseconds of CPU, so one process saturates one core; the workers share nothing, which keeps
 * static stability per process exactly as for a single node.
 *
 * The primary only supervises: it reports the node listening once every worker is, restarts a
 * worker that dies while running, stops them all on close(), and gathers every worker's health
 * for the one that takes a `/health` or `/metrics` request, so a scrape sees the whole node.
 */
import cluster, { type Worker } from 'node:cluster';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { persistentNodeId } from '../replication/node-id.js';
import type { WorkersReport } from './health.js';
import type { RegionHealth } from './region-data-plane.js';
import { StartupError } from './startup-error.js';

/** Set in a worker's environment: its number (1..N), folder and node id. */
const WORKER_ENV = 'GATEHOUSE_DATA_PLANE_WORKER';
const RESTART_DELAY_MS = 1_000;
const STOP_GRACE_MS = 10_000;
/** New-space room per worker: the check allocates short-lived objects; fewer scavenges took about 10% off its CPU under load. */
const WORKER_EXEC_ARGV = ['--max-semi-space-size=32'];
/** How long the primary waits for the workers' health; one that is restarting does not hold up a scrape. */
const HEALTH_GATHER_MS = 1_000;

export interface DataPlaneWorker {
  index: number;
  /** How many workers the node runs. */
  workers: number;
  dataDir: string;
  nodeId: string;
}

/**
 * Health over the cluster channel: a worker asks the primary to `gather`; the primary sends each
 * worker a `query`, each answers with a `report` of its regions, and the primary sends the
 * asking worker what it `gathered`.
 */
type HealthMessage =
  | { gatehouseHealth: 'gather'; id: number }
  | { gatehouseHealth: 'query'; id: number }
  | { gatehouseHealth: 'report'; id: number; regions: RegionHealth[] }
  | { gatehouseHealth: 'gathered'; id: number; report: WorkersReport };

function healthMessage(message: unknown): HealthMessage | undefined {
  const m = message as Partial<HealthMessage> | null;
  return m && typeof m === 'object' && typeof m.gatehouseHealth === 'string' && typeof m.id === 'number' ? (m as HealthMessage) : undefined;
}

/** Ignores a send to a process that has just gone: it is counted as not answering. */
const ignoreSendError = () => undefined;

/**
 * In a worker: answers the primary's queries with this worker's regions (each entry naming its
 * node id) and returns what gathers every worker's. Without an answer from the primary in time,
 * the worker reports itself alone.
 */
export function shareWorkerHealth(worker: DataPlaneWorker, own: () => RegionHealth[]): () => Promise<WorkersReport> {
  const mine = () => own().map((r) => ({ ...r, node: worker.nodeId }));
  const waiting = new Map<number, (report: WorkersReport) => void>();
  let nextId = 0;
  process.on('message', (message) => {
    const m = healthMessage(message);
    if (m?.gatehouseHealth === 'query') process.send?.({ gatehouseHealth: 'report', id: m.id, regions: mine() } satisfies HealthMessage, ignoreSendError);
    else if (m?.gatehouseHealth === 'gathered') waiting.get(m.id)?.(m.report);
  });
  return () =>
    new Promise((ok) => {
      const id = nextId++;
      const settle = (report: WorkersReport) => {
        clearTimeout(timer);
        waiting.delete(id);
        ok(report);
      };
      const alone = () => settle({ regions: mine(), workers: { expected: worker.workers, answered: 1 } });
      const timer = setTimeout(alone, HEALTH_GATHER_MS * 2);
      waiting.set(id, settle);
      if (process.connected && process.send) process.send({ gatehouseHealth: 'gather', id } satisfies HealthMessage, ignoreSendError);
      else alone();
    });
}

/** In a worker forked by startDataPlaneWorkers: which one it is; otherwise undefined. */
export function dataPlaneWorker(env: NodeJS.ProcessEnv = process.env): DataPlaneWorker | undefined {
  if (!cluster.isWorker || !env[WORKER_ENV]) return undefined;
  try {
    const w = JSON.parse(env[WORKER_ENV]) as DataPlaneWorker;
    return Number.isInteger(w.index) && Number.isInteger(w.workers) && typeof w.dataDir === 'string' && typeof w.nodeId === 'string' ? w : undefined;
  } catch {
    return undefined;
  }
}

/** Tells the primary that this worker listens (after its data-plane node started). */
export function reportWorkerReady(url: string): void {
  process.send?.({ gatehouseWorkerReady: url });
}

export interface DataPlaneWorkersOptions {
  workers: number;
  dataDir: string;
  nodeId?: string;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface RunningWorkers {
  url: string;
  close(): Promise<void>;
}

function readyUrl(message: unknown): string | undefined {
  const url = (message as { gatehouseWorkerReady?: unknown } | null)?.gatehouseWorkerReady;
  return typeof url === 'string' ? url : undefined;
}

/** Forks the workers (re-running this command line); resolves once all of them listen. */
export async function startDataPlaneWorkers(options: DataPlaneWorkersOptions): Promise<RunningWorkers> {
  const { log } = options;
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const baseId = options.nodeId ?? persistentNodeId(dataDir);
  cluster.setupPrimary({ execArgv: [...process.execArgv, ...WORKER_EXEC_ARGV] });
  const workers = new Map<number, Worker>();
  let stopping = false;
  /** Health queries in progress: each worker's report goes to the query's collector. */
  const queries = new Map<number, (regions: RegionHealth[]) => void>();
  let nextQuery = 0;

  const gatherHealth = (): Promise<WorkersReport> => {
    const id = nextQuery++;
    const live = [...workers.values()].filter((w) => w.isConnected());
    const regions: RegionHealth[] = [];
    let answered = 0;
    return new Promise((ok) => {
      const done = () => {
        clearTimeout(timer);
        queries.delete(id);
        ok({ regions, workers: { expected: options.workers, answered } });
      };
      const timer = setTimeout(done, HEALTH_GATHER_MS);
      queries.set(id, (report) => {
        regions.push(...report);
        if (++answered === live.length) done();
      });
      for (const w of live) w.send({ gatehouseHealth: 'query', id } satisfies HealthMessage, ignoreSendError);
    });
  };

  const onHealthMessage = (worker: Worker, m: HealthMessage) => {
    if (m.gatehouseHealth === 'report') queries.get(m.id)?.(m.regions);
    else if (m.gatehouseHealth === 'gather') void gatherHealth().then((report) => worker.isConnected() && worker.send({ gatehouseHealth: 'gathered', id: m.id, report } satisfies HealthMessage, ignoreSendError));
  };

  const fork = (index: number): Promise<string> => {
    const spec: DataPlaneWorker = { index, workers: options.workers, dataDir: join(dataDir, `worker-${index}`), nodeId: `${baseId}-w${index}` };
    const worker = cluster.fork({ [WORKER_ENV]: JSON.stringify(spec) });
    workers.set(index, worker);
    return new Promise<string>((ok, fail) => {
      let ready = false;
      worker.on('message', (message) => {
        const health = healthMessage(message);
        if (health) return onHealthMessage(worker, health);
        const url = readyUrl(message);
        if (url === undefined || ready) return;
        ready = true;
        ok(url);
      });
      worker.once('exit', (code, signal) => {
        if (workers.get(index) === worker) workers.delete(index);
        if (!ready) return fail(new StartupError(`data-plane worker ${index} exited (${signal ?? code}) before it was ready; its log above says why`));
        if (stopping) return;
        log(`gatehouse: data-plane worker ${index} exited (${signal ?? code}); restarting it in ${RESTART_DELAY_MS} ms`);
        setTimeout(() => {
          if (!stopping) fork(index).catch((err: Error) => stopping || log(`gatehouse: data-plane worker ${index} did not restart: ${err.message}`));
        }, RESTART_DELAY_MS).unref();
      });
    });
  };

  const stopAll = async () => {
    stopping = true;
    await Promise.all(
      [...workers.values()].map(
        (worker) =>
          new Promise<void>((ok) => {
            if (worker.process.exitCode !== null || worker.process.signalCode !== null) return ok();
            const kill = setTimeout(() => worker.process.kill('SIGKILL'), STOP_GRACE_MS);
            worker.once('exit', () => {
              clearTimeout(kill);
              ok();
            });
            worker.process.kill('SIGTERM');
          }),
      ),
    );
  };
  const onAbort = () => void stopAll();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const urls = await Promise.all(Array.from({ length: options.workers }, (_, i) => fork(i + 1)));
    return { url: urls[0], close: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
