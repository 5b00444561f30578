/**
 * WebGPU vs CPU on the critic steps of the paper's toy and MNIST experiments, for a GPU machine:
 * prints, per workload, the largest relative difference between the two devices on one WGAN-GP
 * critic step (loss, penalty, every parameter's gradient) and the time per full critic step
 * (forward, double backward, Adam update: one cached session run) on each device.
 * Then a short training run per workload (2 generator iterations of 2 critic steps, SGD) with the
 * parameters and optimizer state kept in GPU memory between steps (the backend's `resident`), against
 * the same run with the state copied to and from the host every step, and against the CPU: the
 * largest relative difference of the parameters' changes. The time per critic step is given for
 * both ways on WebGPU, and each generator iteration as one run (the trainer's fuseIteration) against
 * one run per step on the same device. And one generator step's gradients on fixed noise (reported only: each
 * device computes its own fakes on that gradient's path).
 *
 * Usage: node --import tsx scripts/webgpu-check.ts [--workloads toy,mnist,cifar10-dcgan,cifar10-resnet] [--steps 20] [--warmup 3]
 *        [--threads N] [--json] [--dry-run] [--no-pack] [--no-resident]
 * --no-pack: WebGPU returns each output on its own (the backend's packOutputs: false).
 * --no-resident: skip the resident runs (WebGPU state copied to and from the host every step only).
 * --dry-run puts a second CPU backend where WebGPU would be, to check the script on a machine without a GPU.
 * Exit status: 0 when every workload agrees within --tol (default 1e-3; the resident training run
 * against the host-state one on the same device, and the fused iterations against the steps, too), 1 when one does not,
 * 2 when WebGPU cannot run here (the reason is printed).
 */
import { gradients } from '../src/autodiff/grad.js';
import { eightGaussians } from '../src/data/toy.js';
import { gradientPenalty, wassersteinCriticLoss } from '../src/gan/losses.js';
import { createCifarDcgan } from '../src/gan/models/cifar-dcgan.js';
import { createCifarResnet } from '../src/gan/models/cifar-resnet.js';
import { createMnist, NOISE_DIM } from '../src/gan/models/mnist.js';
import { ToyMlp } from '../src/gan/models/toy.js';
import { Trainer, seedStreams, type DataSource } from '../src/gan/trainer.js';
import type { Module } from '../src/nn/module.js';
import { ortBackend, type OrtBackend } from '../src/node.js';
import { add } from '../src/ops/add.js';
import { mean } from '../src/ops/math.js';
import { neg } from '../src/ops/neg.js';
import { Adam } from '../src/optim/adam.js';
import { SGD } from '../src/optim/sgd.js';
import { Rng } from '../src/tensor/random.js';
import { maxRelError } from '../test/support/compare.js';
import { realize, setBackend, tensor, toHost, type Tensor } from '../src/tensor/tensor.js';

interface Models {
  generator: Module;
  critic: Module;
  data: DataSource;
  noiseDim: number;
  batch: number;
  lambda: number;
}

interface Workload {
  name: string;
  description: string;
  /** Builds the models from a seed (identical weights for the same seed). */
  build(seed: number): Models;
}

const WORKLOADS: readonly Workload[] = [
  {
    name: 'toy',
    description: 'gan_toy.py: ReLU MLPs 2 → 512 ×3 → out, batch 256, λ 0.1, 8 Gaussians',
    build(seed) {
      const s = seedStreams(seed);
      const data = eightGaussians();
      return {
        generator: new ToyMlp(2, 2, { hidden: 512, layers: 3, rng: s.generatorInit }),
        critic: new ToyMlp(2, 1, { hidden: 512, layers: 3, rng: s.criticInit }),
        data: { sample: (n, rng) => tensor(data.sample(n, rng), [n, 2]) },
        noiseDim: 2,
        batch: 256,
        lambda: 0.1,
      };
    },
  },
  {
    name: 'mnist',
    description: 'gan_mnist.py: DIM 64 conv critic and deconv generator, batch 50, λ 10 (synthetic images: the time does not depend on pixel values)',
    build(seed) {
      const { generator, critic } = createMnist({ rng: seedStreams(seed).generatorInit });
      return {
        generator,
        critic,
        data: { sample: (n, rng) => rng.uniform([n, 1, 28, 28]) },
        noiseDim: NOISE_DIM,
        batch: 50,
        lambda: 10,
      };
    },
  },
  {
    name: 'cifar10-dcgan',
    description: 'gan_cifar.py: DIM 128, batch norm in G, batch 64, λ 10 (synthetic images)',
    build(seed) {
      const { generator, critic } = createCifarDcgan({ dim: 128, rng: seedStreams(seed).generatorInit });
      return { generator, critic, data: { sample: (n, rng) => rng.uniform([n, 3, 32, 32]) }, noiseDim: NOISE_DIM, batch: 64, lambda: 10 };
    },
  },
  {
    name: 'cifar10-resnet',
    description: 'gan_cifar_resnet.py: 128-channel residual blocks, batch 64, λ 10 (synthetic images)',
    build(seed) {
      const { generator, critic } = createCifarResnet({ dim: 128, rng: seedStreams(seed).generatorInit });
      return { generator, critic, data: { sample: (n, rng) => rng.uniform([n, 3, 32, 32]) }, noiseDim: NOISE_DIM, batch: 64, lambda: 10 };
    },
  },
];

