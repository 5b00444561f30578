/**
 * A toy experiment as a run folder (gan_toy.py, made resumable):
 *
 * ```
 * DIR/config.json            the resolved config
 * DIR/metrics.jsonl          one JSON object per logged iteration (losses; toy metrics when computed)
 * DIR/plots/critic-NNNNNNN.png  critic value contour over [−3,3]² with real and fixed-noise fake points
 * DIR/plots/losses.png       loss curves; quality.png (modes, % high quality) and distances.png over time
 * DIR/checkpoints/           checkpoint.json + weights-NNNNNNN.safetensors (see checkpoint.ts)
 * DIR/report.html            a self-contained report of the above
 * ```
 *
 * The loop, logging, checkpoints and signal handling are run.ts's; this file adds the toy models,
 * the toy metrics and the plots.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toyDataset, type ToyDataset } from '../data/toy.js';
import { energyDistance, modeCoverage, wasserstein1 } from '../metrics/toy.js';
import { Adam } from '../optim/adam.js';
import { clipProjection } from '../optim/clip.js';
import type { Optimizer } from '../optim/optimizer.js';
import { RMSProp } from '../optim/rmsprop.js';
import { linearDecay } from '../optim/schedule.js';
import { SGD } from '../optim/sgd.js';
import type { ParamList } from '../optim/optimizer.js';
import type { Rng } from '../tensor/random.js';
import { realize, tensor, type Tensor } from '../tensor/tensor.js';
import { applyCheckpoint, CheckpointError, hasCheckpoint, loadCheckpoint } from './checkpoint.js';
import { checkPartialConfig, CONFIG_KEYS, ConfigError, type ToyConfig } from './config.js';
import { ToyMlp } from './models/toy.js';
import { writeToyPlots, writeToyReport } from './toy-plots.js';
import { createRunFolder, resumeRun, RunFolderError, runTraining, type MetricsLine, type RunHooks, type RunOptions, type RunResult, type RunSchedule } from '../app/run-folder.js';
import { writeJsonAtomic } from '../io/atomic-file.js';
import { seedStreams, Trainer, type LossSpec } from './trainer.js';

export type ToyRunOptions = RunOptions;
export type ToyRunResult = RunResult;
export { checkRunFolder, RunFolderError, type MetricsLine, type RunReporter } from '../app/run-folder.js';

/** Everything a toy run is made of. */
export interface ToyModel {
  config: ToyConfig;
  dataset: ToyDataset;
  generator: ToyMlp;
  critic: ToyMlp;
  trainer: Trainer;
  streams: ReturnType<typeof seedStreams>;
}

