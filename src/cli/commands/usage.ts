/**
 * `gatehouse usage last-accessed | unused | policy`: what principals used, what they did not, and
 * a policy of exactly what one used. Also the loaders `policy tighten` shares: options, the
 * account, the usage, the principal.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AccountIndex, type AccountPrincipal } from '../../analysis/account/index.js';
import { progressPrinter } from '../progress-printer.js';
import {
  findUnused,
  lastAccessed,
  ownUsage,
  policyFromUsage,
  resolveUsagePrincipal,
  type LastAccessedReport,
  type UnusedReport,
  type UsageRecord,
} from '../../analysis/usage/index.js';
import { ACCOUNT_SOURCE_HELP, AccountSourceError, loadAccount, loadUsage, parseSince } from '../account-source.js';
import { parseArgs } from '../args.js';
import type { CliIo } from '../io.js';

/** What the usage commands may use beyond CliIo, injectable for tests. */
export interface UsageCliIo extends CliIo {
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** Names in a folder, with whether each is a folder (default: the file system). */
  listDir?: (dir: string) => Promise<{ name: string; directory: boolean }[]>;
  /** Writes a new file; fails when it exists (default: the file system). */
  writeFile?: (path: string, text: string) => Promise<void>;
}

const USAGE_OPTIONS_HELP = `${ACCOUNT_SOURCE_HELP}  --usage FILE          Recorded usage: a JSON array of usage records (as the analysis API
                        answers), or a usage.db (repeat for several).
  --data-dir DIR        Every usage database of a Gatehouse data folder on this machine
                        (DIR/usage*.db and DIR/*/usage.db).
                        Without --usage or --data-dir, usage comes from --endpoint.
`;

const GROUP_USAGE = `Usage: gatehouse usage <command> [options]

Commands:
  last-accessed --principal ARN [--since T]
      When the principal last used each service and action it is granted, like IAM Access Advisor.
  unused [--since 90d] [--principal ARN]
      Roles, access keys, passwords and permissions not used since T.
  policy --principal ARN [--since 30d]
      A policy of exactly what the principal used.

Run gatehouse usage <command> --help for the options.
`;

const LAST_ACCESSED_USAGE = `Usage: gatehouse usage last-accessed --principal ARN [options]

For every service the principal (a user or role) is granted or used: when it was last used, by how
many sessions, and which actions were used and which granted actions never were.

Options:
  --principal ARN       The user or role (ARN, a role session's ARN, or a name).
  --since T             Only usage since T: an ISO time, or an age such as 90d, 24h, 30m.
${USAGE_OPTIONS_HELP}  --json                Print the report as JSON.
  -h, --help            Show this help.

Exit status: 0, or 2 for a usage error or an unknown principal, 1 when a source cannot be read.
`;

const UNUSED_USAGE = `Usage: gatehouse usage unused [options]

Findings for what went unused since T: UNUSED-ROLE, UNUSED-ACCESS-KEY, UNUSED-PASSWORD (from the
account's last-used dates and the recorded usage), UNUSED-PERMISSION (granted services and actions
the recorded usage never exercised). Principals created since T are not judged.

Options:
  --since T             Start of the period (default 90d): an ISO time, or an age such as 90d.
  --principal ARN       Only this user or role (repeat for several).
  --no-permissions      Skip UNUSED-PERMISSION (faster on large accounts).
${USAGE_OPTIONS_HELP}                        Without any usage, roles are judged by their last-used dates only.
  --json                Print {"since", "now", "findings": [...], "summary"}.
  -h, --help            Show this help.

Exit status: 0 (findings or not), 2 for a usage error, 1 when a source cannot be read.
`;

const POLICY_USAGE = `Usage: gatehouse usage policy --principal ARN [options]

Writes an identity policy of exactly what the principal used since T: the used actions by service,
on the resources used (exact when few, else the narrowest wildcard covering them), one statement
per service and resource group. The policy goes to stdout, notes to stderr.

Options:
  --principal ARN       The user or role (ARN, a role session's ARN, or a name).
  --since T             Start of the period (default 30d): an ISO time, or an age such as 30d.
  --max-resources N     Exact resources per statement before grouping under a wildcard (default 3).
${USAGE_OPTIONS_HELP}  --json                Print {"principal", "document", "statements", "warnings"}.
  -h, --help            Show this help.

Exit status: 0, 1 when nothing was used since T (no policy) or a source cannot be read, 2 for a usage error.
`;

