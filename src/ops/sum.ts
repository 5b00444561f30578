import { reduceAxes } from '../backends/reference/nd.js';
import { normAxes, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { expand } from './expand.js';
import { apply, defineOp } from './registry.js';
import { reshape } from './reshape.js';

/** Sum over `axes` (sorted, distinct, non-negative), keeping them as size 1 when `keepdims`. */
export const sumOp = defineOp<{ axes: readonly number[]; keepdims: boolean }>({
  name: 'sum',
  infer: ([x], { axes, keepdims }) => {
    if (x!.dtype === 'bool') throw new ShapeError('sum', 'x must be float32 or int32, got bool');
    const shape = keepdims ? x!.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x!.shape.filter((_, i) => !axes.includes(i));
    return { shape, dtype: x!.dtype };
  },
  lower: (ctx, [x], { axes, keepdims }) =>
    // ONNX reduces over all axes when `axes` is empty; an empty reduction is the identity here.
    axes.length === 0 ? ctx.node('Identity', [x!]) : ctx.node('ReduceSum', [x!, ctx.i64(axes)], { keepdims: { int: keepdims ? 1 : 0 } }),
  vjp: (g, [x], _out, { axes }) => {
    const kept = x!.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    return [expand(reshape(g, kept), x!.shape)];
  },
  reference: ([x], { axes }) => reduceAxes(x!, axes, 0, (acc, v) => acc + v),
});

/**
 * Sum over `axes` (all axes when omitted; negative axes count from the end).
 * @example sum(square(g), [1, 2, 3]) // per-sample squared norm of an image gradient
 */
export function sum(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  return apply(sumOp, [x], { axes: normAxes('sum', axes, x.rank), keepdims });
}
