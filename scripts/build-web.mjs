#!/usr/bin/env node
// Builds the browser playground into web/dist/, a folder any static host serves as it is: index.html,
// main.js (the page: controls and drawing), worker.js and worker-webgpu.js (training: the engine and
// onnxruntime-web on WebAssembly, or on WebGPU) and onnxruntime-web's WebAssembly binaries beside
// them, where onnxruntime-web looks by default, and _headers (the cross-origin-isolation headers, for
// hosts that read it). Every path is relative; nothing comes from a CDN.
//
// Usage: node scripts/build-web.mjs [--serve [--port N] [--host H]] [--minify]
//   --serve  rebuilds on change and serves web/dist at http://127.0.0.1:8000/, cross-origin isolated
//            (COOP/COEP headers), so the worker may use several WebAssembly threads
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const webDir = join(root, 'web');
const outdir = join(webDir, 'dist');

/**
 * The WebAssembly files the two workers load: worker.js bundles onnxruntime-web's WebAssembly-only
 * build (ort.wasm.bundle.min.mjs, plain binary), worker-webgpu.js its default build
 * (ort.bundle.min.mjs), whose "jsep" binary also runs the WebGPU provider. On CPU the plain binary
 * trains ~2.7× faster than the jsep one (asyncify'd), so the page uses worker-webgpu.js only for WebGPU.
 */
export const WASM_FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.jsep.wasm'];

/**
 * esbuild options of the playground's two builds: 'cpu' (the page and the WebAssembly worker) and
 * 'webgpu' (the WebGPU worker).
 */
export function buildOptions({ minify = false, variant = 'cpu' } = {}) {
  const common = {
    absWorkingDir: root,
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify,
    logLevel: 'warning',
    plugins: [nodeStub],
  };
  if (variant === 'webgpu') return { ...common, entryPoints: { 'worker-webgpu': join(webDir, 'worker.ts') } };
  return {
    ...common,
    entryPoints: { main: join(webDir, 'main.ts'), worker: join(webDir, 'worker.ts') },
    alias: { 'onnxruntime-web': 'onnxruntime-web/wasm' },
    plugins: [nodeStub, copyStatic],
  };
}

/**
 * Node built-ins in the browser: the core's file functions (checkpoint and safetensors files) import
 * them, next to functions the page does use (decoding safetensors bytes, applying a checkpoint). Each
 * becomes an empty CommonJS module, so nothing is fetched at load time and any named import resolves
 * (to undefined: the page never calls the file functions).
 */
