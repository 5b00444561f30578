/**
 * Composite math ops: functions of primitives with no vjp of their own (autodiff sees the primitives).
 */
import { normAxes } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { div } from './div.js';
import { mul } from './mul.js';
import { sum } from './sum.js';

/** x². @example square(sub(norm, 1)) */
export function square(x: Tensor): Tensor {
  return mul(x, x);
}

/**
 * Mean over `axes` (all axes when omitted).
 * @example mean(criticScores) // scalar
 */
export function mean(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  const ax = normAxes('mean', axes, x.rank);
  const n = ax.reduce((acc, a) => acc * x.shape[a]!, 1);
  return div(sum(x, ax, keepdims), n);
}
