/**
 * The configuration of a toy GAN run (gan_toy.py's experiments): every hyperparameter, the presets,
 * the per-loss reference defaults, and one validation function that names the offending field.
 *
 * Resolution order (later wins): built-in defaults ← the loss's reference defaults ← preset (and its
 * settings for that loss) ← JSON config file ← command-line flags. The loss's defaults apply whenever the loss is chosen,
 * so `--preset toy-8gaussians --loss wgan` gets RMSProp(5e-5) and clipping at 0.01 as in the reference.
 */
import { TOY_DATASETS, type ToyDatasetName } from '../data/toy.js';
import { LOSSES, type LossName } from './losses.js';

export type OptimizerName = 'adam' | 'rmsprop' | 'sgd';
export const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'rmsprop', 'sgd'];
export type GanVariant = 'non-saturating' | 'minimax';
export const GAN_VARIANTS: readonly GanVariant[] = ['non-saturating', 'minimax'];
export type LrDecay = 'none' | 'linear';
export const LR_DECAYS: readonly LrDecay[] = ['none', 'linear'];
export type DeviceName = 'cpu' | 'webgpu';
export const DEVICES: readonly DeviceName[] = ['cpu', 'webgpu'];

/** Every setting of a toy run. Saved as `config.json` in the run folder. */
export interface ToyConfig {
  /** The preset the run started from (informational). */
  preset: string | null;
  dataset: ToyDatasetName;
  loss: LossName;
  /** Gradient-penalty weight λ (wgan-gp). gan_toy.py uses 0.1; the paper's image experiments 10. */
  lambda: number;
  /** One-sided penalty E[max(0, ‖∇‖ − 1)²] instead of the two-sided (‖∇‖ − 1)² (wgan-gp). */
  oneSided: boolean;
  /** Weight-clipping box ±c applied after every critic step (wgan). */
  clip: number;
  /** Generator loss of the standard GAN (gan). */
  ganVariant: GanVariant;
  /** Critic steps per generator step. */
  nCritic: number;
  batchSize: number;
  /** Generator iterations. */
  iters: number;
  optimizer: OptimizerName;
  lr: number;
  beta1: number;
  beta2: number;
  /** 'linear': learning rate decays linearly to 0 over `iters` (gan_cifar_resnet.py). */
  lrDecay: LrDecay;
  /** Width of the hidden layers of both MLPs (reference: 512). */
  hidden: number;
  /** Number of hidden ReLU layers of both MLPs (reference: 3). */
  layers: number;
  /** Dimension of the generator's Gaussian noise (reference: 2). */
  noiseDim: number;
  seed: number;
  /** Append a line to metrics.jsonl every N iterations. */
  logEvery: number;
  /** Compute the toy metrics every N iterations (on `evalSamples` generator samples); 0 = never. */
  evalEvery: number;
  evalSamples: number;
  /** Write the critic contour and loss-curve PNGs every N iterations; 0 = only at the end. */
  plotEvery: number;
  /** Write a checkpoint every N iterations (and always at the end and on Ctrl-C). */
  checkpointEvery: number;
  /** Intra-op threads of onnxruntime. */
  threads: number;
  device: DeviceName;
}

/** Defaults before any loss, preset, file or flag. */
export const BASE_CONFIG: ToyConfig = {
  preset: null,
  dataset: '8gaussians',
  loss: 'wgan-gp',
  lambda: 0.1,
  oneSided: false,
  clip: 0.01,
  ganVariant: 'non-saturating',
  nCritic: 5,
  batchSize: 256,
  iters: 1000,
  optimizer: 'adam',
  lr: 1e-4,
  beta1: 0.5,
  beta2: 0.9,
  lrDecay: 'none',
  hidden: 512,
  layers: 3,
  noiseDim: 2,
  seed: 1,
  logEvery: 100,
  evalEvery: 100,
  evalSamples: 2500,
  plotEvery: 250,
  checkpointEvery: 250,
  threads: 2,
  device: 'cpu',
};

/**
 * The reference hyperparameters of each loss for the toy experiments (gan_toy.py; gan/lsgan from the
 * reference's `dcgan` and `lsgan` modes of gan_mnist.py / gan_64x64.py).
 */
export const LOSS_DEFAULTS: Readonly<Record<LossName, Partial<ToyConfig>>> = {
  // gan_toy.py: Adam(1e-4, beta1 0.5, beta2 0.9), LAMBDA = .1, CRITIC_ITERS = 5.
  'wgan-gp': { optimizer: 'adam', lr: 1e-4, beta1: 0.5, beta2: 0.9, nCritic: 5, lambda: 0.1 },
  // gan_toy.py MODE 'wgan': RMSProp(5e-5), clip ±0.01 after every critic step, 5 critic steps.
  wgan: { optimizer: 'rmsprop', lr: 5e-5, nCritic: 5, clip: 0.01 },
  // 'dcgan' mode: Adam(2e-4, beta1 0.5) (TF's default beta2 0.999), one discriminator step.
  gan: { optimizer: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.999, nCritic: 1 },
  // gan_64x64.py 'lsgan': RMSProp(1e-4), one discriminator step.
  lsgan: { optimizer: 'rmsprop', lr: 1e-4, nCritic: 1 },
};

