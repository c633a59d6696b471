import { readFile } from 'node:fs/promises';
import type { CliIo } from './io.js';
import { runPolicySimulate } from './commands/policy-simulate.js';
import { runPolicyValidate } from './commands/policy-validate.js';
import { runPolicyGenerate } from './commands/policy-generate.js';
import { runPolicyLint } from './commands/policy-lint.js';
import { runAccessReview } from './commands/access-review.js';
import { runEscalation } from './commands/escalation.js';
import { runUsage } from './commands/usage.js';
import { runPolicyTighten } from './commands/policy-tighten.js';
import { runAuditQuery } from './commands/audit-query.js';
import { runAuditVerify } from './commands/audit-verify.js';
import { runServe } from './commands/serve.js';
import { runStatus } from './commands/status.js';
import { runWaitPropagated } from './commands/wait-propagated.js';
import { runReplicationToken } from './commands/replication-token.js';

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  serve [--data-dir DIR] [--port N] [--host H] [--regions R1,R2]
      Start Gatehouse standalone (IAM, STS, /v1/authorize; SQLite store); or one role of a
      distributed deployment (--role control-plane | data-plane); see gatehouse serve --help.
  status [--endpoint URL] [--json]
      Health of every region: applied revision, lag, last contact, key and token windows, events.
  wait-propagated --revision N [--regions R1,R2] [--endpoint URL] [--timeout 30s] [--json]
      Wait until every region has applied an IAM write's revision.
  replication-token --region R [--data-dir DIR] [--json]
      Print the token a data plane of region R uses to follow the control plane.
  policy validate FILE --kind identity|resource|trust|boundary|scp|session [--json]
      Validate an IAM policy document as AWS does; exit 1 when it has errors.
  policy simulate --cases FILE [--json]
      Decide every case of a policy-evaluation case file; one JSON line per case with --json.
  policy lint FILE... [--kind K|auto] [--format text|json|sarif] [--fail-on error|security|warning|suggestion] [--json]
      Lint IAM policies (docs/lint-rules.md); exit 1 when a finding reaches --fail-on.
  policy tighten --principal ARN [--since 30d] [--apply --endpoint URL] [--json]
      Tighter policies from observed use: diff, a reason per removal, a proof it widens nothing; --apply writes them.
  policy generate --capability CAP --resource ARN [--capability CAP --resource ARN ...] [--include-unscoped] [--json]
      Write a minimal identity policy granting each capability on its resource; --list explains the capabilities.
  usage last-accessed|unused|policy (--import FILE | --endpoint URL) [--usage FILE | --data-dir DIR] [--since T] [--json]
      What a principal used (like Access Advisor), what went unused, a policy of exactly what it used.
  escalation (--import FILE | --endpoint URL) [--principal ARN] [--svg FILE] [--json]
      Privilege-escalation paths: who can become whom, and who can reach administrator.
  access-review (--import FILE | --endpoint URL) [--format json|csv|html] [--out FILE] [--principal ARN] [--json]
      Who can do what to which resource (JSON, CSV or a self-contained HTML report), with paths to admin.
  audit query [--data-dir DIR] [--since ISO|30m|24h|7d] [--principal P] [--event NAME] [--errors] [--limit N] [--json]
      List audit events, newest first; one JSON event per line with --json.
  audit verify [--data-dir DIR] [--json]
      Check the audit log's hash chain; exit 1 when it was tampered with.

Options:
  -h, --help   Show this help.
`;

export const defaultIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readFile: (p) => readFile(p, 'utf8'),
};

/** Runs the `gatehouse` command with its arguments; resolves to the exit code. */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [group, command, ...rest] = argv;
  if (!group || group === '-h' || group === '--help' || group === 'help') {
    io.stdout(USAGE);
    return group ? 0 : 2;
  }
  if (group === 'serve') return runServe(argv.slice(1), io);
  if (group === 'status') return runStatus(argv.slice(1), io);
  if (group === 'wait-propagated') return runWaitPropagated(argv.slice(1), io);
  if (group === 'replication-token') return runReplicationToken(argv.slice(1), io);
  if (group === 'usage') return runUsage(argv.slice(1), io);
  if (group === 'escalation') return runEscalation(argv.slice(1), io);
  if (group === 'access-review') return runAccessReview(argv.slice(1), io);
  if (group === 'policy' && command === 'simulate') return runPolicySimulate(rest, io);
  if (group === 'policy' && command === 'validate') return runPolicyValidate(rest, io);
  if (group === 'policy' && command === 'generate') return runPolicyGenerate(rest, io);
  if (group === 'policy' && command === 'tighten') return runPolicyTighten(rest, io);
  if (group === 'policy' && command === 'lint') return runPolicyLint(rest, io);
  if (group === 'audit' && command === 'query') return runAuditQuery(rest, io);
  if (group === 'audit' && command === 'verify') return runAuditVerify(rest, io);
  io.stderr(`gatehouse: unknown command '${[group, command].filter(Boolean).join(' ')}'\n\n${USAGE}`);
  return 2;
}
