import { checkShape, fmt, ShapeError, shapesEqual, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { apply, defineOp } from './registry.js';

/** Same data, new shape (row-major). */
export const reshapeOp = defineOp<{ shape: readonly number[] }>({
  name: 'reshape',
  infer: ([x], { shape }) => {
    checkShape('reshape', 'shape', shape);
    if (sizeOf(shape) !== sizeOf(x!.shape)) {
      throw new ShapeError('reshape', `cannot reshape ${fmt(x!.shape)} (${sizeOf(x!.shape)} values) to ${fmt(shape)}`);
    }
    return { shape, dtype: x!.dtype };
  },
  lower: (ctx, [x], { shape }) => ctx.node('Reshape', [x!, ctx.i64(shape)]),
  vjp: (g, [x]) => [reshape(g, x!.shape)],
  reference: ([x]) => Float64Array.from(x!.data),
});

/**
 * Reshapes `x`; one entry of `shape` may be -1 (inferred).
 * @example reshape(images, [batch, -1]) // flatten per sample
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const neg = shape.filter((d) => d === -1).length;
  if (neg > 1) throw new ShapeError('reshape', `at most one -1 allowed in shape ${fmt(shape)}`);
  let s = [...shape];
  if (neg === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError('reshape', `cannot reshape ${fmt(x.shape)} (${x.size} values) to ${fmt(shape)}`);
    }
    s = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  if (shapesEqual(s, x.shape)) return x;
  return apply(reshapeOp, [x], { shape: s });
}
