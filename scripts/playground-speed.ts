/**
 * Training speed of the browser playground against the CLI's engine, same model and settings: one
 * WGAN-GP panel in headless Chromium (the page's worker on onnxruntime-web) and the same session on
 * onnxruntime-node (the engine `wgan-gp train` runs: same Trainer, networks and batch).
 *
 * Usage: node --import tsx scripts/playground-speed.ts [--width 128] [--seconds 20] [--rounds 5]
 *          [--warmup 3] [--threads 0] [--node-threads 2]
 * Prints generator iterations per second (5 critic steps + 1 generator step each, batch 256).
 *
 * The two sides take turns (page, CLI engine, page, ...: `--rounds` windows of `--seconds / --rounds`
 * each, the other side paused), so that a load that comes and goes on a shared machine falls on both;
 * the ratio is that of the medians. Both sides first train `--warmup` seconds uncounted (onnxruntime-web's
 * WebAssembly is compiled by the browser in tiers: its first seconds are slower). The load average is
 * printed before and after. CHROMIUM_PATH: the browser (default /usr/bin/chromium); CHROMIUM_ARGS: more
 * of its flags, space-separated (e.g. `--js-flags=--no-wasm-dynamic-tiering`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ortBackend } from '../src/node.js';
import { setBackend } from '../src/tensor/tensor.js';
import { parseConfig } from '../web/config.js';
import { Session } from '../web/session.js';

const { values } = parseArgs({
  options: {
    width: { type: 'string', default: '128' },
    seconds: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
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
const rounds = num('rounds', values.rounds, 1);
const warmup = num('warmup', values.warmup, 0);
const threads = num('threads', values.threads, 0);
const nodeThreads = num('node-threads', values['node-threads'], 1);
const query = `losses=wgan-gp&hidden=${width}&threads=${threads}&drawEvery=100000`;
const windowMs = (seconds * 1000) / rounds;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const loadavg = (): string => (existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'n/a');

/**
 * CPU seconds used so far by this process's descendants (the browser's processes), all threads and
 * the Web Workers' threads alone (Chromium names them DedicatedWorker: the training worker and
 * onnxruntime-web's own threads), from /proc (Linux; NaN elsewhere): utime + stime, 100 ticks a second.
 */
function browserCpuSeconds(): { all: number; workers: number } {
  if (!existsSync('/proc/self/stat')) return { all: NaN, workers: NaN };
  // Fields after the command name (which may hold spaces), from the last ')': state ppid ... utime(14) stime(15).
  const fields = (path: string): string[] => {
    const stat = readFileSync(path, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  };
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      parent.set(Number(name), Number(fields(`/proc/${name}/stat`)[1]));
    } catch {
      // gone meanwhile
    }
  }
  let all = 0;
  let workers = 0;
  for (const pid of parent.keys()) {
    let up = parent.get(pid) ?? 0;
    for (let hops = 0; up > 1 && up !== process.pid && hops < 16; hops++) up = parent.get(up) ?? 0;
    if (up !== process.pid) continue;
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const f = fields(`/proc/${pid}/task/${tid}/stat`);
        const ticks = Number(f[11]) + Number(f[12]);
        all += ticks;
        if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').startsWith('DedicatedWorker')) workers += ticks;
      }
    } catch {
      // gone meanwhile
    }
  }
  return { all: all / 100, workers: workers / 100 };
}

/** The page's side: play/pause windows, iterations timed in the page from the worker's status messages. */
interface PageSide {
  backend: string;
  /**
   * Plays for `ms` and pauses; iterations per second over the status messages of the window, and the
   * browser's CPU milliseconds per iteration (NaN both: `warmup`, not timed).
   */
  run(ms: number, warmup?: boolean): Promise<{ rate: number; cpuMs: number; workerCpuMs: number }>;
  close(): Promise<void>;
}

