/**
 * The training loop of a run folder, shared by every experiment kind (each plugs in its evaluation
 * and plots through {@link RunHooks}):
 *
 * - runs generator iterations of a {@link Trainer} up to `iters`;
 * - every `logEvery` iterations appends one JSON object to `metrics.jsonl` (the iteration, elapsed
 *   seconds, the means of the losses since the previous line, and the hook's metrics every
 *   `evalEvery` iterations);
 * - every `plotEvery` iterations (and at the end) calls the plot hook;
 * - every `checkpointEvery` iterations (and at the end) writes a checkpoint;
 * - on SIGINT/SIGTERM finishes the current iteration, writes a checkpoint and plots, and returns
 *   `interrupted` (a second signal exits at once; the checkpoint on disk is always whole).
 *
 * {@link resumeRun} restores the latest checkpoint and drops the log lines written after it, so a
 * resumed run's parameters and metrics.jsonl equal those of an uninterrupted run.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-file.js';
import { FolderLockedError, LOCK_NAME, lockFolder, type FolderLock } from '../io/folder-lock.js';
import { checkWritableFolder, readRegularFile, removeStaleTemps, TEMP_FILE } from '../io/safe-fs.js';
import { applyCheckpoint, checkpointTensors, CheckpointError, hasCheckpoint, loadCheckpoint, nonFiniteEntry, saveCheckpoint } from '../gan/checkpoint.js';
import type { IterationStats, Trainer } from '../gan/trainer.js';
import { toHost } from '../tensor/tensor.js';

/** One line of metrics.jsonl. */
export interface MetricsLine {
  /** Generator iterations completed. */
  iteration: number;
  /** Seconds of training so far (across resumes). */
  elapsed: number;
  /** Means over the iterations since the previous line. */
  criticLoss: number;
  /** Mean of E[D(real)] − E[D(fake)]: the Wasserstein estimate of WGANs. */
  wasserstein: number;
  generatorLoss?: number;
  penalty?: number;
  gradNorm?: number;
  /** AC-GAN runs: the critic's and the generator's class cross-entropies, before their weights. */
  criticAcgan?: number;
  generatorAcgan?: number;
  /** The metrics a kind adds at evaluation iterations (RunHooks.evaluate: e.g. w1, inceptionScore, fid, js4). */
  [metric: string]: number | undefined;
}

/** Receives progress events (the CLI draws a bar or prints lines). */
export interface RunReporter {
  start?(info: { dir: string; startIteration: number; iters: number }): void;
  iteration?(iteration: number, stats: IterationStats): void;
  logged?(line: MetricsLine): void;
  message?(text: string): void;
  stop?(): void;
}

/** What an experiment adds to the loop. */
export interface RunHooks {
  /** Metrics merged into the log line of an evaluation iteration (e.g. toy metrics, Inception Score). */
  evaluate?(iteration: number): Promise<Record<string, number>>;
  /** Writes plots and the report (called every `plotEvery` iterations, at the end and when stopping). */
  plot?(iteration: number): Promise<void>;
  /** Frees what the hooks hold (a classifier session); called once the loop ends. */
  close?(): Promise<void>;
}

/** Cadence of a run's side effects. */
export interface RunSchedule {
  iters: number;
  logEvery: number;
  /** 0: never evaluate. */
  evalEvery: number;
  /** 0: plot only at the end. */
  plotEvery: number;
  checkpointEvery: number;
}

export interface RunOptions {
  /** Stop after this many completed iterations, as if interrupted (tests). */
  stopAfter?: number;
  /** Catch SIGINT/SIGTERM (default true). */
  handleSignals?: boolean;
  reporter?: RunReporter;
  /**
   * Keep training when a loss or a parameter is NaN or infinite (`--allow-nonfinite`); by default the
   * run stops with a {@link TrainingDivergedError} and no non-finite checkpoint is ever written.
   */
  allowNonfinite?: boolean;
}

export interface RunResult {
  dir: string;
  /** Iterations completed. */
  iteration: number;
  /** Set when the run stopped early. */
  interrupted?: 'SIGINT' | 'SIGTERM' | 'stopAfter';
  /** The last metrics line written in this session. */
  last?: MetricsLine;
}

/** A problem with the run folder (in use, not a run, ...). */
export class RunFolderError extends Error {
  override readonly name = 'RunFolderError';
}

/** A loss or parameter became NaN or infinite: the run stopped, its last good checkpoint kept. */
export class TrainingDivergedError extends Error {
  override readonly name = 'TrainingDivergedError';
}

