import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { DEFAULT_DATA_DIR } from '../../audit/index.js';
import { nodeClock } from '../../server/clock.js';
import { startDataPlaneNode } from '../../server/data-plane-node.js';
import { dataPlaneWorker, reportWorkerReady, shareWorkerHealth, startDataPlaneWorkers } from '../../server/data-plane-workers.js';
import { DEFAULT_HOST, DEFAULT_PORT, StartupError, startStandalone } from '../../server/standalone.js';
import { parseArgs } from '../args.js';
import type { CliIo } from '../io.js';

const USAGE = `Usage: gatehouse serve [--data-dir DIR] [--port N] [--host H] [--region R] [--regions R1,R2]
       gatehouse serve --role control-plane [--data-dir DIR] [--port N] [--host H] [--region R]
       gatehouse serve --role data-plane --region R --control-plane URL [--token-file F] [--data-dir DIR] [--port N] [--host H] [--workers N]

Standalone (the default) runs the control plane and a data plane for each region in one process
on one port: IAM goes to the control plane; STS and /v1/authorize go to the data plane of the
region in the request's credential scope (others are answered by the home region, as AWS's
global STS endpoint). On an empty DIR it creates the SQLite store, a master key (DIR/master.key,
unless GATEHOUSE_MASTER_KEY is set), the management account and an administrator whose access
key is written once to DIR/admin-credentials.json.

--role control-plane runs the control plane alone (with its home region's STS, for the global
endpoint) and serves the replication feed; --role data-plane runs one region, following that
feed into a local snapshot, and keeps serving STS, authentication and authorization when the
control plane is out of reach.

Options:
  --data-dir DIR        Data folder (default: ./${DEFAULT_DATA_DIR}).
  --port N              TCP port (default: ${DEFAULT_PORT}; 0 picks a free one).
  --host H              Address to listen on (default: ${DEFAULT_HOST}, loopback only).
  --region R            Home region (default: us-east-1); for a data plane, its region.
  --regions LIST        Standalone: the regions to serve (default: the home region).
  --control-plane URL   Data plane: the control plane's address.
  --token-file F        Data plane: file holding the region's replication token (or set
                        GATEHOUSE_REPLICATION_TOKEN; see gatehouse replication-token).
  --node-id ID          Data plane: the name this node reports (default: host name + random,
                        chosen on first start and kept in DIR/node-id).
  --workers N|auto      Data plane: processes sharing the port, one per core ('auto': as many
                        as the machine has cores; default 1). Each is a whole data plane of
                        the region with its own replica under DIR/worker-K, reporting as ID-wK.
  --key-window-days N   Control plane: days ahead for which regions get long-term keys'
                        derived material, i.e. how long a cut-off region keeps authenticating
                        them (default 7).
  --token-window-days N Control plane: days ahead of session-token keys published to regions,
                        i.e. how long a cut-off region's STS keeps issuing (default 7, at least 1).
  --mfa-window-hours N  Control plane: hours of MFA codes published to regions, i.e. how long a
                        cut-off region keeps accepting MFA (24 to 744, default 48).
  --clock-offset-file F For drills: run the node's clock ahead by the milliseconds in F
                        (re-read on SIGUSR2).
  -h, --help            Show this help.

Stops cleanly on SIGTERM or SIGINT, also while starting (a new data plane waits for the
control plane's first answer until then). Exit status: 0 stopped, 1 could not start, 2 usage error.
`;

const KNOWN = new Set(['data-dir', 'port', 'host', 'region', 'regions', 'role', 'control-plane', 'token-file', 'node-id', 'clock-offset-file', 'key-window-days', 'token-window-days', 'mfa-window-hours', 'workers', 'help']);
const ROLES = new Set(['standalone', 'control-plane', 'data-plane']);

/** `gatehouse serve`: resolves with the exit code once the server has stopped. */
export async function runServe(argv: string[], io: CliIo, signals: NodeJS.EventEmitter = process, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    return await serve(argv, io, signals, env);
  } finally {
    // A data-plane worker's channel to its primary would keep the process alive.
    if (dataPlaneWorker(env) && process.connected) process.disconnect();
  }
}

