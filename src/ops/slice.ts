import { forEachCoord } from '../backends/reference/nd.js';
import { fmt, normAxis, ShapeError, stridesOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { pad } from './pad.js';
import { apply, defineOp } from './registry.js';
import { reshape } from './reshape.js';

/**
 * Strided slice. Attributes are normalized by {@link slice}: distinct non-negative `axes`, with
 * 0 ≤ starts ≤ ends ≤ dim and positive `steps`, so the ONNX and reference semantics coincide.
 */
export type SliceAttrs = {
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly axes: readonly number[];
  readonly steps: readonly number[];
};

function slicedShape(shape: readonly number[], a: SliceAttrs): number[] {
  const out = [...shape];
  a.axes.forEach((ax, k) => {
    out[ax] = Math.ceil((a.ends[k]! - a.starts[k]!) / a.steps[k]!);
  });
  return out;
}

/**
 * Adjoint of a strided slice along one axis: places the n entries of `g` at positions
 * start, start + step, ... of an axis of length `dim`, zeros elsewhere. Interleaving zeros is a pad
 * of a new axis followed by a reshape, so the result is made of differentiable ops.
 */
function scatterAxis(g: Tensor, axis: number, start: number, step: number, dim: number): Tensor {
  const n = g.shape[axis]!;
  let spread = g;
  if (step > 1) {
    const split = [...g.shape.slice(0, axis + 1), 1, ...g.shape.slice(axis + 1)];
    const pads = split.map((_, i): [number, number] => (i === axis + 1 ? [0, step - 1] : [0, 0]));
    const merged = [...g.shape];
    merged[axis] = n * step;
    spread = reshape(pad(reshape(g, split), pads), merged);
    // The last element sits at (n − 1)·step < dim − start; drop trailing zeros past the axis end.
    const keep = Math.min(n * step, dim - start);
    if (keep < n * step) spread = slice(spread, [0], [keep], [axis]);
  }
  const after = dim - start - spread.shape[axis]!;
  const pads = g.shape.map((_, i): [number, number] => (i === axis ? [start, after] : [0, 0]));
  return pad(spread, pads);
}

export const sliceOp = defineOp<SliceAttrs>({
  name: 'slice',
  infer: ([x], a) => ({ shape: slicedShape(x!.shape, a), dtype: x!.dtype }),
  lower: (ctx, [x], a) => ctx.node('Slice', [x!, ctx.i64(a.starts), ctx.i64(a.ends), ctx.i64(a.axes), ctx.i64(a.steps)]),
  vjp: (g, [x], _out, a) => {
    let gx = g;
    a.axes.forEach((ax, k) => {
      gx = scatterAxis(gx, ax, a.starts[k]!, a.steps[k]!, x!.shape[ax]!);
    });
    return [gx];
  },
  reference: ([x], a, out) => {
    const strides = stridesOf(x!.shape);
    const first = new Array<number>(x!.shape.length).fill(0);
    const step = new Array<number>(x!.shape.length).fill(1);
    a.axes.forEach((ax, k) => {
      first[ax] = a.starts[k]!;
      step[ax] = a.steps[k]!;
    });
    const res = new Float64Array(out.shape.reduce((p, d) => p * d, 1));
    forEachCoord(out.shape, (i, c) => {
      let off = 0;
      for (let d = 0; d < c.length; d++) off += (first[d]! + c[d]! * step[d]!) * strides[d]!;
      res[i] = x!.data[off]!;
    });
    return res;
  },
});

/**
 * Takes x[starts:ends:steps] along `axes` (default: the first `starts.length` axes; steps default
 * 1 and must be positive). Negative starts/ends count from the end of the axis, as in Python;
 * bounds beyond the axis are an error rather than silently clamped.
 * @example slice(x, [1], [3], [-1]) // x[..., 1:3]
 * @example slice(images, [0, 0], [7, 7], [2, 3]) // crop 8×8 feature maps to 7×7
 */
export function slice(x: Tensor, starts: readonly number[], ends: readonly number[], axes?: readonly number[], steps?: readonly number[]): Tensor {
  const ax = axes ?? starts.map((_, i) => i);
  const st = steps ?? starts.map(() => 1);
  if (ends.length !== starts.length || ax.length !== starts.length || st.length !== starts.length) {
    throw new ShapeError(
      'slice',
      `starts, ends, axes and steps must have the same length, got ${fmt(starts)}, ${fmt(ends)}, ${fmt(ax)}, ${fmt(st)}`,
    );
  }
  const norm: { starts: number[]; ends: number[]; axes: number[]; steps: number[] } = { starts: [], ends: [], axes: [], steps: [] };
  ax.forEach((axis, k) => {
    const a = normAxis('slice', axis, x.rank);
    if (norm.axes.includes(a)) throw new ShapeError('slice', `axis ${axis} is given twice in ${fmt(ax)}`);
    const dim = x.shape[a]!;
    const step = st[k]!;
    if (!Number.isInteger(step) || step < 1) throw new ShapeError('slice', `steps must be positive integers, got ${fmt(st)}`);
    const bound = (v: number, what: string): number => {
      if (!Number.isInteger(v) || v < -dim || v > dim) {
        throw new ShapeError('slice', `${what} ${v} is out of bounds for axis ${axis} of size ${dim} (shape ${fmt(x.shape)})`);
      }
      return v < 0 ? v + dim : v;
    };
    const s = bound(starts[k]!, 'start');
    const e = bound(ends[k]!, 'end');
    if (e < s) throw new ShapeError('slice', `end ${ends[k]} comes before start ${starts[k]} on axis ${axis} of size ${dim} (shape ${fmt(x.shape)})`);
    // A full-range unit-step slice of an axis is the identity there: leave it out.
    if (s === 0 && e === dim && step === 1) return;
    norm.axes.push(a);
    norm.starts.push(s);
    norm.ends.push(e);
    norm.steps.push(step);
  });
  if (norm.axes.length === 0) return x;
  return apply(sliceOp, [x], norm);
}