export interface ParsedCommand {
  options: Map<string, string | true>;
  positionals: string[];
  /** Every value of a repeatable option. */
  repeated: Map<string, string[]>;
}

/** parseArgs, plus repeatable options (`--usage A --usage B`); undefined after reporting a usage error. */
export function parseCommand(
  argv: string[],
  spec: { flags: string[]; values: string[]; repeatable: string[] },
  fail: (message: string) => void,
): ParsedCommand | undefined {
  const repeated = new Map<string, string[]>(spec.repeatable.map((r) => [r, []]));
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0] : undefined;
    if (name !== undefined && repeated.has(name)) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (value === undefined || value.startsWith('--')) {
        fail(`--${name} needs a value`);
        return undefined;
      }
      repeated.get(name)?.push(value);
    } else rest.push(arg);
  }
  const { positionals, options } = parseArgs(rest, spec.flags);
  for (const [name, value] of options) {
    if (!spec.flags.includes(name) && !spec.values.includes(name)) {
      fail(`unknown option --${name}`);
      return undefined;
    }
    if (spec.values.includes(name) && value === true) {
      fail(`--${name} needs a value`);
      return undefined;
    }
  }
  return { options, positionals, repeated };
}

/** The usage databases of a data folder: DIR/usage*.db and DIR/&lt;sub&gt;/usage.db. */
export async function usageDatabasesUnder(dir: string, io: UsageCliIo): Promise<string[]> {
  const list =
    io.listDir ??
    (async (d: string) => (await readdir(d, { withFileTypes: true })).map((e) => ({ name: e.name, directory: e.isDirectory() })));
  let entries: { name: string; directory: boolean }[];
  try {
    entries = await list(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AccountSourceError(`cannot read --data-dir ${dir}: ${code === 'ENOENT' ? 'no such folder' : (err as Error).message}`);
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!e.directory && /^usage.*\.db$/.test(e.name)) out.push(join(dir, e.name));
    if (e.directory) {
      try {
        if ((await list(join(dir, e.name))).some((f) => !f.directory && f.name === 'usage.db')) out.push(join(dir, e.name, 'usage.db'));
      } catch {
        // an unreadable subfolder holds nothing we can use
      }
    }
  }
  if (!out.length) throw new AccountSourceError(`no usage database in ${dir} (looked for ${join(dir, 'usage*.db')} and ${join(dir, '*', 'usage.db')})`);
  return out;
}

export interface AnalysisInputs {
  index: AccountIndex;
  records: UsageRecord[];
  now: Date;
  since?: Date;
  /** Whether any usage source was given. */
  hasUsage: boolean;
}

/**
 * The account and the usage for a command, or the exit code after reporting why not. `usageOptional`:
 * proceed without usage when no source is given.
 */
