import { hasErrors, validatePolicy, type IdentityTarget, type PolicyFinding, type ValidatePolicyOptions } from '../../core/policy/validate.js';
import { POLICY_KINDS, type PolicyKind } from '../../core/policy/types.js';
import { parseArgs } from '../args.js';
import type { CliIo } from '../io.js';

const USAGE = `Usage: gatehouse policy validate FILE --kind identity|resource|trust|boundary|scp|session [options]

Validates an IAM policy document as AWS does when the policy is written.

Options:
  --kind KIND       The kind of policy (required).
  --target TARGET   For identity policies, the size quota: managed (default), user, role or group (inline).
  --max-size N      Override the size quota, e.g. 4096 for a raised trust-policy quota.
  --json            Print {"valid": bool, "findings": [...]}.
  -h, --help        Show this help.

Exit status: 0 when the document has no errors, 1 when it has, 2 for a usage error.
`;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['kind', 'target', 'max-size', 'json', 'help']);
const TARGETS: readonly IdentityTarget[] = ['managed', 'user', 'role', 'group'];

function usageError(io: CliIo, message: string): number {
  io.stderr(`gatehouse policy validate: ${message}\n\n${USAGE}`);
  return 2;
}

function formatFinding(f: PolicyFinding): string {
  const detail = f.detail ? ` (${f.detail})` : '';
  return `${f.severity.toUpperCase()} ${f.code} ${f.path}: ${f.message}${detail} [${f.id}]`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `gatehouse policy validate FILE --kind KIND [--json]`: exit 0 valid, 1 errors found, 2 usage error. */
export async function runPolicyValidate(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE);
    return 0;
  }
  const { positionals, options } = parseArgs(argv, ['json']);
  for (const name of options.keys()) {
    if (!KNOWN_OPTIONS.has(name)) return usageError(io, `unknown option --${name}`);
  }
  if (positionals.length === 0) return usageError(io, 'missing FILE');
  if (positionals.length > 1) return usageError(io, `expected one FILE, got ${positionals.length}`);
  const file = positionals[0];

  const kind = options.get('kind');
  if (typeof kind !== 'string') return usageError(io, '--kind is required');
  if (!POLICY_KINDS.includes(kind as PolicyKind)) {
    return usageError(io, `unknown kind '${kind}'; expected one of ${POLICY_KINDS.join(', ')}`);
  }

  const validateOptions: ValidatePolicyOptions = {};
  const target = options.get('target');
  if (target !== undefined) {
    if (typeof target !== 'string' || !TARGETS.includes(target as IdentityTarget)) {
      return usageError(io, `--target must be one of ${TARGETS.join(', ')}`);
    }
    if (kind !== 'identity') return usageError(io, '--target applies only to --kind identity');
    validateOptions.identityTarget = target as IdentityTarget;
  }
  const maxSize = options.get('max-size');
  if (maxSize !== undefined) {
    const n = typeof maxSize === 'string' && /^\d+$/.test(maxSize) ? Number(maxSize) : NaN;
    if (!Number.isSafeInteger(n) || n <= 0) return usageError(io, '--max-size must be a positive whole number');
    validateOptions.maxSize = n;
  }

  let text: string;
  try {
    text = await io.readFile(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException)?.code ?? (err instanceof Error ? err.message : String(err));
    io.stderr(`gatehouse policy validate: cannot read ${file}: ${reason}\n`);
    return 2;
  }

  const findings = validatePolicy(text, kind as PolicyKind, validateOptions);
  const valid = !hasErrors(findings);
  if (options.get('json') === true) {
    io.stdout(`${JSON.stringify({ valid, findings })}\n`);
  } else {
    const lines = findings.map(formatFinding);
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    lines.push(
      valid
        ? `${file}: valid ${kind} policy${warnings ? ` with ${plural(warnings, 'warning')}` : ''}`
        : `${file}: invalid ${kind} policy: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`,
    );
    io.stdout(`${lines.join('\n')}\n`);
  }
  return valid ? 0 : 1;
}
