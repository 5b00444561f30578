/**
 * Measurements behind the graph simplifier and the onnxruntime session settings (the numbers in
 * docs/BENCHMARKS.md, "Graph simplification"). Not part of the library; run with tsx:
 *
 *   node --import tsx bench/graph-bench.ts counts [toy lsun101 lsun:<arch> ...]   # node counts, simplify/lower times
 *   node --import tsx bench/graph-bench.ts sessions toy|lsun101|lsun:<arch> [--levels disabled,basic,all] [--plain] [--rounds 3] [--steps 2]
 *   node --import tsx bench/graph-bench.ts ab [--variants simplify,plain] [--rounds 6] [--steps 5] [--threads 1] [--spinning]
 *   node --import tsx bench/graph-bench.ts matmul [--threads 1] [--rounds 30]
 *   node --import tsx bench/graph-bench.ts profile toy|lsun101|lsun:<arch> [--plain] [--level all] [--steps 20]
 *
 * `counts` traces the toy critic step (bench/workloads.ts, the trainer the CLI uses) and the
 * 101-layer ResNet's WGAN-GP critic step (gan_64x64.py ResNet-101 pair, batch 2, Adam) without
 * running them. `sessions` compiles one of them at each level (session creation time) and then
 * times steps at each level, interleaved. `ab` times the toy critic step under several backend
 * settings in one process, interleaved round by round (rotating which goes first), medians.
 * `profile` runs the toy critic step under onnxruntime's profiler and sums the time per op type.
 */
import { loadavg } from 'node:os';
import * as ort from 'onnxruntime-node';
import { createOrtBackend, type CompileInfo, type GraphOptimizationLevel, type OrtBackend, type OrtBackendOptions, type OrtLike } from '../src/backends/onnx/ort-backend.js';
import { lowerPlan } from '../src/backends/onnx/lower.js';
import { encodeModel, ONNX_DTYPE, type NodeSpec } from '../src/backends/onnx/proto.js';
import { eightGaussians } from '../src/data/toy.js';
import { createLsun64, LSUN64_ARCHS, type Lsun64Arch } from '../src/gan/models/lsun64.js';
import { ToyMlp } from '../src/gan/models/toy.js';
import { seedStreams, Trainer, type DataSource } from '../src/gan/trainer.js';
import { gradients } from '../src/autodiff/grad.js';
import { gradientPenalty, interpolate, perSampleNorm, wassersteinCriticLoss } from '../src/gan/losses.js';
import * as o from '../src/ops/index.js';
import { Adam } from '../src/optim/adam.js';
import { Rng } from '../src/tensor/random.js';
import { allocStorage, realize, setBackend, tensor, type Backend, type Plan, type Storage, type Tensor } from '../src/tensor/tensor.js';
import { simplifyPlan } from '../src/compile/simplify.js';
import { ortProfiler } from './ort-profiler.js';
import { toyTrainer } from './workloads.js';

type Step = () => Promise<unknown>;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
}
const has = (name: string): boolean => process.argv.includes(`--${name}`);

/** A gan_64x64.py critic step (WGAN-GP, λ = 10, Adam(1e-4, 0, 0.9)), batch 2; default the 101-layer ResNet pair. */
function lsun64Step(seed: number, arch: Lsun64Arch = 'resnet-101', batch = 2): Step {
  const { generator, critic } = createLsun64({ arch, rng: new Rng(seed + 1) });
  const data: DataSource = { sample: (n: number, rng: Rng) => rng.uniform([n, 3, 64, 64], -1, 1) };
  const adam = { lr: 1e-4, beta1: 0, beta2: 0.9 };
  const trainer = new Trainer({
    generator,
    critic,
    data,
    noiseDim: 128,
    loss: { name: 'wgan-gp', lambda: 10 },
    nCritic: 5,
    batchSize: batch,
    generatorOptimizer: new Adam(generator.namedParameters(), adam),
    criticOptimizer: new Adam(critic.namedParameters(), adam),
    seed,
  });
  return () => trainer.criticStep();
}

/** bench/workloads.ts 'toy-critic': gan_toy.py's wgan-gp critic step (8 Gaussians, batch 256, 2-512-512-512-1, λ 0.1, Adam(1e-4, 0.5, 0.9)). */
function toyStep(seed: number): Step {
  const trainer = toyTrainer(seed);
  return () => trainer.criticStep();
}

