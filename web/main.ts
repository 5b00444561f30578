/**
 * The browser playground: WGAN-GP on the 2-D toy data of gan_toy.py, trained in the page on
 * onnxruntime-web with the library's toy models, Trainer and datasets, drawing the critic surface
 * and the real and generated points every few iterations.
 *
 * Build with `npm run build:web` (scripts/build-web.mjs), then serve the web/ folder, e.g. with
 * `node scripts/build-web.mjs --serve`. URL parameters preset the controls (`?hidden=64&dataset=swissroll`),
 * `threads=N` sets the WebAssembly threads and `autostart=1` starts training at once.
 */
import {
  Adam,
  Rng,
  ToyMlp,
  Trainer,
  ortWebBackend,
  realize,
  seedStreams,
  setBackend,
  tensor,
  toyDataset,
  type IterationStats,
  type OrtBackend,
  type Tensor,
  type ToyDataset,
  type ToyDatasetName,
} from '../src/web.js';
import { colormap } from '../src/viz/colormap.js';

/** Critic surface grid: GRID×GRID points over [−RANGE, RANGE]² (gan_toy.py plots 128² over [−3, 3]²). */
const GRID = 64;
const RANGE = 3;
/** Points drawn per kind (real, generated). */
const SHOWN = 512;
/** Reference plot colours (src/viz/contour-plot.ts): real orange, generated green. */
const REAL_COLOR = '#ff8c00';
const FAKE_COLOR = '#00aa00';
const ISO_LEVELS = 10;

// onnxruntime-web's worker threads (a cross-origin-isolated page with threads > 1) load this same
// bundle as their script: there is no page to drive there, only onnxruntime's own worker code.
if (typeof document !== 'undefined') playground();

