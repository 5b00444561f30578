/**
 * The adjoint of conv2d with respect to its input (conv2d_input_grad), which is also the transposed
 * convolution ("deconvolution") of generators: convTranspose2d(x, w) with w [Cin, Cout, kh, kw] is
 * exactly the input gradient of a conv2d from Cout to Cin channels with the same kernel.
 *
 * Lowered to ONNX ConvTranspose, whose weight layout [Cin, Cout/group, kh, kw] is conv2d's
 * [O, C, kh, kw]; `output_padding` (the rows/columns at the end of x that the forward conv never
 * read, 0 ≤ r < stride) reproduces the input shape exactly. onnxruntime's ConvTranspose does one GEMM
 * per image with Ho·Wo columns; for g of at most 16 pixels (the generators' 4×4 inputs) it is lowered
 * instead as one GEMM over the whole batch followed by Col2Im (faster, bit-identical here;
 * docs/BENCHMARKS.md, "Convolution lowerings").
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
  lowerNchwcConv,
  nchwcChannelsFit,
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
  // On tiny images (g of ≤ 16 pixels) one GEMM over the whole batch + Col2Im is faster than
  // ConvTranspose on the CPU, which runs one GEMM per image with only Ho·Wo columns (for a GPU, see
  // below). Elsewhere, where the channel counts are whole NCHWc blocks: stride 1 as one convolution
  // with the flipped kernel, larger strides as one such convolution per output phase; otherwise
  // ConvTranspose.
  lower: (ctx, inputs, a, meta) => {
    const [, O, Ho, Wo] = meta.inputs[0]!.shape as [number, number, number, number];
    const [, C] = meta.inputs[1]!.shape as [number, number, number, number];
    if (Ho * Wo <= ONE_GEMM_MAX_PIXELS) {
      if (!ctx.gpu) return lowerAsCol2Im(ctx, inputs, a, meta);
      // WebGPU has no Col2Im kernel: Convs on flipped kernels (one per output phase when strided),
      // which scripts/webgpu-check.ts compares with the CPU on identical inputs (docs/BENCHMARKS.md,
      // "WebGPU").
      if (a.stride[0] === 1 && a.stride[1] === 1) {
        const adjPads = flippedPads(a, meta.inputs[1]!.shape);
        if (adjPads) return lowerFlippedConv(ctx, inputs[0]!, inputs[1]!, meta.inputs[1]!.shape, { stride: a.stride, dilation: a.dilation, pads: adjPads });
      } else if (phaseConvsFit(a, meta.inputs[1]!.shape)) {
        return lowerAsPhaseConvs(ctx, inputs, a, meta);
      }
      return lowerAsConvTranspose(ctx, inputs, a, meta);
    }
    // (No output-size threshold as for the forward conv: g of ≤ 16 pixels took Col2Im above, and the
    // phase convolutions were faster from 7×7 → 14×14 up; docs/BENCHMARKS.md, "NCHWc".)
    if (nchwcChannelsFit(ctx, O, C)) {
      if (a.stride[0] === 1 && a.stride[1] === 1) {
        const adjPads = flippedPads(a, meta.inputs[1]!.shape);
        if (adjPads) return lowerNchwcConv(ctx, inputs[0]!, inputs[1]!, meta.inputs[1]!.shape, { stride: a.stride, dilation: a.dilation, pads: adjPads }, true);
      } else if (phaseConvsFit(a, meta.inputs[1]!.shape)) {
        return lowerAsPhaseConvs(ctx, inputs, a, meta);
      }
    }
    return lowerAsConvTranspose(ctx, inputs, a, meta);
  },
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

/**
 * Lowers conv2d_input_grad as one GEMM over the whole batch and ONNX Col2Im: the columns g · w
 * ([N·Ho·Wo, O] times [O, C·kh·kw]) are laid out per image and scattered and summed into it by Col2Im
 * with the forward conv's pads, strides and dilations. (A batched MatMul, one GEMM per image, is what
 * ConvTranspose already does.)
 */
function lowerAsCol2Im(ctx: LowerCtx, [g, w]: readonly string[], a: InputGradAttrs, meta: LowerMeta): string {
  const [N, O, Ho, Wo] = meta.inputs[0]!.shape as [number, number, number, number];
  const [, C, kh, kw] = meta.inputs[1]!.shape as [number, number, number, number];
  const ck = C * kh * kw;
  // g as [N·Ho·Wo, O] times w as [O, C·k²]: a plain GEMM (wᵀ·g, a transposed-A product after
  // onnxruntime's fusion, is slower: docs/BENCHMARKS.md, "Col2Im input gradient"), then [N, Ho·Wo, C·k²] → Col2Im's [N, C·k², Ho·Wo].
  const gn = ctx.node('Reshape', [ctx.node('Transpose', [g!], { perm: { ints: [0, 2, 3, 1] } }), ctx.i64([N * Ho * Wo, O])]);
  const prod = ctx.node('Reshape', [ctx.node('MatMul', [gn, ctx.node('Reshape', [w!, ctx.i64([O, ck])])]), ctx.i64([N, Ho * Wo, ck])]);
  const cols = ctx.node('Transpose', [prod], { perm: { ints: [0, 2, 1] } });
  return ctx.node('Col2Im', [cols, ctx.i64([a.inputShape[0], a.inputShape[1]]), ctx.i64([kh, kw])], {
    dilations: { ints: a.dilation },
    pads: { ints: a.pads },
    strides: { ints: a.stride },
  });
}

