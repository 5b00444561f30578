/**
 * One chart panel as SVG: a frame that maps data coordinates to pixels, with grid lines, ticks,
 * tick labels, axis labels, a title, a legend and a clip path for what is drawn inside; and the
 * layout of several panels into one figure. Every plot of the project (line charts, histograms,
 * heat maps, the report's charts) is built from these panels.
 */
import type { Color } from './canvas.js';
import { f, opacityOf, paint, svgDocument, text, textWidth } from './svg.js';
import { formatNumber, linearTicks, logTicks } from './ticks.js';

/** A rectangle in SVG pixels. */
export interface Frame {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Options of {@link Panel}. */
export interface PanelOptions {
  /** Data range shown on each axis, [min, max]. */
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number];
  /** Logarithmic y axis (yRange must be positive). */
  readonly logY?: boolean;
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Pixels kept free right of the plot area (for a colour bar). */
  readonly rightExtra?: number;
  /** Light grid lines at the ticks (default true). */
  readonly grid?: boolean;
  /** Make the plot area square (maps, where x and y are the same unit). */
  readonly square?: boolean;
}

/** A legend entry: a line (dashed for reference levels), a marker or a filled box in `color`. */
export interface LegendEntry {
  readonly label: string;
  readonly color: Color;
  readonly kind?: 'line' | 'dashed' | 'marker' | 'box';
}

/** Text sizes (SVG px). */
export const FONT = { tick: 10, label: 11.5, title: 12.5, legend: 10 } as const;
const GRID = 'rgb(228,228,228)';
const INK = 'rgb(40,40,40)';

let ids = 0;
/** A document-unique id for clip paths and gradients (several SVGs are inlined in one report). */
export function uniqueId(prefix: string): string {
  return `${prefix}${++ids}`;
}

export class Panel {
  /** The plot area in SVG pixels. */
  readonly left: number;
  readonly top: number;
  readonly plotWidth: number;
  readonly plotHeight: number;
  private readonly y0: number;
  private readonly y1: number;
  private readonly clipId: string;
  private readonly decorations: string[] = [];
  private readonly content: string[] = [];
  private readonly overlay: string[] = [];

  /**
   * @example
   * const p = new Panel({ x: 0, y: 0, width: 400, height: 260 }, { xRange: [0, 100], yRange: [-1, 1], title: 'loss', yLabel: 'loss' });
   * p.polyline([0, 100], [0, 1], { color: [200, 0, 0] });
   * const svg = svgDocument(400, 260, [p.svg()]);
   */
  constructor(
    readonly frame: Frame,
    readonly options: PanelOptions,
  ) {
    const [ylo, yhi] = options.yRange;
    if (options.logY && !(ylo > 0 && yhi > 0)) {
      throw new Error(`Panel: a log y axis needs a positive yRange, got [${ylo}, ${yhi}]`);
    }
    this.y0 = options.logY ? Math.log10(ylo) : ylo;
    this.y1 = options.logY ? Math.log10(yhi) : yhi;
    const yLabels = this.yTicks().map(formatNumber);
    const labelWidth = Math.max(0, ...yLabels.map((t) => textWidth(t, FONT.tick)));
    let left = frame.x + 8 + (options.yLabel ? FONT.label + 6 : 0) + labelWidth + 6;
    let top = frame.y + (options.title ? FONT.title + 12 : 8);
    const bottom = frame.y + frame.height - (FONT.tick + 12 + (options.xLabel ? FONT.label + 6 : 0));
    const right = frame.x + frame.width - 10 - (options.rightExtra ?? 0);
    let w = right - left;
    let h = bottom - top;
    if (options.square) {
      const s = Math.min(w, h);
      left += (w - s) / 2;
      top += (h - s) / 2;
      w = h = s;
    }
    if (w < 10 || h < 10) throw new Error(`Panel: a ${frame.width}×${frame.height} frame leaves no room for the plot area`);
    this.left = left;
    this.top = top;
    this.plotWidth = w;
    this.plotHeight = h;
    this.clipId = uniqueId('clip');
    this.drawDecorations();
  }

