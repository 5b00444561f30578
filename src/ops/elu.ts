import { mapUnary } from '../backends/reference/nd.js';
import { ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add } from './add.js';
import { greater } from './compare.js';
import { floatUnaryInfer } from './helpers.js';
import { mul } from './mul.js';
import { apply, defineOp } from './registry.js';
import { where } from './where.js';

/** x for x > 0, alpha·(eˣ − 1) otherwise (ONNX Elu). */
export const eluOp = defineOp<{ alpha: number }>({
  name: 'elu',
  infer: (inputs) => floatUnaryInfer('elu', inputs),
  lower: (ctx, [x], { alpha }) => ctx.node('Elu', [x!], { alpha: { float: alpha } }),
  // For x ≤ 0 the derivative alpha·eˣ equals y + alpha: written with the output node so the second
  // derivative flows through y.
  vjp: (g, [x], y, { alpha }) => [where(greater(x!, 0), g, mul(g, add(y, alpha)))],
  reference: ([x], { alpha }) => mapUnary(x!, (v) => (v > 0 ? v : alpha * Math.expm1(v))),
});

/** Exponential linear unit. @example elu(linear(x), 1) */
export function elu(x: Tensor, alpha = 1): Tensor {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new ShapeError('elu', `alpha must be a finite number, got ${String(alpha)}`);
  return apply(eluOp, [x], { alpha });
}
