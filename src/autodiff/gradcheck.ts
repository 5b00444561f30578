/**
 * Finite-difference gradient checks in float64 on the reference interpreter, to any order:
 * a random-direction central difference of f against the autodiff directional derivative
 * (JAX's check_grads). Order 2 checks the gradient of ⟨∇f, v⟩ for a random v, and so on.
 */
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { add } from '../ops/add.js';
import { mul } from '../ops/mul.js';
import { sum } from '../ops/sum.js';
import { Rng } from '../tensor/random.js';
import { realize, tensor, type Tensor } from '../tensor/tensor.js';
import { gradients } from './grad.js';

export interface GradCheckOptions {
  /** Highest derivative order to check (1 or more). Default 2. */
  order?: number;
  /** Finite-difference step. Default 1e-5. */
  eps?: number;
  /** Relative tolerance. Default 1e-5. */
  rtol?: number;
  /** Absolute tolerance. Default 1e-7. */
  atol?: number;
  /** Random directions per order. Default 2. */
  trials?: number;
  seed?: number;
}

/** An argument of a checked function: float64 data and a shape; int/bool arguments are held fixed. */
export interface GradCheckArg {
  data: ArrayLike<number>;
  shape: readonly number[];
  dtype?: 'float32' | 'int32' | 'bool';
}

const ref = referenceBackend();

async function evalScalar(t: Tensor): Promise<number> {
  await realize([t], ref);
  return (await t.data64()).reduce((a, b) => a + b, 0);
}

function makeArgs(args: readonly GradCheckArg[], shift?: { dirs: Float64Array[]; h: number }): Tensor[] {
  return args.map((a, i) => {
    if ((a.dtype ?? 'float32') !== 'float32') return tensor(Float64Array.from(a.data), a.shape, a.dtype);
    const d = Float64Array.from(a.data);
    if (shift) for (let k = 0; k < d.length; k++) d[k]! += shift.h * shift.dirs[i]![k]!;
    return tensor(d, a.shape);
  });
}

/**
 * Checks the derivatives of `f` up to `order` at `args`; throws an Error describing the first
 * mismatch (order, analytic vs numeric value). `f` may return any shape: it is contracted with a
 * fixed random weight to a scalar.
 * @example await checkGrads((x) => tanh(x), [{ data: [0.3, -1.2], shape: [2] }], { order: 2 });
 */
export async function checkGrads(f: (...xs: Tensor[]) => Tensor, args: readonly GradCheckArg[], opts: GradCheckOptions = {}): Promise<void> {
  const order = opts.order ?? 2;
  const rng = new Rng(opts.seed ?? 1234);
  const floatIdx = args.flatMap((a, i) => ((a.dtype ?? 'float32') === 'float32' ? [i] : []));
  // Contract a non-scalar output with a fixed random weight so every output element is checked.
  const probe = makeArgs(args);
  const outShape = f(...probe).shape;
  const w = Float64Array.from({ length: outShape.reduce((a, b) => a * b, 1) }, () => rng.gauss());
  let F = (...xs: Tensor[]): Tensor => sum(mul(f(...xs), tensor(w, outShape)));
  for (let k = 1; k <= order; k++) {
    await checkFirstOrder(F, args, floatIdx, k, rng, opts);
    if (k === order) break;
    // Next order: F_{k+1}(x) = Σ_i ⟨∂F_k/∂x_i, v_i⟩ for fixed random v.
    const vs = args.map((a) => Float64Array.from({ length: a.data.length }, () => rng.gauss()));
    const prev = F;
    F = (...xs: Tensor[]): Tensor => {
      const fx = floatIdx.map((i) => xs[i]!);
      const gs = gradients(prev(...xs), fx);
      let acc: Tensor | null = null;
      gs.forEach((g, j) => {
        const term = sum(mul(g, tensor(vs[floatIdx[j]!]!, g.shape)));
        acc = acc ? add(acc, term) : term;
      });
      return acc!;
    };
  }
}

async function checkFirstOrder(
  F: (...xs: Tensor[]) => Tensor,
  args: readonly GradCheckArg[],
  floatIdx: readonly number[],
  order: number,
  rng: Rng,
  opts: GradCheckOptions,
): Promise<void> {
  const eps = opts.eps ?? 1e-5;
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-7;
  for (let trial = 0; trial < (opts.trials ?? 2); trial++) {
    const dirs = args.map((a) => Float64Array.from({ length: a.data.length }, () => rng.gauss()));
    const xs = makeArgs(args);
    const gs = gradients(F(...xs), floatIdx.map((i) => xs[i]!));
    await realize(gs, ref);
    let analytic = 0;
    for (let j = 0; j < gs.length; j++) {
      const g = await gs[j]!.data64();
      const d = dirs[floatIdx[j]!]!;
      for (let k = 0; k < g.length; k++) analytic += g[k]! * d[k]!;
    }
    const fp = await evalScalar(F(...makeArgs(args, { dirs, h: eps })));
    const fm = await evalScalar(F(...makeArgs(args, { dirs, h: -eps })));
    const numeric = (fp - fm) / (2 * eps);
    const err = Math.abs(analytic - numeric);
    if (!(err <= atol + rtol * Math.max(Math.abs(analytic), Math.abs(numeric)))) {
      throw new Error(
        `gradient check failed at order ${order} (trial ${trial}): autodiff ${analytic} vs finite differences ${numeric} (|diff| ${err.toExponential(2)})`,
      );
    }
  }
}
