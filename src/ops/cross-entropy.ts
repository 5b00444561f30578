/**
 * Cross-entropy losses as composites of stable primitives.
 */
import { broadcastShapes, fmt, ShapeError, shapesEqual } from '../tensor/shape.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { mean } from './math.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { oneHot } from './one-hot.js';
import { logSoftmax } from './softmax.js';
import { softplus } from './softplus.js';
import { sub } from './sub.js';
import { sum } from './sum.js';

/**
 * Elementwise sigmoid cross-entropy of `logits` x against targets z in [0, 1]:
 * −z·log σ(x) − (1 − z)·log(1 − σ(x)) = max(x, 0) − x·z + log(1 + e^−|x|), which is
 * softplus(x) − x·z with the stable softplus kernel (no overflow, and smooth at x = 0 where the
 * max/abs form would need care with subgradients). Not reduced: take the mean yourself.
 * `labels` may be a number (the same target everywhere) or a tensor broadcastable to the logits.
 * @example mean(sigmoidCrossEntropyWithLogits(dReal, 1)) // the DCGAN loss on real data
 */
export function sigmoidCrossEntropyWithLogits(logits: Tensor, labels: TensorLike): Tensor {
  if (typeof labels !== 'number') {
    const ok = labels.dtype === 'float32' && shapesEqual(broadcastShapes('sigmoidCrossEntropyWithLogits', logits.shape, labels.shape), logits.shape);
    if (!ok) {
      throw new ShapeError(
        'sigmoidCrossEntropyWithLogits',
        `labels must be a number or float32 broadcastable to the logits' shape ${fmt(logits.shape)}, got ${labels.describe()}`,
      );
    }
  }
  return sub(softplus(logits), mul(logits, labels));
}

/**
 * Mean over the batch of the softmax cross-entropy of `logits` [..., C] against int32 class
 * `labels` [...] (the AC-GAN auxiliary classifier loss).
 * @example softmaxCrossEntropy(classLogits, labels) // scalar
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  if (labels.dtype !== 'int32') throw new ShapeError('softmaxCrossEntropy', `labels must be int32 class indices, got ${labels.describe()}`);
  if (logits.rank < 1 || !shapesEqual(logits.shape.slice(0, -1), labels.shape)) {
    throw new ShapeError(
      'softmaxCrossEntropy',
      `logits ${fmt(logits.shape)} must be labels' shape ${fmt(labels.shape)} plus a class axis`,
    );
  }
  const classes = logits.shape[logits.rank - 1]!;
  const perExample = neg(sum(mul(oneHot(labels, classes), logSoftmax(logits, -1)), -1));
  return mean(perExample);
}