async function serve(argv: string[], io: CliIo, signals: NodeJS.EventEmitter, env: NodeJS.ProcessEnv): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE);
    return 0;
  }
  const args = parseArgs(argv, []);
  const unknown = [...args.options.keys()].find((k) => !KNOWN.has(k));
  if (unknown || args.positionals.length) {
    io.stderr(`gatehouse serve: unexpected argument ${unknown ? `--${unknown}` : args.positionals[0]}\n\n${USAGE}`);
    return 2;
  }
  const text = (name: string) => {
    const v = args.options.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const usage = (message: string) => {
    io.stderr(`gatehouse serve: ${message}\n`);
    return 2;
  };
  const port = text('port') === undefined ? DEFAULT_PORT : Number(text('port'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) return usage('--port must be a number from 0 to 65535');
  const role = text('role') ?? 'standalone';
  if (!ROLES.has(role)) return usage('--role must be standalone, control-plane or data-plane');
  const regions = text('regions')?.split(',').map((r) => r.trim()).filter(Boolean);
  if (regions && role !== 'standalone') return usage('--regions is for standalone mode; run one data plane per region otherwise');
  const region = text('region');
  const controlPlane = text('control-plane');
  if (role === 'data-plane' && (!region || !controlPlane)) return usage('--role data-plane needs --region R and --control-plane URL');
  const windowDays = (name: string, min: number) => {
    const v = text(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    return Number.isInteger(n) && n >= min && n <= 366 ? n : null;
  };
  const keyWindowDays = windowDays('key-window-days', 0);
  const tokenWindowDays = windowDays('token-window-days', 1);
  if (keyWindowDays === null || tokenWindowDays === null) return usage('--key-window-days must be 0 to 366 and --token-window-days 1 to 366');
  const mfaText = text('mfa-window-hours');
  const mfaWindowHours = mfaText === undefined ? undefined : /^\d{1,3}$/.test(mfaText) ? Number(mfaText) : NaN;
  if (mfaWindowHours !== undefined && !(mfaWindowHours >= 24 && mfaWindowHours <= 744)) return usage('--mfa-window-hours must be a whole number from 24 to 744');
  if ((keyWindowDays !== undefined || tokenWindowDays !== undefined || mfaWindowHours !== undefined) && role === 'data-plane') return usage('key, token and MFA windows are set on the control plane');
  const workersText = text('workers');
  const workers = workersText === undefined ? 1 : workersText === 'auto' ? availableParallelism() : /^\d{1,2}$/.test(workersText) ? Number(workersText) : NaN;
  if (!(workers >= 1 && workers <= 64)) return usage("--workers must be a number from 1 to 64, or 'auto'");
  if (workers > 1 && role !== 'data-plane') return usage('--workers is for data-plane nodes: the control plane is the single writer');
  const clock = nodeClock(text('clock-offset-file'));
  const onReload = () => clock.reload();
  signals.on('SIGUSR2', onReload);

  // Listen for the signals before starting: one arriving during start-up cancels the start (a new
  // data plane waits for the control plane for as long as it takes) and the command exits.
  const starting = new AbortController();
  let requestStop: () => void = () => undefined;
  const stopRequested = new Promise<void>((ok) => (requestStop = ok));
  const onStop = () => {
    starting.abort();
    requestStop();
  };
  signals.on('SIGTERM', onStop);
  signals.on('SIGINT', onStop);
  const unlisten = () => {
    signals.off('SIGUSR2', onReload);
    signals.off('SIGTERM', onStop);
    signals.off('SIGINT', onStop);
  };
  // A data-plane worker's lines name it; only the primary says that the node listens.
  const worker = role === 'data-plane' ? dataPlaneWorker(env) : undefined;
  const log = worker ? (line: string) => io.stdout(line.replace(/^gatehouse:/, `gatehouse[worker ${worker.index}]:`) + '\n') : (line: string) => io.stdout(line + '\n');
  let running: { close(): Promise<void> };
  try {
    if (role === 'data-plane') {
      const tokenFile = text('token-file');
      const token = tokenFile ? (await readFile(tokenFile, 'utf8')).trim() : (env.GATEHOUSE_REPLICATION_TOKEN ?? '');
      const dataDir = text('data-dir') ?? DEFAULT_DATA_DIR;
      if (workers > 1 && !worker) {
        const group = await startDataPlaneWorkers({ workers, dataDir, nodeId: text('node-id'), log, signal: starting.signal });
        log(`gatehouse: data plane ${region} listening on ${group.url} (STS, /v1/authorize), ${workers} workers`);
        running = group;
      } else {
        const node = await startDataPlaneNode({ region: region as string, controlPlaneUrl: controlPlane as string, token, dataDir: worker?.dataDir ?? dataDir, port, host: text('host'), nodeId: worker?.nodeId ?? text('node-id'), now: clock.now, log, signal: starting.signal, shareHealth: worker && ((own) => shareWorkerHealth(worker, own)) });
        if (worker) reportWorkerReady(node.url);
        running = node;
      }
    } else {
      running = await startStandalone({ dataDir: text('data-dir') ?? DEFAULT_DATA_DIR, port, host: text('host'), region, regions, role: role as 'standalone' | 'control-plane', windows: { keyWindowDays, tokenWindowDays, mfaWindowHours }, now: clock.now, log, env });
    }
  } catch (err) {
    unlisten();
    if (starting.signal.aborted) {
      log('gatehouse: stopped before it had started');
      return 0;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof StartupError || code === 'EADDRINUSE' || code === 'EACCES' || code === 'ENOENT' || code === 'EADDRNOTAVAIL') {
      io.stderr(`gatehouse serve: cannot start: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
  await stopRequested;
  log('gatehouse: shutting down');
  await running.close();
  unlisten();
  log('gatehouse: stopped');
  return 0;
}
