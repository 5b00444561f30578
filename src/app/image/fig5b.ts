/**
 * Figure 5(b) of the paper: a WGAN-GP critic overfits a small training set. The gan_mnist.py setup
 * (Adam 1e-4, β 0.5/0.9, λ 10, 5 critic steps, batch 50) is trained on the first 1,000 digits of the
 * MNIST training split; every `evalEvery` generator iterations the critic loss is measured on those
 * 1,000 training digits and on 1,000 held-out digits (the dev split), against the same fakes and the
 * same ε. The paper's observation: the two curves separate as training goes on (the critic scores
 * its training images higher than unseen real images), so the critic loss on held-out data is a
 * diagnostic of overfitting that GAN losses usually lack. A control set, the next 1,000 digits of
 * the training split (never trained on), shows how far two unseen sets differ by chance alone.
 *
 * Writes OUT/fig5b.png (left: negative critic loss on training and validation digits over
 * generator iterations, as the paper plots it; right: the training set's lead over the validation
 * and the control sets) and OUT/fig5b.json (the numbers).
 */
import { BatchSampler, samplerDataSource } from '../../data/batches.js';
import { loadMnist } from '../../data/mnist.js';
import { createMnist, NOISE_DIM } from '../../gan/models/mnist.js';
import { seedStreams, Trainer } from '../../gan/trainer.js';
import { writeFileAtomic, writeJsonAtomic } from '../../io/atomic-file.js';
import { linePlot } from '../../viz/line-plot.js';
import { trainerSettings } from '../common.js';
import { resolveRunConfig } from '../experiment.js';
import { prepareFigureFolder, tilePngs } from '../figures.js';
import { criticCost } from './eval.js';
import { imageExperiment } from './index.js';

/** Options of {@link runFig5b}. */
export interface Fig5bOptions {
  out: string;
  /** Generator iterations (default {@link FIG5B_DEFAULTS}.iters). */
  iters?: number;
  /** Model width DIM (default {@link FIG5B_DEFAULTS}.dim; the reference's 64 is ~4× slower). */
  dim?: number;
  /** Measure both losses every N iterations (default iters/20: 25). */
  evalEvery?: number;
  /** Training digits (default 1000, the paper's subset). */
  trainSize?: number;
  seed?: number;
  force?: boolean;
  log?: (line: string) => void;
}

/** The default budget: a few minutes on 2 CPU cores. */
export const FIG5B_DEFAULTS = { iters: 500, dim: 16, trainSize: 1000, validationSize: 1000, batchSize: 50 } as const;

/** One measurement of the figure. */
export interface Fig5bPoint {
  iteration: number;
  /** Critic loss on the training digits (penalty included, as the training loss). */
  train: number;
  /** The same on held-out digits. */
  validation: number;
  /** The same on other unseen digits of the training split (chance level of the gap). */
  control: number;
}

/**
 * Runs the experiment and writes fig5b.png and fig5b.json into `opts.out`; returns their paths.
 * @example await runFig5b({ out: 'figures' });
 */
