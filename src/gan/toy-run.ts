/**
 * A toy experiment as a run folder (gan_toy.py, made resumable):
 *
 * ```
 * DIR/config.json            the resolved config
 * DIR/metrics.jsonl          one JSON object per logged iteration (losses; toy metrics when computed)
 * DIR/plots/critic-NNNNNNN.png  critic value contour over [−3,3]² with real and fixed-noise fake points
 * DIR/plots/losses.png       loss curves;  DIR/plots/metrics.png  toy metrics over time
 * DIR/checkpoints/           checkpoint.json + weights-NNNNNNN.safetensors (see checkpoint.ts)
 * DIR/report.html            a self-contained report of the above
 * ```
 *
 * The run stops cleanly on SIGINT/SIGTERM: it finishes the current iteration, writes a checkpoint and
 * the report, and returns `interrupted`. Resuming continues exactly where the checkpoint was taken.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toyDataset, type ToyDataset } from '../data/toy.js';
import { writeFileAtomic } from '../io/safetensors.js';
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
import { applyCheckpoint, CheckpointError, hasCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { checkPartialConfig, CONFIG_KEYS, ConfigError, type ToyConfig } from './config.js';
import { ToyMlp } from './models/toy.js';
import { writeToyPlots, writeToyReport } from './toy-plots.js';
import { seedStreams, Trainer, type IterationStats, type LossSpec } from './trainer.js';

/** One line of metrics.jsonl. */
export interface MetricsLine {
  /** Generator iterations completed. */
  iteration: number;
  /** Seconds of training so far (across resumes). */
  elapsed: number;
  /** Means over the iterations since the previous line. */
  criticLoss: number;
  wasserstein: number;
  generatorLoss?: number;
  penalty?: number;
  gradNorm?: number;
  /** Toy metrics on `evalSamples` fixed-noise samples (Gaussian mixtures: modes; all: distances). */
  modesCaptured?: number;
  totalModes?: number;
  highQualityPct?: number;
  energyDistance?: number;
  /** Exact W1 between `w1Samples` generated and real points. */
  w1?: number;
}

/** Receives progress events (the CLI draws a bar or prints lines). */
export interface RunReporter {
  start?(info: { dir: string; startIteration: number; iters: number; config: ToyConfig }): void;
  iteration?(iteration: number, stats: IterationStats): void;
  logged?(line: MetricsLine): void;
  message?(text: string): void;
  stop?(): void;
}

export interface ToyRunOptions {
  /** Stop after this many completed iterations (as if interrupted; for tests). */
  stopAfter?: number;
  /** Catch SIGINT/SIGTERM: finish the iteration, checkpoint, stop. Default true. */
  handleSignals?: boolean;
  reporter?: RunReporter;
}

export interface ToyRunResult {
  dir: string;
  /** Iterations completed. */
  iteration: number;
  /** Set when the run stopped early (signal or `stopAfter`). */
  interrupted?: 'SIGINT' | 'SIGTERM' | 'stopAfter';
  /** The last metrics line written. */
  last?: MetricsLine;
}

/** A problem with the run folder (exists, not a run, ...): the CLI prints it and exits non-zero. */
export class RunFolderError extends Error {
  override readonly name = 'RunFolderError';
}

/** The files and folders a run writes (removed by `--force`). */
const RUN_ENTRIES = ['config.json', 'metrics.jsonl', 'plots', 'checkpoints', 'report.html'];

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
  const c = checkPartialConfig(raw, path);
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

/** Means over a logging interval (saved in checkpoints so a resumed run logs the same numbers). */
interface Accumulator {
  n: number;
  sums: Record<string, number>;
  counts: Record<string, number>;
}

function emptyAcc(): Accumulator {
  return { n: 0, sums: {}, counts: {} };
}

function accumulate(acc: Accumulator, stats: IterationStats): void {
  acc.n++;
  for (const k of ['criticLoss', 'wasserstein', 'generatorLoss', 'penalty', 'gradNorm'] as const) {
    const v = stats[k];
    if (v === undefined) continue;
    acc.sums[k] = (acc.sums[k] ?? 0) + v;
    acc.counts[k] = (acc.counts[k] ?? 0) + 1;
  }
}

function means(acc: Accumulator): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, s] of Object.entries(acc.sums)) out[k] = s / acc.counts[k]!;
  return out;
}

/**
 * Throws a {@link RunFolderError} unless `dir` can hold a new run: it must not exist, be empty, or
 * `force` must be given. Changes nothing.
 */
export async function checkRunFolder(dir: string, force: boolean): Promise<void> {
  if (!existsSync(dir)) return;
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    throw new RunFolderError(`cannot use '${dir}' as a run folder: ${(e as Error).message}`);
  }
  if (entries.length > 0 && !force) {
    const what = entries.includes('config.json') ? 'holds another run' : 'is not empty';
    throw new RunFolderError(`output folder '${dir}' ${what}; choose another --out, or pass --force to overwrite it`);
  }
}

/** Checks `dir` (see {@link checkRunFolder}); with `force`, removes a previous run's files; creates it. */
export async function prepareRunFolder(dir: string, force: boolean): Promise<void> {
  await checkRunFolder(dir, force);
  if (force) for (const e of RUN_ENTRIES) await rm(join(dir, e), { recursive: true, force: true });
  await mkdir(join(dir, 'plots'), { recursive: true });
}

/**
 * Starts a new toy run in folder `dir` and trains it for `config.iters` iterations.
 * @example await trainToy(resolveConfig({ preset: 'toy-8gaussians' }), 'runs/8g', { force: false });
 */
