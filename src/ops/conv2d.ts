/**
 * 2-D convolution (cross-correlation, as in every deep-learning framework) and the geometry shared
 * by its two adjoints, conv2d_input_grad (conv-transpose2d.ts) and conv2d_weight_grad
 * (conv2d-weight-grad.ts). The three primitives' vjps are written with each other, so derivatives
 * of any order close over these three ops: conv2d's vjp is [inputGrad(g, w), weightGrad(x, g)], and
 * the adjoints' vjps follow from the bilinearity ⟨g, conv2d(x, w)⟩ = ⟨inputGrad(g, w), x⟩ =
 * ⟨weightGrad(x, g), w⟩.
 *
 * conv2d takes an optional per-channel bias b [O] as a third operand, so that backends lower
 * Conv(x, w, b) in one node: a separate broadcast Add after the convolution was 15 % of the language
 * critic's step, and onnxruntime folds a bias into Conv only when it is a constant, never a fed
 * parameter (docs/BENCHMARKS.md, "The app-layer refactor and the language model"). Its vjp is the
 * sum of g over the batch and the pixels.
 *
 * conv1d is a composite here: a conv2d over a 1-pixel-high image.
 */
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { conv2dWeightGrad } from './conv2d-weight-grad.js';
import { conv2dInputGrad } from './conv-transpose2d.js';
import { apply, defineOp, type TensorMeta } from './registry.js';
import { reshape } from './reshape.js';
import { sum } from './sum.js';

/** Stride, padding and dilation of a 2-D convolution: pads are [top, left, bottom, right] (ONNX Conv order). */
export type ConvGeometry = {
  readonly stride: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly dilation: readonly [number, number];
};

/** Output length of a convolution along one axis; may be < 1 for impossible geometries (checked by callers). */
export function convOutSize(size: number, k: number, stride: number, dilation: number, padBefore: number, padAfter: number): number {
  return Math.floor((size + padBefore + padAfter - dilation * (k - 1) - 1) / stride) + 1;
}

function checkInts(op: string, arg: string, v: unknown, n: number, min: number): void {
  if (!Array.isArray(v) || v.length !== n || !v.every((d) => Number.isInteger(d) && d >= min)) {
    throw new ShapeError(op, `${arg} must be ${n} integers >= ${min}, got ${JSON.stringify(v)}`);
  }
}

/** Validates a geometry (types and ranges); shared by the three conv primitives. */
export function checkGeometry(op: string, g: ConvGeometry): void {
  checkInts(op, 'stride', g.stride, 2, 1);
  checkInts(op, 'pads', g.pads, 4, 0);
  checkInts(op, 'dilation', g.dilation, 2, 1);
}

/** Checks a float32 rank-4 argument. */
export function expect4d(op: string, arg: string, m: TensorMeta): void {
  if (m.dtype !== 'float32') throw new ShapeError(op, `${arg} must be float32, got ${m.dtype}`);
  if (m.shape.length !== 4) throw new ShapeError(op, `${arg} must have rank 4, got ${fmt(m.shape)}`);
}

/**
 * The output spatial size of conv2d for an input of spatial size [H, W] and a [kh, kw] kernel;
 * throws naming the op when the kernel does not fit.
 */
export function convOutShape(op: string, hw: readonly number[], k: readonly number[], g: ConvGeometry): [number, number] {
  const ho = convOutSize(hw[0]!, k[0]!, g.stride[0], g.dilation[0], g.pads[0], g.pads[2]);
  const wo = convOutSize(hw[1]!, k[1]!, g.stride[1], g.dilation[1], g.pads[1], g.pads[3]);
  if (ho < 1 || wo < 1) {
    throw new ShapeError(
      op,
      `kernel ${fmt(k)} (dilation ${fmt(g.dilation)}) does not fit the padded input ${fmt(hw)} + pads ${fmt(g.pads)}`,
    );
  }
  return [ho, wo];
}

/** Just the geometry fields of an attrs object (attrs are part of the cache key: keep them minimal). */
export function geometryOf(a: ConvGeometry): ConvGeometry {
  return { stride: a.stride, pads: a.pads, dilation: a.dilation };
}

/** ONNX attributes shared by Conv and ConvTranspose. */
export function onnxConvAttrs(g: ConvGeometry, kernel: readonly number[]) {
  return {
    kernel_shape: { ints: kernel },
    strides: { ints: g.stride },
    pads: { ints: g.pads },
    dilations: { ints: g.dilation },
  } as const;
}

/**
 * The loop structure shared by the three reference kernels, precomputed once per call: for every
 * kernel tap (i, j) and output row p, the run of output columns q whose input pixel lies inside the
 * image. Each run is 4 ints: tap index i·kw + j, input offset y·W + x of its first pixel, output
 * offset p·Wo + q of its first position, and its length; along a run the output offset steps by 1
 * and the input offset by the column stride. Forward, input adjoint and weight adjoint all sum
 * x[input] · w[tap] · g[output] over the same runs.
 */
