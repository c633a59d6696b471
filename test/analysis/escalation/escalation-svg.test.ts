import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADMIN_NODE, renderEscalationSvg, type EscalationPath } from '../../../src/analysis/escalation/index.js';

const user = (name: string) => `arn:aws:iam::123456789012:user/${name}`;
const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
const path = (from: string, ...hops: [string, string, boolean?][]): EscalationPath => {
  let at = from;
  const edges = hops.map(([to, method, conditional]) => {
    const e = { from: at, to, method, conditional: conditional ?? false, steps: [] };
    at = to;
    return e;
  });
  return { from, to: ADMIN_NODE, conditional: edges.some((e) => e.conditional), edges };
};

describe('escalation SVG', () => {
  it('draws admin in the right-most column and principals by distance', () => {
    const svg = renderEscalationSvg([path(user('dave'), [role('Deploy'), 'sts-001'], [ADMIN_NODE, 'iam-008']), path(user('bob'), [ADMIN_NODE, 'iam-007'])]);
    const x = (label: string) => Number(new RegExp(`<rect x="(\\d+)"[^>]*/>\\n<text[^>]*>${label}<`).exec(svg)?.[1]);
    assert.ok(x('★ admin') > x('role Deploy'));
    assert.ok(x('role Deploy') > x('user dave'));
    assert.equal(x('user bob'), x('role Deploy'));
    assert.match(svg, /2 principals can reach admin/);
  });

  it('dashes conditional edges and escapes names', () => {
    const svg = renderEscalationSvg([path(user('a&b<c>'), [ADMIN_NODE, 'sts-001', true])]);
    assert.ok(svg.includes('a&amp;b&lt;c&gt;'));
    assert.ok(!svg.includes('a&b<c>'));
    assert.match(svg, /stroke-dasharray/);
  });

  it('draws at most maxPrincipals principals and says so', () => {
    const paths = Array.from({ length: 30 }, (_, i) => path(user(`u${i}`), [ADMIN_NODE, 'iam-007']));
    const svg = renderEscalationSvg(paths, { maxPrincipals: 10 });
    assert.equal((svg.match(/<rect x=/g) ?? []).length, 11);
    assert.match(svg, /first 10 principals shown/);
  });
});
