import { mapUnary, broadcastIndex } from '../backends/reference/nd.js';
import { broadcastShapes, checkShape, fmt, ShapeError, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { sumTo } from './helpers.js';
import { apply, defineOp } from './registry.js';

/** Broadcasts `x` to `shape` (NumPy rules). */
export const expandOp = defineOp<{ shape: readonly number[] }>({
  name: 'expand',
  infer: ([x], { shape }) => {
    checkShape('expand', 'shape', shape);
    const s = broadcastShapes('expand', x!.shape, shape);
    if (!shapesEqual(s, shape)) throw new ShapeError('expand', `cannot broadcast ${fmt(x!.shape)} to ${fmt(shape)}`);
    return { shape, dtype: x!.dtype };
  },
  lower: (ctx, [x], { shape }) => ctx.node('Expand', [x!, ctx.i64(shape)]),
  vjp: (g, [x]) => [sumTo(g, x!.shape)],
  reference: ([x], { shape }) => {
    const [ix] = broadcastIndex([x!.shape], shape) as [Int32Array];
    return mapUnary({ shape, data: Float64Array.from(ix) }, (i) => x!.data[i]!);
  },
});

/** Broadcasts `x` to `shape`. @example expand(bias, [batch, features]) */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  return apply(expandOp, [x], { shape: [...shape] });
}

/** Alias of {@link expand}. */
export const broadcastTo = expand;
