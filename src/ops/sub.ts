import { mapBinary } from '../backends/reference/nd.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { broadcastInfer, pair, sumTo } from './helpers.js';
import { neg } from './neg.js';
import { apply, defineOp } from './registry.js';

/** Elementwise a − b with NumPy broadcasting. */
export const subOp = defineOp({
  name: 'sub',
  infer: (inputs) => broadcastInfer('sub', inputs),
  lower: (ctx, [a, b]) => ctx.node('Sub', [a!, b!]),
  vjp: (g, [a, b]) => [sumTo(g, a!.shape), sumTo(neg(g), b!.shape)],
  reference: ([a, b], _attrs, out) => mapBinary(a!, b!, out.shape, (x, y) => x - y),
});

/** Elementwise difference with broadcasting. @example sub(fakeScore, realScore) */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return apply(subOp, pair(a, b), {});
}