/** The files and folders a run writes (removed by `--force`). */
export const RUN_ENTRIES: readonly string[] = ['config.json', 'metrics.jsonl', 'metrics.csv', 'plots', 'checkpoints', 'report.html'];

/** Folders `--force` never empties: the file-system root, the home folder, the current folder. */
function rootLike(dir: string): string | undefined {
  const abs = resolve(dir);
  if (abs === resolve('/')) return 'the file-system root';
  if (abs === resolve(homedir())) return 'your home folder';
  if (abs === process.cwd()) return 'the current folder';
  return undefined;
}

/**
 * Whether folder `dir` holds a run this tool wrote: a config.json that is a JSON object with the
 * settings every run has, or a checkpoint manifest.
 */
async function holdsRun(dir: string): Promise<boolean> {
  if (await hasCheckpoint(join(dir, 'checkpoints'))) return true;
  try {
    const c = JSON.parse((await readRegularFile(join(dir, 'config.json'))).toString('utf8')) as Record<string, unknown>;
    return typeof c === 'object' && c !== null && ['iters', 'seed', 'loss', 'lr'].every((k) => Object.hasOwn(c, k));
  } catch {
    return false;
  }
}

/**
 * Throws a {@link RunFolderError} unless `dir` can hold a new run: a non-empty path to a folder that
 * does not exist or is empty, on a writable file system; with `force`, a folder that holds a run
 * (never one that is not a run, nor the root, home or current folder). Changes nothing.
 */
export async function checkRunFolder(dir: string, force: boolean): Promise<void> {
  if (dir.trim() === '') throw new RunFolderError(`--out is empty: name the run folder (default: runs/<preset>-<time>)`);
  try {
    await checkWritableFolder(dir, '--out');
  } catch (e) {
    throw new RunFolderError((e as Error).message);
  }
  if (!existsSync(dir)) return;
  let entries: string[];
  try {
    entries = (await readdir(dir)).filter((e) => e !== LOCK_NAME && !TEMP_FILE.test(e));
  } catch (e) {
    throw new RunFolderError(`cannot use '${dir}' as a run folder: ${(e as Error).message}`);
  }
  if (entries.length === 0) return;
  const isRun = await holdsRun(dir);
  if (!force) {
    const what = isRun ? 'holds another run' : 'is not empty';
    throw new RunFolderError(`output folder '${dir}' ${what}; choose another --out${isRun ? ', or pass --force to overwrite it' : ''}`);
  }
  const root = rootLike(dir);
  if (root) throw new RunFolderError(`--force refused: '${dir}' is ${root}; name the run folder itself`);
  if (!isRun) throw new RunFolderError(`--force refused: '${dir}' is not empty and holds no run (no run config.json or checkpoint); --force only replaces a run`);
}

/**
 * The JSON of file `path` in a run folder; a missing file (message `missing`) or bad JSON is a {@link RunFolderError}.
 * A byte-order mark is skipped; a FIFO or device is refused without reading it.
 * @example const raw = await readRunJson(join(dir, 'config.json'), `'${dir}' is not a run folder`);
 */
