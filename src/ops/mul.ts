import { mapBinary } from '../backends/reference/nd.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { broadcastInfer, pair, sumTo } from './helpers.js';
import { apply, defineOp } from './registry.js';

/** Elementwise a · b with NumPy broadcasting. */
export const mulOp = defineOp({
  name: 'mul',
  infer: (inputs) => broadcastInfer('mul', inputs),
  lower: (ctx, [a, b]) => ctx.node('Mul', [a!, b!]),
  vjp: (g, [a, b]) => [sumTo(mul(g, b!), a!.shape), sumTo(mul(g, a!), b!.shape)],
  reference: ([a, b], _attrs, out) => mapBinary(a!, b!, out.shape, (x, y) => x * y),
});

/** Elementwise product with broadcasting. @example mul(x, 0.5) */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return apply(mulOp, pair(a, b), {});
}
