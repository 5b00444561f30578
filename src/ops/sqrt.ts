import { mapUnary } from '../backends/reference/nd.js';
import type { Tensor } from '../tensor/tensor.js';
import { greater } from './compare.js';
import { div } from './div.js';
import { floatUnaryInfer } from './helpers.js';
import { mul } from './mul.js';
import { apply, defineOp } from './registry.js';
import { where } from './where.js';

/** Elementwise √x. */
export const sqrtOp = defineOp({
  name: 'sqrt',
  infer: (inputs) => floatUnaryInfer('sqrt', inputs),
  lower: (ctx, [x]) => ctx.node('Sqrt', [x!]),
  // d√x/dx = 1/(2√x), which is +inf at x = 0 and turns 0·inf into NaN in the gradient penalty when a
  // per-sample gradient is exactly zero (a known failure of other ports). We use 0 there (a
  // subgradient choice) and divide by a safe denominator so no inf appears in either where() branch,
  // which keeps the second derivative finite too. Values elsewhere are unchanged.
  vjp: (g, _inputs, out) => {
    const pos = greater(out, 0);
    const safe = where(pos, out, 1);
    return [where(pos, div(mul(g, 0.5), safe), 0)];
  },
  reference: ([x]) => mapUnary(x!, Math.sqrt),
});

/** Elementwise square root; its gradient at exactly 0 is 0, never NaN. @example sqrt(sum(square(g), [1])) */
export function sqrt(x: Tensor): Tensor {
  return apply(sqrtOp, [x], {});
}
