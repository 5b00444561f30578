/**
 * The BullMQ processor of sweep trials, run sandboxed (each job in a child process of the worker,
 * so a training step never blocks the worker's lock renewal, and a crash takes only the child).
 * Its return value is the trial's result: it travels back through the queue too.
 */
import type { SandboxedJob } from 'bullmq';
import { exitWithParent, trialEnv } from './child-entry.js';
import { runTrial, type TrialJob, type TrialResult } from './trial.js';

exitWithParent();

export default async function processTrial(job: SandboxedJob<TrialJob, TrialResult>): Promise<TrialResult> {
  return runTrial(job.data, trialEnv(job.data.trialId));
}
