/**
 * The matrix products of one toy critic step and one generator step (bench/workloads.ts, the
 * trainer the CLI uses), after simplification: each with its shapes and where its operands come
 * from, to find products no ideal count (bench/flops.ts) has.
 *
 *   node --import tsx bench/products.ts [critic|generator]
 */
import { simplifyPlan } from '../src/compile/simplify.js';
import { allocStorage, setBackend, type Backend, type Plan, type PlanValue, type Storage } from '../src/tensor/tensor.js';
import { toyTrainer } from './workloads.js';

function captureBackend(): Backend & { plans: Plan[] } {
  const b = {
    name: 'capture',
    plans: [] as Plan[],
    execute: async (plan: Plan): Promise<Storage[]> => {
      b.plans.push(plan);
      return plan.outputs.map((i) => allocStorage(plan.values[i]!.tensor.dtype, plan.values[i]!.tensor.size));
    },
  };
  return b;
}

async function main(): Promise<void> {
  const which = process.argv[2] ?? 'critic';
  const cap = captureBackend();
  setBackend(cap);
  const trainer = toyTrainer(0);
  if (which === 'critic') await trainer.criticStep();
  else {
    trainer.iteration = 1;
    await trainer.generatorUpdate();
  }
  const plan = simplifyPlan(cap.plans[cap.plans.length - 1]!);
  const vals = plan.values;
  const desc = (i: number, depth: number): string => {
    const v = vals[i]! as PlanValue;
    const s = `[${v.tensor.shape.join(',')}]`;
    if (v.kind !== 'op') return `${v.kind}${s}`;
    if (depth === 0) return `${v.op.name}#${i}${s}`;
    return `${v.op.name}#${i}${s}(${v.inputs.map((j) => desc(j, depth - 1)).join(', ')})`;
  };
  const users = new Map<number, number[]>();
  vals.forEach((v, i) => v.kind === 'op' && v.inputs.forEach((j) => users.set(j, [...(users.get(j) ?? []), i])));
  let flops = 0;
  const counts = new Map<string, number>();
  vals.forEach((v, i) => {
    if (v.kind !== 'op') return;
    counts.set(v.op.name, (counts.get(v.op.name) ?? 0) + 1);
    if (v.op.name !== 'matmul') return;
    const [a] = v.inputs.map((j) => vals[j]!.tensor.shape);
    const f = 2 * v.tensor.size * a![a!.length - 1]!;
    flops += f;
    const us = (users.get(i) ?? []).map((u) => `${(vals[u] as { op: { name: string } }).op.name}#${u}`).join(' ');
    console.log(`#${i} ${(f / 1e6).toFixed(1)} MFLOP  ${desc(i, 2)}  -> ${us}`);
  });
  console.log(`products: ${(flops / 1e9).toFixed(3)} GFLOP; ops: ${[...counts].sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
