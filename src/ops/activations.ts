/**
 * Composite activations: functions of primitives with no vjp of their own.
 */
import { ShapeError } from '../tensor/shape.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { add } from './add.js';
import { greater, less } from './compare.js';
import { div } from './div.js';
import { mul } from './mul.js';
import { sigmoid } from './sigmoid.js';
import { softplus } from './softplus.js';
import { sub } from './sub.js';
import { tanh } from './tanh.js';
import { where } from './where.js';

/**
 * softplus(2x + 2)/2 − 1: the smooth nonlinearity of the paper's random-architecture experiment
 * (§5.1), a smoothed max(x, −1): it tends to x for large x and to −1 for very negative x.
 * @example paperSoftplus(linear(x))
 */
export function paperSoftplus(x: Tensor): Tensor {
  return sub(div(softplus(add(mul(x, 2), 2)), 2), 1);
}

/**
 * The gated nonlinearity sigmoid(a)·tanh(b) of the reference's 64×64 architecture zoo
 * (gan_64x64.py: the gate halves of a doubled conv output).
 * @example gatedTanhSigmoid(gate, value)
 */
export function gatedTanhSigmoid(a: Tensor, b: Tensor): Tensor {
  return mul(sigmoid(a), tanh(b));
}

/**
 * Clamps `x` to [lo, hi] elementwise; the gradient is 1 inside the box and 0 outside (and at the
 * bounds themselves the value passes through with gradient 1). Used for WGAN weight clipping,
 * a projection onto [−c, c] (reference: clip ±0.01 after every critic step).
 * @example clamp(w, -0.01, 0.01)
 */
export function clamp(x: Tensor, lo: TensorLike, hi: TensorLike): Tensor {
  if (typeof lo === 'number' && typeof hi === 'number' && !(lo <= hi)) {
    throw new ShapeError('clamp', `lo must be <= hi, got lo ${lo} and hi ${hi}`);
  }
  return where(less(x, lo), lo, where(greater(x, hi), hi, x));
}

/** Alias of {@link clamp}. @example clip(w, -c, c) */
export const clip = clamp;
