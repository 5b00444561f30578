/**
 * Normalization composites (no vjp of their own: autodiff sees mean, sub, mul, sqrt, ... so every
 * order of derivative works, including the gradient penalty through a layer-normalized critic).
 *
 * All use biased batch/sample moments and eps inside the square root, as tf.nn.moments +
 * tf.nn.batch_normalization (and fused_batch_norm in training mode) in the reference code.
 */
import { fmt, normAxes, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add } from './add.js';
import { div } from './div.js';
import { gather } from './gather.js';
import { mean } from './math.js';
import { mul } from './mul.js';
import { reshape } from './reshape.js';
import { sqrt } from './sqrt.js';
import { sub } from './sub.js';

export interface NormOptions {
  /** Axes to compute the moments over. */
  axes?: readonly number[];
  /** Added to the variance inside the square root; default 1e-5 (the reference code's value). */
  eps?: number;
}

/** (x − mean) and 1/√(var + eps) over `axes`, both with the reduced axes kept as size 1. */
function moments(op: string, x: Tensor, axes: readonly number[], eps: number): { centered: Tensor; invStd: Tensor } {
  if (x.dtype !== 'float32') throw new ShapeError(op, `x must be float32, got ${x.describe()}`);
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new ShapeError(op, `eps must be a finite number >= 0, got ${eps}`);
  if (axes.length === 0) throw new ShapeError(op, `needs at least one axis to normalize over, x is ${fmt(x.shape)}`);
  const centered = sub(x, mean(x, axes, true));
  // Two-pass variance (mean of squared deviations): no cancellation for large means.
  const variance = mean(mul(centered, centered), axes, true);
  return { centered, invStd: div(1, sqrt(add(variance, eps))) };
}

/**
 * Per-channel parameter `p` (shape [C], C = x.shape[1], or already broadcastable to x) as a tensor that
 * broadcasts over x: [C] becomes [C, 1, ..., 1] for rank > 2.
 */
function channelParam(op: string, arg: string, p: Tensor, x: Tensor): Tensor {
  if (p.rank === 1 && x.rank > 2) {
    if (p.shape[0] !== x.shape[1]) {
      throw new ShapeError(op, `${arg} ${fmt(p.shape)} must have one value per channel of x ${fmt(x.shape)} (axis 1)`);
    }
    return reshape(p, [p.shape[0]!, ...new Array<number>(x.rank - 2).fill(1)]);
  }
  const lead = x.rank - p.rank;
  const ok = lead >= 0 && p.shape.every((d, i) => d === 1 || d === x.shape[lead + i]);
  if (!ok) throw new ShapeError(op, `${arg} ${fmt(p.shape)} does not broadcast over x ${fmt(x.shape)}`);
  return p;
}

/** normalized · scale + offset, folding invStd into the (small) scale before touching the big tensor. */
function affine(centered: Tensor, invStd: Tensor, gamma: Tensor | null, beta: Tensor | null): Tensor {
  const scale = gamma ? mul(invStd, gamma) : invStd;
  const y = mul(centered, scale);
  return beta ? add(y, beta) : y;
}

/** The axes of x except the channel axis 1 (axis 0 alone for rank 2). */
function allButChannel(rank: number): number[] {
  return rank <= 2 ? [0] : [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
}

/**
 * Batch normalization with BATCH statistics, always (the reference code uses batch statistics also
 * when sampling; there are no running averages). Moments over `axes` (default: all but the channel
 * axis 1, i.e. [0, 2, 3] for images, [0] for [N, F]); gamma/beta have one value per channel (or
 * broadcast over x) and may be null.
 * @example const h = relu(batchNorm(convTranspose2d(z, w, { stride: 2, padding: 'same' }), gamma, beta));
 */
export function batchNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, opts: NormOptions = {}): Tensor {
  const op = 'batchNorm';
  const axes = normAxes(op, opts.axes ?? allButChannel(x.rank), x.rank);
  const { centered, invStd } = moments(op, x, axes, opts.eps ?? 1e-5);
  return affine(centered, invStd, gamma && channelParam(op, 'gamma', gamma, x), beta && channelParam(op, 'beta', beta, x));
}

/**
 * Layer normalization per sample over all non-batch axes (default; [C, H, W] for images) with
 * per-channel gamma/beta ([C], C = x.shape[1]): the reference critic's layer norm
 * (tflib Layernorm over axes [1, 2, 3]). gamma/beta may be null.
 * @example const h = leakyRelu(layerNorm(conv2d(x, w, { stride: 2, padding: 'same' }), gamma, beta));
 */
export function layerNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, opts: NormOptions = {}): Tensor {
  const op = 'layerNorm';
  if (x.rank < 2) throw new ShapeError(op, `x must have a batch axis and at least one more, got ${fmt(x.shape)}`);
  const axes = normAxes(op, opts.axes ?? Array.from({ length: x.rank - 1 }, (_, i) => i + 1), x.rank);
  const { centered, invStd } = moments(op, x, axes, opts.eps ?? 1e-5);
  return affine(centered, invStd, gamma && channelParam(op, 'gamma', gamma, x), beta && channelParam(op, 'beta', beta, x));
}

/**
 * Conditional batch normalization (the conditional ResNet generator): batch statistics over all but
 * the channel axis, then a per-sample scale and offset taken from row `labels[n]` of gammaTable and
 * betaTable ([K, C], K classes).
 * @example const h = conditionalBatchNorm(x, labels, gammas, betas); // labels: int32 [N]
 */
export function conditionalBatchNorm(x: Tensor, labels: Tensor, gammaTable: Tensor, betaTable: Tensor, opts: { eps?: number } = {}): Tensor {
  const op = 'conditionalBatchNorm';
  if (x.rank < 2) throw new ShapeError(op, `x must be [N, C, ...], got ${fmt(x.shape)}`);
  const [N, C] = x.shape as [number, number];
  if (labels.dtype !== 'int32' || labels.rank !== 1 || labels.shape[0] !== N) {
    throw new ShapeError(op, `labels must be int32 [${N}] (one per sample of x ${fmt(x.shape)}), got ${labels.describe()}`);
  }
  for (const [arg, t] of [['gammaTable', gammaTable], ['betaTable', betaTable]] as const) {
    if (t.rank !== 2 || t.shape[1] !== C) throw new ShapeError(op, `${arg} must be [classes, ${C}], got ${fmt(t.shape)}`);
  }
  const { centered, invStd } = moments(op, x, allButChannel(x.rank), opts.eps ?? 1e-5);
  const perSample = [N, C, ...new Array<number>(x.rank - 2).fill(1)];
  return affine(centered, invStd, reshape(gather(gammaTable, labels), perSample), reshape(gather(betaTable, labels), perSample));
}
