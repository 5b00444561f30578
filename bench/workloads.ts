/**
 * The benchmark workloads. A workload is ONE entry here: its name, how to build our step, the name
 * of the same workload in bench/torch_bench.py, and the FLOPs of one step (bench/flops.ts).
 *
 * Our steps are built from the trainer the CLI uses (src/gan/trainer.ts), so the benchmark times
 * the code that trains, not a hand-tuned copy of it.
 */
import { ArrayImageDataset, BatchSampler, samplerDataSource, type PixelTransformSpec } from '../src/data/batches.js';
import { CharMap, TextBatchSampler, TextCorpus, textDataSource, UNK } from '../src/data/text.js';
import { eightGaussians } from '../src/data/toy.js';
import { createCifarDcgan } from '../src/gan/models/cifar-dcgan.js';
import { createCifarResnet } from '../src/gan/models/cifar-resnet.js';
import { createLanguage, LANGUAGE_CPU_DIM, LANGUAGE_SEQ_LEN } from '../src/gan/models/language.js';
import { createLsun64, type Lsun64Arch } from '../src/gan/models/lsun64.js';
import { createMnist, NOISE_DIM } from '../src/gan/models/mnist.js';
import { ToyMlp } from '../src/gan/models/toy.js';
import { Trainer, seedStreams, type ConditionalSpec, type DataSource } from '../src/gan/trainer.js';
import type { Module } from '../src/nn/module.js';
import { Adam } from '../src/optim/adam.js';
import { linearDecay } from '../src/optim/schedule.js';
import { Rng } from '../src/tensor/random.js';
import { tensor, type Backend } from '../src/tensor/tensor.js';
import {
  acganCriticStepFlops,
  acganGeneratorStepFlops,
  cifarDcganCriticLayers,
  cifarDcganGeneratorLayers,
  cifarResnetCriticLayers,
  cifarResnetGeneratorLayers,
  ganCriticStepFlops,
  ganGeneratorStepFlops,
  languageCriticLayers,
  languageGeneratorLayers,
  lsun64DcganCriticLayers,
  lsun64DcganGeneratorLayers,
  lsun64Resnet101CriticLayers,
  lsun64Resnet101GeneratorLayers,
  lsun64ResnetCriticLayers,
  lsun64ResnetGeneratorLayers,
  mlpCriticStepFlops,
  mlpGeneratorStepFlops,
  mnistCriticLayers,
  mnistGeneratorLayers,
  type LayerCosts,
} from './flops.js';

/** Runs one step to completion (its outputs realized). */
export type Step = () => Promise<unknown>;

export interface SetupOptions {
  readonly criticShards?: readonly Backend[];
  /** The trainer's `fuseIteration` (default: as the CLI's toy runs). */
  readonly fuseIteration?: boolean;
  /** The trainer's `replay` (default true, as the CLI's runs). */
  readonly replay?: boolean;
  /** The toy trainer's batch size (default gan_toy.py's 256). */
  readonly batchSize?: number;
}

export interface Workload {
  readonly name: string;
  readonly description: string;
  /** FLOPs of one step (see bench/flops.ts for the counting). */
  readonly flops: number;
  /** The workload's name in bench/torch_bench.py. */
  readonly torch: string;
  /** Steps timed per round (each timed separately); fewer for long steps. */
  readonly stepsPerRound: number;
  /** Untimed steps per setting before the rounds (default: the runner's --warmup, 3). */
  readonly warmup?: number;
  /** onnxruntime settings tried when --ours is not given (default t2s,t2,t1s,t1). */
  readonly ours?: readonly string[];
  /** PyTorch thread counts tried when --torch-threads is not given (default 1,2). */
  readonly torchThreads?: readonly number[];
  /**
   * Builds the models and returns one step. Runs on the active backend (set by the runner); with
   * `criticShards`, the critic steps are data-parallel over those backends (TrainerOptions.criticShards).
   */
  setup(seed: number, opts?: SetupOptions): Step;
}

// ---- gan_toy.py, wgan-gp mode -------------------------------------------------------------------

const TOY_BATCH = 256;
const TOY_CRITIC = [2, 512, 512, 512, 1];
const TOY_GENERATOR = [2, 512, 512, 512, 2];

