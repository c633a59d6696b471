/**
 * Where the CLI's analysis commands get their account and their usage: from files (an
 * `aws iam get-account-authorization-details` export, usage records or a node's `usage.db`), or
 * from a running Gatehouse through the analysis API (`--endpoint URL`, docs/analysis-api.md).
 * Commands call `loadAccount` / `loadUsage` and print `AccountSourceError`s as they are: one line;
 * `usage` is set when the options themselves are wrong (exit 2).
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { importAuthorizationDetails, type AccountModel, type ImportWarning } from '../analysis/account/index.js';
import type { ProgressListener } from '../analysis/progress.js';
import { parseUsageRecords, usageSince, type UsageRecord, type UsageWarning } from '../analysis/usage/usage-record.js';
import { UsageLog } from '../data-plane/usage-log.js';
import { USAGE_FILE } from '../server/data-plane-node.js';
import type { CliIo } from './io.js';
import { createLiveClient, LiveClientError, type LiveClientOptions } from './live-client.js';

export const ACCOUNT_DETAILS_PATH = '/v1/analysis/account-authorization-details';
export const USAGE_PATH = '/v1/analysis/usage';

/** Usage text for commands that take an account: paste it into their USAGE. */
export const ACCOUNT_SOURCE_HELP = `  --import FILE         The account from \`aws iam get-account-authorization-details\` output
                        (one JSON page, or a JSON array of pages).
  --endpoint URL        The account of a running Gatehouse (the caller's account), e.g.
                        http://127.0.0.1:8380; signed with --credentials FILE, else
                        AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else
                        ./gatehouse-data/admin-credentials.json.
  --credentials FILE    With --endpoint: a JSON file with AccessKeyId and SecretAccessKey (the
                        admin-credentials.json that gatehouse serve writes).
`;

/** Usage text for commands that read usage. */
export const USAGE_SOURCE_HELP = `  --usage FILE          Recorded usage: a JSON array of usage records, the JSON the analysis API
                        answers, or a node's usage.db (repeat for several).
  --data-dir DIR        Read DIR/usage.db of a Gatehouse node on this machine.
  --endpoint URL        Ask a running Gatehouse (see --credentials).
  --since T             Only usage last seen since T: an ISO time, or 30d / 24h / 90m ago.
`;

export class AccountSourceError extends Error {
  override readonly name = 'AccountSourceError';
  constructor(
    message: string,
    /** The options are wrong (exit 2), rather than the source unreadable (exit 1). */
    readonly usage = false,
  ) {
    super(message);
  }
}

export interface AccountSourceOptions {
  /** `--import FILE`. */
  import?: string;
  /** `--endpoint URL`. */
  endpoint?: string;
  /** `--credentials FILE` (with `endpoint`). */
  credentials?: string;
  /** Environment for AWS_* credentials (default process.env); clock for signing. */
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export interface LoadedAccount {
  model: AccountModel;
  warnings: ImportWarning[];
  /** Where it came from, for messages: the file, or the endpoint. */
  source: string;
}

function liveOptions(options: { endpoint?: string; credentials?: string; env?: NodeJS.ProcessEnv; now?: () => Date }): LiveClientOptions {
  return { endpoint: options.endpoint, credentialsFile: options.credentials, env: options.env, now: options.now };
}

/** Rethrows the live client's one-line errors as ours. */
async function live<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof LiveClientError) throw new AccountSourceError(err.message);
    throw err;
  }
}

async function readJson(file: string, io: Pick<CliIo, 'readFile'>): Promise<unknown> {
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AccountSourceError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AccountSourceError(`${file} is not JSON: ${(err as Error).message}`);
  }
}

/**
 * The account to analyse: `--import FILE` or `--endpoint URL` (exactly one). Progress of the
 * import goes to `onProgress`; problems in the document are warnings, never errors.
 */
export async function loadAccount(options: AccountSourceOptions, io: Pick<CliIo, 'readFile'>, onProgress?: ProgressListener): Promise<LoadedAccount> {
  if (options.import !== undefined && options.endpoint !== undefined) throw new AccountSourceError('give either --import FILE or --endpoint URL, not both', true);
  if (options.credentials !== undefined && options.endpoint === undefined) throw new AccountSourceError('--credentials goes with --endpoint URL', true);
  if (options.import !== undefined) {
    const json = await readJson(options.import, io);
    return { ...importAuthorizationDetails(json, { onProgress }), source: options.import };
  }
  if (options.endpoint !== undefined) {
    const client = createLiveClient(liveOptions(options), io);
    onProgress?.({ phase: 'download', done: 0, total: 1 });
    const json = await live(() => client.getJson<Record<string, unknown>>(ACCOUNT_DETAILS_PATH));
    onProgress?.({ phase: 'download', done: 1, total: 1 });
    const accountId = typeof json?.AccountId === 'string' ? json.AccountId : undefined;
    return { ...importAuthorizationDetails(json, { onProgress, accountId }), source: client.endpoint };
  }
  throw new AccountSourceError('give the account: --import FILE (aws iam get-account-authorization-details output) or --endpoint URL (a running Gatehouse)', true);
}