/** Pixels of g up to which the one-GEMM + Col2Im lowering is used (docs/BENCHMARKS.md, Convolution lowerings). */
const ONE_GEMM_MAX_PIXELS = 16;

/**
 * The pads that make a stride-1 input gradient the convolution of g with the flipped kernel:
 * d·(k − 1) − p on each side ([top, left, bottom, right]), or null where one is negative.
 */
function flippedPads(a: InputGradAttrs, wShape: readonly number[]): [number, number, number, number] | null {
  const pads = [0, 1, 2, 3].map((i) => a.dilation[i % 2]! * (wShape[2 + (i % 2)]! - 1) - a.pads[i]!);
  return pads.every((p) => p >= 0) ? (pads as [number, number, number, number]) : null;
}

/** Whether lowerAsPhaseConvs applies: dilation 1 and kernels at least as large as the strides. */
function phaseConvsFit(a: InputGradAttrs, wShape: readonly number[]): boolean {
  return a.dilation[0] === 1 && a.dilation[1] === 1 && a.stride.every((s, i) => wShape[2 + i]! >= s);
}

/**
 * The adjoint convolution in standard ONNX: Conv of x with w [A, B, kh, kw] as [B, A, kh, kw],
 * spatially reversed (the NCHWc path does this in lowerNchwcConv).
 */
function lowerFlippedConv(ctx: LowerCtx, x: string, w: string, wShape: readonly number[], geom: ConvGeometry): string {
  const wt = ctx.node('Transpose', [w], { perm: { ints: [1, 0, 2, 3] } });
  const flipped = ctx.node('Slice', [wt, ctx.i64([-1, -1]), ctx.i64([-(2 ** 40), -(2 ** 40)]), ctx.i64([2, 3]), ctx.i64([-1, -1])]);
  return ctx.node('Conv', [x, flipped], onnxConvAttrs(geom, wShape.slice(2)));
}

/**
 * Lowers a strided conv2d_input_grad (dilation 1) as s_h·s_w stride-1 convolutions, one per output
 * phase, interleaved (on the NCHWc kernels, or standard Convs for a GPU provider). With u = r + p_top
 * the padded row of output row r, dx[u = s·m + φ] = Σ_t g[m − t] · w[φ + s·t] (t < T_φ = ⌈(k − φ)/s⌉):
 * for each phase φ, a correlation of g with the reversed sub-kernel w[φ :: s], padded by T_φ − 1 before and to M =
 * ⌈(p_top + H)/s⌉ outputs; the phase results, stacked as [N, C, M, s, M', s], are the padded grid
 * u < s·M, from which rows p_top … p_top + H − 1 are cut (columns likewise). Same FLOPs as
 * ConvTranspose, on the faster NCHWc kernels (docs/BENCHMARKS.md, "NCHWc").
 */
function lowerAsPhaseConvs(ctx: LowerCtx, [g, w]: readonly string[], a: InputGradAttrs, meta: LowerMeta): string {
  const [N, , Ho, Wo] = meta.inputs[0]!.shape as [number, number, number, number];
  const [O, C, kh, kw] = meta.inputs[1]!.shape as [number, number, number, number];
  const [sh, sw] = a.stride;
  const [H, W] = a.inputShape;
  const M = [Math.ceil((a.pads[0] + H) / sh), Math.ceil((a.pads[1] + W) / sw)] as const;
  const rows: string[] = [];
  for (let ph = 0; ph < sh; ph++) {
    const cols: string[] = [];
    for (let pw = 0; pw < sw; pw++) {
      const T = [Math.ceil((kh - ph) / sh), Math.ceil((kw - pw) / sw)] as const;
      const sub = ctx.node('Slice', [w!, ctx.i64([ph, pw]), ctx.i64([kh, kw]), ctx.i64([2, 3]), ctx.i64([sh, sw])]);
      const after = [Math.max(0, M[0] - Ho), Math.max(0, M[1] - Wo)];
      const geom: ConvGeometry = { stride: [1, 1], dilation: [1, 1], pads: [T[0] - 1, T[1] - 1, after[0]!, after[1]!] };
      let y = ctx.nchwcBlock > 0 ? lowerNchwcConv(ctx, g!, sub, [O, C, T[0], T[1]], geom, true) : lowerFlippedConv(ctx, g!, sub, [O, C, T[0], T[1]], geom);
      if (Ho + after[0]! > M[0] || Wo + after[1]! > M[1]) y = ctx.node('Slice', [y, ctx.i64([0, 0]), ctx.i64([M[0], M[1]]), ctx.i64([2, 3])]);
      cols.push(ctx.node('Unsqueeze', [y, ctx.i64([4])]));
    }
    rows.push(ctx.node('Unsqueeze', [sw === 1 ? cols[0]! : ctx.node('Concat', cols, { axis: { int: 4 } }), ctx.i64([3])]));
  }
  const grid = ctx.node('Reshape', [sh === 1 ? rows[0]! : ctx.node('Concat', rows, { axis: { int: 3 } }), ctx.i64([N, C, sh * M[0], sw * M[1]])]);
  return ctx.node('Slice', [grid, ctx.i64([a.pads[0], a.pads[1]]), ctx.i64([a.pads[0] + H, a.pads[1] + W]), ctx.i64([2, 3])]);
}

/** Every lowering of conv2d_input_grad, whatever the shapes (for A/B measurements of `lower`'s choice). */
export const inputGradLowerings = { convTranspose: lowerAsConvTranspose, col2im: lowerAsCol2Im, phaseConvs: lowerAsPhaseConvs };