/**
 * The toy critic step written out (as Trainer.criticStep does it) with the critic's forward passes
 * batched: 'separate' = D(real), D(fake), D(x̂) (the trainer); 'batched2' = one D over [real; fake]
 * plus D(x̂); 'batched3' = one D over [real; fake; x̂], the penalty's ∇ₓ̂ taken through it. Valid
 * because the toy critic has no batch norm (no interaction between samples).
 */
function toyVariantStep(seed: number, mode: 'separate' | 'batched2' | 'batched3'): Step {
  const streams = seedStreams(seed);
  const G = new ToyMlp(2, 2, { hidden: 512, layers: 3, rng: streams.generatorInit });
  const Dm = new ToyMlp(2, 1, { hidden: 512, layers: 3, rng: streams.criticInit });
  const ds = eightGaussians();
  const opt = new Adam(Dm.namedParameters(), { lr: 1e-4, beta1: 0.5, beta2: 0.9 });
  const { data: dataRng, noise: noiseRng, eps: epsRng } = streams;
  const B = 256;
  const D = (x: Tensor): Tensor => Dm.forward(x);
  return async () => {
    const real = tensor(ds.sample(B, dataRng), [B, 2]);
    const fake = G.forward(noiseRng.normal([B, 2]));
    const eps = epsRng.uniform([B]);
    let loss: Tensor;
    if (mode === 'separate') {
      loss = o.add(wassersteinCriticLoss(D(real), D(fake)), gradientPenalty(D, real, fake, eps, { lambda: 0.1 }).penalty);
    } else if (mode === 'batched2') {
      const d = D(o.concat([real, fake], 0));
      const w = wassersteinCriticLoss(o.slice(d, [0], [B]), o.slice(d, [B], [2 * B]));
      loss = o.add(w, gradientPenalty(D, real, fake, eps, { lambda: 0.1 }).penalty);
    } else {
      const xhat = interpolate(real, fake, eps);
      const d = D(o.concat([real, fake, xhat], 0));
      const w = wassersteinCriticLoss(o.slice(d, [0], [B]), o.slice(d, [B], [2 * B]));
      const [g] = gradients(o.sum(o.slice(d, [2 * B], [3 * B])), [xhat]);
      const penalty = o.mul(o.mean(o.square(o.sub(perSampleNorm(g!), 1))), 0.1);
      loss = o.add(w, penalty);
    }
    const { outputs, commit } = opt.update(gradients(loss, Dm.parameters()));
    await realize([loss, ...outputs]);
    commit();
  };
}

/** Steps by name: toy, lsun101, or lsun:<arch> for any gan_64x64.py pair. */
function stepNamed(name: string | undefined): { name: string; make: (seed: number) => Step } {
  if (name === 'lsun101') return { name, make: (seed) => lsun64Step(seed) };
  if (name?.startsWith('lsun:')) {
    const arch = name.slice(5) as Lsun64Arch;
    if (!Object.hasOwn(LSUN64_ARCHS, arch)) throw new Error(`unknown gan_64x64.py arch '${arch}'; known: ${Object.keys(LSUN64_ARCHS).join(', ')}`);
    return { name, make: (seed) => lsun64Step(seed, arch) };
  }
  return { name: 'toy', make: toyStep };
}

/** A backend that records the plan and returns zeros: traces a step without running it. */
function captureBackend(): Backend & { plan: Plan | null } {
  const b = {
    name: 'capture',
    plan: null as Plan | null,
    execute: async (plan: Plan): Promise<Storage[]> => {
      b.plan = plan;
      return plan.outputs.map((i) => allocStorage(plan.values[i]!.tensor.dtype, plan.values[i]!.tensor.size));
    },
  };
  return b;
}

async function tracePlan(make: (seed: number) => Step): Promise<Plan> {
  const cap = captureBackend();
  setBackend(cap);
  const step = make(0);
  await step();
  return cap.plan!;
}

