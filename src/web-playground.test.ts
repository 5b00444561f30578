/**
 * The browser playground (web/) end to end, in a real browser: Debian's chromium, headless, driven by
 * playwright-core. Builds web/dist, serves it from the local server (127.0.0.1, an ephemeral port,
 * cross-origin isolated) and checks what the page trains and draws: WGAN-GP and weight clipping side
 * by side on 8 Gaussians, step mode, a drawn dataset, the URL state and the exports.
 *
 * .ci/run installs chromium, so CI runs these tests; elsewhere they are skipped (with the reason)
 * where /usr/bin/chromium is absent (`apt-get install -y chromium`, or set CHROMIUM_PATH), except
 * under CI=1, where a missing browser fails. Screenshots: test-artifacts/playground/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const skip = existsSync(CHROMIUM) || process.env.CI ? false : `no chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
const ARTIFACTS = join('test-artifacts', 'playground');

/** scripts/build-web.mjs, loaded by path (a plain ES module without type declarations). */
interface BuildWeb {
  buildWeb(): Promise<{ metafile: { outputs: Record<string, { bytes: number; imports: { path: string; kind: string }[] }> } }>;
  serveWeb(opts?: { root?: string }): Promise<{ url: string; close(): Promise<void> }>;
  resolveRequest(root: string, method: string, url: string): { status: number; file?: string; message?: string };
  ISOLATION_HEADERS: Record<string, string>;
}
const loadBuild = async (): Promise<BuildWeb> => (await import('../scripts/build-web.mjs' as string)) as BuildWeb;

/** One raw HTTP request (the path sent as is, no client-side normalization): status, headers, body. */
function get(url: string, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the playground server (scripts/build-web.mjs serveWeb)', () => {
  let server: { url: string; close(): Promise<void> };
  before(async () => {
    const mod = await loadBuild();
    await mod.buildWeb();
    server = await mod.serveWeb();
  });
  after(() => server?.close());

  it('binds 127.0.0.1 on an ephemeral port and serves the page cross-origin isolated', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const r = await get(server.url, '/');
    assert.equal(r.status, 200);
    assert.match(r.body, /<script type="module" src="main\.js">/, 'the page loads its script by a relative path');
    assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp');
    const wasm = await get(server.url, '/ort-wasm-simd-threaded.wasm', 'HEAD');
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers['content-type'], 'application/wasm');
  });

  it('answers malformed URLs with 400 and path traversal with 403, and keeps serving', async () => {
    for (const bad of ['/%', '/%E0%A4%A', '/main.js%00.png']) {
      const r = await get(server.url, bad);
      assert.equal(r.status, 400, `${bad}: ${r.status} ${r.body}`);
    }
    for (const out of ['/..%2f..%2fpackage.json', '/%2e%2e%2f%2e%2e%2fpackage.json', '/..%2F..%2F..%2Fetc%2Fpasswd']) {
      const r = await get(server.url, out);
      assert.equal(r.status, 403, `${out}: ${r.status} ${r.body}`);
      assert.doesNotMatch(r.body, /"name": "wgan-gp"/, 'package.json is not served');
    }
    for (const inside of ['/../../package.json', '/.%2e/.%2e/package.json']) {
      assert.equal((await get(server.url, inside)).status, 404, `${inside}: dot segments are resolved by the URL parser, inside the folder`);
    }
    assert.equal((await get(server.url, '/nothing-here.js')).status, 404);
    assert.equal((await get(server.url, '/', 'POST')).status, 405);
    assert.equal((await get(server.url, '/main.js')).status, 200, 'still serving after the bad requests');
  });

  it('builds a folder any static host serves: relative paths, no CDN, onnxruntime files beside the workers', async () => {
    const mod = await loadBuild();
    const built = await mod.buildWeb();
    const outputs = Object.entries(built.metafile.outputs).filter(([f]) => f.endsWith('.js'));
    assert.deepEqual(outputs.map(([f]) => f.split('/').pop()).sort(), ['main.js', 'worker-webgpu.js', 'worker.js']);
    for (const [file, out] of outputs) {
      const eager = out.imports.filter((i) => i.kind !== 'dynamic-import');
      assert.deepEqual(eager, [], `${file} imports at load time: ${eager.map((i) => i.path).join(', ')}`);
      const text = readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /https?:\/\/(cdn\.|unpkg|esm\.sh)/, `${file} fetches nothing from a CDN`);
    }
    const main = outputs.find(([f]) => f.endsWith('/main.js'))![1];
    assert.ok(main.bytes < 100_000, `the page's bundle holds no engine (${main.bytes} bytes)`);
    for (const f of ['index.html', 'ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.jsep.wasm']) assert.ok(existsSync(join('web', 'dist', f)), f);
    assert.doesNotMatch(readFileSync('web/dist/index.html', 'utf8'), /(src|href)="\/(?!\/)/, 'no absolute paths in the page');
  });

  it("writes _headers with the local server's cross-origin-isolation headers, for static hosts", async () => {
    const { ISOLATION_HEADERS, buildWeb } = await loadBuild();
    await buildWeb();
    const lines = readFileSync('web/dist/_headers', 'utf8').split('\n');
    assert.equal(lines[0], '/*', 'the headers apply to every path');
    const rules = new Map(lines.slice(1).filter((l) => l.trim()).map((l) => {
      assert.match(l, /^ {2}[A-Za-z-]+: \S+$/, `an indented "Name: value" line: '${l}'`);
      const [k, v] = l.trim().split(': ');
      return [k!.toLowerCase(), v!];
    }));
    assert.deepEqual(Object.fromEntries(rules), ISOLATION_HEADERS);
    assert.deepEqual(ISOLATION_HEADERS, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
  });

  it('decides each request without touching the network (resolveRequest)', async () => {
    const { resolveRequest } = await loadBuild();
    const root = join(process.cwd(), 'web', 'dist');
    assert.equal(resolveRequest(root, 'GET', '/%').status, 400);
    assert.equal(resolveRequest(root, 'GET', '/..%2findex.html').status, 403);
    assert.equal(resolveRequest(root, 'DELETE', '/').status, 405);
    assert.equal(resolveRequest(root, 'GET', '/').file, join(root, 'index.html'));
  });
});

