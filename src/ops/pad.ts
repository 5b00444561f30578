import { forEachCoord } from '../backends/reference/nd.js';
import { fmt, ShapeError, sizeOf, stridesOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { apply, defineOp } from './registry.js';
import { slice } from './slice.js';

/** Zero padding: `before[i]` and `after[i]` zeros (non-negative) around axis i. */
export const padOp = defineOp<{ before: readonly number[]; after: readonly number[] }>({
  name: 'pad',
  infer: ([x], { before, after }) => ({ shape: x!.shape.map((d, i) => d + before[i]! + after[i]!), dtype: x!.dtype }),
  // ONNX lists all the leading pads, then all the trailing ones; mode 'constant' with the default
  // constant 0 (the optional constant_value input left out).
  lower: (ctx, [x], { before, after }) => ctx.node('Pad', [x!, ctx.i64([...before, ...after])], { mode: { str: 'constant' } }),
  vjp: (g, [x], _out, { before }) =>
    [
      slice(
        g,
        before,
        before.map((b, i) => b + x!.shape[i]!),
        before.map((_, i) => i),
      ),
    ],
  reference: ([x], { before }, out) => {
    const res = new Float64Array(sizeOf(out.shape));
    const outStrides = stridesOf(out.shape);
    forEachCoord(x!.shape, (i, c) => {
      let off = 0;
      for (let d = 0; d < c.length; d++) off += (c[d]! + before[d]!) * outStrides[d]!;
      res[off] = x!.data[i]!;
    });
    return res;
  },
});

/**
 * Pads `x` with zeros: `pads[i] = [before, after]` for every axis i (non-negative integers).
 * @example pad(images, [[0, 0], [0, 0], [2, 2], [2, 2]]) // 'same' padding for a 5×5 convolution
 */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[]): Tensor {
  if (!Array.isArray(pads) || pads.length !== x.rank) {
    throw new ShapeError('pad', `pads needs one [before, after] pair per axis of ${fmt(x.shape)}, got ${JSON.stringify(pads)}`);
  }
  const before: number[] = [];
  const after: number[] = [];
  pads.forEach((p) => {
    const ok = Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0);
    if (!ok) throw new ShapeError('pad', `pads must be [before, after] pairs of non-negative integers, got ${JSON.stringify(pads)}`);
    before.push(p[0]);
    after.push(p[1]);
  });
  if (before.every((b) => b === 0) && after.every((a) => a === 0)) return x;
  return apply(padOp, [x], { before, after });
}
