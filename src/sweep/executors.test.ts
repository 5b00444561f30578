/**
 * The sweep on both executors (the same tests on each: embedded child processes, and BullMQ on a
 * real redis-server started here), then what a queue adds: a worker killed with kill -9 mid-trial
 * and the trial finished by another with the same final weights as an uninterrupted run, a
 * duplicate delivery that records nothing twice, two workers sharing a queue.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { main } from '../cli/main.js';
import { loadCheckpoint } from '../gan/checkpoint.js';
import { startRedisServer } from '../../test/support/redis-server.js';
import { testFolder } from '../../test/support/run-env.js';
import { bullmqExecutor, localExecutor, redisClient, type Executor } from './executors.js';
import { checkSweepSpec, planSweep, type SweepPlan } from './spec.js';
import { jobsOf, runSweep, type SweepOutcome } from './sweep.js';
import type { TrialResult } from './trial.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'wgan-gp.js');
const tmp = testFolder('wgan-gp-sweep-');
const redis = { url: '', stop: async (): Promise<void> => undefined };
const started = startRedisServer().then((r) => Object.assign(redis, r));
const opened = new Set<Executor>();
after(async () => {
  // A failed test leaves no executor polling a stopped redis-server (the test process would not exit).
  for (const e of opened) {
    e.stop();
    await e.close();
  }
});

after(async () => redis.stop());

/** Tiny toy trials: 8 hidden units, 10 iterations, W1 at the end. */
const TINY = {
  name: 'tiny',
  base: { preset: 'toy-8gaussians', hidden: 8, layers: 1, iters: 10, batchSize: 32, evalEvery: 10, evalSamples: 100, plotEvery: 0, logEvery: 5, checkpointEvery: 5, threads: 1 },
  grid: { lambda: [0.1, 1, 10] },
  metric: 'w1',
  goal: 'min',
  thresholds: [2],
};

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } } as unknown as Parameters<typeof main>[1];
  const code = await main(['node', 'wgan-gp', ...args], io);
  return { code, stdout, stderr };
}

const readJsonl = async (path: string): Promise<TrialResult[]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as TrialResult);

/** The parameters of a run folder's final checkpoint. */
async function finalWeights(runDir: string): Promise<Record<string, Float32Array>> {
  const { tensors } = await loadCheckpoint(join(runDir, 'checkpoints'));
  return Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith('generator.') || k.startsWith('critic.')).map(([k, t]) => [k, t.data]));
}

const resultsByExecutor = new Map<string, TrialResult[]>();

for (const executor of ['local', 'bullmq'] as const) {
  describe(`sweep on the ${executor} executor`, () => {
    const dir = (): string => join(tmp.root, `tiny-${executor}`);
    const args = async (): Promise<string[]> => {
      await started;
      const spec = join(tmp.root, 'tiny.json');
      if (!existsSync(spec)) await writeFile(spec, JSON.stringify(TINY));
      return ['sweep', spec, '--out', dir(), '--executor', executor, '--concurrency', '2', ...(executor === 'bullmq' ? ['--redis', redis.url, '--queue', 'same-sweep'] : [])];
    };

    it('runs every trial as a run folder and collects one result per trial, in plan order', async () => {
      const r = await cli(await args());
      assert.equal(r.code, 0, r.stderr);
      const results = await readJsonl(join(dir(), 'results.jsonl'));
      assert.deepEqual(results.map((x) => x.trial), ['t0000', 't0001', 't0002']);
      assert.deepEqual(results.map((x) => x.params.lambda), [0.1, 1, 10]);
      for (const x of results) {
        assert.equal(x.iteration, 10);
        assert.ok(Number.isFinite(x.metrics.w1), `w1 of ${x.trial}`);
        assert.ok(existsSync(join(dir(), x.dir, 'checkpoints', 'checkpoint.json')));
        const config = JSON.parse(await readFile(join(dir(), x.dir, 'config.json'), 'utf8')) as { lambda: number; hidden: number };
        assert.deepEqual([config.lambda, config.hidden], [x.params.lambda, 8]);
      }
      assert.match(r.stdout, /\| w1 below \| all \(of 3\) \|/);
      assert.match(await readFile(join(dir(), 'report.html'), 'utf8'), /3 of 3 trials finished; ranked by w1/);
      resultsByExecutor.set(executor, results);
    });

    it('skips finished trials when run again, rewriting no result', async () => {
      const before = await stat(join(dir(), 'results', 't0001.json'));
      const ckpt = await stat(join(dir(), 'trials', 't0001', 'checkpoints', 'checkpoint.json'));
      const r = await cli(await args());
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /3 trials \(toy\), 3 already done, 0 to run/);
      assert.equal((await stat(join(dir(), 'results', 't0001.json'))).mtimeMs, before.mtimeMs);
      assert.equal((await stat(join(dir(), 'trials', 't0001', 'checkpoints', 'checkpoint.json'))).mtimeMs, ckpt.mtimeMs);
      assert.equal((await readJsonl(join(dir(), 'results.jsonl'))).length, 3);
    });

    it('refuses another sweep in the same folder, naming the trial that differs', async () => {
      const other = join(tmp.root, `other-${executor}.json`);
      await writeFile(other, JSON.stringify({ ...TINY, grid: { lambda: [0.1, 2, 10] } }));
      const a = await args();
      a[1] = other;
      const r = await cli(a);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /holds another sweep \(trial t0001 differs\)/);
    });
  });
}