async function counts(): Promise<void> {
  const names = process.argv.slice(3).filter((a) => !a.startsWith('--'));
  for (const { name, make } of (names.length > 0 ? names : ['toy', 'lsun101']).map(stepNamed)) {
    const plan = await tracePlan(make);
    const ops = plan.values.filter((v) => v.kind === 'op').length;
    let t = performance.now();
    const plain = lowerPlan(plan);
    const plainMs = performance.now() - t;
    t = performance.now();
    const s = simplifyPlan(plan);
    const simplifyMs = performance.now() - t;
    t = performance.now();
    const m = lowerPlan(s);
    const lowerMs = performance.now() - t;
    console.log(
      JSON.stringify({
        step: name,
        plan_ops: ops,
        plan_consts: plan.values.filter((v) => v.kind === 'const').length,
        simplified_ops: s.stats.opsAfter,
        simplified_consts: s.values.filter((v) => v.kind === 'const').length,
        onnx_nodes_unsimplified: plain.nodeCount,
        onnx_nodes: m.nodeCount,
        initializers_unsimplified: plain.initializerCount,
        initializers: m.initializerCount,
        simplify_ms: Math.round(simplifyMs),
        passes: s.stats.passes,
        lower_ms_unsimplified: Math.round(plainMs),
        lower_ms: Math.round(lowerMs),
        rules: s.stats.rules,
      }),
    );
  }
}

interface Run {
  label: string;
  backend: Backend;
  step: Step;
  /** Wall-clock ms per step. */
  times: number[];
  /** CPU ms (user + system, all threads of the process) per step: less sensitive to other jobs on a shared machine. */
  cpu: number[];
  /** Median wall ms of each round (for paired ratios between runs: the load drifts between rounds). */
  rounds?: number[];
}

/** Median over rounds of the ratio of a's round median to b's: robust to load that drifts slowly. */
function pairedRatio(a: Run, b: Run): number {
  return median(a.rounds!.map((x, i) => x / b.rounds![i]!));
}

/** Interleaved timing of several steps: every round runs `steps` of each, rotating the order. */
async function interleave(runs: Run[], rounds: number, steps: number): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < runs.length; k++) {
      const run = runs[(k + r) % runs.length]!;
      setBackend(run.backend);
      const start = run.times.length;
      for (let i = 0; i < steps; i++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await run.step();
        run.times.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        run.cpu.push((c.user + c.system) / 1000);
      }
      (run.rounds ??= []).push(median(run.times.slice(start)));
    }
  }
}

async function sessions(): Promise<void> {
  const { name: which, make } = stepNamed(process.argv[3]);
  const levels = flag('levels', 'disabled,basic,extended,all').split(',') as GraphOptimizationLevel[];
  const simplify = !has('plain');
  const rounds = Number(flag('rounds', '3'));
  const steps = Number(flag('steps', which === 'toy' ? '5' : '1'));
  const runs: (Run & { backend: OrtBackend; info: CompileInfo | null })[] = [];
  for (const level of levels) {
    let info: CompileInfo | null = null;
    const backend = createOrtBackend(ort as unknown as OrtLike, { threads: Number(flag('threads', '2')), graphOptimizationLevel: level, simplify, onCompile: (i) => (info = i) });
    setBackend(backend);
    const step = make(0);
    const t0 = performance.now();
    await step(); // compiles
    const first = performance.now() - t0;
    const i = info as CompileInfo | null;
    console.log(`${which} ${simplify ? 'simplified' : 'unsimplified'} level ${level}: ${i?.onnxNodes} ONNX nodes; simplify ${i?.simplifyMs.toFixed(0)} ms, lower ${i?.lowerMs.toFixed(0)} ms, session ${i?.sessionMs.toFixed(0)} ms; first step ${first.toFixed(0)} ms (load ${loadavg()[0]!.toFixed(1)})`);
    runs.push({ label: level, backend, step, times: [], cpu: [], info: i });
  }
  await interleave(runs, rounds, steps);
  for (const r of runs) console.log(`${which} level ${r.label}: step median ${median(r.times).toFixed(1)} ms wall, ${median(r.cpu).toFixed(1)} ms CPU, over ${r.times.length}`);
  const med = (f: (r: Run) => number[]): Record<string, number> => Object.fromEntries(runs.map((r) => [r.label, Number(median(f(r)).toFixed(1))]));
  const ratio = Object.fromEntries(runs.slice(1).map((r) => [`${r.label}/${runs[0]!.label}`, Number(pairedRatio(r, runs[0]!).toFixed(3))]));
  console.log(JSON.stringify({ step: which, simplify, paired_ratio: ratio, session_ms: Object.fromEntries(runs.map((r) => [r.label, Math.round(r.info?.sessionMs ?? NaN)])), step_ms: med((r) => r.times), step_cpu_ms: med((r) => r.cpu), loadavg: loadavg().map((x) => Number(x.toFixed(1))) }));
  for (const r of runs) await r.backend.dispose?.();
}

