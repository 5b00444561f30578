/**
 * The sweep commands of `wgan-gp`:
 *
 *   wgan-gp sweep SPEC.json|NAME [--out DIR] [--executor local|bullmq] [--concurrency N] [--redis URL]
 *   wgan-gp worker --redis URL [--concurrency N]
 *
 * `sweep` prints the Table-5 summary (when the spec has thresholds) on stdout and its progress on
 * stderr; it exits 0 when every trial has a result, 1 when some failed (a re-run retries them and
 * resumes the rest), 130/143 when stopped by a signal (running trials write a checkpoint first).
 */
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ConfigError } from '../app/settings.js';
import { DEFAULT_LOCK_MS, DEFAULT_QUEUE, type Executor } from './executors.js';
import { SWEEP_PRESETS } from './presets.js';

/** Where the commands write. */
interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

function positiveInt(min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`'${v}' is not an integer >= ${min}.`);
    return n;
  };
}

const queueOptions = (cmd: Command): Command =>
  cmd
    .option('--queue <name>', 'BullMQ queue name', DEFAULT_QUEUE)
    .addOption(new Option('--lock-ms <ms>', "lock of a running trial; a dead worker's trial returns to the queue after it (renewed while the trial trains)").argParser(positiveInt(1000)).default(DEFAULT_LOCK_MS));

/** Resolves when SIGINT or SIGTERM arrives, with its name. */
function nextSignal(): { promise: Promise<'SIGINT' | 'SIGTERM'>; dispose(): void } {
  let dispose = (): void => undefined;
  const promise = new Promise<'SIGINT' | 'SIGTERM'>((resolve) => {
    const on = (s: 'SIGINT' | 'SIGTERM') => (): void => resolve(s);
    const [i, t] = [on('SIGINT'), on('SIGTERM')];
    process.once('SIGINT', i);
    process.once('SIGTERM', t);
    dispose = () => void (process.off('SIGINT', i), process.off('SIGTERM', t));
  });
  return { promise, dispose: () => dispose() };
}

/**
 * Adds `sweep` and `worker` to the program; actions report their exit code through `setCode`.
 * @example addSweepCommands(program, (c) => (code = c), process);
 */