interface Args {
  workloads: string[];
  steps: number;
  warmup: number;
  threads: number | undefined;
  tol: number;
  json: boolean;
  dryRun: boolean;
  pack: boolean;
  resident: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { workloads: WORKLOADS.map((w) => w.name), steps: 20, warmup: 3, threads: undefined, tol: 1e-3, json: false, dryRun: false, pack: true, resident: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (min: number): number => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < min) throw new Error(`${flag} must be an integer >= ${min}`);
      return v;
    };
    if (flag === '--workloads') a.workloads = value().split(',');
    else if (flag === '--steps') a.steps = int(1);
    else if (flag === '--warmup') a.warmup = int(1);
    else if (flag === '--threads') a.threads = int(1);
    else if (flag === '--tol') a.tol = Number(value());
    else if (flag === '--json') a.json = true;
    else if (flag === '--dry-run') a.dryRun = true;
    else if (flag === '--no-pack') a.pack = false;
    else if (flag === '--no-resident') a.resident = false;
    else throw new Error(`unknown argument '${flag}' (see the header of scripts/webgpu-check.ts)`);
  }
  for (const w of a.workloads) {
    if (!WORKLOADS.some((x) => x.name === w)) throw new Error(`unknown workload '${w}'; expected ${WORKLOADS.map((x) => x.name).join(', ')}`);
  }
  return a;
}

/**
 * The generator's output and the loss, penalty and parameter gradients of one critic step on fixed
 * batches (no update). The critic step takes the generator output computed on the CPU on both
 * devices: a leaky-ReLU mask is a discontinuity, and a pre-activation within rounding of 0 that
 * flips between devices moves a bias gradient by up to ~1e-2 relative (seen on MNIST when the fake
 * batch came from the GPU); the generator's own agreement is reported as its first output.
 */
async function gradientStep(w: Workload, backend: OrtBackend, cpu: OrtBackend): Promise<{ names: string[]; values: Float32Array[] }> {
  const m = w.build(1);
  const rng = new Rng(2);
  const real = m.data.sample(m.batch, rng);
  const z = rng.normal([m.batch, m.noiseDim]);
  const generated = m.generator.forward(z);
  const fake = m.generator.forward(z);
  await realize([generated], backend);
  await realize([fake], cpu);
  const D = (x: Tensor): Tensor => m.critic.forward(x);
  const { penalty } = gradientPenalty(D, real, fake, rng.uniform([m.batch]), { lambda: m.lambda });
  const loss = add(wassersteinCriticLoss(D(real), D(fake)), penalty);
  const named = m.critic.namedParameters();
  const outs = [loss, penalty, ...gradients(loss, named.map(([, p]) => p))];
  await realize(outs, backend);
  return {
    names: ['generator output', 'loss', 'penalty', ...named.map(([n]) => `grad ${n}`)],
    values: [generated, ...outs].map((t) => Float32Array.from(t.value!)),
  };
}

/**
 * The gradients of one generator step (−mean D(G(z)), every generator parameter) on fixed noise. The
 * fakes are computed on each device here (they are on the gradient's path), so a critic mask flip
 * enters as in the training run; reported, not part of the pass criterion.
 */
async function generatorGradients(w: Workload, backend: OrtBackend): Promise<{ names: string[]; values: Float32Array[] }> {
  const m = w.build(1);
  const z = new Rng(3).normal([m.batch, m.noiseDim]);
  const loss = neg(mean(m.critic.forward(m.generator.forward(z))));
  const named = m.generator.namedParameters();
  const grads = gradients(loss, named.map(([, p]) => p));
  await realize([loss, ...grads], backend);
  return { names: ['loss', ...named.map(([n]) => `grad ${n}`)], values: [loss, ...grads].map((t) => Float32Array.from(t.value!)) };
}

