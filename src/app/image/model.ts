/**
 * An image GAN experiment as a run folder (gan_mnist.py, gan_cifar.py, gan_cifar_resnet.py,
 * gan_64x64.py, made resumable):
 *
 * ```
 * DIR/config.json                 the resolved config (kind "image")
 * DIR/metrics.jsonl               losses every logEvery iterations (AC-GAN: also the critic's and the
 *                                 generator's class cross-entropies, criticAcgan and generatorAcgan);
 *                                 every evalEvery also the dev-set critic cost (devCriticLoss) and,
 *                                 with a classifier, inceptionScore, inceptionScoreStd and fid
 * DIR/ceiling.json                the classifier's scores of real held-out images at the same count
 * DIR/plots/samples-NNNNNNN.png   the generator on FIXED noise (one class per column if conditional)
 * DIR/plots/losses.png, dev.png, scores.png   curves
 * DIR/checkpoints/                checkpoint.json + weights (see checkpoint.ts)
 * DIR/report.html                 a self-contained report of the above
 * ```
 *
 * The loop, logging, checkpoints and signal handling are run.ts's; this file adds the image models,
 * data, evaluation and plots.
 */
import { isBundledClassifier } from '../metrics/bundled-classifiers.js';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { criticShardBackends } from '../backends/onnx/worker-backend.js';
import { BatchSampler, samplerDataSource } from '../data/batches.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import type { Module } from '../nn/module.js';
import { Adam } from '../optim/adam.js';
import { clipProjection } from '../optim/clip.js';
import type { Optimizer, ParamList } from '../optim/optimizer.js';
import { RMSProp } from '../optim/rmsprop.js';
import { linearDecay } from '../optim/schedule.js';
import { SGD } from '../optim/sgd.js';
import { Rng } from '../tensor/random.js';
import type { Backend } from '../tensor/tensor.js';
import { imageGrid } from '../viz/image-grid.js';
import { linePlot, type LineSeries } from '../viz/line-plot.js';
import { readMetricsJsonl, writeReport } from '../viz/report.js';
import { applyCheckpoint, CheckpointError, hasCheckpoint, loadCheckpoint } from './checkpoint.js';
import { ConfigError } from './config.js';
import { checkImageConfig, checkImagePartial, type ImageConfig } from './image-config.js';
import { imageRange, loadImageData, type ImageData } from './image-data.js';
import { criticCost, evalIndices, generatorBatches, openJudge, realCeiling, scoreImages, type ImageScores, type Judge } from './image-eval.js';
import { createCifarDcgan } from './models/cifar-dcgan.js';
import { createCifarResnet } from './models/cifar-resnet.js';
import { createLsun64 } from './models/lsun64.js';
import { createMnist, NOISE_DIM } from './models/mnist.js';
import { createRunFolder, resumeRun, RunFolderError, runTraining, type MetricsLine, type RunHooks, type RunOptions, type RunResult, type RunSchedule } from '../app/run-folder.js';
import { writeJsonAtomic } from '../io/atomic-file.js';
import { seedStreams, Trainer, type LossSpec } from './trainer.js';

/** Everything an image run is made of. */
export interface ImageModel {
  config: ImageConfig;
  data: ImageData;
  generator: Module;
  critic: Module;
  trainer: Trainer;
  /** Classes of a conditional generator (its label input), else 0. */
  numClasses: number;
  /** The critic shards' backends (`config.criticShards` > 1; worker threads besides the first), else empty. */
  shardBackends: Backend[];
}

/**
 * The generator and critic of a config's family (critic normalization as the reference decides it
 * for the loss), initialised from `rng`.
 * @example const { generator, critic } = createImageNetworks(resolveImageConfig({ preset: 'mnist' }), new Rng(1));
 */
export function createImageNetworks(
  c: Pick<ImageConfig, 'family' | 'arch' | 'dim' | 'loss' | 'conditional' | 'acgan'>,
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
  }
}

