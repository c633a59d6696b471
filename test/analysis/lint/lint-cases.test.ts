/**
 * The lint corpus: `cases/<rule-id>.json`, each an array of `{name, kind, policy, expect}`.
 * Scope: the findings of the engine's validator plus the structure, reference, entity, pattern
 * and redundancy rules (the security, risk and trust rules have their own corpus). A case passes
 * when the set of (id, path) pairs equals `expect` exactly; suggestions count only in cases with
 * `"suggestions": true`. `entities` lists the IAM ARNs that exist in account `accountId`
 * (REF-ENTITY): other ARNs of that account do not, and other accounts are unknown.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lintPolicy, type EntityResolver, type LintRule } from '../../../src/analysis/lint/index.js';
import type { PolicyKind } from '../../../src/core/policy/index.js';
import { STRUCTURE_RULES } from '../../../src/analysis/lint/rules-structure.js';
import { REFERENCE_RULES } from '../../../src/analysis/lint/rules-reference.js';
import { ENTITY_RULES } from '../../../src/analysis/lint/rules-entity.js';
import { PATTERN_RULES } from '../../../src/analysis/lint/rules-pattern.js';
import { REDUNDANCY_RULES } from '../../../src/analysis/lint/rules-redundant.js';

interface LintCase {
  name: string;
  kind: PolicyKind;
  policy: unknown;
  expect: { id: string; path: string }[];
  suggestions?: boolean;
  accountId?: string;
  entities?: string[];
}

const CORE_RULES: readonly LintRule[] = [...STRUCTURE_RULES, ...REFERENCE_RULES, ...ENTITY_RULES, ...PATTERN_RULES, ...REDUNDANCY_RULES];
/** Checks the validator performs that this corpus also documents with cases. */
const VALIDATOR_IDS_WITH_CASES = ['PAT-NULL-IFEXISTS'];

const dir = fileURLToPath(new URL('./cases/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

function resolverFor(c: LintCase): EntityResolver | undefined {
  if (!c.entities) return undefined;
  const existing = new Set(c.entities.map((a) => a.toLowerCase()));
  return { exists: (_kind, arn) => (arn.split(':')[4] === c.accountId ? existing.has(arn.toLowerCase()) : undefined) };
}

function pairs(list: readonly { id: string; path: string }[]): string[] {
  return list.map((f) => `${f.id} ${f.path}`).sort();
}

const corpus = new Map<string, LintCase[]>();
for (const file of files) corpus.set(file, JSON.parse(readFileSync(`${dir}${file}`, 'utf8')) as LintCase[]);

for (const [file, cases] of corpus) {
  describe(`lint corpus ${file}`, () => {
    for (const c of cases) {
      test(c.name, () => {
        const text = JSON.stringify(c.policy, null, 2);
        const findings = lintPolicy(text, { kind: c.kind, rules: CORE_RULES, resolver: resolverFor(c), accountId: c.accountId });
        const seen = findings.filter((f) => c.suggestions === true || f.severity !== 'suggestion');
        assert.deepEqual(pairs(seen), pairs(c.expect), findings.map((f) => `${f.severity} ${f.id} ${f.path}: ${f.message}`).join('\n'));
        // Every finding of a text policy is placed on a line of it.
        for (const f of findings) assert.ok(f.line !== undefined && f.line >= 1 && f.column !== undefined && f.column >= 1, `${f.id} ${f.path} has no position`);
      });
    }
  });
}

test('every rule of the corpus scope has a file with a case that triggers it and a good case', () => {
  const ids = [...CORE_RULES.map((r) => r.id), ...VALIDATOR_IDS_WITH_CASES];
  for (const id of ids) {
    const cases = corpus.get(`${id.toLowerCase()}.json`);
    assert.ok(cases, `no cases/${id.toLowerCase()}.json`);
    assert.ok(cases.some((c) => c.expect.some((e) => e.id === id)), `${id}: no bad case`);
    assert.ok(cases.some((c) => c.expect.length === 0), `${id}: no good case`);
  }
});
