/**
 * The onnx backend's convolution lowerings, chosen per op from the static shapes and the target
 * (LoweringOptions: onnxruntime's NCHWc CPU kernels, a GPU provider) in place of each primitive's
 * standard ONNX lowering (Conv, ConvTranspose, and the weight gradient as a Conv whose kernel is g;
 * src/ops/). lowerPlan looks each op up in {@link CONV_LOWERINGS}. All are standard ONNX except the
 * com.microsoft.nchwc nodes, which only an onnxruntime CPU session that has them gets.
 *
 * - conv2d_weight_grad: the standard Conv is slow when x has 8 or more channels (its "kernel" is a
 *   whole activation), so from 8 input channels on a CPU it is one GEMM of g against the im2col of x
 *   (gathered once, with the batch innermost) where that im2col is at most 64 MB, and one MatMul per
 *   kernel tap above (the ResNets' large maps), each reducing over the batch and all pixels at once;
 *   the Conv stays for 1-3 input channels (first layers), where it beats the MatMuls
 *   (docs/BENCHMARKS.md, "Convolution lowerings", "One GEMM per weight gradient"). For a GPU provider the MatMuls
 *   are split over up to 32 parts of the batch (a split K; {@link weightGradSplit}), and the Conv is
 *   also used where each output sums at most `gpuWeightGradConvMaxRows` rows: there a GPU step is
 *   bound by the kernels dispatched, and the Conv is one kernel where the taps are k² × ~5
 *   (docs/BENCHMARKS.md, "WebGPU").
 * - conv2d_input_grad: onnxruntime's ConvTranspose does one GEMM per image with Ho·Wo columns; for g
 *   of at most 16 pixels (the generators' 4×4 inputs) it is one GEMM over the whole batch followed
 *   by Col2Im instead (faster, bit-identical; on a GPU, flipped-kernel Convs); with channel counts in
 *   whole NCHWc blocks, the flipped-kernel convolution (stride 1) or one per output phase (strided).
 * - conv2d: onnxruntime's NCHWc Conv where the channel counts are whole blocks and the output is not
 *   tiny; tiny outputs from 8 channels on a CPU as one GEMM against the im2col of x.
 */
import { conv2dOp, onnxConvAttrs, type ConvGeometry } from '../../ops/conv2d.js';
import { conv2dWeightGradOp, type WeightGradAttrs } from '../../ops/conv2d-weight-grad.js';
import { conv2dInputGradOp, type InputGradAttrs } from '../../ops/conv-transpose2d.js';
import type { Attrs, LowerMeta, OpDef } from '../../ops/registry.js';
import type { OnnxLowerCtx } from './lower.js';

/** The operator-set domain of onnxruntime's NCHWc CPU kernels (ReorderInput, ReorderOutput, Conv). */
export const NCHWC_DOMAIN = 'com.microsoft.nchwc';

/** A lowering the onnx backend uses for a primitive in place of the primitive's own `lower`. */
export type OnnxLowering = (ctx: OnnxLowerCtx, inputs: readonly string[], attrs: Attrs, meta: LowerMeta) => string;

function entry<A extends Attrs>(op: OpDef<A>, lower: (ctx: OnnxLowerCtx, inputs: readonly string[], attrs: A, meta: LowerMeta) => string): [string, OnnxLowering] {
  return [op.name, lower as unknown as OnnxLowering];
}

// ---- conv2d ------------------------------------------------------------------------------------

/**
 * conv2d: on the NCHWc kernels where {@link useNchwc}; on a CPU, tiny outputs (≤ 16 pixels) from 8
 * input channels as one GEMM against the im2col of x ({@link lowerConv2dAsIm2colGemm}); else the
 * standard Conv.
 */
