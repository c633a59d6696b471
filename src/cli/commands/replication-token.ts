import { DEFAULT_DATA_DIR } from '../../audit/index.js';
import { regionReplicationToken } from '../../server/standalone.js';
import { MasterKeyError } from '../../server/master-key.js';
import { parseArgs } from '../args.js';
import type { CliIo } from '../io.js';

const USAGE = `Usage: gatehouse replication-token --region R [--data-dir DIR] [--json]

Prints the token a data plane of region R presents to the control plane's replication feed
(derived from the master key, so run it where the control plane's data folder or
GATEHOUSE_MASTER_KEY is). It reads that region's feed only. Give it to the data plane as
GATEHOUSE_REPLICATION_TOKEN or in a file named by --token-file; treat it as a secret.

Options:
  --region R       The data plane's region.
  --data-dir DIR   The control plane's data folder (default: ./${DEFAULT_DATA_DIR}).
  --json           Print {"region", "token"}.
  -h, --help       Show this help.
`;

export async function runReplicationToken(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE);
    return 0;
  }
  const { positionals, options } = parseArgs(argv, ['json']);
  const unknown = [...options.keys()].find((k) => !['region', 'data-dir', 'json'].includes(k));
  const region = options.get('region');
  const dataDir = options.get('data-dir');
  if (unknown || positionals.length || typeof region !== 'string' || dataDir === true) {
    io.stderr(`gatehouse replication-token: ${typeof region !== 'string' ? '--region R is required' : `unexpected argument ${unknown ? `--${unknown}` : (positionals[0] ?? '--data-dir')}`}\n\n${USAGE}`);
    return 2;
  }
  try {
    const token = await regionReplicationToken(dataDir ?? DEFAULT_DATA_DIR, region);
    io.stdout(options.get('json') === true ? JSON.stringify({ region, token }) + '\n' : token + '\n');
    return 0;
  } catch (err) {
    if (err instanceof MasterKeyError) {
      io.stderr(`gatehouse replication-token: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
