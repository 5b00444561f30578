/**
 * Histograms of weights (paper Figure 1b: clipping piles weights at ±c; the gradient penalty
 * spreads them), one or more named sets overlaid with transparency.
 */
import { type Color, PALETTE } from './canvas.js';
import { figureSvg, Panel } from './chart.js';
import { padRange } from './line-plot.js';
import { svgToPng } from './svg.js';
import { extent } from './ticks.js';

/** Counts of `values` in `bins` equal bins over [lo, hi]; values outside (and NaN) are not counted. */
export function histogram(values: ArrayLike<number>, bins: number, [lo, hi]: readonly [number, number]): number[] {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram: bins must be a positive integer, got ${bins}`);
  if (!(hi > lo)) throw new Error(`histogram: range must have hi > lo, got [${lo}, ${hi}]`);
  const counts = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= lo && v <= hi)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / w))]!++;
  }
  return counts;
}

/** One set of values. */
export interface HistogramSeries {
  readonly name: string;
  readonly values: ArrayLike<number>;
  readonly color?: Color;
}

/** Options of {@link histogramPlot}. */
export interface HistogramPlotOptions {
  readonly series: readonly HistogramSeries[];
  /** Number of bins (default 50). */
  readonly bins?: number;
  /** Binned range (default: the finite extent of all values). */
  readonly range?: readonly [number, number];
  readonly title?: string;
  readonly xLabel?: string;
  /** Log-scaled counts. */
  readonly logY?: boolean;
  /** Size in SVG pixels (default 640×400). */
  readonly width?: number;
  readonly height?: number;
}

/**
 * Draws the histograms as a PNG bar chart (bars at 50% opacity when several sets overlap).
 *
 * @example
 * const png = histogramPlot({ series: [{ name: 'clip', values: w1 }, { name: 'gp', values: w2 }], bins: 60 });
 */
export function histogramPlot(options: HistogramPlotOptions): Buffer {
  const bins = options.bins ?? 50;
  const all: number[] = [];
  for (const s of options.series) for (let i = 0; i < s.values.length; i++) all.push(s.values[i]!);
  const range = padRange(options.range ?? extent(all) ?? [0, 1], 0);
  const counts = options.series.map((s) => histogram(s.values, bins, range));
  const maxCount = Math.max(1, ...counts.flat());
  const logY = options.logY ?? false;
  const colors = options.series.map((s, k) => s.color ?? PALETTE[k % PALETTE.length]!);
  const w = (range[1] - range[0]) / bins;
  const base = logY ? 0.8 : 0;
  const svg = figureSvg(1, { panelWidth: options.width ?? 640, panelHeight: options.height ?? 400 }, (frame) => {
    const p = new Panel(frame, {
      xRange: range,
      yRange: logY ? [0.8, maxCount * 1.3] : [0, maxCount * 1.05],
      logY,
      ...(options.title === undefined ? {} : { title: options.title }),
      ...(options.xLabel === undefined ? {} : { xLabel: options.xLabel }),
      yLabel: 'count',
    });
    counts.forEach((cs, k) => {
      const [r, g, b] = colors[k]!;
      const fill: Color = options.series.length > 1 ? [r, g, b, 128] : [r, g, b];
      cs.forEach((n, i) => {
        if (n > 0) p.rect(range[0] + i * w, base, range[0] + (i + 1) * w, n, fill);
      });
    });
    p.legend(options.series.map((s, k) => ({ label: s.name, color: colors[k]!, kind: 'box' as const })));
    return p.svg();
  });
  return svgToPng(svg);
}