function lowerConv2d(ctx: OnnxLowerCtx, inputs: readonly string[], geom: ConvGeometry, meta: LowerMeta): string {
  const ws = meta.inputs[1]!.shape;
  const outHW = meta.output.shape.slice(2);
  if (useNchwc(ctx, ws[1]!, ws[0]!, geom.stride, outHW)) return lowerNchwcConv(ctx, inputs[0]!, inputs[1]!, ws, geom, false, inputs[2]);
  const [N, C] = meta.inputs[0]!.shape as [number, number];
  if (!ctx.gpu && convLoweringTuning.tinyConvGemm && C >= TAP_MATMUL_MIN_CHANNELS && outHW[0]! * outHW[1]! <= ONE_GEMM_MAX_PIXELS && im2colGemmFits(N, C, ws.slice(2), outHW, convLoweringTuning.im2colGemmMaxElements)) {
    return lowerConv2dAsIm2colGemm(ctx, inputs, geom, meta);
  }
  return conv2dOp.lower(ctx, inputs, geom, meta);
}

/**
 * Lowers conv2d as one GEMM over the whole batch: w as [O, C·kh·kw] times the im2col of x as
 * [C·kh·kw, Ho·Wo·N] ({@link im2colBatchInner}, the same nodes as the weight gradient of the same x
 * builds, so a step gathers it once), plus the bias, then back to [N, O, Ho, Wo]. onnxruntime's Conv
 * runs one GEMM per image with only Ho·Wo columns, slow for tiny outputs (the MNIST critic's 7×7 → 4×4
 * layer ran at ~105 GFLOP/s; docs/BENCHMARKS.md, "Convolution lowerings").
 */
function lowerConv2dAsIm2colGemm(ctx: OnnxLowerCtx, [x, w, b]: readonly string[], geom: ConvGeometry, meta: LowerMeta): string {
  const [N, C] = meta.inputs[0]!.shape as [number, number];
  const [O, , kh, kw] = meta.inputs[1]!.shape as [number, number, number, number];
  const [Ho, Wo] = meta.output.shape.slice(2) as [number, number];
  const cols = im2colBatchInner(ctx, x!, meta.inputs[0]!.shape, [kh, kw], geom, [Ho, Wo]);
  let yt = ctx.node('MatMul', [ctx.node('Reshape', [w!, ctx.i64([O, C * kh * kw])]), cols]);
  if (b !== undefined) yt = ctx.node('Add', [yt, ctx.node('Reshape', [b, ctx.i64([O, 1])])]);
  return ctx.node('Transpose', [ctx.node('Reshape', [yt, ctx.i64([O, Ho, Wo, N])])], { perm: { ints: [3, 0, 1, 2] } });
}

/**
 * Whether a convolution with C input and O output channels, the given stride and output size runs
 * on onnxruntime's NCHWc kernels (MLAS's channel-blocked direct convolution): only where the target
 * has them (`ctx.nchwcBlock`), both channel counts are whole blocks, and the output is not tiny:
 * the direct kernels win on the ResNet's stride-1 convs and the MNIST critic's stride-2 conv to 7×7,
 * and lose on 4×4 outputs (docs/BENCHMARKS.md, "NCHWc").
 */
export function useNchwc(ctx: OnnxLowerCtx, C: number, O: number, stride: readonly number[], outHW: readonly number[]): boolean {
  if (!nchwcChannelsFit(ctx, C, O)) return false;
  return (stride[0] === 1 && stride[1] === 1) || outHW[0]! * outHW[1]! >= NCHWC_MIN_STRIDED_PIXELS;
}

/** Whether the target has NCHWc kernels and both channel counts are whole blocks of them. */
export function nchwcChannelsFit(ctx: OnnxLowerCtx, C: number, O: number): boolean {
  const b = ctx.nchwcBlock;
  return b >= 2 && C % b === 0 && O % b === 0;
}

/** Strided convolutions use the NCHWc kernels from this many output pixels (7×7). */
const NCHWC_MIN_STRIDED_PIXELS = 49;

/**
 * Emits a convolution on onnxruntime's NCHWc kernels: x [N, C, H, W] is reordered into C/B blocks
 * of B channels (ReorderInput), the kernel into the blocked filter layout [O/B, C/B, kh, kw, B(c),
 * B(o)] (a Reshape and Transpose, so it may be any graph value, e.g. a parameter fed every step),
 * and the result back to NCHW (ReorderOutput). With `adjoint`, w [C', O', kh, kw] is used as the
 * transposed, spatially flipped kernel w'[o', c', i, j] = w[c', o', kh−1−i, kw−1−j], which makes a
 * stride-1 convolution's input gradient a convolution ({@link lowerConv2dInputGrad}). A bias [O], when
 * given, is added by the NCHWc Conv itself (its B input; the blocked layout keeps channels in order).
 */
