/**
 * Maps of a function over a square of the plane: the critic plot of gan_toy.py (the critic's value
 * on a 128×128 grid over [−3, 3]², a colour map with iso-lines, real samples as orange "+" and
 * generated ones as green "+"), the map of the critic's gradient norm ‖∇D(x)‖ (the quantity the
 * penalty constrains, on a diverging scale around its target 1, the level set ‖∇D‖ = 1 drawn), and
 * the density of generated samples (a 2-D histogram, so overlapping points read as mass).
 */
import type { Color } from './canvas.js';
import { type Frame, FONT, Panel, uniqueId } from './chart.js';
import { colormap, densityColormap, divergingColormap } from './colormap.js';
import { f, paint, pngDataUri, svgDocument, svgToPng, text } from './svg.js';
import { formatNumber, linearTicks } from './ticks.js';

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

/**
 * Counts of n×2 `points` in a `size`×`size` grid of equal cells over [−range, range]², in
 * {@link criticGrid} order (cell k = i·size + j: i along x, j along y); points outside are dropped.
 * @example const counts = densityGrid(fake, 64); // Float32Array(64 * 64)
 */
export function densityGrid(points: ArrayLike<number>, size = 64, range = 3): Float32Array {
  if (points.length % 2 !== 0) throw new Error(`densityGrid: points must be n×2, got ${points.length} values`);
  const out = new Float32Array(size * size);
  const cell = (2 * range) / size;
  for (let k = 0; k < points.length; k += 2) {
    const i = Math.floor((points[k]! + range) / cell);
    const j = Math.floor((points[k + 1]! + range) / cell);
    if (i >= 0 && j >= 0 && i < size && j < size) out[i * size + j]!++;
  }
  return out;
}

/** How values map to colours. */
export type HeatScale =
  /** min → dark, max → light (the critic surface). */
  | 'sequential'
  /** Blue below `center`, white at it, red above, symmetric around it (gradient norms around 1). */
  | { readonly center: number }
  /** White at 0 to dark green at the maximum, on log(1 + count) (sample densities). */
  | 'density';

/** Options of {@link heatmapPanel}. */
export interface HeatmapOptions {
  /** Values at the grid points (criticGrid order for 'sequential'/diverging; densityGrid cells for 'density'). */
  readonly values: ArrayLike<number>;
  /** Grid size (default √values.length). */
  readonly gridSize?: number;
  /** Half-width of the square shown (default 3). */
  readonly range?: number;
  readonly scale?: HeatScale;
  /** Number of colour bands separated by iso-lines (sequential; default 10; 0: none). */
  readonly levels?: number;
  /** Values at which to draw a dark level set (e.g. [1] for ‖∇D‖ = 1). */
  readonly isoValues?: readonly number[];
  /** Legend names of the level sets (default 'level V'). */
  readonly isoLabels?: readonly string[];
  /** Real samples, n×2 row-major. */
  readonly real?: ArrayLike<number>;
  /** Generated samples, n×2 row-major. */
  readonly fake?: ArrayLike<number>;
  readonly title?: string;
  /** The colour bar's label (default 'critic D(x)'); null hides the bar. */
  readonly colorBar?: string | null;
  /** Axis labels (default 'x₁', 'x₂'). */
  readonly xLabel?: string;
  readonly yLabel?: string;
}

/** Width kept right of a map for its colour bar. */
const BAR_SPACE = 74;
/** Device pixels per SVG pixel of the embedded raster (matches the PNG's scale). */
const RASTER_SCALE = 2;

/**
 * A map panel in `frame`: the values as colours (bilinear between grid points for surfaces, cells
 * for densities), iso-lines, level sets, points, a colour bar and a legend.
 * @example figureSvg(2, {}, (fr, k) => heatmapPanel(fr, k ? gradMap : surface).svg())
 */