interface Timing {
  /** The first critic step: builds and compiles the session. */
  firstMs: number;
  medianMs: number;
  meanMs: number;
  minMs: number;
}

/** A WGAN-GP trainer of the workload's models on the active backend. */
function trainerOf(m: Models, nCritic: number, optimizer: (p: Module) => Adam | SGD, fuseIteration = false): Trainer {
  return new Trainer({
    fuseIteration,
    generator: m.generator,
    critic: m.critic,
    data: m.data,
    noise: (n, rng) => rng.normal([n, m.noiseDim]),
    loss: { name: 'wgan-gp', lambda: m.lambda },
    nCritic,
    batchSize: m.batch,
    generatorOptimizer: optimizer(m.generator),
    criticOptimizer: optimizer(m.critic),
    seed: 1,
  });
}

/**
 * The change of every parameter over 2 generator iterations of 2 critic steps (SGD: Adam's first
 * steps move each parameter by ±lr whatever its gradient, which would turn rounding into lr-sized
 * differences), and the last critic loss. With the backend's resident state, the parameters reach
 * the host only at the end (toHost).
 */
async function trainingDeltas(w: Workload, backend: OrtBackend, fuseIteration = false): Promise<{ names: string[]; deltas: Float32Array[]; loss: number }> {
  setBackend(backend);
  const m = w.build(1);
  const named = [...m.critic.namedParameters().map(([n, p]) => [`critic ${n}`, p] as const), ...m.generator.namedParameters().map(([n, p]) => [`generator ${n}`, p] as const)];
  const start = named.map(([, p]) => Float32Array.from(p.value!));
  const trainer = trainerOf(m, 2, (p) => new SGD(p.namedParameters(), { lr: 1e-3 }), fuseIteration);
  let loss = 0;
  for (let i = 0; i < 2; i++) loss = (await trainer.iterate()).criticLoss;
  await toHost(named.map(([, p]) => p));
  return { names: named.map(([n]) => n), deltas: named.map(([, p], i) => Float32Array.from(p.value!, (v, j) => v - start[i]![j]!)), loss };
}

