#!/usr/bin/env node
// The `wgan-gp` command. In a clone (src/ present) it runs the TypeScript sources through tsx, so
// `npm ci` is enough and a stale dist/ is never used; an installed package has no src/ and runs the
// compiled CLI in dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// A reader that stops early (`wgan-gp --help | head`, `wgan-gp sample DIR | head`) closes the pipe:
// stop quietly, as Unix tools do, instead of crashing with EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'cli', 'main.ts');

let entry;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = source;
} else {
  entry = join(root, 'dist', 'cli', 'main.js');
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv);