export async function runFig5b(opts: Fig5bOptions): Promise<string[]> {
  const iters = opts.iters ?? FIG5B_DEFAULTS.iters;
  const dim = opts.dim ?? FIG5B_DEFAULTS.dim;
  const trainSize = opts.trainSize ?? FIG5B_DEFAULTS.trainSize;
  const seed = opts.seed ?? 1;
  const evalEvery = opts.evalEvery ?? Math.max(1, Math.round(iters / 20));
  const B = FIG5B_DEFAULTS.batchSize;
  for (const [k, v, min] of [['iters', iters, 1], ['dim', dim, 1], ['evalEvery', evalEvery, 1], ['trainSize', trainSize, B]] as const) {
    if (!Number.isInteger(v) || v < min) throw new Error(`fig5b: ${k} must be an integer >= ${min}, got ${v}`);
  }
  const log = opts.log ?? (() => undefined);
  const files = await prepareFigureFolder(opts.out, ['fig5b.png', 'fig5b.json'], opts.force ?? false);

  const mnist = loadMnist();
  const maxTrain = mnist.train.length - FIG5B_DEFAULTS.validationSize;
  if (trainSize > maxTrain) throw new Error(`fig5b: trainSize must be at most ${maxTrain}, got ${trainSize}`);
  const train = mnist.train.subset(0, trainSize, `MNIST train[0:${trainSize}]`);
  const validation = mnist.dev.subset(0, FIG5B_DEFAULTS.validationSize, `MNIST dev[0:${FIG5B_DEFAULTS.validationSize}]`);
  const control = mnist.train.subset(trainSize, trainSize + FIG5B_DEFAULTS.validationSize, 'MNIST train, unseen');
  // The mnist preset (gan_mnist.py wgan-gp: Adam(1e-4, β1 0.5, β2 0.9) for both networks, λ 10, 5 critic steps, batch 50).
  const c = resolveRunConfig(imageExperiment, { preset: 'mnist', flags: { dim, seed, batchSize: B } });
  const streams = seedStreams(seed);
  const { generator, critic } = createMnist({ dim, rng: streams.generatorInit });
  const trainer = new Trainer({
    ...trainerSettings(c, generator, critic),
    data: samplerDataSource(new BatchSampler(train, { batchSize: B, seed: streams.data.int(2 ** 31) })),
    noise: (n, rng) => rng.normal([n, NOISE_DIM]),
    batchSize: B,
  });
  const all = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);
  const trainIdx = all(train.length);
  const valIdx = all(validation.length);
  const points: Fig5bPoint[] = [];
  const measure = async (): Promise<void> => {
    // Both sets against the same fakes and ε (same seed): only the real images differ.
    const evalSeed = seed + 7919 * (points.length + 1);
    const p = {
      iteration: trainer.iteration,
      train: await criticCost(trainer, train, trainIdx, B, evalSeed),
      validation: await criticCost(trainer, validation, valIdx, B, evalSeed),
      control: await criticCost(trainer, control, valIdx, B, evalSeed),
    };
    points.push(p);
    log(`fig5b: iteration ${p.iteration}: critic loss train ${p.train.toFixed(3)}, validation ${p.validation.toFixed(3)}, control ${p.control.toFixed(3)}`);
  };
  const t0 = performance.now();
  while (trainer.iteration < iters) {
    await trainer.iterate();
    if (trainer.iteration % evalEvery === 0 || trainer.iteration === iters) await measure();
  }
  const seconds = (performance.now() - t0) / 1000;
  const x = points.map((p) => p.iteration);
  const curves = linePlot({
    series: [
      { name: `training set (${trainSize} digits)`, x, y: points.map((p) => -p.train) },
      { name: `validation set (${validation.length} digits)`, x, y: points.map((p) => -p.validation) },
      { name: `control set (${control.length} unseen training-split digits)`, x, y: points.map((p) => -p.control) },
    ],
    title: `negative critic loss, ${trainSize}-digit MNIST`,
    xLabel: 'generator iteration',
    yLabel: '-(critic loss)',
  });
  const gap = linePlot({
    series: [
      { name: 'training set minus validation set', x, y: points.map((p) => p.validation - p.train) },
      { name: 'training set minus control set', x, y: points.map((p) => p.control - p.train) },
      { name: 'control set minus validation set (chance)', x, y: points.map((p) => p.validation - p.control) },
    ],
    title: 'differences between the sets',
    xLabel: 'generator iteration',
    yLabel: 'difference of -(critic loss)',
  });
  const png = tilePngs([curves, gap], 2);
  await writeFileAtomic(files[0]!, png);
  const json = { figure: 'fig5b', trainSize, validationSize: validation.length, controlSize: control.length, dim, iters, evalEvery, seed, batchSize: B, lambda: c.lambda, nCritic: c.nCritic, seconds: Math.round(seconds), points };
  await writeJsonAtomic(files[1]!, json);
  return files;
}