export function tapRuns(hw: readonly number[], ohw: readonly number[], k: readonly number[], g: ConvGeometry): Int32Array {
  const [H, W] = hw as [number, number];
  const [Ho, Wo] = ohw as [number, number];
  const [kh, kw] = k as [number, number];
  const [sh, sw] = g.stride;
  const [dh, dw] = g.dilation;
  const [pt, pl] = g.pads;
  const runs: number[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      // Columns q with 0 <= q·sw − pl + j·dw < W.
      const q0 = Math.max(0, Math.ceil((pl - j * dw) / sw));
      const q1 = Math.min(Wo, Math.floor((W - 1 + pl - j * dw) / sw) + 1);
      if (q1 <= q0) continue;
      for (let p = 0; p < Ho; p++) {
        const y = p * sh - pt + i * dh;
        if (y < 0 || y >= H) continue;
        runs.push(i * kw + j, y * W + q0 * sw - pl + j * dw, p * Wo + q0, q1 - q0);
      }
    }
  }
  return Int32Array.from(runs);
}

/** conv2d: x [N,C,H,W] ⋆ w [O,C,kh,kw] (+ b [O] per output channel, when given) → [N,O,Ho,Wo]. */
export const conv2dOp = defineOp<ConvGeometry>({
  name: 'conv2d',
  infer: ([x, w, b], geom) => {
    checkGeometry('conv2d', geom);
    expect4d('conv2d', 'x', x!);
    expect4d('conv2d', 'w', w!);
    const [N, C, H, W] = x!.shape as [number, number, number, number];
    const [O, C2, kh, kw] = w!.shape as [number, number, number, number];
    if (C !== C2) throw new ShapeError('conv2d', `x ${fmt(x!.shape)} has ${C} channels but w ${fmt(w!.shape)} expects ${C2}`);
    if (b) {
      if (b.dtype !== 'float32') throw new ShapeError('conv2d', `bias must be float32, got ${b.dtype}`);
      if (b.shape.length !== 1 || b.shape[0] !== O) throw new ShapeError('conv2d', `bias must have shape [${O}] (w ${fmt(w!.shape)}), got ${fmt(b.shape)}`);
    }
    const [Ho, Wo] = convOutShape('conv2d', [H, W], [kh, kw], geom);
    return { shape: [N, O, Ho, Wo], dtype: 'float32' };
  },
  // Standard ONNX Conv (B is its optional third input); the onnx backend may choose onnxruntime's
  // NCHWc kernels instead (src/backends/onnx/conv-lowering.ts).
  lower: (ctx, inputs, geom, meta) => ctx.node('Conv', inputs, onnxConvAttrs(geom, meta.inputs[1]!.shape.slice(2))),
  vjp: (g, [x, w, b], _out, geom) => [
    conv2dInputGrad(g, w!, geom, x!.shape.slice(2)),
    conv2dWeightGrad(x!, g, geom, w!.shape.slice(2)),
    ...(b ? [sum(g, [0, 2, 3])] : []),
  ],
  reference: ([x, w, b], geom, out) => {
    const [N, C, H, W] = x!.shape as [number, number, number, number];
    const [O, , kh, kw] = w!.shape as [number, number, number, number];
    const [, , Ho, Wo] = out.shape as [number, number, number, number];
    const runs = tapRuns([H, W], [Ho, Wo], [kh, kw], geom);
    const sw = geom.stride[1];
    const xd = x!.data;
    const res = new Float64Array(N * O * Ho * Wo);
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < O; o++) {
        const yo = (n * O + o) * Ho * Wo;
        for (let c = 0; c < C; c++) {
          const xo = (n * C + c) * H * W;
          const wo = (o * C + c) * kh * kw;
          for (let r = 0; r < runs.length; r += 4) {
            const wv = w!.data[wo + runs[r]!]!;
            let xi = xo + runs[r + 1]!;
            const y0 = yo + runs[r + 2]!;
            const y1 = y0 + runs[r + 3]!;
            for (let yi = y0; yi < y1; yi++, xi += sw) res[yi] += wv * xd[xi]!;
          }
        }
        if (b) for (let yi = yo; yi < yo + Ho * Wo; yi++) res[yi] += b.data[o]!;
      }
    }
    return res;
  },
});

/**
 * Applies the conv2d primitive with an explicit geometry (the form the vjps use), with an optional
 * bias [O].
 */
export function conv2dWithGeometry(x: Tensor, w: Tensor, geom: ConvGeometry, bias?: Tensor): Tensor {
  return apply(conv2dOp, bias ? [x, w, bias] : [x, w], geometryOf(geom));
}

/**
 * Padding of a convolution: a number (all sides), [top, left, bottom, right], 'valid' (none), or
 * 'same' (TensorFlow SAME: total = max((⌈H/s⌉ − 1)·s + k_eff − H, 0), before = ⌊total/2⌋, after = the rest;
 * the reference code's convolutions all use SAME).
 */
