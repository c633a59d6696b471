import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from '../args.js';
import type { CliIo } from '../io.js';
import { appliedByRegion, DEFAULT_ENDPOINT, endpointsOf, fetchHealth } from './node-health.js';

const USAGE = `Usage: gatehouse wait-propagated --revision N [--regions R1,R2] [--endpoint URL[,URL...]] [--timeout 30s] [--json]

Waits until every region (or the ones named) has applied control plane revision N: the
x-gatehouse-revision header of an IAM write. A control plane endpoint reports its own regions
and the data-plane nodes that poll it; name data-plane nodes too to ask them directly.

Options:
  --revision N     The revision to wait for.
  --regions LIST   Regions that must have it (default: every region the endpoints report).
  --endpoint URL   Node(s) to ask (default: ${DEFAULT_ENDPOINT}).
  --timeout T      Give up after T (default 30s; 500ms, 30s, 5m).
  --json           Print {"propagated", "revision", "regions": {"<region>": applied}}.
  -h, --help       Show this help.

Exit status: 0 propagated, 1 timed out, 2 usage error.
`;

function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m)?$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1_000);
}

/** `gatehouse wait-propagated --revision N`: read-your-writes across regions, from a script. */
export async function runWaitPropagated(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE);
    return 0;
  }
  const { positionals, options } = parseArgs(argv, ['json']);
  const known = new Set(['revision', 'regions', 'endpoint', 'timeout', 'json']);
  const unknown = [...options.keys()].find((k) => !known.has(k));
  const usage = (message: string) => {
    io.stderr(`gatehouse wait-propagated: ${message}\n\n${USAGE}`);
    return 2;
  };
  if (unknown || positionals.length) return usage(`unexpected argument ${unknown ? `--${unknown}` : positionals[0]}`);
  const revisionText = options.get('revision');
  if (typeof revisionText !== 'string' || !/^\d+$/.test(revisionText)) return usage('--revision N is required');
  const revision = Number(revisionText);
  const timeoutText = options.get('timeout');
  const timeoutMs = timeoutText === undefined ? 30_000 : typeof timeoutText === 'string' ? parseDuration(timeoutText) : undefined;
  if (timeoutMs === undefined) return usage('--timeout must look like 500ms, 30s or 5m');
  const endpoints = endpointsOf(options.get('endpoint'));
  if (!endpoints) return usage('--endpoint needs http(s) URLs');
  const regionsText = options.get('regions');
  if (regionsText === true) return usage('--regions needs a list');
  const wanted = regionsText?.split(',').map((s) => s.trim()).filter(Boolean);

  const deadline = Date.now() + timeoutMs;
  let applied = new Map<string, number>();
  let done = false;
  while (true) {
    applied = appliedByRegion(await Promise.all(endpoints.map((e) => fetchHealth(e, 2_000))));
    const regions = wanted ?? [...applied.keys()];
    done = regions.length > 0 && regions.every((r) => (applied.get(r) ?? -1) >= revision);
    if (done || Date.now() >= deadline) break;
    await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
  }
  const report = Object.fromEntries((wanted ?? [...applied.keys()]).map((r) => [r, applied.get(r) ?? null]));
  if (options.get('json') === true) io.stdout(JSON.stringify({ propagated: done, revision, regions: report }) + '\n');
  else io.stdout(done ? `revision ${revision} has reached ${Object.keys(report).join(', ')}\n` : `timed out: ${Object.entries(report).map(([r, a]) => `${r} at ${a ?? 'unknown'}`).join(', ')} (waiting for ${revision})\n`);
  return done ? 0 : 1;
}
