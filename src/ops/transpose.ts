import { transposeND } from '../backends/reference/nd.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { apply, defineOp } from './registry.js';

/** Permutes axes: output axis i is input axis perm[i]. */
export const transposeOp = defineOp<{ perm: readonly number[] }>({
  name: 'transpose',
  infer: ([x], { perm }) => {
    const r = x!.shape.length;
    const ok = perm.length === r && [...perm].sort((a, b) => a - b).every((p, i) => p === i);
    if (!ok) throw new ShapeError('transpose', `perm ${fmt(perm)} is not a permutation of the ${r} axes of ${fmt(x!.shape)}`);
    return { shape: perm.map((p) => x!.shape[p]!), dtype: x!.dtype };
  },
  lower: (ctx, [x], { perm }) => ctx.node('Transpose', [x!], { perm: { ints: perm } }),
  vjp: (g, _inputs, _out, { perm }) => {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [transpose(g, inv)];
  },
  reference: ([x], { perm }) => transposeND(x!, perm),
});

/**
 * Permutes the axes of `x` (default: reverse them).
 * @example transpose(w) // [in, out] -> [out, in]
 */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ?? Array.from({ length: x.rank }, (_, i) => x.rank - 1 - i);
  if (p.every((v, i) => v === i)) return x;
  return apply(transposeOp, [x], { perm: [...p] });
}

/** Swaps the last two axes. */
export function transposeLast2(x: Tensor): Tensor {
  if (x.rank < 2) throw new ShapeError('transposeLast2', `needs rank >= 2, got ${fmt(x.shape)}`);
  const p = Array.from({ length: x.rank }, (_, i) => i);
  p[x.rank - 1] = x.rank - 2;
  p[x.rank - 2] = x.rank - 1;
  return transpose(x, p);
}
