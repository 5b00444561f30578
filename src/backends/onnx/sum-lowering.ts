/**
 * The onnx backend's lowering of `sum` over leading axes on a CPU: a product with a row of ones
 * instead of ReduceSum. onnxruntime's CPU ReduceSum over the leading axis of a [256, 512] gradient
 * (a bias gradient: the sum over the batch) is several times slower than MLAS's GEMM with one row
 * (docs/BENCHMARKS.md, "Bias gradients as a product"). Standard ONNX either way; other sums, int32
 * sums and GPU targets keep the op's own ReduceSum.
 */
import { sumOp } from '../../ops/sum.js';
import type { Attrs, LowerMeta } from '../../ops/registry.js';
import type { OnnxLowering } from './conv-lowering.js';
import type { OnnxLowerCtx } from './lower.js';

/** Fewest summed rows for which the product replaces ReduceSum (below, either is a few microseconds). */
export const SUM_GEMM_MIN_ROWS = 16;

/**
 * For A/B benchmarks only (bench/toy-ab.ts `reducesum`): false lowers every sum as ReduceSum. It
 * changes graphs without changing session keys: give each setting its own backend.
 */
export const sumLoweringTuning = { gemm: true };

/**
 * `sum` of a float32 tensor over its leading axes (size-1 axes aside: they change no layout, and the
 * simplifier folds them in and out of a sum's axes): ones [1, R] · x as [R, C], reshaped.
 */
function lowerSum(ctx: OnnxLowerCtx, inputs: readonly string[], attrs: Attrs, meta: LowerMeta): string {
  const { axes } = attrs as { axes: readonly number[] };
  const shape = meta.inputs[0]!.shape;
  const dims = shape.map((d, i) => ({ d, reduced: axes.includes(i) })).filter((a) => a.d !== 1);
  const first = dims.findIndex((a) => !a.reduced);
  const k = first < 0 ? dims.length : first; // the first kept axis; every reduced one must come before it
  // (A sum over every axis stays a ReduceSum: a scalar.)
  const leading = k > 0 && axes.length < shape.length && dims.slice(k).every((a) => !a.reduced);
  const rows = dims.slice(0, k).reduce((a, b) => a * b.d, 1);
  if (!sumLoweringTuning.gemm || ctx.gpu || meta.output.dtype !== 'float32' || !leading || rows < SUM_GEMM_MIN_ROWS) return sumOp.lower(ctx, inputs, attrs as never, meta);
  const cols = dims.slice(k).reduce((a, b) => a * b.d, 1);
  const prod = ctx.node('MatMul', [ctx.f32(new Float32Array(rows).fill(1), [1, rows]), ctx.node('Reshape', [inputs[0]!, ctx.i64([rows, cols])])]);
  // The output shape carries keepdims.
  return ctx.node('Reshape', [prod, ctx.i64(meta.output.shape)]);
}

/** The onnx backend's lowering of `sum` (lowerPlan's overrides). */
export const SUM_LOWERINGS: ReadonlyMap<string, OnnxLowering> = new Map([[sumOp.name, lowerSum as OnnxLowering]]);