export function heatmapPanel(frame: Frame, o: HeatmapOptions): Panel {
  const { values } = o;
  const n = o.gridSize ?? Math.round(Math.sqrt(values.length));
  if (n < 2 || n * n !== values.length) {
    throw new Error(`contourPlot: values must hold gridSize² numbers, got ${values.length} for gridSize ${n}`);
  }
  const range = o.range ?? 3;
  const scale = o.scale ?? 'sequential';
  const bar = o.colorBar === null ? null : (o.colorBar ?? 'critic D(x)');
  const panel = new Panel(frame, {
    xRange: [-range, range],
    yRange: [-range, range],
    grid: false,
    square: true,
    rightExtra: bar === null ? 0 : BAR_SPACE,
    xLabel: o.xLabel ?? 'x₁',
    yLabel: o.yLabel ?? 'x₂',
    ...(o.title === undefined ? {} : { title: o.title }),
  });
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
  // t(v) in [0, 1], the colour map of the scale, and the values the colour bar spans.
  let toT: (v: number) => number;
  let cmap: (t: number) => Color;
  let barRange: [number, number];
  let barTicks: number[];
  if (scale === 'sequential') {
    const span = hi - lo || 1;
    toT = (v) => (v - lo) / span;
    cmap = colormap;
    barRange = [lo, hi];
    barTicks = linearTicks(lo, hi, 5);
  } else if (scale === 'density') {
    const top = Math.log1p(Math.max(hi, 1));
    toT = (v) => Math.log1p(Math.max(0, v)) / top;
    cmap = densityColormap;
    barRange = [0, Math.max(hi, 1)];
    barTicks = countTicks(barRange[1]);
  } else {
    // Piecewise linear: [min(lo, 0)… center] → the blue half, [center… max(hi, 2·center)] → the red
    // half, so the target sits at white whatever the spread on either side.
    const c = scale.center;
    const a = Math.min(lo, 0);
    const b = Math.max(hi, 2 * c);
    toT = (v) => (v <= c ? (0.5 * (v - a)) / (c - a || 1) : 0.5 + (0.5 * (v - c)) / (b - c || 1));
    cmap = divergingColormap;
    barRange = [a, b];
    barTicks = [...new Set([...linearTicks(a, c, 2), c, ...linearTicks(c, b, 4).filter((t) => t > c + (b - c) / 8)])];
  }
  // Filled bands (like matplotlib's contourf): discrete colours read as levels and compress well.
  const bands = scale === 'density' ? 0 : 2 * (o.levels ?? 10);
  const banded = (t: number): number => (bands > 0 ? (Math.min(bands - 1, Math.floor(t * bands)) + 0.5) / bands : t);
  const levels = scale === 'sequential' ? (o.levels ?? 10) : 0;
  const W = Math.max(2, Math.round(panel.plotWidth * RASTER_SCALE));
  const H = Math.max(2, Math.round(panel.plotHeight * RASTER_SCALE));
  const v = resample(values, n, W, H, scale === 'density');
  // Per pixel: its colour band (a lookup table of `bands` colours, or 256 steps for densities), its
  // iso-line band and, for each level set, its side; then one pass marks the pixels where a
  // neighbour differs. Typed arrays and no allocation per pixel: ~1.4M pixels per critic plot.
  const steps = bands > 0 ? bands : 256;
  const lut = new Uint8Array(steps * 3);
  for (let i = 0; i < steps; i++) lut.set(cmap(bands > 0 ? (i + 0.5) / bands : i / (steps - 1)).slice(0, 3), 3 * i);
  const colorIdx = new Uint16Array(W * H);
  const isoBand = new Int16Array(W * H);
  const iso = o.isoValues ?? [];
  const sides = iso.map(() => new Uint8Array(W * H));
  for (let k = 0; k < W * H; k++) {
    const t = Math.min(1, Math.max(0, toT(v[k]!)));
    colorIdx[k] = Number.isNaN(t) ? 0 : Math.min(steps - 1, Math.floor(t * (bands > 0 ? bands : steps - 1) + (bands > 0 ? 0 : 0.5)));
    if (levels > 0) isoBand[k] = Math.min(levels - 1, Math.floor(t * levels));
    iso.forEach((level, i) => (sides[i]![k] = v[k]! >= level ? 1 : 0));
  }
  const differs = (a: ArrayLike<number>, k: number, px: number, py: number, both: boolean): boolean =>
    (px + 1 < W && a[k] !== a[k + 1]) || (py + 1 < H && a[k] !== a[k + W]) || (both && ((px > 0 && a[k] !== a[k - 1]) || (py > 0 && a[k] !== a[k - W])));
  const rgba = new Uint8Array(W * H * 4);
  for (let py = 0, k = 0; py < H; py++) {
    for (let px = 0; px < W; px++, k++) {
      const c = 3 * colorIdx[k]!;
      let r = lut[c]!;
      let g = lut[c + 1]!;
      let b = lut[c + 2]!;
      // Iso-lines: darkened band edges. Level sets: black, two pixels wide so they stay black when resampled.
      if (levels > 0 && differs(isoBand, k, px, py, false)) [r, g, b] = [r * 0.45 + 11, g * 0.45 + 11, b * 0.45 + 11];
      if (sides.some((sd) => differs(sd, k, px, py, true))) [r, g, b] = [0, 0, 0];
      rgba[4 * k] = r;
      rgba[4 * k + 1] = g;
      rgba[4 * k + 2] = b;
      rgba[4 * k + 3] = 255;
    }
  }
  panel.image(pngDataUri(W, H, rgba));
  if (o.real) panel.markers(o.real, { color: REAL_COLOR, size: 3 });
  if (o.fake) panel.markers(o.fake, { color: FAKE_COLOR, size: 3 });
  const legend = [
    ...(o.real ? [{ label: 'real', color: REAL_COLOR, kind: 'marker' as const }] : []),
    ...(o.fake ? [{ label: 'generated', color: FAKE_COLOR, kind: 'marker' as const }] : []),
    ...iso.map((level, i) => ({ label: o.isoLabels?.[i] ?? `level ${formatNumber(level)}`, color: [0, 0, 0] as const, kind: 'line' as const })),
  ];
  panel.legend(legend);
  if (bar !== null) colorBarSvg(panel, barRange, barTicks, toT, (t) => cmap(banded(t)), bar);
  return panel;
}