export function lowerNchwcConv(
  ctx: OnnxLowerCtx,
  x: string,
  w: string,
  wShape: readonly number[],
  geom: ConvGeometry,
  adjoint: boolean,
  bias?: string,
): string {
  const b = ctx.nchwcBlock;
  const [A, Bc, kh, kw] = wShape as [number, number, number, number];
  const [O, C] = adjoint ? [Bc, A] : [A, Bc];
  // w as [A/b, b, Bc/b, b, kh, kw]; the blocked filter is [O/b, C/b, kh, kw, b(c), b(o)].
  const w6 = ctx.node('Reshape', [w, ctx.i64([A / b, b, Bc / b, b, kh, kw])]);
  let wb = ctx.node('Transpose', [w6], { perm: { ints: adjoint ? [2, 0, 4, 5, 1, 3] : [0, 2, 4, 5, 3, 1] } });
  if (adjoint) wb = ctx.node('Slice', [wb, ctx.i64([-1, -1]), ctx.i64([-(2 ** 40), -(2 ** 40)]), ctx.i64([2, 3]), ctx.i64([-1, -1])]);
  wb = ctx.node('Reshape', [wb, ctx.i64([O, C, kh, kw])]);
  const xb = ctx.node('ReorderInput', [x], {}, NCHWC_DOMAIN);
  const yb = ctx.node('Conv', bias === undefined ? [xb, wb] : [xb, wb, bias], onnxConvAttrs(geom, [kh, kw]), NCHWC_DOMAIN);
  return ctx.node('ReorderOutput', [yb], { channels: { int: O } }, NCHWC_DOMAIN);
}

// ---- conv2d_input_grad -------------------------------------------------------------------------

/**
 * conv2d_input_grad. On tiny images (g of ≤ 16 pixels) one GEMM over the whole batch + Col2Im is faster than
 * ConvTranspose on the CPU, which runs one GEMM per image with only Ho·Wo columns (for a GPU, see
 * below). Elsewhere, where the channel counts are whole NCHWc blocks: stride 1 as one convolution
 * with the flipped kernel, larger strides as one such convolution per output phase; otherwise
 * ConvTranspose.
 */
function lowerConv2dInputGrad(ctx: OnnxLowerCtx, inputs: readonly string[], a: InputGradAttrs, meta: LowerMeta): string {
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
    return conv2dInputGradOp.lower(ctx, inputs, a, meta);
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
  return conv2dInputGradOp.lower(ctx, inputs, a, meta);
}

/**
 * Lowers conv2d_input_grad as one GEMM over the whole batch and ONNX Col2Im: the columns g · w
 * ([N·Ho·Wo, O] times [O, C·kh·kw]) are laid out per image and scattered and summed into it by Col2Im
 * with the forward conv's pads, strides and dilations. (A batched MatMul, one GEMM per image, is what
 * ConvTranspose already does; a ScatterND over the batch-innermost columns, the weight gradient's
 * layout, measured the same: docs/BENCHMARKS.md, "Convolution lowerings".)
 */
