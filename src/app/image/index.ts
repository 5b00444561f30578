/**
 * The image kind (gan_mnist.py, gan_cifar.py, gan_cifar_resnet.py, gan_64x64.py, made resumable):
 * MNIST, CIFAR-10 (DCGAN, ResNet, conditional AC-GAN) and the 64×64 architecture zoo, with the
 * dev-set critic cost, Inception Score and FID under a bundled or given ONNX classifier, sample
 * grids, an ONNX export of the generator, and the paper's figure 5(b).
 *
 * A run folder of this kind holds, besides the common entries (src/app/run-folder.ts):
 *
 * ```
 * DIR/config.json                 the resolved config (kind "image", preset, family, arch, settings)
 * DIR/metrics.jsonl               losses every logEvery iterations (AC-GAN: also criticAcgan and
 *                                 generatorAcgan); every evalEvery also the dev-set critic cost
 *                                 (devCriticLoss) and, with a classifier, inceptionScore,
 *                                 inceptionScoreStd and fid
 * DIR/ceiling.json                the classifier's scores of real held-out images at the same count
 * DIR/plots/samples-NNNNNNN.png   the generator on FIXED noise (one class per column if conditional)
 * DIR/plots/losses.png, dev.png, scores.png, fid.png   curves
 * ```
 *
 * This module stays cheap to import (the CLI imports every kind for `--help`): models, data,
 * classifiers and onnxruntime are imported inside the methods.
 */
import { sampleFields } from '../common.js';

/** Samples in one grid of `wgan-gp sample` (all decoded in memory: 4,096 64×64 images are ~200 MB). */
const MAX_GRID_SAMPLES = 4096;
import { culpritOf, type Experiment, type ResourceEstimate } from '../experiment.js';
import { bool, choice, defaultsOf, int, orNull, text } from '../settings.js';
import { ARCH_FIELDS, EVAL_SAMPLES, EXPORT_BATCH, IMAGE_FIELDS, IMAGE_LOSS_DEFAULTS, IMAGE_PRESETS, savedImageConfig, unknownImagePreset, validateImageConfig, type ImageConfig } from './config.js';
import type { ImageData } from './data.js';
import type { ImageModel } from './model.js';

export * from './config.js';

/** Where a run's images come from (tests give their own; default: loadImageData). */
export type ImageDataLoader = (c: ImageConfig, log: (line: string) => void) => ImageData | Promise<ImageData>;

/** Image side of each family's models. */
const IMAGE_SIDE: Readonly<Record<ImageConfig['family'], number>> = { mnist: 28, 'cifar10-dcgan': 32, 'cifar10-resnet': 32, 'cifar10-arch': 32, lsun64: 64 };

/**
 * Memory of an image run, an upper estimate: parameters of up to ~600·DIM² floats (the widest
 * models, ResNet stages of up to 8·DIM channels at low resolutions) with gradients, Adam moments and
 * updated copies, and ~24 floats per channel and pixel at full resolution for each of the real,
 * generated and interpolated images of a step (the critic's double backward pass). Measured peaks
 * are below it (cifar10-resnet at DIM 128: 2.4 GB against 5 GB estimated, docs/BENCHMARKS.md).
 */
function imageEstimate(c: ImageConfig): ResourceEstimate {
  const width = c.family === 'cifar10-arch' ? Math.max(c.gDim, c.dDim) : c.dim;
  const side = IMAGE_SIDE[c.family];
  const rows = 3 * Math.max(c.batchSize, c.generatorBatchSize);
  const params = 600 * width * width;
  return {
    bytes: 4 * (6 * params + 24 * rows * width * side * side),
    largestTensor: Math.max(rows * width * side * side, 64 * width * width * 9),
    culprit: c.family === 'cifar10-arch' ? culpritOf(c, { gDim: 64, dDim: 64, batchSize: 64, generatorBatchSize: 64 }) : culpritOf(c, { dim: 128, batchSize: 64, generatorBatchSize: 128 }),
  };
}

/**
 * The image kind, with its data from `loadData` (default: the config's data, src/app/image/data.ts).
 * @example await trainRun(imageExperimentWith({ loadData: () => myData }), config, 'runs/x', env);
 */
