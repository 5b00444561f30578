import { mapBinary } from '../backends/reference/nd.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { broadcastInfer, pair, sumTo } from './helpers.js';
import { apply, defineOp } from './registry.js';

/** Elementwise a + b with NumPy broadcasting. */
export const addOp = defineOp({
  name: 'add',
  infer: (inputs) => broadcastInfer('add', inputs),
  lower: (ctx, [a, b]) => ctx.node('Add', [a!, b!]),
  vjp: (g, [a, b]) => [sumTo(g, a!.shape), sumTo(g, b!.shape)],
  reference: ([a, b], _attrs, out) => mapBinary(a!, b!, out.shape, (x, y) => x + y),
});

/** Elementwise sum with broadcasting. @example add(x, 1) */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return apply(addOp, pair(a, b), {});
}