/** The loss spec of a config. */
export function lossSpec(c: ToyConfig): LossSpec {
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

/** The optimizer a config asks for; `clip` adds the weight-clipping projection (critic of wgan). */
export function makeOptimizer(c: ToyConfig, params: ParamList, clip?: number): Optimizer {
  const project = clip === undefined ? undefined : clipProjection(clip);
  const base = project ? { lr: c.lr, project } : { lr: c.lr };
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
 * Builds the dataset, networks, optimizers and trainer of a toy config (fresh weights from the seed).
 * @example const { trainer } = buildToyModel(resolveConfig({ preset: 'toy-8gaussians' }));
 */
export function buildToyModel(config: ToyConfig): ToyModel {
  const streams = seedStreams(config.seed);
  const dataset = toyDataset(config.dataset, { seed: config.seed });
  const mlp = { hidden: config.hidden, layers: config.layers };
  const generator = new ToyMlp(config.noiseDim, 2, { ...mlp, rng: streams.generatorInit });
  const critic = new ToyMlp(2, 1, { ...mlp, rng: streams.criticInit });
  const optG = makeOptimizer(config, generator.namedParameters());
  // gan_toy.py 'wgan': every critic weight clipped to ±c after every critic step (here inside the step).
  const optD = makeOptimizer(config, critic.namedParameters(), config.loss === 'wgan' ? config.clip : undefined);
  const schedule = config.lrDecay === 'linear' ? linearDecay(config.lr, config.iters) : undefined;
  const trainer = new Trainer({
    generator,
    critic,
    data: {
      sample: (n: number, rng: Rng) => tensor(dataset.sample(n, rng), [n, 2]),
      state: () => dataset.state(),
      restore: (s: unknown) => dataset.restore(s as { cursor: number }),
    },
    noise: (n, rng) => rng.normal([n, config.noiseDim]),
    loss: lossSpec(config),
    nCritic: config.nCritic,
    batchSize: config.batchSize,
    generatorOptimizer: optG,
    criticOptimizer: optD,
    seed: config.seed,
    ...(schedule ? { beforeIteration: (it: number) => ((optG.lr = schedule(it)), (optD.lr = schedule(it))) } : {}),
  });
  return { config, dataset, generator, critic, trainer, streams };
}

/** Reads and validates `DIR/config.json`. */
export async function readRunConfig(dir: string): Promise<ToyConfig> {
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new RunFolderError(`'${dir}' is not a run folder: '${path}' does not exist`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RunFolderError(`'${path}' is not valid JSON: ${(e as Error).message}`);
  }
  let c: Partial<ToyConfig>;
  try {
    c = checkPartialConfig(raw, path);
  } catch (e) {
    // A damaged run folder is a runtime problem, not a usage error.
    throw new RunFolderError((e as Error).message);
  }
  const missing = CONFIG_KEYS.filter((k) => !(k in c));
  if (missing.length > 0) throw new RunFolderError(`'${path}' lacks settings: ${missing.join(', ')}`);
  return c as ToyConfig;
}

/**
 * Loads a run folder's model and its latest checkpoint (for `sample`, `eval` and `resume`).
 * @example const m = await loadToyRun('runs/a'); // m.trainer.iteration === last checkpoint
 */
export async function loadToyRun(dir: string): Promise<ToyModel> {
  const config = await readRunConfig(dir);
  const model = buildToyModel(config);
  const ckptDir = join(dir, 'checkpoints');
  if (!(await hasCheckpoint(ckptDir))) throw new CheckpointError(`no checkpoint in '${dir}' ('${join(ckptDir, 'checkpoint.json')}' is missing)`);
  applyCheckpoint(model.trainer, await loadCheckpoint(ckptDir));
  return model;
}

/** Generated points G(z) for the given noise, as an n×2 Float32Array (one backend run). */
export async function generate(model: ToyModel, z: Tensor): Promise<Float32Array> {
  const x = model.generator.forward(z);
  await realize([x]);
  return Float32Array.from(x.value!);
}

/** The fixed evaluation inputs of a run: noise for metrics and plots, real points, all from the seed. */
export interface EvalSet {
  /** Noise for the metrics' generator samples. */
  evalNoise: Tensor;
  /** Real points for the distances. */
  evalReal: Float32Array;
  /** Fixed noise for the plotted fake points (gan_toy.py plots BATCH_SIZE fixed-noise samples). */
  plotNoise: Tensor;
  /** Real points for the plots. */
  plotReal: Float32Array;
}

/** Builds the fixed evaluation inputs (independent of the training streams). */
export function evalSet(config: ToyConfig, evalSamples = config.evalSamples): EvalSet {
  const rng = seedStreams(config.seed).fixedNoise;
  // A separate dataset instance: drawing from it never moves the training data's position.
  const data = toyDataset(config.dataset, { seed: config.seed });
  const plotN = Math.min(config.batchSize, 512);
  return {
    evalNoise: rng.normal([evalSamples, config.noiseDim]),
    evalReal: data.sample(evalSamples, rng),
    plotNoise: rng.normal([plotN, config.noiseDim]),
    plotReal: data.sample(plotN, rng),
  };
}

/** Samples used for W1 (exact assignment is O(n³): a subset keeps an evaluation well under a second). */
export const W1_SAMPLES = 500;

/**
 * The toy metrics of generated points against a dataset: mode coverage (mixtures), energy distance and
 * W1 against real points.
 */
export function toyMetrics(dataset: ToyDataset, fake: Float32Array, real: Float32Array): Pick<MetricsLine, 'modesCaptured' | 'totalModes' | 'highQualityPct' | 'energyDistance' | 'w1'> {
  const out: Pick<MetricsLine, 'modesCaptured' | 'totalModes' | 'highQualityPct' | 'energyDistance' | 'w1'> = {};
  if (dataset.modes) {
    const cov = modeCoverage(fake, dataset.modes);
    out.modesCaptured = cov.modesCaptured;
    out.totalModes = cov.totalModes;
    out.highQualityPct = 100 * cov.highQualityFraction;
  }
  out.energyDistance = energyDistance(fake, real);
  const k = 2 * Math.min(W1_SAMPLES, fake.length / 2, real.length / 2);
  out.w1 = wasserstein1(fake.subarray(0, k), real.subarray(0, k));
  return out;
}

/** The run schedule of a toy config. */
function scheduleOf(c: ToyConfig): RunSchedule {
  return { iters: c.iters, logEvery: c.logEvery, evalEvery: c.evalEvery, plotEvery: c.plotEvery, checkpointEvery: c.checkpointEvery };
}

/** The toy experiment's hooks: toy metrics on fixed noise, critic/curve plots and the report. */
function toyHooks(model: ToyModel, dir: string): RunHooks {
  const ev = evalSet(model.config);
  return {
    evaluate: async () => toyMetrics(model.dataset, await generate(model, ev.evalNoise), ev.evalReal) as Record<string, number>,
    plot: async () => {
      await writeToyPlots(model, dir, ev, join(dir, 'metrics.jsonl'));
      await writeToyReport(dir, model.config);
    },
  };
}

/**
 * Starts a new toy run in folder `dir` and trains it for `config.iters` iterations. Refuses a folder
 * that is not empty unless `force`.
 * @example await trainToy(resolveConfig({ preset: 'toy-8gaussians' }), 'runs/8g');
 */
export async function trainToy(config: ToyConfig, dir: string, opts: ToyRunOptions & { force?: boolean } = {}): Promise<ToyRunResult> {
  await createRunFolder(dir, config, opts.force ?? false);
  const model = buildToyModel(config);
  return runTraining(model.trainer, dir, scheduleOf(config), toyHooks(model, dir), opts);
}

/**
 * Continues the run in `dir` from its latest checkpoint, up to `iters` iterations in total (default:
 * the config's). The result equals an uninterrupted run's: parameters and metrics.jsonl alike.
 * @example await resumeToy('runs/8g', { iters: 2000 });
 */
export async function resumeToy(dir: string, opts: ToyRunOptions & { iters?: number } = {}): Promise<ToyRunResult> {
  const config = await readRunConfig(dir);
  if (opts.iters !== undefined) config.iters = checkPartialConfig({ iters: opts.iters }, '--iters').iters!;
  const model = buildToyModel(config);
  const start = await resumeRun(dir, model.trainer);
  if (opts.iters !== undefined && opts.iters <= model.trainer.iteration) {
    throw new ConfigError(`--iters ${opts.iters} does not go beyond the checkpoint of '${dir}' at iteration ${model.trainer.iteration}`);
  }
  if (opts.iters !== undefined) await writeJsonAtomic(join(dir, 'config.json'), config);
  return runTraining(model.trainer, dir, scheduleOf(config), toyHooks(model, dir), opts, start);
}

export { ConfigError };
