/**
 * The text a reviewer reads: a unified diff of the current and proposed documents as pretty JSON,
 * and the list of removals with their reasons.
 */
import type { PolicyProposal } from './propose-tightening.js';

export interface DiffOptions {
  fromLabel?: string;
  toLabel?: string;
  /** Unchanged lines shown around each change (default 3). */
  context?: number;
}

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Line operations turning `a` into `b` (longest common subsequence; plain replace past 4M cells). */
function diffLines(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) return [...a.map((line) => ({ kind: '-' as const, line })), ...b.map((line) => ({ kind: '+' as const, line }))];
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) ops.push({ kind: '-', line: a[i++] });
    else ops.push({ kind: '+', line: b[j++] });
  }
  while (i < n) ops.push({ kind: '-', line: a[i++] });
  while (j < m) ops.push({ kind: '+', line: b[j++] });
  return ops;
}

function lines(text: string): string[] {
  return text.length ? text.replace(/\n$/, '').split('\n') : [];
}

/** A unified diff of two texts (`--- a`, `+++ b`, `@@ -l,n +l,n @@` hunks); empty when equal. */
export function unifiedDiff(before: string, after: string, options: DiffOptions = {}): string {
  return formatOps(diffLines(lines(before), lines(after)), options);
}

function formatOps(ops: Op[], options: DiffOptions): string {
  const context = options.context ?? 3;
  if (ops.every((o) => o.kind === ' ')) return '';
  const out = [`--- ${options.fromLabel ?? 'current'}`, `+++ ${options.toLabel ?? 'proposed'}`];
  // Line numbers before each op, to label hunks.
  const aLine: number[] = [];
  const bLine: number[] = [];
  let ai = 1;
  let bi = 1;
  for (const o of ops) {
    aLine.push(ai);
    bLine.push(bi);
    if (o.kind !== '+') ai++;
    if (o.kind !== '-') bi++;
  }
  let k = 0;
  while (k < ops.length) {
    if (ops[k].kind === ' ') {
      k++;
      continue;
    }
    const start = Math.max(0, k - context);
    let end = k;
    // Extend while the next change is within 2 × context unchanged lines.
    while (end < ops.length) {
      if (ops[end].kind !== ' ') {
        end++;
        continue;
      }
      let next = end;
      while (next < ops.length && ops[next].kind === ' ') next++;
      if (next < ops.length && next - end <= 2 * context) end = next;
      else {
        end = Math.min(ops.length, end + context);
        break;
      }
    }
    const hunk = ops.slice(start, end);
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    const aStart = aCount ? aLine[start] : aLine[start] - 1;
    const bStart = bCount ? bLine[start] : bLine[start] - 1;
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
    k = end;
  }
  return `${out.join('\n')}\n`;
}

export function prettyJson(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** How a policy is named in headings: `managed policy ARN (v2)`, `inline policy NAME of role R`. */
export function policyLabel(p: Pick<PolicyProposal, 'kind' | 'policyId' | 'versionId' | 'owner' | 'awsManaged'>): string {
  if (p.kind === 'managed') return `${p.awsManaged ? 'AWS managed' : 'managed'} policy ${p.policyId}${p.versionId ? ` (${p.versionId})` : ''}`;
  return `inline policy ${p.policyId} of ${p.owner.kind} ${p.owner.name}`;
}

/** The removals, one per line: `  - $.Statement[1] (Sid) what: reason`. */
export function formatRemovals(p: Pick<PolicyProposal, 'removals'>): string {
  return p.removals.map((r) => `  - ${r.path}${r.sid !== undefined ? ` (${r.sid})` : ''} ${r.what}: ${r.reason}\n`).join('');
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `"key": value` lines of a top-level member, as JSON.stringify(doc, null, 2) writes them. */
function memberLines(key: string, value: unknown, comma: boolean): string[] {
  const out = `  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}${comma ? ',' : ''}`;
  return out.split('\n');
}

function statementLines(s: unknown, comma: boolean): string[] {
  const out = JSON.stringify(s, null, 2).split('\n').map((l) => `    ${l}`);
  if (comma) out[out.length - 1] += ',';
  return out;
}

/**
 * Operations for the pretty JSON of two documents, aligned statement by statement: each current
 * statement is compared with the proposed statements made from it, so a narrowed statement reads
 * as its own change instead of lines matched across statements. Undefined when either document
 * is not an object with a `Statement` array.
 */
function statementAlignedOps(current: unknown, proposed: unknown, sources: readonly number[]): Op[] | undefined {
  if (!isObj(current) || !isObj(proposed) || !Array.isArray(current.Statement) || !Array.isArray(proposed.Statement)) return undefined;
  const cur = current.Statement as unknown[];
  const prop = proposed.Statement as unknown[];
  if (sources.length !== prop.length) return undefined;
  const around = (doc: Record<string, unknown>) => {
    const keys = Object.keys(doc);
    const at = keys.indexOf('Statement');
    const head = ['{', ...keys.slice(0, at).flatMap((k) => memberLines(k, doc[k], true)), '  "Statement": ['];
    const tail = [`  ]${at < keys.length - 1 ? ',' : ''}`, ...keys.slice(at + 1).flatMap((k, i, rest) => memberLines(k, doc[k], i < rest.length - 1)), '}'];
    return { head, tail };
  };
  const a = around(current);
  const b = around(proposed);
  const ops: Op[] = diffLines(a.head, b.head);
  cur.forEach((s, j) => {
    const before = statementLines(s, j < cur.length - 1);
    const after = prop.flatMap((t, i) => (sources[i] === j ? statementLines(t, i < prop.length - 1) : []));
    ops.push(...diffLines(before, after));
  });
  ops.push(...diffLines(a.tail, b.tail));
  return ops;
}

/** The diff of one proposal and its removals, as the CLI prints it. */
export function policyDiff(p: PolicyProposal): string {
  const label = policyLabel(p);
  if (!p.changed) return `${label}: unchanged (everything it grants was used)\n`;
  const lines: string[] = [];
  if (p.proposed === null) lines.push(`${label}: nothing of it was used; remove it (the proposal keeps no statement)\n`);
  else {
    const options = { fromLabel: `${label} (current)`, toLabel: `${label} (proposed)` };
    const ops = statementAlignedOps(p.current, p.proposed, p.sources);
    lines.push(ops ? formatOps(ops, options) : unifiedDiff(prettyJson(p.current), prettyJson(p.proposed), options));
  }
  lines.push(`Removed from ${label}:\n${formatRemovals(p)}`);
  return lines.join('');
}
