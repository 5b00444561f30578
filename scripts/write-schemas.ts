// Writes schema/<kind>.schema.json, the JSON Schema of every experiment kind's config files, from
// the kinds' settings declarations (src/app). Run after changing a setting: `npm run schemas`.
// src/app/schema.test.ts fails while a file is out of date.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchema, experiments } from '../src/app/experiment.js';
import '../src/app/kinds.js';

const dir = join(import.meta.dirname, '..', 'schema');
mkdirSync(dir, { recursive: true });
for (const exp of experiments()) {
  const path = join(dir, `${exp.kind}.schema.json`);
  writeFileSync(path, `${JSON.stringify(configJsonSchema(exp), null, 2)}\n`);
  console.log(path);
}
