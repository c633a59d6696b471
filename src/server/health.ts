/**
 * What an operator looks at during an incident: `GET /health` (JSON) and `GET /metrics`
 * (Prometheus text) on every node. A node reports the control plane's revision when it is one,
 * each region it serves (applied revision, lag, last contact, key and token windows, recent
 * health events), and, on the control plane, the remote data-plane nodes that poll its feed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegionHealth } from './region-data-plane.js';

export type NodeRole = 'standalone' | 'control-plane' | 'data-plane';

export interface RemoteNode {
  region: string;
  node: string;
  applied: number;
  lastPoll: string;
}

export interface NodeHealth {
  status: 'ok' | 'degraded';
  role: NodeRole;
  /** This node's clock. */
  time: string;
  /** The control plane's latest revision (control plane and standalone nodes). */
  revision?: number;
  regions: RegionHealth[];
  /** A node running as several processes (`--workers`): how many there are and how many answered. */
  workers?: WorkersHealth;
  /** Data-plane nodes seen polling this control plane's feed. */
  remoteNodes?: RemoteNode[];
}

export interface WorkersHealth {
  expected: number;
  answered: number;
}

/** The regions of every worker of a node (each entry naming its worker's node id), as gathered by the supervising process. */
export interface WorkersReport {
  regions: RegionHealth[];
  workers: WorkersHealth;
}

const DAY_SECONDS = 86_400;

export interface HealthSources {
  role: NodeRole;
  now: () => Date;
  revision?: () => Promise<number>;
  regions: () => RegionHealth[];
  /** On a worker of a node with several: every worker's regions, replacing `regions`. */
  workers?: () => Promise<WorkersReport>;
  remoteNodes?: () => RemoteNode[];
}

function degraded(region: RegionHealth): boolean {
  return !region.connected || region.lagSeconds > 5 || region.keyWindowRemainingSeconds < DAY_SECONDS || region.tokenWindowRemainingSeconds < DAY_SECONDS;
}

export async function nodeHealth(sources: HealthSources): Promise<NodeHealth> {
  const report = sources.workers ? await sources.workers() : undefined;
  const regions = report?.regions ?? sources.regions();
  const workersMissing = report !== undefined && report.workers.answered < report.workers.expected;
  return {
    status: workersMissing || regions.some(degraded) ? 'degraded' : 'ok',
    role: sources.role,
    time: sources.now().toISOString(),
    ...(sources.revision ? { revision: await sources.revision() } : {}),
    regions,
    ...(report ? { workers: report.workers } : {}),
    ...(sources.remoteNodes ? { remoteNodes: sources.remoteNodes() } : {}),
  };
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The Prometheus text exposition of a node's health. */
export function prometheusText(health: NodeHealth): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${Number.isFinite(value) ? value : 'NaN'}`);
  };
  // A worker's entries carry its node id: one series per worker, not one that jumps between them.
  const regionLabels = (r: RegionHealth) => `region="${label(r.region)}"${r.node === undefined ? '' : `,node="${label(r.node)}"`}`;
  const perRegion = (pick: (r: RegionHealth) => number) => health.regions.map((r) => [`{${regionLabels(r)}}`, pick(r)] as [string, number]);
  if (health.revision !== undefined) metric('gatehouse_control_plane_revision', 'Latest revision committed by the control plane.', [['', health.revision]]);
  metric('gatehouse_replica_applied_revision', 'Last control plane revision applied by the region.', perRegion((r) => r.appliedRevision));
  metric('gatehouse_replica_lag_revisions', 'Revisions the region is behind the control plane.', perRegion((r) => r.lagRevisions));
  metric('gatehouse_replica_lag_seconds', 'Seconds the region has been behind the control plane.', perRegion((r) => r.lagSeconds));
  metric('gatehouse_replica_connected', '1 while the region reaches the control plane.', perRegion((r) => (r.connected ? 1 : 0)));
  metric('gatehouse_replica_last_contact_timestamp_seconds', 'Unix time of the last contact with the control plane.', perRegion((r) => (r.lastContact ? Date.parse(r.lastContact) / 1000 : 0)));
  metric('gatehouse_key_window_remaining_seconds', 'Seconds until long-term keys stop authenticating without new key material.', perRegion((r) => r.keyWindowRemainingSeconds));
  metric('gatehouse_token_window_remaining_seconds', 'Seconds until STS cannot issue new credentials without new token keys.', perRegion((r) => r.tokenWindowRemainingSeconds));
  const counts = health.regions.flatMap((r) => Object.entries(r.counts).map(([kind, n]) => [`{${regionLabels(r)},kind="${label(kind)}"}`, n] as [string, number]));
  metric('gatehouse_replica_records', 'Records held by the region, by kind.', counts);
  if (health.workers) {
    metric('gatehouse_workers_expected', 'Processes the node runs (--workers).', [['', health.workers.expected]]);
    metric('gatehouse_workers_answered', 'Processes that answered this scrape.', [['', health.workers.answered]]);
  }
  if (health.remoteNodes) {
    metric(
      'gatehouse_remote_node_applied_revision',
      'Revision last reported by each data-plane node polling the feed.',
      health.remoteNodes.map((n) => [`{region="${label(n.region)}",node="${label(n.node)}"}`, n.applied]),
    );
  }
  return lines.join('\n') + '\n';
}

/** Answers `GET /health` and `GET /metrics`; false for any other request. */
export async function serveHealth(sources: HealthSources, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  if (req.method !== 'GET' || (path !== '/health' && path !== '/metrics')) return false;
  const health = await nodeHealth(sources);
  const body = path === '/health' ? JSON.stringify(health) : prometheusText(health);
  res.writeHead(200, { 'Content-Type': path === '/health' ? 'application/json' : 'text/plain; version=0.0.4', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
  return true;
}
