/**
 * The high-level library entry (`wgan-gp/node`): train a GAN of any kind (toy, image, language) from
 * a preset and settings in a few lines, load a run folder, draw samples, evaluate, export the
 * generator as ONNX. The same run folders as the command line (`wgan-gp train`, `resume`, `sample`,
 * `eval`, `export`), the same settings (keys as in config.json, `wgan-gp train --help`).
 * @example
 * import { trainGan, Rng } from 'wgan-gp/node';
 * const run = await trainGan({ preset: 'toy-8gaussians', settings: { iters: 200 }, out: 'runs/8g' });
 * const points = await run.sample(1000);          // Tensor [1000, 2]
 * console.log(await run.evaluate());              // { modesCaptured: 8, ... }
 * await run.close();
 */
import { availableParallelism } from 'node:os';
import type { DeviceName } from './app/common.js';
import { experimentOf, kindOfPreset, resolveRunConfig, type RunConfig, type RunEnv, type RunModel } from './app/experiment.js';
import './app/kinds.js';
import type { RunResult } from './app/run-folder.js';
import { loadRunModel, readRun, runCommand, trainRun } from './app/runs.js';
import { ConfigError } from './app/settings.js';
import { exportOnnx, type ExportInput } from './backends/onnx/export.js';
import { writeFileAtomic } from './io/atomic-file.js';
import { ortBackend } from './node.js';
import { Rng } from './tensor/random.js';
import { setBackend, type Tensor } from './tensor/tensor.js';

/** Options of {@link trainGan}. */
export interface TrainGanOptions {
  /** A preset (`wgan-gp train --help` lists them): 'toy-8gaussians', 'mnist', 'language', ... Default: the toy kind's defaults (gan_toy.py's settings). */
  preset?: string;
  /** Settings over the preset's, keys as in config.json (`iters`, `lambda`, `batchSize`, ...); `kind` picks the kind without a preset. */
  settings?: Readonly<Record<string, unknown>>;
  /** The run folder to create. */
  out: string;
  /** Replace a run already in `out`. */
  force?: boolean;
  /** Progress and messages (default: none). */
  log?: (line: string) => void;
}

/** Options of {@link loadRun}. */
export interface LoadRunOptions {
  /** onnxruntime threads for this session (default: the run's). */
  threads?: number;
  device?: DeviceName;
  log?: (line: string) => void;
}

/** The environment of a library call: messages to `log`, data nowhere, onnxruntime-node as the backend. */
function libraryEnv(log: ((line: string) => void) | undefined, runtime: LoadRunOptions = {}): RunEnv {
  return {
    say: (t) => log?.(t),
    write: () => undefined,
    useBackend: async (threads, device, hints = {}) => setBackend(ortBackend({ threads: runtime.threads ?? threads, device: runtime.device ?? device, ...hints })),
  };
}

/**
 * Trains a GAN in a new run folder (config.json, metrics.jsonl, plots, checkpoints, report.html) and
 * returns it loaded at its last checkpoint. onnxruntime uses the machine's cores unless
 * `settings.threads` says otherwise.
 * @example const run = await trainGan({ preset: 'mnist', settings: { iters: 100, dim: 16 }, out: 'runs/mnist' });
 */
export async function trainGan(opts: TrainGanOptions): Promise<GanRun> {
  const { kind, ...settings } = (opts.settings ?? {}) as Record<string, unknown>;
  if (kind !== undefined && typeof kind !== 'string') throw new ConfigError(`trainGan: settings.kind must be a string, got ${JSON.stringify(kind)}`);
  const exp = opts.preset !== undefined ? kindOfPreset(opts.preset) : experimentOf(kind ?? 'toy');
  if (kind !== undefined && kind !== exp.kind) throw new ConfigError(`trainGan: settings.kind '${kind}' does not match preset '${opts.preset}' (a ${exp.kind} preset)`);
  const flags = { threads: availableParallelism(), ...settings };
  const config = resolveRunConfig(exp, { preset: opts.preset, flags, fileSource: 'settings' });
  const env = libraryEnv(opts.log);
  const res: RunResult = await trainRun(exp, config, opts.out, env, { force: opts.force ?? false });
  if (res.interrupted === 'SIGINT' || res.interrupted === 'SIGTERM') {
    throw new Error(`trainGan: stopped by ${res.interrupted} at iteration ${res.iteration}; the checkpoint in '${res.dir}' continues with resumeRunFolder or wgan-gp resume`);
  }
  return loadRun(res.dir, opts.log ? { log: opts.log } : {});
}