export type Padding2d = number | readonly [number, number, number, number] | 'same' | 'valid';

/** TensorFlow SAME padding along one axis: [before, after]. @example samePads(28, 5, 2) // [1, 2] */
export function samePads(size: number, k: number, stride: number, dilation = 1): [number, number] {
  const kEff = dilation * (k - 1) + 1;
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + kEff - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Resolves a {@link Padding2d} to [top, left, bottom, right] for an input of spatial size hw. */
export function resolvePads(
  op: string,
  padding: Padding2d | undefined,
  hw: readonly number[],
  k: readonly number[],
  stride: readonly number[],
  dilation: readonly number[],
): [number, number, number, number] {
  if (padding === undefined || padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    const [t, b] = samePads(hw[0]!, k[0]!, stride[0]!, dilation[0]!);
    const [l, r] = samePads(hw[1]!, k[1]!, stride[1]!, dilation[1]!);
    return [t, l, b, r];
  }
  if (typeof padding === 'number') {
    if (!Number.isInteger(padding) || padding < 0) throw new ShapeError(op, `padding must be a non-negative integer, got ${padding}`);
    return [padding, padding, padding, padding];
  }
  checkInts(op, 'padding', padding, 4, 0);
  return [...padding] as [number, number, number, number];
}

/** A number or a pair, as a pair (strides, dilations, kernel sizes). */
export function pair2(op: string, arg: string, v: number | readonly [number, number] | undefined, dflt: number): [number, number] {
  const p: [number, number] = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  checkInts(op, arg, p, 2, 1);
  return p;
}

export interface Conv2dOptions {
  /** Stride (a number or [sh, sw]); default 1. */
  stride?: number | readonly [number, number];
  /** Padding; default 0 ('valid'). */
  padding?: Padding2d;
  /** Dilation (a number or [dh, dw]); default 1. */
  dilation?: number | readonly [number, number];
  /** A per-output-channel bias [O], added in the convolution (one Conv node, no separate Add). */
  bias?: Tensor | undefined;
}

/**
 * 2-D convolution of x [N, C, H, W] with w [O, C, kh, kw] (+ an optional bias [O]) → [N, O, Ho, Wo].
 * Differentiable to any order in every argument.
 * @example const h = conv2d(x, w, { stride: 2, padding: 'same', bias: b }); // MNIST critic layer, 28×28 → 14×14
 */
export function conv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  if (x.rank !== 4) throw new ShapeError('conv2d', `x must have rank 4 [N,C,H,W], got ${fmt(x.shape)}`);
  if (w.rank !== 4) throw new ShapeError('conv2d', `w must have rank 4 [O,C,kh,kw], got ${fmt(w.shape)}`);
  const stride = pair2('conv2d', 'stride', opts.stride, 1);
  const dilation = pair2('conv2d', 'dilation', opts.dilation, 1);
  const pads = resolvePads('conv2d', opts.padding, x.shape.slice(2), w.shape.slice(2), stride, dilation);
  return conv2dWithGeometry(x, w, { stride, pads, dilation }, opts.bias);
}

export interface Conv1dOptions {
  /** Stride; default 1. */
  stride?: number;
  /** Padding: a number (both ends), [left, right], 'valid' (default) or 'same' (TensorFlow SAME). */
  padding?: number | readonly [number, number] | 'same' | 'valid';
  /** Dilation; default 1. */
  dilation?: number;
  /** A per-output-channel bias [O], added in the convolution. */
  bias?: Tensor | undefined;
}

/**
 * 1-D convolution of x [N, C, L] with w [O, C, k] → [N, O, Lo]: a composite, conv2d over a
 * 1-pixel-high image with a 1×k kernel (the language model's convolutions).
 * @example const h = conv1d(x, w, { padding: 'same' }); // [64, 512, 32] with a k=5 kernel
 */
export function conv1d(x: Tensor, w: Tensor, opts: Conv1dOptions = {}): Tensor {
  if (x.rank !== 3) throw new ShapeError('conv1d', `x must have rank 3 [N,C,L], got ${fmt(x.shape)}`);
  if (w.rank !== 3) throw new ShapeError('conv1d', `w must have rank 3 [O,C,k], got ${fmt(w.shape)}`);
  const [N, C, L] = x.shape as [number, number, number];
  const [O, C2, k] = w.shape as [number, number, number];
  const p = opts.padding;
  const padding: Padding2d =
    p === undefined || p === 'valid' || p === 'same'
      ? (p ?? 'valid')
      : typeof p === 'number'
        ? [0, p, 0, p]
        : [0, p[0], 0, p[1]];
  const y = conv2d(reshape(x, [N, C, 1, L]), reshape(w, [O, C2, 1, k]), {
    stride: [1, opts.stride ?? 1],
    dilation: [1, opts.dilation ?? 1],
    padding,
    bias: opts.bias,
  });
  return reshape(y, [N, O, y.shape[3]!]);
}
