/**
 * The `wgan-gp` command. It knows no experiment kind: every flag, preset, command option and figure
 * comes from the registered kinds (src/app/kinds.ts), and every command goes through the Experiment
 * interface (src/app/experiment.ts, src/app/runs.ts).
 *
 *   wgan-gp train --preset NAME [--out DIR] [--iters N] [flags | --config FILE]
 *   wgan-gp resume DIR [--iters N]
 *   wgan-gp sample DIR [-n/--samples N] [--out FILE]
 *   wgan-gp eval DIR [--samples N]
 *   wgan-gp export DIR [--out FILE] [--batch-size N]
 *   wgan-gp figure NAME --out DIR
 *   wgan-gp sweep SPEC.json [--out DIR] [--executor local|bullmq] [--concurrency N]   (src/sweep/commands.ts)
 *   wgan-gp worker --redis URL
 *
 * The kind is picked once: from `--preset`, else from the config file's `kind` or `preset`, else the
 * default kind (toy); a saved run's kind is config.json's. A flag of another kind is a usage error.
 *
 * Exit codes: 0 success; 1 a runtime problem (missing or corrupted checkpoint, output folder in use,
 * failed run); 2 bad usage (unknown command, flag, preset or setting, invalid value); 130/143 the
 * run was interrupted by SIGINT/SIGTERM after writing a checkpoint. Every error is one line
 * `wgan-gp: error: ...` on stderr.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEVICES, type DeviceName } from '../app/common.js';
import { experimentOf, experiments, kindOfPreset, resolveRunConfig, type BackendHints, type Experiment, type Figure, type RunEnv } from '../app/experiment.js';
import '../app/kinds.js';
import type { RunResult } from '../app/run-folder.js';
import type { RunCommandName } from '../app/runs.js';
import { ConfigError, type Field, type Fields } from '../app/settings.js';
import { readRegularFile } from '../io/safe-fs.js';
import { addSweepCommands } from '../sweep/commands.js';
import { PROGRESS_MODES, progressReporter, type ProgressMode } from './progress.js';

/** Exit codes of the command. */
export const EXIT = { ok: 0, failure: 1, usage: 2, sigint: 130, sigterm: 143 } as const;

/** The package's version (package.json sits two folders up from src/cli and from dist/cli). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** onnxruntime threads when neither a flag nor a config sets them: the machine's cores. */
export const DEFAULT_THREADS: number = availableParallelism();

const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (flag: string): string => flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Flag names that differ from their setting's key, so that one concept has one name across commands
 * (a number of generator samples is `--samples` for sample, eval and train's `--eval-samples`; a batch
 * size is `--batch-size`). The key's own spelling stays accepted as a hidden, deprecated alias.
 */
const FLAG_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  sample: { num: 'samples' },
  export: { batch: 'batch-size' },
};
/** Command options that do nothing any more: accepted (hidden from help) so old command lines still work. */
const NO_OP_FLAGS: Readonly<Record<string, readonly string[]>> = { export: ['onnx'] };

/** The flag of setting `k` in `command`. */
const flagOf = (k: string, command = 'train'): string => `--${FLAG_NAMES[command]?.[k] ?? kebab(k)}`;

/** A decimal number as people write it (1000, -0.5, 1e-4); not '0x10', '', ' 1', 'Infinity' (Number() takes all of those). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseNumber(v: string): number {
  const n = Number(v);
  if (!DECIMAL.test(v) || !Number.isFinite(n)) throw new InvalidArgumentError(`'${v}' is not a decimal number.`);
  return n;
}

function parseInteger(v: string): number {
  const n = parseNumber(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`'${v}' is not an integer.`);
  return n;
}

/** A field declared by one or more kinds, and which kinds declare it. */
interface SharedField {
  field: Field<unknown>;
  /** The names a choice flag accepts over all kinds. */
  choices: Set<string>;
  kinds: string[];
  helps: Map<string, string[]>;
}

