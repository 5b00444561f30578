import type { Tensor } from '../tensor/tensor.js';
import { apply, defineOp } from './registry.js';

/** Identity whose output autodiff treats as a constant. */
export const stopGradientOp = defineOp({
  name: 'stop_gradient',
  infer: ([x]) => x!,
  lower: (ctx, [x]) => ctx.node('Identity', [x!]),
  vjp: 'none',
  reference: ([x]) => Float64Array.from(x!.data),
});

/**
 * The same values, seen by autodiff as a constant (PyTorch's `detach`, JAX's `stop_gradient`).
 * @example const fake = stopGradient(G.forward(z)); // critic step: no gradient into G
 */
export function stopGradient(x: Tensor): Tensor {
  return apply(stopGradientOp, [x], {});
}

/** Alias of {@link stopGradient}. */
export const detach = stopGradient;
