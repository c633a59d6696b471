/** The picture of the escalation paths for the HTML report: escalation/'s SVG, drawn from the review's own path summaries. */
import { ADMIN_NODE, renderEscalationSvg, type EscalationPath } from '../escalation/index.js';
import type { AccessReview } from './review-types.js';

/** Self-contained SVG markup (every account string escaped by the renderer). */
export function escalationPicture(review: AccessReview): string {
  const paths: EscalationPath[] = [];
  for (const p of review.principals) {
    if (!p.escalation) continue;
    paths.push({
      from: p.principal,
      to: ADMIN_NODE,
      conditional: p.escalation.conditional,
      edges: p.escalation.steps.map((s) => ({ from: s.from, to: s.to, method: s.method, conditional: s.conditional, steps: [] })),
    });
  }
  return renderEscalationSvg(paths);
}