/** A named starting point for `wgan-gp train --preset NAME`. */
export interface Preset {
  readonly description: string;
  readonly config: Partial<ToyConfig>;
  /** Settings that apply only with a given loss (on top of that loss's reference defaults). */
  readonly byLoss?: Partial<Record<LossName, Partial<ToyConfig>>>;
}

/**
 * The toy presets' one departure from gan_toy.py: the reference trains 100k iterations at Adam 1e-4;
 * to capture all modes in ~1000 iterations (a few minutes on 2 cores) the presets use 1e-3 decayed
 * linearly to 0 over the run (`--lr 1e-4 --lr-decay none` restores the reference).
 */
const FAST_WGAN_GP: Partial<ToyConfig> = { lr: 1e-3, lrDecay: 'linear' };

/**
 * The toy presets: gan_toy.py's WGAN-GP setup on each dataset. Default lengths are chosen so that
 * `wgan-gp train --preset toy-8gaussians` finishes in a few minutes on 2 cores and captures all
 * 8 modes (the reference runs 100k iterations).
 */
export const PRESETS: Readonly<Record<string, Preset>> = {
  'toy-8gaussians': {
    description: '8 Gaussians, WGAN-GP (gan_toy.py: 512-wide 3-layer ReLU MLPs, Adam β 0.5/0.9, λ = 0.1, 5 critic steps, batch 256; lr 1e-3 decayed linearly)',
    config: { dataset: '8gaussians', loss: 'wgan-gp', iters: 1000 },
    byLoss: { 'wgan-gp': FAST_WGAN_GP },
  },
  'toy-25gaussians': {
    description: '25 Gaussians, WGAN-GP (same networks and optimiser as toy-8gaussians)',
    config: { dataset: '25gaussians', loss: 'wgan-gp', iters: 1000 },
    byLoss: { 'wgan-gp': FAST_WGAN_GP },
  },
  'toy-swissroll': {
    description: 'Swiss roll, WGAN-GP (same networks and optimiser as toy-8gaussians)',
    config: { dataset: 'swissroll', loss: 'wgan-gp', iters: 1000 },
    byLoss: { 'wgan-gp': FAST_WGAN_GP },
  },
};

/** Error in user input (bad flag value, preset, config file): the CLI prints the message and exits 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Kind = 'int' | 'number' | 'boolean' | { enum: readonly string[] } | 'dataset';

/** The schema of every field: its kind and, for numbers, the allowed range. Used by validation and the CLI. */
export const FIELDS: Readonly<Record<keyof ToyConfig, { kind: Kind | 'preset'; min?: number; max?: number; exclusiveMin?: boolean; help: string }>> = {
  preset: { kind: 'preset', help: 'preset the run started from' },
  dataset: { kind: { enum: TOY_DATASETS }, help: `toy dataset: ${TOY_DATASETS.join(', ')}` },
  loss: { kind: { enum: LOSSES }, help: `objective: ${LOSSES.join(', ')} (each brings its reference optimiser defaults)` },
  lambda: { kind: 'number', min: 0, help: 'gradient-penalty weight λ (wgan-gp; gan_toy.py: 0.1)' },
  oneSided: { kind: 'boolean', help: 'one-sided penalty E[max(0, ‖∇‖−1)²] (wgan-gp)' },
  clip: { kind: 'number', min: 0, exclusiveMin: true, help: 'weight-clipping value c, weights kept in [−c, c] (wgan)' },
  ganVariant: { kind: { enum: GAN_VARIANTS }, help: 'generator loss of the standard GAN (gan)' },
  nCritic: { kind: 'int', min: 1, help: 'critic steps per generator step' },
  batchSize: { kind: 'int', min: 1, help: 'batch size of real and generated samples' },
  iters: { kind: 'int', min: 1, help: 'generator iterations' },
  optimizer: { kind: { enum: OPTIMIZERS }, help: `optimiser of both networks: ${OPTIMIZERS.join(', ')}` },
  lr: { kind: 'number', min: 0, exclusiveMin: true, help: 'learning rate' },
  beta1: { kind: 'number', min: 0, max: 1, help: 'Adam β1' },
  beta2: { kind: 'number', min: 0, max: 1, help: 'Adam β2' },
  lrDecay: { kind: { enum: LR_DECAYS }, help: 'learning-rate schedule: none, or linear decay to 0 over iters' },
  hidden: { kind: 'int', min: 1, help: 'hidden width of generator and critic MLPs' },
  layers: { kind: 'int', min: 1, help: 'hidden ReLU layers of generator and critic MLPs' },
  noiseDim: { kind: 'int', min: 1, help: 'dimension of the generator noise z' },
  seed: { kind: 'int', min: 0, help: 'random seed (weights, data, noise, ε)' },
  logEvery: { kind: 'int', min: 1, help: 'write a metrics.jsonl line every N iterations' },
  evalEvery: { kind: 'int', min: 0, help: 'compute toy metrics every N iterations (0: never)' },
  evalSamples: { kind: 'int', min: 1, help: 'generator samples for the toy metrics' },
  plotEvery: { kind: 'int', min: 0, help: 'write plots every N iterations (0: only at the end)' },
  checkpointEvery: { kind: 'int', min: 1, help: 'write a checkpoint every N iterations' },
  threads: { kind: 'int', min: 1, help: 'onnxruntime intra-op threads' },
  device: { kind: { enum: DEVICES }, help: 'onnxruntime device: cpu or webgpu' },
};

