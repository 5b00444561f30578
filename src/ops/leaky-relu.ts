import { mapUnary } from '../backends/reference/nd.js';
import { ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { greater } from './compare.js';
import { floatUnaryInfer } from './helpers.js';
import { mul } from './mul.js';
import { apply, defineOp } from './registry.js';
import { where } from './where.js';

/** x for x > 0, alpha·x otherwise (ONNX LeakyRelu). The gradient at exactly 0 is alpha. */
export const leakyReluOp = defineOp<{ alpha: number }>({
  name: 'leaky_relu',
  infer: (inputs) => floatUnaryInfer('leakyRelu', inputs),
  lower: (ctx, [x], { alpha }) => ctx.node('LeakyRelu', [x!], { alpha: { float: alpha } }),
  vjp: (g, [x], _out, { alpha }) => [where(greater(x!, 0), g, mul(g, alpha))],
  reference: ([x], { alpha }) => mapUnary(x!, (v) => (v > 0 ? v : alpha * v)),
});

/**
 * Leaky ReLU with slope `alpha` for negative inputs (default 0.2, the reference critics' `LeakyReLU`).
 * @example leakyRelu(conv(x), 0.2)
 */
export function leakyRelu(x: Tensor, alpha = 0.2): Tensor {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new ShapeError('leakyRelu', `alpha must be a finite number, got ${String(alpha)}`);
  return apply(leakyReluOp, [x], { alpha });
}
