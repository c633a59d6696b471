import { join } from 'node:path';
import { AUDIT_DB_FILE, DEFAULT_DATA_DIR, type VerifyResult } from '../../audit/audit-log.js';
import { parseArgs } from '../args.js';
import { openAuditLogForCli, type AuditCliIo } from './audit-query.js';

const USAGE = `Usage: gatehouse audit verify [options]

Checks the audit log's hash chain: every event unchanged, none removed, inserted or
reordered, and the end matching the last checkpoint.

Options:
  --data-dir DIR   The server's data folder (default: ${DEFAULT_DATA_DIR}).
  --json           Print {"ok", "file", "checked", "problems": [{"seq", "kind", "problem"}], "checkpoint"}.
  -h, --help       Show this help.

The master key comes from GATEHOUSE_MASTER_KEY or DIR/master.key.
Exit status: 0 when the log is intact, 1 when it has problems, 2 for a usage error, a missing
or unreadable audit log, a master key that does not match the log, or no master key.
`;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['data-dir', 'json', 'help']);

function usageError(io: AuditCliIo, message: string): number {
  io.stderr(`gatehouse audit verify: ${message}\n\n${USAGE}`);
  return 2;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function summary(file: string, r: VerifyResult): string {
  const checkpoint = r.checkpoint ? ` (last checkpoint: event ${r.checkpoint.seq} at ${r.checkpoint.at})` : '';
  return r.ok
    ? `${file}: intact, ${plural(r.checked, 'event')} verified${checkpoint}`
    : `${file}: ${plural(r.problems.length, 'problem')} in ${plural(r.checked, 'event')}${checkpoint}`;
}

/** `gatehouse audit verify [--data-dir DIR] [--json]`: exit 0 intact, 1 problems found, 2 cannot verify. */
export async function runAuditVerify(argv: string[], io: AuditCliIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE);
    return 0;
  }
  const { positionals, options } = parseArgs(argv, ['json']);
  for (const name of options.keys()) {
    if (!KNOWN_OPTIONS.has(name)) return usageError(io, `unknown option --${name}`);
  }
  if (positionals.length > 0) return usageError(io, `unexpected argument '${positionals[0]}'`);
  const dir = options.get('data-dir');
  if (dir === true) return usageError(io, '--data-dir needs a value');
  const dataDir = dir ?? DEFAULT_DATA_DIR;
  const file = join(dataDir, AUDIT_DB_FILE);

  const log = await openAuditLogForCli('audit verify', dataDir, io);
  if (typeof log === 'number') return log;
  let result: VerifyResult;
  try {
    result = log.verify();
  } catch (err) {
    io.stderr(`gatehouse audit verify: cannot read the audit log: ${(err as Error).message}\n`);
    return 2;
  } finally {
    log.close();
  }

  if (options.get('json') === true) {
    io.stdout(`${JSON.stringify({ ok: result.ok, file, checked: result.checked, problems: result.problems, ...(result.checkpoint ? { checkpoint: result.checkpoint } : {}) })}\n`);
  } else {
    const lines = result.problems.map((p) => `${p.kind.toUpperCase()} ${p.problem}`);
    lines.push(summary(file, result));
    io.stdout(`${lines.join('\n')}\n`);
  }
  return result.ok ? 0 : 1;
}
