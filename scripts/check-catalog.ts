/**
 * Fails (exit 1) when src/core/catalog/generated/catalog-data.ts differs from what
 * `npm run catalog:generate` would write, e.g. after a package bump or a hand edit.
 * CI: `npm run catalog:check`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildCatalogModuleText, CATALOG_MODULE_PATH } from './catalog-builder.js';

const expected = await buildCatalogModuleText();
const actual = await readFile(CATALOG_MODULE_PATH, 'utf8').catch(() => undefined);
const file = path.relative(process.cwd(), CATALOG_MODULE_PATH);
if (actual === expected) {
  console.log(`${file} is up to date`);
} else {
  console.error(
    actual === undefined
      ? `${file} is missing; run \`npm run catalog:generate\``
      : `${file} is out of date or was edited by hand; run \`npm run catalog:generate\` and commit the result`,
  );
  process.exitCode = 1;
}
