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
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-file.js';
import { applyCheckpoint, CheckpointError, hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../gan/checkpoint.js';
import type { IterationStats, Trainer } from '../gan/trainer.js';

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

/** The files and folders a run writes (removed by `--force`). */
export const RUN_ENTRIES: readonly string[] = ['config.json', 'metrics.jsonl', 'metrics.csv', 'plots', 'checkpoints', 'report.html'];

/**
 * Throws a {@link RunFolderError} unless `dir` can hold a new run: it must not exist or be empty,
 * unless `force`. Changes nothing.
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

/**
 * The JSON of file `path` in a run folder; a missing file (message `missing`) or bad JSON is a {@link RunFolderError}.
 * @example const raw = await readRunJson(join(dir, 'config.json'), `'${dir}' is not a run folder`);
 */
export async function readRunJson(path: string, missing: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new RunFolderError((e as NodeJS.ErrnoException).code === 'ENOENT' ? missing : `'${path}' is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Makes `dir` a fresh run folder holding `config` (config.json) and an empty metrics.jsonl; with
 * `force`, a previous run's files are removed first.
 */
export async function createRunFolder(dir: string, config: unknown, force: boolean): Promise<void> {
  await checkRunFolder(dir, force);
  if (force) for (const e of RUN_ENTRIES) await rm(join(dir, e), { recursive: true, force: true });
  await mkdir(join(dir, 'plots'), { recursive: true });
  await writeJsonAtomic(join(dir, 'config.json'), config);
  await writeFileAtomic(join(dir, 'metrics.jsonl'), new Uint8Array());
}


/** Means of the losses over a logging interval (saved in checkpoints so resumed logs are exact). */
interface Accumulator {
  sums: Record<string, number>;
  counts: Record<string, number>;
}

const LOSS_KEYS = ['criticLoss', 'wasserstein', 'generatorLoss', 'penalty', 'gradNorm', 'criticAcgan', 'generatorAcgan'] as const;

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
  const checkpoint = (): Promise<string> => saveCheckpoint(ckptDir, trainer, { acc, elapsed: elapsed() });
  let stoppedBy: RunResult['interrupted'];
  try {
    rep.start?.({ dir, startIteration: trainer.iteration, iters });
    while (trainer.iteration < iters) {
      const stats = await trainer.iterate();
      accumulate(acc, stats);
      const it = trainer.iteration;
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
