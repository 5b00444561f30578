/**
 * Where a sweep's trials run, behind one interface ({@link Executor}):
 *
 * - `local` (the default): a pool of child processes on this machine, one trial per process,
 *   `concurrency` at a time; needs no service.
 * - `bullmq`: one BullMQ queue on Redis; the sweep enqueues a job per trial under a deterministic
 *   id (a re-run enqueues nothing twice) and waits; workers (`wgan-gp worker --redis URL`, on any
 *   number of machines sharing the sweep folder, and `concurrency` of them in the sweep's own
 *   process) run each job sandboxed in a child process. Delivery is at-least-once (a killed
 *   worker's job comes back when its lock expires); src/sweep/trial.ts makes that safe: a
 *   re-delivered trial resumes its checkpoint, and its result is written once.
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { ConfigError } from '../app/settings.js';
import { childEntry, WORKER_ENV, workerName } from './child-entry.js';
import { readResult, writeJsonOnce, resultPath, type TrialJob, type TrialResult } from './trial.js';

/** How a trial ended. */
export type Outcome = { ok: true; result: TrialResult } | { ok: false; error: string };

/** Runs trials somewhere; `onDone` hears of each as it ends. */
export interface Executor {
  readonly name: string;
  /** Runs every job to an outcome (a failed trial does not stop the others); resolves when all have one, or once `stop()` was called and running trials ended. */
  run(jobs: readonly TrialJob[], onDone: (job: TrialJob, outcome: Outcome) => void): Promise<void>;
  /** Starts no more trials (Ctrl-C); running ones stop at their next iteration with a checkpoint. */
  stop(): void;
  close(): Promise<void>;
}

/**
 * The default number of trials at once: the machine's cores over the threads each trial uses.
 * @example defaultConcurrency(2) // 1 on a 2-core machine
 */
export function defaultConcurrency(threadsPerTrial: number): number {
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, threadsPerTrial)));
}

/**
 * The embedded executor: a pool of `concurrency` child processes, one trial each.
 * @example await localExecutor({ concurrency: 2 }).run(jobs, (job, o) => console.log(job.trialId, o.ok));
 */
export function localExecutor(opts: { concurrency: number; log?: (line: string) => void }): Executor {
  const entry = childEntry('trial-child');
  const children = new Set<ReturnType<typeof fork>>();
  let stopped = false;
  const runOne = (job: TrialJob): Promise<Outcome> =>
    new Promise((resolve) => {
      const child = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true, env: { ...process.env, [WORKER_ENV]: workerName() } });
      children.add(child);
      let answer: Outcome | undefined;
      child.on('message', (m: { result?: TrialResult; error?: string }) => {
        answer = m.result ? { ok: true, result: m.result } : { ok: false, error: m.error ?? 'no answer' };
      });
      child.on('exit', (code, signal) => {
        children.delete(child);
        resolve(answer ?? { ok: false, error: `trial process exited with ${signal ?? `code ${code}`} before answering` });
      });
      child.send(job);
    });
  return {
    name: 'local',
    async run(jobs, onDone) {
      const queue = [...jobs];
      const lane = async (): Promise<void> => {
        for (let job = queue.shift(); job && !stopped; job = queue.shift()) onDone(job, await runOne(job));
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, jobs.length)) }, lane));
    },
    stop() {
      stopped = true;
      for (const c of children) c.kill('SIGINT');
    },
    async close() {
      for (const c of children) c.kill('SIGKILL');
    },
  };
}

/** The queue of sweep trials (one queue; `--queue` names another). */
export const DEFAULT_QUEUE = 'wgan-gp-trials';

/**
 * Lock of a job in progress. Renewed every half-period by the worker's main process while the trial
 * trains in its sandbox, so a long training step never loses it; only a dead or cut-off worker does,
 * and its job goes back to the queue this long after it was last renewed.
 */
export const DEFAULT_LOCK_MS = 60_000;

/** Options of the BullMQ side of a sweep and of a worker. */
export interface QueueOptions {
  /** redis://[user:password@]host:port[/db] */
  redis: string;
  queue?: string;
  lockMs?: number;
  log?: (line: string) => void;
}

/**
 * Checks a redis:// URL (a usage error names it).
 * @example checkRedisUrl('redis://127.0.0.1:6379/0')
 */
export function checkRedisUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`--redis: '${url}' is not a URL (expected redis://host:port[/db])`);
  }
  if (u.protocol !== 'redis:') throw new ConfigError(`--redis: '${url}' is not a redis:// URL (expected redis://host:port[/db])`);
  if (u.pathname.length > 1 && !/^\/\d+$/.test(u.pathname)) throw new ConfigError(`--redis: database '${u.pathname.slice(1)}' of '${url}' is not a number`);
}

