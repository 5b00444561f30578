/**
 * The model of an image run: the networks of each reference script, the Trainer built from a config
 * and its data, and what the run loop calls (src/app/run-folder.ts RunHooks): the dev-set critic
 * cost, IS/FID with the real-data ceiling, sample grids of the fixed noise, curves and the report.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { criticShardBackends } from '../../backends/onnx/worker-backend.js';
import { BatchSampler, samplerDataSource } from '../../data/batches.js';
import { seedStreams, Trainer } from '../../gan/trainer.js';
import { createCifarDcgan } from '../../gan/models/cifar-dcgan.js';
import { createCifarResnet } from '../../gan/models/cifar-resnet.js';
import { createArch32 } from '../../gan/models/arch32.js';
import { createLsun64 } from '../../gan/models/lsun64.js';
import { createMnist, NOISE_DIM } from '../../gan/models/mnist.js';
import { writeFileAtomic, writeJsonAtomic } from '../../io/atomic-file.js';
import type { Module } from '../../nn/module.js';
import { Rng } from '../../tensor/random.js';
import type { Backend } from '../../tensor/tensor.js';
import { imageGrid } from '../../viz/image-grid.js';
import { readMetricsJsonl, writeReport } from '../../viz/report.js';
import { makeOptimizer, trainerSettings } from '../common.js';
import type { RunModel } from '../experiment.js';
import { type CurveFigure, LOSS_SMOOTHING, lossFigure, METRIC_GUIDE, type PanelSpec, reportImages, writeCurveFigures } from '../report.js';
import type { MetricsLine, RunHooks } from '../run-folder.js';
import { mul } from '../../ops/mul.js';
import type { Optimizer } from '../../optim/optimizer.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ConfigError, defaultsOf } from '../settings.js';
import { ARCH_FIELDS, type ImageConfig } from './config.js';
import { imageRange, type ImageData } from './data.js';
import { criticCost, evalIndices, generatorBatches, openJudge, realCeiling, scoreImages, type ImageScores, type Judge } from './eval.js';

/** Everything an image run is made of. */
export interface ImageModel extends RunModel {
  config: ImageConfig;
  data: ImageData;
  generator: Module;
  critic: Module;
  trainer: Trainer;
  /** Classes of a conditional generator (its label input), else 0. */
  numClasses: number;
  /** The critic shards' backends (`config.criticShards` > 1; worker threads besides the first), else empty. */
  shardBackends: Backend[];
  /** Disposes the critic shards' backends. */
  close(): Promise<void>;
}

/**
 * The generator and critic of a config's family (critic normalization as the reference decides it
 * for the loss), initialised from `rng`.
 * @example const { generator, critic } = createImageNetworks(resolveRunConfig(imageExperiment, { preset: 'mnist' }), new Rng(1));
 */
export function createImageNetworks(
  c: Pick<ImageConfig, 'family' | 'arch' | 'dim' | 'loss' | 'conditional' | 'acgan'> & Partial<Pick<ImageConfig, keyof typeof ARCH_FIELDS>>,
  rng: Rng,
  numClasses = 10,
): { generator: Module; critic: Module } {
  switch (c.family) {
    case 'mnist':
      return createMnist({ dim: c.dim, loss: c.loss, rng });
    case 'cifar10-dcgan':
      return createCifarDcgan({ dim: c.dim, loss: c.loss, rng });
    case 'cifar10-resnet':
      return createCifarResnet({ dim: c.dim, conditional: c.conditional, acgan: c.acgan, numClasses, rng });
    case 'lsun64':
      return createLsun64({ arch: c.arch ?? 'resnet', dim: c.dim, loss: c.loss, rng });
    case 'cifar10-arch': {
      const a = { ...defaultsOf(ARCH_FIELDS), ...c };
      return createArch32({
        generator: { nonlinearity: a.gNonlinearity, depth: a.gDepth, norm: a.gNorm, dim: a.gDim },
        critic: { nonlinearity: a.dNonlinearity, depth: a.dDepth, norm: a.dNorm, dim: a.dDim },
        loss: c.loss,
        rng,
      });
    }
  }
}

/**
 * The critic's optimizer of a config with decoupled weight decay: after each step w ← w·(1 − lr·decay)
 * (§5.1 decays normalized critics by 1e-3; the paper does not say how, this is AdamW's form).
 * @example const optD = decayedCriticOptimizer(config, critic, 1e-3);
 */
export function decayedCriticOptimizer(c: ImageConfig, critic: Module, decay: number): Optimizer {
  let opt: Optimizer | undefined;
  // The factor is read at each step, so a learning-rate schedule scales the decay too.
  const project = (p: Tensor): Tensor => mul(p, 1 - opt!.lr * decay);
  opt = makeOptimizer(c, critic.namedParameters(), undefined, project);
  return opt;
}

/** Size of the fixed-noise batch: 128 as gan_mnist.py / gan_cifar.py, 64 (BATCH_SIZE) for gan_64x64.py, 10 per class if conditional. */
export function fixedNoiseSize(c: ImageConfig, numClasses: number): number {
  if (c.conditional) return 10 * numClasses;
  return c.family === 'lsun64' ? 64 : 128;
}

