/**
 * A small toy WGAN-GP trainer for tests: two-layer MLPs on a Gaussian data stream, fast enough to run
 * a few iterations on any backend (the active one, as the Trainer realizes there).
 */
import { ToyMlp } from '../../src/gan/models/toy.js';
import { seedStreams, Trainer, type TrainerOptions } from '../../src/gan/trainer.js';
import type { Optimizer, ParamList } from '../../src/optim/optimizer.js';
import type { Backend } from '../../src/tensor/tensor.js';

export interface ToyTestTrainerOptions {
  /** Seed of the initial weights (seedStreams). */
  readonly init: number;
  /** The trainer's seed (its data, noise and ε streams). */
  readonly seed: number;
  readonly hidden: number;
  readonly batchSize: number;
  /** The optimizer of each network, from its named parameters. */
  readonly optimizer: (params: ParamList) => Optimizer;
  /** Data-parallel critic shards (TrainerOptions.criticShards). */
  readonly criticShards?: readonly Backend[];
  /** User-supplied noise, ε or real batches (TrainerOptions' hooks). */
  readonly hooks?: Pick<TrainerOptions, 'noise' | 'eps'> & { data?: TrainerOptions['data'] };
  /** One backend run per generator iteration (TrainerOptions.fuseIteration). */
  readonly fuseIteration?: boolean;
  /** Replay the kept graph of each kind of run (TrainerOptions.replay; default true). */
  readonly replay?: boolean;
  /** The objective (default wgan-gp, λ 0.1). */
  readonly loss?: TrainerOptions['loss'];
}

/**
 * 2 → hidden → hidden → 2 generator and → 1 critic, noise of 2, λ 0.1, 2 critic steps per iteration.
 * @example const t = toyTestTrainer({ init: 4, seed: 6, hidden: 16, batchSize: 16, optimizer: (p) => new SGD(p, { lr: 0.05 }) });
 */
export function toyTestTrainer(o: ToyTestTrainerOptions): Trainer {
  const s = seedStreams(o.init);
  const generator = new ToyMlp(2, 2, { hidden: o.hidden, layers: 2, rng: s.generatorInit });
  const critic = new ToyMlp(2, 1, { hidden: o.hidden, layers: 2, rng: s.criticInit });
  return new Trainer({
    generator,
    critic,
    data: { sample: (n, rng) => rng.normal([n, 2]) },
    noiseDim: 2,
    loss: o.loss ?? { name: 'wgan-gp', lambda: 0.1 },
    nCritic: 2,
    batchSize: o.batchSize,
    generatorOptimizer: o.optimizer(generator.namedParameters()),
    criticOptimizer: o.optimizer(critic.namedParameters()),
    seed: o.seed,
    ...(o.criticShards ? { criticShards: o.criticShards } : {}),
    ...(o.fuseIteration !== undefined ? { fuseIteration: o.fuseIteration } : {}),
    ...(o.replay !== undefined ? { replay: o.replay } : {}),
    ...o.hooks,
  });
}