/** The union of fields over kinds (the first declaration gives the flag's form), with the kinds that have each. */
function unionOf(entries: readonly (readonly [string, Fields])[]): Map<string, SharedField> {
  const out = new Map<string, SharedField>();
  for (const [kind, fields] of entries) {
    for (const [k, f] of Object.entries(fields)) {
      const s = out.get(k) ?? { field: f, choices: new Set<string>(), kinds: [], helps: new Map<string, string[]>() };
      if (typeof f.flag === 'object') for (const c of f.flag.choices) s.choices.add(c);
      if (JSON.stringify(s.field.flag) !== JSON.stringify(f.flag) && typeof s.field.flag === 'string' && typeof f.flag === 'string') {
        throw new Error(`setting '${k}' is a ${s.field.flag} for ${s.kinds.join(', ')} but a ${f.flag} for ${kind}`);
      }
      s.kinds.push(kind);
      s.helps.set(f.help, [...(s.helps.get(f.help) ?? []), kind]);
      out.set(k, s);
    }
  }
  return out;
}

/** Adds a flag per shared field; help says which kinds have it when not all do. */
function addFieldFlags(cmd: Command, union: Map<string, SharedField>, allKinds: number, short: Readonly<Record<string, string>> = {}): void {
  for (const [key, s] of union) {
    if (NO_OP_FLAGS[cmd.name()]?.includes(key)) {
      cmd.addOption(new Option(`--${kebab(key)}`, 'deprecated: does nothing').hideHelp());
      continue;
    }
    const flag = flagOf(key, cmd.name());
    const renamed = flag !== `--${kebab(key)}`;
    const helps = [...s.helps].map(([h, kinds]) => (s.helps.size > 1 || s.kinds.length < allKinds ? `${h} (${kinds.join(', ')})` : h));
    const help = helps.join('; ');
    const f = s.field.flag;
    const name = short[key] ? `${short[key]}, ${flag}` : flag;
    if (f === 'boolean') {
      cmd.addOption(new Option(name, help));
      cmd.addOption(new Option(`--no-${kebab(key)}`, `turn off ${flag}`).hideHelp());
      continue;
    }
    const arg = f === 'int' ? '<n>' : f === 'number' ? '<x>' : typeof f === 'object' ? '<name>' : key === 'out' ? '<file>' : key === 'data' ? '<path>' : '<value>';
    const options = [new Option(`${name} ${arg}`, help)];
    if (renamed) options.push(new Option(`--${kebab(key)} ${arg}`, `deprecated spelling of ${flag}`).hideHelp());
    for (const opt of options) {
      if (typeof f === 'object') opt.choices([...s.choices]);
      else if (f === 'int') opt.argParser(parseInteger);
      else if (f === 'number') opt.argParser(parseNumber);
      cmd.addOption(opt);
    }
  }
}

/**
 * Moves the values of renamed flags (and of their deprecated spellings, with a warning on stderr)
 * to their settings' keys; giving both spellings is a usage error.
 */
function canonicalOptions(command: string, opts: Record<string, unknown>, warn: (t: string) => void): Record<string, unknown> {
  const out = { ...opts };
  for (const [key, name] of Object.entries(FLAG_NAMES[command] ?? {})) {
    const given = out[camel(name)];
    delete out[camel(name)];
    if (out[key] !== undefined) {
      if (given !== undefined) throw new ConfigError(`${command}: give --${name} once (--${kebab(key)} is its deprecated spelling)`);
      warn(`wgan-gp: warning: --${kebab(key)} is deprecated; use --${name}`);
    } else if (given !== undefined) out[key] = given;
  }
  for (const key of NO_OP_FLAGS[command] ?? []) delete out[key];
  return out;
}

/**
 * The values of `union`'s flags that were given; one that `kind` does not have is a {@link ConfigError}
 * naming the flag and the kinds that have it.
 */
function givenFields(opts: Readonly<Record<string, unknown>>, union: Map<string, SharedField>, kind: string, what: string, command = 'train'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of union) {
    if (opts[k] === undefined) continue;
    if (!s.kinds.includes(kind)) throw new ConfigError(`${flagOf(k, command)} is not ${what} of ${kind} runs (it is of: ${s.kinds.join(', ')})`);
    out[k] = opts[k];
  }
  return out;
}

