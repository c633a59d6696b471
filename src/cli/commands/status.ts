import { parseArgs } from '../args.js';
import type { CliIo } from '../io.js';
import { DEFAULT_ENDPOINT, endpointsOf, fetchHealth, pollAgeMs, STALE_POLL_MS, type HealthResult } from './node-health.js';

const USAGE = `Usage: gatehouse status [--endpoint URL[,URL...]] [--json]

Shows, for each node and each region it serves: the applied revision, the lag behind the
control plane (revisions and seconds), the last contact with the control plane ("(snapshot)":
the time of the local snapshot a restarted node serves, not heard from since), how long
long-term keys and STS keep working if it stays cut off (key and token windows), and recent
health events. A control plane also lists the data-plane nodes that poll its feed.

Options:
  --endpoint URL   Node(s) to ask (default: ${DEFAULT_ENDPOINT}); comma-separate several.
  --json           Print [{"endpoint", "health"} | {"endpoint", "error"}].
  -h, --help       Show this help.

Exit status: 0 all healthy, 1 a region is degraded, 2 a node could not be reached or a usage error.
`;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  if (seconds <= 0) return 'EXPIRED';
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

function render(result: HealthResult): string {
  if (!('health' in result)) return `${result.endpoint}: UNREACHABLE (${result.error})`;
  const h = result.health;
  const workers = h.workers ? `, ${h.workers.answered} of ${h.workers.expected} workers answered` : '';
  const lines = [`${result.endpoint}: ${h.role}, ${h.status.toUpperCase()}${h.revision !== undefined ? `, control plane revision ${h.revision}` : ''}${workers}, node time ${h.time}`];
  if (h.regions.length) {
    const rows = [['REGION', 'APPLIED', 'LAG', 'LAG(S)', 'LAST CONTACT', 'KEYS LEFT', 'TOKENS LEFT', 'LINK']];
    for (const r of h.regions) {
      const lastContact = r.lastContact ? (r.lastContactSource === 'snapshot' ? `${r.lastContact} (snapshot)` : r.lastContact) : 'never';
      rows.push([r.node ? `${r.region} (${r.node})` : r.region, String(r.appliedRevision), String(r.lagRevisions), String(Math.round(r.lagSeconds)), lastContact, duration(r.keyWindowRemainingSeconds), duration(r.tokenWindowRemainingSeconds), r.connected ? 'connected' : 'CUT OFF']);
    }
    lines.push(table(rows).replace(/^/gm, '  '));
  }
  if (h.remoteNodes?.length) {
    lines.push('  data-plane nodes polling this control plane:');
    for (const n of h.remoteNodes) {
      const age = pollAgeMs(n, h);
      const stale = age > STALE_POLL_MS ? ` (STALE: no poll for ${duration(Math.floor(age / 1000))})` : '';
      lines.push(`    ${n.region}  ${n.node}  applied ${n.applied}  last poll ${n.lastPoll}${stale}`);
    }
  }
  const events = h.regions.flatMap((r) => r.events.map((e) => ({ ...e, region: r.node ? `${r.region} (${r.node})` : r.region }))).sort((a, b) => b.time.localeCompare(a.time)).slice(0, 10);
  if (events.length) {
    lines.push('  recent events:');
    for (const e of events) lines.push(`    ${e.time}  ${e.region}  ${e.type}: ${e.message}`);
  }
  return lines.join('\n');
}

/** `gatehouse status`: the health of every region, as an operator reads it during an incident. */
export async function runStatus(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE);
    return 0;
  }
  const { positionals, options } = parseArgs(argv, ['json']);
  const unknown = [...options.keys()].find((k) => k !== 'endpoint' && k !== 'json');
  if (unknown || positionals.length) {
    io.stderr(`gatehouse status: unexpected argument ${unknown ? `--${unknown}` : positionals[0]}\n\n${USAGE}`);
    return 2;
  }
  const endpoints = endpointsOf(options.get('endpoint'));
  if (!endpoints) {
    io.stderr(`gatehouse status: --endpoint needs http(s) URLs\n`);
    return 2;
  }
  const results = await Promise.all(endpoints.map((e) => fetchHealth(e)));
  if (options.get('json') === true) io.stdout(JSON.stringify(results) + '\n');
  else io.stdout(results.map(render).join('\n\n') + '\n');
  if (results.some((r) => !('health' in r))) return 2;
  return results.some((r) => 'health' in r && r.health.status !== 'ok') ? 1 : 0;
}