/** gan_toy.py's wgan-gp trainer: 8 Gaussians, batch 256, λ = 0.1, Adam(1e-4, 0.5, 0.9), 5 critic steps. */
export function toyTrainer(seed: number, opts: SetupOptions = {}): Trainer {
  const streams = seedStreams(seed);
  const generator = new ToyMlp(2, 2, { hidden: 512, layers: 3, rng: streams.generatorInit });
  const critic = new ToyMlp(2, 1, { hidden: 512, layers: 3, rng: streams.criticInit });
  const ds = eightGaussians();
  const data: DataSource = { sample: (n: number, rng: Rng) => tensor(ds.sample(n, rng), [n, 2]) };
  const adam = { lr: 1e-4, beta1: 0.5, beta2: 0.9 };
  return new Trainer({
    generator,
    critic,
    data,
    noiseDim: 2,
    loss: { name: 'wgan-gp', lambda: 0.1 },
    nCritic: 5,
    batchSize: opts.batchSize ?? TOY_BATCH,
    generatorOptimizer: new Adam(generator.namedParameters(), adam),
    criticOptimizer: new Adam(critic.namedParameters(), adam),
    seed,
    ...(opts.criticShards ? { criticShards: opts.criticShards } : {}),
    fuseIteration: opts.fuseIteration ?? true,
    ...(opts.replay !== undefined ? { replay: opts.replay } : {}),
  });
}

const toyCriticFlops = mlpCriticStepFlops(TOY_BATCH, TOY_CRITIC, TOY_GENERATOR);
const toyGeneratorFlops = mlpGeneratorStepFlops(TOY_BATCH, TOY_CRITIC, TOY_GENERATOR);

// ---- the image scripts: gan_mnist.py, gan_cifar.py, gan_cifar_resnet.py, gan_64x64.py (wgan-gp) ----

/** The settings of one image script that a step depends on (as the CLI's presets, src/app/image/config.ts). */
interface ImageSpec {
  readonly itemShape: readonly [number, number, number];
  /** How the reference scales pixels (as src/app/image/data.ts FAMILY_TRANSFORM). */
  readonly transform: PixelTransformSpec;
  readonly batchSize: number;
  readonly generatorBatchSize: number;
  readonly adam: { lr: number; beta1: number; beta2: number };
  /** Linear decay of the learning rate to 0 over this many iterations (gan_cifar_resnet.py). */
  readonly decayIters?: number;
  /** Class-conditional training (gan_cifar_resnet.py CONDITIONAL, with ACGAN). */
  readonly conditional?: ConditionalSpec;
  readonly models: (rng: Rng) => { generator: Module; critic: Module };
}

const MNIST: ImageSpec = {
  itemShape: [1, 28, 28],
  transform: 'unit256',
  batchSize: 50,
  generatorBatchSize: 50,
  adam: { lr: 1e-4, beta1: 0.5, beta2: 0.9 },
  models: (rng) => createMnist({ dim: 64, loss: 'wgan-gp', rng }),
};

const CIFAR_DCGAN: ImageSpec = {
  itemShape: [3, 32, 32],
  transform: 'symmetric',
  batchSize: 64,
  generatorBatchSize: 64,
  adam: { lr: 1e-4, beta1: 0.5, beta2: 0.9 },
  models: (rng) => createCifarDcgan({ dim: 128, loss: 'wgan-gp', rng }),
};

const CIFAR_RESNET: ImageSpec = {
  itemShape: [3, 32, 32],
  transform: 'symmetricDequantized',
  batchSize: 64,
  generatorBatchSize: 128,
  adam: { lr: 2e-4, beta1: 0, beta2: 0.9 },
  decayIters: 100_000,
  models: (rng) => createCifarResnet({ dim: 128, rng }),
};

/** gan_cifar_resnet.py with CONDITIONAL and ACGAN (preset cifar10-resnet-acgan): CE weights 1 (critic, real) and 0.1 (G). */
const CIFAR_RESNET_ACGAN: ImageSpec = {
  ...CIFAR_RESNET,
  conditional: { numClasses: 10, acgan: { criticScale: 1, generatorScale: 0.1 } },
  models: (rng) => createCifarResnet({ dim: 128, conditional: true, acgan: true, numClasses: 10, rng }),
};

