import { fmt, normAxis, ShapeError, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { apply, defineOp } from './registry.js';
import { slice } from './slice.js';

/** Joins tensors along an existing axis (non-negative); all other axes must agree. */
export const concatOp = defineOp<{ axis: number }>({
  name: 'concat',
  infer: (inputs, { axis }) => {
    if (inputs.length === 0) throw new ShapeError('concat', 'needs at least one tensor');
    const first = inputs[0]!;
    const shape = [...first.shape];
    if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
      throw new ShapeError('concat', `axis ${axis} is out of range for tensors of rank ${shape.length}`);
    }
    let total = 0;
    inputs.forEach((t, i) => {
      if (t.dtype !== first.dtype) throw new ShapeError('concat', `tensor ${i} is ${t.dtype}, tensor 0 is ${first.dtype}`);
      const ok = t.shape.length === shape.length && t.shape.every((d, k) => k === axis || d === shape[k]);
      if (!ok) {
        throw new ShapeError('concat', `tensor ${i} has shape ${fmt(t.shape)}, incompatible with tensor 0's ${fmt(first.shape)} along axis ${axis}`);
      }
      total += t.shape[axis]!;
    });
    shape[axis] = total;
    return { shape, dtype: first.dtype };
  },
  lower: (ctx, inputs, { axis }) => ctx.node('Concat', inputs, { axis: { int: axis } }),
  // Each input's cotangent is its own slab of g.
  vjp: (g, inputs, _out, { axis }) => {
    let start = 0;
    return inputs.map((t) => {
      const end = start + t.shape[axis]!;
      const gi = slice(g, [start], [end], [axis]);
      start = end;
      return gi;
    });
  },
  reference: (inputs, { axis }, out) => {
    const outer = sizeOf(out.shape.slice(0, axis));
    const inner = sizeOf(out.shape.slice(axis + 1));
    const res = new Float64Array(sizeOf(out.shape));
    const rowOut = out.shape[axis]! * inner;
    let offset = 0;
    for (const t of inputs) {
      const row = t.shape[axis]! * inner;
      for (let o = 0; o < outer; o++) res.set(t.data.subarray(o * row, (o + 1) * row), o * rowOut + offset);
      offset += row;
    }
    return res;
  },
});

/**
 * Concatenates tensors along `axis` (default 0; negative counts from the end).
 * @example concat([real, fake], 0) // one batched critic pass over both
 */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new ShapeError('concat', 'needs a non-empty array of tensors');
  xs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new ShapeError('concat', `xs[${i}] is not a Tensor`);
  });
  const ax = normAxis('concat', axis, xs[0]!.rank);
  if (xs.length === 1) return xs[0]!;
  return apply(concatOp, xs, { axis: ax });
}
