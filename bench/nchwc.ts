/**
 * A/B of the NCHWc convolution lowerings (src/backends/onnx/conv-lowering.ts)
 * against the standard ONNX lowering, in one process, interleaved: two onnxruntime backends that
 * differ only in `nchwc`, each step or op alternating which goes first.
 *
 *   node --import tsx bench/nchwc.ts ops [--threads 1] [--reps 15] [--only MNIST|DCGAN|ResNet|language]
 *       every conv layer shape of the MNIST, CIFAR DCGAN and CIFAR ResNet critics and the language
 *       model's k5 conv1d, forward and input gradient, realized alone (random N(0, 1) inputs, the feed
 *       copy included)
 *   node --import tsx bench/nchwc.ts steps [workload ...] [--threads 1] [--rounds 6]
 *       whole steps of bench/workloads.ts (default: the three critic steps)
 *   node --import tsx bench/nchwc.ts wgrad [workload ...] [--threads 1] [--rounds 6]
 *       whole steps (default: language-critic), weight gradients of ≥ 8 channels as one GEMM over
 *       the im2col (A) against one MatMul per tap (B) (src/backends/onnx/conv-lowering.ts), both NCHWc
 *   node --import tsx bench/nchwc.ts tuning [workload ...] --set tinyConvGemm=false [--threads 1] [--rounds 6]
 *       whole steps (default: mnist-critic) with the lowerings' defaults (A) against convLoweringTuning
 *       changed as --set says (B)
 *
 * Medians of wall ms and of process CPU ms per run (min: the fastest run, which a shared machine
 * disturbs least); speedup = standard / NCHWc; `max |Δ|` is the
 * largest difference between the two results relative to the largest entry (float32 rounding).
 */
import { loadavg } from 'node:os';
import { cpuUsage } from 'node:process';
import { convLoweringTuning } from '../src/backends/onnx/conv-lowering.js';
import { ortBackend } from '../src/node.js';
import { conv2dWithGeometry, type ConvGeometry } from '../src/ops/conv2d.js';
import { conv2dInputGrad } from '../src/ops/conv-transpose2d.js';
import { Rng } from '../src/tensor/random.js';
import { realize, setBackend, type Backend, type Tensor } from '../src/tensor/tensor.js';
import { WORKLOADS } from './workloads.js';

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Times `run` on each backend `reps` times, alternating the order; returns wall and CPU medians. */
async function interleave(backends: readonly Backend[], reps: number, run: (b: Backend) => Promise<void>): Promise<{ wall: number; cpu: number; minWall: number; minCpu: number }[]> {
  const wall = backends.map(() => [] as number[]);
  const cpu = backends.map(() => [] as number[]);
  for (const b of backends) await run(b); // compiles
  for (let r = 0; r < reps; r++) {
    const order = r % 2 === 0 ? backends.map((_, i) => i) : backends.map((_, i) => backends.length - 1 - i);
    for (const i of order) {
      const c0 = cpuUsage();
      const t0 = performance.now();
      await run(backends[i]!);
      wall[i]!.push(performance.now() - t0);
      const c = cpuUsage(c0);
      cpu[i]!.push((c.user + c.system) / 1000);
    }
  }
  return backends.map((_, i) => ({ wall: median(wall[i]!), cpu: median(cpu[i]!), minWall: Math.min(...wall[i]!), minCpu: Math.min(...cpu[i]!) }));
}

interface Layer {
  readonly model: string;
  readonly N: number;
  readonly C: number;
  readonly O: number;
  readonly H: number;
  readonly k: number;
  readonly geom: ConvGeometry;
  /** A 1-D layer (conv1d as a conv2d over a 1-pixel-high image): height 1, a 1×k kernel. */
  readonly oneD?: boolean;
}

const g = (s: number, pads: [number, number, number, number]): ConvGeometry => ({ stride: [s, s], pads, dilation: [1, 1] });
const SAME5 = g(2, [1, 1, 2, 2]);
const SAME3 = g(1, [1, 1, 1, 1]);
const LAYERS: readonly Layer[] = [
  { model: 'MNIST', N: 50, C: 64, O: 128, H: 14, k: 5, geom: SAME5 },
  { model: 'MNIST', N: 50, C: 128, O: 256, H: 7, k: 5, geom: g(2, [2, 2, 2, 2]) },
  { model: 'DCGAN', N: 64, C: 128, O: 256, H: 16, k: 5, geom: SAME5 },
  { model: 'DCGAN', N: 64, C: 256, O: 512, H: 8, k: 5, geom: SAME5 },
  { model: 'ResNet', N: 64, C: 128, O: 128, H: 32, k: 3, geom: SAME3 },
  { model: 'ResNet', N: 64, C: 128, O: 128, H: 16, k: 3, geom: SAME3 },
  { model: 'ResNet', N: 64, C: 128, O: 128, H: 8, k: 3, geom: SAME3 },
  { model: 'ResNet', N: 64, C: 128, O: 128, H: 32, k: 1, geom: g(1, [0, 0, 0, 0]) },
  // gan_language.py at the CPU width: conv1d k5 SAME over 32 positions (H is the length).
  { model: 'language', N: 64, C: 128, O: 128, H: 32, k: 5, geom: { stride: [1, 1], pads: [0, 2, 0, 2], dilation: [1, 1] }, oneD: true },
];