const nodeStub = {
  name: 'node-stub',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (a) => ({ path: a.path, namespace: 'node-stub' }));
    build.onLoad({ filter: /.*/, namespace: 'node-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/**
 * The response headers that make the page cross-origin isolated, which onnxruntime-web needs for
 * more than one WebAssembly thread (SharedArrayBuffer). The local server sends them; the static
 * build carries them in `_headers` (read by Netlify and Cloudflare Pages; other hosts: docs/PLAYGROUND.md).
 */
export const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** `_headers` of the static build: the isolation headers on every path. */
export function headersFile() {
  const names = { 'cross-origin-opener-policy': 'Cross-Origin-Opener-Policy', 'cross-origin-embedder-policy': 'Cross-Origin-Embedder-Policy' };
  return `/*\n${Object.entries(ISOLATION_HEADERS).map(([k, v]) => `  ${names[k]}: ${v}\n`).join('')}`;
}

/** Copies the page (web/index.html) into web/dist after each build, with `_headers`, so dist is the whole site. */
const copyStatic = {
  name: 'copy-static',
  setup(build) {
    build.onEnd(() => {
      mkdirSync(outdir, { recursive: true });
      copyFileSync(join(webDir, 'index.html'), join(outdir, 'index.html'));
      writeFileSync(join(outdir, '_headers'), headersFile());
    });
  },
};

/** Copies onnxruntime-web's .wasm files into web/dist. */
export function copyWasm() {
  const require = createRequire(join(root, 'package.json'));
  // The package's exports map does not expose package.json; resolve a listed file instead.
  const ortDist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm'));
  mkdirSync(outdir, { recursive: true });
  for (const f of WASM_FILES) copyFileSync(join(ortDist, f), join(outdir, f));
}

/** Builds web/dist once; returns esbuild's result with the metafile's outputs of both builds. */
export async function buildWeb(opts = {}) {
  copyWasm();
  const [cpu, gpu] = await Promise.all(['cpu', 'webgpu'].map((variant) => esbuild.build({ ...buildOptions({ ...opts, variant }), metafile: true })));
  return { metafile: { outputs: { ...cpu.metafile.outputs, ...gpu.metafile.outputs } } };
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
 * The answer to one request for a file under `root`: 200 with the file, 400 for a malformed URL
 * (bad percent-encoding, a NUL byte), 403 for a path that leaves `root` (e.g. `/..%2f..%2fetc/passwd`),
 * 404 for a missing file, 405 for a method other than GET and HEAD.
 */
export function resolveRequest(root, method, rawUrl) {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, message: `method ${method} not allowed` };
  let path;
  try {
    path = decodeURIComponent(new URL(rawUrl ?? '/', 'http://x').pathname);
  } catch {
    return { status: 400, message: 'malformed URL' };
  }
  if (path.includes('\0')) return { status: 400, message: 'malformed URL' };
  const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
  if (file !== root && !file.startsWith(root + sep)) return { status: 403, message: 'outside the served folder' };
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
  } catch {
    return { status: 404, message: `not found: ${path}` };
  }
  return { status: 200, file };
}

/**
 * Serves `root` (default web/dist) over HTTP on `host` (default 127.0.0.1: only this machine) and
 * `port` (0: any free port), with the headers that make the page cross-origin isolated (needed for
 * SharedArrayBuffer, hence for WebAssembly threads). A bad request gets its status code; nothing a
 * client sends stops the server. Resolves to the page's URL and a `close` function.
 */
export function serveWeb({ port = 0, host = '127.0.0.1', root = outdir } = {}) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    try {
      const r = resolveRequest(base, req.method ?? 'GET', req.url);
      if (r.status !== 200) {
        res.writeHead(r.status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${r.status} ${r.message}\n`);
        return;
      }
      const body = readFileSync(r.file);
      res.writeHead(200, {
        'content-type': TYPES[extname(r.file)] ?? 'application/octet-stream',
        'content-length': body.length,
        ...ISOLATION_HEADERS,
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`500 ${e.message}\n`);
    }
  });
  // A client that sends garbage (not HTTP) gets 400 and is dropped, as Node does by default, without noise.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    else socket.destroy();
  });
  return new Promise((resolveServer, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: p, address } = server.address();
      const shown = address.includes(':') ? `[${address}]` : address;
      resolveServer({ url: `http://${shown}:${p}/`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

async function main(argv) {
  const minify = argv.includes('--minify');
  if (argv.includes('--serve')) {
    const value = (flag, def) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : def);
    const port = Number(value('--port', '8000'));
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer in [0, 65535], got '${value('--port')}'`);
    const host = value('--host', '127.0.0.1');
    copyWasm();
    for (const variant of ['cpu', 'webgpu']) await (await esbuild.context(buildOptions({ minify, variant }))).watch();
    const { url } = await serveWeb({ port, host });
    console.log(`playground: ${url} (rebuilds on change; Ctrl-C to stop)`);
    return;
  }
  const t0 = performance.now();
  const r = await buildWeb({ minify });
  const kb = (name) => {
    const out = Object.entries(r.metafile.outputs).find(([f]) => f.endsWith(name));
    return out ? `${name} (${(out[1].bytes / 1024).toFixed(0)} KiB)` : name;
  };
  console.log(
    `web/dist: index.html, ${kb('main.js')}, ${kb('worker.js')}, ${kb('worker-webgpu.js')}, ${WASM_FILES.join(', ')} in ${(performance.now() - t0).toFixed(0)} ms; ` +
      'serve the folder with any static server (node scripts/build-web.mjs --serve: cross-origin isolated, for threads)',
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e.message ?? e);
    process.exit(1);
  });
}