/** The loss spec of a config. */
export function imageLossSpec(c: ImageConfig): LossSpec {
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

function makeOptimizer(c: ImageConfig, params: ParamList, clip?: number): Optimizer {
  const base = clip === undefined ? { lr: c.lr } : { lr: c.lr, project: clipProjection(clip) };
  switch (c.optimizer) {
    case 'adam':
      return new Adam(params, { ...base, beta1: c.beta1, beta2: c.beta2 });
    case 'rmsprop':
      return new RMSProp(params, base);
    case 'sgd':
      return new SGD(params, base);
  }
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
 * Builds the networks, optimizers and trainer of a config over its data (fresh weights from the seed).
 * @example const model = buildImageModel(config, loadImageData(config));
 */
export function buildImageModel(config: ImageConfig, data: ImageData): ImageModel {
  if (config.conditional && data.numClasses < 2) {
    throw new ConfigError(`preset '${config.preset}' is class-conditional, but the data (${data.description}) has no class labels; use a folder with one subfolder per class`);
  }
  const numClasses = config.conditional ? data.numClasses : 0;
  const streams = seedStreams(config.seed);
  const { generator, critic } = createImageNetworks(config, streams.generatorInit, data.numClasses || 10);
  const optG = makeOptimizer(config, generator.namedParameters());
  // 'wgan': every critic weight clipped to ±c after every critic step (inside the step).
  const optD = makeOptimizer(config, critic.namedParameters(), config.loss === 'wgan' ? config.clip : undefined);
  const schedule = config.lrDecay === 'linear' ? linearDecay(config.lr, config.iters) : undefined;
  const sampler = new BatchSampler(data.train, { batchSize: config.batchSize, seed: streams.data.int(2 ** 31) });
  const n = config.criticShards;
  const shardBackends = n > 1 ? criticShardBackends(n, { threads: Math.max(1, Math.floor(config.threads / n)) }) : [];
  const trainer = new Trainer({
    generator,
    critic,
    data: samplerDataSource(sampler),
    noise: (n, rng) => rng.normal([n, NOISE_DIM]),
    loss: imageLossSpec(config),
    nCritic: config.nCritic,
    batchSize: config.batchSize,
    generatorBatchSize: config.generatorBatchSize,
    generatorOptimizer: optG,
    criticOptimizer: optD,
    seed: config.seed,
    fixedNoiseSize: fixedNoiseSize(config, numClasses),
    ...(config.conditional
      ? { conditional: { numClasses, ...(config.acgan ? { acgan: { criticScale: config.acganScale, generatorScale: config.acganScaleG } } : {}) } }
      : {}),
    ...(schedule ? { beforeIteration: (it: number) => ((optG.lr = schedule(it)), (optD.lr = schedule(it))) } : {}),
    ...(shardBackends.length > 0 ? { criticShards: shardBackends } : {}),
  });
  return { config, data, generator, critic, trainer, numClasses, shardBackends };
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

function seriesOf(lines: readonly MetricsLine[], keys: readonly (readonly [string, string])[]): LineSeries[] {
  const out: LineSeries[] = [];
  for (const [k, name] of keys) {
    const pts = lines.filter((l) => typeof l[k] === 'number' && Number.isFinite(l[k]));
    if (pts.length > 0) out.push({ name, x: pts.map((l) => l.iteration), y: pts.map((l) => l[k] as number) });
  }
  return out;
}

/** A horizontal reference line across the x range of `series`. */
function level(series: readonly LineSeries[], y: number, name: string): LineSeries[] {
  const xs = series.flatMap((s) => Array.from(s.x ?? []));
  if (xs.length === 0 || !Number.isFinite(y)) return [];
  return [{ name, x: [Math.min(...xs), Math.max(...xs)], y: [y, y] }];
}

/** Sample grids embedded in the report at most (the latest plus evenly spaced earlier ones). */
export const REPORT_SAMPLE_GRIDS = 6;

/**
 * Writes the curves (plots/losses.png, dev.png, scores.png) from metrics.jsonl and DIR/report.html.
 * @example await writeImageReport('runs/mnist', config);
 */
export async function writeImageReport(dir: string, config: ImageConfig): Promise<void> {
  const plots = join(dir, 'plots');
  const metricsPath = join(dir, 'metrics.jsonl');
  const lines = existsSync(metricsPath) ? (readMetricsJsonl(metricsPath) as unknown as MetricsLine[]) : [];
  let ceiling: Ceiling | null = null;
  if (existsSync(join(dir, 'ceiling.json'))) ceiling = JSON.parse(await readFile(join(dir, 'ceiling.json'), 'utf8')) as Ceiling;
  const curves: string[] = [];
  const plot = async (name: string, series: LineSeries[], title: string, logY = false): Promise<void> => {
    if (series.length === 0) return;
    await writeFileAtomic(join(plots, name), linePlot({ series, title, xLabel: 'generator iteration', logY }));
    curves.push(name);
  };
  await plot('losses.png', seriesOf(lines, [['criticLoss', 'critic loss'], ['generatorLoss', 'generator loss'], ['wasserstein', 'W estimate'], ['penalty', 'penalty']]), 'training losses (means over each logging interval)');
  await plot('dev.png', seriesOf(lines, [['criticLoss', 'critic loss (training batches)'], ['devCriticLoss', 'critic loss (held-out real data)']]), 'critic cost: training vs held-out data');
  const is = seriesOf(lines, [['inceptionScore', 'generator']]);
  const n = ceiling ? ` (n = ${ceiling.samples})` : '';
  await plot('scores.png', [...is, ...(ceiling ? level(is, ceiling.inceptionScore, `real data: ${ceiling.inceptionScore.toFixed(2)}`) : [])], `Inception Score, ${config.evalSamples} samples${n}`);
  const fid = seriesOf(lines, [['fid', 'generator']]);
  await plot('fid.png', [...fid, ...(ceiling?.fid !== undefined ? level(fid, ceiling.fid, `real data: ${ceiling.fid.toFixed(2)}`) : [])], `FID (log scale), ${config.evalSamples} samples`, true);
  let files: string[] = [];
  try {
    files = await readdir(plots);
  } catch {
    return;
  }
  const grids = files.filter((f) => /^samples-\d+\.png$/.test(f)).sort();
  const earlier = grids.slice(0, -1);
  const keep = Math.min(earlier.length, REPORT_SAMPLE_GRIDS - 1);
  const picked = Array.from({ length: keep }, (_, i) => earlier[Math.round((i * (earlier.length - 1)) / Math.max(1, keep - 1))]!);
  const images = [...grids.slice(-1), ...curves, ...[...new Set(picked)].reverse()].map((f) => join('plots', f));
  writeReport({
    dir,
    config: ceiling ? { ...config, realDataCeiling: ceiling } : config,
    images,
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

/** The run schedule of an image config. */
function scheduleOf(c: ImageConfig): RunSchedule {
  return { iters: c.iters, logEvery: c.logEvery, evalEvery: c.evalEvery, plotEvery: c.plotEvery, checkpointEvery: c.checkpointEvery };
}

/** Options of {@link trainImage} and {@link resumeImage}. */
export interface ImageRunOptions extends RunOptions {
  /** Progress messages (data decoding, classifier loading). */
  log?: (line: string) => void;
}

/**
 * Starts a new image run in folder `dir` and trains it for `config.iters` iterations. Refuses a
 * folder that is not empty unless `force`.
 * @example await trainImage(resolveImageConfig({ preset: 'mnist', flags: { iters: 2000 } }), 'runs/mnist');
 */
export async function trainImage(config: ImageConfig, dir: string, opts: ImageRunOptions & { force?: boolean; data?: ImageData } = {}): Promise<RunResult> {
  // Relative data and classifier paths are saved absolute, so eval/resume work from any directory.
  const saved: ImageConfig = {
    ...config,
    data: config.data === null ? null : resolve(config.data),
    classifier: config.classifier === null || isBundledClassifier(config.classifier) ? config.classifier : resolve(config.classifier),
  };
  const data = opts.data ?? loadImageData(saved, opts.log);
  const model = buildImageModel(saved, data);
  if (opts.force) await rm(join(dir, 'ceiling.json'), { force: true });
  await createRunFolder(dir, saved, opts.force ?? false);
  const hooks = imageHooks(model, dir, opts.log);
  try {
    return await runTraining(model.trainer, dir, scheduleOf(saved), hooks, opts);
  } finally {
    await hooks.close();
    for (const b of model.shardBackends) await b.dispose?.();
  }
}

/**
 * Reads and validates `DIR/config.json` of an image run.
 * @example const c = await readImageConfig('runs/mnist');
 */
export async function readImageConfig(dir: string): Promise<ImageConfig> {
  const path = join(dir, 'config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunFolderError(code === 'ENOENT' ? `'${dir}' is not a run folder: '${path}' does not exist` : `'${path}' is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return checkImageConfig(raw, path);
  } catch (e) {
    throw new RunFolderError((e as Error).message);
  }
}

/**
 * True when `dir/config.json` exists and describes an image run (`"kind": "image"`).
 * @example if (await isImageRun(dir)) await resumeImage(dir);
 */
export async function isImageRun(dir: string): Promise<boolean> {
  try {
    const raw = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { kind?: unknown };
    return raw !== null && typeof raw === 'object' && raw.kind === 'image';
  } catch {
    return false;
  }
}

/**
 * Loads a run folder's model, data and latest checkpoint (for `sample`, `eval` and `export`).
 * @example const m = await loadImageRun('runs/mnist'); // m.trainer.iteration === last checkpoint
 */
export async function loadImageRun(dir: string, opts: { log?: (line: string) => void; data?: ImageData } = {}): Promise<ImageModel> {
  const config = await readImageConfig(dir);
  const ckptDir = join(dir, 'checkpoints');
  if (!(await hasCheckpoint(ckptDir))) throw new CheckpointError(`no checkpoint in '${dir}' ('${join(ckptDir, 'checkpoint.json')}' is missing)`);
  // Sampling and evaluating train nothing: no critic shards (worker threads) for them.
  const model = buildImageModel({ ...config, criticShards: 1 }, opts.data ?? loadImageData(config, opts.log));
  applyCheckpoint(model.trainer, await loadCheckpoint(ckptDir));
  return model;
}

/**
 * Continues the image run in `dir` from its latest checkpoint, up to `iters` iterations in total
 * (default: the config's); parameters and metrics.jsonl equal an uninterrupted run's.
 * @example await resumeImage('runs/mnist', { iters: 4000 });
 */
export async function resumeImage(dir: string, opts: ImageRunOptions & { iters?: number; data?: ImageData } = {}): Promise<RunResult> {
  const config = await readImageConfig(dir);
  if (opts.iters !== undefined) config.iters = checkImagePartial({ iters: opts.iters }, '--iters').iters!;
  const model = buildImageModel(config, opts.data ?? loadImageData(config, opts.log));
  const start = await resumeRun(dir, model.trainer);
  if (opts.iters !== undefined && opts.iters <= model.trainer.iteration) {
    throw new ConfigError(`--iters ${opts.iters} does not go beyond the checkpoint of '${dir}' at iteration ${model.trainer.iteration}`);
  }
  if (opts.iters !== undefined) await writeJsonAtomic(join(dir, 'config.json'), config);
  const hooks = imageHooks(model, dir, opts.log);
  try {
    return await runTraining(model.trainer, dir, scheduleOf(config), hooks, opts, start);
  } finally {
    await hooks.close();
    for (const b of model.shardBackends) await b.dispose?.();
  }
}