/**
 * A named setting for `ab`: `<graph>[-<level>][@t<threads>[s]]`, graph one of simplify, plain
 * (no simplification), separate, batched2, batched3 (the toy step variants above, simplified).
 */
function variant(name: string, threads: number, spinning: boolean): { opts: OrtBackendOptions; make: (seed: number) => Step } {
  const [spec, th] = name.split('@') as [string, string | undefined];
  const m = th ? /^t(\d+)(s?)$/.exec(th) : null;
  const base: OrtBackendOptions = { threads: m ? Number(m[1]) : threads, spinning: m ? m[2] === 's' : spinning };
  const [kind, level] = spec.split('-') as [string, GraphOptimizationLevel | undefined];
  const make = kind === 'separate' || kind === 'batched2' || kind === 'batched3' ? (seed: number) => toyVariantStep(seed, kind) : toyStep;
  return { opts: { ...base, simplify: kind !== 'plain', ...(level ? { graphOptimizationLevel: level } : {}) }, make };
}

async function ab(): Promise<void> {
  const names = flag('variants', 'simplify,plain').split(',');
  const rounds = Number(flag('rounds', '6'));
  const steps = Number(flag('steps', '5'));
  const threads = Number(flag('threads', '1'));
  const spinning = has('spinning');
  const runs: Run[] = [];
  for (const n of names) {
    const v = variant(n, threads, spinning);
    const backend = createOrtBackend(ort as unknown as OrtLike, v.opts);
    setBackend(backend);
    const step = v.make(0);
    for (let i = 0; i < 3; i++) await step(); // warm-up, compile
    runs.push({ label: n, backend, step, times: [], cpu: [] });
  }
  const load0 = loadavg()[0]!;
  await interleave(runs, rounds, steps);
  const out: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  for (const r of runs) {
    out[r.label] = Number(median(r.times).toFixed(2));
    cpu[r.label] = Number(median(r.cpu).toFixed(2));
    console.log(`toy-critic ${r.label} (threads ${threads}${spinning ? ', spinning' : ''}): median ${out[r.label]} ms wall, ${cpu[r.label]} ms CPU, over ${r.times.length} steps`);
  }
  const ratio = Object.fromEntries(runs.slice(1).map((r) => [`${r.label}/${runs[0]!.label}`, Number(pairedRatio(r, runs[0]!).toFixed(3))]));
  console.log(JSON.stringify({ step: 'toy-critic', threads, spinning, rounds, steps, median_ms: out, median_cpu_ms: cpu, paired_ratio: ratio, loadavg: [load0, loadavg()[0]!].map((x) => Number(x.toFixed(1))) }));
  for (const r of runs) await r.backend.dispose?.();
}

async function profile(): Promise<void> {
  const profiler = ortProfiler('ort-profile');
  const level = flag('level', 'all') as GraphOptimizationLevel;
  const backend = createOrtBackend(profiler.ort, { threads: Number(flag('threads', '1')), simplify: !has('plain'), graphOptimizationLevel: level });
  setBackend(backend);
  const { name: which, make } = stepNamed(process.argv[3]);
  const step = make(0);
  const n = Number(flag('steps', which === 'toy' ? '20' : '2'));
  for (let i = 0; i < n; i++) await step(); // (the profile includes the first run)
  const events = profiler.collect().flat();
  const byOp = new Map<string, number>();
  let total = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
    total += e.dur;
  }
  const rows = [...byOp].sort((a, b) => b[1] - a[1]);
  console.log(`${which} critic step, ${has('plain') ? 'unsimplified' : 'simplified'}, level ${level}: kernel time per step ${(total / n / 1000).toFixed(2)} ms`);
  for (const [op, us] of rows) console.log(`  ${op.padEnd(16)} ${(us / n / 1000).toFixed(3)} ms/step  ${((100 * us) / total).toFixed(1)}%`);
  await backend.dispose?.();
}

/**
 * The matmul vjp's transposed products at the toy sizes, one op per session, interleaved: an explicit
 * Transpose + MatMul against Gemm with transA/transB, com.microsoft FusedMatMul, and MatMul of an
 * already transposed input (the lower bound).
 */