/** Times full critic steps (the Trainer's: forward, double backward, Adam; one session run each). */
async function timeCriticSteps(w: Workload, backend: OrtBackend, args: Args): Promise<Timing> {
  setBackend(backend);
  const trainer = trainerOf(w.build(1), 1, (p) => new Adam(p.namedParameters(), { lr: 1e-4, beta1: 0.5, beta2: 0.9 }));
  let t0 = performance.now();
  await trainer.criticStep();
  const firstMs = performance.now() - t0;
  for (let i = 1; i < args.warmup; i++) await trainer.criticStep();
  const ms: number[] = [];
  for (let i = 0; i < args.steps; i++) {
    t0 = performance.now();
    await trainer.criticStep();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return {
    firstMs,
    medianMs: ms[Math.floor(ms.length / 2)]!,
    meanMs: ms.reduce((a, b) => a + b, 0) / ms.length,
    minMs: ms[0]!,
  };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const cpu = ortBackend(args.threads !== undefined ? { threads: args.threads } : {});
  // The dry run's stand-ins: CPU backends taking the same paths (resident on the CPU keeps the
  // runs' own output tensors; see OrtBackendOptions.resident).
  const threads = args.threads !== undefined ? { threads: args.threads } : {};
  const gpu = args.dryRun ? ortBackend({ ...threads, resident: args.resident }) : ortBackend({ device: 'webgpu', packOutputs: args.pack, resident: args.resident });
  const gpuHost = args.dryRun ? ortBackend({ ...threads, resident: false }) : ortBackend({ device: 'webgpu', packOutputs: args.pack, resident: false });
  const label = args.dryRun ? 'cpu(2)' : 'webgpu';
  try {
    try {
      const x = tensor([1, 2], [2]);
      await realize([add(x, x)], gpu);
    } catch (e) {
      console.error(`WebGPU cannot run here: ${(e as Error).message}`);
      return 2;
    }
    let ok = true;
    const results: unknown[] = [];
    for (const w of WORKLOADS.filter((x) => args.workloads.includes(x.name))) {
      const want = await gradientStep(w, cpu, cpu);
      const got = await gradientStep(w, gpu, cpu);
      const errs = got.values.map((g, i) => maxRelError(g, want.values[i]!));
      const worst = errs.indexOf(Math.max(...errs));
      const timing = {
        cpu: await timeCriticSteps(w, cpu, args),
        webgpu: await timeCriticSteps(w, gpu, args),
        ...(args.resident ? { webgpuHostState: await timeCriticSteps(w, gpuHost, args) } : {}),
      };
      // Training: resident state against host state on the same device, and against the CPU.
      const onCpu = await trainingDeltas(w, cpu);
      const onGpu = await trainingDeltas(w, gpu);
      const worstOf = (a: Float32Array[], b: Float32Array[]): { err: number; name: string } => {
        const e = a.map((x, i) => maxRelError(x, b[i]!));
        const k = e.indexOf(Math.max(...e));
        return { err: e[k]!, name: onCpu.names[k]! };
      };
      const training = {
        loss: { cpu: onCpu.loss, webgpu: onGpu.loss },
        vsCpu: worstOf(onGpu.deltas, onCpu.deltas),
        ...(args.resident ? { vsHostState: worstOf(onGpu.deltas, (await trainingDeltas(w, gpuHost)).deltas) } : {}),
        // Each generator iteration as one run (TrainerOptions.fuseIteration, as the CLI's toy runs).
        vsUnfused: worstOf((await trainingDeltas(w, gpu, true)).deltas, onGpu.deltas),
      };
      const genCpu = await generatorGradients(w, cpu);
      const genGpu = await generatorGradients(w, gpu);
      const genErrs = genGpu.values.map((g, i) => maxRelError(g, genCpu.values[i]!));
      const genWorst = genErrs.indexOf(Math.max(...genErrs));
      const generatorStep = { maxRelError: genErrs[genWorst]!, worstOutput: genCpu.names[genWorst]! };
      const pass = errs[worst]! <= args.tol && (training.vsHostState === undefined || training.vsHostState.err <= args.tol) && training.vsUnfused.err <= args.tol;
      ok &&= pass;
      const r = {
        workload: w.name,
        description: w.description,
        maxRelError: errs[worst],
        generatorRelError: errs[0],
        worstOutput: want.names[worst],
        loss: { cpu: want.values[1]![0], webgpu: got.values[1]![0] },
        timing,
        training,
        generatorStep,
        pass,
      };
      results.push(r);
      if (!args.json) {
        const f = (t: Timing): string => `${t.medianMs.toFixed(2)} ms/step (mean ${t.meanMs.toFixed(2)}, min ${t.minMs.toFixed(2)}; first step ${t.firstMs.toFixed(0)} ms)`;
        console.log(`${w.name}: ${w.description}`);
        console.log(`  max relative error ${errs[worst]!.toExponential(2)} (${want.names[worst]}) ${pass ? 'ok' : `ABOVE ${args.tol}`}; generator output ${errs[0]!.toExponential(2)}; loss cpu ${r.loss.cpu} ${label} ${r.loss.webgpu}`);
        console.log(`  cpu    ${f(timing.cpu)}`);
        console.log(`  ${label.padEnd(6)} ${f(timing.webgpu)}  speed-up ×${(timing.cpu.medianMs / timing.webgpu.medianMs).toFixed(2)}${args.resident ? ' (state on the device)' : ''}`);
        if (timing.webgpuHostState) console.log(`  ${label.padEnd(6)} ${f(timing.webgpuHostState)} (state copied to and from the host)`);
        const t = (x: { err: number; name: string }): string => `${x.err.toExponential(2)} (${x.name})`;
        console.log(`  training (2 iterations, SGD), parameter changes: ${label} vs cpu ${t(training.vsCpu)}${training.vsHostState ? `; state on the device vs on the host ${t(training.vsHostState)}` : ''}; one run per iteration vs one per step ${t(training.vsUnfused)}; critic loss cpu ${training.loss.cpu} ${label} ${training.loss.webgpu}`);
        console.log(`  generator step (fakes from each device's generator): max relative error ${generatorStep.maxRelError.toExponential(2)} (${generatorStep.worstOutput})`);
      }
    }
    if (args.json) console.log(JSON.stringify({ steps: args.steps, threads: args.threads ?? 'default', dryRun: args.dryRun, results }, null, 1));
    return ok ? 0 : 1;
  } finally {
    await cpu.dispose();
    await gpu.dispose();
    await gpuHost.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error((e as Error).message);
    process.exit(1);
  },
);