/** The settings that change the numbers a run produces (everything but logging cadence and runtime). */
export const CONFIG_KEYS = Object.keys(FIELDS) as (keyof ToyConfig)[];

/**
 * Checks and normalizes a partial config (from a file or flags): unknown keys, wrong types and out-of-range
 * values throw a {@link ConfigError} that names the field and the `source`.
 * @example checkPartialConfig({ lambda: -1 }, 'flags') // throws: lambda must be >= 0
 */
export function checkPartialConfig(raw: unknown, source: string): Partial<ToyConfig> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${source}: expected a JSON object of settings, got ${JSON.stringify(raw)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const f = FIELDS[k as keyof ToyConfig];
    if (!f) {
      throw new ConfigError(`${source}: unknown setting '${k}'; known settings: ${CONFIG_KEYS.join(', ')}`);
    }
    out[k] = checkValue(k, f, v, source);
  }
  return out as Partial<ToyConfig>;
}

function checkValue(k: string, f: (typeof FIELDS)[keyof ToyConfig], v: unknown, source: string): unknown {
  const bad = (what: string): never => {
    throw new ConfigError(`${source}: ${k} ${what}, got ${JSON.stringify(v)}`);
  };
  const kind = f.kind;
  if (kind === 'preset') {
    if (v !== null && (typeof v !== 'string' || !(v in PRESETS))) bad(`must be one of ${Object.keys(PRESETS).join(', ')}`);
    return v;
  }
  if (kind === 'boolean') {
    if (typeof v !== 'boolean') bad('must be true or false');
    return v;
  }
  if (typeof kind === 'object') {
    if (typeof v !== 'string' || !kind.enum.includes(v)) bad(`must be one of ${kind.enum.join(', ')}`);
    return v;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) bad('must be a finite number');
  const n = v as number;
  if (kind === 'int' && !Number.isInteger(n)) bad('must be an integer');
  if (f.min !== undefined && (f.exclusiveMin ? !(n > f.min) : !(n >= f.min))) bad(`must be ${f.exclusiveMin ? '>' : '>='} ${f.min}`);
  if (f.max !== undefined && !(n <= f.max)) bad(`must be <= ${f.max}`);
  return n;
}

/**
 * Resolves the full config: base ← loss defaults ← preset ← file ← flags. The loss is the last one
 * given among flags, file and preset, and its reference defaults sit below the preset, file and flags.
 * @example resolveConfig({ preset: 'toy-8gaussians', flags: { iters: 200 } })
 */
export function resolveConfig(opts: { preset?: string | undefined; file?: Partial<ToyConfig> | undefined; flags?: Partial<ToyConfig> | undefined }): ToyConfig {
  let preset: Preset | undefined;
  const presetName = opts.preset ?? (opts.file?.preset ?? undefined);
  if (presetName !== undefined && presetName !== null) {
    preset = PRESETS[presetName];
    if (!preset) {
      throw new ConfigError(`unknown preset '${presetName}'; available presets: ${Object.keys(PRESETS).join(', ')}`);
    }
  }
  const file = opts.file ?? {};
  const flags = opts.flags ?? {};
  const loss = flags.loss ?? file.loss ?? preset?.config.loss ?? BASE_CONFIG.loss;
  const merged: ToyConfig = {
    ...BASE_CONFIG,
    ...LOSS_DEFAULTS[loss],
    ...(preset?.config ?? {}),
    ...(preset?.byLoss?.[loss] ?? {}),
    ...file,
    ...flags,
    loss,
    preset: presetName ?? null,
  };
  // The final object must pass the same checks (a preset or default could be wrong too).
  return checkPartialConfig(merged, 'config') as ToyConfig;
}
