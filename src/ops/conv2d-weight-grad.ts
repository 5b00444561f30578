/**
 * The adjoint of conv2d with respect to its weight: dw[o,c,i,j] = Σ_{n,p,q} g[n,o,p,q] · x̃[n,c,p·s+i·d,q·s+j·d]
 * (x̃ the padded input).
 *
 * ONNX has no such op; it is itself a convolution with the roles swapped: the batch axis becomes the
 * channel axis (x as [C,N,H,W], g as an [O,N,Ho,Wo] "kernel"), the forward stride becomes the dilation
 * and the forward dilation the stride, with the same pads. That conv can produce more than kh rows
 * when the forward conv left rows unread at the end ((H + pads − d·(kh−1) − 1) % s ≠ 0); those rows
 * are dropped before the conv (from the end padding, then from the input) so no work is wasted.
 * (The onnx backend lowers it as one GEMM against the im2col of x, or one MatMul per kernel tap,
 * where x has 8 or more channels: src/backends/onnx/conv-lowering.ts.)
 */
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkGeometry, conv2dWithGeometry, convOutShape, expect4d, geometryOf, tapRuns, type ConvGeometry } from './conv2d.js';
import { conv2dInputGrad } from './conv-transpose2d.js';
import { apply, defineOp, type LowerCtx, type LowerMeta } from './registry.js';

export type WeightGradAttrs = ConvGeometry & {
  /** Kernel size [kh, kw] of the conv2d weight this is the gradient of. */
  readonly kernel: readonly [number, number];
};

/** conv2d_weight_grad: x [N,C,H,W], g [N,O,Ho,Wo] → dw [O,C,kh,kw] = gradient of ⟨g, conv2d(x, w)⟩ in w. */
export const conv2dWeightGradOp = defineOp<WeightGradAttrs>({
  name: 'conv2d_weight_grad',
  infer: ([x, g], a) => {
    const op = 'conv2d_weight_grad';
    checkGeometry(op, a);
    expect4d(op, 'x', x!);
    expect4d(op, 'g', g!);
    const [N, C, H, W] = x!.shape as [number, number, number, number];
    const [N2, O, Ho, Wo] = g!.shape as [number, number, number, number];
    if (N !== N2) throw new ShapeError(op, `x ${fmt(x!.shape)} and g ${fmt(g!.shape)} differ in batch size`);
    const want = convOutShape(op, [H, W], a.kernel, a);
    if (want[0] !== Ho || want[1] !== Wo) {
      throw new ShapeError(op, `g ${fmt(g!.shape)} is not the output shape of a conv over x ${fmt(x!.shape)} with kernel ${fmt(a.kernel)} (that gives ${fmt(want)})`);
    }
    return { shape: [O, C, a.kernel[0], a.kernel[1]], dtype: 'float32' };
  },
  // A Conv with g as the kernel; the onnx backend chooses a GEMM or per-tap MatMuls by shape and target
  // (src/backends/onnx/conv-lowering.ts).
  lower: (ctx, inputs, a, meta) => lowerAsConv(ctx, inputs, a, meta),
  // ⟨ct, weightGrad(x, g)⟩ = ⟨g, conv2d(x, ct)⟩ = ⟨x, inputGrad(g, ct)⟩.
  vjp: (ct, [x, g], _out, a) => [conv2dInputGrad(g!, ct, a, x!.shape.slice(2)), conv2dWithGeometry(x!, ct, a)],
  reference: ([x, g], a, out) => {
    const [N, C, H, W] = x!.shape as [number, number, number, number];
    const [, O, Ho, Wo] = g!.shape as [number, number, number, number];
    const [kh, kw] = a.kernel;
    const runs = tapRuns([H, W], [Ho, Wo], a.kernel, a);
    const sw = a.stride[1];
    const xd = x!.data;
    const gd = g!.data;
    const res = new Float64Array(O * C * kh * kw);
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < O; o++) {
        const go = (n * O + o) * Ho * Wo;
        for (let c = 0; c < C; c++) {
          const xo = (n * C + c) * H * W;
          const wo = (o * C + c) * kh * kw;
          for (let r = 0; r < runs.length; r += 4) {
            let xi = xo + runs[r + 1]!;
            const y0 = go + runs[r + 2]!;
            const y1 = y0 + runs[r + 3]!;
            let acc = 0;
            for (let yi = y0; yi < y1; yi++, xi += sw) acc += gd[yi]! * xd[xi]!;
            res[wo + runs[r]!] += acc;
          }
        }
      }
    }
    return res;
  },
});

/**
 * The gradient of ⟨g, conv2d(x, w, geom)⟩ with respect to a w with spatial size `kernel` (the primitive
 * the vjps use).
 * @example const dw = conv2dWeightGrad(x, g, { stride: [2, 2], pads: [1, 1, 2, 2], dilation: [1, 1] }, [5, 5]);
 */
export function conv2dWeightGrad(x: Tensor, g: Tensor, geom: ConvGeometry, kernel: readonly number[]): Tensor {
  if (kernel.length !== 2) throw new ShapeError('conv2d_weight_grad', `kernel must be [kh, kw], got ${fmt(kernel)}`);
  return apply(conv2dWeightGradOp, [x, g], { ...geometryOf(geom), kernel: [kernel[0]!, kernel[1]!] as const });
}

/** Lowers conv2d_weight_grad as a Conv whose kernel is g (batch as channels). */
function lowerAsConv(ctx: LowerCtx, [x, g]: readonly string[], a: WeightGradAttrs, meta: LowerMeta): string {
  const [, , H, W] = meta.inputs[0]!.shape as [number, number, number, number];
  const [, , Ho, Wo] = meta.inputs[1]!.shape as [number, number, number, number];
  const hw = [H, W];
  const ohw = [Ho, Wo];
  // Rows/columns at the end of the padded input that no output position reads: trim them from the
  // end padding first, then from the input itself.
  const padEnd = [a.pads[2], a.pads[3]];
  const cropEnd = [0, 0];
  for (let i = 0; i < 2; i++) {
    const unread = hw[i]! + a.pads[i]! + a.pads[i + 2]! - (a.stride[i]! * (ohw[i]! - 1) + a.dilation[i]! * (a.kernel[i]! - 1) + 1);
    const fromPad = Math.min(unread, padEnd[i]!);
    padEnd[i]! -= fromPad;
    cropEnd[i] = unread - fromPad;
  }
  let xt = ctx.node('Transpose', [x!], { perm: { ints: [1, 0, 2, 3] } });
  if (cropEnd[0]! > 0 || cropEnd[1]! > 0) {
    xt = ctx.node('Slice', [xt, ctx.i64([0, 0]), ctx.i64([H - cropEnd[0]!, W - cropEnd[1]!]), ctx.i64([2, 3])]);
  }
  const gt = ctx.node('Transpose', [g!], { perm: { ints: [1, 0, 2, 3] } });
  const dwT = ctx.node('Conv', [xt, gt], {
    kernel_shape: { ints: ohw },
    strides: { ints: a.dilation },
    dilations: { ints: a.stride },
    pads: { ints: [a.pads[0], a.pads[1], padEnd[0]!, padEnd[1]!] },
  });
  return ctx.node('Transpose', [dwT], { perm: { ints: [1, 0, 2, 3] } });
}
