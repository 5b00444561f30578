/**
 * One-hot encoding as a composite: a comparison against an embedded arange, cast to float32.
 */
import { ShapeError } from '../tensor/shape.js';
import { constant, type Tensor } from '../tensor/tensor.js';
import { cast } from './cast.js';
import { equal } from './compare.js';
import { reshape } from './reshape.js';

/**
 * The float32 one-hot encoding of int32 `indices`: shape `[...indices.shape, depth]`, with a 1 at
 * each index and 0 elsewhere (all zeros for an index outside [0, depth)). It carries no gradient.
 * @example oneHot(labels, 10) // [B] -> [B, 10], for class-conditional critics and cross-entropy
 */
export function oneHot(indices: Tensor, depth: number): Tensor {
  if (indices.dtype !== 'int32') throw new ShapeError('oneHot', `indices must be int32, got ${indices.describe()}`);
  if (!Number.isInteger(depth) || depth < 1) throw new ShapeError('oneHot', `depth must be a positive integer, got ${depth}`);
  const range = constant(Array.from({ length: depth }, (_, i) => i), [depth], 'int32');
  // [..., 1] == [depth] broadcasts to [..., depth].
  return cast(equal(reshape(indices, [...indices.shape, 1]), range), 'float32');
}
