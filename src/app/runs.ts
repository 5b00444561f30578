/**
 * The life of a run folder, written once for every experiment kind: start a run from a resolved
 * config, read a saved run (its kind from config.json), resume it exactly, load its latest
 * checkpoint, and run a kind's command (sample, eval, export) on it. The kind supplies the parts
 * (src/app/experiment.ts); the loop, logging, checkpoints and signals are run-folder.ts's.
 */
import { totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { applyCheckpoint, CheckpointError, hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../gan/checkpoint.js';
import { writeJsonAtomic } from '../io/atomic-file.js';
import { add } from '../ops/add.js';
import { realize, tensor } from '../tensor/tensor.js';
import { checkSavedConfig, experimentOf, type Experiment, type KindCommand, type RunConfig, type RunEnv, type RunModel, type SavedRun } from './experiment.js';
import { checkRunFolder, createRunFolder, lockRunFolder, readRunJson, resumeRun, RUN_ENTRIES, RunFolderError, runTraining, type RunOptions, type RunResult, type RunSchedule } from './run-folder.js';
import { checkField, checkPartial, ConfigError, defaultsOf } from './settings.js';

/** The kind of runs saved before kinds existed (config.json without `kind`). */
export const LEGACY_KIND = 'toy';

/** The run-loop cadence of a config. */
export function scheduleOf(c: RunConfig): RunSchedule {
  return { iters: c.iters, logEvery: c.logEvery, evalEvery: c.evalEvery, plotEvery: c.plotEvery, checkpointEvery: c.checkpointEvery };
}

/** Options of {@link trainRun}: the loop's (tests stop early with `stopAfter`) and `force`. */
export interface TrainOptions extends Omit<RunOptions, 'reporter'> {
  /** Replace the run in a non-empty folder. */
  force?: boolean;
}

async function withModel<M extends RunModel, T>(model: M, body: (m: M) => Promise<T>): Promise<T> {
  try {
    return await body(model);
  } finally {
    await model.close?.();
  }
}

async function loop<C extends RunConfig, M extends RunModel>(exp: Experiment<C, M>, model: M, c: C, dir: string, env: RunEnv, opts: RunOptions, start = {}): Promise<RunResult> {
  const hooks = await exp.hooks(model, dir, env);
  try {
    return await runTraining(model.trainer, dir, scheduleOf(c), hooks, { ...opts, ...(env.reporter ? { reporter: env.reporter } : {}) }, start);
  } finally {
    await hooks.close?.();
  }
}

/** Largest single tensor, in float32 elements, that typed arrays and onnxruntime buffers hold here. */
const MAX_TENSOR_ELEMENTS = 2 ** 29;

const kebab = (k: string): string => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const gb = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 31 ? 2 : 0)} GB`;

/**
 * Refuses, before anything is allocated or written, a config whose estimated memory exceeds 3/4 of
 * this machine's (or `limitBytes`) or whose largest tensor cannot be allocated; the message names the
 * setting that drives it (as a flag) and its value.
 * @example checkResources(toyExperiment, { ...config, hidden: 100000 }) // throws: --hidden 100000: ...
 */
export function checkResources<C extends RunConfig>(exp: Experiment<C, RunModel>, c: C, limitBytes = 0.75 * totalmem()): void {
  const est = exp.estimate?.(c);
  if (!est) return;
  const flag = `${kebab(est.culprit)} ${String(c[est.culprit])}`;
  if (est.largestTensor > MAX_TENSOR_ELEMENTS) {
    throw new ConfigError(`${flag} is too large: one tensor would hold ${est.largestTensor.toExponential(2)} values (at most ${MAX_TENSOR_ELEMENTS.toExponential(2)}); lower ${kebab(est.culprit)}`);
  }
  if (est.bytes > limitBytes) {
    throw new ConfigError(`${flag} is too large: the run needs about ${gb(est.bytes)} of memory, more than the ${gb(limitBytes)} this machine can give it; lower ${kebab(est.culprit)}`);
  }
}

/**
 * Checks that the backend just selected computes (a one-element sum), so a device that is not there
 * (`--device webgpu` without a GPU) is a clear error before a run folder is made.
 */
export async function checkBackend(device: RunConfig['device']): Promise<void> {
  try {
    await realize([add(tensor([1], [1]), tensor([1], [1]))]);
  } catch (e) {
    const why = (e as Error).message;
    const hint = device === 'webgpu' ? (/adapter/i.test(why) ? 'no WebGPU adapter was found (no supported GPU or driver); use --device cpu' : `WebGPU failed: ${why.split('\n')[0]}`) : why.split('\n')[0];
    throw new RunFolderError(`--device ${device}: the backend cannot run: ${hint}`);
  }
}

/**
 * Starts a new run of kind `exp` in `dir` and trains it for `config.iters` iterations. The folder,
 * the memory the config needs and the backend are checked first, and the folder is created only once
 * the model (and its data) are built, so a bad setting, size, device or data path leaves nothing
 * behind. The folder is locked while the run lasts; a checkpoint of iteration 0 makes it resumable
 * from its first moment.
 * @example await trainRun(toyExperiment, resolveRunConfig(toyExperiment, { preset: 'toy-8gaussians' }), 'runs/8g', env);
 */
export async function trainRun<C extends RunConfig, M extends RunModel>(exp: Experiment<C, M>, config: C, dir: string, env: RunEnv, opts: TrainOptions = {}): Promise<RunResult> {
  const { force = false, ...loopOpts } = opts;
  await checkRunFolder(dir, force);
  const saved = exp.toSaved?.(config) ?? config;
  checkResources(exp, saved);
  await env.useBackend(saved.threads, saved.device, exp.backendHints?.(saved));
  await checkBackend(saved.device);
  return withModel(await exp.build(saved, env, 'train'), async (model) => {
    const lock = await createRunFolder(dir, saved, force, exp.files ?? []);
    try {
      await saveCheckpoint(join(dir, 'checkpoints'), model.trainer, { acc: { sums: {}, counts: {} }, elapsed: 0 });
      return await loop(exp, model, saved, dir, env, loopOpts);
    } finally {
      await lock.release();
    }
  });
}

/** A saved run and its kind. */
export interface ReadRun {
  exp: Experiment;
  run: SavedRun;
}

/**
 * Reads run folder `dir`: its kind (config.json's `kind`; none: a toy run saved before kinds) and
 * its checked config. A missing or damaged config is a {@link RunFolderError}.
 * @example const { exp, run } = await readRun('runs/8g'); run.config.iters
 */
export async function readRun(dir: string): Promise<ReadRun> {
  const path = join(dir, 'config.json');
  const raw = await readRunJson(path, `'${dir}' is not a run folder: '${path}' does not exist`);
  const kind = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? ((raw as { kind?: unknown }).kind ?? LEGACY_KIND) : LEGACY_KIND;
  try {
    const exp = experimentOf(String(kind));
    return { exp, run: { dir, config: checkSavedConfig(exp, raw, path, exp.savedCompat) } };
  } catch (e) {
    // A damaged run folder is a runtime problem, not a usage error.
    throw new RunFolderError((e as Error).message);
  }
}

/** Options of {@link resumeRunFolder}. */
export interface ResumeOptions extends Omit<RunOptions, 'reporter'> {
  /** New total of iterations (a linear learning-rate decay stretches to it). */
  iters?: number;
  /** Runtime overrides for this session (the saved config keeps its own). */
  threads?: number;
  device?: RunConfig['device'];
}

/**
 * Continues run folder `dir` from its latest checkpoint up to `iters` iterations in total (default:
 * the config's). Parameters and metrics.jsonl equal an uninterrupted run's.
 * @example await resumeRunFolder('runs/8g', env, { iters: 2000 });
 */
export async function resumeRunFolder(dir: string, env: RunEnv, opts: ResumeOptions = {}): Promise<RunResult> {
  const { exp, run } = await readRun(dir);
  const { iters, threads, device, ...loopOpts } = opts;
  const c: RunConfig = { ...run.config };
  if (iters !== undefined) c.iters = checkField('iters', exp.fields.iters!, iters, '--iters') as number;
  if (!(await hasCheckpoint(join(dir, 'checkpoints')))) throw new CheckpointError(`cannot resume '${dir}': no checkpoint ('${join(dir, 'checkpoints', 'checkpoint.json')}' is missing)`);
  checkResources(exp, c as RunConfig);
  await env.useBackend(threads ?? c.threads, device ?? c.device, exp.backendHints?.(c));
  await checkBackend(device ?? c.device);
  return withModel(await exp.build(c, env, 'train'), async (model) => {
    const lock = await lockRunFolder(dir, 'resume');
    try {
      const start = await resumeRun(dir, model.trainer);
      if (iters !== undefined && iters <= model.trainer.iteration) {
        throw new ConfigError(`--iters ${iters} does not go beyond the checkpoint of '${dir}' at iteration ${model.trainer.iteration}`);
      }
      if (iters !== undefined) await writeJsonAtomic(join(dir, 'config.json'), c);
      return await loop(exp, model, c, dir, env, loopOpts, start);
    } finally {
      await lock.release();
    }
  });
}

/**
 * Builds a saved run's model and loads its latest checkpoint (for a kind's sample, eval, export).
 * The caller closes it (`model.close?.()`).
 * @example const m = await loadRunModel(exp, run, env); m.trainer.iteration
 */
export async function loadRunModel<C extends RunConfig, M extends RunModel>(exp: Experiment<C, M>, run: SavedRun<C>, env: RunEnv): Promise<M> {
  const ckptDir = join(run.dir, 'checkpoints');
  if (!(await hasCheckpoint(ckptDir))) throw new CheckpointError(`no checkpoint in '${run.dir}' ('${join(ckptDir, 'checkpoint.json')}' is missing)`);
  const model = await exp.build(run.config, env, 'load');
  try {
    applyCheckpoint(model.trainer, await loadCheckpoint(ckptDir));
  } catch (e) {
    await model.close?.();
    throw e;
  }
  return model;
}

/** The commands of a saved run that every kind may have. */
export type RunCommandName = 'sample' | 'evaluate' | 'export';

/**
 * Runs command `name` of run folder `dir`'s kind (or of a run already read) with options `opts` (checked against the command's
 * fields: an option the kind does not take is a {@link ConfigError} naming it), on the run's backend
 * unless `threads` / `device` override it.
 * @example const metrics = await runCommand('runs/8g', 'evaluate', { samples: 5000 }, env);
 */
export async function runCommand(
  target: string | ReadRun,
  name: RunCommandName,
  opts: Readonly<Record<string, unknown>>,
  env: RunEnv,
  runtime: { threads?: number | undefined; device?: RunConfig['device'] | undefined } = {},
): Promise<unknown> {
  const { exp, run } = typeof target === 'string' ? await readRun(target) : target;
  const cmd = exp[name] as KindCommand<RunConfig, unknown> | undefined;
  const verb = name === 'evaluate' ? 'eval' : name;
  if (!cmd) throw new ConfigError(`${verb}: ${exp.kind} runs have no ${verb} command ('${run.dir}')`);
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const checked = { ...defaultsOf(cmd.fields), ...checkPartial(cmd.fields, given, `${verb} of ${exp.kind} runs`) };
  const own = [...RUN_ENTRIES, ...(exp.files ?? [])];
  if (typeof checked.out === 'string' && own.some((e) => resolve(checked.out as string) === resolve(run.dir, e) || resolve(checked.out as string).startsWith(`${resolve(run.dir, e)}/`))) {
    throw new ConfigError(`--out '${checked.out}' is one of the run's own files: choose a file outside ${own.join(', ')}`);
  }
  await env.useBackend(runtime.threads ?? run.config.threads, runtime.device ?? run.config.device);
  return cmd.run(run, checked, runtime.threads === undefined ? env : { ...env, threads: runtime.threads });
}