/** gan_64x64.py under wgan-gp (preset lsun64-<arch>): DIM 64, batch 64, Adam(1e-4, 0, 0.9) as in its code, layer norm in the critic. */
function lsun64Spec(arch: Lsun64Arch): ImageSpec {
  return {
    itemShape: [3, 64, 64],
    transform: 'symmetric',
    batchSize: 64,
    generatorBatchSize: 64,
    adam: { lr: 1e-4, beta1: 0, beta2: 0.9 },
    models: (rng) => createLsun64({ arch, dim: 64, loss: 'wgan-gp', rng }),
  };
}

/** Random 8-bit images of the right shape, scaled as the reference scales its data (uint8 → range). */
function randomImages(spec: ImageSpec, seed: number, count = 512): DataSource {
  const [c, h, w] = spec.itemShape;
  const pixels = new Uint8Array(count * c * h * w);
  const rng = new Rng(seed + 7);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  const labels = new Uint8Array(count).map((_, i) => i % 10);
  const ds = new ArrayImageDataset({ name: 'random', pixels, itemShape: spec.itemShape, labels, numClasses: 10, transform: spec.transform });
  return samplerDataSource(new BatchSampler(ds, { batchSize: spec.batchSize, seed }));
}

/**
 * An image script's WGAN-GP trainer, built as the CLI builds it (src/app/image/model.ts
 * buildImageModel): the real models, Adam on each, λ = 10, 5 critic steps, N(0, 1) noise of size 128.
 */
function imageTrainer(spec: ImageSpec, seed: number, opts: SetupOptions = {}): Trainer {
  const streams = seedStreams(seed);
  const { generator, critic } = spec.models(streams.generatorInit);
  const optG = new Adam(generator.namedParameters(), spec.adam);
  const optD = new Adam(critic.namedParameters(), spec.adam);
  const schedule = spec.decayIters ? linearDecay(spec.adam.lr, spec.decayIters) : undefined;
  return new Trainer({
    generator,
    critic,
    data: randomImages(spec, seed),
    noise: (n, rng) => rng.normal([n, NOISE_DIM]),
    loss: { name: 'wgan-gp', lambda: 10 },
    nCritic: 5,
    batchSize: spec.batchSize,
    generatorBatchSize: spec.generatorBatchSize,
    generatorOptimizer: optG,
    criticOptimizer: optD,
    seed,
    ...(spec.conditional ? { conditional: spec.conditional } : {}),
    ...(schedule ? { beforeIteration: (it: number) => ((optG.lr = schedule(it)), (optD.lr = schedule(it))) } : {}),
    ...(opts.criticShards ? { criticShards: opts.criticShards } : {}),
    ...(opts.replay !== undefined ? { replay: opts.replay } : {}),
  });
}

/**
 * Options shared by the image workloads: one warm-up step, fewer settings (steps take seconds): 2
 * threads, the critic in 2 single-threaded shards (TrainerOptions.criticShards), 1 thread.
 */
const IMAGE_DEFAULTS = { warmup: 1, ours: ['t2', 't1x2', 't1'], torchThreads: [1, 2] } as const;

/** The critic-step and generator-iteration workloads of one image script. */
function imageWorkloads(
  name: string,
  what: string,
  spec: ImageSpec,
  layers: { critic: (batch: number) => LayerCosts; generator: (batch: number) => LayerCosts },
  stepsPerRound: { critic: number; iteration: number },
  /** FLOPs outside `layers` (the AC-GAN head) per critic and per generator step. */
  extra: { critic: number; generator: number } = { critic: 0, generator: 0 },
): Workload[] {
  const critic = ganCriticStepFlops(layers.critic(spec.batchSize), layers.generator(spec.batchSize)) + extra.critic;
  const gen = ganGeneratorStepFlops(layers.critic(spec.generatorBatchSize), layers.generator(spec.generatorBatchSize)) + extra.generator;
  return [
    {
      name: `${name}-critic`,
      description: `one WGAN-GP critic step of ${what}`,
      flops: critic,
      torch: `${name}-critic`,
      stepsPerRound: stepsPerRound.critic,
      ...IMAGE_DEFAULTS,
      setup(seed, opts) {
        const trainer = imageTrainer(spec, seed, opts);
        return () => trainer.criticStep();
      },
    },
    {
      name,
      description: `one generator iteration of ${what}: 1 generator step + 5 critic steps`,
      flops: 5 * critic + gen,
      torch: name,
      stepsPerRound: stepsPerRound.iteration,
      ...IMAGE_DEFAULTS,
      setup(seed, opts) {
        const trainer = imageTrainer(spec, seed, opts);
        trainer.iteration = 1; // the reference skips the generator step at iteration 0 only
        return () => trainer.iterate();
      },
    },
  ];
}

