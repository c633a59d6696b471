import { CAPABILITIES, CAPABILITY_NAMES, isCapability } from '../../analysis/capabilities/capability.js';
import { generatePolicy, type PolicyRequest } from '../../analysis/capabilities/generate-policy.js';
import type { CliIo } from '../io.js';

const USAGE = `Usage: gatehouse policy generate --capability CAP --resource ARN [--capability CAP --resource ARN ...] [options]
       gatehouse policy generate --list [--json]

Writes a minimal identity policy that grants each capability on its resource, e.g.
  gatehouse policy generate --capability read-data --resource arn:aws:s3:::app-bucket

Capabilities: ${CAPABILITY_NAMES.join(', ')} (--list says what each means).

Options:
  --capability CAP    What the policy must allow; each one is followed by its --resource.
  --resource ARN      The resource of the --capability before it (wildcards allowed, e.g. a prefix).
  --include-unscoped  Also grant the capability's actions that only work on "Resource": "*"
                      (s3:ListAllMyBuckets...), in a statement of their own.
  --list              List the capabilities and what they mean.
  --json              Print {"policy": ..., "notes": [...]}; with --list, {"capabilities": [...]}.
  -h, --help          Show this help.

The policy goes to stdout, notes to stderr (with --json, both in the JSON).
Exit status: 0 policy written, 1 a request cannot be granted (unknown service, an ARN that is no
resource of it, no action with that capability), 2 usage error.
`;

const FLAGS: ReadonlySet<string> = new Set(['json', 'list', 'include-unscoped', 'help']);
const VALUED: ReadonlySet<string> = new Set(['capability', 'resource']);

function usageError(io: CliIo, message: string): number {
  io.stderr(`gatehouse policy generate: ${message}\n\n${USAGE}`);
  return 2;
}

interface ParsedGenerate {
  requests: PolicyRequest[];
  flags: Set<string>;
}

/**
 * `--capability` and `--resource` repeat and pair up in order, which the shared `parseArgs`
 * (last value wins) cannot express: the options are read here one by one.
 */
function parseGenerateArgs(argv: readonly string[]): ParsedGenerate | string {
  const requests: PolicyRequest[] = [];
  const flags = new Set<string>();
  let pending: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      flags.add('help');
      continue;
    }
    if (!arg.startsWith('--')) return `unexpected argument '${arg}'`;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (FLAGS.has(name)) {
      if (eq > 0) return `--${name} takes no value`;
      flags.add(name);
      continue;
    }
    if (!VALUED.has(name)) return `unknown option --${name}`;
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    else return `--${name} needs a value`;
    if (name === 'capability') {
      if (pending !== undefined) return `--capability ${pending} has no --resource`;
      pending = value;
    } else {
      if (pending === undefined) return `--resource ${value} must follow a --capability`;
      requests.push({ capability: pending, resource: value });
      pending = undefined;
    }
  }
  if (pending !== undefined) return `--capability ${pending} has no --resource`;
  return { requests, flags };
}

function listCapabilities(io: CliIo, json: boolean): number {
  if (json) {
    io.stdout(`${JSON.stringify({ capabilities: CAPABILITIES.map((c) => ({ name: c.name, meaning: c.meaning })) })}\n`);
    return 0;
  }
  const width = Math.max(...CAPABILITY_NAMES.map((n) => n.length));
  io.stdout(CAPABILITIES.map((c) => `${c.name.padEnd(width)}  ${c.meaning}\n`).join(''));
  return 0;
}

/** `gatehouse policy generate --capability CAP --resource ARN ... [--json]`: exit 0 written, 1 cannot grant, 2 usage. */
export async function runPolicyGenerate(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseGenerateArgs(argv);
  if (typeof parsed === 'string') return usageError(io, parsed);
  const { requests, flags } = parsed;
  if (flags.has('help')) {
    io.stdout(USAGE);
    return 0;
  }
  const json = flags.has('json');
  if (flags.has('list')) {
    if (requests.length > 0) return usageError(io, '--list takes no --capability');
    return listCapabilities(io, json);
  }
  if (requests.length === 0) return usageError(io, 'give at least one --capability with its --resource');
  for (const r of requests) {
    if (!isCapability(r.capability)) {
      return usageError(io, `unknown capability '${r.capability}'; expected one of ${CAPABILITY_NAMES.join(', ')}`);
    }
  }

  const result = generatePolicy(requests, { includeUnscoped: flags.has('include-unscoped') });
  if (result.errors.length > 0) {
    if (json) {
      io.stdout(`${JSON.stringify({ policy: null, notes: result.notes, errors: result.errors })}\n`);
    } else {
      io.stderr(result.errors.map((e) => `gatehouse policy generate: --capability ${e.capability} --resource ${e.resource}: ${e.message}\n`).join(''));
    }
    return 1;
  }
  if (json) {
    io.stdout(`${JSON.stringify({ policy: result.document, notes: result.notes })}\n`);
  } else {
    io.stdout(`${JSON.stringify(result.document, null, 2)}\n`);
    if (result.notes.length > 0) io.stderr(result.notes.map((n) => `note: ${n}\n`).join(''));
  }
  return 0;
}
