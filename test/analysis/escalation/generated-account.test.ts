import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccountIndex, importAuthorizationDetails } from '../../../src/analysis/account/index.js';
import { ADMIN_NODE, buildEscalationGraph } from '../../../src/analysis/escalation/index.js';
import type { ProgressEvent } from '../../../src/analysis/progress.js';
import { generateAccount } from './generate-account.js';

describe('escalation graph on a generated account', () => {
  const { model } = importAuthorizationDetails(generateAccount({ users: 300, roles: 200, groups: 20, policies: 1500, seed: 11 }));
  const index = new AccountIndex(model);
  const events: ProgressEvent[] = [];
  const graph = buildEscalationGraph(index, { onProgress: (e) => events.push(e) });

  it('reports progress to the end of every phase', () => {
    const phases = [...new Set(events.map((e) => e.phase))];
    assert.deepEqual(phases, ['escalation: administrators', 'escalation: edges', 'escalation: permission changes', 'escalation: paths']);
    for (const p of phases) assert.ok(events.some((e) => e.phase === p && e.done === e.total));
  });

  it('finds paths, each a chain of edges from the principal to admin', () => {
    const paths = graph.pathsToAdmin();
    assert.ok(paths.length > 0);
    for (const p of paths) {
      assert.equal(graph.node(p.from)?.admin, false);
      let at = p.from;
      const held = new Set([at]);
      for (const e of p.edges) {
        assert.equal(e.from, at, `${p.from}: broken chain`);
        if (e.grantTo) assert.ok(held.has(e.grantTo), `${p.from}: grant to ${e.grantTo}, not held`);
        at = e.to;
        held.add(at);
      }
      assert.equal(at, ADMIN_NODE);
      assert.equal(p.conditional, p.edges.some((e) => e.conditional));
    }
  });

  it('every step of every edge is allowed by the engine when asked again', () => {
    for (const e of graph.edges) {
      if (e.from === ADMIN_NODE) continue;
      const p = index.entity(e.from);
      assert.ok(p && p.kind !== 'group');
      for (const s of e.steps) {
        if (s.principal || s.statements.some((r) => r.policyId.endsWith('(rewritten)'))) continue;
        assert.notEqual(index.decide(p, s.action, s.resource).access, 'denied', `${e.from} ${e.method}: ${s.action} on ${s.resource}`);
        assert.ok(s.statements.length > 0);
      }
    }
  });
});
