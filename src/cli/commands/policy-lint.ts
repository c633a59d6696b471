import { POLICY_KINDS, type PolicyKind } from '../../core/policy/types.js';
import { LINT_SEVERITIES, lintPolicy, toSarif, type EntityResolver, type LintFinding, type LintSeverity } from '../../analysis/lint/index.js';
import { accountResolver } from '../../analysis/lint/account-resolver.js';
import { ACCOUNT_SOURCE_HELP, AccountSourceError, loadAccount } from '../account-source.js';
import { parseArgs } from '../args.js';
import type { CliIo } from '../io.js';

const USAGE = `Usage: gatehouse policy lint FILE... [options]

Lints IAM policy documents: what IAM refuses, names the AWS catalog does not know, conditions
that do not do what they say, redundant entries, and risky grants. Checks: docs/lint-rules.md.

Options:
  --kind KIND           identity (default), resource, trust, boundary, scp, session, or auto:
                        a policy with a Principal is a resource policy, a trust policy when
                        its actions are all sts:AssumeRole*.
  --format FORMAT       text (default): FILE:LINE:COL SEVERITY ID message
                        json: {"files": [{"file", "kind", "findings"}], "summary"}
                        sarif: SARIF 2.1.0, for code scanning
  --json                Same as --format json.
  --fail-on SEVERITY    Exit 1 when a finding is this severe or more: error (default),
                        security, warning or suggestion.
  --docs-url URL        With --format sarif: where each rule's helpUri points
                        (default docs/lint-rules.md, relative to the repository).
  --account-id ID       The policies' account, for REF-ENTITY (implied by --import/--endpoint).
${ACCOUNT_SOURCE_HELP}                        With an account, REF-ENTITY reports users, roles, groups and
                        policies of that account that the policies name but do not exist.
  -h, --help            Show this help.

Exit status: 0 no finding at or above --fail-on, 1 some, 2 usage error or unreadable file.
`;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['kind', 'format', 'json', 'fail-on', 'docs-url', 'account-id', 'import', 'endpoint', 'credentials', 'help']);
const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];
const TRUST_ACTION = /^sts:(assumerole\w*|tagsession|setsourceidentity|setcontext)$/i;
/** Progress lines on stderr for long runs, every this many files. */
const PROGRESS_EVERY = 500;

function usageError(io: CliIo, message: string): number {
  io.stderr(`gatehouse policy lint: ${message}\n\n${USAGE}`);
  return 2;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/**
 * `--kind auto`: a policy with a Principal is a resource policy; a trust policy when every action
 * of those statements is one a trust policy grants. Unparseable text lints as identity.
 */
export function guessPolicyKind(text: string): PolicyKind {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'identity';
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'identity';
  const statements = asList((doc as Record<string, unknown>).Statement).filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null && !Array.isArray(s));
  const withPrincipal = statements.filter((s) => 'Principal' in s || 'NotPrincipal' in s);
  if (withPrincipal.length === 0) return 'identity';
  const actions = withPrincipal.flatMap((s) => asList(s.Action));
  return actions.length > 0 && actions.every((a) => typeof a === 'string' && TRUST_ACTION.test(a)) ? 'trust' : 'resource';
}

