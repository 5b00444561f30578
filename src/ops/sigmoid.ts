import { mapUnary } from '../backends/reference/nd.js';
import type { Tensor } from '../tensor/tensor.js';
import { floatUnaryInfer } from './helpers.js';
import { mul } from './mul.js';
import { apply, defineOp } from './registry.js';
import { sub } from './sub.js';

/** 1/(1 + e⁻ˣ), evaluated without overflow for large |x|. */
export function sigmoid64(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/**
 * Elementwise logistic sigmoid. The vjp g·y·(1 − y) uses the output node y, so the second
 * derivative flows through y = sigmoid(x) (where TensorFlow.js gets it wrong).
 */
export const sigmoidOp = defineOp({
  name: 'sigmoid',
  infer: (inputs) => floatUnaryInfer('sigmoid', inputs),
  lower: (ctx, [x]) => ctx.node('Sigmoid', [x!]),
  vjp: (g, _inputs, y) => [mul(g, mul(y, sub(1, y)))],
  reference: ([x]) => mapUnary(x!, sigmoid64),
});

/** Logistic sigmoid. @example sigmoid(logits) // MNIST generator output in (0, 1) */
export function sigmoid(x: Tensor): Tensor {
  return apply(sigmoidOp, [x], {});
}