/**
 * Columns of the sample grid: one per class for a conditional model, else tflib's save_images rule
 * (rows = the largest divisor of n not above √n: 128 samples → 8 rows of 16).
 */
export function gridColumns(c: Pick<ImageConfig, 'conditional'>, n: number, numClasses: number): number {
  if (c.conditional) return numClasses;
  let rows = Math.max(1, Math.floor(Math.sqrt(n)));
  while (n % rows !== 0) rows--;
  return n / rows;
}

/**
 * Builds the networks, optimizers and trainer of a config over its data (fresh weights from the seed);
 * `close()` ends the critic shards' worker threads.
 * @example const model = buildImageModel(config, loadImageData(config));
 */
export function buildImageModel(config: ImageConfig, data: ImageData): ImageModel {
  if (config.conditional && data.numClasses < 2) {
    throw new ConfigError(`preset '${config.preset}' is class-conditional, but the data (${data.description}) has no class labels; use a folder with one subfolder per class`);
  }
  const numClasses = config.conditional ? data.numClasses : 0;
  const streams = seedStreams(config.seed);
  const { generator, critic } = createImageNetworks(config, streams.generatorInit, data.numClasses || 10);
  const sampler = new BatchSampler(data.train, { batchSize: config.batchSize, seed: streams.data.int(2 ** 31) });
  const n = config.criticShards;
  const shardBackends = n > 1 ? criticShardBackends(n, { threads: Math.max(1, Math.floor(config.threads / n)) }) : [];
  const settings = trainerSettings(config, generator, critic);
  if (config.family === 'cifar10-arch' && config.dNorm && config.normDecay > 0) {
    const optD = decayedCriticOptimizer(config, critic, config.normDecay);
    const schedule = settings.beforeIteration;
    settings.criticOptimizer = optD;
    if (schedule) settings.beforeIteration = (it) => (schedule(it), (optD.lr = settings.generatorOptimizer.lr));
  }
  const trainer = new Trainer({
    ...settings,
    data: samplerDataSource(sampler),
    noise: (n, rng) => rng.normal([n, NOISE_DIM]),
    batchSize: config.batchSize,
    generatorBatchSize: config.generatorBatchSize,
    fixedNoiseSize: fixedNoiseSize(config, numClasses),
    ...(config.conditional
      ? { conditional: { numClasses, ...(config.acgan ? { acgan: { criticScale: config.acganScale, generatorScale: config.acganScaleG } } : {}) } }
      : {}),
    ...(shardBackends.length > 0 ? { criticShards: shardBackends } : {}),
  });
  const close = async (): Promise<void> => {
    for (const b of shardBackends) await b.dispose?.();
  };
  return { config, data, generator, critic, trainer, numClasses, shardBackends, close };
}

/** Seeds of the evaluation streams (independent of training: evaluating never changes a run). */
const EVAL_SEED = { dev: 1_000_003, devNoise: 2_000_003, samples: 3_000_017, ceiling: 4_000_037 } as const;

/** The file name of the sample grid of an iteration. */
export function samplesPlotName(iteration: number): string {
  return `samples-${String(iteration).padStart(7, '0')}.png`;
}

/**
 * A PNG grid of the generator's samples for the fixed noise (one class per column if conditional).
 * @example await writeFile('grid.png', await fixedSampleGrid(model));
 */
export async function fixedSampleGrid(model: ImageModel): Promise<Buffer> {
  const x = await model.trainer.fixedSamples();
  const [n, c, h, w] = x.shape as [number, number, number, number];
  return imageGrid({
    images: x.value!,
    shape: [n, c, h, w],
    valueRange: imageRange(model.config.family),
    columns: gridColumns(model.config, n, model.numClasses),
    scale: h <= 32 ? 2 : 1,
  });
}

/** The real-data scores a run compares against (written once to DIR/ceiling.json). */
export interface Ceiling extends ImageScores {
  samples: number;
  classifier: string;
  source: string;
}

/** Evaluation and plots of an image run; `close()` frees the classifier. */
export interface ImageHooks extends RunHooks {
  close(): Promise<void>;
}

/** Sample grids embedded in the report at most (the latest plus evenly spaced earlier ones). */
export const REPORT_SAMPLE_GRIDS = 3;

