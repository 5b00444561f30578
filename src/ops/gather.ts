import { fmt, normAxis, ShapeError, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add } from './add.js';
import { less } from './compare.js';
import { matmul } from './matmul.js';
import { oneHot } from './one-hot.js';
import { apply, defineOp } from './registry.js';
import { reshape } from './reshape.js';
import { transpose } from './transpose.js';
import { where } from './where.js';

/**
 * Takes the entries of `x` at int32 `indices` along `axis` (ONNX Gather): the output shape is
 * x.shape[:axis] + indices.shape + x.shape[axis+1:]. Negative indices count from the end.
 */
export const gatherOp = defineOp<{ axis: number }>({
  name: 'gather',
  infer: ([x, idx], { axis }) => {
    if (idx!.dtype !== 'int32') throw new ShapeError('gather', `indices must be int32, got ${idx!.dtype}${fmt(idx!.shape)}`);
    if (!Number.isInteger(axis) || axis < 0 || axis >= x!.shape.length) {
      throw new ShapeError('gather', `axis ${axis} is out of range for x of shape ${fmt(x!.shape)}`);
    }
    if (x!.shape[axis] === 0) throw new ShapeError('gather', `cannot gather from axis ${axis} of size 0 in ${fmt(x!.shape)}`);
    return { shape: [...x!.shape.slice(0, axis), ...idx!.shape, ...x!.shape.slice(axis + 1)], dtype: x!.dtype };
  },
  lower: (ctx, [x, idx], { axis }) => ctx.node('Gather', [x!, idx!], { axis: { int: axis } }),
  // Scatter-add of g back to x's positions, written as a matmul with the one-hot matrix of the
  // indices: x-grad[p, j, q] = Σᵢ onehot[i, j] · g[p, i, q]. Repeated indices accumulate, and the
  // result is linear in g through differentiable ops, so second order works.
  vjp: (g, [x, idx], _out, { axis }) => {
    const n = x!.shape[axis]!;
    const pre = sizeOf(x!.shape.slice(0, axis));
    const post = sizeOf(x!.shape.slice(axis + 1));
    const count = idx!.size;
    const wrapped = where(less(idx!, 0), add(idx!, n), idx!);
    const oh = reshape(oneHot(wrapped, n), [count, n]);
    const gx = matmul(transpose(oh), reshape(g, [pre, count, post]));
    return [reshape(gx, x!.shape), null];
  },
  reference: ([x, idx], { axis }, out) => {
    const n = x!.shape[axis]!;
    const post = sizeOf(x!.shape.slice(axis + 1));
    const count = idx!.data.length;
    const pre = sizeOf(x!.shape.slice(0, axis));
    const res = new Float64Array(sizeOf(out.shape));
    for (let p = 0; p < pre; p++) {
      for (let i = 0; i < count; i++) {
        let j = idx!.data[i]!;
        if (j < 0) j += n;
        if (!(j >= 0 && j < n)) throw new RangeError(`gather: index ${idx!.data[i]} is out of range for axis ${axis} of size ${n}`);
        const src = (p * n + j) * post;
        res.set(x!.data.subarray(src, src + post), (p * count + i) * post);
      }
    }
    return res;
  },
});

/**
 * Takes entries of `x` along `axis` (default 0) at int32 `indices` (negative ones count from the end).
 * @example gather(embeddings, tokenIds) // [vocab, dim] -> [...tokenIds.shape, dim]
 */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  return apply(gatherOp, [x, indices], { axis: normAxis('gather', axis, x.rank) });
}
