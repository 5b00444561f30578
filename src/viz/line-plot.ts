/**
 * Line charts of training curves: named series against iteration, optional log-y (gradient norms,
 * FID), dashed reference levels (the real data's score, a target), exponential smoothing of noisy
 * curves (the raw curve stays visible, faint, behind the smoothed one), axes and a legend; one
 * panel, or several panels in one figure (one quantity per panel). The run's plots and the charts
 * of report.html are drawn here.
 */
import { type Color, PALETTE } from './canvas.js';
import { figureSvg, type FigureLayout, type Frame, Panel } from './chart.js';
import { svgToPng } from './svg.js';
import { extent } from './ticks.js';

/** One curve. */
export interface LineSeries {
  readonly name: string;
  /** The values; non-finite ones (and values ≤ 0 on a log axis) break the line. */
  readonly y: ArrayLike<number>;
  /** The x of each value (default 0, 1, 2, ...). */
  readonly x?: ArrayLike<number>;
  readonly color?: Color;
  /** A reference level (real data, a target): drawn dashed, never smoothed. */
  readonly dashed?: boolean;
}

/** What one panel shows. */
export interface LinePanelOptions {
  readonly series: readonly LineSeries[];
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /**
   * Log y axis. `'auto'`: log when every finite value is positive and they span more than three
   * decades. Default false.
   */
  readonly logY?: boolean | 'auto';
  /**
   * Exponential smoothing weight in [0, 1) (TensorBoard's: s_t = w·s_{t−1} + (1 − w)·y_t, debiased),
   * applied to solid series of at least {@link MIN_SMOOTHED} points; the raw curve is drawn faint
   * behind. Default 0 (none).
   */
  readonly smooth?: number;
  /** The y range shown (default: the data's, padded); the data may still overflow it (clipped). */
  readonly yRange?: readonly [number, number];
  /** Legend corner (default 'top-right'); 'none' hides it. */
  readonly legend?: 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' | 'none';
}

/** Options of {@link linePlot}: a panel and the size of the image. */
export interface LinePlotOptions extends LinePanelOptions {
  /** Size in SVG pixels (default 640×400; the PNG has twice as many pixels each way). */
  readonly width?: number;
  readonly height?: number;
}

/** Series shorter than this are not smoothed. */
export const MIN_SMOOTHED = 20;

/**
 * TensorBoard's debiased exponential moving average: s_t = w·s_{t−1} + (1 − w)·y_t divided by
 * 1 − w^t, so the start is not pulled toward 0. Non-finite values are skipped (and stay NaN).
 * @example smooth([1, 2, 3], 0.5) // [1, 1.667, 2.429]
 */
export function smooth(y: ArrayLike<number>, weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) throw new Error(`smooth: weight must be in [0, 1), got ${weight}`);
  const out: number[] = [];
  let s = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isFinite(v)) {
      out.push(Number.NaN);
      continue;
    }
    s = weight * s + (1 - weight) * v;
    n++;
    out.push(s / (1 - weight ** n));
  }
  return out;
}

/**
 * Draws a line panel into `frame` and returns it (to add to a figure with `panel.svg()`).
 * @example const svg = svgDocument(400, 260, [linePanel({ x: 0, y: 0, width: 400, height: 260 }, { series }).svg()]);
 */
