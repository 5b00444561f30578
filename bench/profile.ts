/**
 * Where the time of a benchmark workload goes, per onnxruntime kernel: runs the workload's step
 * (bench/workloads.ts, the trainer the CLI uses) under onnxruntime's profiler and sums kernel time
 * per op type, with the FLOPs each convolution and product does (from the shapes the profiler
 * records) and the GFLOP/s it reaches.
 *
 *   node --import tsx bench/profile.ts <workload> [--threads 1] [--spinning] [--no-nchwc] [--steps 2] [--top 12]
 *                                      [--device webgpu] [--webgpu-validation basic] [--webgpu-layout NCHW]
 *                                      [--no-pack] [--by-shape]
 *
 * Two warm-up steps (allocations, first touches; a trainer's first iteration has no generator step)
 * are left out: every run of every session before them (bench/ort-profiler.ts, `mark`). Conv nodes are split
 * by what they compute (see `classify`); ConvTranspose nodes are the transposed convolutions of the
 * generators and the input gradients that do not take the NCHWc path (src/backends/onnx/conv-lowering.ts).
 * Time is also summed per execution provider (with the op types each one ran): on `--device webgpu`
 * a WebGPU kernel's time is what it costs the host to record and submit it (the GPU runs
 * asynchronously), and nodes onnxruntime left on the CPU provider show up there. --no-pack returns
 * each output on its own (the backend's packOutputs: false; packing is the default on WebGPU).
 * --by-shape also sums the time per op type and shapes (which sizes the elementwise time goes to).
 */
import { loadavg } from 'node:os';
import { createOrtBackend, type OrtBackendOptions } from '../src/backends/onnx/ort-backend.js';
import { setBackend } from '../src/tensor/tensor.js';
import { ortProfiler } from './ort-profiler.js';
import { WORKLOADS } from './workloads.js';

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
}

const shapeOf = (s: Record<string, number[]> | undefined): number[] => (s ? Object.values(s)[0] ?? [] : []);
const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** FLOPs of one node from its recorded shapes (products only; 0 for elementwise ops). */
function nodeFlops(op: string, ins: number[][], outs: number[][]): number {
  const out = outs[0] ?? [];
  if (op === 'Conv' || op === 'FusedConv') {
    const w = ins[1] ?? [];
    return 2 * prod(out) * prod(w.slice(1)); // N·O·Ho·Wo × C/group·kh·kw
  }
  if (op === 'ConvTranspose') {
    const x = ins[0] ?? [];
    const w = ins[1] ?? [];
    return 2 * prod(x) * prod(w.slice(1)); // N·Cin·H·W × Cout/group·kh·kw
  }
  if (op === 'MatMul' || op === 'Gemm' || op === 'FusedMatMul' || op === 'FusedGemm') {
    // K from A's size and the output's rows (batch·M): right with transposed operands (transA of
    // Gemm/FusedMatMul) too, as long as A is not broadcast over a batch.
    const rows = prod(out) / (out[out.length - 1] ?? 1);
    return 2 * prod(out) * (prod(ins[0] ?? []) / rows);
  }
  return 0;
}

/**
 * The class a node's time is reported under. A Conv whose kernel is not in {1, 2, 3, 5} (the models'
 * kernel sizes and the 2/3-tap phase kernels of strided input gradients) is a weight gradient of a
 * layer with < 8 input channels, lowered as Conv(xᵀ, gᵀ) with the OUTPUT activation as its kernel;
 * other Convs are forward convolutions and, on the NCHWc path, input gradients (flipped kernels).
 * From 8 input channels weight gradients are per-tap MatMuls (src/backends/onnx/conv-lowering.ts).
 */
function classify(op: string, ins: number[][]): string {
  if (op === 'Conv' || op === 'FusedConv') {
    const k = (ins[1] ?? []).slice(2);
    return k.every((d) => d <= 3 || d === 5) ? `${op} (fwd, input grad)` : `${op} (weight grad)`;
  }
  return op;
}

