import { mapUnary } from '../backends/reference/nd.js';
import type { Tensor } from '../tensor/tensor.js';
import { greater } from './compare.js';
import { floatUnaryInfer } from './helpers.js';
import { apply, defineOp } from './registry.js';
import { where } from './where.js';

/**
 * max(x, 0). A primitive (not where(x > 0, x, 0)) so ONNX Runtime can fuse it into Gemm/Conv.
 * Its vjp masks with x > 0: the gradient at exactly 0 is 0, as in PyTorch and TensorFlow.
 */
export const reluOp = defineOp({
  name: 'relu',
  infer: (inputs) => floatUnaryInfer('relu', inputs),
  lower: (ctx, [x]) => ctx.node('Relu', [x!]),
  vjp: (g, [x]) => [where(greater(x!, 0), g, 0)],
  reference: ([x]) => mapUnary(x!, (v) => (v > 0 ? v : 0)),
});

/** Rectified linear unit. @example relu(linear(x)) */
export function relu(x: Tensor): Tensor {
  return apply(reluOp, [x], {});
}
