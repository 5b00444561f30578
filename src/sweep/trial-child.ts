/**
 * A child process of the embedded executor (src/sweep/executors.ts): receives one {@link TrialJob}
 * over IPC, runs it and answers `{ result }` or `{ error }`, then exits.
 */
import { exitWithParent, trialEnv } from './child-entry.js';
import { runTrial, type TrialJob } from './trial.js';

exitWithParent();
process.once('message', (job: TrialJob) => {
  runTrial(job, trialEnv(job.trialId)).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (e: Error) => process.send!({ error: `${e.name}: ${e.message}` }, () => process.exit(1)),
  );
});
