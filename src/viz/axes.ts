/**
 * A 2-D chart frame on a {@link Canvas}: maps data coordinates to pixels, draws grid lines, ticks,
 * tick labels, axis labels, a title, a border and a legend. The plots (line, histogram, contour)
 * are built on it.
 */
import { BLACK, Canvas, type Color, WHITE } from './canvas.js';
import { formatNumber, linearTicks, logTicks } from './ticks.js';

/** Options of {@link Axes}. */
export interface AxesOptions {
  /** Canvas size in pixels. */
  readonly width: number;
  readonly height: number;
  /** Data range shown on each axis, [min, max]. */
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number];
  /** Logarithmic y axis (yRange must be positive). */
  readonly logY?: boolean;
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Extra pixels kept free on the right of the plot area (for a colour bar). */
  readonly rightExtra?: number;
  /** Light grid lines at the ticks (default true). */
  readonly grid?: boolean;
}

/** A legend entry: a line sample, a marker or a filled box in `color`. */
export interface LegendEntry {
  readonly label: string;
  readonly color: Color;
  readonly kind?: 'line' | 'marker' | 'box';
}

const GRID: Color = [225, 225, 225];
const TEXT: Color = [40, 40, 40];

export class Axes {
  readonly canvas: Canvas;
  /** Plot area in pixels: left/top corner and size. */
  readonly left: number;
  readonly top: number;
  readonly plotWidth: number;
  readonly plotHeight: number;
  private readonly y0: number;
  private readonly y1: number;

  /**
   * @example
   * const ax = new Axes({ width: 640, height: 400, xRange: [0, 100], yRange: [-1, 1], title: 'loss' });
   * ax.plot(() => ax.canvas.line(ax.px(0), ax.py(0), ax.px(100), ax.py(1), [255, 0, 0]));
   * const png = ax.toPng();
   */
  constructor(readonly options: AxesOptions) {
    const { width, height } = options;
    this.canvas = new Canvas(width, height, WHITE);
    const [ylo, yhi] = options.yRange;
    if (options.logY && !(ylo > 0 && yhi > 0)) {
      throw new Error(`Axes: a log y axis needs a positive yRange, got [${ylo}, ${yhi}]`);
    }
    this.y0 = options.logY ? Math.log10(ylo) : ylo;
    this.y1 = options.logY ? Math.log10(yhi) : yhi;
    const yTickLabels = this.yTicks().map(formatNumber);
    const labelWidth = Math.max(0, ...yTickLabels.map((t) => Canvas.textWidth(t)));
    this.left = 10 + (options.yLabel ? 12 : 0) + labelWidth + 6;
    this.top = options.title ? 26 : 10;
    const bottom = 22 + (options.xLabel ? 12 : 0);
    const right = 12 + (options.rightExtra ?? 0);
    this.plotWidth = width - this.left - right;
    this.plotHeight = height - this.top - bottom;
    if (this.plotWidth < 10 || this.plotHeight < 10) {
      throw new Error(`Axes: ${width}×${height} pixels leave no room for the plot area`);
    }
    this.drawDecorations();
  }

  /** Pixel column of data x. */
  px(x: number): number {
    const [a, b] = this.options.xRange;
    return this.left + ((x - a) / (b - a || 1)) * (this.plotWidth - 1);
  }

  /** Pixel row of data y (log-scaled on a log axis; NaN for y ≤ 0 there). */
  py(y: number): number {
    const v = this.options.logY ? (y > 0 ? Math.log10(y) : Number.NaN) : y;
    return this.top + (1 - (v - this.y0) / (this.y1 - this.y0 || 1)) * (this.plotHeight - 1);
  }

  /** Runs `draw` clipped to the plot area. */
  plot(draw: () => void): void {
    this.canvas.clipped(this.left, this.top, this.plotWidth, this.plotHeight, draw);
  }

  private xTicks(): number[] {
    const [a, b] = this.options.xRange;
    return linearTicks(a, b, Math.max(2, Math.floor(this.options.width / 90)));
  }

  private yTicks(): number[] {
    const [a, b] = this.options.yRange;
    return this.options.logY ? logTicks(a, b) : linearTicks(a, b, Math.max(2, Math.floor(this.options.height / 60)));
  }

  private drawDecorations(): void {
    const c = this.canvas;
    const { left, top, plotWidth: w, plotHeight: h } = this;
    const grid = this.options.grid ?? true;
    for (const t of this.xTicks()) {
      const x = Math.round(this.px(t));
      if (grid) c.line(x, top, x, top + h - 1, GRID);
      c.line(x, top + h, x, top + h + 3, TEXT);
      c.text(formatNumber(t), x, top + h + 6, TEXT, { align: 'center' });
    }
    for (const t of this.yTicks()) {
      const y = Math.round(this.py(t));
      if (grid) c.line(left, y, left + w - 1, y, GRID);
      c.line(left - 4, y, left - 1, y, TEXT);
      c.text(formatNumber(t), left - 6, y, TEXT, { align: 'right', baseline: 'middle' });
    }
    if (this.options.title) c.text(this.options.title, left + w / 2, 8, BLACK, { align: 'center', scale: 2 });
    if (this.options.xLabel) {
      c.text(this.options.xLabel, left + w / 2, this.options.height - 4, TEXT, { align: 'center', baseline: 'bottom' });
    }
    if (this.options.yLabel) c.text(this.options.yLabel, 4, top + h / 2, TEXT, { align: 'center', vertical: true });
  }

  /**
   * A boxed legend in the plot area's top-right corner (or top-left).
   *
   * @example
   * ax.legend([{ label: 'critic', color: PALETTE[0] }, { label: 'generator', color: PALETTE[1] }]);
   */
  legend(entries: readonly LegendEntry[], corner: 'top-right' | 'top-left' = 'top-right'): void {
    if (entries.length === 0) return;
    const c = this.canvas;
    const rowH = 12;
    const textW = Math.max(...entries.map((e) => Canvas.textWidth(e.label)));
    const boxW = textW + 30;
    const boxH = entries.length * rowH + 6;
    const x = corner === 'top-right' ? this.left + this.plotWidth - boxW - 6 : this.left + 6;
    const y = this.top + 6;
    c.fillRect(x, y, boxW, boxH, [255, 255, 255, 220]);
    c.strokeRect(x, y, boxW, boxH, [160, 160, 160]);
    entries.forEach((e, i) => {
      const cy = y + 4 + i * rowH + 4;
      const kind = e.kind ?? 'line';
      if (kind === 'line') c.line(x + 5, cy, x + 19, cy, e.color, 2);
      else if (kind === 'box') c.fillRect(x + 7, cy - 4, 10, 9, e.color);
      else c.marker(x + 12, cy, 'plus', 3, e.color);
      c.text(e.label, x + 24, cy, TEXT, { baseline: 'middle' });
    });
  }

  /** Draws the plot-area border and encodes the canvas as PNG. */
  toPng(): Buffer {
    this.canvas.strokeRect(this.left - 1, this.top - 1, this.plotWidth + 2, this.plotHeight + 2, TEXT);
    return this.canvas.toPng();
  }
}
