/**
 * Fails (exit 1) when a generated model file differs from what `npm run models:generate` would
 * write, e.g. after a fixture model update or a hand edit. CI: `npm run models:check`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModelFiles } from './generate-models.js';

const root = fileURLToPath(new URL('../', import.meta.url));
let stale = 0;
for (const file of await buildModelFiles(root)) {
  const actual = await readFile(path.join(root, file.path), 'utf8').catch(() => undefined);
  if (actual === file.text) {
    console.log(`${file.path} is up to date`);
    continue;
  }
  stale++;
  console.error(
    actual === undefined
      ? `${file.path} is missing; run \`npm run models:generate\``
      : `${file.path} is out of date or was edited by hand; run \`npm run models:generate\` and commit the result`,
  );
}
if (stale) process.exitCode = 1;