describe('the executors agree', () => {
  it('gives the same metrics for the same trials on both executors (training is deterministic)', () => {
    const [a, b] = [resultsByExecutor.get('local'), resultsByExecutor.get('bullmq')];
    assert.ok(a && b, 'both executor suites ran');
    assert.deepEqual(b.map((x) => x.metrics), a.map((x) => x.metrics));
  });
});

/** Starts `wgan-gp worker` on the test's redis; resolves once it listens. */
async function startWorkerProcess(queue: string, lockMs = 2000): Promise<ChildProcess & { log: string[] }> {
  const child = spawn(process.execPath, [BIN, 'worker', '--redis', redis.url, '--queue', queue, '--concurrency', '1', '--lock-ms', String(lockMs)], { stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { log: string[] };
  child.log = [];
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      child.log.push(d.toString());
      if (child.log.join('').includes(`worker ${child.pid}: queue`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${child.log.join('')}`)));
  });
  return child;
}

const exited = (c: ChildProcess): Promise<number | null> => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve(c.exitCode) : new Promise((r) => c.once('exit', (code) => r(code))));

async function until(cond: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const checkpointIteration = async (runDir: string): Promise<number> => {
  try {
    return (JSON.parse(await readFile(join(runDir, 'checkpoints', 'checkpoint.json'), 'utf8')) as { iteration: number }).iteration;
  } catch {
    return -1;
  }
};

/** Runs a sweep on `executor` and closes it (its Redis connections, its workers). */
async function sweepOn(p: SweepPlan, dir: string, executor: Executor): Promise<SweepOutcome> {
  opened.add(executor);
  try {
    return await runSweep(p, dir, executor);
  } finally {
    opened.delete(executor);
    await executor.close();
  }
}

function plan(spec: unknown, name: string): SweepPlan {
  return planSweep(checkSweepSpec(spec, name), name);
}

describe('BullMQ delivery', { timeout: 240_000 }, () => {
  /** One trial long enough to be killed in the middle: 300 iterations, a checkpoint every 20. */
  const LONG = { base: { ...TINY.base, hidden: 16, iters: 300, evalEvery: 0, logEvery: 20, checkpointEvery: 20 } };

  it('finishes the trial of a worker killed with kill -9 on another worker, with the weights of an uninterrupted run', async () => {
    await started;
    const p = plan(LONG, 'long');
    const dir = join(tmp.root, 'killed');
    const sweep = sweepOn(p, dir, bullmqExecutor({ redis: redis.url, queue: 'kill', lockMs: 2000, concurrency: 0, pollMs: 200 }));
    const a = await startWorkerProcess('kill');
    const run = join(dir, 'trials', 't0000');
    await until(async () => (await checkpointIteration(run)) >= 60, 'a checkpoint at iteration 60');
    a.kill('SIGKILL');
    await exited(a);
    // The killed worker's sandboxed trial process goes with it: the run folder stops changing.
    await new Promise((r) => setTimeout(r, 1500));
    const at = await checkpointIteration(run);
    assert.ok(at >= 60 && at < 300, `killed mid-trial (checkpoint at ${at})`);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(await checkpointIteration(run), at, 'no orphan trial process kept training');
    const b = await startWorkerProcess('kill');
    try {
      const out = await sweep;
      assert.deepEqual(out.failed, []);
      const [result] = out.results;
      assert.equal(result!.iteration, 300);
      assert.equal(result!.resumed, true);
      assert.match(result!.worker, new RegExp(`:${b.pid}$`));
    } finally {
      b.kill('SIGTERM');
      await exited(b);
    }
    // The same trial without interruption, on the embedded executor.
    const ref = join(tmp.root, 'uninterrupted');
    const refOut = await sweepOn(p, ref, localExecutor({ concurrency: 1 }));
    assert.equal(refOut.results[0]!.resumed, false);
    const [got, want] = [await finalWeights(run), await finalWeights(join(ref, 'trials', 't0000'))];
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
    for (const k of Object.keys(want)) assert.deepEqual(got[k], want[k], `parameter ${k}`);
    const losses = async (d: string): Promise<unknown[]> => (await readFile(join(d, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => ({ ...(JSON.parse(l) as object), elapsed: 0 }));
    assert.deepEqual(await losses(run), await losses(join(ref, 'trials', 't0000')));
  });

  it('records a duplicate delivery of a finished trial once, without training again', async () => {
    await started;
    const dir = join(tmp.root, 'tiny-bullmq'); // finished by the suite above
    const p = plan(TINY, 'tiny');
    const jobs = jobsOf(p, dir);
    const resultFile = join(dir, 'results', 't0000.json');
    const [before, ckpt] = [await readFile(resultFile, 'utf8'), await stat(join(dir, 'trials', 't0000', 'checkpoints', 'checkpoint.json'))];
    const connection = redisClient(redis.url);
    const queue = new Queue('same-sweep', { connection });
    try {
      // The same job id again: the queue keeps one job.
      await queue.add('trial', jobs[0], { jobId: jobs[0]!.jobId });
      assert.equal((await queue.getJobCounts('completed', 'waiting', 'active')).completed, 3);
      // The same trial delivered again under another id (a re-delivery the queue did not catch).
      const dup = { ...jobs[0]!, jobId: `${jobs[0]!.jobId}-again` };
      const ex = bullmqExecutor({ redis: redis.url, queue: 'same-sweep', concurrency: 1, pollMs: 100 });
      let outcome: unknown;
      try {
        await ex.run([dup], (_j, o) => (outcome = o));
      } finally {
        await ex.close();
      }
      assert.equal((outcome as { ok: boolean }).ok, true);
      assert.equal(await readFile(resultFile, 'utf8'), before);
      assert.equal((await stat(join(dir, 'trials', 't0000', 'checkpoints', 'checkpoint.json'))).mtimeMs, ckpt.mtimeMs);
      const r = await cli(['sweep', join(tmp.root, 'tiny.json'), '--out', dir, '--executor', 'bullmq', '--redis', redis.url, '--queue', 'same-sweep', '--concurrency', '0']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual((await readJsonl(join(dir, 'results.jsonl'))).map((x) => x.trial), ['t0000', 't0001', 't0002']);
    } finally {
      await queue.close();
      await connection.quit();
    }
  });

  it('shares one queue between two workers', async () => {
    await started;
    const [w1, w2] = await Promise.all([startWorkerProcess('shared'), startWorkerProcess('shared')]);
    try {
      const p = plan({ ...TINY, base: { ...TINY.base, iters: 40 }, grid: { lambda: [0.1, 1, 10, 100] } }, 'shared');
      const out = await sweepOn(p, join(tmp.root, 'shared'), bullmqExecutor({ redis: redis.url, queue: 'shared', concurrency: 0, pollMs: 200 }));
      assert.equal(out.results.length, 4);
      const workers = new Set(out.results.map((r) => r.worker.split(':').pop()));
      assert.deepEqual([...workers].sort(), [String(w1.pid), String(w2.pid)].sort());
    } finally {
      w1.kill('SIGTERM');
      w2.kill('SIGTERM');
      assert.equal(await exited(w1), 143);
      assert.equal(await exited(w2), 143);
    }
  });
});
