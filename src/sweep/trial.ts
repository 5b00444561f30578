/**
 * One trial of a sweep, run by whichever executor picked it up: an ordinary run folder
 * (`SWEEP/trials/<id>`) trained with the app layer (src/app/runs.ts), so checkpoints and exact
 * resume come for free, and one result file (`SWEEP/results/<id>.json`) written once.
 *
 * Delivery may be at-least-once (a queue re-delivers the job of a killed worker; a re-run sweep
 * meets trials that finished or half-finished): a trial whose result exists is not run again; a
 * trial with a checkpoint resumes from it (its parameters then equal an uninterrupted run's); a
 * trial with a folder but no checkpoint starts over. The result file is created exclusively (a
 * hard link of a complete temporary file), so two deliveries racing to the end write it once.
 */
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { experimentOf, type RunConfig, type RunEnv } from '../app/experiment.js';
import '../app/kinds.js';
import type { MetricsLine } from '../app/run-folder.js';
import { resumeRunFolder, trainRun } from '../app/runs.js';
import { writeJsonAtomic } from '../io/atomic-file.js';
import { WORKER_ENV, workerName } from './child-entry.js';

/** What an executor hands a trial's process (a queue job's data): everything needed, nothing shared but the folder. */
export interface TrialJob {
  /** Absolute path of the sweep folder (shared by every worker). */
  sweepDir: string;
  trialId: string;
  /** The queue's deterministic id (src/sweep/spec.ts jobIdOf). */
  jobId: string;
  params: Record<string, unknown>;
  config: RunConfig;
}

/** One line of results.jsonl. */
export interface TrialResult {
  trial: string;
  jobId: string;
  params: Record<string, unknown>;
  /** The run folder, relative to the sweep folder. */
  dir: string;
  /** Iterations trained. */
  iteration: number;
  /** The last value of every metric in metrics.jsonl (evaluation metrics and loss means). */
  metrics: Record<string, number>;
  /** Which executor or worker process finished it (`host:pid`; its trial ran in a child of it). */
  worker: string;
  /** Whether this delivery resumed a checkpoint another delivery left. */
  resumed: boolean;
  finishedAt: string;
}

/** The run folder of a trial. */
export function trialDir(sweepDir: string, trialId: string): string {
  return join(sweepDir, 'trials', trialId);
}

/** The result file of a trial. */
export function resultPath(sweepDir: string, trialId: string): string {
  return join(sweepDir, 'results', `${trialId}.json`);
}

/**
 * Creates `path` holding `value` unless it exists; true if this call wrote it. The file is whole
 * from its first appearance (written aside, then hard-linked into place; a link never replaces).
 * @example if (!(await writeJsonOnce('results/t0001.json', r))) log('already recorded');
 */
export async function writeJsonOnce(path: string, value: unknown): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeJsonAtomic(tmp, value);
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The recorded result of a trial, or null. */
export async function readResult(sweepDir: string, trialId: string): Promise<TrialResult | null> {
  const path = resultPath(sweepDir, trialId);
  if (!existsSync(path)) return null;
  return JSON.parse(await readFile(path, 'utf8')) as TrialResult;
}

/** The last value of every numeric key over the lines of a metrics.jsonl. */
export async function lastMetrics(runDir: string): Promise<{ iteration: number; metrics: Record<string, number> }> {
  const path = join(runDir, 'metrics.jsonl');
  const metrics: Record<string, number> = {};
  let iteration = 0;
  const text = existsSync(path) ? await readFile(path, 'utf8') : '';
  for (const l of text.split('\n')) {
    if (l.trim() === '') continue;
    const line = JSON.parse(l) as MetricsLine;
    iteration = line.iteration;
    for (const [k, x] of Object.entries(line)) if (typeof x === 'number' && k !== 'iteration' && k !== 'elapsed') metrics[k] = x;
  }
  return { iteration, metrics };
}

/** Raised when a trial stopped before its last iteration (a signal): its job should be retried. */
export class TrialInterrupted extends Error {
  override readonly name = 'TrialInterrupted';
}

/**
 * Runs trial `job` to its end (or returns its recorded result) and records the result once.
 * @example const r = await runTrial(job, env); r.metrics.w1
 */
export async function runTrial(job: TrialJob, env: RunEnv): Promise<TrialResult> {
  const done = await readResult(job.sweepDir, job.trialId);
  if (done) return done;
  const dir = trialDir(job.sweepDir, job.trialId);
  const resumed = existsSync(join(dir, 'checkpoints', 'checkpoint.json'));
  const res = resumed
    ? await resumeRunFolder(dir, env)
    : await trainRun(experimentOf(job.config.kind), job.config, dir, env, { force: true }); // a folder without a checkpoint: nothing to keep
  if (res.interrupted) throw new TrialInterrupted(`trial ${job.trialId} stopped by ${res.interrupted} at iteration ${res.iteration} (checkpoint written; it resumes on the next delivery)`);
  const { iteration, metrics } = await lastMetrics(dir);
  const result: TrialResult = {
    trial: job.trialId,
    jobId: job.jobId,
    params: job.params,
    dir: join('trials', job.trialId),
    iteration,
    metrics,
    worker: process.env[WORKER_ENV] ?? workerName(),
    resumed,
    finishedAt: new Date().toISOString(),
  };
  await mkdir(join(job.sweepDir, 'results'), { recursive: true });
  if (!(await writeJsonOnce(resultPath(job.sweepDir, job.trialId), result))) {
    env.say(`trial ${job.trialId}: another delivery recorded its result first; keeping that one`);
    return (await readResult(job.sweepDir, job.trialId))!;
  }
  return result;
}