// ---- gan_language.py (wgan-gp) ------------------------------------------------------------------

/**
 * The language model's bench settings: the documented CPU width (DIM 128; the reference's 512 costs
 * 16× the products), seqLen 32, batch 64, 10 critic steps, λ 10, Adam(1e-4, 0.5, 0.9), and V = 88,
 * the char map of the State of the Union corpus (src/data/text.ts loadSotu). G 1,360,216 and
 * D 835,969 parameters.
 */
const LANGUAGE = { dim: LANGUAGE_CPU_DIM, seqLen: LANGUAGE_SEQ_LEN, vocab: 88, batch: 64, nCritic: 10 } as const;

/** gan_language.py's trainer on random lines of ids (the step's cost does not depend on the text). */
function languageTrainer(seed: number, opts: SetupOptions = {}): Trainer {
  const { dim, seqLen, vocab, batch, nCritic } = LANGUAGE;
  const streams = seedStreams(seed);
  const { generator, critic } = createLanguage({ vocabSize: vocab, dim, seqLen, rng: streams.generatorInit });
  const charmap = CharMap.fromSymbols([UNK, ...Array.from({ length: vocab - 1 }, (_, i) => String.fromCodePoint(32 + i))]);
  const rng = new Rng(seed + 7);
  const ids = Uint16Array.from({ length: 512 * seqLen }, () => rng.int(vocab));
  const corpus = new TextCorpus({ name: 'random lines', seqLen, charmap, ids });
  const adam = { lr: 1e-4, beta1: 0.5, beta2: 0.9 };
  return new Trainer({
    generator,
    critic,
    data: textDataSource(new TextBatchSampler(corpus, { batchSize: batch, seed })),
    noise: (n, r) => r.normal([n, NOISE_DIM]),
    loss: { name: 'wgan-gp', lambda: 10 },
    nCritic,
    batchSize: batch,
    generatorOptimizer: new Adam(generator.namedParameters(), adam),
    criticOptimizer: new Adam(critic.namedParameters(), adam),
    seed,
    ...(opts.criticShards ? { criticShards: opts.criticShards } : {}),
    ...(opts.replay !== undefined ? { replay: opts.replay } : {}),
  });
}

