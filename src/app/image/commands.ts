/**
 * The image-run side of the `wgan-gp` command: what `train --preset mnist|cifar10-*|lsun64-*`,
 * `resume`, `sample`, `eval` and `export` do for an image run folder. src/cli/main.ts parses the
 * command line and calls these with the parsed options.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isBundledClassifier } from '../metrics/bundled-classifiers.js';
import type { OnnxClassifierOptions } from '../metrics/classifier.js';
import type { Module } from '../nn/module.js';
import { Rng } from '../tensor/random.js';
import { imageGrid } from '../viz/image-grid.js';
import { loadCheckpoint, CheckpointError, hasCheckpoint } from './checkpoint.js';
import { ConfigError, FIELDS, type DeviceName } from './config.js';
import { checkImagePartial, FAMILY_CLASSIFIER, IMAGE_SETTING_KEYS, isImagePreset, resolveImageConfig, type ImageConfig } from './image-config.js';
import { imageRange, loadImageData } from './image-data.js';
import { generatorBatches, openJudge, realCeiling, scoreImages } from './image-eval.js';
import { EXPORT_BATCH, exportGenerator } from './image-export.js';
import { createImageNetworks, gridColumns, readImageConfig, resumeImage, trainImage } from './image-run.js';
import { checkRunFolder, type RunReporter, type RunResult } from '../app/run-folder.js';

export { isImagePreset } from './image-config.js';
export { isImageRun } from './image-run.js';

/** What the CLI hands to the image commands. */
export interface ImageCliEnv {
  /** Selects the onnxruntime backend. */
  useBackend(threads: number, device: DeviceName): Promise<void>;
  /** Progress of training commands. */
  reporter?: RunReporter;
  /** Messages (stderr). */
  say(text: string): void;
}

/** Toy settings that mean nothing for an image run. */
const TOY_ONLY = Object.keys(FIELDS).filter((k) => k !== 'preset' && !(IMAGE_SETTING_KEYS as string[]).includes(k));

const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The image settings among parsed command-line options (only those given); a toy-only flag is a
 * {@link ConfigError}.
 * @example imageFlags({ iters: 10, dim: 16 }, 'mnist') // { iters: 10, dim: 16 }
 */
export function imageFlags(opts: Readonly<Record<string, unknown>>, preset: string): Partial<ImageConfig> {
  const toy = TOY_ONLY.filter((k) => opts[k] !== undefined);
  if (toy.length > 0) throw new ConfigError(`${toy.map((k) => `--${kebab(k)}`).join(', ')}: for toy runs only, not image preset '${preset}'`);
  const out: Record<string, unknown> = {};
  for (const k of IMAGE_SETTING_KEYS) if (opts[k] !== undefined) out[k] = opts[k];
  return checkImagePartial(out, 'command line');
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file '${path}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file '${path}' is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * The image preset a `train` command line asks for (`--preset`, else the config file's `preset`), or
 * undefined for a toy run.
 * @example await imagePresetOf({ preset: 'mnist' }) // 'mnist'
 */
export async function imagePresetOf(opts: Readonly<Record<string, unknown>>): Promise<string | undefined> {
  if (opts.preset !== undefined) return isImagePreset(opts.preset) ? opts.preset : undefined;
  if (typeof opts.config !== 'string') return undefined;
  const raw = (await readJson(opts.config)) as { preset?: unknown } | null;
  return raw !== null && typeof raw === 'object' && isImagePreset(raw.preset) ? raw.preset : undefined;
}

/**
 * `train --preset <image preset> --out DIR`: resolves the config (preset ← file ← flags), checks the
 * output folder and the data before anything is written, then trains.
 */
export async function imageTrainCommand(preset: string, opts: Readonly<Record<string, unknown>>, env: ImageCliEnv): Promise<RunResult> {
  let file: Partial<ImageConfig> | undefined;
  if (typeof opts.config === 'string') file = checkImagePartial(await readJson(opts.config), `config file '${opts.config}'`);
  const config = resolveImageConfig({ preset, file, flags: imageFlags(opts, preset) });
  if (typeof opts.out !== 'string') throw new ConfigError('imageTrainCommand: --out is required');
  const out = opts.out;
  const force = opts.force === true;
  await checkRunFolder(out, force);
  const data = loadImageData(config, env.say); // a bad --data fails here, before the folder is made
  env.say(`data: ${data.description}`);
  await env.useBackend(config.threads, config.device);
  return trainImage(config, out, { force, data, log: env.say, ...(env.reporter ? { reporter: env.reporter } : {}) });
}

