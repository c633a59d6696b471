/**
 * docs/lint-rules.md stays true: for every `### ID` section with examples, the "Bad" example
 * triggers ID and the "Good" one neither triggers it nor has errors. REF-ENTITY examples run
 * against an account (111122223333) in which exactly the entities named `deleted-*` are missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lintPolicy, type EntityResolver } from '../../../src/analysis/lint/index.js';
import { guessPolicyKind } from '../../../src/cli/commands/policy-lint.js';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/lint-rules.md', import.meta.url)), 'utf8');
const resolver: EntityResolver = { exists: (_kind, arn) => (arn.split(':')[4] === '111122223333' ? !arn.includes('/deleted-') : undefined) };

interface Section {
  id: string;
  bad?: string;
  good?: string;
}

function sections(markdown: string): Section[] {
  const out: Section[] = [];
  const parts = markdown.split(/^### /m).slice(1);
  for (const part of parts) {
    const id = part.slice(0, part.indexOf('\n')).trim();
    const example = (label: string): string | undefined => new RegExp(`^${label}[^\\n]*:\\n\\n\`\`\`json\\n([\\s\\S]*?)\\n\`\`\``, 'm').exec(part)?.[1];
    out.push({ id, bad: example('Bad'), good: example('Good') });
  }
  return out;
}

const all = sections(doc);

test('the docs have a section with a bad and a good example for each rule they index', () => {
  const indexed = [...doc.matchAll(/^\| \[([A-Z][A-Z-]+)\]\(#/gm)].map((m) => m[1]);
  assert.ok(indexed.length >= 17);
  for (const id of indexed) {
    const s = all.find((x) => x.id === id);
    assert.ok(s?.bad && s.good, `${id}: a section with Bad and Good examples`);
  }
});

for (const s of all.filter((x) => x.bad && x.good)) {
  test(`${s.id}: the bad example triggers it, the good one does not`, () => {
    const run = (text: string) => lintPolicy(text, { kind: guessPolicyKind(text), resolver, accountId: '111122223333' });
    const bad = run(s.bad!);
    assert.ok(bad.some((f) => f.id === s.id), `bad example: ${bad.map((f) => f.id).join(', ')}`);
    const good = run(s.good!);
    assert.deepEqual(good.filter((f) => f.id === s.id || f.severity === 'error').map((f) => `${f.id} ${f.path}: ${f.message}`), []);
  });
}
