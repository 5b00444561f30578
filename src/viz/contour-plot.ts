/**
 * The critic plot of gan_toy.py: the critic's value on a 128×128 grid over [−3, 3]², drawn as a
 * colour map with iso-lines, with real samples (orange "+") and generated samples (green "+") on top.
 */
import { Axes } from './axes.js';
import type { Color } from './canvas.js';
import { colormap } from './colormap.js';
import { formatNumber } from './ticks.js';

/** Reference plot colours: real points orange, fake points green. */
export const REAL_COLOR: Color = [255, 140, 0];
export const FAKE_COLOR: Color = [0, 170, 0];

/**
 * The grid points at which to evaluate the critic, in the reference order: point k = i·size + j is
 * (x_i, y_j) with x_i = y_i = −range + 2·range·i/(size − 1). Row-major (size²)×2 floats.
 *
 * @example
 * const grid = criticGrid(); // 128·128 points over [−3, 3]²
 * const values = await critic(tensor(grid, [128 * 128, 2])).data();
 * fs.writeFileSync('critic.png', contourPlot({ values, real, fake }));
 */
export function criticGrid(size = 128, range = 3): Float32Array {
  if (!Number.isInteger(size) || size < 2) throw new Error(`criticGrid: size must be an integer ≥ 2, got ${size}`);
  const out = new Float32Array(size * size * 2);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const k = 2 * (i * size + j);
      out[k] = -range + (2 * range * i) / (size - 1);
      out[k + 1] = -range + (2 * range * j) / (size - 1);
    }
  }
  return out;
}

/** Options of {@link contourPlot}. */
export interface ContourPlotOptions {
  /** Critic values at the {@link criticGrid} points, in the same order (size² values). */
  readonly values: ArrayLike<number>;
  /** Grid size (default √values.length). */
  readonly gridSize?: number;
  /** Half-width of the square shown, matching the grid (default 3). */
  readonly range?: number;
  /** Real samples, n×2 row-major. */
  readonly real?: ArrayLike<number>;
  /** Generated samples, n×2 row-major. */
  readonly fake?: ArrayLike<number>;
  /** Number of colour bands separated by iso-lines (default 10). */
  readonly levels?: number;
  /** Side of the square plot area in pixels (default 480). */
  readonly size?: number;
  readonly title?: string;
  /** Draw the colour bar with the min/max values on the right (default true). */
  readonly colorBar?: boolean;
}

/**
 * Draws the critic surface with iso-lines and the samples, as PNG bytes. The minimum value maps to
 * the colour map's dark end, the maximum to its light end; a colour bar on the right gives the scale.
 *
 * @example
 * const png = contourPlot({ values, real, fake, title: 'iteration 1000' });
 */
export function contourPlot(options: ContourPlotOptions): Buffer {
  const { values } = options;
  const n = options.gridSize ?? Math.round(Math.sqrt(values.length));
  if (n < 2 || n * n !== values.length) {
    throw new Error(`contourPlot: values must hold gridSize² numbers, got ${values.length} for gridSize ${n}`);
  }
  const range = options.range ?? 3;
  const levels = options.levels ?? 10;
  const side = options.size ?? 480;
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
  const colorBar = options.colorBar ?? true;
  const bar = colorBar ? 70 : 0;
  const ax = new Axes({
    width: side + 60 + bar,
    height: side + (options.title ? 26 : 10) + 24,
    xRange: [-range, range],
    yRange: [-range, range],
    rightExtra: bar,
    grid: false,
    ...(options.title === undefined ? {} : { title: options.title }),
  });
  const c = ax.canvas;
  const w = ax.plotWidth;
  const h = ax.plotHeight;

  // Normalised value at each plot pixel, bilinear in the grid (grid index i runs along x, j along y).
  const t = new Float64Array(w * h);
  for (let py = 0; py < h; py++) {
    const y = range - (2 * range * py) / (h - 1);
    const gy = ((y + range) / (2 * range)) * (n - 1);
    const j0 = Math.min(n - 2, Math.max(0, Math.floor(gy)));
    const fy = gy - j0;
    for (let px = 0; px < w; px++) {
      const x = -range + (2 * range * px) / (w - 1);
      const gx = ((x + range) / (2 * range)) * (n - 1);
      const i0 = Math.min(n - 2, Math.max(0, Math.floor(gx)));
      const fx = gx - i0;
      const v00 = values[i0 * n + j0]!;
      const v01 = values[i0 * n + j0 + 1]!;
      const v10 = values[(i0 + 1) * n + j0]!;
      const v11 = values[(i0 + 1) * n + j0 + 1]!;
      const v = (1 - fx) * ((1 - fy) * v00 + fy * v01) + fx * ((1 - fy) * v10 + fy * v11);
      t[py * w + px] = (v - lo) / span;
    }
  }
  const band = (k: number): number => Math.min(levels - 1, Math.floor(t[k]! * levels));
  const ISO: Color = [20, 20, 20, 150];
  for (let py = 0; py < h; py++) {
    for (let px = 0; px < w; px++) {
      const k = py * w + px;
      const onIso = (px + 1 < w && band(k) !== band(k + 1)) || (py + 1 < h && band(k) !== band(k + w));
      c.set(ax.left + px, ax.top + py, colormap(t[k]!));
      if (onIso) c.set(ax.left + px, ax.top + py, ISO);
    }
  }
  const drawPoints = (pts: ArrayLike<number> | undefined, color: Color): void => {
    if (!pts) return;
    if (pts.length % 2 !== 0) throw new Error(`contourPlot: points must be n×2, got ${pts.length} values`);
    for (let k = 0; k < pts.length; k += 2) c.marker(ax.px(pts[k]!), ax.py(pts[k + 1]!), 'plus', 2, color);
  };
  ax.plot(() => {
    drawPoints(options.real, REAL_COLOR);
    drawPoints(options.fake, FAKE_COLOR);
  });
  const legend = [
    ...(options.real ? [{ label: 'real', color: REAL_COLOR, kind: 'marker' as const }] : []),
    ...(options.fake ? [{ label: 'fake', color: FAKE_COLOR, kind: 'marker' as const }] : []),
  ];
  ax.legend(legend);

  if (colorBar) drawColorBar(ax, lo, hi);
  return ax.toPng();
}

/** A vertical colour bar right of the plot area, maximum at the top, labelled with the range. */
function drawColorBar(ax: Axes, lo: number, hi: number): void {
  const c = ax.canvas;
  const w = ax.plotWidth;
  const h = ax.plotHeight;
  const bx = ax.left + w + 14;
  for (let py = 0; py < h; py++) c.fillRect(bx, ax.top + py, 14, 1, colormap(1 - py / (h - 1)));
  c.strokeRect(bx - 1, ax.top - 1, 16, h + 2, [40, 40, 40]);
  c.text(formatNumber(hi), bx + 18, ax.top, [40, 40, 40]);
  c.text(formatNumber(lo), bx + 18, ax.top + h - 1, [40, 40, 40], { baseline: 'bottom' });
  c.text('critic', bx + 32, ax.top + h / 2, [40, 40, 40], { vertical: true, align: 'center', baseline: 'middle' });
}
