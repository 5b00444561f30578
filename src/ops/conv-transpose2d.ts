/**
 * The adjoint of conv2d with respect to its input (conv2d_input_grad), which is also the transposed
 * convolution ("deconvolution") of generators: convTranspose2d(x, w) with w [Cin, Cout, kh, kw] is
 * exactly the input gradient of a conv2d from Cout to Cin channels with the same kernel.
 *
 * Lowered to ONNX ConvTranspose, whose weight layout [Cin, Cout/group, kh, kw] is conv2d's
 * [O, C, kh, kw]; `output_padding` (the rows/columns at the end of x that the forward conv never
 * read, 0 ≤ r < stride) reproduces the input shape exactly. (The onnx backend lowers small inputs
 * as one GEMM + Col2Im, and may use onnxruntime's NCHWc kernels: src/backends/onnx/conv-lowering.ts.)
 */
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  checkGeometry,
  conv2dWithGeometry,
  convOutShape,
  expect4d,
  geometryOf,
  onnxConvAttrs,
  pair2,
  resolvePads,
  samePads,
  tapRuns,
  type ConvGeometry,
  type Padding2d,
} from './conv2d.js';
import { conv2dWeightGrad } from './conv2d-weight-grad.js';
import { apply, defineOp, type LowerCtx, type LowerMeta } from './registry.js';

export type InputGradAttrs = ConvGeometry & {
  /** Spatial size [H, W] of the conv2d input this is the gradient of. */
  readonly inputShape: readonly [number, number];
};

/** conv2d_input_grad: g [N,O,Ho,Wo], w [O,C,kh,kw] → dx [N,C,H,W] = Jᵀg of x ↦ conv2d(x, w). */
export const conv2dInputGradOp = defineOp<InputGradAttrs>({
  name: 'conv2d_input_grad',
  infer: ([g, w], a) => {
    const op = 'conv2d_input_grad';
    checkGeometry(op, a);
    expect4d(op, 'g', g!);
    expect4d(op, 'w', w!);
    const [N, O, Ho, Wo] = g!.shape as [number, number, number, number];
    const [O2, C, kh, kw] = w!.shape as [number, number, number, number];
    if (O !== O2) throw new ShapeError(op, `g ${fmt(g!.shape)} has ${O} channels but w ${fmt(w!.shape)} has ${O2} output channels`);
    const want = convOutShape(op, a.inputShape, [kh, kw], a);
    if (want[0] !== Ho || want[1] !== Wo) {
      throw new ShapeError(
        op,
        `g ${fmt(g!.shape)} is not the output shape of a conv over ${fmt(a.inputShape)} with kernel ${fmt([kh, kw])}, ` +
          `stride ${fmt(a.stride)}, pads ${fmt(a.pads)}, dilation ${fmt(a.dilation)} (that gives ${fmt(want)})`,
      );
    }
    return { shape: [N, C, a.inputShape[0], a.inputShape[1]], dtype: 'float32' };
  },
  // Standard ONNX ConvTranspose; the onnx backend chooses other lowerings by shape and target
  // (src/backends/onnx/conv-lowering.ts).
  lower: (ctx, inputs, a, meta) => lowerAsConvTranspose(ctx, inputs, a, meta),
  vjp: (ct, [g, w], _out, a) => [conv2dWithGeometry(ct, w!, a), conv2dWeightGrad(ct, g!, a, w!.shape.slice(2))],
  reference: ([g, w], a, out) => {
    const [N, O, Ho, Wo] = g!.shape as [number, number, number, number];
    const [, C, kh, kw] = w!.shape as [number, number, number, number];
    const [H, W] = out.shape.slice(2) as [number, number];
    const runs = tapRuns([H, W], [Ho, Wo], [kh, kw], a);
    const sw = a.stride[1];
    const gd = g!.data;
    const res = new Float64Array(N * C * H * W);
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < O; o++) {
        const go = (n * O + o) * Ho * Wo;
        for (let c = 0; c < C; c++) {
          const xo = (n * C + c) * H * W;
          const wo = (o * C + c) * kh * kw;
          for (let r = 0; r < runs.length; r += 4) {
            const wv = w!.data[wo + runs[r]!]!;
            let xi = xo + runs[r + 1]!;
            const y0 = go + runs[r + 2]!;
            const y1 = y0 + runs[r + 3]!;
            for (let yi = y0; yi < y1; yi++, xi += sw) res[xi] += wv * gd[yi]!;
          }
        }
      }
    }
    return res;
  },
});

/**
 * The gradient of conv2d(x, w, geom) with respect to x for the output cotangent g, where x has
 * spatial size `inputShape` (the primitive the vjps use).
 * @example const dx = conv2dInputGrad(g, w, { stride: [2, 2], pads: [1, 1, 2, 2], dilation: [1, 1] }, [28, 28]);
 */