export async function loadInputs(
  command: string,
  parsed: ParsedCommand,
  io: UsageCliIo,
  settings: { defaultSince?: string; usageOptional?: boolean },
): Promise<AnalysisInputs | number> {
  const { options, repeated } = parsed;
  const str = (name: string) => (typeof options.get(name) === 'string' ? (options.get(name) as string) : undefined);
  const now = io.now?.() ?? new Date();
  const sinceText = str('since') ?? settings.defaultSince;
  let since: Date | undefined;
  if (sinceText !== undefined) {
    since = parseSince(sinceText, now);
    if (!since) {
      io.stderr(`gatehouse ${command}: --since ${sinceText} is not a time: use an ISO time such as 2024-05-01T00:00:00Z, or 30d, 24h, 90m\n`);
      return 2;
    }
  }
  const endpoint = str('endpoint');
  const credentials = str('credentials');
  const base = { env: io.env, now: io.now };
  try {
    const importFile = str('import');
    // With --import, --endpoint serves only the usage (and `policy tighten --apply`).
    const fromEndpoint = importFile === undefined;
    const account = await loadAccount({ import: importFile, endpoint: fromEndpoint ? endpoint : undefined, credentials: fromEndpoint ? credentials : undefined, ...base }, io, progressPrinter(command, io));
    for (const w of account.warnings.slice(0, 20)) io.stderr(`gatehouse ${command}: warning: ${account.source} ${w.path}: ${w.message}\n`);
    if (account.warnings.length > 20) io.stderr(`gatehouse ${command}: warning: ${account.warnings.length - 20} more import warnings\n`);
    const files = [...(repeated.get('usage') ?? [])];
    const dataDir = str('data-dir');
    if (dataDir !== undefined) files.push(...(await usageDatabasesUnder(dataDir, io)));
    const useEndpoint = !files.length && endpoint !== undefined;
    let records: UsageRecord[] = [];
    const hasUsage = files.length > 0 || useEndpoint;
    if (hasUsage) {
      const usage = await loadUsage({ usage: files, endpoint: useEndpoint ? endpoint : undefined, credentials: useEndpoint ? credentials : undefined, since: since?.toISOString(), ...base }, io);
      for (const w of usage.warnings.slice(0, 20)) io.stderr(`gatehouse ${command}: warning: ${w.path}: ${w.message}\n`);
      records = usage.records;
    } else if (!settings.usageOptional) {
      io.stderr(`gatehouse ${command}: give the usage: --usage FILE, --data-dir DIR (a node on this machine) or --endpoint URL (a running Gatehouse)\n`);
      return 2;
    }
    return { index: new AccountIndex(account.model), records, now, since, hasUsage };
  } catch (err) {
    if (err instanceof AccountSourceError) {
      io.stderr(`gatehouse ${command}: ${err.message}\n`);
      return err.usage ? 2 : 1;
    }
    throw err;
  }
}

/** The user or role an argument names: an ARN (with or without its path), a role session's ARN, or a name. */
export function findPrincipal(index: AccountIndex, text: string): AccountPrincipal | undefined {
  const entity = index.entity(text);
  if (entity && entity.kind !== 'group') return entity;
  return resolveUsagePrincipal(index, text) ?? (text.startsWith('arn:') ? undefined : (index.user(text) ?? index.role(text)));
}

export function unknownPrincipal(command: string, index: AccountIndex, text: string, io: CliIo): number {
  const names = index.principals().map((p) => p.arn);
  const sample = names.length > 8 ? `${names.slice(0, 8).join(', ')} and ${names.length - 8} more` : names.join(', ');
  io.stderr(`gatehouse ${command}: no user or role ${text} in account ${index.model.accountId}${names.length ? ` (it has ${sample})` : ''}\n`);
  return 2;
}

/** ISO time without milliseconds. */
export function time(iso: string | null | undefined): string {
  return iso ? iso.replace(/\.\d{3}Z$/, 'Z') : 'never';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function table(rows: string[][], indent = ''): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => indent + r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]) : c)).join('  ').trimEnd()).join('\n') + '\n';
}

export function formatLastAccessed(r: LastAccessedReport): string {
  const p = r.principal;
  const lines = [
    `Last accessed by ${p.kind} ${p.name} (${p.arn})${r.since ? ` since ${time(r.since)}` : ''}`,
    `${plural(r.summary.requests, 'request')}; services used: ${r.summary.servicesUsed} of ${r.summary.servicesGranted} granted; actions used: ${r.summary.actionsUsed} of ${r.summary.actionsGranted} granted`,
    '',
    '',
  ];
  if (!r.services.length) return `${lines.join('\n')}It is granted nothing and used nothing.\n`;
  const rows = [['SERVICE', 'NAME', 'LAST ACCESSED', 'ENTITIES', 'REQUESTS', 'ACTIONS USED']];
  const out: string[] = [];
  for (const s of r.services) {
    rows.push([s.serviceNamespace, s.serviceName, time(s.lastAuthenticated), String(s.totalAuthenticatedEntities), String(s.requestCount), `${s.usedActionCount} of ${s.grantedActionCount}${s.granted ? '' : ' (not granted now)'}`]);
  }
  out.push(table(rows));
  const used = r.services.filter((s) => s.actions.length);
  if (used.length) {
    out.push('\nActions used:\n');
    const actionRows = [['ACTION', 'LAST ACCESSED', 'REQUESTS', 'RESOURCES', 'LAST CALLER']];
    for (const s of used) {
      for (const a of s.actions) {
        actionRows.push([`${a.action}${a.granted === 'no' ? ' (not granted now)' : ''}`, time(a.lastAccessedTime), String(a.requestCount), String(a.resourceCount), a.lastAccessedEntity ?? '']);
      }
    }
    out.push(table(actionRows, '  '));
  }
  return lines.join('\n') + out.join('');
}