  /** Pixel x of data x. */
  px(x: number): number {
    const [a, b] = this.options.xRange;
    return this.left + ((x - a) / (b - a || 1)) * this.plotWidth;
  }

  /** Pixel y of data y (log-scaled on a log axis; NaN for y ≤ 0 there). */
  py(y: number): number {
    const v = this.options.logY ? (y > 0 ? Math.log10(y) : Number.NaN) : y;
    return this.top + (1 - (v - this.y0) / (this.y1 - this.y0 || 1)) * this.plotHeight;
  }

  /** Adds raw SVG inside the plot area (clipped to it). */
  add(svg: string): void {
    this.content.push(svg);
  }

  /** Adds raw SVG on top of everything, unclipped (labels, colour bars). */
  addOverlay(svg: string): void {
    this.overlay.push(svg);
  }

  /**
   * A line through the points (x[i], y[i]); non-finite values (and y ≤ 0 on a log axis) break it.
   * An isolated point is drawn as a dot so a single logged value still shows.
   */
  polyline(xs: ArrayLike<number>, ys: ArrayLike<number>, o: { color: Color; width?: number; dashed?: boolean; opacity?: number }): void {
    const runs: string[][] = [];
    let cur: string[] = [];
    for (let i = 0; i < ys.length; i++) {
      const X = this.px(xs[i]!);
      const Y = this.py(ys[i]!);
      if (!Number.isFinite(X) || !Number.isFinite(Y)) {
        if (cur.length) runs.push(cur);
        cur = [];
        continue;
      }
      cur.push(`${f(X)},${f(Y)}`);
    }
    if (cur.length) runs.push(cur);
    const width = o.width ?? 1.6;
    const opacity = (o.opacity ?? 1) * opacityOf(o.color);
    const op = opacity < 1 ? ` stroke-opacity="${f(opacity)}"` : '';
    const dash = o.dashed ? ` stroke-dasharray="6 4"` : '';
    for (const r of runs) {
      if (r.length === 1) {
        const [X, Y] = r[0]!.split(',');
        this.add(`<circle cx="${X}" cy="${Y}" r="${f(width + 1)}" fill="${paint(o.color)}"${opacity < 1 ? ` fill-opacity="${f(opacity)}"` : ''}/>`);
      } else {
        this.add(`<polyline points="${r.join(' ')}" fill="none" stroke="${paint(o.color)}" stroke-width="${f(width)}" stroke-linejoin="round" stroke-linecap="round"${op}${dash}/>`);
      }
    }
  }

  /** Point markers at n×2 row-major `points`: '+' or filled dots. */
  markers(points: ArrayLike<number>, o: { color: Color; shape?: 'plus' | 'dot'; size?: number; opacity?: number }): void {
    if (points.length % 2 !== 0) throw new Error(`Panel.markers: points must be n×2, got ${points.length} values`);
    const s = o.size ?? 3;
    const parts: string[] = [];
    for (let k = 0; k < points.length; k += 2) {
      const X = this.px(points[k]!);
      const Y = this.py(points[k + 1]!);
      if (!Number.isFinite(X) || !Number.isFinite(Y)) continue;
      parts.push(o.shape === 'dot' ? `M${f(X - s / 2)},${f(Y)}h${f(s)}` : `M${f(X - s)},${f(Y)}h${f(2 * s)}M${f(X)},${f(Y - s)}v${f(2 * s)}`);
    }
    if (parts.length === 0) return;
    const width = o.shape === 'dot' ? s : 1.3;
    const opacity = (o.opacity ?? 1) * opacityOf(o.color);
    this.add(`<path d="${parts.join('')}" stroke="${paint(o.color)}" stroke-width="${f(width)}" stroke-linecap="${o.shape === 'dot' ? 'round' : 'butt'}"${opacity < 1 ? ` stroke-opacity="${f(opacity)}"` : ''}/>`);
  }

