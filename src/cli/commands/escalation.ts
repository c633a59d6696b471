import { writeFile } from 'node:fs/promises';
import { AccountIndex } from '../../analysis/account/index.js';
import { ADMIN_NODE, adminStatus, buildEscalationGraph, formatPath, principalName, renderEscalationSvg, type EscalationGraph, type EscalationGraphJson } from '../../analysis/escalation/index.js';
import { progressPrinter } from '../progress-printer.js';
import { ACCOUNT_SOURCE_HELP, loadAccountForCommand } from '../account-source.js';
import { parseArgs } from '../args.js';
import type { CliIo } from '../io.js';

const USAGE = `Usage: gatehouse escalation (--import FILE | --endpoint URL) [options]

Privilege-escalation paths: who can become an administrator, or act as another principal, through
trust policies, access keys and passwords, policy changes and roles passed to services, each step
decided by the policy engine (denies, boundaries, SCPs, conditions) with the statements that allow
it. See docs/escalation.md.

Options:
${ACCOUNT_SOURCE_HELP}  --principal ARN       Only this user or role (ARN or name): its path to admin, or why not.
  --json                Print the graph as JSON: nodes, edges, paths.
  --svg FILE            Also write the paths to admin as an SVG picture.
  -h, --help            Show this help.

Progress goes to standard error. Exit status: 0 analysed (whether or not paths were found),
1 the account could not be read or FILE written, 2 usage error.
`;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['import', 'endpoint', 'credentials', 'principal', 'json', 'svg', 'help']);

export interface EscalationIo extends CliIo {
  /** Writes the SVG file (default: node:fs). */
  writeFile?: (path: string, text: string) => Promise<void>;
}

function usageError(io: CliIo, message: string): number {
  io.stderr(`gatehouse escalation: ${message}\n\n${USAGE}`);
  return 2;
}

/** The graph restricted to one principal: its node, its edges out, its path to admin. */
function principalJson(json: EscalationGraphJson, arn: string): EscalationGraphJson {
  return {
    ...json,
    nodes: json.nodes.filter((n) => n.arn === arn || n.arn === ADMIN_NODE),
    edges: json.edges.filter((e) => e.from === arn),
    paths: json.paths.filter((p) => p.from === arn),
  };
}

/** Why a principal is not an administrator, in one clause. */
function notAdminReason(index: AccountIndex, arn: string): string {
  const p = index.entity(arn);
  if (!p || p.kind === 'group') return '';
  const status = adminStatus(index, p);
  if (!status.refused) return '';
  const by = status.refusedBy;
  const layer = by ? ` (${by.kind} deny${by.layer === 'identity' ? '' : ` by the ${by.layer === 'scp' ? 'SCPs' : `${by.layer} policy`}`})` : '';
  return `: ${status.refused} is refused${layer}`;
}

function textReport(index: AccountIndex, graph: EscalationGraph, principal: string | undefined): string {
  const lines: string[] = [];
  const principals = graph.nodes.filter((n) => n.kind !== 'admin');
  const admins = principals.filter((n) => n.admin);
  const conditionalAdmins = principals.filter((n) => n.adminConditional);
  const paths = graph.pathsToAdmin();
  if (principal) {
    const node = graph.node(principal);
    if (!node) return '';
    if (node.admin) lines.push(`${node.name} is an administrator.`);
    else if (node.adminConditional) lines.push(`${node.name} is an administrator for some requests only (conditions).`);
    else lines.push(`${node.name} is not an administrator${notAdminReason(index, principal)}.`);
    const path = paths.find((p) => p.from === principal);
    if (path) lines.push(formatPath(path));
    else if (!node.admin) lines.push(`${node.name} has no path to admin.`);
    const out = graph.outgoing(principal).filter((e) => e.to !== ADMIN_NODE);
    if (out.length) {
      lines.push('', `${node.name} can act as:`);
      for (const e of out) lines.push(`  ${principalName(e.to)} (${e.method}${e.conditional ? ', conditional' : ''})`);
    }
    return `${lines.join('\n')}\n`;
  }
  const names = (list: typeof principals) => list.slice(0, 20).map((n) => n.name).join(', ') + (list.length > 20 ? `, and ${list.length - 20} more` : '');
  lines.push(`Account ${graph.accountId}: ${principals.length} principals, ${admins.length} administrators${admins.length ? ` (${names(admins)})` : ''}.`);
  if (conditionalAdmins.length) lines.push(`Administrators for some requests only: ${names(conditionalAdmins)}.`);
  lines.push(`${paths.length} principal${paths.length === 1 ? '' : 's'} can reach admin${paths.length ? ':' : '.'}`);
  for (const p of paths) lines.push('', formatPath(p));
  return `${lines.join('\n')}\n`;
}

/** `gatehouse escalation --import FILE [--principal ARN] [--json] [--svg OUT.svg]`. */
export async function runEscalation(argv: string[], io: EscalationIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE);
    return 0;
  }
  const { positionals, options } = parseArgs(argv, ['json']);
  for (const name of options.keys()) if (!KNOWN_OPTIONS.has(name)) return usageError(io, `unknown option --${name}`);
  if (positionals.length) return usageError(io, `unexpected argument ${positionals[0]}`);
  for (const name of ['import', 'endpoint', 'credentials', 'principal', 'svg']) {
    if (options.get(name) === true) return usageError(io, `--${name} needs a value`);
  }

  const progress = progressPrinter('escalation', io);
  const loaded = await loadAccountForCommand('escalation', options, io, (message) => usageError(io, message), progress);
  if (typeof loaded === 'number') return loaded;

  const index = new AccountIndex(loaded.model);
  let principal = options.get('principal') as string | undefined;
  if (principal !== undefined) {
    const found = index.entity(principal) ?? index.user(principal) ?? index.role(principal);
    if (!found || found.kind === 'group') return usageError(io, `--principal ${principal}: no such user or role in ${loaded.source}`);
    principal = found.arn;
  }

  const graph = buildEscalationGraph(index, { onProgress: progress });
  const svgFile = options.get('svg') as string | undefined;
  if (svgFile !== undefined) {
    const paths = principal ? graph.pathsToAdmin().filter((p) => p.from === principal) : graph.pathsToAdmin();
    try {
      await (io.writeFile ?? ((path: string, text: string) => writeFile(path, text, 'utf8')))(svgFile, renderEscalationSvg(paths));
    } catch (err) {
      io.stderr(`gatehouse escalation: cannot write ${svgFile}: ${(err as Error).message}\n`);
      return 1;
    }
  }
  if (options.get('json') === true) {
    const json = graph.toJSON();
    io.stdout(`${JSON.stringify(principal ? principalJson(json, principal) : json)}\n`);
  } else io.stdout(textReport(index, graph, principal));
  return 0;
}