/**
 * Loads a run folder (written by {@link trainGan} or `wgan-gp train`) at its latest checkpoint.
 * @example const run = await loadRun('runs/8g'); run.iteration // 1000
 */
export async function loadRun(dir: string, opts: LoadRunOptions = {}): Promise<GanRun> {
  const read = await readRun(dir);
  const env = libraryEnv(opts.log, opts);
  await env.useBackend(read.run.config.threads, read.run.config.device);
  const model = await loadRunModel(read.exp, read.run, env);
  return new GanRun(read.run.dir, read.exp.kind, read.run.config, model, env);
}

/** A trained run: its config, networks and trainer at the latest checkpoint, and what to do with them. */
export class GanRun {
  /** @internal Use {@link trainGan} or {@link loadRun}. */
  constructor(
    readonly dir: string,
    /** 'toy', 'image' or 'language'. */
    readonly kind: string,
    /** The run's settings (config.json). */
    readonly config: RunConfig,
    private readonly model: RunModel,
    private readonly env: RunEnv,
  ) {}

  /** Generator iterations trained. */
  get iteration(): number {
    return this.model.trainer.iteration;
  }
  get generator(): RunModel['generator'] {
    return this.model.generator;
  }
  get critic(): RunModel['critic'] {
    return this.model.critic;
  }
  get trainer(): RunModel['trainer'] {
    return this.model.trainer;
  }

  /**
   * `n` generator samples from noise of `seed` (realized): toy runs [n, 2] points, image runs
   * [n, C, H, W] images in the generator's range, language runs [n, seqLen, vocab] character
   * probabilities (a conditional generator: labels i mod classes).
   * @example const x = await run.sample(64, { seed: 1 }); await x.data();
   */
  sample(n: number, opts: { seed?: number } = {}): Promise<Tensor> {
    return this.model.trainer.sample(n, new Rng(opts.seed ?? 0));
  }

  /**
   * The run's metrics at this checkpoint, as `wgan-gp eval` prints them (toy: modes captured, % high
   * quality, energy distance, W1; image: Inception Score and FID; language: n-gram JS divergences).
   * @example const { modesCaptured } = await run.evaluate();
   */
  async evaluate(opts: Readonly<Record<string, unknown>> = {}): Promise<Record<string, unknown>> {
    return (await runCommand({ exp: experimentOf(this.kind), run: { dir: this.dir, config: this.config } }, 'evaluate', opts, this.env)) as Record<string, unknown>;
  }

  /**
   * Writes the generator as a standard ONNX model with a dynamic batch axis (or `batchSize` fixed):
   * input `noise` [batch, noiseDim] (and `labels` int32 [batch] if conditional), output `samples`
   * (image runs: `images`, as `wgan-gp export`). Returns the path.
   * @example await run.exportOnnx('generator.onnx');
   */
  async exportOnnx(path: string, opts: { batchSize?: number } = {}): Promise<string> {
    const exp = experimentOf(this.kind);
    if (exp.export) {
      const target = { exp, run: { dir: this.dir, config: this.config } };
      return (await runCommand(target, 'export', { out: path, batch: opts.batchSize ?? null }, this.env)) as string;
    }
    const t = this.model.trainer;
    const noise = t.fixedNoise;
    const batch = opts.batchSize ?? noise.shape[0]!;
    const inputs: ExportInput[] = [{ name: 'noise', shape: [batch, ...noise.shape.slice(1)] }];
    if (t.fixedLabels) inputs.push({ name: 'labels', shape: [batch], dtype: 'int32' });
    const g = this.model.generator;
    const bytes = exportOnnx((z: Tensor, labels?: Tensor) => (labels ? g.forward(z, labels) : g.forward(z)), inputs, { outputNames: ['samples'], dynamicBatch: opts.batchSize === undefined });
    await writeFileAtomic(path, bytes);
    return path;
  }

  /** Frees what the model holds beyond memory (worker threads, classifier sessions). */
  async close(): Promise<void> {
    await this.model.close?.();
  }
}
