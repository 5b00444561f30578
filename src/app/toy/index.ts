/**
 * The toy kind (gan_toy.py's experiments): 8 Gaussians, 25 Gaussians and the Swiss roll, 2-D points
 * from an MLP generator against an MLP critic, with mode coverage, energy distance and exact W1, the
 * critic's value surface, and the paper's figure 1.
 *
 * Config resolution (later wins): defaults ← the loss's reference settings ← preset (and its settings
 * for that loss) ← config file ← flags; `--preset toy-8gaussians --loss wgan` gets RMSProp(5e-5) and
 * clipping at 0.01 as in the reference. Without a preset, gan_toy.py's settings exactly.
 */
import { TOY_DATASETS } from '../../data/toy.js';
import { fusesIteration } from '../../gan/models/toy.js';
import { COMMON_FIELDS, LOSS_DEFAULTS, sampleFields, type Preset } from '../common.js';
import type { Experiment, ResourceEstimate, RunIdentity } from '../experiment.js';
import { choice, int, orNull, withDefault, type Values } from '../settings.js';
import type { ToyModel } from './model.js';

/** Every setting of a toy run: the common ones and the data, networks and evaluation of gan_toy.py. */
export const TOY_FIELDS = {
  dataset: choice(TOY_DATASETS, '8gaussians', `toy dataset: ${TOY_DATASETS.join(', ')}`),
  ...COMMON_FIELDS,
  lambda: withDefault(COMMON_FIELDS.lambda, 0.1, 'gradient-penalty weight λ (wgan-gp; gan_toy.py: 0.1)'),
  batchSize: int(256, 'batch size of real and generated samples', { min: 1, max: 1_000_000 }),
  hidden: int(512, 'hidden width of generator and critic MLPs', { min: 1, max: 65_536 }),
  layers: int(3, 'hidden ReLU layers of generator and critic MLPs', { min: 1, max: 256 }),
  noiseDim: int(2, 'dimension of the generator noise z', { min: 1, max: 65_536 }),
  evalEvery: withDefault(COMMON_FIELDS.evalEvery, 100, 'compute toy metrics every N iterations (0: never)'),
  evalSamples: int(2500, 'generator samples for the toy metrics', { min: 1, max: 1_000_000 }),
};

/** Every setting of a toy run. Saved as `config.json` in the run folder. */
export type ToyConfig = RunIdentity & Values<typeof TOY_FIELDS>;

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
export const TOY_PRESETS: Readonly<Record<string, Preset<ToyConfig>>> = {
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

/**
 * Memory of a toy run, an upper estimate: the parameters of both MLPs with gradients, Adam moments
 * and the updated copies (~6 floats each), and the activations of the critic's double backward pass
 * (~16 floats per hidden unit and sample) over the batch and the evaluation samples.
 */
function toyEstimate(c: ToyConfig): ResourceEstimate {
  const h = c.hidden;
  const params = 2 * (Math.max(c.noiseDim, 2) * h + (c.layers - 1) * h * h + 3 * h);
  const rows = Math.max(c.batchSize * 2, c.evalSamples);
  const acts = 16 * rows * h * c.layers;
  const culprit = 6 * params >= acts ? (h * h >= Math.max(c.noiseDim, 2) * h ? 'hidden' : 'noiseDim') : c.evalSamples > c.batchSize * 2 ? 'evalSamples' : 'batchSize';
  return { bytes: 4 * (6 * params + acts), largestTensor: Math.max(h * h, rows * h, c.noiseDim * h), culprit };
}

/** The toy kind. */
export const toyExperiment: Experiment<ToyConfig, ToyModel> = {
  kind: 'toy',
  summary: "2-D toy distributions (gan_toy.py): 8 Gaussians, 25 Gaussians, Swiss roll; without a preset, gan_toy.py's settings exactly",
  fields: TOY_FIELDS,
  lossDefaults: LOSS_DEFAULTS,
  presets: TOY_PRESETS,
  presetOptional: true,
  runName: (c) => c.preset ?? `toy-${c.dataset}`,
  estimate: toyEstimate,
  // One session run per iteration (fused): spinning threads wait less between its kernels.
  backendHints: (c) => ({ spinning: fusesIteration(c.layers) }),
  build: async (c) => (await import('./model.js')).buildToyModel(c),
  hooks: async (model, dir) => (await import('./model.js')).toyHooks(model, dir),
  sample: {
    fields: sampleFields(1000, 'write to FILE: .csv (x,y rows), .json, or .png (samples over the critic surface); default: CSV on stdout', 100_000_000),
    run: async (run, opts, env) => (await import('./commands.js')).sampleToy(run, opts as never, env),
  },
  evaluate: {
    fields: { samples: orNull(int(1, 'generator samples', { min: 1, max: 1_000_000 }), "generator samples (default: the run's evalSamples)") },
    run: async (run, opts, env) => (await import('./commands.js')).evaluateToy(run, opts as never, env),
  },
  figures: {
    fig1a: {
      description: 'critic value surfaces on the three toy sets, weight clipping vs gradient penalty (--iters: critic steps per panel, default 1000)',
      run: async (o) => (await import('./figures.js')).runFigure('fig1a', o),
    },
    fig1b: {
      description: 'gradient norms per layer and weight histograms of a 12-layer critic, clipping vs penalty (--iters: generator iterations per setting, default 100)',
      run: async (o) => (await import('./figures.js')).runFigure('fig1b', o),
    },
  },
};