/** Values at W×H raster pixels (row 0 at the top = largest y): bilinear between grid points, or nearest cell. */
function resample(values: ArrayLike<number>, n: number, W: number, H: number, cells: boolean): Float64Array {
  const out = new Float64Array(W * H);
  for (let py = 0; py < H; py++) {
    const fy = 1 - (py + 0.5) / H; // 0 at the bottom edge, 1 at the top
    for (let px = 0; px < W; px++) {
      const fx = (px + 0.5) / W;
      if (cells) {
        const i = Math.min(n - 1, Math.floor(fx * n));
        const j = Math.min(n - 1, Math.floor(fy * n));
        out[py * W + px] = values[i * n + j]!;
        continue;
      }
      const gx = fx * (n - 1);
      const gy = fy * (n - 1);
      const i0 = Math.min(n - 2, Math.floor(gx));
      const j0 = Math.min(n - 2, Math.floor(gy));
      const ax = gx - i0;
      const ay = gy - j0;
      const v00 = values[i0 * n + j0]!;
      const v01 = values[i0 * n + j0 + 1]!;
      const v10 = values[(i0 + 1) * n + j0]!;
      const v11 = values[(i0 + 1) * n + j0 + 1]!;
      out[py * W + px] = (1 - ax) * ((1 - ay) * v00 + ay * v01) + ax * ((1 - ay) * v10 + ay * v11);
    }
  }
  return out;
}

/** A vertical colour bar right of the plot area, t = 1 at the top, with value ticks and a label. */
function colorBarSvg(panel: Panel, [lo, hi]: [number, number], ticks: readonly number[], toT: (v: number) => number, color: (t: number) => Color, label: string): void {
  const x = panel.left + panel.plotWidth + 12;
  const { top, plotHeight: h } = panel;
  const steps = 100;
  const stops = Array.from({ length: steps + 1 }, (_, s) => `<stop offset="${f(s / steps)}" stop-color="${paint(color(1 - s / steps))}"/>`);
  const id = uniqueId('bar');
  const out = [
    `<defs><linearGradient id="${id}" x1="0" y1="0" x2="0" y2="1">${stops.join('')}</linearGradient></defs>`,
    `<rect x="${f(x)}" y="${f(top)}" width="12" height="${f(h)}" fill="url(#${id})" stroke="rgb(40,40,40)"/>`,
  ];
  for (const t of ticks) {
    if (t < lo || t > hi) continue;
    const y = top + (1 - toT(t)) * h;
    out.push(`<path d="M${f(x + 12)},${f(y)}h3" stroke="rgb(40,40,40)"/>`);
    out.push(text(formatNumber(t), x + 17, y, { size: FONT.tick, baseline: 'middle' }));
  }
  out.push(text(label, x + BAR_SPACE - 12, top + h / 2, { size: FONT.label, anchor: 'middle', baseline: 'middle', rotate: -90 }));
  panel.addOverlay(out.join(''));
}

/** 0, 1, 10, 100, ... up to `hi` (the density bar is on log(1 + count)). */
function countTicks(hi: number): number[] {
  const out = [0];
  for (let v = 1; v <= hi; v *= 10) out.push(v);
  return out;
}

/** Options of {@link contourPlot}: a critic surface map alone. */
export interface ContourPlotOptions extends Omit<HeatmapOptions, 'scale' | 'colorBar'> {
  /** Side of the image's frame in SVG pixels (default 480). */
  readonly size?: number;
  /** Draw the colour bar (default true). */
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
  const side = options.size ?? 480;
  const width = side + (options.colorBar === false ? 0 : BAR_SPACE);
  const { colorBar, size: _size, ...rest } = options;
  const panel = heatmapPanel({ x: 0, y: 0, width, height: side }, { ...rest, colorBar: colorBar === false ? null : 'critic D(x)' });
  return svgToPng(svgDocument(width, side, [panel.svg()]));
}
