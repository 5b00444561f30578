#!/usr/bin/env node
// Bundles the browser playground (web/main.ts → web/dist/main.js) with esbuild's JS API and copies
// onnxruntime-web's WebAssembly binary next to it, where onnxruntime-web looks for it by default
// (beside the script that contains it).
//
// Usage: node scripts/build-web.mjs [--serve [--port N]] [--minify]
//   --serve  rebuilds on change and serves web/ at http://localhost:8000/, cross-origin isolated
//            (COOP/COEP headers), so the page may use several WebAssembly threads (?threads=N)
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const webDir = join(root, 'web');
const outdir = join(webDir, 'dist');

/**
 * The WebAssembly file the bundled onnxruntime-web build loads: the default browser build
 * (ort.bundle.min.mjs) runs both the wasm and the WebGPU providers from the "jsep" binary.
 */
export const WASM_FILES = ['ort-wasm-simd-threaded.jsep.wasm'];

/** esbuild options of the playground bundle. */
export function buildOptions({ minify = false } = {}) {
  return {
    absWorkingDir: root,
    entryPoints: [join(webDir, 'main.ts')],
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify,
    // The core loads Node built-ins only lazily, inside functions the page never calls (e.g. safetensors files).
    external: ['node:*'],
    logLevel: 'warning',
  };
}

/** Copies onnxruntime-web's .wasm files into web/dist. */
export function copyWasm() {
  const require = createRequire(join(root, 'package.json'));
  // The package's exports map does not expose package.json; resolve a listed file instead.
  const ortDist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm'));
  mkdirSync(outdir, { recursive: true });
  for (const f of WASM_FILES) copyFileSync(join(ortDist, f), join(outdir, f));
}

/** Builds web/dist once; returns esbuild's result (with its metafile). */
export async function buildWeb(opts = {}) {
  copyWasm();
  return esbuild.build({ ...buildOptions(opts), metafile: true });
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
};

/**
 * Serves the web/ folder over HTTP on 127.0.0.1 (port 0: any free port), with the headers that make
 * the page cross-origin isolated (needed for SharedArrayBuffer, hence for WebAssembly threads).
 * Resolves to the page's URL and a `close` function.
 */
export function serveWeb({ port = 0 } = {}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(webDir, path.endsWith('/') ? `${path}index.html` : path));
    let body;
    try {
      if (!file.startsWith(webDir + sep) || !statSync(file).isFile()) throw new Error('not a file');
      body = readFileSync(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cache-control': 'no-store',
    });
    res.end(body);
  });
  return new Promise((resolveServer, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      resolveServer({ url: `http://127.0.0.1:${p}/`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

async function main(argv) {
  const minify = argv.includes('--minify');
  if (argv.includes('--serve')) {
    const i = argv.indexOf('--port');
    const port = i >= 0 ? Number(argv[i + 1]) : 8000;
    copyWasm();
    const ctx = await esbuild.context(buildOptions({ minify }));
    await ctx.watch();
    const { url } = await serveWeb({ port });
    console.log(`playground: ${url} (rebuilds on change; Ctrl-C to stop)`);
    return;
  }
  const t0 = performance.now();
  const r = await buildWeb({ minify });
  const out = Object.entries(r.metafile.outputs).find(([f]) => f.endsWith('main.js'));
  const kb = out ? (out[1].bytes / 1024).toFixed(0) : '?';
  console.log(`web/dist/main.js (${kb} KiB) and ${WASM_FILES.join(', ')} in ${(performance.now() - t0).toFixed(0)} ms`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e.message ?? e);
    process.exit(1);
  });
}
