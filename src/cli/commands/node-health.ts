/** Reads `GET /health` from Gatehouse nodes for `gatehouse status` and `gatehouse wait-propagated`. */
import type { NodeHealth, RemoteNode } from '../../server/health.js';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../server/standalone.js';

export const DEFAULT_ENDPOINT = `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;

export type HealthResult = { endpoint: string; health: NodeHealth } | { endpoint: string; error: string };

export async function fetchHealth(endpoint: string, timeoutMs = 3_000): Promise<HealthResult> {
  try {
    const res = await fetch(new URL('/health', endpoint), { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return { endpoint, error: `HTTP ${res.status}` };
    return { endpoint, health: (await res.json()) as NodeHealth };
  } catch (err) {
    return { endpoint, error: (err as Error).message };
  }
}

/** Endpoints from `--endpoint A,B` (or repeated), default the standalone address. */
export function endpointsOf(value: string | true | undefined): string[] | undefined {
  if (value === true) return undefined;
  const list = (value ?? DEFAULT_ENDPOINT).split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of list) {
    try {
      const u = new URL(e);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    } catch {
      return undefined;
    }
  }
  return list.length ? list : undefined;
}

/**
 * A remote node that has not polled for this long (by the reporting node's clock) is gone or cut
 * off: a connected node polls again at least every long-poll (20 s).
 */
export const STALE_POLL_MS = 60_000;

/** Milliseconds since the node last polled, by the clock of the control plane that reports it. */
export function pollAgeMs(node: RemoteNode, health: NodeHealth): number {
  return Date.parse(health.time) - Date.parse(node.lastPoll);
}

/**
 * The applied revision of each region a set of nodes reports (in-process regions and remote
 * nodes; the lowest node wins). A remote node that stopped polling over a minute ago counts only
 * when its region has no node polling now: that is a node replaced or gone (with a region still
 * served by others), not a region cut off, which must still hold the wait up.
 */
export function appliedByRegion(results: HealthResult[]): Map<string, number> {
  const out = new Map<string, number>();
  const note = (region: string, applied: number) => out.set(region, Math.min(applied, out.get(region) ?? Infinity));
  for (const r of results) {
    if (!('health' in r)) continue;
    for (const region of r.health.regions) note(region.region, region.appliedRevision);
    const remote = r.health.remoteNodes ?? [];
    const fresh = (node: RemoteNode) => !(pollAgeMs(node, r.health) > STALE_POLL_MS);
    const live = new Set(remote.filter(fresh).map((n) => n.region));
    for (const node of remote) if (fresh(node) || !live.has(node.region)) note(node.region, node.applied);
  }
  return out;
}
