import { open } from 'node:fs/promises';
import { AccountIndex } from '../../analysis/account/index.js';
import { progressPrinter } from '../progress-printer.js';
import { reviewAccount } from '../../analysis/review/access-review.js';
import { renderCsv } from '../../analysis/review/render-csv.js';
import { renderHtml } from '../../analysis/review/render-html.js';
import { renderJson } from '../../analysis/review/render-json.js';
import type { AccessReview } from '../../analysis/review/review-types.js';
import { ACCOUNT_SOURCE_HELP, loadAccountForCommand } from '../account-source.js';
import { parseArgs } from '../args.js';
import type { CliIo } from '../io.js';

const USAGE = `Usage: gatehouse access-review (--import FILE | --endpoint URL) [options]

Who can do what to which resource: one row per principal × resource × capability
(administer-resource, read-config, read-data, write-data, delete-data, use-resource), decided
by the policy engine with denies, permissions boundaries, SCPs, trust policies and conditions;
a summary per principal (administrator, path to administrator) and findings (OVR-ADMIN,
PE-PATH, OVR-THRESHOLD). See docs/access-review.md.

Options:
${ACCOUNT_SOURCE_HELP}  --format FORMAT       json (default): the whole review (schema gatehouse.access-review/v1)
                        csv: one line per principal × resource × capability
                        html: a self-contained report with filterable tables and the
                        escalation graph
                        Default with --out: from the file's extension (.json, .csv, .html).
  --out FILE            Write the report to FILE instead of standard output; print a summary.
  --principal ARN       Review this user or role only.
  --threshold-principals N   OVR-THRESHOLD when more than N non-admin principals can read,
                        write, delete or administer one resource (default 25).
  --threshold-resources N    OVR-THRESHOLD when a non-admin principal can administer more
                        than N resources (default 100).
  --no-escalation       Skip the privilege-escalation graph (faster; no paths to admin).
  --json                Same as --format json; with --out, the summary is JSON.
  -h, --help            Show this help.

Progress goes to standard error. Exit status: 0 reviewed, 1 the account could not be read,
2 usage error.
`;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['import', 'endpoint', 'credentials', 'format', 'out', 'principal', 'threshold-principals', 'threshold-resources', 'no-escalation', 'json', 'help']);
const FORMATS = ['json', 'csv', 'html'] as const;
type Format = (typeof FORMATS)[number];

function usageError(io: CliIo, message: string): number {
  io.stderr(`gatehouse access-review: ${message}\n\n${USAGE}`);
  return 2;
}

function positiveInt(value: string | true | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null;
}

function render(review: AccessReview, format: Format): Generator<string> {
  return format === 'csv' ? renderCsv(review) : format === 'html' ? renderHtml(review) : renderJson(review);
}

async function writeFile(path: string, chunks: Iterable<string>): Promise<number> {
  const handle = await open(path, 'w');
  let bytes = 0;
  try {
    for (const chunk of chunks) {
      const { bytesWritten } = await handle.write(chunk);
      bytes += bytesWritten;
    }
  } finally {
    await handle.close();
  }
  return bytes;
}

function summaryLine(review: AccessReview): string {
  const c = review.counts;
  const paths = review.escalationEvaluated ? `, ${c.escalationPaths} with a path to admin` : '';
  return `${c.principals} principals (${c.admins} administrators${paths}), ${c.rows} access rows, ${c.resources} known resources, ${c.findings} findings`;
}

/** `gatehouse access-review --import FILE [--format json|csv|html] [--out FILE] [--principal ARN] [--json]`. */
export async function runAccessReview(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE);
    return 0;
  }
  const { positionals, options } = parseArgs(argv, ['json', 'no-escalation']);
  for (const name of options.keys()) if (!KNOWN_OPTIONS.has(name)) return usageError(io, `unknown option --${name}`);
  if (positionals.length) return usageError(io, `unexpected argument ${positionals[0]}`);
  for (const name of ['import', 'endpoint', 'credentials', 'out', 'principal', 'format']) {
    if (options.get(name) === true) return usageError(io, `--${name} needs a value`);
  }
  const out = options.get('out') as string | undefined;
  const json = options.get('json') === true;
  let format = options.get('format') as string | undefined;
  if (format !== undefined && !FORMATS.includes(format as Format)) return usageError(io, `unknown format '${format}'; expected json, csv or html`);
  if (json && format !== undefined && format !== 'json' && out === undefined) return usageError(io, `--json and --format ${format} disagree`);
  format ??= out && /\.(csv|html?)$/i.test(out) ? (/\.csv$/i.test(out) ? 'csv' : 'html') : 'json';
  const thresholdPrincipals = positiveInt(options.get('threshold-principals'));
  const thresholdResources = positiveInt(options.get('threshold-resources'));
  if (thresholdPrincipals === null) return usageError(io, '--threshold-principals must be a whole number');
  if (thresholdResources === null) return usageError(io, '--threshold-resources must be a whole number');

  const progress = progressPrinter('access-review', io);
  const loaded = await loadAccountForCommand('access-review', options, io, (message) => usageError(io, message), progress);
  if (typeof loaded === 'number') return loaded;

  const review = reviewAccount(new AccountIndex(loaded.model), {
    now: new Date(),
    onProgress: progress,
    principal: options.get('principal') as string | undefined,
    thresholds: { ...(thresholdPrincipals !== undefined ? { principalsPerResource: thresholdPrincipals } : {}), ...(thresholdResources !== undefined ? { resourcesPerPrincipal: thresholdResources } : {}) },
    escalation: options.get('no-escalation') === true ? false : undefined,
  });
  for (const w of review.warnings) io.stderr(`warning: ${w.subject}: ${w.message}\n`);

  const chunks = render(review, format as Format);
  if (out === undefined) {
    for (const chunk of chunks) io.stdout(chunk);
    return 0;
  }
  let bytes: number;
  try {
    bytes = await writeFile(out, chunks);
  } catch (err) {
    io.stderr(`gatehouse access-review: cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return 1;
  }
  if (json) io.stdout(`${JSON.stringify({ out, format, bytes, counts: review.counts, escalationEvaluated: review.escalationEvaluated })}\n`);
  else io.stdout(`Wrote ${out} (${format}, ${bytes} bytes): ${summaryLine(review)}.\n`);
  return 0;
}