async function main(): Promise<void> {
  const name = process.argv[2];
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w) throw new Error(`usage: bench/profile.ts <workload> [--threads 1] [--steps 2]; workloads: ${WORKLOADS.map((x) => x.name).join(', ')}`);
  const threads = Number(flag('threads', '1'));
  const steps = Number(flag('steps', '2'));
  const top = Number(flag('top', '12'));
  const profiler = ortProfiler('bench-profile');
  const device = flag('device', 'cpu');
  if (device !== 'cpu' && device !== 'webgpu') throw new Error(`--device must be cpu or webgpu, got '${device}'`);
  type WebGpuOptions = NonNullable<OrtBackendOptions['webgpu']>;
  const webgpu: WebGpuOptions = {};
  if (process.argv.includes('--webgpu-validation')) webgpu.validationMode = flag('webgpu-validation', 'basic') as NonNullable<WebGpuOptions['validationMode']>;
  if (process.argv.includes('--webgpu-layout')) webgpu.preferredLayout = flag('webgpu-layout', 'NCHW') as NonNullable<WebGpuOptions['preferredLayout']>;
  const backend = createOrtBackend(profiler.ort, { device, ...(Object.keys(webgpu).length > 0 ? { webgpu } : {}), threads, spinning: process.argv.includes('--spinning'), nchwc: !process.argv.includes('--no-nchwc'), ...(process.argv.includes('--no-pack') ? { packOutputs: false } : {}) });
  setBackend(backend);
  const step = w.setup(0);
  // Two warm-up steps, left out of the profile: the first compiles the sessions (and a trainer's
  // first iteration has no generator step), the second runs every session once more.
  await step();
  await step();
  profiler.mark();
  const wall: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step();
    wall.push(performance.now() - t0);
  }
  const sessionEvents = profiler.collect();

  interface Row { us: number; flops: number; count: number }
  const byClass = new Map<string, Row>();
  const byNode = new Map<string, Row & { cls: string; shapes: string }>();
  const byProvider = new Map<string, Row & { ops: Map<string, number> }>();
  const other = new Map<string, { us: number; count: number }>();
  let total = 0;
  for (const [session, events] of sessionEvents.entries()) {
    for (const e of events) {
      if (e.cat !== 'Node') {
        // Session events (model_run: a whole run, copies of feeds and fetches included) and any
        // other category the provider records, summed by name.
        const k = `${e.cat}:${e.name}`;
        const r = other.get(k) ?? { us: 0, count: 0 };
        other.set(k, { us: r.us + e.dur, count: r.count + 1 });
        continue;
      }
      if (!e.name.endsWith('_kernel_time')) continue;
      const key = `${session}:${e.name}`;
      const op = e.args?.op_name ?? '?';
      const ins = (e.args?.input_type_shape ?? []).map(shapeOf);
      const outs = (e.args?.output_type_shape ?? []).map(shapeOf);
      const flops = nodeFlops(op, ins, outs);
      const cls = classify(op, ins);
      const r = byClass.get(cls) ?? { us: 0, flops: 0, count: 0 };
      byClass.set(cls, { us: r.us + e.dur, flops: r.flops + flops, count: r.count + 1 });
      const n = byNode.get(key) ?? { us: 0, flops: 0, count: 0, cls, shapes: `${ins.map((s) => `[${s.join(',')}]`).join(' ')} → ${outs.map((s) => `[${s.join(',')}]`).join(' ')}` };
      byNode.set(key, { ...n, us: n.us + e.dur, flops: n.flops + flops, count: n.count + 1 });
      const provider = e.args?.provider ?? '?';
      const p = byProvider.get(provider) ?? { us: 0, flops: 0, count: 0, ops: new Map<string, number>() };
      p.ops.set(op, (p.ops.get(op) ?? 0) + 1);
      byProvider.set(provider, { ...p, us: p.us + e.dur, flops: p.flops + flops, count: p.count + 1 });
      total += e.dur;
    }
  }
  await backend.dispose?.();
  const perStep = (us: number): string => (us / steps / 1000).toFixed(1);
  const gf = (r: Row): string => (r.flops > 0 ? (r.flops / (r.us * 1e-6) / 1e9).toFixed(1) : '');
  const wallMs = wall.reduce((a, b) => a + b, 0) / steps;
  console.log(`${w.name}: ${device === 'webgpu' ? `WebGPU ${JSON.stringify(webgpu)}` : `${threads} thread(s)`}${process.argv.includes('--no-pack') ? ', outputs not packed' : ''}; ${steps} profiled steps; wall ${wallMs.toFixed(0)} ms/step, kernels ${perStep(total)} ms/step; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`  ideal FLOPs (bench/flops.ts): ${(w.flops / 1e9).toFixed(2)} GFLOP/step`);
  console.log(`  ${'op'.padEnd(24)} ${'ms/step'.padStart(9)} ${'share'.padStart(6)} ${'nodes'.padStart(6)} ${'GFLOP/step'.padStart(11)} ${'GFLOP/s'.padStart(8)}`);
  for (const [cls, r] of [...byClass].sort((a, b) => b[1].us - a[1].us)) {
    console.log(
      `  ${cls.padEnd(24)} ${perStep(r.us).padStart(9)} ${((100 * r.us) / total).toFixed(1).padStart(5)}% ${String(r.count / steps).padStart(6)} ${(r.flops / steps / 1e9).toFixed(2).padStart(11)} ${gf(r).padStart(8)}`,
    );
  }
  console.log('  by execution provider:');
  for (const [provider, r] of [...byProvider].sort((a, b) => b[1].us - a[1].us)) {
    const ops = [...r.ops].sort((a, b) => b[1] - a[1]).map(([op, c]) => `${op} ${c / steps}`).join(', ');
    console.log(`  ${provider.padEnd(24)} ${perStep(r.us).padStart(9)} ms/step ${String(r.count / steps).padStart(6)} nodes: ${ops}`);
  }
  console.log('  other profiler events:');
  for (const [k, r] of [...other].sort((a, b) => b[1].us - a[1].us).slice(0, 8)) {
    console.log(`  ${k.padEnd(40)} ${(r.us / 1000).toFixed(1).padStart(9)} ms in ${r.count} events (${(r.us / r.count / 1000).toFixed(2)} ms each)`);
  }
  if (process.argv.includes('--by-shape')) {
    // Nodes summed per (op, shapes): which sizes the elementwise time goes to.
    const byShape = new Map<string, Row>();
    for (const r of byNode.values()) {
      const k = `${r.cls.padEnd(14)} ${r.shapes}`;
      const s = byShape.get(k) ?? { us: 0, flops: 0, count: 0 };
      byShape.set(k, { us: s.us + r.us, flops: s.flops + r.flops, count: s.count + r.count });
    }
    console.log('  by op and shapes:');
    for (const [k, r] of [...byShape].sort((a, b) => b[1].us - a[1].us).slice(0, top)) {
      console.log(`  ${perStep(r.us).padStart(8)} ms ${String(r.count / steps).padStart(5)} nodes ${(r.us / r.count).toFixed(0).padStart(5)} µs each  ${k}`);
    }
  }
  console.log(`  top ${top} nodes:`);
  for (const [, r] of [...byNode].sort((a, b) => b[1].us - a[1].us).slice(0, top)) {
    console.log(`  ${perStep(r.us).padStart(8)} ms ${gf(r).padStart(7)} GFLOP/s  ${r.cls.padEnd(22)} ${r.shapes}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
