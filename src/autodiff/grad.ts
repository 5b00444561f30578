/**
 * Reverse-mode autodiff over the recorded lazy graph.
 *
 * Every primitive's vjp is written with differentiable ops, so the gradients returned here are
 * themselves graph nodes that depend on the inputs: differentiating them again (the gradient
 * penalty's d/dθ of ‖∇ₓD‖) needs nothing special, to any order.
 */
import { add } from '../ops/add.js';
import { expand } from '../ops/expand.js';
import { fmt, ShapeError, shapesEqual } from '../tensor/shape.js';
import { scalar, Tensor } from '../tensor/tensor.js';

/** Zeros of a shape (float32), as a broadcast constant. */
export function zeros(shape: readonly number[]): Tensor {
  return expand(scalar(0), shape);
}

/** Ones of a shape (float32), as a broadcast constant. */
export function ones(shape: readonly number[]): Tensor {
  return expand(scalar(1), shape);
}

function topoOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: { t: Tensor; i: number }[] = [];
  for (const r of roots) {
    if (seen.has(r)) continue;
    seen.add(r);
    stack.push({ t: r, i: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.t.inputs.length) {
        const c = top.t.inputs[top.i++]!;
        if (!seen.has(c)) {
          seen.add(c);
          stack.push({ t: c, i: 0 });
        }
      } else {
        order.push(top.t);
        stack.pop();
      }
    }
  }
  return order;
}

/**
 * Gradients of `ys` with respect to `xs` (like tf.gradients): Σ over ys of the vjp with cotangents
 * `cts` (default ones). Tensors in `xs` that the ys do not depend on get zeros.
 * @example const [gW, gb] = gradients(loss, [w, b]);
 */
export function gradients(ys: Tensor | readonly Tensor[], xs: readonly Tensor[], cts?: readonly Tensor[]): Tensor[] {
  const yList = ys instanceof Tensor ? [ys] : [...ys];
  if (cts && cts.length !== yList.length) {
    throw new ShapeError('gradients', `got ${cts.length} cotangents for ${yList.length} outputs`);
  }
  xs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new ShapeError('gradients', `xs[${i}] is not a Tensor`);
    if (x.dtype !== 'float32') throw new ShapeError('gradients', `xs[${i}] must be float32 to be differentiated, got ${x.describe()}`);
  });
  const xset = new Set(xs);
  const order = topoOrder(yList);
  const relevant = new Set<Tensor>();
  for (const t of order) {
    if (xset.has(t)) relevant.add(t);
    else if (t.op && t.op.vjp !== 'none' && !t.noGrad && t.dtype === 'float32' && t.inputs.some((i) => relevant.has(i))) relevant.add(t);
  }
  const ct = new Map<Tensor, Tensor>();
  const accumulate = (t: Tensor, g: Tensor): void => {
    const prev = ct.get(t);
    ct.set(t, prev ? add(prev, g) : g);
  };
  yList.forEach((y, i) => {
    if (!relevant.has(y)) return;
    const c = cts?.[i] ?? ones(y.shape);
    if (!shapesEqual(c.shape, y.shape)) {
      throw new ShapeError('gradients', `cotangent ${i} has shape ${fmt(c.shape)}, output has ${fmt(y.shape)}`);
    }
    accumulate(y, c);
  });
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k]!;
    const g = ct.get(t);
    if (!g || !t.op || !relevant.has(t) || t.op.vjp === 'none') continue;
    const gs = t.op.vjp(g, t.inputs, t, t.attrs);
    t.inputs.forEach((inp, i) => {
      const gi = gs[i];
      if (!gi || !relevant.has(inp)) return;
      if (!shapesEqual(gi.shape, inp.shape)) {
        throw new Error(`internal: vjp of '${t.op!.name}' gave shape ${fmt(gi.shape)} for input ${i} of shape ${fmt(inp.shape)}`);
      }
      accumulate(inp, gi);
    });
  }
  return xs.map((x) => ct.get(x) ?? zeros(x.shape));
}

/**
 * Turns a scalar function into one returning its gradients with respect to every argument.
 * Works to any order: `grad((x) => grad(f)(x)[0] ...)`.
 * @example const [dx] = grad((x) => sum(square(x)))(x); // 2x
 */
export function grad(f: (...xs: Tensor[]) => Tensor): (...xs: Tensor[]) => Tensor[] {
  return (...xs) => valueAndGrad(f)(...xs).grads;
}

/**
 * Like {@link grad} but also returns the value.
 * @example const { value: loss, grads } = valueAndGrad(lossFn)(w, b);
 */
export function valueAndGrad(f: (...xs: Tensor[]) => Tensor): (...xs: Tensor[]) => { value: Tensor; grads: Tensor[] } {
  return (...xs) => {
    const value = f(...xs);
    if (!(value instanceof Tensor)) throw new ShapeError('valueAndGrad', 'the function must return a Tensor');
    if (value.size !== 1) throw new ShapeError('valueAndGrad', `the function must return a scalar, got shape ${fmt(value.shape)}`);
    return { value, grads: gradients(value, xs) };
  };
}

/**
 * Evaluates `f` and returns a function computing the vector-Jacobian product for a cotangent.
 * @example const { out, vjp: back } = vjp((x) => tanh(x), x); const [gx] = back(ones(x.shape));
 */
export function vjp(f: (...xs: Tensor[]) => Tensor, ...xs: Tensor[]): { out: Tensor; vjp: (ct: Tensor) => Tensor[] } {
  const out = f(...xs);
  return { out, vjp: (c) => gradients(out, xs, [c]) };
}
