/**
 * The experiment interface: what a kind of run (toy distributions, images, text) is made of, and the
 * registry the command line reads. A kind declares its settings (one schema: types, checks, defaults,
 * help), its presets, how a config becomes networks, data and a Trainer, what it evaluates and plots
 * during a run, and its commands (sample, eval, export, figures). Everything else (run folders,
 * resume, checkpoints, signals, the command line) is written once, for every kind, in runs.ts,
 * run-folder.ts and src/cli/.
 *
 * A kind's object must stay cheap to import (the CLI's `--help` lists every kind's flags and
 * presets): its heavy parts (models, data, metrics) are imported inside its methods.
 */
import type { Trainer } from '../gan/trainer.js';
import type { Module } from '../nn/module.js';
import { COMMON_FIELDS, type CommonSettings, type DeviceName, type Preset } from './common.js';
import type { RunHooks, RunReporter } from './run-folder.js';
import { checkPartial, ConfigError, defaultsOf, jsonSchemaOf, unknownKeyMessage, type Fields } from './settings.js';

/**
 * How a run kind's steps are best run, for the backend that runs them: `spinning` lets onnxruntime's
 * idle threads spin, a gain where one session runs in a loop (the fused toy iteration: 1.07× wall on
 * an idle machine, docs/BENCHMARKS.md) and a loss where many alternate.
 */
export interface BackendHints {
  spinning?: boolean;
}

/** What the caller (the CLI, a script, a test) gives a command: messages, output, progress, the backend. */
export interface RunEnv {
  /** Messages for the user (the CLI: stderr). */
  say(text: string): void;
  /** Data a command prints (the CLI: stdout): sample rows, lines of text. */
  write(text: string): void;
  /** Progress of training. */
  reporter?: RunReporter;
  /** Selects the compute backend (onnxruntime-node on the CLI), with the run kind's hints. */
  useBackend(threads: number, device: DeviceName, hints?: BackendHints): Promise<void>;
  /** The threads a command was asked for (`--threads`), for sessions of its own (e.g. a classifier). */
  threads?: number;
}

/** The settings every kind's config carries besides its fields. */
export type RunIdentity = {
  /** The experiment kind (`config.json`'s `kind`; toy runs saved before kinds existed have none). */
  kind: string;
  /** The preset the run started from, or null. */
  preset: string | null;
};

/** What a config will allocate, and the setting that drives it most (named in the refusal). */
export interface ResourceEstimate {
  /** Bytes of parameters, optimiser state and activations at their peak. */
  bytes: number;
  /** Elements of the largest single tensor (a typed array or onnxruntime buffer holds at most 2^31 bytes here). */
  largestTensor: number;
  /** The setting (config key) that contributes most. */
  culprit: string;
}

/**
 * The setting furthest above its usual value (value ÷ scale), named as the culprit of an estimate
 * whose size grows with several settings.
 * @example culpritOf({ dim: 4096, batchSize: 64 }, { dim: 128, batchSize: 64 }) // 'dim'
 */
export function culpritOf(c: Readonly<Record<string, unknown>>, scales: Readonly<Record<string, number>>): string {
  let best = '';
  let ratio = -Infinity;
  for (const [k, scale] of Object.entries(scales)) {
    const r = Number(c[k]) / scale;
    if (r > ratio) [best, ratio] = [k, r];
  }
  return best;
}

/** A kind's resolved config: its identity and settings. */
export type RunConfig = RunIdentity & CommonSettings & Record<string, unknown>;

/** A built run: the Trainer and its networks (and whatever else the kind needs). */
export interface RunModel {
  trainer: Trainer;
  generator: Module;
  critic: Module;
  /** Frees what the model holds beyond memory (worker threads, classifier sessions). */
  close?(): Promise<void>;
}

/** A run folder's config, read and checked. */
export interface SavedRun<C extends RunConfig = RunConfig> {
  dir: string;
  config: C;
}

