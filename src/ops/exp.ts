import { mapUnary } from '../backends/reference/nd.js';
import type { Tensor } from '../tensor/tensor.js';
import { floatUnaryInfer } from './helpers.js';
import { mul } from './mul.js';
import { apply, defineOp } from './registry.js';

/** Elementwise eˣ. */
export const expOp = defineOp({
  name: 'exp',
  infer: (inputs) => floatUnaryInfer('exp', inputs),
  lower: (ctx, [x]) => ctx.node('Exp', [x!]),
  vjp: (g, _inputs, out) => [mul(g, out)],
  reference: ([x]) => mapUnary(x!, Math.exp),
});

/** Elementwise exponential. @example exp(logits) */
export function exp(x: Tensor): Tensor {
  return apply(expOp, [x], {});
}
