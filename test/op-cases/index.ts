/**
 * Every op case table: each other file in this folder exports `cases: OpCase[]`. They are found by
 * listing the folder, so adding a table is adding a file. ops.test.ts runs them all and checks that
 * every primitive is covered.
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { OpCase } from '../support/op-case.js';

const dir = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(dir)
  .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('index.'))
  .sort();

export const allCases: OpCase[] = [];
for (const f of files) {
  const mod = (await import(pathToFileURL(`${dir}/${f}`).href)) as { cases?: OpCase[] };
  if (!Array.isArray(mod.cases)) throw new Error(`op case file ${f} must export 'cases: OpCase[]'`);
  allCases.push(...mod.cases);
}
