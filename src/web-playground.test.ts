/**
 * The browser playground (web/) in a real browser: Debian's chromium, headless, driven by
 * playwright-core. Builds web/dist, serves web/ cross-origin isolated, trains a few iterations and
 * checks what the page drew. Skipped (with the reason) where /usr/bin/chromium is absent, as on CI:
 * `apt-get install -y chromium` to run it. Set PLAYGROUND_SCREENSHOT=file.png to keep a screenshot.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const skip = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;

/** scripts/build-web.mjs, loaded by path (a plain ES module without type declarations). */
interface BuildWeb {
  buildWeb(): Promise<{ metafile: { outputs: Record<string, { imports: { path: string; kind: string }[] }> } }>;
  serveWeb(): Promise<{ url: string; close(): Promise<void> }>;
}

/**
 * The few browser globals the page functions below touch. Those functions run in the page (playwright
 * sends their source), but are compiled here, where there is no DOM library.
 */
interface PageWindow {
  document: { getElementById(id: string): PageElement | null };
  crossOriginIsolated: boolean;
}
interface PageElement {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

interface PageState {
  iteration: number;
  draws: number;
  error: string | undefined;
  text: string;
  isolated: boolean;
}

const state = (page: Page): Promise<PageState> =>
  page.evaluate(() => {
    const w = globalThis as unknown as PageWindow;
    const s = w.document.getElementById('stats')!;
    return {
      iteration: Number(s.dataset.iteration ?? 0),
      draws: Number(s.dataset.draws ?? 0),
      error: s.dataset.error,
      text: s.textContent ?? '',
      isolated: w.crossOriginIsolated,
    };
  });

describe('the browser playground', { skip }, () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  const problems: string[] = [];
  let page: Page;

  before(async () => {
    const mod = (await import('../scripts/build-web.mjs' as string)) as BuildWeb;
    const built = await mod.buildWeb();
    for (const [file, out] of Object.entries(built.metafile.outputs)) {
      const eager = out.imports.filter((i) => i.kind !== 'dynamic-import');
      assert.deepEqual(eager, [], `${file} imports at load time: ${eager.map((i) => i.path).join(', ')}`);
    }
    server = await mod.serveWeb();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('trains WGAN-GP in the page (two WebAssembly threads) and draws the critic surface with real and generated points', async () => {
    // Small networks: the same code paths as the defaults, a fraction of the time.
    await page.goto(`${server.url}?autostart=1&hidden=32&batch=64&nCritic=2&drawEvery=4&threads=2`);
    await page.waitForFunction(
      () => {
        const d = (globalThis as unknown as PageWindow).document.getElementById('stats')!.dataset;
        return Number(d.iteration ?? 0) >= 8 || d.error !== undefined;
      },
      null,
      { timeout: 90_000 },
    );
    const s = await state(page);
    assert.equal(s.error, undefined, `the page reported: ${s.error}`);
    assert.deepEqual(problems, []);
    assert.ok(s.isolated, 'served cross-origin isolated (threads need SharedArrayBuffer)');
    assert.ok(page.workers().length >= 1, "onnxruntime-web's thread pool started its worker from the bundle");
    assert.ok(s.draws >= 2, `drew the surface at reset and every 4 iterations (${s.draws} draws)`);
    assert.match(s.text, /onnxruntime-web-wasm/);
    assert.match(s.text, /λ·penalty\s+\d/, 'shows the penalty');
    // What the canvas holds: a shaded critic surface (many distinct colours), orange real and green fake markers.
    const px = await page.evaluate(() => {
      const c = (globalThis as unknown as PageWindow).document.getElementById('plot')!;
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
    assert.ok(px.orange > 100, `real points drawn (${px.orange} orange pixels)`);
    assert.ok(px.green > 100, `generated points drawn (${px.green} green pixels)`);
    assert.ok(px.colours > 200, `the critic surface is shaded (${px.colours} colours)`);
    if (process.env.PLAYGROUND_SCREENSHOT) await page.screenshot({ path: process.env.PLAYGROUND_SCREENSHOT });
  });

  it('stops on Stop, and a new λ takes effect as one newly compiled critic step', async () => {
    await page.click('#stop');
    const stoppedText = (): boolean => /\(stopped\)/.test((globalThis as unknown as PageWindow).document.getElementById('stats')!.textContent ?? '');
    await page.waitForFunction(stoppedText, null, { timeout: 30_000 });
    const stopped = await state(page);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal((await state(page)).iteration, stopped.iteration, 'no iterations after Stop');
    const compiled = (text: string): number => Number(/\((\d+) compiled steps\)/.exec(text)![1]);
    const before = compiled(stopped.text);
    await page.fill('#lambda', '10');
    await page.click('#start');
    await page.waitForFunction(
      (n) => {
        const d = (globalThis as unknown as PageWindow).document.getElementById('stats')!.dataset;
        return Number(d.iteration ?? 0) >= n || d.error !== undefined;
      },
      stopped.iteration + 3,
      { timeout: 60_000 },
    );
    await page.click('#stop');
    const s = await state(page);
    assert.equal(s.error, undefined, `the page reported: ${s.error}`);
    assert.equal(compiled(s.text), before + 1, 'λ is a constant of the critic step: one new session, then reused');
    assert.deepEqual(problems, []);
  });
});
