/** The escalation graph (escalation/) as the review uses it: each principal's shortest path to administrator. */
import type { AccountIndex } from '../account/index.js';
import { buildEscalationGraph, describeEdge, type EscalationPath } from '../escalation/index.js';
import type { ProgressListener } from '../progress.js';
import type { EscalationInput, EscalationPathSummary } from './review-types.js';

export function summarizePath(path: EscalationPath): EscalationPathSummary {
  return {
    conditional: path.conditional,
    steps: path.edges.map((e) => ({ from: e.from, to: e.to, method: e.method, description: describeEdge(e), conditional: e.conditional })),
  };
}

export function escalationForReview(index: AccountIndex, onProgress?: ProgressListener): EscalationInput {
  const graph = buildEscalationGraph(index, { onProgress });
  // Building the graph already searched every principal's shortest path: look them up.
  const paths = new Map(graph.pathsToAdmin().map((p) => [p.from, p]));
  return {
    pathToAdmin(principal) {
      const path = paths.get(principal);
      return path ? summarizePath(path) : undefined;
    },
  };
}