function rank(severity: LintSeverity): number {
  return LINT_SEVERITIES.indexOf(severity);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const TEXT_DETAIL_MAX = 200;

function textLine(file: string, f: LintFinding): string {
  const where = f.line !== undefined ? `${file}:${f.line}:${f.column ?? 1}` : file;
  // Long details are the full lists a message summarises ("and 26 more"): --format json has them.
  const detail = f.detail && f.detail.length <= TEXT_DETAIL_MAX ? ` (${f.detail})` : '';
  return `${where} ${f.severity} ${f.id} ${f.message}${detail}`;
}

interface FileResult {
  file: string;
  kind: PolicyKind;
  findings: LintFinding[];
}

/** `gatehouse policy lint FILE... [--kind K] [--format F] [--fail-on S]`: exit 0 clean, 1 findings, 2 usage or unreadable file. */
export async function runPolicyLint(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE);
    return 0;
  }
  const { positionals, options } = parseArgs(argv, ['json', 'help']);
  for (const name of options.keys()) {
    if (!KNOWN_OPTIONS.has(name)) return usageError(io, `unknown option --${name}`);
  }
  const str = (name: string): string | undefined | Error => {
    const v = options.get(name);
    return v === true ? new Error(`--${name} needs a value`) : v;
  };
  if (positionals.length === 0) return usageError(io, 'missing FILE');
  if (positionals.includes('-')) return usageError(io, 'reading a policy from stdin is not supported; give a file');

  const kindOpt = str('kind');
  if (kindOpt instanceof Error) return usageError(io, kindOpt.message);
  const kind = kindOpt ?? 'identity';
  if (kind !== 'auto' && !POLICY_KINDS.includes(kind as PolicyKind)) return usageError(io, `unknown kind '${kind}'; expected auto or one of ${POLICY_KINDS.join(', ')}`);

  const formatOpt = str('format');
  if (formatOpt instanceof Error) return usageError(io, formatOpt.message);
  if (formatOpt !== undefined && !(FORMATS as readonly string[]).includes(formatOpt)) return usageError(io, `unknown format '${formatOpt}'; expected ${FORMATS.join(', ')}`);
  if (options.get('json') === true && formatOpt !== undefined && formatOpt !== 'json') return usageError(io, `--json conflicts with --format ${formatOpt}`);
  const format: Format = options.get('json') === true ? 'json' : ((formatOpt as Format | undefined) ?? 'text');

  const failOnOpt = str('fail-on');
  if (failOnOpt instanceof Error) return usageError(io, failOnOpt.message);
  const failOn = (failOnOpt ?? 'error') as LintSeverity;
  if (!LINT_SEVERITIES.includes(failOn)) return usageError(io, `unknown --fail-on '${failOnOpt}'; expected ${LINT_SEVERITIES.join(', ')}`);

  const docsUrl = str('docs-url');
  if (docsUrl instanceof Error) return usageError(io, docsUrl.message);
  let accountId = str('account-id');
  if (accountId instanceof Error) return usageError(io, accountId.message);
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) return usageError(io, '--account-id must be a 12-digit account ID');

  let resolver: EntityResolver | undefined;
  const source = { import: str('import'), endpoint: str('endpoint'), credentials: str('credentials') };
  for (const [name, v] of Object.entries(source)) if (v instanceof Error) return usageError(io, `--${name} needs a value`);
  if (source.import !== undefined || source.endpoint !== undefined || source.credentials !== undefined) {
    try {
      const loaded = await loadAccount(source as { import?: string; endpoint?: string; credentials?: string }, io);
      for (const w of loaded.warnings) io.stderr(`gatehouse policy lint: ${loaded.source}: ${w.path}: ${w.message}\n`);
      resolver = accountResolver(loaded.model);
      if (accountId !== undefined && accountId !== loaded.model.accountId) return usageError(io, `--account-id ${accountId} is not the account of ${loaded.source} (${loaded.model.accountId})`);
      accountId = loaded.model.accountId;
    } catch (err) {
      if (err instanceof AccountSourceError) {
        if (err.usage) return usageError(io, err.message);
        io.stderr(`gatehouse policy lint: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
  }

  const results: FileResult[] = [];
  let unreadable = 0;
  for (let i = 0; i < positionals.length; i++) {
    const file = positionals[i];
    let text: string;
    try {
      text = await io.readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException)?.code;
      io.stderr(`gatehouse policy lint: cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? String(err))}\n`);
      unreadable++;
      continue;
    }
    const fileKind = kind === 'auto' ? guessPolicyKind(text) : (kind as PolicyKind);
    results.push({ file, kind: fileKind, findings: lintPolicy(text, { kind: fileKind, resolver, accountId }) });
    if (positionals.length >= PROGRESS_EVERY && (i + 1) % PROGRESS_EVERY === 0) io.stderr(`linted ${i + 1}/${positionals.length} files\n`);
  }

  const counts: Record<LintSeverity, number> = { error: 0, security: 0, warning: 0, suggestion: 0 };
  for (const r of results) for (const f of r.findings) counts[f.severity]++;
  const failing = results.some((r) => r.findings.some((f) => rank(f.severity) <= rank(failOn)));

  if (format === 'json') {
    io.stdout(`${JSON.stringify({ files: results, summary: { files: results.length, unreadable, ...counts, failOn, failed: failing } })}\n`);
  } else if (format === 'sarif') {
    io.stdout(`${JSON.stringify(toSarif(results, undefined, docsUrl === undefined ? {} : { docsUri: docsUrl }), null, 2)}\n`);
  } else {
    const lines = results.flatMap((r) => r.findings.map((f) => textLine(r.file, f)));
    const total = counts.error + counts.security + counts.warning + counts.suggestion;
    lines.push(
      `${plural(results.length, 'file')} linted: ${total === 0 ? 'no findings' : `${plural(counts.error, 'error')}, ${counts.security} security, ${plural(counts.warning, 'warning')}, ${plural(counts.suggestion, 'suggestion')}`}`,
    );
    io.stdout(`${lines.join('\n')}\n`);
  }
  if (unreadable > 0) return 2;
  return failing ? 1 : 0;
}
