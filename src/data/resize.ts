/**
 * Image resampling, one separable implementation for every caller (image folders, classifiers):
 * each axis is resampled with per-output-pixel taps (input index, weight), the vertical pass first
 * into rows of full input width, then the horizontal pass, accumulating in float64.
 *
 * Filters, all with half-pixel centres (PyTorch's align_corners=False, TF2's resize):
 * - `'bilinear'`: the two nearest input pixels, clamped at the borders, without antialiasing;
 * - `'area'`: when shrinking, the average of the input pixels each output pixel covers (fractional
 *   edge weights); bilinear when enlarging;
 * - `'nearest'`: input pixel floor((o + 0.5)·in/out).
 */

/** How to resample an axis (see the module comment). */
export type ResizeFilter = 'area' | 'bilinear' | 'nearest';

/** Per-output-pixel taps of a 1-D resampling: output j reads `index[t]` with `weight[t]`, t in [start[j], start[j] + count[j]). */
export interface ResizeTaps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

/**
 * Taps for output pixels `[from, from + n)` of an axis of `inLen` input pixels resized to `outLen`
 * (`from` > 0 crops: e.g. a centre crop of a resized axis).
 * @example const taps = resizeTaps(32, 299, 'bilinear'); // every output pixel of 32 → 299
 */
export function resizeTaps(inLen: number, outLen: number, filter: ResizeFilter, from = 0, n = outLen - from): ResizeTaps {
  const s = inLen / outLen;
  const idx: number[] = [];
  const wts: number[] = [];
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const o = from + j;
    start[j] = idx.length;
    if (filter === 'nearest') {
      idx.push(Math.min(inLen - 1, Math.floor((o + 0.5) * s)));
      wts.push(1);
    } else if (filter === 'area' && s > 1) {
      // Output pixel o covers input interval [o·s, (o+1)·s): average with fractional edge weights.
      const lo = o * s;
      const hi = (o + 1) * s;
      for (let i = Math.floor(lo); i < Math.min(Math.ceil(hi), inLen); i++) {
        const w = Math.min(hi, i + 1) - Math.max(lo, i);
        if (w > 1e-12) {
          idx.push(i);
          wts.push(w / s);
        }
      }
    } else {
      // Bilinear with pixel centres aligned (half-pixel offsets), clamped at the borders.
      const x = Math.min(Math.max((o + 0.5) * s - 0.5, 0), inLen - 1);
      const i0 = Math.floor(x);
      const f = x - i0;
      idx.push(i0);
      wts.push(1 - f);
      if (f > 0) {
        idx.push(Math.min(i0 + 1, inLen - 1));
        wts.push(f);
      }
    }
    count[j] = idx.length - start[j]!;
  }
  return { start, count, index: Int32Array.from(idx), weight: Float64Array.from(wts) };
}

/**
 * Resamples one `h × w` plane of `src` (row-major, read at `offset`, every `stride` values: 1 for a
 * plane, 4 for one channel of RGBA pixels) with vertical taps `ys` and horizontal taps `xs`, giving
 * `ys.start.length × xs.start.length` float64 values.
 * @example const out = resamplePlane(img, 32, 32, resizeTaps(32, 64, 'bilinear'), resizeTaps(32, 64, 'bilinear'));
 */
export function resamplePlane(
  src: ArrayLike<number>,
  h: number,
  w: number,
  ys: ResizeTaps,
  xs: ResizeTaps,
  opts: { offset?: number; stride?: number } = {},
): Float64Array {
  const offset = opts.offset ?? 0;
  const stride = opts.stride ?? 1;
  const H = ys.start.length;
  const W = xs.start.length;
  if (src.length < offset + (h * w - 1) * stride + 1) throw new Error(`resamplePlane: ${src.length} values cannot hold a ${h}×${w} plane at offset ${offset}, stride ${stride}`);
  // Vertical pass into rows of full input width, then horizontal pass.
  const rows = new Float64Array(H * w);
  for (let y = 0; y < H; y++) {
    const row = y * w;
    for (let t = ys.start[y]!; t < ys.start[y]! + ys.count[y]!; t++) {
      const from = offset + ys.index[t]! * w * stride;
      const wt = ys.weight[t]!;
      for (let x = 0; x < w; x++) rows[row + x] += wt * src[from + stride * x]!;
    }
  }
  const out = new Float64Array(H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let v = 0;
      for (let t = xs.start[x]!; t < xs.start[x]! + xs.count[x]!; t++) v += xs.weight[t]! * rows[y * w + xs.index[t]!]!;
      out[y * W + x] = v;
    }
  }
  return out;
}
