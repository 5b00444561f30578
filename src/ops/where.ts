import { mapTernary } from '../backends/reference/nd.js';
import { broadcastShapes, ShapeError } from '../tensor/shape.js';
import { asTensor, type Tensor, type TensorLike } from '../tensor/tensor.js';
import { sumTo } from './helpers.js';
import { apply, defineOp } from './registry.js';

/** Elementwise select: cond ? a : b, broadcasting all three. The mask gets no gradient. */
export const whereOp = defineOp({
  name: 'where',
  infer: ([c, a, b]) => {
    if (c!.dtype !== 'bool') throw new ShapeError('where', `cond must be bool, got ${c!.dtype}`);
    if (a!.dtype !== b!.dtype) throw new ShapeError('where', `a and b differ in dtype: ${a!.dtype} vs ${b!.dtype}`);
    const s = broadcastShapes('where', broadcastShapes('where', c!.shape, a!.shape), b!.shape);
    return { shape: s, dtype: a!.dtype };
  },
  lower: (ctx, [c, a, b]) => ctx.node('Where', [c!, a!, b!]),
  vjp: (g, [c, a, b]) => [null, sumTo(where(c!, g, 0), a!.shape), sumTo(where(c!, 0, g), b!.shape)],
  reference: ([c, a, b], _attrs, out) => mapTernary(c!, a!, b!, out.shape, (m, x, y) => (m ? x : y)),
});

/**
 * cond ? a : b elementwise, with broadcasting; numbers take the dtype of the tensor branch.
 * @example where(greater(x, 0), x, mul(x, 0.2))
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const dtype = typeof a !== 'number' ? a.dtype : typeof b !== 'number' ? b.dtype : 'float32';
  return apply(whereOp, [cond, asTensor(a, dtype), asTensor(b, dtype)], {});
}