async function openPage(): Promise<PageSide> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) throw new Error(`no chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  const build = (await import('./build-web.mjs' as string)) as {
    buildWeb(): Promise<unknown>;
    serveWeb(): Promise<{ url: string; close(): Promise<void> }>;
  };
  await build.buildWeb();
  const server = await build.serveWeb();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', ...(process.env.CHROMIUM_ARGS ? process.env.CHROMIUM_ARGS.split(' ') : [])] });
  const page = await browser.newPage();
  await page.goto(`${server.url}?${query}`);
  // Runs in the page (compiled here without the DOM library): records (time, iteration) at each change
  // of #stats' data-iteration, which the worker's status messages set (every 250 ms while playing).
  await page.waitForFunction(() => {
    const doc = (globalThis as unknown as { document: { getElementById(id: string): { dataset: Record<string, string | undefined> } } }).document;
    const d = doc.getElementById('stats').dataset;
    return d.frames !== undefined || d.error !== undefined;
  });
  await page.evaluate(() => {
    type El = { dataset: Record<string, string | undefined> };
    const g = globalThis as unknown as {
      document: { getElementById(id: string): El };
      MutationObserver: new (cb: () => void) => { observe(el: El, o: { attributes: boolean; attributeFilter: string[] }): void };
      speedLog: [number, number][];
    };
    const stats = g.document.getElementById('stats');
    g.speedLog = [];
    new g.MutationObserver(() => g.speedLog.push([performance.now(), Number(stats.dataset.iteration ?? 0)])).observe(stats, { attributes: true, attributeFilter: ['data-iteration'] });
  });
  const state = (): Promise<{ error?: string; playing: boolean; backend: string; log: [number, number][] }> =>
    page.evaluate(() => {
      const g = globalThis as unknown as {
        document: { getElementById(id: string): { dataset: Record<string, string | undefined>; textContent: string | null } };
        speedLog: [number, number][];
      };
      const d = g.document.getElementById('stats').dataset;
      const log = g.speedLog;
      g.speedLog = [];
      return { ...(d.error ? { error: d.error } : {}), playing: d.playing === 'true', backend: g.document.getElementById('backend').textContent ?? '', log };
    });
  const toggle = async (on: boolean): Promise<void> => {
    const s = await state();
    if (s.error) throw new Error(`the page reported: ${s.error}`);
    if (s.playing !== on) await page.click('#play');
  };
  return {
    backend: (await state()).backend,
    async run(ms, warm = false) {
      await state(); // clears the log
      await toggle(true);
      const cpu0 = browserCpuSeconds();
      await sleep(ms);
      const { log, error } = await state();
      const cpu1 = browserCpuSeconds();
      await toggle(false);
      if (error) throw new Error(`the page reported: ${error}`);
      if (warm) return { rate: NaN, cpuMs: NaN, workerCpuMs: NaN };
      // The first status of the window may still be the paused iteration: count from the first change.
      const moving = log.filter(([, it], i) => i === 0 || it !== log[i - 1]![1]);
      if (moving.length < 3) throw new Error(`the page reported ${moving.length} iterations in ${ms} ms; give more --seconds`);
      const [t0, i0] = moving[1]!;
      const [t1, i1] = moving[moving.length - 1]!;
      const rate = ((i1 - i0) * 1000) / (t1 - t0);
      const its = (rate * ms) / 1000;
      return { rate, cpuMs: ((cpu1.all - cpu0.all) * 1000) / its, workerCpuMs: ((cpu1.workers - cpu0.workers) * 1000) / its };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

const backend = ortBackend({ threads: nodeThreads });
setBackend(backend);
const nodeSession = new Session(parseConfig(query));
/** The CLI's engine for `ms`: the same session on onnxruntime-node; iterations per second and CPU milliseconds per iteration. */
async function nodeRun(ms: number): Promise<{ rate: number; cpuMs: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let n = 0;
  while (performance.now() - t0 < ms) {
    await nodeSession.iterate();
    n++;
  }
  const c = process.cpuUsage(c0);
  return { rate: (n * 1000) / (performance.now() - t0), cpuMs: (c.user + c.system) / 1000 / n };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const loadBefore = loadavg();
const page = await openPage();
const pageRuns: { rate: number; cpuMs: number; workerCpuMs: number }[] = [];
const nodeRuns: { rate: number; cpuMs: number }[] = [];
try {
  if (warmup > 0) {
    await page.run(warmup * 1000, true);
    await nodeRun(warmup * 1000);
  }
  for (let r = 0; r < rounds; r++) {
    pageRuns.push(await page.run(windowMs));
    nodeRuns.push(await nodeRun(windowMs));
  }
} finally {
  await page.close();
  await backend.dispose();
}
const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(' ');
const p = median(pageRuns.map((r) => r.rate));
const n = median(nodeRuns.map((r) => r.rate));
const pCpu = median(pageRuns.map((r) => r.cpuMs));
const pWorkerCpu = median(pageRuns.map((r) => r.workerCpuMs));
const nCpu = median(nodeRuns.map((r) => r.cpuMs));
console.log(`width ${width}, batch 256, 5 critic steps + 1 generator step per iteration; ${rounds} alternating windows of ${(windowMs / 1000).toFixed(1)} s each side after ${warmup} s of warm-up`);
console.log(`load average before: ${loadBefore}, after: ${loadavg()}`);
console.log(`page (${page.backend}): median ${p.toFixed(2)} it/s (windows: ${fmt(pageRuns.map((r) => r.rate))}), CPU ${pCpu.toFixed(1)} ms/it (browser), ${pWorkerCpu.toFixed(1)} ms/it (its workers' threads)`);
console.log(`CLI engine (onnxruntime-node, ${nodeThreads} thread${nodeThreads === 1 ? '' : 's'}): median ${n.toFixed(2)} it/s (windows: ${fmt(nodeRuns.map((r) => r.rate))}), CPU ${nCpu.toFixed(1)} ms/it`);
console.log(`page / CLI: ${(p / n).toFixed(2)} by it/s; by CPU time per iteration ${(nCpu / pCpu).toFixed(2)} (browser), ${(nCpu / pWorkerCpu).toFixed(2)} (workers' threads)`);