export async function trainToy(config: ToyConfig, dir: string, opts: ToyRunOptions & { force?: boolean } = {}): Promise<ToyRunResult> {
  await prepareRunFolder(dir, opts.force ?? false);
  await writeFileAtomic(join(dir, 'config.json'), new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`));
  await writeFile(join(dir, 'metrics.jsonl'), '');
  const model = buildToyModel(config);
  return runLoop(model, dir, { acc: emptyAcc(), elapsed: 0 }, opts);
}

/**
 * Continues the run in `dir` from its latest checkpoint, up to `iters` iterations in total (default:
 * the config's). Lines of metrics.jsonl past the checkpoint are dropped first, so the file ends up
 * exactly as an uninterrupted run's.
 * @example await resumeToy('runs/8g', { iters: 2000 });
 */
export async function resumeToy(dir: string, opts: ToyRunOptions & { iters?: number } = {}): Promise<ToyRunResult> {
  const config = await readRunConfig(dir);
  if (opts.iters !== undefined) {
    config.iters = checkPartialConfig({ iters: opts.iters }, '--iters').iters!;
    await writeFileAtomic(join(dir, 'config.json'), new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`));
  }
  const model = buildToyModel(config);
  const ckptDir = join(dir, 'checkpoints');
  if (!(await hasCheckpoint(ckptDir))) throw new CheckpointError(`cannot resume '${dir}': no checkpoint ('${join(ckptDir, 'checkpoint.json')}' is missing)`);
  const ckpt = await loadCheckpoint(ckptDir);
  applyCheckpoint(model.trainer, ckpt);
  const extra = ckpt.manifest.extra as { acc?: Accumulator; elapsed?: number };
  // Drop log lines written after the checkpoint (the iterations being redone).
  const metricsPath = join(dir, 'metrics.jsonl');
  const text = existsSync(metricsPath) ? await readFile(metricsPath, 'utf8') : '';
  const kept = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l) => {
      try {
        return (JSON.parse(l) as MetricsLine).iteration <= ckpt.manifest.iteration;
      } catch {
        return false;
      }
    });
  await writeFileAtomic(metricsPath, new TextEncoder().encode(kept.map((l) => `${l}\n`).join('')));
  return runLoop(model, dir, { acc: extra.acc ?? emptyAcc(), elapsed: extra.elapsed ?? 0 }, opts);
}

async function runLoop(model: ToyModel, dir: string, init: { acc: Accumulator; elapsed: number }, opts: ToyRunOptions): Promise<ToyRunResult> {
  const { config, trainer } = model;
  const rep = opts.reporter ?? {};
  const ev = evalSet(config);
  const metricsPath = join(dir, 'metrics.jsonl');
  const ckptDir = join(dir, 'checkpoints');
  let acc = init.acc;
  let elapsedBefore = init.elapsed;
  let t0 = performance.now();
  const elapsed = (): number => elapsedBefore + (performance.now() - t0) / 1000;
  let last: MetricsLine | undefined;
  let signal: 'SIGINT' | 'SIGTERM' | undefined;
  const onSignal = (s: 'SIGINT' | 'SIGTERM') => () => {
    if (signal) {
      // Second signal: the checkpoint on disk is always consistent (atomic writes), so just leave.
      process.exit(s === 'SIGINT' ? 130 : 143);
    }
    signal = s;
    rep.message?.(`\n${s}: finishing the current iteration, then writing a checkpoint (press again to quit at once)`);
  };
  const handlers = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') };
  const handle = opts.handleSignals ?? true;
  if (handle) {
    process.on('SIGINT', handlers.SIGINT);
    process.on('SIGTERM', handlers.SIGTERM);
  }
  const checkpoint = async (): Promise<void> => {
    // Elapsed time is stored but excluded from comparisons; the accumulators make logging exact.
    await saveCheckpoint(ckptDir, trainer, { acc, elapsed: elapsed() });
  };
  const plots = async (): Promise<void> => {
    await writeToyPlots(model, dir, ev, metricsPath);
    await writeToyReport(dir, config);
  };
  let stoppedBy: ToyRunResult['interrupted'];
  try {
    rep.start?.({ dir, startIteration: trainer.iteration, iters: config.iters, config });
    while (trainer.iteration < config.iters) {
      const stats = await trainer.iterate();
      accumulate(acc, stats);
      const it = trainer.iteration;
      rep.iteration?.(it, stats);
      if (it % config.logEvery === 0 || it === config.iters) {
        const line: MetricsLine = { iteration: it, elapsed: round(elapsed(), 3), ...(means(acc) as Pick<MetricsLine, 'criticLoss' | 'wasserstein'>) };
        if (config.evalEvery > 0 && (it % config.evalEvery === 0 || it === config.iters)) {
          const fake = await generate(model, ev.evalNoise);
          Object.assign(line, toyMetrics(model.dataset, fake, ev.evalReal));
        }
        await appendFile(metricsPath, `${JSON.stringify(line)}\n`);
        acc = emptyAcc();
        last = line;
        rep.logged?.(line);
      }
      const done = it === config.iters;
      if ((config.plotEvery > 0 && it % config.plotEvery === 0) || done) await plots();
      if (it % config.checkpointEvery === 0 || done) await checkpoint();
      if (!done && (signal || (opts.stopAfter !== undefined && it >= opts.stopAfter))) {
        stoppedBy = signal ?? 'stopAfter';
        if (it % config.checkpointEvery !== 0) await checkpoint();
        await plots();
        break;
      }
    }
  } finally {
    rep.stop?.();
    if (handle) {
      process.off('SIGINT', handlers.SIGINT);
      process.off('SIGTERM', handlers.SIGTERM);
    }
    elapsedBefore = elapsed();
    t0 = performance.now();
  }
  const result: ToyRunResult = { dir, iteration: trainer.iteration };
  if (stoppedBy) result.interrupted = stoppedBy;
  if (last) result.last = last;
  return result;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export { ConfigError };
