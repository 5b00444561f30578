import { mapUnary } from '../backends/reference/nd.js';
import type { Tensor } from '../tensor/tensor.js';
import { floatUnaryInfer } from './helpers.js';
import { mul } from './mul.js';
import { apply, defineOp } from './registry.js';
import { sub } from './sub.js';

/**
 * Elementwise tanh. The vjp g·(1 − y²) is written with the output node y, so differentiating it
 * again goes through y = tanh(x) and gives the true second derivative −2y(1 − y²)
 * (TensorFlow.js treats y as a constant there and gets it wrong).
 */
export const tanhOp = defineOp({
  name: 'tanh',
  infer: (inputs) => floatUnaryInfer('tanh', inputs),
  lower: (ctx, [x]) => ctx.node('Tanh', [x!]),
  vjp: (g, _inputs, y) => [mul(g, sub(1, mul(y, y)))],
  reference: ([x]) => mapUnary(x!, Math.tanh),
});

/** Hyperbolic tangent. @example tanh(convOut) // generator output in [-1, 1] */
export function tanh(x: Tensor): Tensor {
  return apply(tanhOp, [x], {});
}
