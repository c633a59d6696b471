/**
 * The documentation of the security, risk and trust rules stays true: for each rule, its "Bad"
 * example triggers it, its "Good" example triggers none of these rules, and the documented
 * severity and category are the rule's (docs/lint-rules.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintPolicy } from '../../../src/analysis/lint/lint-policy.js';
import { RISK_RULES } from '../../../src/analysis/lint/rules-risk.js';
import { SECURITY_RULES } from '../../../src/analysis/lint/rules-security.js';
import { TRUST_RULES } from '../../../src/analysis/lint/rules-trust.js';
import type { PolicyKind } from '../../../src/core/policy/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const RULES = [...SECURITY_RULES, ...RISK_RULES, ...TRUST_RULES];
const IDS = new Set(RULES.map((r) => r.id));
const doc = readFileSync(join(root, 'docs/lint-rules.md'), 'utf8');

interface Example {
  good: boolean;
  kind: PolicyKind;
  policy: unknown;
}

/** The section of `### ID` up to the next heading. */
function section(id: string): string | undefined {
  const start = doc.indexOf(`### ${id}\n`);
  if (start < 0) return undefined;
  const rest = doc.slice(start + id.length + 5);
  const end = rest.search(/^#{2,3} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

function examples(text: string): Example[] {
  const out: Example[] = [];
  const re = /^(Bad|Good)([^\n]*):\n\n```json\n([\s\S]*?)\n```/gm;
  for (const m of text.matchAll(re)) {
    const kind = (/\((resource|trust|boundary|session|scp|identity) policy/.exec(m[2])?.[1] ?? 'identity') as PolicyKind;
    out.push({ good: m[1] === 'Good', kind, policy: JSON.parse(m[3]) });
  }
  return out;
}

for (const rule of RULES) {
  test(`${rule.id}: documented with its severity, a bad example that triggers it and a good one that does not`, () => {
    const text = section(rule.id);
    assert.ok(text, `no "### ${rule.id}" in docs/lint-rules.md`);
    assert.match(text, new RegExp(`\\*\\*Severity:\\*\\* ${rule.severity}\\b`));
    if (rule.category) assert.match(text, new RegExp(`\\*\\*Category:\\*\\* ${rule.category}\\b`));
    const found = examples(text);
    assert.ok(found.some((e) => !e.good) && found.some((e) => e.good), 'needs a Bad and a Good example');
    for (const e of found) {
      const findings = lintPolicy(e.policy, { kind: e.kind, accountId: '111122223333' });
      // A good example is clean of every rule of this family, not only its own.
      if (e.good) assert.deepEqual(findings.filter((f) => IDS.has(f.id)).map((f) => `${f.id} ${f.path}`), [], `good example of ${rule.id}`);
      else assert.ok(findings.some((f) => f.id === rule.id), `bad example of ${rule.id} does not trigger it`);
    }
  });
}
