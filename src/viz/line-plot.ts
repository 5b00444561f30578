/**
 * Line charts of training curves: several named series against iteration, optional log-y (for
 * gradient norms), with axes and a legend. The one line-chart renderer: the run's plots and the
 * charts of report.html are drawn here.
 */
import { Axes } from './axes.js';
import { type Color, PALETTE } from './canvas.js';
import { extent } from './ticks.js';

/** One curve. */
export interface LineSeries {
  readonly name: string;
  /** The values; non-finite ones (and values ≤ 0 on a log axis) break the line. */
  readonly y: ArrayLike<number>;
  /** The x of each value (default 0, 1, 2, ...). */
  readonly x?: ArrayLike<number>;
  readonly color?: Color;
}

/** Options of {@link linePlot}. */
export interface LinePlotOptions {
  readonly series: readonly LineSeries[];
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /**
   * Log y axis. `'auto'`: log when every finite value is positive and they span more than three
   * decades (the report's charts). Default false.
   */
  readonly logY?: boolean | 'auto';
  /** Canvas size in pixels (default 640×400). */
  readonly width?: number;
  readonly height?: number;
}

/**
 * Draws the series as a PNG line chart.
 *
 * @example
 * const png = linePlot({
 *   series: [{ name: 'critic', x: iters, y: dCost }, { name: 'generator', x: iters, y: gCost }],
 *   title: 'losses', xLabel: 'iteration',
 * });
 * fs.writeFileSync('losses.png', png);
 */
export function linePlot(options: LinePlotOptions): Buffer {
  const logY = options.logY === 'auto' ? spansDecades(options.series) : (options.logY ?? false);
  const xsOf = (s: LineSeries, i: number): number => (s.x ? s.x[i]! : i);
  for (const s of options.series) {
    if (s.x && s.x.length !== s.y.length) {
      throw new Error(`linePlot: series '${s.name}' has ${s.x.length} x values for ${s.y.length} y values`);
    }
  }
  const visible = (v: number): boolean => Number.isFinite(v) && (!logY || v > 0);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of options.series) {
    for (let i = 0; i < s.y.length; i++) {
      if (!visible(s.y[i]!)) continue;
      xs.push(xsOf(s, i));
      ys.push(s.y[i]!);
    }
  }
  const xRange = padRange(extent(xs) ?? [0, 1], 0);
  const yExt = extent(ys) ?? (logY ? [1, 10] : [0, 1]);
  const yRange = logY ? padLog(yExt) : padRange(yExt, 0.05);
  const ax = new Axes({
    width: options.width ?? 640,
    height: options.height ?? 400,
    xRange,
    yRange,
    logY,
    ...(options.title === undefined ? {} : { title: options.title }),
    ...(options.xLabel === undefined ? {} : { xLabel: options.xLabel }),
    ...(options.yLabel === undefined ? {} : { yLabel: options.yLabel }),
  });
  const colors = options.series.map((s, k) => s.color ?? PALETTE[k % PALETTE.length]!);
  ax.plot(() => {
    options.series.forEach((s, k) => {
      let prev: [number, number] | undefined;
      for (let i = 0; i < s.y.length; i++) {
        const v = s.y[i]!;
        if (!visible(v)) {
          prev = undefined;
          continue;
        }
        const p: [number, number] = [ax.px(xsOf(s, i)), ax.py(v)];
        if (prev) ax.canvas.line(prev[0], prev[1], p[0], p[1], colors[k]!, 2);
        else ax.canvas.fillRect(p[0] - 1, p[1] - 1, 2, 2, colors[k]!);
        prev = p;
      }
    });
  });
  if (options.series.length > 1 || options.series[0]?.name) {
    ax.legend(options.series.map((s, k) => ({ label: s.name, color: colors[k]! })));
  }
  return ax.toPng();
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