/** The curve figures of an image run; `ceiling` adds the real data's IS and FID as dashed levels. */
export function imageFigures(config: ImageConfig, ceiling: Ceiling | null): CurveFigure[] {
  const n = ceiling ? ` (n = ${ceiling.samples})` : '';
  const acgan: PanelSpec[] = [
    { keys: [['criticAcgan', 'critic, real images']], title: 'AC-GAN class loss, critic', yLabel: 'cross-entropy', smooth: LOSS_SMOOTHING },
    { keys: [['generatorAcgan', 'generated images']], title: 'AC-GAN class loss, generator', yLabel: 'cross-entropy', smooth: LOSS_SMOOTHING },
  ];
  return [
    lossFigure(acgan),
    {
      name: 'dev.png',
      title: 'critic cost: training vs held-out data (fig. 5b)',
      panels: [{ keys: [['criticLoss', 'training batches'], ['devCriticLoss', 'held-out real data']], title: 'critic cost', yLabel: 'critic loss', requires: 'devCriticLoss' }],
    },
    {
      name: 'scores.png',
      title: `Inception Score, ${config.evalSamples} samples${n}`,
      panels: [{ keys: [['inceptionScore', 'generator']], title: 'Inception Score', yLabel: 'IS (higher is better)', levels: ceiling ? [[ceiling.inceptionScore, `real data: ${ceiling.inceptionScore.toFixed(2)}`]] : [] }],
    },
    {
      name: 'fid.png',
      title: `FID, ${config.evalSamples} samples${n}`,
      panels: [{ keys: [['fid', 'generator']], title: 'FID (log scale)', yLabel: 'FID (lower is better)', logY: true, levels: ceiling?.fid !== undefined ? [[ceiling.fid, `real data: ${ceiling.fid.toFixed(2)}`]] : [] }],
    },
  ];
}

/**
 * Writes the curves (plots/losses.png, dev.png, scores.png, fid.png) from metrics.jsonl and
 * DIR/report.html (and metrics.csv).
 * @example await writeImageReport('runs/mnist', config);
 */
export async function writeImageReport(dir: string, config: ImageConfig): Promise<void> {
  const plots = join(dir, 'plots');
  const metricsPath = join(dir, 'metrics.jsonl');
  const lines = existsSync(metricsPath) ? (readMetricsJsonl(metricsPath) as unknown as MetricsLine[]) : [];
  let ceiling: Ceiling | null = null;
  if (existsSync(join(dir, 'ceiling.json'))) ceiling = JSON.parse(await readFile(join(dir, 'ceiling.json'), 'utf8')) as Ceiling;
  const charts = await writeCurveFigures(plots, lines, imageFigures(config, ceiling));
  const images = reportImages(plots, /^samples-\d+\.png$/, [], REPORT_SAMPLE_GRIDS);
  writeReport({
    dir,
    config: ceiling ? { ...config, realDataCeiling: ceiling } : config,
    metrics: lines,
    images: images.map((p) => ({ path: p, caption: `generator on fixed noise, iteration ${Number(/(\d+)\.png$/.exec(p)?.[1] ?? 0)}`, width: 400 })),
    charts,
    guide: METRIC_GUIDE,
    iters: config.iters,
    title: `wgan-gp ${config.preset}: ${config.loss}`,
    xKey: 'iteration',
  });
}

/**
 * The evaluation and plot hooks of an image run: the dev-set critic cost, IS/FID on `evalSamples`
 * samples of fixed noise (and the real-data ceiling once), sample grids, curves and the report.
 */
export function imageHooks(model: ImageModel, dir: string, log: (line: string) => void = () => undefined): ImageHooks {
  const { config, data, trainer } = model;
  const devIdx = data.heldOut ? evalIndices(data.heldOut, config.devSamples, config.seed + EVAL_SEED.dev) : null;
  let judge: Judge | undefined;
  const getJudge = async (): Promise<Judge> => {
    if (judge) return judge;
    log(`loading classifier ${config.classifier} and the real-data statistics ...`);
    judge = await openJudge({ classifier: config.classifier!, imageRange: imageRange(config.family), threads: config.threads }, data.reference);
    const ceilingPath = join(dir, 'ceiling.json');
    if (!existsSync(ceilingPath)) {
      const real = data.heldOut ?? data.train;
      const c = await realCeiling(judge, real, config.evalSamples, config.seed + EVAL_SEED.ceiling);
      const ceiling: Ceiling = { ...c, classifier: config.classifier!, source: `${real.name}, ${c.samples} images vs ${data.reference?.name ?? 'none'} (${judge.realCount})` };
      await writeJsonAtomic(ceilingPath, ceiling);
    }
    return judge;
  };
  return {
    evaluate: async () => {
      const out: Record<string, number> = {};
      if (devIdx && devIdx.length >= config.batchSize) {
        out.devCriticLoss = await criticCost(trainer, data.heldOut!, devIdx, config.batchSize, config.seed + EVAL_SEED.devNoise, config.conditional);
      }
      if (config.classifier !== null) {
        const j = await getJudge();
        const samples = generatorBatches(model.generator, config.evalSamples, config.batchSize, new Rng(config.seed + EVAL_SEED.samples), model.numClasses);
        Object.assign(out, await scoreImages(j, samples));
      }
      return out;
    },
    plot: async (iteration) => {
      await writeFileAtomic(join(dir, 'plots', samplesPlotName(iteration)), await fixedSampleGrid(model));
      await writeImageReport(dir, config);
    },
    close: async () => {
      await judge?.classifier.close();
      judge = undefined;
    },
  };
}
