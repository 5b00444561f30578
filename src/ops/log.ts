import { mapUnary } from '../backends/reference/nd.js';
import type { Tensor } from '../tensor/tensor.js';
import { div } from './div.js';
import { floatUnaryInfer } from './helpers.js';
import { apply, defineOp } from './registry.js';

/** Elementwise natural logarithm. */
export const logOp = defineOp({
  name: 'log',
  infer: (inputs) => floatUnaryInfer('log', inputs),
  lower: (ctx, [x]) => ctx.node('Log', [x!]),
  vjp: (g, [x]) => [div(g, x!)],
  reference: ([x]) => mapUnary(x!, Math.log),
});

/** Elementwise natural logarithm. @example log(probs) */
export function log(x: Tensor): Tensor {
  return apply(logOp, [x], {});
}