export interface UsageSourceOptions {
  /** `--usage FILE` (repeatable). */
  usage?: string[];
  /** `--data-dir DIR`: DIR/usage.db. */
  dataDir?: string;
  endpoint?: string;
  credentials?: string;
  /** `--since`: an ISO time, or `30d` / `24h` / `90m` before `now`. */
  since?: string;
  /** Only this principal's usage (a user or role ARN, or a role session's). */
  principal?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export interface LoadedUsage {
  records: UsageRecord[];
  warnings: UsageWarning[];
  /** The start of the period, when `since` was given. */
  since?: Date;
}

/** `--since`: an ISO time, or a duration before `now` (`30d`, `24h`, `90m`); undefined when not a time. */
export function parseSince(value: string, now: Date): Date | undefined {
  const rel = /^(\d+)([dhm])$/.exec(value.trim());
  if (rel) return new Date(now.getTime() - Number(rel[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'd' | 'h' | 'm']);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** Whether a file is a SQLite database (a node's usage.db) rather than JSON. */
async function isSqlite(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AccountSourceError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    return bytesRead === 16 && head.toString('latin1') === 'SQLite format 3\u0000';
  } finally {
    await handle.close();
  }
}

function readUsageDb(file: string, principal: string | undefined, since: Date | undefined): UsageRecord[] {
  let log: UsageLog | undefined;
  try {
    log = UsageLog.open(file);
    return log.query({ principal, since });
  } catch (err) {
    throw new AccountSourceError(`cannot read usage from ${file}: ${(err as Error).message}`);
  } finally {
    log?.close();
  }
}

/**
 * Recorded authorization usage from every source given (files, a data folder, a running
 * Gatehouse), limited to `principal` and `since` when given.
 */
export async function loadUsage(options: UsageSourceOptions, io: Pick<CliIo, 'readFile'>): Promise<LoadedUsage> {
  const now = options.now?.() ?? new Date();
  let since: Date | undefined;
  if (options.since !== undefined) {
    since = parseSince(options.since, now);
    if (!since) throw new AccountSourceError(`--since ${options.since} is not a time: use an ISO time such as 2024-05-01T00:00:00Z, or 30d, 24h, 90m`, true);
  }
  const files = options.usage ?? [];
  if (!files.length && options.dataDir === undefined && options.endpoint === undefined) {
    throw new AccountSourceError('give the usage: --usage FILE, --data-dir DIR (a node on this machine) or --endpoint URL (a running Gatehouse)', true);
  }
  const records: UsageRecord[] = [];
  const warnings: UsageWarning[] = [];
  const keep = (list: UsageRecord[]) => records.push(...usageSince(list, since).filter((r) => options.principal === undefined || r.principal === options.principal));
  for (const file of files) {
    if (await isSqlite(file)) {
      keep(readUsageDb(file, options.principal, since));
      continue;
    }
    const parsed = parseUsageRecords(await readJson(file, io), file);
    keep(parsed.records);
    warnings.push(...parsed.warnings);
  }
  if (options.dataDir !== undefined) {
    const file = join(options.dataDir, USAGE_FILE);
    // isSqlite first: opening a missing file would create an empty database.
    if (!(await isSqlite(file))) throw new AccountSourceError(`${file} is not a usage database`);
    keep(readUsageDb(file, options.principal, since));
  }
  if (options.endpoint !== undefined) {
    const client = createLiveClient(liveOptions(options), io);
    const json = await live(() => client.getJson(USAGE_PATH, { principal: options.principal, since: since?.toISOString() }));
    const parsed = parseUsageRecords(json, client.endpoint);
    keep(parsed.records);
    warnings.push(...parsed.warnings);
  }
  return { records, warnings, since };
}

/**
 * For a command: the account its `--import` / `--endpoint` / `--credentials` options name, with
 * import warnings printed (the first ten); or the exit code after a clear message (2 through
 * `usageError` for a usage mistake, 1 when the source cannot be read).
 */
export async function loadAccountForCommand(
  command: string,
  options: ReadonlyMap<string, string | true>,
  io: CliIo,
  usageError: (message: string) => number,
  onProgress?: ProgressListener,
): Promise<LoadedAccount | number> {
  const value = (name: string) => options.get(name) as string | undefined;
  let loaded: LoadedAccount;
  try {
    loaded = await loadAccount({ import: value('import'), endpoint: value('endpoint'), credentials: value('credentials') }, io, onProgress);
  } catch (err) {
    if (!(err instanceof AccountSourceError)) throw err;
    if (err.usage) return usageError(err.message);
    io.stderr(`gatehouse ${command}: ${err.message}\n`);
    return 1;
  }
  for (const w of loaded.warnings.slice(0, 10)) io.stderr(`warning: ${w.path}: ${w.message}\n`);
  if (loaded.warnings.length > 10) io.stderr(`warning: ${loaded.warnings.length - 10} more import warnings\n`);
  return loaded;
}
