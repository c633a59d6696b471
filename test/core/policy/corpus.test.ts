import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { statementLabel } from '../../../src/core/policy/explain.js';
import { simulateCase, type PolicyCase } from '../../../src/core/policy/policy-case.js';

/**
 * Runs the policy-evaluation corpora: the shared conformance cases (copied into fixtures) and our
 * own cases under test/corpus/, which also say why each is decided (expectBlockedBy,
 * expectDecidedBy).
 */
interface CorpusCase extends PolicyCase {
  name: string;
  expected: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  expectBlockedBy?: string;
  expectDecidedBy?: string[];
  why?: string;
}

const root = join(import.meta.dirname, '..', '..');

function load(file: string): CorpusCase[] {
  return JSON.parse(readFileSync(file, 'utf8')) as CorpusCase[];
}

function check(c: CorpusCase): void {
  const d = simulateCase(c);
  const why = c.why ? `\n  why: ${c.why}` : '';
  assert.equal(d.decision, c.expected, `${c.name}: decision${why}\n  got ${JSON.stringify(d)}`);
  if (c.expectBlockedBy !== undefined) {
    const b = d.blockedBy;
    const got = b ? `${b.layer}${b.scpLevel !== undefined ? `[${b.scpLevel}]` : ''}` : 'none';
    assert.equal(got, c.expectBlockedBy, `${c.name}: blocking layer${why}`);
  }
  if (c.expectDecidedBy !== undefined) {
    assert.deepEqual(d.decidedBy.map(statementLabel), c.expectDecidedBy, `${c.name}: deciding statements${why}`);
  }
}

describe('shared conformance cases', () => {
  for (const c of load(join(root, 'fixtures', 'conformance', 'policy-eval', 'cases.json'))) test(c.name, () => check(c));
});

const corpusDir = join(root, 'corpus');
const files = (existsSync(corpusDir) ? readdirSync(corpusDir, { withFileTypes: true }) : []).filter((f) => f.isFile() && f.name.endsWith('.json'));
for (const f of files) {
  describe(`corpus ${f.name}`, () => {
    for (const c of load(join(corpusDir, f.name))) test(c.name, () => check(c));
  });
}
