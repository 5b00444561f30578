/**
 * Graph substitution: the same computation with some tensors replaced by others. The trainer uses
 * it to chain steps into one graph: a step is built with the parameters' leaves, then rewritten so
 * that it reads the previous step's pending new parameters instead (src/gan/trainer.ts, one backend
 * run per generator iteration).
 */
import { Tensor } from '../tensor/tensor.js';
import { fmt, ShapeError, shapesEqual } from '../tensor/shape.js';

/**
 * `roots` recomputed with each key of `map` replaced by its value (same shape and dtype): the nodes
 * that depend on a replaced tensor are rebuilt with the same op and attributes; everything else,
 * replaced tensors' own inputs included, is shared, not copied. Iterative, so a deep graph (the
 * 101-layer ResNet's step) cannot overflow the stack.
 * @example const [y2] = substitute([y], new Map([[w, wNext]])); // y with w → wNext
 */
export function substitute(roots: readonly Tensor[], map: ReadonlyMap<Tensor, Tensor>): Tensor[] {
  map.forEach((to, from) => {
    if (!shapesEqual(to.shape, from.shape) || to.dtype !== from.dtype) {
      throw new ShapeError('substitute', `${from.describe()} is replaced by ${to.describe()}: shapes ${fmt(from.shape)} vs ${fmt(to.shape)} or dtypes differ`);
    }
  });
  if (map.size === 0) return [...roots];
  const done = new Map<Tensor, Tensor>(map);
  const stack: { t: Tensor; i: number }[] = [];
  const visit = (root: Tensor): Tensor => {
    if (done.has(root)) return done.get(root)!;
    stack.push({ t: root, i: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const t = top.t;
      if (top.i < t.inputs.length) {
        const c = t.inputs[top.i++]!;
        if (!done.has(c)) stack.push({ t: c, i: 0 });
        continue;
      }
      stack.pop();
      const inputs = t.inputs.map((x) => done.get(x)!);
      const changed = inputs.some((x, k) => x !== t.inputs[k]);
      done.set(t, changed ? new Tensor(t.shape, t.dtype, t.op, inputs, t.attrs, null) : t);
    }
    return done.get(root)!;
  };
  return roots.map(visit);
}
