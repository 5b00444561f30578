import { mapUnary } from '../backends/reference/nd.js';
import type { Tensor } from '../tensor/tensor.js';
import { floatUnaryInfer } from './helpers.js';
import { mul } from './mul.js';
import { apply, defineOp } from './registry.js';
import { sigmoid } from './sigmoid.js';

/** log(1 + eˣ) = max(x, 0) + log1p(e^−|x|): the stable form, no overflow for large |x|. */
export function softplus64(v: number): number {
  return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
}

/** Elementwise log(1 + eˣ) (ONNX Softplus). Its derivative is sigmoid(x). */
export const softplusOp = defineOp({
  name: 'softplus',
  infer: (inputs) => floatUnaryInfer('softplus', inputs),
  lower: (ctx, [x]) => ctx.node('Softplus', [x!]),
  vjp: (g, [x]) => [mul(g, sigmoid(x!))],
  reference: ([x]) => mapUnary(x!, softplus64),
});

/** Smooth ReLU, log(1 + eˣ). @example softplus(neg(criticOut)) // the GAN loss −log sigmoid(D) */
export function softplus(x: Tensor): Tensor {
  return apply(softplusOp, [x], {});
}
