/**
 * The escalation graph as a self-contained SVG (no scripts, fonts or links to fetch), for the
 * access-review report: the paths to admin, laid out in columns by distance, admin on the right.
 */
import { ADMIN_NODE, type EscalationEdge, type EscalationPath } from './escalation-types.js';
import { principalName } from './escalation-format.js';

export interface SvgOptions {
  /** Draw at most this many principals (those with the shortest paths first); default 150. */
  maxPrincipals?: number;
  title?: string;
}

const NODE_W = 180;
const NODE_H = 30;
const COL_GAP = 110;
const ROW_GAP = 14;
const MARGIN = 24;
const HEADER = 34;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

interface Drawn {
  arn: string;
  col: number;
  row: number;
  kind: 'user' | 'role' | 'admin';
}

/** Renders the given paths (a graph's `pathsToAdmin()`, or any subset) as one SVG document. */
export function renderEscalationSvg(paths: readonly EscalationPath[], options: SvgOptions = {}): string {
  const max = options.maxPrincipals ?? 150;
  const sorted = [...paths].sort((a, b) => a.edges.length - b.edges.length || a.from.localeCompare(b.from));
  const dist = new Map<string, number>([[ADMIN_NODE, 0]]);
  const kinds = new Map<string, 'user' | 'role' | 'admin'>([[ADMIN_NODE, 'admin']]);
  const edges = new Map<string, { e: EscalationEdge; methods: Set<string>; conditional: boolean }>();
  let shown = 0;
  for (const p of sorted) {
    const nodes = [p.from, ...p.edges.map((e) => e.to)];
    const fresh = nodes.filter((n) => !dist.has(n)).length;
    if (shown + fresh > max && shown > 0) continue;
    shown += fresh;
    nodes.forEach((n, i) => {
      const d = nodes.length - 1 - i;
      dist.set(n, Math.min(dist.get(n) ?? d, d));
      if (!kinds.has(n)) kinds.set(n, /:role\//.test(n) ? 'role' : 'user');
    });
    for (const e of p.edges) {
      const key = `${e.from}|${e.to}`;
      const found = edges.get(key);
      if (found) {
        found.methods.add(e.method);
        found.conditional &&= e.conditional;
      } else edges.set(key, { e, methods: new Set([e.method]), conditional: e.conditional });
    }
  }
  const maxDist = Math.max(0, ...dist.values());
  const columns: string[][] = Array.from({ length: maxDist + 1 }, () => []);
  for (const [arn, d] of dist) columns[maxDist - d].push(arn);
  // Order each column by the mean row of the nodes it points to (right to left): fewer crossings.
  const targets = new Map<string, string[]>();
  for (const { e } of edges.values()) {
    const list = targets.get(e.from);
    if (list) list.push(e.to);
    else targets.set(e.from, [e.to]);
  }
  const rowOf = new Map<string, number>();
  for (let col = columns.length - 1; col >= 0; col--) {
    const weight = (arn: string) => {
      const rows = (targets.get(arn) ?? []).flatMap((t) => (rowOf.has(t) ? [rowOf.get(t) as number] : []));
      return rows.length ? rows.reduce((x, y) => x + y, 0) / rows.length : Number.MAX_SAFE_INTEGER;
    };
    columns[col].sort((a, b) => weight(a) - weight(b) || principalName(a).localeCompare(principalName(b)));
    columns[col].forEach((arn, row) => rowOf.set(arn, row));
  }
  const drawn = new Map<string, Drawn>();
  columns.forEach((c, col) => c.forEach((arn, row) => drawn.set(arn, { arn, col, row, kind: kinds.get(arn) ?? 'user' })));
  const rows = Math.max(1, ...columns.map((c) => c.length));
  const width = MARGIN * 2 + columns.length * NODE_W + (columns.length - 1) * COL_GAP;
  const height = HEADER + MARGIN * 2 + rows * NODE_H + (rows - 1) * ROW_GAP;
  const colHeight = (n: number) => n * NODE_H + (n - 1) * ROW_GAP;
  const pos = (d: Drawn) => {
    const x = MARGIN + d.col * (NODE_W + COL_GAP);
    const top = HEADER + MARGIN + (rows * NODE_H + (rows - 1) * ROW_GAP - colHeight(columns[d.col].length)) / 2;
    return { x, y: top + d.row * (NODE_H + ROW_GAP) };
  };

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12" role="img">`);
  const title = options.title ?? `Privilege escalation: ${paths.length} principal${paths.length === 1 ? '' : 's'} can reach admin`;
  out.push(`<title>${esc(title)}</title>`);
  out.push('<defs><marker id="gh-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>');
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="${MARGIN}" y="${MARGIN + 4}" font-size="14" font-weight="600">${esc(title)}${shown < sorted.length ? esc(` (first ${drawn.size - 1} principals shown)`) : ''}</text>`);
  for (const { e, methods, conditional } of edges.values()) {
    const a = drawn.get(e.from);
    const b = drawn.get(e.to);
    if (!a || !b) continue;
    const pa = pos(a);
    const pb = pos(b);
    const x1 = pa.x + NODE_W;
    const y1 = pa.y + NODE_H / 2;
    const x2 = pb.x;
    const y2 = pb.y + NODE_H / 2;
    const bend = Math.max(40, Math.abs(x2 - x1) / 2);
    const label = methods.has('admin') ? 'is admin' : [...methods].join(', ');
    out.push(`<g><title>${esc(`${principalName(e.from)} → ${principalName(e.to)}: ${label}${conditional ? ' (conditional)' : ''}`)}</title>`);
    out.push(`<path d="M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}" fill="none" stroke="${conditional ? '#b26b00' : '#555'}" stroke-width="1.4"${conditional ? ' stroke-dasharray="5 4"' : ''} marker-end="url(#gh-arrow)"/>`);
    // Labels sit near the start of the edge, where edges from one node have not crossed yet.
    out.push(`<text x="${x1 + 8}" y="${y1 - 5}" fill="#333" font-size="10">${esc(clip(label, 24))}</text></g>`);
  }
  const fill = { user: '#e3efff', role: '#e6f6e6', admin: '#ffe1e1' };
  const stroke = { user: '#3a6fb0', role: '#3f8a3f', admin: '#b03a3a' };
  for (const d of drawn.values()) {
    const p = pos(d);
    const name = d.arn === ADMIN_NODE ? 'admin' : principalName(d.arn);
    out.push(`<g><title>${esc(d.arn)}</title><rect x="${p.x}" y="${p.y}" width="${NODE_W}" height="${NODE_H}" rx="6" fill="${fill[d.kind]}" stroke="${stroke[d.kind]}"/>`);
    out.push(`<text x="${p.x + 10}" y="${p.y + NODE_H / 2 + 4}">${esc(clip(`${d.kind === 'admin' ? '★ ' : d.kind === 'role' ? 'role ' : 'user '}${name}`, 26))}</text></g>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
