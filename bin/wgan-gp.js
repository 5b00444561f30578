#!/usr/bin/env node
// The `wgan-gp` command. Runs the compiled CLI (dist/cli/main.js) when the package was built, and
// otherwise the TypeScript sources through tsx, so a fresh clone works after `npm ci` with no build.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');

let entry;
if (existsSync(built)) {
  entry = built;
} else {
  const { register } = await import('tsx/esm/api');
  register();
  entry = join(root, 'src', 'cli', 'main.ts');
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv);