function lowerAsCol2Im(ctx: OnnxLowerCtx, [g, w]: readonly string[], a: InputGradAttrs, meta: LowerMeta): string {
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

/**
 * Pixels of g up to which the one-GEMM + Col2Im lowering is used, and output pixels up to which a
 * forward conv is one GEMM over the im2col (docs/BENCHMARKS.md, "Convolution lowerings"; at 32, the
 * language model's 1×32 outputs, the GEMM measured 3.5 % slower than the Conv).
 */
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
function lowerFlippedConv(ctx: OnnxLowerCtx, x: string, w: string, wShape: readonly number[], geom: ConvGeometry): string {
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
function lowerAsPhaseConvs(ctx: OnnxLowerCtx, [g, w]: readonly string[], a: InputGradAttrs, meta: LowerMeta): string {
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

// ---- conv2d_weight_grad ------------------------------------------------------------------------

/**
 * conv2d_weight_grad. The Conv for 1-3 input channels, where it is faster (and on a GPU where each
 * output sums few rows, ctx.gpuWeightGradConvMaxRows). From 8 channels on a CPU, one GEMM against the
 * im2col of x where that im2col is at most {@link IM2COL_GEMM_MAX_ELEMENTS} (the language model's
 * 1-D layers, MNIST, the DCGAN critic); otherwise (the ResNets' large maps, any GPU) one MatMul per tap.
 */
function lowerConv2dWeightGrad(ctx: OnnxLowerCtx, inputs: readonly string[], a: WeightGradAttrs, meta: LowerMeta): string {
  const [N, C] = meta.inputs[0]!.shape as [number, number];
  const [, , Ho, Wo] = meta.inputs[1]!.shape as [number, number, number, number];
  const conv = C < TAP_MATMUL_MIN_CHANNELS || (ctx.gpu && N * Ho * Wo <= ctx.gpuWeightGradConvMaxRows);
  if (conv) return conv2dWeightGradOp.lower(ctx, inputs, a, meta);
  if (!ctx.gpu && im2colGemmFits(N, C, a.kernel, [Ho, Wo], convLoweringTuning.im2colGemmMaxElements)) return lowerAsIm2colGemm(ctx, inputs, a, meta);
  return lowerAsTapMatMuls(ctx, inputs, a, meta);
}

/**
 * Whether the im2col of a weight gradient (N·C·kh·kw·Ho·Wo floats) is small enough for
 * {@link lowerAsIm2colGemm}.
 * @example im2colGemmFits(64, 128, [1, 5], [1, 32]) // true: the language model's k5 conv1d
 */
export function im2colGemmFits(N: number, C: number, kernel: readonly number[], outHW: readonly number[], max = IM2COL_GEMM_MAX_ELEMENTS): boolean {
  return N * C * kernel[0]! * kernel[1]! * outHW[0]! * outHW[1]! <= max;
}

/**
 * Largest im2col (in floats: 64 MB) that the one-GEMM weight gradient builds. The DCGAN critic's
 * 16×16 → 8×8 layer is 13.1 M; the CIFAR ResNet's 16×16 and 32×32 layers (18.9 M, 75.5 M) keep the
 * per-tap MatMuls, which stream one tap at a time (docs/BENCHMARKS.md, "One GEMM per weight gradient").
 */
export const IM2COL_GEMM_MAX_ELEMENTS = 16 * 2 ** 20;

/**
 * For A/B benchmarks only (bench/nchwc.ts `wgrad`, `tuning`): switches the lowerings read — the
 * im2col bound of the weight gradients (0: always the per-tap MatMuls), the tiny-output forward
 * GEMM. They change graphs without changing session keys, so set
 * them before a backend compiles anything and give each setting its own backend.
 */
export const convLoweringTuning: { im2colGemmMaxElements: number; tinyConvGemm: boolean } = {
  im2colGemmMaxElements: IM2COL_GEMM_MAX_ELEMENTS,
  /** Tiny-output forward convs as one GEMM over the im2col ({@link lowerConv2dAsIm2colGemm}); false: the Conv. */
  tinyConvGemm: true,
};

/**
 * Lowers conv2d_weight_grad as one GEMM whose product is the weight gradient in its own layout
 * [O, C·kh·kw]: g as [O, Ho·Wo·N] times the im2col of x as [C·kh·kw, Ho·Wo·N] (transB). Both
 * operands have the batch innermost (a Transpose that moves axis 0 inwards), so the window of each
 * tap in the padded input [C·Hp·Wp, N] is a set of whole N-wide rows, and one Gather builds the im2col
 * for all taps, strides and dilations. Against the per-tap MatMuls it drops the Concat that
 * interleaved the taps' [O, C] results into [O, C, kh·kw] (a 4-byte scatter), the k² Slices, Reshapes
 * and MatMuls and the batch split's ReduceSums (the one GEMM is wide enough to thread well).
 */
function lowerAsIm2colGemm(ctx: OnnxLowerCtx, [x, g]: readonly string[], a: WeightGradAttrs, meta: LowerMeta): string {
  const [N, C] = meta.inputs[0]!.shape as [number, number, number, number];
  const [, O, Ho, Wo] = meta.inputs[1]!.shape as [number, number, number, number];
  const [kh, kw] = a.kernel;
  const cols = im2colBatchInner(ctx, x!, meta.inputs[0]!.shape, a.kernel, a, [Ho, Wo]);
  const gt = ctx.node('Reshape', [ctx.node('Transpose', [g!], { perm: { ints: [1, 2, 3, 0] } }), ctx.i64([O, Ho * Wo * N])]);
  const dw = ctx.node('Gemm', [gt, cols], { transB: { int: 1 } });
  return ctx.node('Reshape', [dw, ctx.i64([O, C, kh, kw])]);
}

/**
 * The im2col of x [N, C, H, W] for a convolution of the given kernel, geometry and output size, with
 * the batch innermost: [C·kh·kw, Ho·Wo·N]. x is padded and transposed to [C·Hp·Wp, N], where the
 * window of each tap is a set of whole N-wide rows, and one Gather builds the im2col for all taps,
 * strides and dilations. The forward conv and the weight gradient of the same x emit the same nodes
 * (lowerPlan emits identical nodes once).
 */
function im2colBatchInner(ctx: OnnxLowerCtx, x: string, xShape: readonly number[], kernel: readonly number[], g: ConvGeometry, outHW: readonly number[]): string {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const [kh, kw] = kernel as [number, number];
  const [Ho, Wo] = outHW as [number, number];
  const [Hp, Wp] = [H + g.pads[0] + g.pads[2], W + g.pads[1] + g.pads[3]];
  let xp = x;
  if (g.pads.some((p) => p > 0)) xp = ctx.node('Pad', [xp, ctx.i64([0, 0, g.pads[0], g.pads[1], 0, 0, g.pads[2], g.pads[3]])]);
  const xt = ctx.node('Reshape', [ctx.node('Transpose', [xp], { perm: { ints: [1, 2, 3, 0] } }), ctx.i64([C * Hp * Wp, N])]);
  // Row (c, i, j, p, q) of the im2col is row c·Hp·Wp + (i·dh + p·sh)·Wp + j·dw + q·sw of xt.
  const rows: number[] = [];
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let p = 0; p < Ho; p++) {
          const r0 = c * Hp * Wp + (i * g.dilation[0] + p * g.stride[0]) * Wp + j * g.dilation[1];
          for (let q = 0; q < Wo; q++) rows.push(r0 + q * g.stride[1]);
        }
      }
    }
  }
  return ctx.node('Reshape', [ctx.node('Gather', [xt, ctx.i64(rows)], { axis: { int: 0 } }), ctx.i64([C * kh * kw, Ho * Wo * N])]);
}