/** `resume DIR` of an image run. */
export async function imageResumeCommand(dir: string, opts: { iters?: number; threads?: number; device?: DeviceName }, env: ImageCliEnv): Promise<RunResult> {
  const config = await readImageConfig(dir);
  await env.useBackend(opts.threads ?? config.threads, opts.device ?? config.device);
  return resumeImage(dir, { log: env.say, ...(env.reporter ? { reporter: env.reporter } : {}), ...(opts.iters !== undefined ? { iters: opts.iters } : {}) });
}

/** A run's generator at its latest checkpoint (without its data or optimizers). */
export interface LoadedGenerator {
  config: ImageConfig;
  generator: Module;
  /** Classes of a conditional generator, else 0. */
  numClasses: number;
  iteration: number;
}

/**
 * Loads the generator weights of an image run's latest checkpoint.
 * @example const { generator } = await loadImageGenerator('runs/mnist');
 */
export async function loadImageGenerator(dir: string): Promise<LoadedGenerator> {
  const config = await readImageConfig(dir);
  const ckptDir = join(dir, 'checkpoints');
  if (!(await hasCheckpoint(ckptDir))) throw new CheckpointError(`no checkpoint in '${dir}' ('${join(ckptDir, 'checkpoint.json')}' is missing)`);
  const ckpt = await loadCheckpoint(ckptDir);
  // A conditional generator's class count is the first axis of its per-class batch-norm tables.
  let numClasses = 0;
  if (config.conditional) {
    const table = Object.entries(ckpt.tensors).find(([n, t]) => n.startsWith('generator.') && n.endsWith('.gamma') && t.shape.length === 2);
    if (!table) throw new CheckpointError(`checkpoint of '${dir}' holds no per-class generator tables, yet the config is conditional`);
    numClasses = table[1].shape[0]!;
  }
  const { generator } = createImageNetworks(config, new Rng(0), numClasses || 10);
  const problems: string[] = [];
  const named = generator.namedParameters();
  for (const [n, p] of named) {
    const t = ckpt.tensors[`generator.${n}`];
    if (!t || t.shape.join() !== p.shape.join()) problems.push(`generator.${n}`);
    else p.assignData(t.data);
  }
  if (problems.length > 0) throw new CheckpointError(`checkpoint of '${dir}' does not match its config's generator: ${problems.slice(0, 5).join(', ')}`);
  return { config, generator, numClasses, iteration: ckpt.manifest.iteration };
}

/** `sample DIR --out FILE.png`: a grid of `num` samples (one class per column if conditional). */
export async function imageSampleCommand(dir: string, opts: { num: number; seed: number; out?: string; threads?: number; device?: DeviceName }, env: ImageCliEnv): Promise<string> {
  if (!opts.out?.endsWith('.png')) throw new ConfigError(`image runs write a PNG grid: pass --out FILE.png`);
  const config = await readImageConfig(dir);
  await env.useBackend(opts.threads ?? config.threads, opts.device ?? config.device);
  const g = await loadImageGenerator(dir);
  const n = opts.num;
  const batches = [];
  for await (const b of generatorBatches(g.generator, n, Math.min(n, config.batchSize), new Rng(opts.seed), g.numClasses)) batches.push(b);
  const [, c, h, w] = batches[0]!.shape as [number, number, number, number];
  const data = new Float32Array(n * c * h * w);
  let at = 0;
  for (const b of batches) {
    data.set(b.data, at);
    at += b.data.length;
  }
  const png = imageGrid({ images: data, shape: [n, c, h, w], valueRange: imageRange(config.family), columns: gridColumns(config, n, g.numClasses), scale: h <= 32 ? 2 : 1 });
  await writeFile(opts.out, png);
  env.say(`wrote ${n} samples of iteration ${g.iteration} to ${opts.out}`);
  return opts.out;
}

/** Options of `eval DIR` for image runs. */
export interface ImageEvalOptions {
  samples?: number;
  splits?: number;
  classifier?: string;
  /** Value range the classifier wants. */
  modelRange?: readonly [number, number];
  inputSize?: number;
  layout?: 'NCHW' | 'NHWC';
  scoresOutput?: string;
  featuresOutput?: string;
  threads?: number;
  device?: DeviceName;
}

