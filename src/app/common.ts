/**
 * What every experiment kind shares: the settings of the objective, the optimiser, the run's cadence
 * and the runtime (declared once; a kind spreads them into its own fields, changing defaults where its
 * reference script does), and the objects a config turns into (the loss spec, the optimisers and
 * their learning-rate schedule).
 */
import { Adam } from '../optim/adam.js';
import { clipProjection } from '../optim/clip.js';
import type { Optimizer, ParamList, Projection } from '../optim/optimizer.js';
import { RMSProp } from '../optim/rmsprop.js';
import { linearDecay } from '../optim/schedule.js';
import { SGD } from '../optim/sgd.js';
import { LOSSES, type LossName } from '../gan/losses.js';
import type { LossSpec, TrainerOptions } from '../gan/trainer.js';
import type { Module } from '../nn/module.js';
import { bool, choice, defaultsOf, int, num, text, type Field, type Values } from './settings.js';

export const OPTIMIZERS = ['adam', 'rmsprop', 'sgd'] as const;
export const DEVICES = ['cpu', 'webgpu'] as const;
export type DeviceName = (typeof DEVICES)[number];

/** The objective and its weights (defaults: gan_toy.py's; kinds override). */
export const LOSS_FIELDS = {
  loss: choice(LOSSES, 'wgan-gp', `objective: ${LOSSES.join(', ')} (each brings its reference optimiser defaults)`),
  lambda: num(0.1, 'gradient-penalty weight λ (wgan-gp)', { min: 0, max: 1e6 }),
  oneSided: bool(false, 'one-sided penalty E[max(0, ‖∇‖−1)²] (wgan-gp)'),
  clip: num(0.01, 'weight-clipping value c, weights kept in [−c, c] (wgan)', { gt: 0, max: 1e3 }),
  ganVariant: choice(['non-saturating', 'minimax'], 'non-saturating', 'generator loss of the standard GAN (gan)'),
  nCritic: int(5, 'critic steps per generator step', { min: 1, max: 10_000 }),
};

/** The optimiser of both networks. */
export const OPTIMIZER_FIELDS = {
  optimizer: choice(OPTIMIZERS, 'adam', `optimiser of both networks: ${OPTIMIZERS.join(', ')}`),
  lr: num(1e-4, 'learning rate', { gt: 0, max: 100 }),
  beta1: num(0.5, 'Adam β1', { min: 0, max: 1 }),
  beta2: num(0.9, 'Adam β2', { min: 0, max: 1 }),
  lrDecay: choice(['none', 'linear'], 'none', 'learning-rate schedule: none, or linear decay to 0 over iters'),
};

/** The longest run: a billion generator iterations. */
export const MAX_ITERS = 1_000_000_000;
/** Seeds are 32-bit (the xoshiro128** streams are seeded from one). */
export const MAX_SEED = 2 ** 32 - 1;

/** A cadence: do `what` every N iterations (N >= 1, or 0 meaning `zero` where given). */
const every = (def: number, what: string, zero?: string): Field<number> => int(def, `${what} every N iterations${zero ? ` (0: ${zero})` : ''}`, { min: zero ? 0 : 1, max: MAX_ITERS });

/** Length, seed and the cadence of a run folder's side effects. */
export const RUN_FIELDS = {
  iters: int(1000, 'generator iterations', { min: 1, max: MAX_ITERS }),
  seed: int(1, 'random seed (weights, data, noise, ε)', { min: 0, max: MAX_SEED }),
  logEvery: every(100, 'write a metrics.jsonl line'),
  evalEvery: every(100, 'compute the metrics', 'never'),
  plotEvery: every(250, 'write plots', 'only at the end'),
  checkpointEvery: every(250, 'write a checkpoint'),
};

/** Where the run computes. */
export const RUNTIME_FIELDS = {
  threads: int(2, 'onnxruntime intra-op threads', { min: 1, max: 1024 }),
  device: choice(DEVICES, 'cpu', 'onnxruntime device: cpu or webgpu'),
};

/** The fields every kind has: the settings the shared code below reads. */
export const COMMON_FIELDS = { ...LOSS_FIELDS, ...OPTIMIZER_FIELDS, ...RUN_FIELDS, ...RUNTIME_FIELDS };
export type CommonSettings = Values<typeof COMMON_FIELDS>;

/**
 * The reference optimiser settings of each loss (gan_toy.py for wgan-gp and wgan; the reference's
 * `dcgan` and `lsgan` modes for gan and lsgan). Kinds use them as they are or override entries.
 */
