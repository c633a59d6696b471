import { caseProblem, simulateCase, type PolicyCase } from '../../core/policy/policy-case.js';
import { explainDecision } from '../../core/policy/explain.js';
import { parseArgs } from '../args.js';
import type { CliIo } from '../io.js';

/**
 * `gatehouse policy simulate --cases FILE [--json]`: decides each case of a policy-evaluation case
 * file. With --json, one line per case, in order: {"name", "decision", "decidedBy"}. Exits 0
 * whatever the decisions; non-zero only when the file cannot be read or is not an array of cases.
 */
export async function runPolicySimulate(argv: string[], io: CliIo): Promise<number> {
  const { options } = parseArgs(argv, ['json']);
  const file = options.get('cases');
  if (typeof file !== 'string') {
    io.stderr('gatehouse policy simulate: --cases FILE is required\n');
    return 2;
  }
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (err) {
    io.stderr(`gatehouse policy simulate: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`);
    return 1;
  }
  let cases: unknown;
  try {
    cases = JSON.parse(text);
  } catch (err) {
    io.stderr(`gatehouse policy simulate: ${file} is not valid JSON: ${(err as Error).message}\n`);
    return 1;
  }
  if (!Array.isArray(cases)) {
    io.stderr(`gatehouse policy simulate: ${file} must hold a JSON array of cases\n`);
    return 1;
  }
  for (let i = 0; i < cases.length; i++) {
    const problem = caseProblem(cases[i]);
    if (problem) {
      io.stderr(`gatehouse policy simulate: case ${i}: ${problem}\n`);
      return 1;
    }
  }
  const json = options.get('json') === true;
  const out: string[] = [];
  for (const c of cases as PolicyCase[]) {
    const d = simulateCase(c);
    if (json) out.push(JSON.stringify({ name: c.name ?? null, decision: d.decision, decidedBy: d.decidedBy, ...(d.blockedBy ? { blockedBy: d.blockedBy } : {}) }));
    else out.push(`${d.decision.padEnd(12)} ${c.name ?? '(unnamed)'}: ${explainDecision(d)}`);
  }
  io.stdout(out.join('\n') + (out.length ? '\n' : ''));
  return 0;
}