  /** A filled rectangle between data corners (x0, y0) and (x1, y1). */
  rect(x0: number, y0: number, x1: number, y1: number, color: Color): void {
    const X0 = this.px(Math.min(x0, x1));
    const X1 = this.px(Math.max(x0, x1));
    const Ya = this.py(y0);
    const Yb = this.py(y1);
    const op = opacityOf(color);
    this.add(`<rect x="${f(X0)}" y="${f(Math.min(Ya, Yb))}" width="${f(X1 - X0)}" height="${f(Math.abs(Yb - Ya))}" fill="${paint(color)}"${op < 1 ? ` fill-opacity="${f(op)}"` : ''}/>`);
  }

  /** An image (a data URI) stretched over the whole plot area, pixelated when upscaled. */
  image(href: string): void {
    this.add(
      `<image x="${f(this.left)}" y="${f(this.top)}" width="${f(this.plotWidth)}" height="${f(this.plotHeight)}" preserveAspectRatio="none" ` +
        `style="image-rendering:optimizeQuality" href="${href}" xlink:href="${href}"/>`,
    );
  }

  private xTicks(): number[] {
    const [a, b] = this.options.xRange;
    return linearTicks(a, b, Math.max(2, Math.floor(this.frame.width / 85)));
  }

  private yTicks(): number[] {
    const [a, b] = this.options.yRange;
    return this.options.logY ? logTicks(a, b) : linearTicks(a, b, Math.max(2, Math.floor(this.frame.height / 55)));
  }

  private drawDecorations(): void {
    const d = this.decorations;
    const { left, top, plotWidth: w, plotHeight: h } = this;
    const grid = this.options.grid ?? true;
    const ticks: string[] = [];
    for (const t of this.xTicks()) {
      const x = this.px(t);
      if (grid) d.push(`<line x1="${f(x)}" y1="${f(top)}" x2="${f(x)}" y2="${f(top + h)}" stroke="${GRID}" stroke-width="1"/>`);
      ticks.push(`M${f(x)},${f(top + h)}v4`);
      d.push(text(formatNumber(t), x, top + h + 6, { size: FONT.tick, anchor: 'middle', baseline: 'top' }));
    }
    for (const t of this.yTicks()) {
      const y = this.py(t);
      if (grid) d.push(`<line x1="${f(left)}" y1="${f(y)}" x2="${f(left + w)}" y2="${f(y)}" stroke="${GRID}" stroke-width="1"/>`);
      ticks.push(`M${f(left)},${f(y)}h-4`);
      d.push(text(formatNumber(t), left - 6, y, { size: FONT.tick, anchor: 'end', baseline: 'middle' }));
    }
    d.push(`<path d="${ticks.join('')}" stroke="${INK}" stroke-width="1"/>`);
    const o = this.options;
    const fr = this.frame;
    if (o.title) d.push(text(o.title, left + w / 2, fr.y + 4, { size: FONT.title, anchor: 'middle', baseline: 'top', bold: true }));
    if (o.xLabel) d.push(text(o.xLabel, left + w / 2, fr.y + fr.height - 4, { size: FONT.label, anchor: 'middle' }));
    if (o.yLabel) d.push(text(o.yLabel, fr.x + 6, top + h / 2, { size: FONT.label, anchor: 'middle', baseline: 'top', rotate: -90 }));
  }

