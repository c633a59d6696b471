import { AuditLogError, DEFAULT_DATA_DIR, openAuditLog, type AuditLog, type AuditQuery } from '../../audit/audit-log.js';
import type { AuditEvent } from '../../audit/event.js';
import { loadMasterKey } from '../../server/master-key.js';
import { parseArgs } from '../args.js';
import type { CliIo } from '../io.js';

const USAGE = `Usage: gatehouse audit query [options]

Lists audit events, newest first.

Options:
  --data-dir DIR     The server's data folder (default: ${DEFAULT_DATA_DIR}).
  --since WHEN       Events at or after WHEN: an ISO time (2024-05-01T12:00:00Z) or an age
                     such as 90s, 30m, 24h, 7d.
  --until WHEN       Events at or before WHEN (same forms).
  --principal P      Events by this ARN, user name (role name for role sessions) or access key id.
  --event NAME       Events of this API action, e.g. CreateUser.
  --errors           Only failed calls.
  --limit N          At most N events (default 50).
  --json             One CloudTrail-shaped JSON event per line.
  -h, --help         Show this help.

The master key comes from GATEHOUSE_MASTER_KEY or DIR/master.key.
Exit status: 0 on success (even with no events), 2 for a usage error, a missing or unreadable
audit log, or no master key.
`;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['data-dir', 'since', 'until', 'principal', 'event', 'errors', 'limit', 'json', 'help']);
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** What the audit commands may use beyond CliIo: the environment (master key) and a clock, both injectable for tests. */
export interface AuditCliIo extends CliIo {
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

function usageError(io: CliIo, message: string): number {
  io.stderr(`gatehouse audit query: ${message}\n\n${USAGE}`);
  return 2;
}

/** An ISO time, or an age (`30m`) counted back from `now`; undefined when neither. */
export function parseWhen(text: string, now: Date): Date | undefined {
  const age = /^(\d+)([smhd])$/.exec(text);
  if (age) return new Date(now.getTime() - Number(age[1]) * UNIT_MS[age[2]]);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/**
 * Loads the master key and opens the audit log for reading; reports failures itself and
 * returns the exit code instead of a log.
 */
export async function openAuditLogForCli(command: string, dataDir: string, io: AuditCliIo): Promise<AuditLog | number> {
  let masterKey: Buffer;
  try {
    masterKey = (await loadMasterKey(dataDir, { create: false, ...(io.env ? { env: io.env } : {}) })).key;
  } catch (err) {
    io.stderr(`gatehouse ${command}: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    // create: false, so a mistyped --data-dir does not leave an empty log behind.
    return openAuditLog(dataDir, masterKey, { create: false });
  } catch (err) {
    io.stderr(`gatehouse ${command}: ${err instanceof AuditLogError ? err.message : `cannot open the audit log: ${(err as Error).message}`}\n`);
    return 2;
  }
}

function principalOf(e: AuditEvent): string {
  const id = e.userIdentity ?? { type: 'Unknown' };
  if (id.arn) return id.arn;
  if (id.accessKeyId) return `(${id.type} ${id.accessKeyId})`;
  return `(${id.type}${id.principalId ? ` ${id.principalId}` : ''})`;
}

function formatLines(events: AuditEvent[]): string[] {
  const rows = events.map((e) => [e.eventTime, e.eventName, principalOf(e), e.sourceIPAddress, e.errorCode ?? 'OK']);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]) : cell)).join('  '));
}

/** `gatehouse audit query [--data-dir DIR] [--since W] [--until W] [--principal P] [--event NAME] [--errors] [--limit N] [--json]`. */
export async function runAuditQuery(argv: string[], io: AuditCliIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE);
    return 0;
  }
  const { positionals, options } = parseArgs(argv, ['errors', 'json']);
  for (const name of options.keys()) {
    if (!KNOWN_OPTIONS.has(name)) return usageError(io, `unknown option --${name}`);
  }
  if (positionals.length > 0) return usageError(io, `unexpected argument '${positionals[0]}'`);
  for (const name of ['data-dir', 'since', 'until', 'principal', 'event', 'limit']) {
    if (options.get(name) === true) return usageError(io, `--${name} needs a value`);
  }

  const now = io.now?.() ?? new Date();
  const query: AuditQuery = { limit: 50 };
  for (const name of ['since', 'until'] as const) {
    const text = options.get(name);
    if (typeof text !== 'string') continue;
    const when = parseWhen(text, now);
    if (!when) return usageError(io, `--${name} must be an ISO time or an age such as 30m, 24h, 7d (got '${text}')`);
    query[name] = when;
  }
  const principal = options.get('principal');
  if (typeof principal === 'string') query.principal = principal;
  const eventName = options.get('event');
  if (typeof eventName === 'string') query.eventName = eventName;
  if (options.get('errors') === true) query.errorsOnly = true;
  const limit = options.get('limit');
  if (typeof limit === 'string') {
    const n = /^\d+$/.test(limit) ? Number(limit) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) return usageError(io, '--limit must be a positive whole number');
    query.limit = n;
  }

  const dataDir = (options.get('data-dir') as string | undefined) ?? DEFAULT_DATA_DIR;
  const log = await openAuditLogForCli('audit query', dataDir, io);
  if (typeof log === 'number') return log;
  let events: AuditEvent[];
  try {
    events = log.query(query);
  } catch (err) {
    io.stderr(`gatehouse audit query: cannot read the audit log: ${(err as Error).message}\n`);
    return 2;
  } finally {
    log.close();
  }

  if (options.get('json') === true) {
    io.stdout(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  } else if (events.length === 0) {
    io.stdout('No matching events.\n');
  } else {
    io.stdout(`${formatLines(events).join('\n')}\n`);
  }
  return 0;
}