/** The few browser globals the page functions below touch (they run in the page; compiled here without the DOM library). */
interface PageWindow {
  document: {
    getElementById(id: string): { dataset: Record<string, string | undefined>; textContent: string | null } | null;
    querySelectorAll(sel: string): ArrayLike<{ width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null }>;
  };
  location: { search: string };
  crossOriginIsolated: boolean;
  playground: {
    frames: number;
    itersPerSec: number;
    backend: { device: string; threads: number; simd: boolean; crossOriginIsolated: boolean } | null;
    views: { loss: string; iteration: number; criticSteps: number; generatorSteps: number; critic: Float32Array; fake: Float32Array }[];
    panels: { loss: string; history: { penalty?: number; wasserstein: number }[] }[];
  };
}
type Stats = Record<string, string | undefined>;

const statsOf = (page: Page): Promise<Stats> => page.evaluate(() => ({ ...(globalThis as unknown as PageWindow).document.getElementById('stats')!.dataset }));

/** Waits until the page's stats satisfy `cond` (or it reports an error), then returns them. */
async function waitStats(page: Page, cond: string, timeout = 120_000): Promise<Stats> {
  await page.waitForFunction(
    (c) => {
      const d = (globalThis as unknown as PageWindow).document.getElementById('stats')!.dataset;
      return d.error !== undefined || (new Function('d', `return ${c}`) as (d: Stats) => boolean)(d);
    },
    cond,
    { timeout, polling: 100 },
  );
  const s = await statsOf(page);
  assert.equal(s.error, undefined, `the page reported: ${s.error}`);
  return s;
}

/** The views the page drew last, as plain arrays. */
const viewsOf = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as PageWindow).playground.views.map((v) => ({ ...v, critic: Array.from(v.critic), fake: Array.from(v.fake) })),
  );

/** Mean distance of x,y points to the nearest of `centres`. */
function meanNearest(points: number[], centres: (readonly [number, number])[]): number {
  let s = 0;
  for (let i = 0; i < points.length; i += 2) s += Math.min(...centres.map(([x, y]) => Math.hypot(points[i]! - x, points[i + 1]! - y)));
  return s / (points.length / 2);
}
const EIGHT = Array.from({ length: 8 }, (_, k) => [(2 / 1.414) * Math.cos((k * Math.PI) / 4), (2 / 1.414) * Math.sin((k * Math.PI) / 4)] as const);

