/**
 * Training speed of the browser playground against the CLI's engine, same model and settings: one
 * WGAN-GP panel in headless Chromium (the page's worker on onnxruntime-web) and the same session on
 * onnxruntime-node (the engine `wgan-gp train` runs: same Trainer, networks and batch).
 *
 * Usage: node --import tsx scripts/playground-speed.ts [--width 128] [--seconds 20] [--threads 0] [--node-threads 2]
 * Prints generator iterations per second (5 critic steps + 1 generator step each, batch 256).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ortBackend } from '../src/node.js';
import { setBackend } from '../src/tensor/tensor.js';
import { parseConfig } from '../web/config.js';
import { Session } from '../web/session.js';

const { values } = parseArgs({
  options: {
    width: { type: 'string', default: '128' },
    seconds: { type: 'string', default: '20' },
    threads: { type: 'string', default: '0' },
    'node-threads': { type: 'string', default: '2' },
  },
});
const num = (name: string, v: string | undefined, min: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
};
const width = num('width', values.width, 1);
const seconds = num('seconds', values.seconds, 1);
const threads = num('threads', values.threads, 0);
const nodeThreads = num('node-threads', values['node-threads'], 1);
const query = `losses=wgan-gp&hidden=${width}&threads=${threads}&drawEvery=100000`;

/** The page: iterations counted over `seconds` after the first 5 (compilation). */
async function browserSpeed(): Promise<{ itersPerSec: number; backend: string }> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) throw new Error(`no chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  const build = (await import('./build-web.mjs' as string)) as {
    buildWeb(): Promise<unknown>;
    serveWeb(): Promise<{ url: string; close(): Promise<void> }>;
  };
  await build.buildWeb();
  const server = await build.serveWeb();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}?${query}&autostart=1`);
    const read = (): Promise<{ it: number; error?: string; backend: string }> =>
      page.evaluate(() => {
        // Runs in the page; compiled here without the DOM library.
        const doc = (globalThis as unknown as { document: { getElementById(id: string): { dataset: Record<string, string | undefined>; textContent: string | null } } }).document;
        const d = doc.getElementById('stats').dataset;
        return { it: Number(d.iteration ?? 0), ...(d.error ? { error: d.error } : {}), backend: doc.getElementById('backend').textContent ?? '' };
      });
    let s = await read();
    while (s.it < 5 && !s.error) {
      await new Promise((r) => setTimeout(r, 100));
      s = await read();
    }
    if (s.error) throw new Error(`the page reported: ${s.error}`);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const s1 = await read();
    return { itersPerSec: ((s1.it - s.it) * 1000) / (performance.now() - t0), backend: s1.backend };
  } finally {
    await browser.close();
    await server.close();
  }
}

/** The CLI's engine: the same session on onnxruntime-node. */
async function nodeSpeed(): Promise<number> {
  const backend = ortBackend({ threads: nodeThreads });
  setBackend(backend);
  try {
    const session = new Session(parseConfig(query));
    for (let i = 0; i < 5; i++) await session.iterate();
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < seconds * 1000) {
      await session.iterate();
      n++;
    }
    return (n * 1000) / (performance.now() - t0);
  } finally {
    await backend.dispose();
  }
}

const page = await browserSpeed();
const node = await nodeSpeed();
console.log(`width ${width}, batch 256, 5 critic steps + 1 generator step per iteration, ${seconds} s each`);
console.log(`page (${page.backend}): ${page.itersPerSec.toFixed(2)} it/s`);
console.log(`CLI engine (onnxruntime-node, ${nodeThreads} threads): ${node.toFixed(2)} it/s`);
console.log(`page / CLI: ${(page.itersPerSec / node).toFixed(2)}`);
