/**
 * Table-driven op checks shared by the op test files: every case is checked
 * (1) against central finite differences in float64 on the reference interpreter, to `order`, and
 * (2) on onnxruntime against the reference interpreter, for the value and the first-order gradients.
 */
import { gradients } from '../../src/autodiff/grad.js';
import { add } from '../../src/ops/add.js';
import { checkGrads, type GradCheckArg } from '../../src/autodiff/gradcheck.js';
import { referenceBackend } from '../../src/backends/reference/reference-backend.js';
import { mul } from '../../src/ops/mul.js';
import { sum } from '../../src/ops/sum.js';
import { Rng } from '../../src/tensor/random.js';
import { buildPlan, realize, tensor, type Backend, type Tensor } from '../../src/tensor/tensor.js';

export interface OpCase {
  /** Behaviour-style name, e.g. 'matmul broadcasts batch axes'. */
  readonly name: string;
  readonly f: (...xs: Tensor[]) => Tensor;
  readonly args: readonly GradCheckArg[];
  /** Derivative order checked by finite differences (default 2; 0 = no gradient check, e.g. masks). */
  readonly order?: number;
  readonly rtol?: number;
  readonly atol?: number;
  readonly eps?: number;
  /** float32 tolerance for onnxruntime vs reference (default 1e-4 relative to the largest magnitude). */
  readonly ortTol?: number;
}

/** Uniform values in [lo, hi), or kept at least `gap` away from zero (for kinks at 0). */
export function randArg(shape: readonly number[], seed: number, opts: { lo?: number; hi?: number; awayFromZero?: number } = {}): GradCheckArg {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const lo = opts.lo ?? -1;
  const hi = opts.hi ?? 1;
  const data = Float64Array.from({ length: n }, () => {
    let v = lo + (hi - lo) * rng.next();
    const gap = opts.awayFromZero;
    if (gap !== undefined && Math.abs(v) < gap) v = v < 0 ? v - gap : v + gap;
    return v;
  });
  return { data, shape };
}

export async function checkCaseGrads(c: OpCase): Promise<void> {
  const order = c.order ?? 2;
  if (order === 0) return;
  await checkGrads(c.f, c.args, {
    order,
    ...(c.rtol !== undefined ? { rtol: c.rtol } : {}),
    ...(c.atol !== undefined ? { atol: c.atol } : {}),
    ...(c.eps !== undefined ? { eps: c.eps } : {}),
  });
}

function toTensors(args: readonly GradCheckArg[]): Tensor[] {
  return args.map((a) => tensor(Float64Array.from(a.data), a.shape, a.dtype ?? 'float32'));
}

/** The value (and first-order gradients when differentiable) on `backend`, as float64 arrays. */
async function evaluate(c: OpCase, backend: Backend): Promise<Float64Array[]> {
  const xs = toTensors(c.args);
  const out = c.f(...xs);
  const outs: Tensor[] = [out];
  if ((c.order ?? 2) > 0 && out.dtype === 'float32') {
    const rng = new Rng(99);
    const w = tensor(Float64Array.from({ length: out.size }, () => rng.gauss()), out.shape);
    const floatXs = xs.filter((x) => x.dtype === 'float32');
    outs.push(...gradients(sum(mul(out, w)), floatXs));
  }
  await realize(outs, backend);
  return Promise.all(outs.map((t) => t.data64()));
}

export async function checkCaseOrt(c: OpCase, ort: Backend): Promise<void> {
  const want = await evaluate(c, referenceBackend());
  const got = await evaluate(c, ort);
  const tol = c.ortTol ?? 1e-4;
  want.forEach((w, k) => {
    const g = got[k]!;
    if (g.length !== w.length) throw new Error(`${c.name}: output ${k} has ${g.length} values on ${ort.name}, ${w.length} on reference`);
    let scale = 1e-6;
    for (const v of w) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < w.length; i++) {
      const err = Math.abs(g[i]! - w[i]!);
      if (!(err <= tol * scale)) {
        const what = k === 0 ? 'value' : `gradient ${k - 1}`;
        throw new Error(`${c.name}: ${what}[${i}] is ${g[i]} on ${ort.name}, ${w[i]} on reference (tolerance ${tol}·${scale.toPrecision(3)})`);
      }
    }
  });
}

/** Names of the primitives used by a case's forward and first/second-order backward graphs. */
export function primitivesUsed(c: OpCase): Set<string> {
  const xs = toTensors(c.args);
  const out = c.f(...xs);
  const outs: Tensor[] = [out];
  if ((c.order ?? 2) > 0 && out.dtype === 'float32') {
    const floatXs = xs.filter((x) => x.dtype === 'float32');
    const g1 = gradients(sum(out), floatXs);
    outs.push(...g1);
    if ((c.order ?? 2) > 1) outs.push(...gradients(g1.reduce((acc, g) => add(acc, sum(g)), sum(out)), floatXs));
  }
  const names = new Set<string>();
  for (const v of buildPlan(outs).values) if (v.kind === 'op') names.add(v.op.name);
  return names;
}