/** A kind-specific command: its own options (declared as fields, so the CLI makes flags of them) and its action. */
export interface KindCommand<C extends RunConfig, R> {
  readonly fields: Fields;
  run(run: SavedRun<C>, opts: Record<string, unknown>, env: RunEnv): Promise<R>;
}

/** Options every figure takes. */
export interface FigureOptions {
  /** Folder for the PNGs (created if needed). */
  out: string;
  seed?: number;
  /** Overwrite existing figure files. */
  force?: boolean;
  iters?: number;
  /** Width of the networks (toy figures: hidden units; image figures: DIM). */
  hidden?: number;
  log?: (line: string) => void;
}

/** A figure of the paper reproduced by `wgan-gp figure NAME`. */
export interface Figure {
  readonly description: string;
  /** Writes the figure's PNGs; returns their paths. */
  run(opts: FigureOptions): Promise<string[]>;
}

/**
 * One kind of experiment. `C` is its config type (identity + its fields' values), `M` its built model.
 * @example registerExperiment(myKind); // then `wgan-gp train --preset my-preset` trains it
 */
export interface Experiment<C extends RunConfig = RunConfig, M extends RunModel = RunModel> {
  /** The kind's name, saved in config.json. */
  readonly kind: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** The settings a user may give (file, flags); must include {@link COMMON_FIELDS}. */
  readonly fields: Fields;
  /** The reference settings of each loss, below the preset. */
  readonly lossDefaults: Readonly<Record<CommonSettings['loss'], Partial<C>>>;
  readonly presets: Readonly<Record<string, Preset<C> & { readonly fixed?: Readonly<Record<string, unknown>> }>>;
  /** Whether a config may have no preset (toy: gan_toy.py's settings exactly). */
  readonly presetOptional?: boolean;
  /** A message for a preset name this kind answers for but does not have (e.g. `lsun64-<typo>`). */
  unknownPreset?(name: string): string | undefined;
  /** Cross-field checks of a whole config (throw {@link ConfigError}). */
  validate?(c: C): void;
  /** The config as written to config.json (e.g. relative paths made absolute). */
  toSaved?(c: C): C;
  /** Files and folders a run of this kind writes besides the common ones (removed by `--force`). */
  readonly files?: readonly string[];
  /** Values of settings added after runs of this kind were first saved (read for configs that lack them). */
  readonly savedCompat?: Readonly<Record<string, unknown>>;
  /**
   * A rough upper estimate of the memory a run of this config needs and of its largest tensor, checked
   * before anything is allocated or written (src/app/runs.ts, `checkResources`).
   */
  estimate?(c: C): ResourceEstimate;
  /** Hints for the backend that trains a config (absent: the backend's defaults). */
  backendHints?(c: C): BackendHints;
  /** The default run-folder name's stem. */
  runName(c: C): string;
  /** Builds networks, data and Trainer from a config: fresh weights from the seed. Data problems throw here. */
  build(c: C, env: RunEnv, purpose: 'train' | 'load'): Promise<M>;
  /** What the run loop calls: evaluation (metrics.jsonl) and plots/report. */
  hooks(model: M, dir: string, env: RunEnv): RunHooks | Promise<RunHooks>;
  /** `wgan-gp sample`: draws from the generator (fields: at least num, seed, out; see sampleFields). */
  readonly sample: KindCommand<C, unknown>;
  /** `wgan-gp eval`: a JSON-ready result. */
  readonly evaluate: KindCommand<C, Record<string, unknown>>;
  /** `wgan-gp export`: writes a file, returns its path. */
  readonly export?: KindCommand<C, string>;
  readonly figures?: Readonly<Record<string, Figure>>;
}

/** The registered kinds, in registration order (the first is the default kind of `train`). */
const KINDS = new Map<string, Experiment>();

/**
 * Adds a kind (its presets and flags appear in the CLI). Preset names must be unique across kinds.
 * @example registerExperiment(toyExperiment);
 */
