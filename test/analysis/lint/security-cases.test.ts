/**
 * The corpus of security, risk and trust lint cases (`cases-security/*.json`): a policy in, the
 * findings out. For every id a case names (in `expect` or `absent`) the findings of that id must be
 * exactly the expected ones (id and path, plus severity, category and a message fragment when
 * given); other ids are ignored, so a case stays about its rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintPolicy } from '../../../src/analysis/lint/lint-policy.js';
import type { LintFinding } from '../../../src/analysis/lint/lint-types.js';
import type { PolicyKind } from '../../../src/core/policy/index.js';

interface ExpectedFinding {
  id: string;
  path: string;
  severity?: string;
  category?: string;
  /** A fragment the message must contain. */
  message?: string;
}

interface LintCase {
  name: string;
  kind: PolicyKind;
  accountId?: string;
  policy: unknown;
  expect?: ExpectedFinding[];
  absent?: string[];
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'cases-security');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

function describe(f: LintFinding): string {
  return `${f.id} ${f.path} (${f.severity}${f.category ? `, ${f.category}` : ''}): ${f.message}`;
}

for (const file of files) {
  const cases = JSON.parse(readFileSync(join(dir, file), 'utf8')) as LintCase[];
  for (const c of cases) {
    test(`${file}: ${c.name}`, () => {
      const options = c.accountId ? { kind: c.kind, accountId: c.accountId } : { kind: c.kind };
      const findings = lintPolicy(c.policy, options);
      const expected = c.expect ?? [];
      const ids = new Set([...expected.map((e) => e.id), ...(c.absent ?? [])]);
      const got = findings.filter((f) => ids.has(f.id));
      const all = findings.map(describe).join('\n');
      assert.deepEqual(
        got.map((f) => `${f.id} ${f.path}`).sort(),
        expected.map((e) => `${e.id} ${e.path}`).sort(),
        `findings were:\n${all}`,
      );
      for (const e of expected) {
        const f = got.find((x) => x.id === e.id && x.path === e.path)!;
        if (e.severity) assert.equal(f.severity, e.severity, describe(f));
        if (e.category) assert.equal(f.category, e.category, describe(f));
        if (e.message) assert.ok(f.message.includes(e.message), `message of ${describe(f)} lacks "${e.message}"`);
      }
    });
  }
}

test('every security, risk and trust rule has a triggering case and a near miss in the corpus', () => {
  const triggered = new Set<string>();
  const missed = new Set<string>();
  for (const file of files) {
    for (const c of JSON.parse(readFileSync(join(dir, file), 'utf8')) as LintCase[]) {
      for (const e of c.expect ?? []) triggered.add(e.id);
      for (const id of c.absent ?? []) missed.add(id);
    }
  }
  const ids = [
    'PAT-ALLOW-NOTPRINCIPAL', 'PAT-ALLOW-NOTRESOURCE', 'PAT-ALLOW-NOTACTION', 'OVR-PASSROLE', 'OVR-CREATE-SLR', 'OVR-ADMIN',
    'OVR-SERVICE-WILDCARD', 'OVR-RESOURCE-STAR', 'PE-COMBO', 'RISK-DATA-EXFIL', 'RISK-RESOURCE-EXPOSURE',
    'RISK-CREDENTIALS-EXPOSURE', 'RISK-INFRA-MODIFICATION', 'TRUST-ANY-PRINCIPAL', 'TRUST-CROSS-ACCOUNT', 'TRUST-OIDC',
    'EXP-PUBLIC', 'RISK-CONFUSED-DEPUTY',
  ];
  assert.deepEqual(ids.filter((id) => !triggered.has(id)), [], 'rules without a triggering case');
  assert.deepEqual(ids.filter((id) => !missed.has(id)), [], 'rules without a near miss');
});