export const LOSS_DEFAULTS: Readonly<Record<LossName, Partial<CommonSettings>>> = {
  // gan_toy.py: Adam(1e-4, beta1 0.5, beta2 0.9), LAMBDA = .1, CRITIC_ITERS = 5.
  'wgan-gp': { optimizer: 'adam', lr: 1e-4, beta1: 0.5, beta2: 0.9, nCritic: 5, lambda: 0.1 },
  // MODE 'wgan': RMSProp(5e-5), clip ±0.01 after every critic step, 5 critic steps.
  wgan: { optimizer: 'rmsprop', lr: 5e-5, nCritic: 5, clip: 0.01 },
  // 'dcgan' mode: Adam(2e-4, beta1 0.5) (TF's default beta2 0.999), one discriminator step.
  gan: { optimizer: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.999, nCritic: 1 },
  // gan_64x64.py 'lsgan': RMSProp(1e-4), one discriminator step.
  lsgan: { optimizer: 'rmsprop', lr: 1e-4, nCritic: 1 },
};

/** A named starting point for `wgan-gp train --preset NAME`. */
export interface Preset<C> {
  readonly description: string;
  readonly config: Partial<C>;
  /** Settings that apply only with a given loss (on top of that loss's reference defaults). */
  readonly byLoss?: Partial<Record<LossName, Partial<C>>>;
}

/**
 * The Trainer's loss spec of a config.
 * @example lossSpec({ loss: 'wgan-gp', lambda: 10, oneSided: false, clip: 0.01, ganVariant: 'minimax', nCritic: 5 })
 */
export function lossSpec(c: Values<typeof LOSS_FIELDS>): LossSpec {
  switch (c.loss) {
    case 'wgan-gp':
      return { name: 'wgan-gp', lambda: c.lambda, oneSided: c.oneSided };
    case 'wgan':
      return { name: 'wgan', clip: c.clip };
    case 'gan':
      return { name: 'gan', variant: c.ganVariant };
    case 'lsgan':
      return { name: 'lsgan' };
  }
}

/**
 * The optimizer a config asks for; `clip` adds the weight-clipping projection (critic of wgan), or
 * `project` another projection applied after each step (e.g. weight decay).
 * @example const opt = makeOptimizer(config, critic.namedParameters(), 0.01);
 */
export function makeOptimizer(c: Values<typeof OPTIMIZER_FIELDS>, params: ParamList, clip?: number, project?: Projection): Optimizer {
  const proj = clip === undefined ? project : clipProjection(clip);
  const base = proj === undefined ? { lr: c.lr } : { lr: c.lr, project: proj };
  switch (c.optimizer) {
    case 'adam':
      return new Adam(params, { ...base, beta1: c.beta1, beta2: c.beta2 });
    case 'rmsprop':
      return new RMSProp(params, base);
    case 'sgd':
      return new SGD(params, base);
  }
}

/**
 * The reference optimiser of `loss` ({@link LOSS_DEFAULTS} over the optimiser fields' defaults), e.g.
 * for a figure's networks.
 * @example const opt = referenceOptimizer('wgan', critic.namedParameters(), 0.01); // RMSProp 5e-5, clipped
 */
export function referenceOptimizer(loss: LossName, params: ParamList, clip?: number): Optimizer {
  return makeOptimizer({ ...defaultsOf(OPTIMIZER_FIELDS), ...LOSS_DEFAULTS[loss] }, params, clip);
}

/**
 * The Trainer options every kind builds the same way from its config: the loss, both optimisers
 * (the critic's clipped under `wgan`: every weight kept in ±c after every critic step, as the
 * reference), the step counts, the seed and the learning-rate schedule.
 * @example new Trainer({ ...trainerSettings(config, G, D), data, noise, batchSize: config.batchSize });
 */
export function trainerSettings(
  c: CommonSettings,
  generator: Module,
  critic: Module,
): Pick<TrainerOptions, 'generator' | 'critic' | 'loss' | 'nCritic' | 'generatorOptimizer' | 'criticOptimizer' | 'seed'> & Partial<Pick<TrainerOptions, 'beforeIteration'>> {
  const optG = makeOptimizer(c, generator.namedParameters());
  const optD = makeOptimizer(c, critic.namedParameters(), c.loss === 'wgan' ? c.clip : undefined);
  const schedule = c.lrDecay === 'linear' ? linearDecay(c.lr, c.iters) : undefined;
  return {
    generator,
    critic,
    loss: lossSpec(c),
    nCritic: c.nCritic,
    generatorOptimizer: optG,
    criticOptimizer: optD,
    seed: c.seed,
    ...(schedule ? { beforeIteration: (it: number) => ((optG.lr = schedule(it)), (optD.lr = schedule(it))) } : {}),
  };
}

/**
 * The options of `wgan-gp sample` every kind takes: how many, the noise seed, the output file.
 * @example sample: { fields: sampleFields(1000, 'FILE: .csv, .json or .png; default CSV on stdout'), run: ... }
 */
export function sampleFields(num: number, outHelp: string, maxNum: number) {
  return {
    num: int(num, `number of samples (default ${num}, at most ${maxNum.toLocaleString('en-US')})`, { min: 1, max: maxNum }),
    seed: int(0, 'seed of the noise', { min: 0, max: MAX_SEED }),
    out: text(null, outHelp),
    force: bool(false, 'replace the --out file if it exists'),
  };
}
