import { mapUnary } from '../backends/reference/nd.js';
import type { Tensor } from '../tensor/tensor.js';
import { apply, defineOp, expectDType } from './registry.js';

/** Elementwise −x. */
export const negOp = defineOp({
  name: 'neg',
  infer: ([x]) => {
    expectDType('neg', 'x', x!, ['float32', 'int32']);
    return x!;
  },
  lower: (ctx, [x]) => ctx.node('Neg', [x!]),
  vjp: (g) => [neg(g)],
  reference: ([x]) => mapUnary(x!, (v) => -v),
});

/** Elementwise negation. @example neg(x) */
export function neg(x: Tensor): Tensor {
  return apply(negOp, [x], {});
}
