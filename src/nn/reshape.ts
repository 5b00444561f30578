/**
 * Shape modules for `Sequential` models: Reshape (keeping the batch axis) and Flatten.
 */
import { reshape } from '../ops/reshape.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/**
 * [N, ...] → [N, ...shape] (the batch axis is kept).
 * @example new Reshape([4 * 64, 4, 4]) // after the generator's first Linear
 */
export class Reshape extends Module {
  readonly shape: readonly number[];
  constructor(shape: readonly number[]) {
    super();
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
      throw new Error(`Reshape: shape must be a list of positive integers, got ${JSON.stringify(shape)}`);
    }
    this.shape = [...shape];
  }
  override forward(x: Tensor): Tensor {
    const per = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const want = this.shape.reduce((a, b) => a * b, 1);
    if (x.rank < 1 || per !== want) throw new ShapeError('Reshape', `cannot reshape ${fmt(x.shape)} to [N, ${this.shape.join(',')}]`);
    return reshape(x, [x.shape[0]!, ...this.shape]);
  }
  override extraRepr(): string {
    return `[N, ${this.shape.join(', ')}]`;
  }
}

/** [N, ...] → [N, prod(...)] (the critics flatten before their last Linear). @example new Flatten() */
export class Flatten extends Module {
  override forward(x: Tensor): Tensor {
    if (x.rank < 1) throw new ShapeError('Flatten', `needs a batch axis, got ${fmt(x.shape)}`);
    return reshape(x, [x.shape[0]!, x.shape.slice(1).reduce((a, b) => a * b, 1)]);
  }
}