export function registerExperiment<C extends RunConfig, M extends RunModel>(exp: Experiment<C, M>): void {
  for (const k of Object.keys(COMMON_FIELDS)) if (!Object.hasOwn(exp.fields, k)) throw new Error(`experiment '${exp.kind}' lacks the common setting '${k}'`);
  for (const other of KINDS.values()) {
    if (other.kind === exp.kind) continue;
    const clash = Object.keys(exp.presets).find((p) => Object.hasOwn(other.presets, p));
    if (clash) throw new Error(`preset '${clash}' of experiment '${exp.kind}' is already a preset of '${other.kind}'`);
  }
  KINDS.set(exp.kind, exp as unknown as Experiment);
}

/** Every registered kind. */
export function experiments(): Experiment[] {
  return [...KINDS.values()];
}

/**
 * The kind named `kind`, or a {@link ConfigError} listing the kinds.
 * @example experimentOf('toy').presets
 */
export function experimentOf(kind: string): Experiment {
  const e = KINDS.get(kind);
  if (!e) throw new ConfigError(unknownKeyMessage('config', kind, [...KINDS.keys()], 'experiment kind'));
  return e;
}

/**
 * The kind that owns preset `name`; an unknown name is a {@link ConfigError} listing the presets (or
 * the owning kind's own message, e.g. an unknown 64×64 architecture).
 * @example kindOfPreset('toy-8gaussians').kind // 'toy'
 */
export function kindOfPreset(name: string): Experiment {
  for (const e of KINDS.values()) if (Object.hasOwn(e.presets, name)) return e;
  for (const e of KINDS.values()) {
    const msg = e.unknownPreset?.(name);
    if (msg) throw new ConfigError(msg);
  }
  const all = experiments().flatMap((e) => Object.keys(e.presets));
  throw new ConfigError(unknownKeyMessage('config', name, all, 'preset').replace(/^config: /, '').replace('; known presets:', '; available presets:'));
}

/** Keys of a saved or file config that are not settings. */
function identityKeys(exp: Experiment): string[] {
  const fixed = new Set<string>(['kind', 'preset']);
  for (const p of Object.values(exp.presets)) for (const k of Object.keys(p.fixed ?? {})) fixed.add(k);
  return [...fixed];
}

/**
 * Checks a partial config of kind `exp` (a config file, flags): its settings, and `kind` / `preset`
 * if present. Derived keys of a saved config (e.g. an image run's `family`) are accepted and ignored.
 * @example checkKindPartial(toy, { lambda: -1 }, 'flags') // throws: flags: lambda must be >= 0, got -1
 */
export function checkKindPartial(exp: Experiment, raw: unknown, source: string): Record<string, unknown> {
  const out = checkPartial(exp.fields, raw, source, identityKeys(exp));
  if (out.kind !== undefined && out.kind !== exp.kind) throw new ConfigError(`${source}: kind '${String(out.kind)}' does not match the '${exp.kind}' experiment`);
  if (out.preset !== undefined && out.preset !== null) {
    if (typeof out.preset !== 'string' || !Object.hasOwn(exp.presets, out.preset)) {
      throw new ConfigError(exp.unknownPreset?.(String(out.preset)) ?? unknownKeyMessage(source, String(out.preset), Object.keys(exp.presets), 'preset'));
    }
  }
  return out;
}

/** The layers of a config: a preset name, a config file's settings, flags. */
export interface ResolveInput {
  preset?: string | null | undefined;
  file?: Readonly<Record<string, unknown>> | undefined;
  flags?: Readonly<Record<string, unknown>> | undefined;
  /** How errors in `file` name it (default 'config file'). */
  fileSource?: string;
}

/**
 * The full config of kind `exp` from a preset, a config file and flags, with the kind's identity and
 * cross-field checks.
 * @example resolveRunConfig(toyExperiment, { preset: 'toy-8gaussians', flags: { iters: 200 } })
 */
