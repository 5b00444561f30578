import { reduceAxes } from '../backends/reference/nd.js';
import { normAxes, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { cast } from './cast.js';
import { equal } from './compare.js';
import { div } from './div.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { apply, defineOp } from './registry.js';
import { reshape } from './reshape.js';
import { sum } from './sum.js';

/** Maximum over `axes` (sorted, distinct, non-negative), keeping them as size 1 when `keepdims`. */
export const maxOp = defineOp<{ axes: readonly number[]; keepdims: boolean }>({
  name: 'max',
  infer: ([x], { axes, keepdims }) => {
    if (x!.dtype === 'bool') throw new ShapeError('max', 'x must be float32 or int32, got bool');
    for (const a of axes) {
      if (x!.shape[a] === 0) throw new ShapeError('max', `cannot reduce over axis ${a} of size 0`);
    }
    const shape = keepdims ? x!.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x!.shape.filter((_, i) => !axes.includes(i));
    return { shape, dtype: x!.dtype };
  },
  // Opset 18 takes the axes as an input; ONNX reduces over all axes when they are empty, so an empty
  // reduction is lowered as the identity.
  lower: (ctx, [x], { axes, keepdims }) =>
    axes.length === 0 ? ctx.node('Identity', [x!]) : ctx.node('ReduceMax', [x!, ctx.i64(axes)], { keepdims: { int: keepdims ? 1 : 0 } }),
  // The gradient goes to the positions equal to the maximum; with ties it is split evenly among
  // them (so it sums to g, as in TensorFlow's reduce_max; PyTorch's amax does the same). The mask
  // is a constant for autodiff, so the second derivative is 0, as it is almost everywhere.
  vjp: (g, [x], out, { axes }) => {
    const kept = x!.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const mask = cast(equal(x!, reshape(out, kept)), 'float32');
    return [mul(mask, div(reshape(g, kept), sum(mask, axes, true)))];
  },
  reference: ([x], { axes }) => reduceAxes(x!, axes, -Infinity, (acc, v) => (v > acc || Number.isNaN(v) ? v : acc)),
});

/**
 * Maximum over `axes` (all axes when omitted; negative axes count from the end). Where several
 * entries tie for the maximum, the gradient is split evenly among them.
 * @example max(logits, -1, true) // per-row maximum, for a stable softmax
 */
export function max(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  return apply(maxOp, [x], { axes: normAxes('max', axes, x.rank), keepdims });
}

/**
 * Minimum over `axes`, as −max(−x) (a composite).
 * @example min(x, 0)
 */
export function min(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  return neg(max(neg(x), axes, keepdims));
}