export function linePanel(frame: Frame, options: LinePanelOptions): Panel {
  const logY = options.logY === 'auto' ? spansDecades(options.series) : (options.logY ?? false);
  const xsOf = (s: LineSeries): ArrayLike<number> => s.x ?? Array.from({ length: s.y.length }, (_, i) => i);
  for (const s of options.series) {
    if (s.x && s.x.length !== s.y.length) {
      throw new Error(`linePlot: series '${s.name}' has ${s.x.length} x values for ${s.y.length} y values`);
    }
  }
  const visible = (v: number): boolean => Number.isFinite(v) && (!logY || v > 0);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of options.series) {
    const sx = xsOf(s);
    for (let i = 0; i < s.y.length; i++) {
      xs.push(sx[i]!);
      if (visible(s.y[i]!)) ys.push(s.y[i]!);
    }
  }
  const xRange = padRange(extent(xs) ?? [0, 1], 0);
  const yExt = extent(ys) ?? (logY ? [1, 10] : [0, 1]);
  const yRange = options.yRange ?? (logY ? padLog(yExt) : padRange(yExt, 0.06));
  const panel = new Panel(frame, {
    xRange,
    yRange,
    logY,
    ...(options.title === undefined ? {} : { title: options.title }),
    ...(options.xLabel === undefined ? {} : { xLabel: options.xLabel }),
    ...(options.yLabel === undefined ? {} : { yLabel: options.yLabel }),
  });
  const colors = colorsOf(options.series);
  const w = options.smooth ?? 0;
  options.series.forEach((s, k) => {
    const color = colors[k]!;
    const smoothed = w > 0 && !s.dashed && s.y.length >= MIN_SMOOTHED;
    if (smoothed) {
      panel.polyline(xsOf(s), s.y, { color, width: 1, opacity: 0.3 });
      panel.polyline(xsOf(s), smooth(s.y, w), { color, width: 2 });
    } else {
      panel.polyline(xsOf(s), s.y, { color, width: s.dashed ? 1.4 : 1.8, dashed: s.dashed ?? false });
    }
  });
  const named = options.series.filter((s) => s.name);
  if (options.legend !== 'none' && (named.length > 1 || named.some((s) => s.dashed) || (named.length === 1 && w > 0))) {
    const entries = options.series.flatMap((s, k) => (s.name ? [{ label: s.name, color: colors[k]!, kind: s.dashed ? ('dashed' as const) : ('line' as const) }] : []));
    panel.legend(entries, options.legend ?? 'top-right');
  }
  return panel;
}

/** The colour of each series: its own, else the next of the palette (reference levels: grey). */
function colorsOf(series: readonly LineSeries[]): Color[] {
  let k = 0;
  return series.map((s) => s.color ?? (s.dashed ? ([90, 90, 90] as const) : PALETTE[k++ % PALETTE.length]!));
}

/**
 * The line chart as an SVG document.
 * @example fs.writeFileSync('losses.svg', lineChartSvg({ series, title: 'losses' }));
 */
export function lineChartSvg(options: LinePlotOptions): string {
  return figureSvg(1, { panelWidth: options.width ?? 640, panelHeight: options.height ?? 400 }, (frame) => linePanel(frame, options).svg());
}

/**
 * Draws the series as a PNG line chart.
 *
 * @example
 * const png = linePlot({
 *   series: [{ name: 'critic', x: iters, y: dCost }, { name: 'generator', x: iters, y: gCost }],
 *   title: 'losses', xLabel: 'iteration', yLabel: 'loss',
 * });
 * fs.writeFileSync('losses.png', png);
 */
export function linePlot(options: LinePlotOptions): Buffer {
  return svgToPng(lineChartSvg(options));
}

/**
 * Several line panels in one SVG figure (one quantity per panel).
 * @example panelsSvg([{ series: [critic], yLabel: 'critic loss' }, { series: [w], yLabel: 'W estimate' }], { columns: 2 })
 */
export function panelsSvg(panels: readonly LinePanelOptions[], layout: FigureLayout = {}): string {
  return figureSvg(panels.length, layout, (frame, k) => linePanel(frame, panels[k]!).svg());
}

/**
 * Several line panels in one PNG figure.
 * @example fs.writeFileSync('losses.png', panelsPlot(panels, { columns: 2, title: 'losses' }));
 */
export function panelsPlot(panels: readonly LinePanelOptions[], layout: FigureLayout = {}): Buffer {
  return svgToPng(panelsSvg(panels, layout));
}

/** True when every finite value is positive and the largest exceeds 1000× the smallest. */
function spansDecades(series: readonly LineSeries[]): boolean {
  const finite = extent(series.flatMap((s) => Array.from(s.y)));
  return finite !== undefined && finite[0] > 0 && finite[1] / finite[0] > 1e3;
}

/** [lo, hi] widened by `frac` of its span (or by ±1 / ±10% when lo = hi). */
export function padRange([lo, hi]: readonly [number, number], frac: number): [number, number] {
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - d, hi + d];
  }
  const d = (hi - lo) * frac;
  return [lo - d, hi + d];
}

function padLog([lo, hi]: readonly [number, number]): [number, number] {
  if (lo === hi) return [lo / 2, hi * 2];
  const f = (hi / lo) ** 0.05;
  return [lo / f, hi * f];
}
