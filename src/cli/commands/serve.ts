import { DEFAULT_DATA_DIR } from '../../audit/index.js';
import { DEFAULT_HOST, DEFAULT_PORT, StartupError, startStandalone } from '../../server/standalone.js';
import { parseArgs } from '../args.js';
import type { CliIo } from '../io.js';

const USAGE = `Usage: gatehouse serve [--data-dir DIR] [--port N] [--host H] [--region R]

Starts Gatehouse standalone: the IAM API (AWS Query protocol, SigV4) on one port, with a SQLite
store in DIR. On an empty DIR it creates the store, a master key (DIR/master.key, unless
GATEHOUSE_MASTER_KEY is set), the management account and an administrator whose access key is
written once to DIR/admin-credentials.json.

Options:
  --data-dir DIR   Data folder (default: ./${DEFAULT_DATA_DIR}).
  --port N         TCP port (default: ${DEFAULT_PORT}; 0 picks a free one).
  --host H         Address to listen on (default: ${DEFAULT_HOST}, loopback only).
  --region R       Home region named in audit events (default: us-east-1).
  -h, --help       Show this help.

Stops cleanly on SIGTERM or SIGINT.
`;

const KNOWN = new Set(['data-dir', 'port', 'host', 'region', 'help']);

/** `gatehouse serve`: resolves with the exit code once the server has stopped. */
export async function runServe(argv: string[], io: CliIo, signals: NodeJS.EventEmitter = process): Promise<number> {
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
  const port = text('port') === undefined ? DEFAULT_PORT : Number(text('port'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`gatehouse serve: --port must be a number from 0 to 65535\n`);
    return 2;
  }
  // Listen for the signals before starting, so that one arriving during start-up stops the server cleanly.
  const stopRequested = new Promise<void>((ok) => {
    signals.once('SIGTERM', () => ok());
    signals.once('SIGINT', () => ok());
  });
  let running;
  try {
    running = await startStandalone({ dataDir: text('data-dir') ?? DEFAULT_DATA_DIR, port, host: text('host'), region: text('region'), log: (line) => io.stdout(line + '\n') });
  } catch (err) {
    if (err instanceof StartupError || (err as NodeJS.ErrnoException).code === 'EADDRINUSE' || (err as NodeJS.ErrnoException).code === 'EACCES') {
      io.stderr(`gatehouse serve: cannot start: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
  await stopRequested;
  io.stdout('gatehouse: shutting down\n');
  await running.close();
  io.stdout('gatehouse: stopped\n');
  return 0;
}
