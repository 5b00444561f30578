/**
 * Sample grids for the image GANs: N images [C, H, W] (C = 1 grey or 3 RGB) tiled into one PNG,
 * like the reference's save_images.
 */
import { Canvas } from './canvas.js';

/** Options of {@link imageGrid}. */
export interface ImageGridOptions {
  /** Pixel values, N×C×H×W row-major (NCHW, as the models produce them). */
  readonly images: ArrayLike<number>;
  /** [N, C, H, W]. */
  readonly shape: readonly [number, number, number, number];
  /** Value range mapped to black..white (default [0, 1]; use [−1, 1] for tanh outputs). Clamped. */
  readonly valueRange?: readonly [number, number];
  /** Images per row (default ⌈√N⌉). */
  readonly columns?: number;
  /** Pixels between images (default 2). */
  readonly padding?: number;
  /** Integer upscaling factor (nearest neighbour; default 1). */
  readonly scale?: number;
  /** Grey level 0-255 of the padding (default 255). */
  readonly background?: number;
}

/**
 * Tiles images into a grid and returns PNG bytes.
 *
 * @example
 * const samples = await generator(fixedNoise).data(); // [64, 3, 32, 32] in [−1, 1]
 * fs.writeFileSync('samples.png', imageGrid({ images: samples, shape: [64, 3, 32, 32], valueRange: [-1, 1] }));
 */
export function imageGrid(options: ImageGridOptions): Buffer {
  const [n, ch, h, w] = options.shape;
  if (!options.shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`imageGrid: shape must be 4 positive integers [N,C,H,W], got [${options.shape.join(',')}]`);
  }
  if (ch !== 1 && ch !== 3) throw new Error(`imageGrid: C must be 1 or 3, got shape [${options.shape.join(',')}]`);
  if (options.images.length !== n * ch * h * w) {
    throw new Error(`imageGrid: images has ${options.images.length} values, shape [${options.shape.join(',')}] needs ${n * ch * h * w}`);
  }
  const [lo, hi] = options.valueRange ?? [0, 1];
  if (!(hi > lo)) throw new Error(`imageGrid: valueRange must have hi > lo, got [${lo}, ${hi}]`);
  const cols = options.columns ?? Math.ceil(Math.sqrt(n));
  if (!Number.isInteger(cols) || cols < 1) throw new Error(`imageGrid: columns must be a positive integer, got ${cols}`);
  const rows = Math.ceil(n / cols);
  const pad = options.padding ?? 2;
  const scale = options.scale ?? 1;
  const bg = options.background ?? 255;
  const cw = w * scale;
  const chh = h * scale;
  const canvas = new Canvas(cols * cw + (cols + 1) * pad, rows * chh + (rows + 1) * pad, [bg, bg, bg]);
  const data = canvas.data;
  const toByte = (v: number): number => {
    const t = (v - lo) / (hi - lo);
    return Number.isNaN(t) ? 0 : Math.round(255 * Math.min(1, Math.max(0, t)));
  };
  const plane = h * w;
  for (let k = 0; k < n; k++) {
    const ox = pad + (k % cols) * (cw + pad);
    const oy = pad + Math.floor(k / cols) * (chh + pad);
    const base = k * ch * plane;
    for (let y = 0; y < chh; y++) {
      const sy = Math.floor(y / scale);
      for (let x = 0; x < cw; x++) {
        const s = base + sy * w + Math.floor(x / scale);
        const r = toByte(options.images[s]!);
        const g = ch === 3 ? toByte(options.images[s + plane]!) : r;
        const b = ch === 3 ? toByte(options.images[s + 2 * plane]!) : r;
        const i = ((oy + y) * canvas.width + ox + x) * 4;
        data[i] = r;
        data[i + 1] = g;
        data[i + 2] = b;
        data[i + 3] = 255;
      }
    }
  }
  return canvas.toPng();
}
