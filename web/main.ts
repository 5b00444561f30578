/**
 * The browser playground's page: the controls, one panel per loss (critic surface or ‖∇D‖ map with
 * axes, real and generated points, generator-gradient arrows, the generator's manifold), curves over
 * time, URL state and exports. Training runs in web/worker.ts; this bundle holds no engine code.
 *
 * Build with `npm run build:web` (scripts/build-web.mjs) into web/dist, then serve that folder, e.g.
 * `node scripts/build-web.mjs --serve` (cross-origin isolated: WebAssembly threads). The URL carries
 * the settings (web/config.ts; `?losses=wgan-gp,wgan&lambda=10`); `autostart=1` starts training.
 */
import { colormap } from '../src/viz/colormap.js';
import { formatNumber, linearTicks } from '../src/viz/ticks.js';
import {
  configQuery,
  GRID,
  MANIFOLD,
  parseConfig,
  PLAYGROUND_DEFAULTS,
  RANGE,
  type PlaygroundConfig,
} from './config.js';
import type { BackendInfo, Device, FromWorker, ToWorker } from './protocol.js';
import type { HistoryPoint, LaneMetrics, LaneView } from './session.js';

type LossName = PlaygroundConfig['losses'][number];

/** Reference plot colours (src/viz/contour-plot.ts): real orange, generated green. */
const REAL_COLOR = '#ff8c00';
const FAKE_COLOR = '#00aa00';
const ISO_LEVELS = 10;
/** Panel canvas: the plot square and the margins that hold the axes. */
const SIDE = 260;
const LEFT = 30;
const TOP = 6;
const BOTTOM = 20;
const LOSS_COLOR: Record<LossName, string> = { 'wgan-gp': '#1f63b4', wgan: '#d62728', gan: '#2a9d2a', lsgan: '#8c56bd' };

function lossTitle(loss: LossName, c: PlaygroundConfig): string {
  switch (loss) {
    case 'wgan-gp':
      return `WGAN-GP (${c.oneSided ? 'one-sided, ' : ''}λ = ${c.lambda})`;
    case 'wgan':
      return `WGAN, weight clipping (c = ${c.clip})`;
    case 'gan':
      return 'standard GAN (non-saturating)';
    case 'lsgan':
      return 'LSGAN';
  }
}

/** The curves under the panels: what each plots from a lane's history or metrics. */
const CURVES: { id: string; title: string; of: 'history' | 'metrics'; pick: (p: HistoryPoint & LaneMetrics) => number | undefined }[] = [
  { id: 'wasserstein', title: 'W estimate E[D(real)] − E[D(fake)]', of: 'history', pick: (p) => p.wasserstein },
  { id: 'criticLoss', title: 'critic loss', of: 'history', pick: (p) => p.criticLoss },
  { id: 'generatorLoss', title: 'generator loss', of: 'history', pick: (p) => p.generatorLoss },
  { id: 'penalty', title: 'λ·penalty (WGAN-GP)', of: 'history', pick: (p) => p.penalty },
  { id: 'interpGradNorm', title: 'mean ‖∇D(x̂)‖ at the interpolates', of: 'metrics', pick: (p) => p.interpGradNorm },
  { id: 'modesCaptured', title: 'modes captured', of: 'metrics', pick: (p) => p.modesCaptured },
  { id: 'highQualityPct', title: '% high quality (within 3σ of a mode)', of: 'metrics', pick: (p) => p.highQualityPct },
  { id: 'energyDistance', title: 'energy distance to the data', of: 'metrics', pick: (p) => p.energyDistance },
];

/** What the page holds of one lane: its panel and its curves' points. */
interface PanelState {
  loss: LossName;
  canvas: HTMLCanvasElement;
  numbers: HTMLElement;
  title: HTMLElement;
  history: HistoryPoint[];
  metrics: LaneMetrics[];
  view: LaneView | null;
}

/** What the headless tests (src/web-playground.test.ts) and the console read. */
interface PlaygroundHandle {
  config: PlaygroundConfig;
  backend: BackendInfo | null;
  frames: number;
  views: LaneView[];
  itersPerSec: number;
  panels: PanelState[];
  /** The plotted real points of the session (from the worker). */
  real: Float32Array | null;
}