/** Reads a JSON file the user named (a usage error if unreadable or not JSON). */
async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = (await readRegularFile(path, 'config file')).toString('utf8').replace(/^\uFEFF/, ''); // a BOM is not JSON
  } catch (e) {
    throw new ConfigError(`cannot read config file '${path}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file '${path}' is not valid JSON: ${(e as Error).message}`);
  }
}

/** The kind of a train command line: its preset, else the config file's kind or preset, else the default kind. */
function kindOfTrain(preset: string | undefined, file: unknown): Experiment {
  if (preset !== undefined) return kindOfPreset(preset);
  const f = file !== null && typeof file === 'object' && !Array.isArray(file) ? (file as Record<string, unknown>) : {};
  if (Object.hasOwn(f, 'kind') && typeof f.kind === 'string') return experimentOf(f.kind);
  if (Object.hasOwn(f, 'preset') && typeof f.preset === 'string') return kindOfPreset(f.preset);
  const def = experiments().find((e) => e.presetOptional);
  if (!def) throw new ConfigError(`train needs --preset: ${experiments().flatMap((e) => Object.keys(e.presets)).join(', ')}`);
  return def;
}

function timestamp(): string {
  const d = new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Selects the onnxruntime backend (imported lazily so `--help` stays fast). */
async function useBackend(threads: number, device: DeviceName, hints: BackendHints = {}): Promise<void> {
  const { ortBackend, setBackend } = await import('../node.js');
  setBackend(ortBackend({ threads, device, ...hints }));
}

/** Where the command writes: data to `stdout`, messages and progress to `stderr`. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

/** The CLI's RunEnv: messages on stderr (through the progress reporter while training), data on stdout. */
function cliEnv(io: CliIo, progress?: ProgressMode): RunEnv {
  const reporter = progress === undefined ? undefined : progressReporter(progress, io.stderr);
  const say = reporter?.message ?? ((t: string): void => void io.stderr.write(`${t}\n`));
  return { say, write: (t) => void io.stdout.write(t), useBackend, ...(reporter ? { reporter } : {}) };
}

function exitFor(interrupted: string | undefined): number {
  return interrupted === 'SIGINT' ? EXIT.sigint : interrupted === 'SIGTERM' ? EXIT.sigterm : EXIT.ok;
}

/**
 * Ends a train or resume command: the outcome on stderr, and with `--json` a summary on stdout
 * (`{ dir, iteration, interrupted, seconds, last }`, `last` the final metrics.jsonl line).
 */
function finish(res: RunResult, env: RunEnv, json: { started: number } | undefined): number {
  if (json) {
    const summary = { dir: res.dir, iteration: res.iteration, interrupted: res.interrupted ?? null, seconds: (performance.now() - json.started) / 1000, last: res.last ?? null };
    env.write(`${JSON.stringify(summary)}\n`);
  }
  if (res.interrupted === 'SIGINT' || res.interrupted === 'SIGTERM') {
    env.say(`stopped by ${res.interrupted} at iteration ${res.iteration}; checkpoint written. Continue with: wgan-gp resume ${res.dir}`);
  } else {
    env.say(`done: ${res.iteration} iterations. Report: ${join(res.dir, 'report.html')}`);
  }
  return exitFor(res.interrupted);
}

/**
 * The metrics.jsonl interval of a run whose flags, config file and preset did not choose one: the
 * kind's default, but at least 10 lines for a short run (`--iters 50` logs every 5 iterations, not only at the end).
 */
export function scaledLogEvery(logEvery: number, iters: number): number {
  return Math.min(logEvery, Math.max(1, Math.floor(iters / 10)));
}

function presetHelp(kinds: readonly Experiment[]): string {
  return kinds
    .map((e) => {
      const width = Math.max(...Object.keys(e.presets).map((n) => n.length)) + 2;
      const list = Object.entries(e.presets).map(([name, p]) => `  ${name.padEnd(width)} ${p.description}`);
      return `${e.kind}: ${e.summary}\n${list.join('\n')}`;
    })
    .join('\n\n');
}

/** Builds the command tree; actions report their exit code through `setCode`. */
export function buildProgram(setCode: (code: number) => void, io: CliIo = process): Command {
  const kinds = experiments();
  const program = new Command('wgan-gp')
    .description('WGAN-GP (Improved Training of Wasserstein GANs) on an autodiff engine over ONNX Runtime')
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `\nPresets (train --preset NAME; train --help describes them):\n${kinds.map((e) => `  ${e.kind}: ${Object.keys(e.presets).join(', ')}`).join('\n')}\n\nExamples:\n  wgan-gp train --preset toy-8gaussians\n  wgan-gp train --preset toy-swissroll --loss wgan --iters 2000 --out runs/swiss-clip\n  wgan-gp resume runs/swiss-clip --iters 4000\n  wgan-gp eval runs/swiss-clip\n  wgan-gp figure fig1a --out figures/\n\nExit codes: 0 ok, 1 runtime error, 2 usage error, 130/143 interrupted (checkpoint written).`,
    );

  const runtime = (cmd: Command): Command =>
    cmd
      .addOption(new Option('--threads <n>', `onnxruntime intra-op threads (default: the run config; figures: the machine's cores, ${DEFAULT_THREADS})`).argParser(parseInteger))
      .addOption(new Option('--device <name>', 'onnxruntime device').choices(DEVICES as readonly string[] as string[]));
  const progressOpt = (): Option =>
    new Option('--progress <mode>', 'progress output: a bar on a terminal, plain lines otherwise (auto)').choices(PROGRESS_MODES as string[]).default('auto');
  const runtimeOf = (opts: { threads?: number; device?: DeviceName }): { threads?: number; device?: DeviceName } => ({
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
    ...(opts.device !== undefined ? { device: opts.device } : {}),
  });

  const settings = unionOf(kinds.map((e) => [e.kind, e.fields] as const));
  const train = program
    .command('train')
    .description(`train a GAN (${kinds.map((e) => e.kind).join(', ')}); writes a run folder (config, metrics.jsonl, plots, checkpoints, report.html)`)
    .addOption(new Option('--preset <name>', "start from a preset (see below); without one, gan_toy.py's settings exactly (8 Gaussians, Adam 1e-4, no decay)"))
    .option('--config <file>', 'JSON file of settings (keys as in config.json); flags override it')
    .option('--out <dir>', 'run folder (default: runs/<preset>-<time>)')
    .option('--force', 'overwrite the run in --out if there is one')
    .option('--allow-nonfinite', 'keep training when a loss or weight becomes NaN or infinite (default: stop, keeping the last good checkpoint)')
    .option('--json', 'print a JSON summary on stdout at the end (dir, iteration, interrupted, seconds, last metrics)')
    .addOption(progressOpt());
  addFieldFlags(train, settings, kinds.length);
  train.addHelpText(
    'after',
    `\nPresets, by kind (a flag marked with kinds applies to those kinds only):\n\n${presetHelp(kinds)}\n\nEach --loss brings its reference optimiser settings (toy runs: wgan-gp Adam 1e-4, β 0.5/0.9, λ 0.1, 5 critic steps; wgan RMSProp 5e-5, clip 0.01; gan Adam 2e-4, β1 0.5, 1 step; lsgan RMSProp 1e-4, 1 step; image and language presets: their scripts' values); explicit flags win. --threads defaults to the machine's cores (${DEFAULT_THREADS} here); --log-every to the kind's interval, made shorter for short runs (at least 10 lines). The toy presets train wgan-gp at lr 1e-3 decayed linearly to 0 (the reference: 1e-4 for 100k iterations), which captures all modes in their default 1000 iterations. Image presets follow the reference scripts' lengths: shorten with --iters.`,
  );
  train.action(async (opts: Record<string, unknown>) => {
    const configPath = opts.config as string | undefined;
    const file = configPath === undefined ? undefined : await readJsonFile(configPath);
    if (file !== undefined && (file === null || typeof file !== 'object' || Array.isArray(file))) {
      throw new ConfigError(`config file '${configPath}': expected a JSON object of settings, got ${JSON.stringify(file)}`);
    }
    const exp = kindOfTrain(opts.preset as string | undefined, file);
    const flags = givenFields(opts, settings, exp.kind, 'a setting');
    const resolved = resolveRunConfig(exp, {
      preset: opts.preset as string | undefined,
      file: file as Record<string, unknown> | undefined,
      flags,
      ...(configPath !== undefined ? { fileSource: `config file '${configPath}'` } : {}),
    });
    // Defaults that depend on the machine and the run's length; a value the flags, the file or the preset chose is kept.
    const chosen = (k: string): boolean =>
      flags[k] !== undefined || (file !== undefined && Object.hasOwn(file, k)) || (resolved.preset !== null && Object.hasOwn(exp.presets[resolved.preset]?.config ?? {}, k));
    const config = {
      ...resolved,
      ...(chosen('threads') ? {} : { threads: DEFAULT_THREADS }),
      ...(chosen('logEvery') ? {} : { logEvery: scaledLogEvery(resolved.logEvery, resolved.iters) }),
    };
    const started = performance.now();
    const out = (opts.out as string | undefined) ?? join('runs', `${exp.runName(config)}-${timestamp()}`);
    const env = cliEnv(io, opts.progress as ProgressMode);
    const { trainRun } = await import('../app/runs.js');
    setCode(finish(await trainRun(exp, config, out, env, { force: opts.force === true, allowNonfinite: opts.allowNonfinite === true }), env, opts.json === true ? { started } : undefined));
  });

  runtime(
    program
      .command('resume')
      .description('continue a run from its latest checkpoint (exactly as if it had not stopped)')
      .argument('<dir>', 'run folder')
      .addOption(new Option('--iters <n>', 'new total number of iterations (default: the run config; a linear lr decay stretches to the new length)').argParser(parseInteger))
      .option('--allow-nonfinite', 'keep training when a loss or weight becomes NaN or infinite')
      .option('--json', 'print a JSON summary on stdout at the end (as train --json)')
      .addOption(progressOpt()),
  ).action(async (dir: string, opts: { iters?: number; threads?: number; device?: DeviceName; progress: ProgressMode; allowNonfinite?: boolean; json?: boolean }) => {
    const env = cliEnv(io, opts.progress);
    const started = performance.now();
    const { resumeRunFolder } = await import('../app/runs.js');
    const res = await resumeRunFolder(dir, env, { ...runtimeOf(opts), ...(opts.iters !== undefined ? { iters: opts.iters } : {}), allowNonfinite: opts.allowNonfinite === true });
    setCode(finish(res, env, opts.json === true ? { started } : undefined));
  });

  /** A command on a saved run whose options are the union of the kinds' options for it. */
  const runCommandOf = (name: RunCommandName, verb: string, description: string, print: (result: unknown) => void, short: Record<string, string> = {}): void => {
    const union = unionOf(kinds.flatMap((e) => (e[name] ? [[e.kind, e[name].fields] as const] : [])));
    const cmd = runtime(program.command(verb).description(description).argument('<dir>', 'run folder'));
    addFieldFlags(cmd, union, kinds.length, short);
    cmd.action(async (dir: string, raw: Record<string, unknown>) => {
      const opts = canonicalOptions(verb, raw, (t) => void io.stderr.write(`${t}\n`));
      const { readRun, runCommand } = await import('../app/runs.js');
      const saved = await readRun(dir);
      if (!saved.exp[name]) throw new ConfigError(`${verb}: ${saved.exp.kind} runs have no ${verb} command ('${dir}')`);
      const given = givenFields(opts, union, saved.exp.kind, `an option of ${verb}`, verb);
      print(await runCommand(saved, name, given, cliEnv(io), runtimeOf(opts)));
    });
  };
  runCommandOf('sample', 'sample', "draw samples from a run's generator (latest checkpoint)", () => undefined, { num: '-n' });
  runCommandOf(
    'evaluate',
    'eval',
    "compute the metrics of a run's latest checkpoint and print JSON (toy runs: modes captured, % high quality, energy distance, W1; image runs: Inception Score and FID under an ONNX classifier, with the real-data values; language runs: n-gram JS divergences)",
    (r) => void io.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
  );
  runCommandOf(
    'export',
    'export',
    "write a run's generator (latest checkpoint) as a standard ONNX model (image runs: inputs noise [B, 128] (and labels int32 [B] if conditional), output images [B, C, H, W])",
    (path) => void io.stdout.write(`${String(path)}\n`),
  );

  const figures = new Map<string, Figure>(kinds.flatMap((e) => Object.entries(e.figures ?? {})));
  const names = [...figures.keys()];
  runtime(
    program
      .command('figure')
      .description(`reproduce a figure of the paper as PNGs: ${[...figures].map(([n, f]) => `${n} (${f.description})`).join('; ')}`)
      .addArgument(new Argument('<name>', names.join(', ')).choices(names))
      .option('--out <dir>', 'folder for the PNGs', 'figures')
      .addOption(new Option('--iters <n>', "iterations of the figure's training (each figure's default above)").argParser(parseInteger))
      .addOption(new Option('--hidden <n>', 'width of the networks (toy figures: hidden units, default 512, the reference; fig5b: model width DIM, default 16, the reference 64)').argParser(parseInteger))
      .addOption(new Option('--seed <n>', 'random seed').argParser(parseInteger).default(1))
      .option('--force', 'overwrite existing figure files'),
  ).action(async (name: string, opts: { out: string; iters?: number; hidden?: number; seed: number; force?: boolean; threads?: number; device?: DeviceName }) => {
    for (const k of ['iters', 'hidden'] as const) if (opts[k] !== undefined && !(opts[k] >= 1)) throw new ConfigError(`--${k} must be >= 1, got ${opts[k]}`);
    if (!(opts.seed >= 0)) throw new ConfigError(`--seed must be >= 0, got ${opts.seed}`);
    await useBackend(opts.threads ?? DEFAULT_THREADS, opts.device ?? 'cpu');
    const files = await figures.get(name)!.run({
      out: opts.out,
      seed: opts.seed,
      force: opts.force === true,
      log: (t) => void io.stderr.write(`${t}\n`),
      ...(opts.iters !== undefined ? { iters: opts.iters } : {}),
      ...(opts.hidden !== undefined ? { hidden: opts.hidden } : {}),
    });
    for (const f of files) io.stdout.write(`${f}\n`);
  });

  addSweepCommands(program, setCode, io);
  return program;
}