async function ops(threads: number, reps: number, only: string): Promise<void> {
  const backends = [ortBackend({ threads, nchwc: false }), ortBackend({ threads })];
  console.log(`conv ops, ${threads} thread(s), ${reps} interleaved repetitions; standard ONNX lowering vs NCHWc`);
  console.log(`${'layer'.padEnd(44)} ${'op'.padEnd(11)} ${'standard ms'.padStart(12)} ${'NCHWc ms'.padStart(9)} ${'speedup'.padStart(8)} ${'GFLOP/s'.padStart(12)} ${'max |Δ|'.padStart(8)}`);
  for (const l of LAYERS.filter((x) => only === '' || x.model === only)) {
    const Ho = Math.floor((l.H + l.geom.pads[1] + l.geom.pads[3] - l.k) / l.geom.stride[1]) + 1;
    const [H, kh, Hout] = l.oneD ? [1, 1, 1] : [l.H, l.k, Ho];
    const rng = new Rng(l.H * 1000 + l.C);
    const x = rng.normal([l.N, l.C, H, l.H]);
    const w = rng.normal([l.O, l.C, kh, l.k]);
    const gy = rng.normal([l.N, l.O, Hout, Ho]);
    const flops = 2 * l.N * l.O * Hout * Ho * l.C * kh * l.k;
    const label = l.oneD
      ? `${l.model} 1-D k${l.k} s${l.geom.stride[1]}, ${l.N}×${l.C}×${l.H} → ${l.O}×${Ho}`
      : `${l.model} ${l.k}×${l.k} s${l.geom.stride[0]}, ${l.N}×${l.C}×${l.H}² → ${l.O}×${Ho}²`;
    for (const [op, build] of [
      ['forward', () => conv2dWithGeometry(x, w, l.geom)],
      ['input grad', () => conv2dInputGrad(gy, w, l.geom, [H, l.H])],
    ] as [string, () => Tensor][]) {
      const outs: Float64Array[] = [];
      for (const b of backends) {
        const t = build();
        await realize([t], b);
        outs.push(await t.data64());
      }
      let [scale, worst] = [0, 0];
      outs[0]!.forEach((v, i) => {
        scale = Math.max(scale, Math.abs(v));
        worst = Math.max(worst, Math.abs(v - outs[1]![i]!));
      });
      const diff = worst / scale;
      const [std, nchwc] = await interleave(backends, reps, async (b) => {
        await realize([build()], b);
      });
      const gf = (ms: number): string => ((flops / ms) * 1e-6).toFixed(0);
      console.log(
        `${label.padEnd(44)} ${op.padEnd(11)} ${std!.wall.toFixed(1).padStart(12)} ${nchwc!.wall.toFixed(1).padStart(9)} ${(std!.wall / nchwc!.wall).toFixed(2).padStart(7)}× ${`${gf(std!.wall)} → ${gf(nchwc!.wall)}`.padStart(12)} ${diff.toExponential(1).padStart(8)}`,
      );
    }
  }
  for (const b of backends) await b.dispose?.();
}