export function conv2dInputGrad(g: Tensor, w: Tensor, geom: ConvGeometry, inputShape: readonly number[]): Tensor {
  if (inputShape.length !== 2) throw new ShapeError('conv2d_input_grad', `inputShape must be [H, W], got ${fmt(inputShape)}`);
  return apply(conv2dInputGradOp, [g, w], { ...geometryOf(geom), inputShape: [inputShape[0]!, inputShape[1]!] as const });
}

export interface ConvTranspose2dOptions {
  /** Stride (a number or [sh, sw]); default 1. */
  stride?: number | readonly [number, number];
  /**
   * Padding of the equivalent forward conv (the one whose input gradient this is). 'same' (TensorFlow
   * conv2d_transpose SAME) gives an output of stride × the input size by default; a number or
   * [t, l, b, r] gives (H − 1)·s + k − t − b by default. Default 0.
   */
  padding?: Padding2d;
  /** Output spatial size [H, W]; must be one the forward conv maps onto the input size. */
  outputShape?: readonly [number, number];
  /** Dilation; default 1. */
  dilation?: number | readonly [number, number];
}

/**
 * Transposed convolution of x [N, Cin, H, W] with w [Cin, Cout, kh, kw] → [N, Cout, Ho, Wo]: the input
 * gradient of the conv2d from Cout to Cin channels with the same kernel and options (no bias).
 * The reference code's "Deconv2D" is `convTranspose2d(x, w, { stride: 2, padding: 'same' })`: 2H × 2W.
 * @example const up = convTranspose2d(h, w, { stride: 2, padding: 'same' }); // [50,128,7,7] → [50,64,14,14]
 */
export function convTranspose2d(x: Tensor, w: Tensor, opts: ConvTranspose2dOptions = {}): Tensor {
  const op = 'convTranspose2d';
  if (x.rank !== 4) throw new ShapeError(op, `x must have rank 4 [N,Cin,H,W], got ${fmt(x.shape)}`);
  if (w.rank !== 4) throw new ShapeError(op, `w must have rank 4 [Cin,Cout,kh,kw], got ${fmt(w.shape)}`);
  if (x.shape[1] !== w.shape[0]) throw new ShapeError(op, `x ${fmt(x.shape)} has ${x.shape[1]} channels but w ${fmt(w.shape)} expects ${w.shape[0]}`);
  const stride = pair2(op, 'stride', opts.stride, 1);
  const dilation = pair2(op, 'dilation', opts.dilation, 1);
  const hw = x.shape.slice(2);
  const k = w.shape.slice(2);
  let out: [number, number];
  let pads: [number, number, number, number];
  if (opts.padding === 'same') {
    out = opts.outputShape ? [opts.outputShape[0], opts.outputShape[1]] : [hw[0]! * stride[0], hw[1]! * stride[1]];
    const [t, b] = samePads(out[0], k[0]!, stride[0], dilation[0]);
    const [l, r] = samePads(out[1], k[1]!, stride[1], dilation[1]);
    pads = [t, l, b, r];
  } else {
    pads = resolvePads(op, opts.padding, hw, k, stride, dilation);
    const full = [0, 1].map((i) => (hw[i]! - 1) * stride[i]! + dilation[i]! * (k[i]! - 1) + 1 - pads[i]! - pads[i + 2]!);
    out = opts.outputShape ? [opts.outputShape[0], opts.outputShape[1]] : [full[0]!, full[1]!];
  }
  if (!out.every((d) => Number.isInteger(d) && d >= 1)) throw new ShapeError(op, `output shape ${fmt(out)} is not a valid spatial size`);
  const geom: ConvGeometry = { stride, pads, dilation };
  const back = convOutShape(op, out, k, geom);
  if (back[0] !== hw[0] || back[1] !== hw[1]) {
    throw new ShapeError(op, `output shape ${fmt(out)} does not map back onto the input size ${fmt(hw)} (stride ${fmt(stride)}, pads ${fmt(pads)})`);
  }
  return conv2dInputGrad(x, w, geom, out);
}

/** Lowers conv2d_input_grad as ONNX ConvTranspose. */
function lowerAsConvTranspose(ctx: LowerCtx, [g, w]: readonly string[], a: InputGradAttrs, meta: LowerMeta): string {
  const [, , Ho, Wo] = meta.inputs[0]!.shape as [number, number, number, number];
  const k = meta.inputs[1]!.shape.slice(2);
  // ConvTranspose gives s·(Ho−1) + d·(k−1) + 1 + output_padding − pads; output_padding makes it H.
  const outPad = [0, 1].map(
    (i) => a.inputShape[i]! + a.pads[i]! + a.pads[i + 2]! - (a.stride[i]! * ((i === 0 ? Ho : Wo) - 1) + a.dilation[i]! * (k[i]! - 1) + 1),
  );
  const attrs = { ...onnxConvAttrs(a, k), ...(outPad.some((r) => r > 0) ? { output_padding: { ints: outPad } } : {}) };
  return ctx.node('ConvTranspose', [g!, w!], attrs);
}