/**
 * Lowers conv2d_weight_grad as one MatMul per kernel tap: with gᵀ = g as [O, N·Ho·Wo] and x̃ the padded
 * input in NHWC layout, tap (i, j) is gᵀ · x̃[:, i·d :: s, j·d :: s, :] as [N·Ho·Wo, C] → [O, C]; the
 * taps are concatenated into [O, C, kh·kw]. Each product reduces over the whole batch and all pixels
 * (with an even batch: a batched MatMul over the two halves of the batch, then their sum; on a GPU,
 * over up to 32 parts of the batch: see {@link weightGradSplit}).
 */
function lowerAsTapMatMuls(ctx: OnnxLowerCtx, [x, g]: readonly string[], a: WeightGradAttrs, meta: LowerMeta): string {
  const [N, C] = meta.inputs[0]!.shape as [number, number, number, number];
  const [, O, Ho, Wo] = meta.inputs[1]!.shape as [number, number, number, number];
  const [kh, kw] = a.kernel;
  const rows = N * Ho * Wo;
  const S = weightGradSplit(N, Ho * Wo, ctx.gpu);
  const split = S > 1;
  const gt = split
    ? ctx.node('Reshape', [ctx.node('Transpose', [ctx.node('Reshape', [g!, ctx.i64([S, N / S, O, Ho, Wo])])], { perm: { ints: [0, 2, 1, 3, 4] } }), ctx.i64([S, O, rows / S])])
    : ctx.node('Reshape', [ctx.node('Transpose', [g!], { perm: { ints: [1, 0, 2, 3] } }), ctx.i64([O, rows])]);
  let xp = x!;
  if (a.pads.some((p) => p > 0)) xp = ctx.node('Pad', [xp, ctx.i64([0, 0, a.pads[0], a.pads[1], 0, 0, a.pads[2], a.pads[3]])]);
  const xn = ctx.node('Transpose', [xp], { perm: { ints: [0, 2, 3, 1] } });
  const taps: string[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const r0 = i * a.dilation[0];
      const c0 = j * a.dilation[1];
      const sl = ctx.node('Slice', [
        xn,
        ctx.i64([r0, c0]),
        ctx.i64([r0 + a.stride[0] * (Ho - 1) + 1, c0 + a.stride[1] * (Wo - 1) + 1]),
        ctx.i64([1, 2]),
        ctx.i64([a.stride[0], a.stride[1]]),
      ]);
      const prod = split
        ? ctx.node('ReduceSum', [ctx.node('MatMul', [gt, ctx.node('Reshape', [sl, ctx.i64([S, rows / S, C])])]), ctx.i64([0])], { keepdims: { int: 0 } })
        : ctx.node('MatMul', [gt, ctx.node('Reshape', [sl, ctx.i64([rows, C])])]);
      taps.push(kh * kw === 1 ? prod : ctx.node('Reshape', [prod, ctx.i64([O, C, 1])]));
    }
  }
  const dw = taps.length === 1 ? taps[0]! : ctx.node('Concat', taps, { axis: { int: 2 } });
  return ctx.node('Reshape', [dw, ctx.i64([O, C, kh, kw])]);
}