async function steps(names: readonly string[], threads: number, rounds: number): Promise<void> {
  console.log(`workload steps, ${threads} thread(s), ${rounds} interleaved rounds; standard ONNX lowering vs NCHWc`);
  console.log(`${'workload'.padEnd(24)} ${'standard ms'.padStart(12)} ${'NCHWc ms'.padStart(9)} ${'speedup'.padStart(8)} ${'CPU ms std → NCHWc'.padStart(20)}`);
  for (const name of names) {
    const w = WORKLOADS.find((x) => x.name === name);
    if (!w) throw new Error(`unknown workload '${name}'; known: ${WORKLOADS.map((x) => x.name).join(', ')}`);
    const backends = [ortBackend({ threads, nchwc: false }), ortBackend({ threads })];
    const stepOf = new Map<Backend, () => Promise<unknown>>();
    for (const b of backends) {
      setBackend(b);
      stepOf.set(b, w.setup(0));
    }
    const [std, nchwc] = await interleave(backends, rounds, async (b) => {
      setBackend(b);
      await stepOf.get(b)!();
    });
    console.log(
      `${name.padEnd(24)} ${std!.wall.toFixed(1).padStart(12)} ${nchwc!.wall.toFixed(1).padStart(9)} ${(std!.wall / nchwc!.wall).toFixed(2).padStart(7)}× ${`${std!.cpu.toFixed(0)} → ${nchwc!.cpu.toFixed(0)}`.padStart(20)}`,
    );
    for (const b of backends) await b.dispose?.();
  }
}

/**
 * Whole steps with the conv lowerings' defaults (backend A) against `convLoweringTuning` changed by
 * `--set key=value,...` (backend B), e.g. `--set tinyConvGemm=false`.
 */
async function tuning(names: readonly string[], threads: number, rounds: number, set: string): Promise<void> {
  const saved = { ...convLoweringTuning };
  const changes = set.split(',').filter(Boolean).map((kv) => {
    const [k, v] = kv.split('=') as [string, string];
    if (!(k in convLoweringTuning)) throw new Error(`--set: unknown switch '${k}'; known: ${Object.keys(convLoweringTuning).join(', ')}`);
    return [k, v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) ? Number(v) : v] as const;
  });
  console.log(`workload steps, ${threads} thread(s), ${rounds} interleaved rounds; defaults (A) vs ${set} (B); load ${loadavg()[0]!.toFixed(2)}`);
  console.log(`${'workload'.padEnd(24)} ${'A ms'.padStart(9)} ${'B ms'.padStart(9)} ${'A/B'.padStart(8)} ${'CPU ms A → B'.padStart(20)} ${'min CPU ms'.padStart(16)}`);
  for (const name of names) {
    const w = WORKLOADS.find((x) => x.name === name);
    if (!w) throw new Error(`unknown workload '${name}'; known: ${WORKLOADS.map((x) => x.name).join(', ')}`);
    const backends = [ortBackend({ threads }), ortBackend({ threads })];
    const stepOf = new Map<Backend, () => Promise<unknown>>();
    for (const [i, b] of backends.entries()) {
      Object.assign(convLoweringTuning, saved, i === 1 ? Object.fromEntries(changes) : {});
      setBackend(b);
      const step = w.setup(0);
      await step(); // compiles this backend's sessions under this setting
      stepOf.set(b, step);
    }
    Object.assign(convLoweringTuning, saved);
    const [a, b] = await interleave(backends, rounds, async (be) => {
      setBackend(be);
      await stepOf.get(be)!();
    });
    console.log(
      `${name.padEnd(24)} ${a!.wall.toFixed(1).padStart(9)} ${b!.wall.toFixed(1).padStart(9)} ${(a!.wall / b!.wall).toFixed(3).padStart(7)}× ${`${a!.cpu.toFixed(0)} → ${b!.cpu.toFixed(0)}`.padStart(20)} ${`${a!.minCpu.toFixed(0)} → ${b!.minCpu.toFixed(0)}`.padStart(16)}`,
    );
    for (const be of backends) await be.dispose?.();
  }
  console.log(`load ${loadavg()[0]!.toFixed(2)}`);
}

const mode = process.argv[2];
const threads = Number(flag('threads', '1'));
const names = process.argv.slice(3).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
if (mode === 'ops') await ops(threads, Number(flag('reps', '15')), flag('only', ''));
else if (mode === 'steps') await steps(names.length > 0 ? names : ['mnist-critic', 'cifar10-dcgan-critic', 'cifar10-resnet-critic'], threads, Number(flag('rounds', '6')));
// wgrad: A = the one-GEMM weight gradients (the default), B = one MatMul per tap (im2col bound 0).
else if (mode === 'wgrad') await tuning(names.length > 0 ? names : ['language-critic'], threads, Number(flag('rounds', '6')), 'im2colGemmMaxElements=0');
else if (mode === 'tuning') await tuning(names.length > 0 ? names : ['mnist-critic'], threads, Number(flag('rounds', '6')), flag('set', ''));
else {
  console.error('usage: node --import tsx bench/nchwc.ts ops|steps|wgrad|tuning [workload ...] [--threads 1] [--reps 15 | --rounds 6] [--only language] [--set key=value,...]');
  process.exit(2);
}