export function formatUnused(r: UnusedReport, principals: number): string {
  const out = [`Unused since ${time(r.since)} (as of ${time(r.now)}), ${plural(principals, 'principal')} checked:\n`];
  if (!r.findings.length) out.push('No unused roles, access keys, passwords or permissions.\n');
  for (const f of r.findings) {
    let line = `${f.id} ${f.principal}: ${f.message}`;
    if (f.id === 'UNUSED-PERMISSION' && f.unusedActions && f.unusedActions.length < (f.grantedActionCount ?? 0)) {
      const shown = f.unusedActions.slice(0, 5);
      line += ` (${shown.join(', ')}${f.unusedActions.length > shown.length ? `, and ${f.unusedActions.length - shown.length} more` : ''})`;
    }
    out.push(`${line}\n`);
  }
  const s = r.summary;
  out.push(
    `${plural(s['UNUSED-ROLE'], 'unused role')}, ${plural(s['UNUSED-ACCESS-KEY'], 'unused access key')}, ${plural(s['UNUSED-PASSWORD'], 'unused password')}, ${plural(s['UNUSED-PERMISSION'], 'service')} with unused permissions\n`,
  );
  if (r.unmatchedPrincipals.length) out.push(`Usage by callers not in the account (ignored): ${r.unmatchedPrincipals.join(', ')}\n`);
  return out.join('');
}

function usageError(io: CliIo, command: string, usage: string, message: string): number {
  io.stderr(`gatehouse usage ${command}: ${message}\n\n${usage}`);
  return 2;
}

const SOURCE_VALUES = ['import', 'endpoint', 'credentials', 'data-dir', 'since'];

async function runLastAccessed(argv: string[], io: UsageCliIo): Promise<number> {
  const parsed = parseCommand(argv, { flags: ['json', 'help'], values: [...SOURCE_VALUES, 'principal'], repeatable: ['usage'] }, (m) => usageError(io, 'last-accessed', LAST_ACCESSED_USAGE, m));
  if (!parsed) return 2;
  if (parsed.positionals.length) return usageError(io, 'last-accessed', LAST_ACCESSED_USAGE, `unexpected argument '${parsed.positionals[0]}'`);
  const principalText = parsed.options.get('principal');
  if (typeof principalText !== 'string') return usageError(io, 'last-accessed', LAST_ACCESSED_USAGE, '--principal ARN is required');
  const inputs = await loadInputs('usage last-accessed', parsed, io, {});
  if (typeof inputs === 'number') return inputs;
  const principal = findPrincipal(inputs.index, principalText);
  if (!principal) return unknownPrincipal('usage last-accessed', inputs.index, principalText, io);
  const report = lastAccessed({ index: inputs.index, principal, usage: inputs.records, since: inputs.since });
  io.stdout(parsed.options.get('json') === true ? `${JSON.stringify(report)}\n` : formatLastAccessed(report));
  return 0;
}

async function runUnused(argv: string[], io: UsageCliIo): Promise<number> {
  const parsed = parseCommand(argv, { flags: ['json', 'help', 'no-permissions'], values: SOURCE_VALUES, repeatable: ['usage', 'principal'] }, (m) => usageError(io, 'unused', UNUSED_USAGE, m));
  if (!parsed) return 2;
  if (parsed.positionals.length) return usageError(io, 'unused', UNUSED_USAGE, `unexpected argument '${parsed.positionals[0]}'`);
  const inputs = await loadInputs('usage unused', parsed, io, { defaultSince: '90d', usageOptional: true });
  if (typeof inputs === 'number') return inputs;
  const wanted: string[] = [];
  for (const text of parsed.repeated.get('principal') ?? []) {
    const p = findPrincipal(inputs.index, text);
    if (!p) return unknownPrincipal('usage unused', inputs.index, text, io);
    wanted.push(p.arn);
  }
  if (!inputs.hasUsage) io.stderr('gatehouse usage unused: no usage given (--usage, --data-dir or --endpoint): roles are judged by their last-used dates only, and permissions are not checked\n');
  const report = findUnused({
    index: inputs.index,
    usage: inputs.records,
    since: inputs.since as Date,
    now: inputs.now,
    principals: wanted.length ? wanted : undefined,
    skipPermissions: parsed.options.get('no-permissions') === true || !inputs.hasUsage,
    onProgress: progressPrinter('usage unused', io),
  });
  const checked = wanted.length || inputs.index.principals().length;
  io.stdout(parsed.options.get('json') === true ? `${JSON.stringify(report)}\n` : formatUnused(report, checked));
  return 0;
}

