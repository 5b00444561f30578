/**
 * A sweep from spec to table: plan the trials (src/sweep/spec.ts), record the plan in
 * `DIR/sweep.json`, hand the unfinished trials to an executor (src/sweep/executors.ts), and collect
 * every recorded result into `DIR/results.jsonl` (one line per trial, in plan order) and
 * `DIR/report.html`. Running the same sweep again in the same folder skips finished trials and
 * resumes interrupted ones from their checkpoints; a different sweep in that folder is refused.
 *
 *   DIR/sweep.json          the plan: name, kind, spec, each trial's id, job id and values
 *   DIR/trials/<id>/        each trial's run folder (config.json, metrics.jsonl, checkpoints, report)
 *   DIR/results/<id>.json   each trial's result, written once
 *   DIR/results.jsonl       every result, collected
 *   DIR/report.html         the table (and Table 5's successes per threshold)
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { ConfigError } from '../app/settings.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-file.js';
import { RunFolderError } from '../app/run-folder.js';
import type { Executor, Outcome } from './executors.js';
import { checkSweepSpec, jobIdOf, type SweepPlan, type SweepSpec } from './spec.js';
import { summarize, sweepReportHtml, type SweepSummary } from './summary.js';
import { readResult, resultPath, type TrialJob, type TrialResult } from './trial.js';

/** The plan as saved in DIR/sweep.json. */
export interface SavedPlan {
  name: string;
  kind: string;
  spec: SweepSpec;
  trials: { id: string; jobId: string; params: Record<string, unknown> }[];
}

/**
 * Reads and checks a sweep spec file; its name defaults to the file's.
 * @example const { spec, name } = await readSweepSpec('sweeps/lambda.json');
 */
export async function readSweepSpec(path: string): Promise<{ spec: SweepSpec; name: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read sweep spec '${path}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`sweep spec '${path}' is not valid JSON: ${(e as Error).message}`);
  }
  const spec = checkSweepSpec(raw, `sweep spec '${path}'`);
  return { spec, name: spec.name ?? basename(path, extname(path)) };
}

/** The jobs of a plan in folder `dir`. */
export function jobsOf(plan: SweepPlan, dir: string): TrialJob[] {
  const abs = resolve(dir);
  return plan.trials.map((t) => ({ sweepDir: abs, trialId: t.id, jobId: jobIdOf(abs, t), params: t.params, config: t.config }));
}

/**
 * Writes DIR/sweep.json, or checks that the one there is the same sweep (same trials, same job ids).
 * A different sweep in the folder is a {@link RunFolderError} naming the first trial that differs.
 */
export async function recordPlan(plan: SweepPlan, dir: string, jobs: readonly TrialJob[]): Promise<void> {
  const saved: SavedPlan = { name: plan.name, kind: plan.kind, spec: plan.spec, trials: jobs.map((j) => ({ id: j.trialId, jobId: j.jobId, params: j.params })) };
  const path = join(dir, 'sweep.json');
  if (existsSync(path)) {
    const old = JSON.parse(await readFile(path, 'utf8')) as SavedPlan;
    const changed = saved.trials.find((t, i) => t.jobId !== old.trials[i]?.jobId);
    const differs = changed ? `trial ${changed.id} differs` : old.trials.length !== saved.trials.length ? `it has ${old.trials.length} trials, this spec ${saved.trials.length}` : undefined;
    if (differs) throw new RunFolderError(`'${dir}' holds another sweep (${differs}); choose another --out`);
    return;
  }
  if (existsSync(dir) && (await readdir(dir)).length > 0) {
    throw new RunFolderError(`output folder '${dir}' is not empty and holds no sweep; choose another --out`);
  }
  await mkdir(join(dir, 'results'), { recursive: true });
  await writeJsonAtomic(path, saved);
}

/** What {@link runSweep} did. */
export interface SweepOutcome {
  dir: string;
  planned: number;
  /** Trials that already had a result before this call. */
  skipped: number;
  results: TrialResult[];
  /** Trials without a result, with why. */
  failed: { trial: string; error: string }[];
  summary: SweepSummary;
}

/**
 * Collects every recorded result of a plan into DIR/results.jsonl (plan order) and DIR/report.html.
 * @example const results = await collectResults(plan, 'sweeps/lambda');
 */
export async function collectResults(plan: SweepPlan, dir: string): Promise<TrialResult[]> {
  const results: TrialResult[] = [];
  for (const t of plan.trials) {
    const r = await readResult(resolve(dir), t.id);
    if (r) results.push(r);
  }
  await writeFileAtomic(join(dir, 'results.jsonl'), new TextEncoder().encode(results.map((r) => `${JSON.stringify(r)}\n`).join('')));
  await writeFile(join(dir, 'report.html'), sweepReportHtml(plan.spec, plan.name, results, plan.trials.length));
  return results;
}

/**
 * Runs a planned sweep in `dir` on `executor` and collects its results.
 * @example const out = await runSweep(plan, 'sweeps/lambda', localExecutor({ concurrency: 2 }), console.error);
 */
export async function runSweep(plan: SweepPlan, dir: string, executor: Executor, log: (line: string) => void = () => undefined): Promise<SweepOutcome> {
  const jobs = jobsOf(plan, dir);
  await recordPlan(plan, dir, jobs);
  const todo: TrialJob[] = [];
  for (const j of jobs) if (!existsSync(resultPath(j.sweepDir, j.trialId))) todo.push(j);
  log(`sweep ${plan.name}: ${jobs.length} trials (${plan.kind}), ${jobs.length - todo.length} already done, ${todo.length} to run on the ${executor.name} executor; folder ${dir}`);
  const failed: SweepOutcome['failed'] = [];
  const metric = plan.spec.metric;
  let finished = 0;
  await executor.run(todo, (job: TrialJob, o: Outcome) => {
    finished++;
    if (o.ok) log(`[${finished}/${todo.length}] trial ${job.trialId} done: ${o.result.iteration} iterations${metric && metric in o.result.metrics ? `, ${metric} ${o.result.metrics[metric]!.toPrecision(4)}` : ''}`);
    else {
      failed.push({ trial: job.trialId, error: o.error });
      log(`[${finished}/${todo.length}] trial ${job.trialId} FAILED: ${o.error}`);
    }
  });
  const results = await collectResults(plan, dir);
  const done = new Set(results.map((r) => r.trial));
  for (const j of todo) if (!done.has(j.trialId) && !failed.some((f) => f.trial === j.trialId)) failed.push({ trial: j.trialId, error: 'not run (the sweep was stopped)' });
  return { dir, planned: jobs.length, skipped: jobs.length - todo.length, results, failed, summary: summarize(plan.spec, results) };
}
