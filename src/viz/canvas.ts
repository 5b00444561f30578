/**
 * A small RGBA raster canvas for plots: pixels with alpha blending, lines, rectangles, filled
 * circles and point markers; encodes to PNG with pngjs. Text, axes and charts are SVG (chart.ts),
 * rasterized by resvg (svg.ts).
 * Coordinates are pixels, origin at the top-left, x to the right, y down.
 */
import { PNG } from 'pngjs';

/** An sRGB colour, 0-255 per channel, with optional alpha (255 = opaque). */
export type Color = readonly [number, number, number] | readonly [number, number, number, number];

export const WHITE: Color = [255, 255, 255];
export const BLACK: Color = [0, 0, 0];
/** Matplotlib's "tab10" cycle: distinct colours for plot series. */
export const PALETTE: readonly Color[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

/** Point marker shapes. */
export type MarkerShape = 'dot' | 'plus' | 'cross' | 'square';

export class Canvas {
  /** RGBA bytes, row-major, 4 per pixel. */
  readonly data: Uint8Array;
  /** Drawing is limited to this rectangle [x0, x1) × [y0, y1) (the whole canvas by default). */
  private clip: readonly [number, number, number, number];

  /**
   * @example
   * const c = new Canvas(200, 100);
   * c.line(0, 0, 199, 99, [255, 0, 0]);
   * fs.writeFileSync('out.png', c.toPng());
   */
  constructor(
    readonly width: number,
    readonly height: number,
    background: Color = WHITE,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new Error(`Canvas: width and height must be positive integers, got ${width}×${height}`);
    }
    this.data = new Uint8Array(width * height * 4);
    this.clip = [0, 0, width, height];
    const [r, g, b] = background;
    const a = background[3] ?? 255;
    for (let i = 0; i < this.data.length; i += 4) {
      this.data[i] = r;
      this.data[i + 1] = g;
      this.data[i + 2] = b;
      this.data[i + 3] = a;
    }
  }

  /** The RGBA value at (x, y). */
  get(x: number, y: number): [number, number, number, number] {
    const i = (y * this.width + x) * 4;
    return [this.data[i]!, this.data[i + 1]!, this.data[i + 2]!, this.data[i + 3]!];
  }

  /** Paints one pixel, alpha-blended over what is there; pixels outside the canvas are ignored. */
  set(x: number, y: number, color: Color): void {
    x = Math.round(x);
    y = Math.round(y);
    const [cx0, cy0, cx1, cy1] = this.clip;
    if (x < cx0 || y < cy0 || x >= cx1 || y >= cy1) return;
    const i = (y * this.width + x) * 4;
    const a = (color[3] ?? 255) / 255;
    if (a >= 1) {
      this.data[i] = color[0];
      this.data[i + 1] = color[1];
      this.data[i + 2] = color[2];
      this.data[i + 3] = 255;
      return;
    }
    for (let k = 0; k < 3; k++) this.data[i + k] = Math.round(color[k]! * a + this.data[i + k]! * (1 - a));
    this.data[i + 3] = Math.round(255 * (a + (this.data[i + 3]! / 255) * (1 - a)));
  }

  /**
   * Runs `draw` with drawing limited to the rectangle at (x, y) of size w×h (the plot area of a chart).
   *
   * @example
   * canvas.clipped(40, 20, 400, 300, () => canvas.line(0, 0, 1000, 1000, BLACK));
   */
  clipped(x: number, y: number, w: number, h: number, draw: () => void): void {
    const saved = this.clip;
    this.clip = [
      Math.max(saved[0], Math.round(x)),
      Math.max(saved[1], Math.round(y)),
      Math.min(saved[2], Math.round(x + w)),
      Math.min(saved[3], Math.round(y + h)),
    ];
    try {
      draw();
    } finally {
      this.clip = saved;
    }
  }

  /** Fills the rectangle with top-left (x, y) and size w×h. */
  fillRect(x: number, y: number, w: number, h: number, color: Color): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) this.set(xx, yy, color);
  }

  /** Outlines the rectangle with top-left (x, y) and size w×h. */
  strokeRect(x: number, y: number, w: number, h: number, color: Color): void {
    this.line(x, y, x + w - 1, y, color);
    this.line(x, y + h - 1, x + w - 1, y + h - 1, color);
    this.line(x, y, x, y + h - 1, color);
    this.line(x + w - 1, y, x + w - 1, y + h - 1, color);
  }

  /** A straight line from (x0, y0) to (x1, y1) (Bresenham), `width` pixels thick. */
  line(x0: number, y0: number, x1: number, y1: number, color: Color, width = 1): void {
    if (![x0, y0, x1, y1].every(Number.isFinite)) return;
    let x = Math.round(x0);
    let y = Math.round(y0);
    const xe = Math.round(x1);
    const ye = Math.round(y1);
    // Clip absurdly long lines (a value far off the axes) to keep the loop bounded.
    if (Math.abs(xe - x) + Math.abs(ye - y) > 4 * (this.width + this.height)) {
      const t = this.clipSegment(x0, y0, x1, y1);
      if (!t) return;
      this.line(t[0], t[1], t[2], t[3], color, width);
      return;
    }
    const dx = Math.abs(xe - x);
    const dy = -Math.abs(ye - y);
    const sx = x < xe ? 1 : -1;
    const sy = y < ye ? 1 : -1;
    let err = dx + dy;
    const half = Math.floor((width - 1) / 2);
    for (;;) {
      if (width <= 1) this.set(x, y, color);
      else this.fillRect(x - half, y - half, width, width, color);
      if (x === xe && y === ye) break;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y += sy;
      }
    }
  }

  /** Liang-Barsky clip of a segment to the canvas (with a margin); undefined when it misses. */
  private clipSegment(x0: number, y0: number, x1: number, y1: number): [number, number, number, number] | undefined {
    const m = 2;
    let t0 = 0;
    let t1 = 1;
    const dx = x1 - x0;
    const dy = y1 - y0;
    const edges: [number, number][] = [
      [-dx, x0 + m],
      [dx, this.width - 1 + m - x0],
      [-dy, y0 + m],
      [dy, this.height - 1 + m - y0],
    ];
    for (const [p, q] of edges) {
      if (p === 0) {
        if (q < 0) return undefined;
        continue;
      }
      const r = q / p;
      if (p < 0) t0 = Math.max(t0, r);
      else t1 = Math.min(t1, r);
      if (t0 > t1) return undefined;
    }
    return [x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy];
  }

  /** A filled disc of radius r centred on (cx, cy). */
  fillCircle(cx: number, cy: number, r: number, color: Color): void {
    const x0 = Math.floor(cx - r);
    const x1 = Math.ceil(cx + r);
    const y0 = Math.floor(cy - r);
    const y1 = Math.ceil(cy + r);
    const r2 = r * r + 0.25;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r2) this.set(x, y, color);
    }
  }

  /** A point marker of half-size `size` pixels at (x, y). */
  marker(x: number, y: number, shape: MarkerShape, size: number, color: Color): void {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    const cx = Math.round(x);
    const cy = Math.round(y);
    switch (shape) {
      case 'dot':
        this.fillCircle(cx, cy, size, color);
        break;
      case 'plus':
        this.line(cx - size, cy, cx + size, cy, color);
        this.line(cx, cy - size, cx, cy + size, color);
        break;
      case 'cross':
        this.line(cx - size, cy - size, cx + size, cy + size, color);
        this.line(cx - size, cy + size, cx + size, cy - size, color);
        break;
      case 'square':
        this.fillRect(cx - size, cy - size, 2 * size + 1, 2 * size + 1, color);
        break;
    }
  }

  /** The canvas as PNG bytes. */
  toPng(): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    png.data = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    return PNG.sync.write(png);
  }
}

/** A decoded PNG: size and RGBA bytes (for tests and for reading figures back). */
export interface DecodedPng {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * Decodes PNG bytes to RGBA.
 *
 * @example
 * const { width, height, data } = decodePng(fs.readFileSync('critic.png'));
 */
export function decodePng(bytes: Uint8Array): DecodedPng {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}
