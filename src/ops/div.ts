import { mapBinary } from '../backends/reference/nd.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { broadcastInfer, pair, sumTo } from './helpers.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { apply, defineOp } from './registry.js';

/** Elementwise a / b with NumPy broadcasting. */
export const divOp = defineOp({
  name: 'div',
  infer: (inputs) => broadcastInfer('div', inputs),
  lower: (ctx, [a, b]) => ctx.node('Div', [a!, b!]),
  // d(a/b)/db = −a/b² = −out/b
  vjp: (g, [a, b], out) => [sumTo(div(g, b!), a!.shape), sumTo(neg(div(mul(g, out), b!)), b!.shape)],
  reference: ([a, b], _attrs, out) => mapBinary(a!, b!, out.shape, (x, y) => x / y),
});

/** Elementwise quotient with broadcasting. @example div(x, 255) */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return apply(divOp, pair(a, b), {});
}