  /**
   * A boxed legend inside the plot area, in a corner.
   * @example panel.legend([{ label: 'critic', color: PALETTE[0] }, { label: 'real data', color: GREY, kind: 'dashed' }]);
   */
  legend(entries: readonly LegendEntry[], corner: 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' = 'top-right'): void {
    if (entries.length === 0) return;
    const rowH = FONT.legend + 5;
    const boxW = Math.max(...entries.map((e) => textWidth(e.label, FONT.legend))) + 34;
    const boxH = entries.length * rowH + 6;
    const x = corner.endsWith('right') ? this.left + this.plotWidth - boxW - 6 : this.left + 6;
    const y = corner.startsWith('top') ? this.top + 6 : this.top + this.plotHeight - boxH - 6;
    const out = [`<rect x="${f(x)}" y="${f(y)}" width="${f(boxW)}" height="${f(boxH)}" fill="white" fill-opacity="0.85" stroke="rgb(170,170,170)"/>`];
    entries.forEach((e, i) => {
      const cy = y + 3 + i * rowH + rowH / 2;
      const c = paint(e.color);
      const kind = e.kind ?? 'line';
      if (kind === 'line' || kind === 'dashed') {
        out.push(`<line x1="${f(x + 5)}" y1="${f(cy)}" x2="${f(x + 25)}" y2="${f(cy)}" stroke="${c}" stroke-width="2"${kind === 'dashed' ? ' stroke-dasharray="5 3"' : ''}/>`);
      } else if (kind === 'box') {
        out.push(`<rect x="${f(x + 9)}" y="${f(cy - 4)}" width="10" height="9" fill="${c}"/>`);
      } else {
        out.push(`<path d="M${f(x + 11)},${f(cy)}h8M${f(x + 15)},${f(cy - 4)}v8" stroke="${c}" stroke-width="1.6"/>`);
      }
      out.push(text(e.label, x + 30, cy, { size: FONT.legend, baseline: 'middle' }));
    });
    this.overlay.push(out.join(''));
  }

  /** The panel's SVG elements (no document wrapper): decorations, clipped content, border, overlay. */
  svg(): string {
    const { left, top, plotWidth: w, plotHeight: h } = this;
    return (
      `<g class="panel">${this.decorations.join('')}` +
      `<clipPath id="${this.clipId}"><rect x="${f(left)}" y="${f(top)}" width="${f(w)}" height="${f(h)}"/></clipPath>` +
      `<g clip-path="url(#${this.clipId})">${this.content.join('')}</g>` +
      `<rect x="${f(left)}" y="${f(top)}" width="${f(w)}" height="${f(h)}" fill="none" stroke="${INK}" stroke-width="1"/>` +
      `${this.overlay.join('')}</g>`
    );
  }
}

/** Options of {@link figureSvg}. */
export interface FigureLayout {
  /** Panels per row (default: all in one row). */
  readonly columns?: number;
  /** Size of each panel's frame in SVG pixels (default 400×280). */
  readonly panelWidth?: number;
  readonly panelHeight?: number;
  /** A title over all panels. */
  readonly title?: string;
  /** Space between panels (default 16). */
  readonly gap?: number;
}

/** Height of a figure's title band. */
const FIGURE_TITLE = 26;

/**
 * The frames of `n` panels laid out in rows of `columns`, with `gap` pixels between them, and the
 * figure's size.
 * @example const { frames, width, height } = figureLayout(4, { columns: 2 });
 */
export function figureLayout(n: number, o: FigureLayout = {}): { frames: Frame[]; width: number; height: number } {
  const cols = Math.max(1, Math.min(n, o.columns ?? n));
  const rows = Math.ceil(n / cols);
  const pw = o.panelWidth ?? 400;
  const ph = o.panelHeight ?? 280;
  const gap = o.gap ?? 16;
  const top = o.title ? FIGURE_TITLE : 0;
  const frames = Array.from({ length: n }, (_, k) => ({ x: (k % cols) * (pw + gap), y: top + Math.floor(k / cols) * (ph + gap), width: pw, height: ph }));
  return { frames, width: cols * pw + (cols - 1) * gap, height: top + rows * ph + (rows - 1) * gap };
}

/**
 * One SVG document holding panels drawn by `draw(frame, k)` in the frames of {@link figureLayout}.
 * @example const svg = figureSvg(2, { columns: 2, title: 'losses' }, (frame, k) => linePanel(frame, specs[k]).svg());
 */
export function figureSvg(n: number, o: FigureLayout, draw: (frame: Frame, k: number) => string): string {
  const { frames, width, height } = figureLayout(n, o);
  const body = frames.map((fr, k) => draw(fr, k));
  if (o.title) {
    // Shrunk to fit the figure's width (bold glyphs are about 0.7 em wide).
    const size = Math.min(FONT.title + 1.5, (width - 8) / (0.7 * [...o.title].length));
    body.unshift(text(o.title, width / 2, 6, { size: Math.round(size * 10) / 10, anchor: 'middle', baseline: 'top', bold: true }));
  }
  return svgDocument(width, height, body);
}