/** Default generator samples of `eval` (FID wants ≥ 10k). */
export const EVAL_SAMPLES = 10_000;

/**
 * `eval DIR` of an image run: IS and FID of `samples` generator samples under a classifier (default:
 * the bundled MNIST classifier for MNIST runs, else the run's, else the bundled CIFAR-10 classifier
 * for CIFAR-10 runs), with the real-data ceiling at the same count.
 * Returns the JSON-ready result.
 */
export async function imageEvalCommand(dir: string, opts: ImageEvalOptions, env: ImageCliEnv): Promise<Record<string, unknown>> {
  const config = await readImageConfig(dir);
  const classifier = opts.classifier ?? (config.family === 'mnist' ? 'mnist' : (config.classifier ?? FAMILY_CLASSIFIER[config.family]));
  if (!classifier) {
    throw new ConfigError(`no classifier for a ${config.preset} run: pass --classifier FILE.onnx (e.g. an Inception-v3 export; see --model-range, --input-size, --scores-output, --features-output)`);
  }
  if (!isBundledClassifier(classifier) && !existsSync(classifier)) throw new ConfigError(`--classifier: model file '${classifier}' does not exist`);
  const samples = opts.samples ?? EVAL_SAMPLES;
  const splits = opts.splits ?? 10;
  if (!Number.isInteger(samples) || samples < splits) throw new ConfigError(`--samples must be an integer >= --splits (${splits}), got ${samples}`);
  await env.useBackend(opts.threads ?? config.threads, opts.device ?? config.device);
  const g = await loadImageGenerator(dir);
  const data = loadImageData(config, env.say);
  const options: OnnxClassifierOptions = {
    ...(opts.modelRange ? { modelRange: opts.modelRange } : {}),
    ...(opts.inputSize !== undefined ? { inputSize: opts.inputSize } : {}),
    ...(opts.layout ? { layout: opts.layout } : {}),
    ...(opts.scoresOutput ? { scoresOutput: opts.scoresOutput } : {}),
    ...(opts.featuresOutput ? { featuresOutput: opts.featuresOutput } : {}),
  };
  env.say(`scoring ${samples} samples of iteration ${g.iteration} with ${classifier} ...`);
  const judge = await openJudge({ classifier, imageRange: imageRange(config.family), options, ...(opts.threads !== undefined ? { threads: opts.threads } : {}) }, data.reference);
  try {
    const fake = await scoreImages(judge, generatorBatches(g.generator, samples, config.batchSize, new Rng(config.seed + 5_000_011), g.numClasses), splits);
    const real = await realCeiling(judge, data.heldOut ?? data.train, samples, config.seed);
    return {
      iteration: g.iteration,
      preset: config.preset,
      classifier,
      samples,
      splits,
      inceptionScore: { mean: fake.inceptionScore, std: fake.inceptionScoreStd },
      ...(fake.fid !== undefined ? { fid: fake.fid } : {}),
      realData: {
        source: `${(data.heldOut ?? data.train).name} (${real.samples} images)${data.reference ? ` vs ${data.reference.name} (${judge.realCount})` : ''}`,
        inceptionScore: { mean: real.inceptionScore, std: real.inceptionScoreStd },
        ...(real.fid !== undefined ? { fid: real.fid } : {}),
      },
    };
  } finally {
    await judge.classifier.close();
  }
}

/**
 * `export --onnx DIR [--out FILE] [--batch N]`: the generator as a standard ONNX model. Returns the
 * file written (default DIR/generator.onnx).
 */
export async function exportCommand(dir: string, opts: { out?: string; batch?: number }, env: ImageCliEnv): Promise<string> {
  const batch = opts.batch ?? EXPORT_BATCH;
  if (!Number.isInteger(batch) || batch < 1) throw new ConfigError(`--batch must be a positive integer, got ${batch}`);
  const g = await loadImageGenerator(dir);
  const out = opts.out ?? join(dir, 'generator.onnx');
  await writeFile(out, exportGenerator(g, batch));
  const inputs = g.numClasses > 0 ? `noise float32 [${batch}, 128], labels int32 [${batch}]` : `noise float32 [${batch}, 128]`;
  const [lo, hi] = imageRange(g.config.family);
  env.say(`wrote ${out}: generator of iteration ${g.iteration}; inputs ${inputs}; output images float32 [${batch}, C, H, W] in [${lo}, ${hi}]`);
  return out;
}