async function matmul(): Promise<void> {
  const [M, K, N] = [512, 256, 512]; // dW = Xᵀ·G: X [K, M], G [K, N] (batch K = 256, width 512)
  const threads = Number(flag('threads', '1'));
  const rounds = Number(flag('rounds', '30'));
  const f32 = ONNX_DTYPE.float32;
  const model = (nodes: NodeSpec[], inputs: [string, number[]][]): Uint8Array =>
    encodeModel({
      nodes,
      initializers: [],
      inputs: inputs.map(([name, dims]) => ({ name, dtype: f32, dims })),
      outputs: [{ name: 'y', dtype: f32, dims: [M, N] }],
      opset: 18,
      extraOpsets: [{ domain: 'com.microsoft', version: 1 }],
    });
  const xg: [string, number[]][] = [['x', [K, M]], ['g', [K, N]]];
  const variants: [string, Uint8Array, Record<string, number[]>][] = [
    ['Transpose+MatMul', model([{ opType: 'Transpose', inputs: ['x'], outputs: ['xt'], attrs: { perm: { ints: [1, 0] } } }, { opType: 'MatMul', inputs: ['xt', 'g'], outputs: ['y'], attrs: {} }], xg), { x: [K, M], g: [K, N] }],
    ['Gemm transA', model([{ opType: 'Gemm', inputs: ['x', 'g'], outputs: ['y'], attrs: { transA: { int: 1 } } }], xg), { x: [K, M], g: [K, N] }],
    ['FusedMatMul transA', model([{ opType: 'FusedMatMul', inputs: ['x', 'g'], outputs: ['y'], attrs: { transA: { int: 1 } }, domain: 'com.microsoft' }], xg), { x: [K, M], g: [K, N] }],
    ['MatMul (pre-transposed)', model([{ opType: 'MatMul', inputs: ['x', 'g'], outputs: ['y'], attrs: {} }], [['x', [M, K]], ['g', [K, N]]]), { x: [M, K], g: [K, N] }],
    // dX = G·Wᵀ: G [K, N], W [M, N] → [K, M]... same FLOPs, transB
    ['Transpose+MatMul (B)', model([{ opType: 'Transpose', inputs: ['w'], outputs: ['wt'], attrs: { perm: { ints: [1, 0] } } }, { opType: 'MatMul', inputs: ['a', 'wt'], outputs: ['y'], attrs: {} }], [['a', [M, K]], ['w', [N, K]]]), { a: [M, K], w: [N, K] }],
    ['FusedMatMul transB', model([{ opType: 'FusedMatMul', inputs: ['a', 'w'], outputs: ['y'], attrs: { transB: { int: 1 } }, domain: 'com.microsoft' }], [['a', [M, K]], ['w', [N, K]]]), { a: [M, K], w: [N, K] }],
    ['Gemm transB', model([{ opType: 'Gemm', inputs: ['a', 'w'], outputs: ['y'], attrs: { transB: { int: 1 } } }], [['a', [M, K]], ['w', [N, K]]]), { a: [M, K], w: [N, K] }],
  ];
  const rng = new Rng(1);
  const sessions = [];
  for (const [label, bytes, shapes] of variants) {
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled', intraOpNumThreads: threads, executionMode: 'sequential' });
    const feeds = Object.fromEntries(Object.entries(shapes).map(([k, dims]) => [k, new ort.Tensor('float32', rng.normalArray(dims[0]! * dims[1]!), dims)]));
    for (let i = 0; i < 5; i++) await session.run(feeds);
    sessions.push({ label, session, feeds, times: [] as number[] });
  }
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < sessions.length; k++) {
      const s = sessions[(k + r) % sessions.length]!;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        await s.session.run(s.feeds);
        s.times.push(performance.now() - t0);
      }
    }
  }
  const gflop = (2 * M * K * N) / 1e9;
  const out: Record<string, number> = {};
  for (const s of sessions) {
    const m = median(s.times);
    out[s.label] = Number(m.toFixed(3));
    console.log(`${s.label.padEnd(26)} ${m.toFixed(3)} ms  ${(gflop / (m / 1000)).toFixed(1)} GFLOP/s`);
  }
  console.log(JSON.stringify({ shapes: { M, K, N }, threads, median_ms: out, loadavg: loadavg().map((x) => Number(x.toFixed(1))) }));
}

const cmd = process.argv[2];
const commands: Record<string, () => Promise<void>> = { counts, sessions, ab, profile, matmul };
if (!cmd || !commands[cmd]) {
  console.error(`usage: graph-bench.ts ${Object.keys(commands).join('|')} [flags] (see the header)`);
  process.exit(1);
}
await commands[cmd]();