/**
 * Runs the command line `argv` (as process.argv: node, script, args...) and returns the exit code.
 * @example process.exitCode = await main(process.argv);
 */
export async function main(argv: readonly string[], io: CliIo = process): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c), io);
  program.exitOverride();
  const output = {
    writeErr: (s: string) => void io.stderr.write(s),
    writeOut: (s: string) => void io.stdout.write(s),
    // commander's own errors in the command's one format: `wgan-gp: error: ...`.
    outputError: (s: string, write: (s: string) => void) => write(s.replace(/^error: /, 'wgan-gp: error: ')),
  };
  program.configureOutput(output);
  for (const c of program.commands) c.exitOverride().configureOutput(output);
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help, `help CMD` and --version exit 0; help shown because no command was given is a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
      if (e.code === 'commander.help') return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      if (e.code === 'commander.executeSubCommandAsync') return e.exitCode;
      return EXIT.usage;
    }
    const err = e as Error;
    const usage = err instanceof ConfigError;
    io.stderr.write(`wgan-gp: error: ${err.message}\n`);
    if (!usage && err.name !== 'CheckpointError' && err.name !== 'RunFolderError' && process.env.WGAN_GP_DEBUG) {
      io.stderr.write(`${err.stack}\n`);
    }
    return usage ? EXIT.usage : EXIT.failure;
  }
}
