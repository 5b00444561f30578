/**
 * Softmax and log-softmax as composites (no vjp of their own), numerically stable.
 */
import { normAxis } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { div } from './div.js';
import { exp } from './exp.js';
import { log } from './log.js';
import { max } from './max.js';
import { stopGradient } from './stop-gradient.js';
import { sub } from './sub.js';
import { sum } from './sum.js';

/**
 * x minus its maximum along `axis`. Softmax is invariant to that shift, so the maximum is a
 * stopGradient constant: the gradients are exact, and no tie-splitting mask enters the graph.
 */
function shifted(x: Tensor, axis: number): Tensor {
  return sub(x, stopGradient(max(x, axis, true)));
}

/**
 * exp(x) / Σ exp(x) along `axis` (default: the last), computed as exp(x − max) to avoid overflow.
 * @example softmax(logits) // [B, C] class probabilities
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  const a = normAxis('softmax', axis, x.rank);
  const e = exp(shifted(x, a));
  return div(e, sum(e, a, true));
}

/**
 * log softmax along `axis` (default: the last): (x − max) − log Σ exp(x − max), finite even for
 * logits in the thousands.
 * @example logSoftmax(logits)
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const a = normAxis('logSoftmax', axis, x.rank);
  const z = shifted(x, a);
  return sub(z, log(sum(exp(z), a, true)));
}
