import { mapUnary } from '../backends/reference/nd.js';
import type { Tensor } from '../tensor/tensor.js';
import { greater, less } from './compare.js';
import { neg } from './neg.js';
import { apply, defineOp, expectDType } from './registry.js';
import { where } from './where.js';

/**
 * Elementwise |x|. Its vjp is g·sign(x) with sign(0) = 0 (as in PyTorch), built from two masks so
 * that it stays differentiable: the second derivative is 0 everywhere but at the kink.
 */
export const absOp = defineOp({
  name: 'abs',
  infer: ([x]) => {
    expectDType('abs', 'x', x!, ['float32', 'int32']);
    return x!;
  },
  lower: (ctx, [x]) => ctx.node('Abs', [x!]),
  vjp: (g, [x]) => [where(greater(x!, 0), g, where(less(x!, 0), neg(g), 0))],
  reference: ([x]) => mapUnary(x!, Math.abs),
});

/** Elementwise absolute value. @example abs(sub(a, b)) */
export function abs(x: Tensor): Tensor {
  return apply(absOp, [x], {});
}