export async function readRunJson(path: string, missing: string): Promise<unknown> {
  let text: string;
  try {
    text = (await readRegularFile(path)).toString('utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    throw new RunFolderError((e as NodeJS.ErrnoException).code === 'ENOENT' ? missing : (e as Error).message);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RunFolderError(`'${path}' is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Takes the exclusive lock of run folder `dir` (see src/io/folder-lock.ts) and removes the
 * temporary files of writes that a crash interrupted. Another live process holding it is a
 * {@link RunFolderError} naming it.
 * @example const lock = await lockRunFolder('runs/a', 'resume'); try { ... } finally { await lock.release(); }
 */
export async function lockRunFolder(dir: string, command: string): Promise<FolderLock> {
  let lock: FolderLock;
  try {
    lock = await lockFolder(dir, command);
  } catch (e) {
    if (e instanceof FolderLockedError) throw new RunFolderError(e.message);
    throw new RunFolderError(`cannot lock run folder '${dir}': ${(e as Error).message}`);
  }
  await removeStaleTemps([dir, join(dir, 'checkpoints'), join(dir, 'plots')]);
  return lock;
}

/**
 * Makes `dir` a fresh run folder holding `config` (config.json) and an empty metrics.jsonl, and
 * returns its lock (the caller releases it); with `force`, a previous run's files (`RUN_ENTRIES` and
 * `extra`) are removed first, and nothing else.
 */
export async function createRunFolder(dir: string, config: unknown, force: boolean, extra: readonly string[] = []): Promise<FolderLock> {
  await checkRunFolder(dir, force);
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new RunFolderError(`cannot create run folder '${dir}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const lock = await lockRunFolder(dir, 'train');
  try {
    await checkRunFolder(dir, force); // another process may have written there meanwhile
    if (force) for (const e of [...RUN_ENTRIES, ...extra]) await rm(join(dir, e), { recursive: true, force: true });
    await mkdir(join(dir, 'plots'), { recursive: true });
    await writeJsonAtomic(join(dir, 'config.json'), config);
    await writeFileAtomic(join(dir, 'metrics.jsonl'), new Uint8Array());
  } catch (e) {
    await lock.release();
    throw e;
  }
  return lock;
}

/** Means of the losses over a logging interval (saved in checkpoints so resumed logs are exact). */
interface Accumulator {
  sums: Record<string, number>;
  counts: Record<string, number>;
}

const LOSS_KEYS = ['criticLoss', 'wasserstein', 'generatorLoss', 'penalty', 'gradNorm', 'criticAcgan', 'generatorAcgan'] as const;

/** How a divergence message names each loss. */
const LOSS_NAMES: Readonly<Record<(typeof LOSS_KEYS)[number], string>> = {
  criticLoss: 'critic loss',
  wasserstein: 'Wasserstein estimate',
  generatorLoss: 'generator loss',
  penalty: 'gradient penalty',
  gradNorm: 'critic gradient norm',
  criticAcgan: 'critic class loss',
  generatorAcgan: 'generator class loss',
};

/** "training diverged at iteration N (critic loss NaN)", and where the last good checkpoint is. */
async function diverged(ckptDir: string, iteration: number, what: string): Promise<TrainingDivergedError> {
  let kept = 'no checkpoint was written';
  try {
    if (await hasCheckpoint(ckptDir)) kept = `the last good checkpoint (iteration ${(await loadCheckpoint(ckptDir)).manifest.iteration}) is kept in '${ckptDir}'`;
  } catch {
    // Reported as it is: the message is about the divergence.
  }
  return new TrainingDivergedError(`training diverged at iteration ${iteration} (${what}); ${kept}. Lower --lr (or λ), or pass --allow-nonfinite to keep training`);
}

function emptyAcc(): Accumulator {
  return { sums: {}, counts: {} };
}

function accumulate(acc: Accumulator, stats: IterationStats): void {
  for (const k of LOSS_KEYS) {
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

/** Where a loop starts: fresh, or from a checkpoint's saved accumulators and elapsed time. */
export interface RunStart {
  acc?: Accumulator;
  elapsed?: number;
}

/**
 * Restores the latest checkpoint of run folder `dir` into `trainer` and drops the lines of
 * metrics.jsonl written after it. Returns where {@link runTraining} continues.
 * @example const start = await resumeRun(dir, trainer); await runTraining(trainer, dir, schedule, hooks, opts, start);
 */
export async function resumeRun(dir: string, trainer: Trainer): Promise<RunStart> {
  const ckptDir = join(dir, 'checkpoints');
  if (!(await hasCheckpoint(ckptDir))) throw new CheckpointError(`cannot resume '${dir}': no checkpoint ('${join(ckptDir, 'checkpoint.json')}' is missing)`);
  const ckpt = await loadCheckpoint(ckptDir);
  applyCheckpoint(trainer, ckpt);
  const extra = ckpt.manifest.extra as { acc?: Accumulator; elapsed?: number };
  const metricsPath = join(dir, 'metrics.jsonl');
  const text = existsSync(metricsPath) ? await readFile(metricsPath, 'utf8') : '';
  const kept = text.split('\n').filter((l) => {
    if (l.trim() === '') return false;
    try {
      return (JSON.parse(l) as MetricsLine).iteration <= ckpt.manifest.iteration;
    } catch {
      return false; // a line torn by a crash
    }
  });
  await writeFileAtomic(metricsPath, new TextEncoder().encode(kept.map((l) => `${l}\n`).join('')));
  const start: RunStart = {};
  if (extra.acc) start.acc = extra.acc;
  if (extra.elapsed !== undefined) start.elapsed = extra.elapsed;
  return start;
}

/**
 * Trains `trainer` in run folder `dir` (see the file comment for what is written when).
 * @example const res = await runTraining(trainer, 'runs/a', { iters: 1000, logEvery: 100, evalEvery: 100, plotEvery: 500, checkpointEvery: 500 });
 */
export async function runTraining(
  trainer: Trainer,
  dir: string,
  schedule: RunSchedule,
  hooks: RunHooks = {},
  opts: RunOptions = {},
  start: RunStart = {},
): Promise<RunResult> {
  const { iters, logEvery, evalEvery, plotEvery, checkpointEvery } = schedule;
  const rep = opts.reporter ?? {};
  const metricsPath = join(dir, 'metrics.jsonl');
  const ckptDir = join(dir, 'checkpoints');
  let acc = start.acc ?? emptyAcc();
  const elapsedBefore = start.elapsed ?? 0;
  const t0 = performance.now();
  const elapsed = (): number => elapsedBefore + (performance.now() - t0) / 1000;
  let last: MetricsLine | undefined;
  let signal: 'SIGINT' | 'SIGTERM' | undefined;
  const onSignal = (s: 'SIGINT' | 'SIGTERM') => (): void => {
    // A second signal leaves at once: the checkpoint on disk is always whole (atomic writes).
    if (signal) process.exit(s === 'SIGINT' ? 130 : 143);
    signal = s;
    rep.message?.(`\n${s}: finishing the current iteration, then writing a checkpoint (press again to quit at once)`);
  };
  const handlers = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') };
  const handle = opts.handleSignals ?? true;
  if (handle) {
    process.on('SIGINT', handlers.SIGINT);
    process.on('SIGTERM', handlers.SIGTERM);
  }
  const allowNonfinite = opts.allowNonfinite ?? false;
  let saved = trainer.iteration; // the iteration of the checkpoint on disk (a run starts from one)
  const checkpoint = async (): Promise<string> => {
    if (!allowNonfinite) {
      // Parameters are checked where they are written (a GPU run would pay a copy per step).
      const tensors = checkpointTensors(trainer);
      await toHost(Object.values(tensors));
      const bad = nonFiniteEntry(tensors);
      if (bad) throw await diverged(ckptDir, trainer.iteration, `${bad.name} ${bad.value}`);
    }
    try {
      const path = await saveCheckpoint(ckptDir, trainer, { acc, elapsed: elapsed() }, { allowNonfinite });
      saved = trainer.iteration;
      return path;
    } catch (e) {
      // Disk full, file-size limit, read-only: the write is atomic, so the previous checkpoint stands.
      throw new RunFolderError(`${(e as Error).message}; the last checkpoint (iteration ${saved}) in '${ckptDir}' is intact: free space, then resume`);
    }
  };
  let stoppedBy: RunResult['interrupted'];
  try {
    rep.start?.({ dir, startIteration: trainer.iteration, iters });
    while (trainer.iteration < iters) {
      let stats: IterationStats;
      try {
        stats = await trainer.iterate();
      } catch (e) {
        // A data file that fails mid-run (--strict-data), a backend error: say what is kept.
        if (e instanceof Error) e.message += `; the last checkpoint (iteration ${saved}) in '${ckptDir}' is kept: fix the problem, then resume`;
        throw e;
      }
      const it = trainer.iteration;
      if (!allowNonfinite) {
        const bad = LOSS_KEYS.find((k) => stats[k] !== undefined && !Number.isFinite(stats[k]));
        if (bad) throw await diverged(ckptDir, it, `${LOSS_NAMES[bad]} ${stats[bad]}`);
      }
      accumulate(acc, stats);
      const done = it === iters;
      rep.iteration?.(it, stats);
      const evaluate = evalEvery > 0 && (it % evalEvery === 0 || done) && hooks.evaluate !== undefined;
      if (it % logEvery === 0 || done || evaluate) {
        const line = { iteration: it, elapsed: Math.round(elapsed() * 1000) / 1000, ...means(acc) } as MetricsLine;
        if (evaluate) Object.assign(line, await hooks.evaluate!(it));
        await appendFile(metricsPath, `${JSON.stringify(line)}\n`);
        acc = emptyAcc();
        last = line;
        rep.logged?.(line);
      }
      if ((plotEvery > 0 && it % plotEvery === 0) || done) await hooks.plot?.(it);
      if (it % checkpointEvery === 0 || done) await checkpoint();
      if (!done && (signal || (opts.stopAfter !== undefined && it >= opts.stopAfter))) {
        stoppedBy = signal ?? 'stopAfter';
        if (it % checkpointEvery !== 0) await checkpoint();
        await hooks.plot?.(it);
        break;
      }
    }
  } finally {
    rep.stop?.();
    if (handle) {
      process.off('SIGINT', handlers.SIGINT);
      process.off('SIGTERM', handlers.SIGTERM);
    }
  }
  const result: RunResult = { dir, iteration: trainer.iteration };
  if (stoppedBy) result.interrupted = stoppedBy;
  if (last) result.last = last;
  return result;
}