export function resolveRunConfig<C extends RunConfig>(exp: Experiment<C, RunModel>, input: ResolveInput): C {
  const strip = (o: Readonly<Record<string, unknown>> | undefined, src: string): Record<string, unknown> => {
    const checked = checkKindPartial(exp as unknown as Experiment, o ?? {}, src);
    for (const k of identityKeys(exp as unknown as Experiment)) delete checked[k];
    return checked;
  };
  const name = input.preset ?? (input.file?.preset as string | null | undefined) ?? null;
  if (name === null && !exp.presetOptional) throw new ConfigError(`${exp.kind} runs need a preset: ${Object.keys(exp.presets).join(', ')}`);
  const preset = name === null ? undefined : exp.presets[name];
  if (name !== null && !preset) throw new ConfigError(exp.unknownPreset?.(name) ?? unknownKeyMessage('config', name, Object.keys(exp.presets), 'preset'));
  // defaults ← the loss's reference settings ← preset ← its settings for that loss ← file ← flags; the
  // loss is the last one given among flags, file and preset. The whole is checked (a preset can be wrong too).
  const [file, flags] = [strip(input.file, input.fileSource ?? 'config file'), strip(input.flags, 'command line')];
  const loss = (flags.loss ?? file.loss ?? preset?.config.loss ?? exp.fields.loss!.default) as CommonSettings['loss'];
  const merged = { ...defaultsOf(exp.fields), ...exp.lossDefaults[loss], ...preset?.config, ...preset?.byLoss?.[loss], ...file, ...flags, loss };
  const settings = checkPartial(exp.fields, merged, 'config');
  const c = { kind: exp.kind, preset: name, ...(preset?.fixed ?? {}), ...settings } as unknown as C;
  exp.validate?.(c);
  return c;
}

/**
 * Checks a saved config (config.json) of kind `exp`: every setting present and valid, identity
 * consistent with the preset. Settings added after a run was saved take `compat` values.
 * @example checkSavedConfig(toyExperiment, JSON.parse(text), 'runs/a/config.json')
 */
export function checkSavedConfig<C extends RunConfig>(exp: Experiment<C, RunModel>, raw: unknown, source: string, compat: Readonly<Record<string, unknown>> = {}): C {
  const e = exp as unknown as Experiment;
  const checked = checkKindPartial(e, raw, source);
  const name = (checked.preset ?? null) as string | null;
  if (name === null && !exp.presetOptional) throw new ConfigError(`${source}: preset is missing`);
  const fixed = name === null ? {} : (exp.presets[name]!.fixed ?? {});
  for (const [k, val] of Object.entries(fixed)) {
    if (k in checked && JSON.stringify(checked[k]) !== JSON.stringify(val)) throw new ConfigError(`${source}: ${k} ${JSON.stringify(checked[k])} does not match preset '${name}'`);
  }
  const settings = { ...compat, ...checked };
  const missing = Object.keys(exp.fields).filter((k) => !(k in settings));
  if (missing.length > 0) throw new ConfigError(`${source} lacks settings: ${missing.join(', ')}`);
  const c = { ...settings, kind: exp.kind, preset: name, ...fixed } as unknown as C;
  exp.validate?.(c);
  return c;
}

/**
 * The JSON Schema of kind `exp`'s config files (and config.json): its settings with their types,
 * ranges, defaults and help, `kind`, the preset names, and the keys a preset fixes. Written to
 * schema/<kind>.schema.json by `npm run schemas`; a config file links it with `"$schema"`.
 * @example configJsonSchema(experimentOf('toy')).properties.lambda // { type: 'number', minimum: 0, default: 0.1, ... }
 */
export function configJsonSchema(exp: Experiment): Record<string, unknown> {
  const fixed: Record<string, unknown> = {};
  for (const p of Object.values(exp.presets)) for (const k of Object.keys(p.fixed ?? {})) fixed[k] = { description: 'set by the preset (saved in config.json)' };
  const presets = Object.keys(exp.presets);
  return jsonSchemaOf(`wgan-gp ${exp.kind} run config`, exp.fields, {
    kind: { const: exp.kind, description: 'the experiment kind' },
    preset: { enum: exp.presetOptional ? [...presets, null] : presets, description: 'the preset the run starts from' },
    ...fixed,
  });
}