const languageCriticFlops = ganCriticStepFlops(
  languageCriticLayers(LANGUAGE.batch, LANGUAGE.dim, LANGUAGE.seqLen, LANGUAGE.vocab),
  languageGeneratorLayers(LANGUAGE.batch, LANGUAGE.dim, LANGUAGE.seqLen, LANGUAGE.vocab),
);
const languageGeneratorFlops = ganGeneratorStepFlops(
  languageCriticLayers(LANGUAGE.batch, LANGUAGE.dim, LANGUAGE.seqLen, LANGUAGE.vocab),
  languageGeneratorLayers(LANGUAGE.batch, LANGUAGE.dim, LANGUAGE.seqLen, LANGUAGE.vocab),
);

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'toy-critic',
    description: 'one WGAN-GP critic step, gan_toy.py: batch 256, 2-512-512-512-1 ReLU critic, G 2-512-512-512-2, λ 0.1, Adam(1e-4, 0.5, 0.9)',
    flops: toyCriticFlops,
    torch: 'toy-critic',
    stepsPerRound: 5,
    setup(seed, opts) {
      const trainer = toyTrainer(seed, opts);
      return () => trainer.criticStep();
    },
  },
  {
    name: 'toy',
    description: 'one gan_toy.py generator iteration: 1 generator step + 5 critic steps (as toy-critic)',
    flops: 5 * toyCriticFlops + toyGeneratorFlops,
    torch: 'toy',
    stepsPerRound: 2,
    setup(seed, opts) {
      const trainer = toyTrainer(seed, opts);
      trainer.iteration = 1; // the reference skips the generator step at iteration 0 only
      return () => trainer.iterate();
    },
  },
  ...imageWorkloads(
    'mnist',
    'gan_mnist.py (DIM 64, batch 50, λ 10, Adam(1e-4, 0.5, 0.9); G 1,554,177 and D 1,030,145 parameters)',
    MNIST,
    { critic: mnistCriticLayers, generator: mnistGeneratorLayers },
    { critic: 2, iteration: 1 },
  ),
  ...imageWorkloads(
    'cifar10-dcgan',
    'gan_cifar.py (DIM 128, batch 64, batch norm in G, λ 10, Adam(1e-4, 0.5, 0.9); G 5,179,907 and D 4,114,689 parameters)',
    CIFAR_DCGAN,
    { critic: cifarDcganCriticLayers, generator: cifarDcganGeneratorLayers },
    { critic: 1, iteration: 1 },
  ),
  ...imageWorkloads(
    'cifar10-resnet',
    'gan_cifar_resnet.py (DIM 128, critic batch 64, generator batch 128, λ 10, Adam(2e-4, 0, 0.9) with linear decay; G 1,204,483 and D 1,053,825 parameters)',
    CIFAR_RESNET,
    { critic: cifarResnetCriticLayers, generator: cifarResnetGeneratorLayers },
    { critic: 1, iteration: 1 },
  ),
  ...imageWorkloads(
    'cifar10-resnet-acgan',
    'gan_cifar_resnet.py with CONDITIONAL and ACGAN (as cifar10-resnet; conditional batch norm in G, Linear(DIM, 10) class head on D, CE weight 1 on real for D and 0.1 for G; G 1,218,307 and D 1,055,115 parameters)',
    CIFAR_RESNET_ACGAN,
    { critic: cifarResnetCriticLayers, generator: cifarResnetGeneratorLayers },
    { critic: 1, iteration: 1 },
    { critic: acganCriticStepFlops(CIFAR_RESNET_ACGAN.batchSize, 128, 10), generator: acganGeneratorStepFlops(CIFAR_RESNET_ACGAN.generatorBatchSize, 128, 10) },
  ),
  ...imageWorkloads(
    'lsun64-dcgan',
    "gan_64x64.py 'dcgan' (DIM 64, batch 64, [3, 64, 64], batch norm in G, layer norm in D, λ 10, Adam(1e-4, 0, 0.9); G 5,364,739 and D 4,316,545 parameters)",
    lsun64Spec('dcgan'),
    { critic: lsun64DcganCriticLayers, generator: lsun64DcganGeneratorLayers },
    { critic: 1, iteration: 1 },
  ),
  ...imageWorkloads(
    'lsun64-resnet',
    "gan_64x64.py 'resnet', its default ResNet (DIM 64, batch 64, [3, 64, 64], batch norm in G, layer norm in D, λ 10, Adam(1e-4, 0, 0.9); G 8,540,483 and D 7,491,841 parameters)",
    lsun64Spec('resnet'),
    { critic: lsun64ResnetCriticLayers, generator: lsun64ResnetGeneratorLayers },
    { critic: 1, iteration: 1 },
  ),
  ...imageWorkloads(
    'lsun64-resnet101',
    "gan_64x64.py 'resnet-101', the 101-layer bottleneck ResNet (DIM 64, batch 64, [3, 64, 64], batch norm in G, layer norm in D, λ 10, Adam(1e-4, 0, 0.9); G 9,189,587 and D 7,618,801 parameters)",
    lsun64Spec('resnet-101'),
    { critic: lsun64Resnet101CriticLayers, generator: lsun64Resnet101GeneratorLayers },
    { critic: 1, iteration: 1 },
  ),  {
    name: 'language-critic',
    description: 'one WGAN-GP critic step of gan_language.py at the CPU width (DIM 128, seqLen 32, V 88, batch 64, λ 10, Adam(1e-4, 0.5, 0.9); G 1,360,216 and D 835,969 parameters)',
    flops: languageCriticFlops,
    torch: 'language-critic',
    stepsPerRound: 2,
    ...IMAGE_DEFAULTS,
    setup(seed, opts) {
      const trainer = languageTrainer(seed, opts);
      return () => trainer.criticStep();
    },
  },
  {
    name: 'language',
    description: 'one gan_language.py generator iteration: 1 generator step + 10 critic steps (as language-critic)',
    flops: LANGUAGE.nCritic * languageCriticFlops + languageGeneratorFlops,
    torch: 'language',
    stepsPerRound: 1,
    ...IMAGE_DEFAULTS,
    setup(seed, opts) {
      const trainer = languageTrainer(seed, opts);
      trainer.iteration = 1; // the reference skips the generator step at iteration 0 only
      return () => trainer.iterate();
    },
  },
];