function playground(): void {
  const $ = <T extends HTMLElement>(id: string): T => {
    const el = document.getElementById(id);
    if (!el) throw new Error(`playground: #${id} is missing from index.html`);
    return el as T;
  };
  const canvas = $<HTMLCanvasElement>('plot');
  const stats = $<HTMLDivElement>('stats');
  const startBtn = $<HTMLButtonElement>('start');
  const stopBtn = $<HTMLButtonElement>('stop');
  const resetBtn = $<HTMLButtonElement>('reset');
  const inputs = {
    lambda: $<HTMLInputElement>('lambda'),
    lr: $<HTMLInputElement>('lr'),
    drawEvery: $<HTMLInputElement>('drawEvery'),
    dataset: $<HTMLSelectElement>('dataset'),
    hidden: $<HTMLSelectElement>('hidden'),
    batch: $<HTMLInputElement>('batch'),
    nCritic: $<HTMLInputElement>('nCritic'),
    seed: $<HTMLInputElement>('seed'),
    device: $<HTMLSelectElement>('device'),
  };

  // URL parameters preset the controls (handy for sharing a setting and for the headless page test).
  const params = new URLSearchParams(location.search);
  for (const [key, el] of Object.entries(inputs)) {
    const v = params.get(key);
    if (v !== null) el.value = v;
  }
  if (!('gpu' in navigator)) {
    const opt = inputs.device.querySelector<HTMLOptionElement>('option[value="webgpu"]');
    if (opt) {
      opt.disabled = true;
      opt.textContent = 'WebGPU (not available in this browser)';
    }
    inputs.device.value = 'wasm';
  }

  /** A number from a control, or an error naming it. */
  function numberOf(el: HTMLInputElement | HTMLSelectElement, lo: number, integer: boolean): number {
    const v = Number(el.value);
    if (!Number.isFinite(v) || v < lo || (integer && !Number.isInteger(v))) {
      throw new Error(`${el.id} must be ${integer ? 'an integer' : 'a number'} ≥ ${lo}, got '${el.value}'`);
    }
    return v;
  }

  /** Everything one training run holds; rebuilt by Reset. */
  interface Run {
    backend: OrtBackend;
    dataset: ToyDataset;
    trainer: Trainer;
    generator: ToyMlp;
    critic: ToyMlp;
    optG: Adam;
    optD: Adam;
    /** The trainer reads λ from this object at every critic step. */
    loss: { name: 'wgan-gp'; lambda: number };
    /** Fixed inputs of the plot: noise for the generated points, real points, the critic grid. */
    plotNoise: Tensor;
    plotReal: Float32Array;
    grid: Tensor;
    last?: IterationStats;
    /** Milliseconds per generator iteration, smoothed. */
    msPerIter: number;
    draws: number;
  }

  let run: Run | null = null;
  let running = false;
  let loopDone: Promise<void> = Promise.resolve();

  function build(): Run {
    const seed = numberOf(inputs.seed, -Infinity, true);
    const hidden = numberOf(inputs.hidden, 1, true);
    const device = inputs.device.value === 'webgpu' ? 'webgpu' : 'wasm';
    const name = inputs.dataset.value as ToyDatasetName;
    // ?threads=N: WebAssembly threads; more than 1 works only on a cross-origin-isolated page
    // (`node scripts/build-web.mjs --serve` sends the COOP/COEP headers that make it so).
    const threads = params.get('threads');
    const backend = ortWebBackend({ device, ...(threads !== null ? { threads: Number(threads) } : {}) });
    setBackend(backend);
    const streams = seedStreams(seed);
    const dataset = toyDataset(name, { seed });
    // gan_toy.py: 3 hidden ReLU layers in both networks, noise of dimension 2.
    const generator = new ToyMlp(2, 2, { hidden, layers: 3, rng: streams.generatorInit });
    const critic = new ToyMlp(2, 1, { hidden, layers: 3, rng: streams.criticInit });
    const lr = numberOf(inputs.lr, 0, false);
    // gan_toy.py: Adam(lr 1e-4, β1 0.5, β2 0.9) for both networks.
    const optG = new Adam(generator.namedParameters(), { lr, beta1: 0.5, beta2: 0.9 });
    const optD = new Adam(critic.namedParameters(), { lr, beta1: 0.5, beta2: 0.9 });
    const loss = { name: 'wgan-gp' as const, lambda: numberOf(inputs.lambda, 0, false) };
    const trainer = new Trainer({
      generator,
      critic,
      data: {
        sample: (n: number, rng: Rng) => tensor(dataset.sample(n, rng), [n, 2]),
        state: () => dataset.state(),
        restore: (s: unknown) => dataset.restore(s as { cursor: number }),
      },
      noiseDim: 2,
      loss,
      nCritic: numberOf(inputs.nCritic, 1, true),
      batchSize: numberOf(inputs.batch, 1, true),
      generatorOptimizer: optG,
      criticOptimizer: optD,
      seed,
    });
    const plotRng = new Rng(seed + 1000);
    const grid = new Float32Array(GRID * GRID * 2);
    for (let i = 0; i < GRID; i++) {
      for (let j = 0; j < GRID; j++) {
        // Point i·GRID + j is (x_i, y_j), the order of gan_toy.py's meshgrid.
        grid[2 * (i * GRID + j)] = -RANGE + (2 * RANGE * i) / (GRID - 1);
        grid[2 * (i * GRID + j) + 1] = -RANGE + (2 * RANGE * j) / (GRID - 1);
      }
    }
    return {
      backend,
      dataset,
      trainer,
      generator,
      critic,
      optG,
      optD,
      loss,
      plotNoise: plotRng.normal([SHOWN, 2]),
      plotReal: dataset.sample(SHOWN, plotRng),
      grid: tensor(grid, [GRID * GRID, 2]),
      msPerIter: 0,
      draws: 0,
    };
  }

  /** Reads the live controls into the run: λ (a new value compiles a new critic step once) and the learning rate. */
  function applyLive(r: Run): void {
    r.loss.lambda = numberOf(inputs.lambda, 0, false);
    const lr = numberOf(inputs.lr, 0, false);
    r.optG.lr = lr; // fed to the cached step as a tensor: no recompilation
    r.optD.lr = lr;
  }

  /** Evaluates the critic on the grid and the generator on the plot noise (one backend run), then paints. */
  async function draw(r: Run): Promise<void> {
    const fake = r.generator.forward(r.plotNoise);
    const values = r.critic.forward(r.grid);
    await realize([fake, values]);
    paint(values.value!, fake.value!, r.plotReal);
    r.draws++;
    showStats(r);
  }

  function paint(values: ArrayLike<number>, fake: ArrayLike<number>, real: ArrayLike<number>): void {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('playground: no 2-D canvas context');
    const side = Math.min(canvas.width, canvas.height);
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < values.length; k++) {
      const v = values[k]!;
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (!(lo <= hi)) [lo, hi] = [0, 1];
    const span = hi - lo || 1;
    // Bilinear in the grid at each pixel, coloured by value; a pixel whose band differs from its
    // right or lower neighbour's lies on an iso-line (as src/viz/contour-plot.ts draws PNGs).
    const t = new Float32Array(side * side);
    for (let py = 0; py < side; py++) {
      const gy = ((side - 1 - py) / (side - 1)) * (GRID - 1);
      const j0 = Math.min(GRID - 2, Math.floor(gy));
      const fy = gy - j0;
      for (let px = 0; px < side; px++) {
        const gx = (px / (side - 1)) * (GRID - 1);
        const i0 = Math.min(GRID - 2, Math.floor(gx));
        const fx = gx - i0;
        const v00 = values[i0 * GRID + j0]!;
        const v01 = values[i0 * GRID + j0 + 1]!;
        const v10 = values[(i0 + 1) * GRID + j0]!;
        const v11 = values[(i0 + 1) * GRID + j0 + 1]!;
        t[py * side + px] = ((1 - fx) * ((1 - fy) * v00 + fy * v01) + fx * ((1 - fy) * v10 + fy * v11) - lo) / span;
      }
    }
    const img = ctx.createImageData(side, side);
    const band = (k: number): number => Math.min(ISO_LEVELS - 1, Math.floor(t[k]! * ISO_LEVELS));
    for (let k = 0; k < side * side; k++) {
      const px = k % side;
      const onIso = (px + 1 < side && band(k) !== band(k + 1)) || (k + side < side * side && band(k) !== band(k + side));
      const [cr, cg, cb] = onIso ? [60, 60, 60] : colormap(t[k]!);
      img.data[4 * k] = cr;
      img.data[4 * k + 1] = cg;
      img.data[4 * k + 2] = cb;
      img.data[4 * k + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    const toPx = (x: number): number => ((x + RANGE) / (2 * RANGE)) * (side - 1);
    const toPy = (y: number): number => ((RANGE - y) / (2 * RANGE)) * (side - 1);
    const plus = (pts: ArrayLike<number>, color: string): void => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      for (let k = 0; k + 1 < pts.length; k += 2) {
        const x = toPx(pts[k]!);
        const y = toPy(pts[k + 1]!);
        ctx.moveTo(x - 3, y);
        ctx.lineTo(x + 3, y);
        ctx.moveTo(x, y - 3);
        ctx.lineTo(x, y + 3);
      }
      ctx.stroke();
    };
    plus(real, REAL_COLOR);
    plus(fake, FAKE_COLOR);
    ctx.fillStyle = 'rgba(255,255,255,0.8)';
    ctx.fillRect(4, 4, 150, 18);
    ctx.fillStyle = '#1d2330';
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillText(`D ∈ [${lo.toPrecision(3)}, ${hi.toPrecision(3)}]`, 8, 17);
  }

  function showStats(r: Run): void {
    const s = r.last;
    const f = (v: number | undefined, d = 4): string => (v === undefined ? '—' : v.toFixed(d));
    stats.textContent = [
      `backend      ${r.backend.name} (${r.backend.sessionsCreated} compiled steps)`,
      `iteration    ${r.trainer.iteration}${running ? '' : ' (stopped)'}`,
      `ms / iter    ${r.msPerIter ? r.msPerIter.toFixed(1) : '—'}  (${r.trainer.nCritic} critic + 1 generator step)`,
      `W estimate   ${f(s?.wasserstein)}   E[D(real)] − E[D(fake)]`,
      `critic loss  ${f(s?.criticLoss)}`,
      `λ·penalty    ${f(s?.penalty)}   mean ‖∇D(x̂)‖ ${f(s?.gradNorm, 3)}`,
      `G loss       ${f(s?.generatorLoss)}`,
    ].join('\n');
    // Read by the headless page test (src/web-playground.test.ts).
    stats.dataset.iteration = String(r.trainer.iteration);
    stats.dataset.draws = String(r.draws);
  }

  function showError(e: unknown): void {
    running = false;
    const msg = e instanceof Error ? e.message : String(e);
    stats.dataset.error = msg;
    stats.textContent = `error: ${msg}`;
    console.error(e);
    syncButtons();
  }

  function syncButtons(): void {
    startBtn.disabled = running;
    stopBtn.disabled = !running;
  }

  /** Trains until stopped, yielding to the page between iterations so the controls stay live. */
  async function loop(r: Run): Promise<void> {
    try {
      while (running && run === r) {
        applyLive(r);
        const t0 = performance.now();
        r.last = await r.trainer.iterate();
        const ms = performance.now() - t0;
        // The first iterations compile their steps; start the average after them.
        r.msPerIter = r.trainer.iteration <= 2 ? 0 : r.msPerIter ? 0.9 * r.msPerIter + 0.1 * ms : ms;
        const every = numberOf(inputs.drawEvery, 1, true);
        if (r.trainer.iteration % every === 0) await draw(r);
        else if (r.trainer.iteration % 5 === 0) showStats(r);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      showStats(r);
    } catch (e) {
      showError(e);
    }
  }

  async function start(): Promise<void> {
    if (running) return;
    try {
      run ??= build();
      applyLive(run);
    } catch (e) {
      showError(e);
      return;
    }
    delete stats.dataset.error;
    running = true;
    syncButtons();
    loopDone = loop(run);
  }

  function stop(): void {
    running = false;
    syncButtons();
  }

  async function reset(): Promise<void> {
    const wasRunning = running;
    running = false;
    await loopDone;
    const old = run;
    run = null;
    await old?.backend.dispose?.();
    try {
      run = build();
      delete stats.dataset.error;
      await draw(run);
    } catch (e) {
      showError(e);
      return;
    }
    if (wasRunning) await start();
    syncButtons();
  }

  startBtn.addEventListener('click', () => void start());
  stopBtn.addEventListener('click', stop);
  resetBtn.addEventListener('click', () => void reset());
  for (const key of ['dataset', 'hidden', 'batch', 'nCritic', 'seed', 'device'] as const) {
    inputs[key].addEventListener('change', () => void reset());
  }

  // Show the untrained critic and generator at once, then train if asked to.
  void (async () => {
    await reset();
    if (params.get('autostart') === '1' && !stats.dataset.error) await start();
  })();
}