async function runPolicy(argv: string[], io: UsageCliIo): Promise<number> {
  const parsed = parseCommand(argv, { flags: ['json', 'help'], values: [...SOURCE_VALUES, 'principal', 'max-resources'], repeatable: ['usage'] }, (m) => usageError(io, 'policy', POLICY_USAGE, m));
  if (!parsed) return 2;
  if (parsed.positionals.length) return usageError(io, 'policy', POLICY_USAGE, `unexpected argument '${parsed.positionals[0]}'`);
  const principalText = parsed.options.get('principal');
  if (typeof principalText !== 'string') return usageError(io, 'policy', POLICY_USAGE, '--principal ARN is required');
  const maxText = parsed.options.get('max-resources');
  const maxResources = typeof maxText === 'string' ? Number(maxText) : undefined;
  if (maxResources !== undefined && (!Number.isSafeInteger(maxResources) || maxResources < 1)) return usageError(io, 'policy', POLICY_USAGE, '--max-resources must be a positive whole number');
  const inputs = await loadInputs('usage policy', parsed, io, { defaultSince: '30d' });
  if (typeof inputs === 'number') return inputs;
  const principal = findPrincipal(inputs.index, principalText);
  if (!principal) return unknownPrincipal('usage policy', inputs.index, principalText, io);
  const own = ownUsage(inputs.index, principal, inputs.records);
  const result = policyFromUsage(own, { since: inputs.since, maxResources });
  if (parsed.options.get('json') === true) {
    io.stdout(`${JSON.stringify({ principal: { arn: principal.arn, kind: principal.kind, name: principal.name }, ...result })}\n`);
  } else {
    if (result.document) io.stdout(`${JSON.stringify(result.document, null, 2)}\n`);
    const requests = own.reduce((n, r) => n + r.count, 0);
    const notes = [`gatehouse usage policy: ${principal.kind} ${principal.name}: ${plural(own.length, 'usage record')} (${plural(requests, 'request')}) since ${time(inputs.since?.toISOString())}`];
    for (const s of result.statements) {
      notes.push(`  ${s.sid}: ${s.actions.join(', ')} on ${s.resources.join(', ')}${s.generalized ? ` (${plural(s.observedResources, 'resource')} observed)` : ''}`);
    }
    for (const w of result.warnings) notes.push(`gatehouse usage policy: ${w}`);
    io.stderr(`${notes.join('\n')}\n`);
  }
  return result.document ? 0 : 1;
}

/** `gatehouse usage <last-accessed|unused|policy> ...`: dispatches on the first positional. */
export async function runUsage(argv: string[], io: UsageCliIo): Promise<number> {
  const [command, ...rest] = argv;
  const commands: Record<string, [string, (argv: string[], io: UsageCliIo) => Promise<number>]> = {
    'last-accessed': [LAST_ACCESSED_USAGE, runLastAccessed],
    unused: [UNUSED_USAGE, runUnused],
    policy: [POLICY_USAGE, runPolicy],
  };
  const found = command !== undefined && Object.hasOwn(commands, command) ? commands[command] : undefined;
  if (found) {
    if (rest.includes('-h') || rest.includes('--help')) {
      io.stdout(found[0]);
      return 0;
    }
    return found[1](rest, io);
  }
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
      io.stdout(GROUP_USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.stderr(`gatehouse usage: unknown command '${command}'\n\n${GROUP_USAGE}`);
      return 2;
  }
}

/** The default `writeFile` of UsageCliIo: a new file only. */
export async function writeNewFile(path: string, text: string): Promise<void> {
  await writeFile(path, text, { flag: 'wx' });
}