describe('the browser playground in headless Chromium', { skip }, () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  let problems: string[] = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `no chromium at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    const mod = await loadBuild();
    await mod.buildWeb();
    // Served from web/, the page loaded as dist/: it works from any folder of a static host.
    server = await mod.serveWeb({ root: join(process.cwd(), 'web') });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(query: string): Promise<Page> {
    problems = [];
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    await page.goto(`${server.url}dist/?${query}`);
    return page;
  }

  it('trains WGAN-GP and weight clipping side by side on 8 Gaussians: surfaces change, the penalty stays finite, WGAN-GP moves toward the modes', async () => {
    const page = await open('losses=wgan-gp,wgan&hidden=32&batch=64&nCritic=2&lr=0.002&lrG=0.002&drawEvery=25&autostart=1');
    await waitStats(page, 'Number(d.frames) >= 1');
    const v0 = await viewsOf(page);
    assert.deepEqual(v0.map((v) => v.iteration), [0, 0], 'the untrained networks are drawn first');
    const s = await waitStats(page, 'Number(d.iteration) >= 150 && Number(d.frames) >= 7');
    // Read while training (a pause sets the stated speed to 0), then pause.
    const info = await page.evaluate(() => {
      const w = globalThis as unknown as PageWindow;
      return { isolated: w.crossOriginIsolated, backend: w.playground.backend, itersPerSec: w.playground.itersPerSec, panels: w.playground.panels.map((p) => ({ loss: p.loss, history: p.history })) };
    });
    await page.click('#play');
    await page.screenshot({ path: join(ARTIFACTS, 'wgan-gp-vs-clipping.png'), fullPage: true });
    const v1 = await viewsOf(page);
    assert.deepEqual(problems, []);
    assert.ok(info.isolated, 'served cross-origin isolated');
    assert.equal(info.backend?.device, 'wasm');
    assert.equal(info.backend?.simd, true);
    assert.ok(info.itersPerSec > 0, 'states its speed');
    assert.deepEqual(v1.map((v) => v.loss), ['wgan-gp', 'wgan']);
    assert.ok(Number(s.iteration) >= 150);
    for (const k of [0, 1]) {
      const diff = v1[k]!.critic.reduce((m, x, i) => Math.max(m, Math.abs(x - v0[k]!.critic[i]!)), 0);
      const span = Math.max(...v1[k]!.critic) - Math.min(...v1[k]!.critic);
      assert.ok(diff > 0.05 * span && diff > 0, `${v1[k]!.loss}: the critic surface changed (max change ${diff}, span ${span})`);
    }
    const gp = info.panels[0]!.history;
    assert.ok(gp.length >= 150, `every iteration logged (${gp.length})`);
    assert.ok(gp.every((h) => Number.isFinite(h.penalty)), 'the penalty stays finite');
    assert.ok(info.panels[1]!.history.every((h) => h.penalty === undefined && Number.isFinite(h.wasserstein)), 'clipping has no penalty, finite W');
    const before = meanNearest(v0[0]!.fake, EIGHT);
    const afterGp = meanNearest(v1[0]!.fake, EIGHT);
    assert.ok(afterGp < 0.7 * before, `WGAN-GP samples moved toward the modes: mean distance ${before.toFixed(3)} → ${afterGp.toFixed(3)}`);
    // What the canvas holds: shaded surfaces with orange real and green generated markers.
    const px = await page.evaluate(() => {
      const c = (globalThis as unknown as PageWindow).document.querySelectorAll('canvas.surface')[0]!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let orange = 0;
      let green = 0;
      const colours = new Set<number>();
      for (let k = 0; k < d.length; k += 4) {
        const [r, g, b] = [d[k]!, d[k + 1]!, d[k + 2]!];
        if (r > 230 && g > 110 && g < 170 && b < 50) orange++;
        if (r < 50 && g > 140 && b < 50) green++;
        colours.add((r << 16) | (g << 8) | b);
      }
      return { orange, green, colours: colours.size };
    });
    assert.ok(px.orange > 50, `real points drawn (${px.orange} orange pixels)`);
    assert.ok(px.green > 100, `generated points drawn (${px.green} green pixels)`);
    assert.ok(px.colours > 200, `the critic surface is shaded (${px.colours} colours)`);
    await page.close();
  });

  it('steps exactly one critic step, then one generator step; the URL keeps the settings; exports the run as JSON and the figures as PNG', async () => {
    const page = await open('losses=wgan-gp,lsgan&hidden=16&batch=32&seed=3');
    await waitStats(page, 'Number(d.frames) >= 1');
    const v0 = await viewsOf(page);
    assert.deepEqual(v0.map((v) => [v.criticSteps, v.generatorSteps]), [[0, 0], [0, 0]]);
    await page.click('#step-critic');
    await waitStats(page, 'Number(d.frames) >= 2');
    const v1 = await viewsOf(page);
    assert.deepEqual(v1.map((v) => [v.criticSteps, v.generatorSteps]), [[1, 0], [1, 0]], 'one critic step in each panel');
    for (const k of [0, 1]) {
      assert.notDeepEqual(v1[k]!.critic, v0[k]!.critic, `${v1[k]!.loss}: the critic moved`);
      assert.deepEqual(v1[k]!.fake, v0[k]!.fake, `${v1[k]!.loss}: the generator did not`);
    }
    await page.click('#step-generator');
    await waitStats(page, 'Number(d.frames) >= 3');
    const v2 = await viewsOf(page);
    assert.deepEqual(v2.map((v) => [v.criticSteps, v.generatorSteps]), [[1, 1], [1, 1]], 'one generator step in each panel');
    for (const k of [0, 1]) {
      assert.deepEqual(v2[k]!.critic, v1[k]!.critic, `${v2[k]!.loss}: the critic did not move`);
      assert.notDeepEqual(v2[k]!.fake, v1[k]!.fake, `${v2[k]!.loss}: the generator moved`);
    }
    // A live setting goes into the URL without a reset; the counts stay.
    await page.fill('#lambda', '10');
    await page.dispatchEvent('#lambda', 'change');
    await page.waitForFunction(() => /lambda=10/.test((globalThis as unknown as PageWindow).location.search));
    assert.match(await page.evaluate(() => (globalThis as unknown as PageWindow).location.search), /losses=wgan-gp%2Clsgan.*hidden=16.*seed=3|seed=3.*hidden=16/);
    assert.equal((await statsOf(page)).criticSteps, '1', 'a live setting does not reset the run');
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    assert.equal(json.suggestedFilename(), 'wgan-gp-playground-run.json');
    const run = JSON.parse(readFileSync((await json.path())!, 'utf8')) as {
      format: string;
      config: { lambda: number; losses: string[]; seed: number };
      lanes: { loss: string; criticSteps: number; generatorSteps: number; history: unknown[]; settings: { loss: string; lambda: number } }[];
    };
    assert.equal(run.format, 'wgan-gp-playground-run');
    assert.deepEqual([run.config.lambda, run.config.losses, run.config.seed], [10, ['wgan-gp', 'lsgan'], 3]);
    assert.deepEqual(run.lanes.map((l) => [l.loss, l.criticSteps, l.generatorSteps, l.history.length]), [['wgan-gp', 1, 1, 1], ['lsgan', 1, 1, 1]]);
    assert.equal(run.lanes[0]!.settings.lambda, 10);
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
    assert.equal(png.suggestedFilename(), 'wgan-gp-playground.png');
    const bytes = readFileSync((await png.path())!);
    assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
    assert.ok(bytes.readUInt32BE(16) >= 600 && bytes.readUInt32BE(20) >= 500, `the panels and the curves (${bytes.readUInt32BE(16)}×${bytes.readUInt32BE(20)})`);
    await page.screenshot({ path: join(ARTIFACTS, 'step-mode.png'), fullPage: true });
    // Another thread count needs another worker (onnxruntime-web fixes it at load); its frames are shown.
    await page.fill('#threads', '1');
    await page.dispatchEvent('#threads', 'change');
    const fresh = await waitStats(page, 'Number(d.frames) >= 1 && d.criticSteps === "0"', 60_000);
    assert.equal(fresh.iteration, '0');
    assert.match(await page.evaluate(() => (globalThis as unknown as PageWindow).location.search), /threads=1/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('trains on points drawn with the mouse: the samples move toward them', async () => {
    const page = await open('losses=wgan-gp&hidden=32&batch=64&nCritic=2&lr=0.002&lrG=0.002&drawEvery=20');
    await waitStats(page, 'Number(d.frames) >= 1');
    await page.selectOption('#dataset', 'drawn');
    // Two strokes on the panel: around (1.5, 1.5) and (−1.5, −1.5) in data coordinates.
    const box = (await page.locator('canvas.surface').first().boundingBox())!;
    // The plot square sits 30 px from the canvas's left edge and 6 px from its top, 4 px short of its right edge.
    const side = box.width - 34;
    const at = (x: number, y: number): [number, number] => [box.x + 30 + ((x + 3) / 6) * (side - 1), box.y + 6 + ((3 - y) / 6) * (side - 1)];
    for (const [cx, cy] of [[1.5, 1.5], [-1.5, -1.5]] as const) {
      await page.mouse.move(...at(cx - 0.2, cy));
      await page.mouse.down();
      for (let k = 1; k <= 4; k++) {
        await page.mouse.move(...at(cx - 0.2 + 0.1 * k, cy), { steps: 2 });
        await new Promise((r) => setTimeout(r, 40));
      }
      await page.mouse.up();
    }
    // Each stroke's end restarts the run with the points so far; wait for both strokes' points.
    await page.waitForFunction(() => {
      const q = new URLSearchParams((globalThis as unknown as PageWindow).location.search);
      const p = (q.get('points') ?? '').split(',').map(Number);
      return q.get('dataset') === 'drawn' && p.some((x) => x > 1) && p.some((x) => x < -1);
    });
    const search = await page.evaluate(() => decodeURIComponent((globalThis as unknown as PageWindow).location.search));
    const pts = /points=([^&]+)/.exec(search)![1]!.split(',').map(Number);
    assert.ok(pts.length >= 8, `points drawn: ${pts.length / 2}`);
    const centres = Array.from({ length: pts.length / 2 }, (_, i) => [pts[2 * i]!, pts[2 * i + 1]!] as const);
    assert.ok(centres.every(([x, y]) => Math.abs(Math.abs(x) - 1.5) < 0.35 && Math.abs(Math.abs(y) - 1.5) < 0.2), `points where drawn: ${JSON.stringify(centres)}`);
    const s0 = await waitStats(page, 'Number(d.frames) >= 1 && d.iteration === "0"');
    assert.equal(s0.iteration, '0');
    const v0 = await viewsOf(page);
    await page.click('#play');
    await waitStats(page, 'Number(d.iteration) >= 100 && Number(d.frames) >= 6');
    await page.click('#play');
    const v1 = await viewsOf(page);
    const before = meanNearest(v0[0]!.fake, centres);
    const afterDrawn = meanNearest(v1[0]!.fake, centres);
    await page.screenshot({ path: join(ARTIFACTS, 'drawn-data.png'), fullPage: true });
    assert.ok(afterDrawn < 0.7 * before, `samples moved toward the drawn points: mean distance ${before.toFixed(3)} → ${afterDrawn.toFixed(3)}`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it("continues a CLI toy run picked as a folder: the run's settings, its checkpoint's counters, then training on", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wgan-gp-playground-run-'));
    try {
      const out = join(dir, 'run');
      execFileSync(process.execPath, ['bin/wgan-gp.js', 'train', '--dataset', 'swissroll', '--hidden', '16', '--layers', '2', '--batch-size', '32', '--n-critic', '2', '--iters', '4', '--seed', '5', '--out', out], { stdio: 'pipe' });
      const page = await open('losses=gan&hidden=8');
      await waitStats(page, 'Number(d.frames) >= 1');
      await page.setInputFiles('#import', out);
      const s = await waitStats(page, 'Number(d.frames) >= 1 && d.iteration === "4"', 60_000);
      assert.deepEqual([s.criticSteps, s.generatorSteps], ['8', '3'], "the checkpoint's step counts (iteration 0 has no generator step)");
      const search = await page.evaluate(() => (globalThis as unknown as PageWindow).location.search);
      for (const kv of ['dataset=swissroll', 'layers=2', 'hidden=16', 'batch=32', 'nCritic=2', 'seed=5']) assert.ok(search.includes(kv), `${kv} in ${search}`);
      assert.match(search, /losses=wgan-gp(&|$)/, "one panel, the run's loss");
      assert.deepEqual(await page.evaluate(() => (globalThis as unknown as PageWindow).playground.views.map((v) => v.loss)), ['wgan-gp']);
      await page.click('#play');
      await waitStats(page, 'Number(d.iteration) >= 8');
      await page.click('#play');
      assert.deepEqual(problems, []);
      await page.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names a bad URL parameter instead of training', async () => {
    const page = await open('lamda=10');
    const s = await page.waitForFunction(() => (globalThis as unknown as PageWindow).document.getElementById('stats')!.dataset.error, null, { timeout: 30_000 });
    assert.match(String(await s.jsonValue()), /URL: unknown URL parameter 'lamda'/);
    await page.close();
  });
});
