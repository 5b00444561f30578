/**
 * A/B of a GPU lowering bound on WebGPU, in one process, interleaved: one backend per value of
 * ortBackend's `gpuWeightGradConvMaxRows` (up to how many rows per output a weight gradient is one
 * Conv rather than k² tap MatMuls), each round alternating the order. Times whole steps of bench/workloads.ts (default: the three conv
 * critic steps), parameters and optimizer state kept on the GPU.
 *
 *   node --import tsx bench/webgpu-ab.ts [workload ...] [--rows 0,4096] [--rounds 6] [--device cpu]
 *
 * `--device cpu` runs the same on onnxruntime's CPU provider (where the bound changes nothing: a
 * check of the script on a machine without a GPU). Medians of wall ms per step; speedup = first / each.
 */
import { ortBackend } from '../src/node.js';
import { setBackend } from '../src/tensor/tensor.js';
import { WORKLOADS, type Step } from './workloads.js';

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main(): Promise<void> {
  const device = flag('device', 'webgpu');
  if (device !== 'webgpu' && device !== 'cpu') throw new Error(`--device must be webgpu or cpu, got '${device}'`);
  const rows = flag('rows', '0,4096').split(',').map(Number);
  if (rows.some((r) => !Number.isInteger(r) || r < 0)) throw new Error(`--rows must list non-negative integers, got '${flag('rows', '')}'`);
  const rounds = Number(flag('rounds', '6'));
  const names = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const chosen = names.length > 0 ? names : ['mnist-critic', 'cifar10-dcgan-critic', 'cifar10-resnet-critic'];
  console.log(`${device}: ${rounds} interleaved rounds per workload; weight-gradient Conv bounds ${rows.join(', ')} rows`);
  console.log(`${'workload'.padEnd(24)} ${rows.map((r) => `${r} rows ms`.padStart(14)).join(' ')} ${'speedup vs first'.padStart(18)}`);
  for (const name of chosen) {
    const w = WORKLOADS.find((x) => x.name === name);
    if (!w) throw new Error(`unknown workload '${name}'; known: ${WORKLOADS.map((x) => x.name).join(', ')}`);
    const backends = rows.map((r) => ortBackend({ device, gpuWeightGradConvMaxRows: r }));
    const steps: Step[] = [];
    for (const b of backends) {
      setBackend(b);
      steps.push(w.setup(0));
      await steps[steps.length - 1]!(); // compiles (twice: the state moves to the device after the first step)
      await steps[steps.length - 1]!();
    }
    const times = backends.map(() => [] as number[]);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? backends.map((_, i) => i) : backends.map((_, i) => backends.length - 1 - i);
      for (const i of order) {
        setBackend(backends[i]!);
        const t0 = performance.now();
        await steps[i]!();
        times[i]!.push(performance.now() - t0);
      }
    }
    const med = times.map(median);
    console.log(`${name.padEnd(24)} ${med.map((m) => m.toFixed(1).padStart(14)).join(' ')} ${med.map((m) => `${(med[0]! / m).toFixed(2)}×`).join(' ').padStart(18)}`);
    for (const b of backends) await b.dispose?.();
  }
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
