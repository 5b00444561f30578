/**
 * The float64 reference interpreter: runs a plan with each primitive's `reference` kernel.
 * Independent of onnxruntime, exact enough for finite-difference gradient checks: the test oracle.
 */
import type { NDArray } from '../../ops/registry.js';
import type { Backend, Plan, Storage } from '../../tensor/tensor.js';

/** Runs a plan synchronously in float64 and returns the output values. */
export function interpret(plan: Plan): Float64Array[] {
  const vals: NDArray[] = new Array(plan.values.length);
  plan.values.forEach((v, i) => {
    const t = v.tensor;
    if (v.kind === 'op') {
      const inputs = v.inputs.map((j) => vals[j]!);
      const data = v.op.reference(inputs, t.attrs, { shape: t.shape, dtype: t.dtype });
      if (data.length !== t.size) {
        throw new Error(`reference kernel of '${v.op.name}' returned ${data.length} values, expected ${t.size}`);
      }
      vals[i] = { shape: t.shape, data };
    } else {
      const src = t.value!;
      vals[i] = { shape: t.shape, data: src instanceof Float64Array ? src : Float64Array.from(src) };
    }
  });
  return plan.outputs.map((i) => vals[i]!.data);
}

/**
 * The reference backend (float64). Use it for gradient checks and as a portable fallback.
 * @example setBackend(referenceBackend());
 */
export function referenceBackend(): Backend {
  return {
    name: 'reference',
    execute: async (plan: Plan): Promise<Storage[]> => interpret(plan),
  };
}