/**
 * A client of the Redis at `url` (BullMQ under ESM takes a client rather than options). Workers
 * block on the queue, so commands retry for ever rather than fail (`maxRetriesPerRequest: null`).
 * The caller closes it (`quit()`) after the queue or worker that uses it.
 * @example const connection = redisClient('redis://127.0.0.1:6379'); new Queue('q', { connection });
 */
export function redisClient(url: string): Redis {
  checkRedisUrl(url);
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** A running worker and how to stop it (running trials stop at their next iteration with a checkpoint and go back to the queue). */
export interface SweepWorker {
  worker: Worker<TrialJob, TrialResult>;
  close(): Promise<void>;
}

/**
 * A worker of the sweep queue: `concurrency` trials at once, each in its own child process.
 * @example const w = startWorker({ redis: 'redis://127.0.0.1:6379', concurrency: 1 }); await w.close();
 */
export function startWorker(opts: QueueOptions & { concurrency: number }): SweepWorker {
  const entry = childEntry('processor');
  const lockMs = opts.lockMs ?? DEFAULT_LOCK_MS;
  const connection = redisClient(opts.redis);
  const worker = new Worker<TrialJob, TrialResult>(opts.queue ?? DEFAULT_QUEUE, entry.path, {
    connection,
    concurrency: opts.concurrency,
    lockDuration: lockMs,
    // Look for jobs whose worker died as often as a lock can expire.
    stalledInterval: Math.min(lockMs, 30_000),
    // A trial may be re-delivered after several worker deaths; each resumes its checkpoint.
    maxStalledCount: 20,
    useWorkerThreads: false,
    workerForkOptions: { execArgv: entry.execArgv, env: { ...process.env, [WORKER_ENV]: workerName() } },
  });
  const log = opts.log ?? (() => undefined);
  worker.on('active', (job) => log(`trial ${job.data.trialId}: started (job ${job.id})`));
  worker.on('completed', (job) => log(`trial ${job.data.trialId}: done`));
  worker.on('failed', (job, err) => log(`trial ${job?.data.trialId ?? '?'}: failed: ${err.message}`));
  worker.on('error', (err) => log(`worker error: ${err.message}`));
  return {
    worker,
    async close() {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

/** Attempts of a job before it counts as failed (a trial error, not a worker death: those are stalls). */
export const JOB_ATTEMPTS = 2;

/**
 * The BullMQ executor: enqueues the jobs under their ids and waits for every one to finish on any
 * worker; with `concurrency` > 0 it runs that many sandboxed trials itself.
 * @example await bullmqExecutor({ redis: 'redis://127.0.0.1:6379', concurrency: 0 }).run(jobs, onDone);
 */
export function bullmqExecutor(opts: QueueOptions & { concurrency: number; pollMs?: number }): Executor {
  const connection = redisClient(opts.redis);
  const queue = new Queue<TrialJob, TrialResult>(opts.queue ?? DEFAULT_QUEUE, { connection });
  const worker = opts.concurrency > 0 ? startWorker(opts) : undefined;
  let stopped = false;
  const outcomeOf = async (job: TrialJob): Promise<Outcome | undefined> => {
    const recorded = await readResult(job.sweepDir, job.trialId);
    if (recorded) return { ok: true, result: recorded };
    const qjob: Job<TrialJob, TrialResult> | undefined = await queue.getJob(job.jobId);
    if (!qjob) return { ok: false, error: `job ${job.jobId} is no longer in the queue` };
    const state = await qjob.getState();
    if (state === 'completed' && qjob.returnvalue) {
      // A worker that does not share the sweep folder: its result came back through the queue.
      await writeJsonOnce(resultPath(job.sweepDir, job.trialId), qjob.returnvalue);
      return { ok: true, result: (await readResult(job.sweepDir, job.trialId))! };
    }
    if (state === 'failed') return { ok: false, error: qjob.failedReason || 'failed' };
    return undefined;
  };
  return {
    name: 'bullmq',
    async run(jobs, onDone) {
      await queue.addBulk(jobs.map((j) => ({ name: 'trial', data: j, opts: { jobId: j.jobId, attempts: JOB_ATTEMPTS, removeOnComplete: false, removeOnFail: false } })));
      // A job id already in the queue is not added again; one that failed before is retried now.
      for (const j of jobs) {
        const q = await queue.getJob(j.jobId);
        if (q && (await q.getState()) === 'failed') await q.retry('failed');
      }
      const pending = new Map(jobs.map((j) => [j.jobId, j]));
      while (pending.size > 0 && !stopped) {
        for (const j of [...pending.values()]) {
          const o = await outcomeOf(j);
          if (o) {
            pending.delete(j.jobId);
            onDone(j, o);
          }
        }
        if (pending.size > 0) await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
      }
    },
    stop() {
      stopped = true;
    },
    async close() {
      await worker?.close();
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