// onnxruntime-web is in worker.js, not here; this script only runs in the page.
if (typeof document !== 'undefined') playground();

function playground(): void {
  const $ = <T extends HTMLElement>(id: string): T => {
    const el = document.getElementById(id);
    if (!el) throw new Error(`playground: #${id} is missing from index.html`);
    return el as T;
  };
  const stats = $<HTMLDivElement>('stats');
  const backendBadge = $<HTMLSpanElement>('backend');
  const speedBadge = $<HTMLSpanElement>('speed');
  const playBtn = $<HTMLButtonElement>('play');
  const panelsEl = $<HTMLElement>('panels');
  const curvesEl = $<HTMLElement>('curves');
  const viewSel = $<HTMLSelectElement>('view');
  const arrowsBox = $<HTMLInputElement>('arrows');
  const manifoldBox = $<HTMLInputElement>('manifold');
  const lossBoxes = [...document.querySelectorAll<HTMLInputElement>('input[name="loss"]')];
  /** Controls named as config keys. */
  const FIELDS = ['dataset', 'lambda', 'oneSided', 'clip', 'nCritic', 'optimizer', 'lr', 'lrG', 'beta1', 'beta2', 'layers', 'hidden', 'batch', 'seed', 'drawEvery', 'device', 'threads'] as const;
  const controls = Object.fromEntries(FIELDS.map((k) => [k, $<HTMLInputElement | HTMLSelectElement>(k)])) as Record<(typeof FIELDS)[number], HTMLInputElement | HTMLSelectElement>;
  /** Settings applied without a reset. */
  const LIVE = new Set(['lambda', 'lr', 'lrG', 'drawEvery']);

  const handle: PlaygroundHandle = { config: { ...PLAYGROUND_DEFAULTS, losses: [...PLAYGROUND_DEFAULTS.losses], points: [] }, backend: null, frames: 0, views: [], itersPerSec: 0, panels: [], real: null };
  (globalThis as unknown as { playground: PlaygroundHandle }).playground = handle;

  let worker: Worker | null = null;
  let workerKey = '';
  let sessionNo = 0;
  let playing = false;
  let points: number[] = [];

  function showError(e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    stats.dataset.error = msg;
    stats.textContent = `error: ${msg}`;
    setPlaying(false);
  }

  function setPlaying(on: boolean): void {
    playing = on;
    playBtn.textContent = on ? 'Pause' : 'Play';
    stats.dataset.playing = String(on);
  }

  /** Writes a config into the controls. */
  function toControls(c: PlaygroundConfig): void {
    for (const k of FIELDS) {
      const el = controls[k];
      const v = c[k];
      if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = v === true;
      else el.value = String(v);
    }
    for (const b of lossBoxes) b.checked = c.losses.includes(b.value as LossName);
    points = [...c.points];
  }

  /** The config the controls show, validated by web/config.ts (errors name the control). */
  function fromControls(): PlaygroundConfig {
    const q = new URLSearchParams();
    for (const k of FIELDS) {
      const el = controls[k];
      q.set(k, el instanceof HTMLInputElement && el.type === 'checkbox' ? (el.checked ? '1' : '0') : el.value);
    }
    q.set('losses', lossBoxes.filter((b) => b.checked).map((b) => b.value).join(','));
    q.set('points', points.map((x) => +x.toFixed(3)).join(','));
    return parseConfig(q);
  }

  function writeUrl(c: PlaygroundConfig): void {
    const q = configQuery(c);
    history.replaceState(null, '', q ? `?${q}` : location.pathname);
  }

  // ---- the worker ----
  /**
   * The device of a config: 'auto' is WebGPU where the browser offers an adapter, else WebAssembly.
   * Throws, naming the cause, where WebGPU is asked for and missing.
   */
  async function resolveDevice(c: PlaygroundConfig): Promise<{ device: Device; note?: string }> {
    if (c.device === 'wasm') return { device: 'wasm' };
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
    if (adapter) return { device: 'webgpu' };
    const note = gpu ? 'WebGPU: no adapter (no GPU, or blocked)' : 'WebGPU: not in this browser';
    if (c.device === 'webgpu') throw new Error(`device webgpu: ${note}; choose device auto or wasm`);
    return { device: 'wasm', note };
  }

  let deviceNote: string | undefined;

  function ensureWorker(device: Device, c: PlaygroundConfig): Worker {
    // The backend (device, threads) is fixed once onnxruntime-web has loaded: a new one needs a new worker.
    const key = `${device}/${c.threads}`;
    if (worker && key === workerKey) return worker;
    worker?.terminate();
    workerKey = key;
    const script = device === 'webgpu' ? './worker-webgpu.js' : './worker.js';
    worker = new Worker(new URL(script, import.meta.url), { type: 'module', name: 'wgan-gp-trainer' });
    worker.onmessage = (e: MessageEvent<FromWorker>) => receive(e.data);
    worker.onerror = (e) => showError(e.message || 'the training worker failed to start');
    return worker;
  }
  const send = (m: ToWorker): void => worker?.postMessage(m);

  function receive(m: FromWorker): void {
    switch (m.type) {
      case 'ready': {
        handle.backend = m.backend;
        const b = m.backend;
        backendBadge.className = `badge ${b.device}`;
        backendBadge.textContent =
          b.device === 'webgpu'
            ? 'WebGPU'
            : `WebAssembly${b.simd ? ' SIMD' : ''}, ${b.threads} thread${b.threads === 1 ? '' : 's'}${b.crossOriginIsolated ? '' : ' (not cross-origin isolated)'}`;
        backendBadge.title = `${b.name}${deviceNote ? `; ${deviceNote}` : ''}`;
        return;
      }
      case 'frame':
        if (m.session !== sessionNo) return;
        handle.real = m.real;
        onFrame(m.views, m.itersPerSec, m.compiled);
        return;
      case 'status':
        if (m.session !== sessionNo) return;
        showSpeed(m.itersPerSec);
        stats.dataset.iteration = String(m.iteration);
        return;
      case 'imported':
        if (m.session !== sessionNo) return;
        toControls(m.config);
        handle.config = m.config;
        handle.frames = 0;
        handle.real = null;
        writeUrl(m.config);
        buildPanels(m.config);
        stats.textContent = `continuing the CLI run from its checkpoint at iteration ${m.iteration}`;
        return;
      case 'run':
        download('wgan-gp-playground-run.json', new Blob([JSON.stringify(m.run, null, 1)], { type: 'application/json' }));
        return;
      case 'error':
        showError(m.message);
        return;
    }
  }

  function showSpeed(itersPerSec: number): void {
    handle.itersPerSec = itersPerSec;
    const n = handle.panels.length;
    speedBadge.textContent = itersPerSec > 0 ? `${itersPerSec.toFixed(1)} it/s per panel (${(itersPerSec * n).toFixed(1)} total)` : '— it/s';
  }

  // ---- panels ----
  function buildPanels(c: PlaygroundConfig): void {
    panelsEl.replaceChildren();
    curvesEl.replaceChildren();
    handle.panels = c.losses.map((loss) => {
      const div = document.createElement('div');
      div.className = 'panel';
      div.dataset.loss = loss;
      const title = document.createElement('h2');
      title.textContent = lossTitle(loss, c);
      title.style.color = LOSS_COLOR[loss];
      const canvas = document.createElement('canvas');
      canvas.className = `surface${c.dataset === 'drawn' ? ' drawing' : ''}`;
      canvas.width = LEFT + SIDE + 4;
      canvas.height = TOP + SIDE + BOTTOM;
      canvas.setAttribute('aria-label', `${loss}: critic surface with real and generated samples`);
      const numbers = document.createElement('div');
      numbers.className = 'numbers';
      div.append(title, canvas, numbers);
      panelsEl.append(div);
      attachDrawing(canvas);
      return { loss, canvas, numbers, title, history: [], metrics: [], view: null };
    });
    $<HTMLDivElement>('legend').innerHTML = c.losses.map((l) => `<span style="color:${LOSS_COLOR[l]}">━ ${l}</span>`).join('');
    for (const cv of CURVES) {
      const fig = document.createElement('figure');
      const cap = document.createElement('figcaption');
      cap.textContent = cv.title;
      const canvas = document.createElement('canvas');
      canvas.width = 300;
      canvas.height = 130;
      canvas.dataset.curve = cv.id;
      fig.append(cap, canvas);
      curvesEl.append(fig);
    }
  }

  function onFrame(views: LaneView[], itersPerSec: number, compiled: number): void {
    handle.frames++;
    handle.views = views;
    views.forEach((v, k) => {
      const p = handle.panels[k];
      if (!p || p.loss !== v.loss) return;
      p.view = v;
      p.history.push(...v.history);
      const lastM = p.metrics[p.metrics.length - 1];
      if (lastM && lastM.iteration === v.metrics.iteration) p.metrics[p.metrics.length - 1] = v.metrics;
      else p.metrics.push(v.metrics);
      paintPanel(p);
    });
    paintCurves();
    showSpeed(itersPerSec);
    const v0 = views[0];
    if (v0) {
      stats.dataset.iteration = String(v0.iteration);
      stats.dataset.criticSteps = String(v0.criticSteps);
      stats.dataset.generatorSteps = String(v0.generatorSteps);
    }
    stats.dataset.frames = String(handle.frames);
    if (stats.dataset.error === undefined) {
      stats.textContent = `iteration ${v0?.iteration ?? 0}: ${v0?.criticSteps ?? 0} critic and ${v0?.generatorSteps ?? 0} generator steps per panel; ${compiled} compiled steps${playing ? '' : ' (paused)'}`;
    }
  }

  const toPx = (x: number): number => LEFT + ((x + RANGE) / (2 * RANGE)) * (SIDE - 1);
  const toPy = (y: number): number => TOP + ((RANGE - y) / (2 * RANGE)) * (SIDE - 1);
  const fromPx = (px: number): number => ((px - LEFT) / (SIDE - 1)) * 2 * RANGE - RANGE;
  const fromPy = (py: number): number => RANGE - ((py - TOP) / (SIDE - 1)) * 2 * RANGE;

  function paintPanel(p: PanelState): void {
    const v = p.view;
    const ctx = p.canvas.getContext('2d');
    if (!v || !ctx) return;
    const gradView = viewSel.value === 'gradnorm';
    const values = gradView ? v.gradNorm : v.critic;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, p.canvas.width, p.canvas.height);
    const [lo, hi] = paintSurface(ctx, values);
    paintAxes(ctx);
    const plus = (pts: ArrayLike<number>, color: string, r = 3): void => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      for (let k = 0; k + 1 < pts.length; k += 2) {
        const x = toPx(pts[k]!);
        const y = toPy(pts[k + 1]!);
        ctx.moveTo(x - r, y);
        ctx.lineTo(x + r, y);
        ctx.moveTo(x, y - r);
        ctx.lineTo(x, y + r);
      }
      ctx.stroke();
    };
    ctx.save();
    ctx.beginPath();
    ctx.rect(LEFT, TOP, SIDE, SIDE);
    ctx.clip();
    if (manifoldBox.checked) paintManifold(ctx, v.manifold);
    if (gradView) {
      ctx.fillStyle = 'rgba(200, 40, 160, 0.85)';
      for (let k = 0; k + 1 < v.interpolates.length; k += 2) ctx.fillRect(toPx(v.interpolates[k]!) - 1.5, toPy(v.interpolates[k + 1]!) - 1.5, 3, 3);
    }
    plus(handle.real ?? [], REAL_COLOR);
    plus(v.fake, FAKE_COLOR);
    if (arrowsBox.checked) paintArrows(ctx, v.fake, v.arrows);
    ctx.restore();
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(LEFT + 3, TOP + 3, 168, 16);
    ctx.fillStyle = '#1d2330';
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillText(`${gradView ? '‖∇D‖' : 'D'} ∈ [${lo.toPrecision(3)}, ${hi.toPrecision(3)}]`, LEFT + 6, TOP + 15);
    const s = v.last;
    const m = v.metrics;
    const f = (x: number | undefined, d = 3): string => (x === undefined ? '—' : x.toFixed(d));
    p.numbers.textContent = [
      `iter ${v.iteration}  W ${f(s?.wasserstein)}  λ·penalty ${f(s?.penalty, 4)}`,
      `D loss ${f(s?.criticLoss)}  G loss ${f(s?.generatorLoss)}`,
      `‖∇D(x̂)‖ ${f(m.interpGradNorm)}${m.totalModes !== undefined ? `  modes ${m.modesCaptured}/${m.totalModes}  HQ ${f(m.highQualityPct, 1)} %` : ''}`,
      `energy distance ${f(m.energyDistance, 4)}`,
    ].join('\n');
  }

  /** The grid's values, bilinear at each pixel, coloured, with iso-lines where a pixel's band differs from a neighbour's. Returns [min, max]. */
  function paintSurface(ctx: CanvasRenderingContext2D, values: Float32Array): [number, number] {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (!(lo <= hi)) [lo, hi] = [0, 1];
    const span = hi - lo || 1;
    const t = new Float32Array(SIDE * SIDE);
    for (let py = 0; py < SIDE; py++) {
      const gy = ((SIDE - 1 - py) / (SIDE - 1)) * (GRID - 1);
      const j0 = Math.min(GRID - 2, Math.floor(gy));
      const fy = gy - j0;
      for (let px = 0; px < SIDE; px++) {
        const gx = (px / (SIDE - 1)) * (GRID - 1);
        const i0 = Math.min(GRID - 2, Math.floor(gx));
        const fx = gx - i0;
        const v00 = values[i0 * GRID + j0]!;
        const v01 = values[i0 * GRID + j0 + 1]!;
        const v10 = values[(i0 + 1) * GRID + j0]!;
        const v11 = values[(i0 + 1) * GRID + j0 + 1]!;
        t[py * SIDE + px] = ((1 - fx) * ((1 - fy) * v00 + fy * v01) + fx * ((1 - fy) * v10 + fy * v11) - lo) / span;
      }
    }
    const img = ctx.createImageData(SIDE, SIDE);
    const band = (k: number): number => Math.min(ISO_LEVELS - 1, Math.floor(t[k]! * ISO_LEVELS));
    for (let k = 0; k < SIDE * SIDE; k++) {
      const px = k % SIDE;
      const onIso = (px + 1 < SIDE && band(k) !== band(k + 1)) || (k + SIDE < SIDE * SIDE && band(k) !== band(k + SIDE));
      const [cr, cg, cb] = onIso ? [60, 60, 60] : colormap(t[k]!);
      img.data[4 * k] = cr;
      img.data[4 * k + 1] = cg;
      img.data[4 * k + 2] = cb;
      img.data[4 * k + 3] = 255;
    }
    ctx.putImageData(img, LEFT, TOP);
    return [lo, hi];
  }

  function paintAxes(ctx: CanvasRenderingContext2D): void {
    ctx.strokeStyle = '#444';
    ctx.lineWidth = 1;
    ctx.strokeRect(LEFT - 0.5, TOP - 0.5, SIDE + 1, SIDE + 1);
    ctx.fillStyle = '#333';
    ctx.font = '10px system-ui, sans-serif';
    ctx.beginPath();
    for (let v = -RANGE; v <= RANGE; v++) {
      const x = toPx(v);
      const y = toPy(v);
      ctx.moveTo(x, TOP + SIDE);
      ctx.lineTo(x, TOP + SIDE + 4);
      ctx.moveTo(LEFT - 4, y);
      ctx.lineTo(LEFT, y);
      ctx.textAlign = 'center';
      ctx.fillText(String(v), x, TOP + SIDE + 14);
      ctx.textAlign = 'right';
      ctx.fillText(String(v), LEFT - 6, y + 3);
    }
    ctx.stroke();
    ctx.textAlign = 'left';
  }

  /** Arrows from each generated point along −∇ₓL_G, the longest drawn 24 px long. */
  function paintArrows(ctx: CanvasRenderingContext2D, fake: Float32Array, arrows: Float32Array): void {
    let max = 0;
    for (let k = 0; k + 1 < arrows.length; k += 2) max = Math.max(max, Math.hypot(arrows[k]!, arrows[k + 1]!));
    if (!(max > 0) || !Number.isFinite(max)) return;
    ctx.strokeStyle = 'rgba(20, 20, 20, 0.75)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let k = 0; k + 1 < fake.length; k += 2) {
      const x0 = toPx(fake[k]!);
      const y0 = toPy(fake[k + 1]!);
      const dx = (arrows[k]! / max) * 24;
      const dy = (-arrows[k + 1]! / max) * 24;
      const len = Math.hypot(dx, dy);
      if (len < 1.5) continue;
      const x1 = x0 + dx;
      const y1 = y0 + dy;
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      const a = Math.atan2(dy, dx);
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - 4 * Math.cos(a - 0.5), y1 - 4 * Math.sin(a - 0.5));
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - 4 * Math.cos(a + 0.5), y1 - 4 * Math.sin(a + 0.5));
    }
    ctx.stroke();
  }

  /** The image of the noise grid under G: its rows and columns as polylines. */
  function paintManifold(ctx: CanvasRenderingContext2D, m: Float32Array): void {
    ctx.strokeStyle = 'rgba(120, 30, 160, 0.55)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    const at = (i: number, j: number): [number, number] => [toPx(m[2 * (i * MANIFOLD + j)]!), toPy(m[2 * (i * MANIFOLD + j) + 1]!)];
    for (let i = 0; i < MANIFOLD; i++) {
      for (let j = 0; j < MANIFOLD; j++) {
        const [x, y] = at(i, j);
        if (j === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      for (let j = 0; j < MANIFOLD; j++) {
        const [x, y] = at(j, i);
        if (j === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
    }
    ctx.stroke();
  }

  function paintCurves(): void {
    for (const cv of CURVES) {
      const canvas = curvesEl.querySelector<HTMLCanvasElement>(`canvas[data-curve="${cv.id}"]`);
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx) continue;
      const series = handle.panels.map((p) => {
        const src = (cv.of === 'history' ? p.history : p.metrics) as (HistoryPoint & LaneMetrics)[];
        const pts: [number, number][] = [];
        for (const q of src) {
          const y = cv.pick(q);
          if (y !== undefined && Number.isFinite(y)) pts.push([q.iteration, y]);
        }
        return { color: LOSS_COLOR[p.loss], pts };
      });
      paintLines(ctx, canvas.width, canvas.height, series);
    }
  }

  function paintLines(ctx: CanvasRenderingContext2D, w: number, h: number, series: { color: string; pts: [number, number][] }[]): void {
    const L = 44;
    const B = 16;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    const all = series.flatMap((s) => s.pts);
    ctx.strokeStyle = '#888';
    ctx.strokeRect(L - 0.5, 2.5, w - L - 4, h - B - 4);
    if (all.length === 0) return;
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const [x, y] of all) {
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
    const X = (x: number): number => L + ((x - x0) / (x1 - x0)) * (w - L - 14);
    const Y = (y: number): number => 3 + (1 - (y - y0) / (y1 - y0)) * (h - B - 6);
    ctx.fillStyle = '#333';
    ctx.font = '10px system-ui, sans-serif';
    ctx.textAlign = 'right';
    for (const t of linearTicks(y0, y1, 4)) ctx.fillText(formatNumber(t), L - 4, Y(t) + 3);
    ctx.textAlign = 'center';
    for (const t of linearTicks(x0, x1, 4)) ctx.fillText(formatNumber(t), X(t), h - 3);
    ctx.textAlign = 'left';
    for (const s of series) {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 1.2;
      ctx.beginPath();
      // At most ~2 points per pixel: long runs stay cheap to draw.
      const stride = Math.max(1, Math.floor(s.pts.length / (2 * w)));
      s.pts.forEach(([x, y], i) => {
        if (i % stride !== 0 && i !== s.pts.length - 1) return;
        if (i === 0) ctx.moveTo(X(x), Y(y));
        else ctx.lineTo(X(x), Y(y));
      });
      ctx.stroke();
    }
  }

  // ---- drawing data with the mouse ----
  function attachDrawing(canvas: HTMLCanvasElement): void {
    let down = false;
    let lastAdd = 0;
    const add = (e: PointerEvent): void => {
      if (controls.dataset.value !== 'drawn') return;
      const r = canvas.getBoundingClientRect();
      const px = ((e.clientX - r.left) * canvas.width) / r.width;
      const py = ((e.clientY - r.top) * canvas.height) / r.height;
      const x = fromPx(px);
      const y = fromPy(py);
      if (Math.abs(x) > RANGE || Math.abs(y) > RANGE) return;
      points.push(x, y);
      paintDrawn();
    };
    canvas.addEventListener('pointerdown', (e) => {
      down = true;
      add(e);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (down && performance.now() - lastAdd > 30) {
        lastAdd = performance.now();
        add(e);
      }
    });
    const up = (): void => {
      if (!down) return;
      down = false;
      if (controls.dataset.value === 'drawn' && points.length > 0) void reset();
    };
    canvas.addEventListener('pointerup', up);
    canvas.addEventListener('pointerleave', up);
  }

  /** The points drawn so far, on every panel, before the new run starts. */
  function paintDrawn(): void {
    for (const p of handle.panels) {
      const ctx = p.canvas.getContext('2d');
      if (!ctx) continue;
      ctx.fillStyle = REAL_COLOR;
      for (let k = 0; k + 1 < points.length; k += 2) ctx.fillRect(toPx(points[k]!) - 2, toPy(points[k + 1]!) - 2, 4, 4);
    }
  }

  // ---- actions ----
  async function reset(): Promise<void> {
    let c: PlaygroundConfig;
    try {
      c = fromControls();
    } catch (e) {
      showError(e);
      return;
    }
    delete stats.dataset.error;
    handle.config = c;
    handle.frames = 0;
    writeUrl(c);
    setPlaying(false);
    buildPanels(c);
    handle.real = null;
    const mine = ++sessionNo;
    let device: Device;
    try {
      const d = await resolveDevice(c);
      device = d.device;
      deviceNote = d.note;
    } catch (e) {
      showError(e);
      return;
    }
    if (mine !== sessionNo) return; // a newer reset took over meanwhile
    ensureWorker(device, c);
    send({ type: 'init', config: c, device, session: sessionNo });
  }

  function play(): void {
    if (stats.dataset.error !== undefined) return;
    if (playing) {
      send({ type: 'pause' });
      setPlaying(false);
    } else {
      send({ type: 'play' });
      setPlaying(true);
    }
  }

  function step(which: 'critic' | 'generator'): void {
    if (stats.dataset.error !== undefined) return;
    setPlaying(false);
    send({ type: 'step', which });
  }

  function onControl(key: string): void {
    if (key === 'dataset' && controls.dataset.value === 'drawn' && points.length === 0) {
      // Nothing to train on yet: the panels take clicks, and the first stroke starts the run.
      for (const p of handle.panels) p.canvas.classList.add('drawing');
      stats.textContent = 'click or drag on a panel to draw the data; training starts from the points drawn';
      return;
    }
    let c: PlaygroundConfig;
    try {
      c = fromControls();
    } catch (e) {
      showError(e);
      return;
    }
    if (LIVE.has(key)) {
      delete stats.dataset.error;
      handle.config = c;
      writeUrl(c);
      for (const p of handle.panels) p.title.textContent = lossTitle(p.loss, c);
      send({ type: 'live', lambda: c.lambda, lr: c.lr, lrG: c.lrG, drawEvery: c.drawEvery });
    } else void reset();
  }

  /**
   * Continues a CLI toy run: finds config.json, checkpoints/checkpoint.json and the weights file it
   * names among the files picked (a run folder, or the three files), and hands them to the worker.
   */
  async function importRun(files: readonly File[]): Promise<void> {
    try {
      const path = (f: File): string => f.webkitRelativePath || f.name;
      const byName = (name: string): File | undefined =>
        files.filter((f) => f.name === name).sort((a, b) => path(a).split('/').length - path(b).split('/').length)[0];
      const json = async (name: string): Promise<Record<string, unknown>> => {
        const f = byName(name);
        if (!f) throw new Error(`continue a CLI run: no ${name} among the ${files.length} files picked (pick a run folder of wgan-gp train)`);
        try {
          return JSON.parse(await f.text()) as Record<string, unknown>;
        } catch (e) {
          throw new Error(`continue a CLI run: ${path(f)} is not JSON (${(e as Error).message})`);
        }
      };
      const run = await json('config.json');
      const manifest = (await json('checkpoint.json')) as unknown as Extract<ToWorker, { type: 'import' }>['manifest'];
      const weightsFile = typeof manifest.weights === 'string' ? byName(manifest.weights) : undefined;
      if (!weightsFile) throw new Error(`continue a CLI run: checkpoint.json names the weights '${String(manifest.weights)}', not among the files picked`);
      const weights = await weightsFile.arrayBuffer();
      const mine = ++sessionNo;
      setPlaying(false);
      delete stats.dataset.error;
      const { device, note } = await resolveDevice(handle.config);
      deviceNote = note;
      if (mine !== sessionNo) return;
      ensureWorker(device, handle.config).postMessage({ type: 'import', run, manifest, weights, device, session: mine } satisfies ToWorker, [weights]);
    } catch (e) {
      showError(e);
    }
  }

  function download(name: string, blob: Blob): void {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  /** The panels in a row and the curves under them, with titles, as one PNG. */
  function exportPng(): void {
    const curves = [...curvesEl.querySelectorAll<HTMLCanvasElement>('canvas')];
    const pw = LEFT + SIDE + 4;
    const ph = TOP + SIDE + BOTTOM;
    const perRow = 4;
    const cw = 300;
    const ch = 130;
    const width = Math.max(handle.panels.length * (pw + 10), perRow * (cw + 10)) + 10;
    const height = 24 + ph + 20 + Math.ceil(curves.length / perRow) * (ch + 22) + 10;
    const out = document.createElement('canvas');
    out.width = width;
    out.height = height;
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.font = 'bold 12px system-ui, sans-serif';
    handle.panels.forEach((p, k) => {
      ctx.fillStyle = LOSS_COLOR[p.loss];
      ctx.fillText(p.title.textContent ?? p.loss, 10 + k * (pw + 10), 16);
      ctx.drawImage(p.canvas, 10 + k * (pw + 10), 22);
    });
    ctx.font = '11px system-ui, sans-serif';
    curves.forEach((c, k) => {
      const x = 10 + (k % perRow) * (cw + 10);
      const y = 24 + ph + 20 + Math.floor(k / perRow) * (ch + 22);
      ctx.fillStyle = '#333';
      ctx.fillText(CURVES[k]?.title ?? '', x, y - 4);
      ctx.drawImage(c, x, y);
    });
    out.toBlob((b) => b && download('wgan-gp-playground.png', b), 'image/png');
  }

  playBtn.addEventListener('click', play);
  $('step-critic').addEventListener('click', () => step('critic'));
  $('step-generator').addEventListener('click', () => step('generator'));
  $('reset').addEventListener('click', () => void reset());
  $('export-json').addEventListener('click', () => send({ type: 'export' }));
  $('export-png').addEventListener('click', exportPng);
  const importInput = $<HTMLInputElement>('import');
  importInput.addEventListener('change', () => {
    void importRun([...(importInput.files ?? [])]).finally(() => (importInput.value = ''));
  });
  $('clear-points').addEventListener('click', () => {
    points = [];
    if (controls.dataset.value === 'drawn') controls.dataset.value = '8gaussians';
    void reset();
  });
  for (const k of FIELDS) controls[k].addEventListener('change', () => onControl(k));
  for (const b of lossBoxes) b.addEventListener('change', () => onControl('losses'));
  for (const el of [viewSel, arrowsBox, manifoldBox]) el.addEventListener('change', () => handle.panels.forEach(paintPanel));

  // Start: the URL's settings (or an error naming the bad parameter), the untrained networks drawn at once.
  const params = new URLSearchParams(location.search);
  try {
    toControls(parseConfig(params));
  } catch (e) {
    toControls(handle.config);
    showError(new Error(`URL: ${(e as Error).message}`));
  }
  if (stats.dataset.error === undefined) {
    void reset().then(() => {
      if (params.get('autostart') === '1' && stats.dataset.error === undefined) play();
    });
  }
}