export function imageExperimentWith(parts: { loadData?: ImageDataLoader } = {}): Experiment<ImageConfig, ImageModel> {
  const loadData: ImageDataLoader = parts.loadData ?? (async (c, log) => (await import('./data.js')).loadImageData(c, log));
  return {
    kind: 'image',
    summary: 'image GANs (gan_mnist.py, gan_cifar.py, gan_cifar_resnet.py, gan_64x64.py): MNIST, CIFAR-10, 64×64 folders; IS/FID under an ONNX classifier',
    fields: IMAGE_FIELDS,
    lossDefaults: IMAGE_LOSS_DEFAULTS,
    presets: IMAGE_PRESETS,
    unknownPreset: unknownImagePreset,
    validate: validateImageConfig,
    toSaved: savedImageConfig,
    files: ['ceiling.json'],
    // Runs saved before criticShards existed trained unsharded; before cifar10-arch, no run had its settings.
    savedCompat: { criticShards: 1, strictData: false, ...defaultsOf(ARCH_FIELDS) },
    runName: (c) => c.preset,
    estimate: imageEstimate,
    build: async (c, env, purpose) => {
      const data = await loadData(c, env.say); // a bad --data fails here, before the run folder is made
      env.say(`data: ${data.description}`);
      // Sampling and evaluating train nothing: no critic shards (worker threads) for them.
      return (await import('./model.js')).buildImageModel(purpose === 'train' ? c : { ...c, criticShards: 1 }, data);
    },
    hooks: async (model, dir, env) => (await import('./model.js')).imageHooks(model, dir, env.say),
    sample: {
      fields: sampleFields(64, '.png grid file (required for image runs)', MAX_GRID_SAMPLES),
      run: async (run, opts, env) => (await import('./commands.js')).sampleImages(run, opts as never, env),
    },
    evaluate: {
      fields: {
        samples: orNull(int(EVAL_SAMPLES, 'generator samples', { min: 1, max: 1_000_000 }), `generator samples (default ${EVAL_SAMPLES}; FID wants ≥ 10k)`),
        splits: int(10, 'Inception Score splits', { min: 1, max: 1000 }),
        classifier: text(null, "ONNX classifier file, or 'mnist' / 'cifar10' for the bundled ones (default: the run's, else the bundled classifier of its data)"),
        modelRange: text(null, "pixel range the classifier wants, 'lo,hi' (default -1,1)"),
        inputSize: orNull(int(299, "the classifier's input side", { min: 1, max: 4096 }), "the classifier's input side (default: from the model)"),
        layout: orNull(choice(['NCHW', 'NHWC'], 'NCHW', "the classifier's input layout"), "the classifier's input layout (default: from the model)"),
        scoresOutput: text(null, "the classifier's logits/probabilities output"),
        featuresOutput: text(null, "the classifier's feature output for FID"),
      },
      run: async (run, opts, env) => (await import('./commands.js')).evaluateImages(run, opts as never, env),
    },
    export: {
      fields: {
        out: text(null, 'output file (default DIR/generator.onnx)'),
        batch: orNull(int(EXPORT_BATCH, 'batch size of the exported generator', { min: 1, max: 65_536 }), 'fix the batch axis of the exported generator to N (default: dynamic, any batch)'),
        force: bool(false, 'replace the --out file if it exists'),
        onnx: bool(false, 'ONNX format (the default and only format)'),
      },
      run: async (run, opts, env) => (await import('./commands.js')).exportImageGenerator(run, opts as never, env),
    },
    figures: {
      fig5b: {
        description: 'critic loss on training vs validation digits: a WGAN-GP critic overfitting a 1,000-digit MNIST subset (--iters: generator iterations, default 500; --hidden: DIM, default 16)',
        run: async ({ hidden, ...o }) => (await import('./fig5b.js')).runFig5b({ ...o, ...(hidden !== undefined ? { dim: hidden } : {}) }),
      },
    },
  };
}

/** The image kind. */
export const imageExperiment: Experiment<ImageConfig, ImageModel> = imageExperimentWith();
