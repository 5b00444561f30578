/**
 * The benchmark workloads. A workload is ONE entry here: its name, how to build our step, the name
 * of the same workload in bench/torch_bench.py, and the FLOPs of one step (bench/flops.ts).
 *
 * Our steps are built from the trainer the CLI uses (src/gan/trainer.ts), so the benchmark times
 * the code that trains, not a hand-tuned copy of it.
 */
import { eightGaussians } from '../src/data/toy.js';
import { Trainer, seedStreams, type DataSource } from '../src/gan/trainer.js';
import { ToyMlp } from '../src/gan/models/toy.js';
import { Adam } from '../src/optim/adam.js';
import type { Rng } from '../src/tensor/random.js';
import { tensor } from '../src/tensor/tensor.js';
import { mlpCriticStepFlops, mlpGeneratorStepFlops } from './flops.js';

/** Runs one step to completion (its outputs realized). */
export type Step = () => Promise<unknown>;

export interface Workload {
  readonly name: string;
  readonly description: string;
  /** FLOPs of one step (see bench/flops.ts for the counting). */
  readonly flops: number;
  /** The workload's name in bench/torch_bench.py. */
  readonly torch: string;
  /** Steps timed per round (each timed separately); fewer for long steps. */
  readonly stepsPerRound: number;
  /** Builds the models and returns one step. Runs on the active backend (set by the runner). */
  setup(seed: number): Step;
}

// ---- gan_toy.py, wgan-gp mode -------------------------------------------------------------------

const TOY_BATCH = 256;
const TOY_CRITIC = [2, 512, 512, 512, 1];
const TOY_GENERATOR = [2, 512, 512, 512, 2];

/** gan_toy.py's wgan-gp trainer: 8 Gaussians, batch 256, λ = 0.1, Adam(1e-4, 0.5, 0.9), 5 critic steps. */
function toyTrainer(seed: number): Trainer {
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
    batchSize: TOY_BATCH,
    generatorOptimizer: new Adam(generator.namedParameters(), adam),
    criticOptimizer: new Adam(critic.namedParameters(), adam),
    seed,
  });
}

const toyCriticFlops = mlpCriticStepFlops(TOY_BATCH, TOY_CRITIC, TOY_GENERATOR);
const toyGeneratorFlops = mlpGeneratorStepFlops(TOY_BATCH, TOY_CRITIC, TOY_GENERATOR);

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'toy-critic',
    description: 'one WGAN-GP critic step, gan_toy.py: batch 256, 2-512-512-512-1 ReLU critic, G 2-512-512-512-2, λ 0.1, Adam(1e-4, 0.5, 0.9)',
    flops: toyCriticFlops,
    torch: 'toy-critic',
    stepsPerRound: 5,
    setup(seed) {
      const trainer = toyTrainer(seed);
      return () => trainer.criticStep();
    },
  },
  {
    name: 'toy',
    description: 'one gan_toy.py generator iteration: 1 generator step + 5 critic steps (as toy-critic)',
    flops: 5 * toyCriticFlops + toyGeneratorFlops,
    torch: 'toy',
    stepsPerRound: 2,
    setup(seed) {
      const trainer = toyTrainer(seed);
      trainer.iteration = 1; // the reference skips the generator step at iteration 0 only
      return () => trainer.iterate();
    },
  },
];