export function addSweepCommands(program: Command, setCode: (code: number) => void, io: Io): void {
  const say = (t: string): void => void io.stderr.write(`${t}\n`);
  const presets = Object.entries(SWEEP_PRESETS).map(([n, p]) => `  ${n.padEnd(20)} ${p.description}`).join('\n');
  queueOptions(
    program
      .command('sweep')
      .description('run a sweep: one run folder per trial of a grid or seeded random search over any settings, results in one table (results.jsonl, report.html)')
      .argument('<spec>', 'sweep spec (JSON file) or the name of a built-in sweep (below)')
      .option('--out <dir>', 'sweep folder (default: sweeps/<name>); a re-run resumes it')
      .addOption(new Option('--executor <name>', 'where trials run: local child processes, or a BullMQ queue on Redis').choices(['local', 'bullmq']).default('local'))
      .addOption(new Option('--concurrency <n>', 'trials at once on this machine (default: cores / threads per trial; bullmq: 0 leaves them to `wgan-gp worker`s)').argParser(positiveInt(0)))
      .option('--redis <url>', 'Redis URL of the BullMQ executor (redis://host:port[/db])')
      .option('--data <path>', "the trials' data (sets the spec's base.data; the built-in sweeps need the CIFAR-10 folder)"),
  )
    .addHelpText('after', `\nBuilt-in sweeps:\n${presets}\n\nSpec keys: name, description, base (a config file's settings, with preset), grid ({ field: [values] }), random ({ trials, seed, fields: { field: [choices] | { uniform | logUniform | int: [a, b] } } }), metric, thresholds, groupBy. Each trial is a run folder DIR/trials/<id>; results in DIR/results.jsonl and DIR/report.html.`)
    .action(async (specArg: string, opts: { out?: string; executor: 'local' | 'bullmq'; concurrency?: number; redis?: string; data?: string; queue: string; lockMs: number }) => {
      const { readSweepSpec, runSweep } = await import('./sweep.js');
      const { planSweep } = await import('./spec.js');
      const { summaryMarkdown } = await import('./summary.js');
      const { existsSync } = await import('node:fs');
      const preset = Object.hasOwn(SWEEP_PRESETS, specArg) && !existsSync(specArg) ? SWEEP_PRESETS[specArg]! : undefined;
      const read = preset ? { spec: preset.spec, name: specArg } : await readSweepSpec(specArg);
      const { name } = read;
      const spec = opts.data === undefined ? read.spec : { ...read.spec, base: { ...read.spec.base, data: opts.data } };
      const plan = planSweep(spec, name, preset ? `sweep '${specArg}'` : `sweep spec '${specArg}'`);
      if (opts.executor === 'bullmq' && opts.redis === undefined) throw new ConfigError('--executor bullmq needs --redis URL');
      if (opts.executor === 'local' && opts.redis !== undefined) throw new ConfigError('--redis is for --executor bullmq');
      const ex = await import('./executors.js');
      const threads = Math.max(...plan.trials.map((t) => t.config.threads));
      const concurrency = opts.concurrency ?? ex.defaultConcurrency(threads);
      if (opts.executor === 'local' && concurrency < 1) throw new ConfigError('--concurrency must be >= 1 with the local executor');
      const executor: Executor =
        opts.executor === 'local'
          ? ex.localExecutor({ concurrency })
          : ex.bullmqExecutor({ redis: opts.redis!, queue: opts.queue, lockMs: opts.lockMs, concurrency, log: say });
      const dir = opts.out ?? join('sweeps', name);
      const signal = nextSignal();
      let stoppedBy: string | undefined;
      void signal.promise.then((s) => {
        stoppedBy = s;
        say(`${s}: starting no more trials; running ones stop after their current iteration with a checkpoint`);
        executor.stop();
      });
      try {
        const out = await runSweep(plan, dir, executor, say);
        const table = summaryMarkdown(out.summary);
        if (table) io.stdout.write(table);
        say(`${out.results.length} of ${out.planned} trials have results: ${join(dir, 'results.jsonl')}, ${join(dir, 'report.html')}`);
        for (const f of out.failed) say(`  ${f.trial}: ${f.error}`);
        if (out.failed.length > 0) say(`re-run the same command to retry them (finished trials are skipped, interrupted ones resume)`);
        setCode(stoppedBy === 'SIGINT' ? 130 : stoppedBy === 'SIGTERM' ? 143 : out.failed.length > 0 ? 1 : 0);
      } finally {
        signal.dispose();
        await executor.close();
      }
    });

  queueOptions(
    program
      .command('worker')
      .description('run sweep trials from a BullMQ queue (any number of machines sharing the sweep folder), each in its own process, until SIGINT/SIGTERM')
      .requiredOption('--redis <url>', 'Redis URL (redis://host:port[/db])')
      .addOption(new Option('--concurrency <n>', 'trials at once (default: cores / 2 threads per trial)').argParser(positiveInt(1))),
  ).action(async (opts: { redis: string; concurrency?: number; queue: string; lockMs: number }) => {
    const { defaultConcurrency, startWorker } = await import('./executors.js');
    const concurrency = opts.concurrency ?? defaultConcurrency(2);
    const worker = startWorker({ redis: opts.redis, queue: opts.queue, lockMs: opts.lockMs, concurrency, log: say });
    await worker.worker.waitUntilReady();
    say(`worker ${process.pid}: queue '${opts.queue}' on ${opts.redis}, ${concurrency} trial(s) at once`);
    const signal = nextSignal();
    const s = await signal.promise;
    say(`${s}: finishing the running trials (each writes a checkpoint and returns to the queue)`);
    await worker.close();
    setCode(s === 'SIGINT' ? 130 : 143);
  });
}