/**
 * Into how many parts of the batch each per-tap weight-gradient product is split (a batched MatMul
 * over the parts, then a ReduceSum): 1 = no split. These products are small-M, small-N, huge-K
 * (e.g. [128, 65536]·[65536, 128]), which neither backend parallelises well on its own:
 * - CPU: 2 when the batch is even, one GEMM per thread instead of one product split across threads,
 *   which MLAS does poorly for these shapes (docs/BENCHMARKS.md, "Changes of this session").
 * - GPU: the largest divisor of the batch up to {@link GPU_WEIGHT_GRAD_SPLIT} that leaves each part
 *   at least {@link GPU_WEIGHT_GRAD_MIN_ROWS} rows: an O×C product has too few output tiles to fill
 *   a GPU, so the parts multiply them (a split K).
 */
export function weightGradSplit(batch: number, pixels: number, gpu: boolean): number {
  if (!gpu) return batch % 2 === 0 ? 2 : 1;
  for (let s = Math.min(GPU_WEIGHT_GRAD_SPLIT, batch); s > 1; s--) {
    if (batch % s === 0 && (batch / s) * pixels >= GPU_WEIGHT_GRAD_MIN_ROWS) return s;
  }
  return 1;
}

/** Most parts of the batch a GPU weight-gradient product is split into. */
export const GPU_WEIGHT_GRAD_SPLIT = 32;
/** Fewest rows (images × output pixels) of each part on a GPU. */
export const GPU_WEIGHT_GRAD_MIN_ROWS = 256;

/** Input channels from which the per-tap MatMul lowering is used (docs/BENCHMARKS.md, Convolution lowerings). */
const TAP_MATMUL_MIN_CHANNELS = 8;

// ---- the table ---------------------------------------------------------------------------------

/** The onnx backend's lowering of each convolution primitive, by op name (lowerPlan's overrides). */
export const CONV_LOWERINGS: ReadonlyMap<string, OnnxLowering> = new Map([
  entry(conv2dOp, lowerConv2d),
  entry(conv2dInputGradOp, lowerConv2dInputGrad),
  entry(conv2dWeightGradOp, lowerConv2dWeightGrad),
]);
