/**
 * `wgan-gp sample`, `eval` and `export` of an image run: a PNG grid of the latest checkpoint's
 * generator, IS and FID under a classifier with the real-data values, and the generator as an ONNX
 * model. They load the generator alone (no data, critic or optimizers), except `eval`, which reads
 * the real images for the ceiling and the FID statistics.
 */
import { existsSync } from 'node:fs';
import { checkOutputFile, writeNewFile } from '../../io/safe-fs.js';
import { join } from 'node:path';
import { CheckpointError, hasCheckpoint, loadCheckpoint } from '../../gan/checkpoint.js';
import { NOISE_DIM } from '../../gan/models/mnist.js';
import { entryProblems, moduleTensors } from '../../io/module-io.js';
import { isBundledClassifier } from '../../metrics/bundled-classifiers.js';
import type { OnnxClassifierOptions } from '../../metrics/classifier.js';
import type { Module } from '../../nn/module.js';
import { Rng } from '../../tensor/random.js';
import { imageGrid } from '../../viz/image-grid.js';
import type { RunEnv, SavedRun } from '../experiment.js';
import { ConfigError } from '../settings.js';
import { EVAL_SAMPLES, FAMILY_CLASSIFIER, type ImageConfig } from './config.js';
import { imageRange, loadImageData } from './data.js';
import { generatorBatches, openJudge, realCeiling, scoreImages } from './eval.js';
import { exportGenerator } from './export.js';
import { createImageNetworks, gridColumns } from './model.js';

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
 * @example const { generator } = await loadImageGenerator((await readRun('runs/mnist')).run as SavedRun<ImageConfig>);
 */
export async function loadImageGenerator(run: SavedRun<ImageConfig>): Promise<LoadedGenerator> {
  const { dir, config } = run;
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
  const targets = moduleTensors(generator, 'generator.');
  const problems = entryProblems(ckpt.tensors, targets, { allowExtra: true });
  if (problems.length > 0) throw new CheckpointError(`checkpoint of '${dir}' does not match its config's generator: ${problems.slice(0, 5).join('; ')}`);
  for (const [name, p] of Object.entries(targets)) p.assignData(ckpt.tensors[name]!.data);
  return { config, generator, numClasses, iteration: ckpt.manifest.iteration };
}

/**
 * `sample DIR --out FILE.png`: a grid of `num` samples from noise of `seed` (one class per column if
 * conditional). Returns the file written.
 * @example await sampleImages(run, { num: 64, seed: 0, out: 'grid.png' }, env);
 */
export async function sampleImages(run: SavedRun<ImageConfig>, opts: { num: number; seed: number; out: string | null; force?: boolean }, env: RunEnv): Promise<string> {
  const out = opts.out;
  if (out === null || !out.endsWith('.png')) throw new ConfigError(`image runs write a PNG grid: pass --out FILE.png`);
  const target = { flag: '--out', force: opts.force === true };
  await checkOutputFile(out, target); // before loading anything
  const config = run.config;
  const g = await loadImageGenerator(run);
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
  await writeNewFile(out, png, target);
  env.say(`wrote ${n} samples of iteration ${g.iteration} to ${out}`);
  return out;
}

/** Options of `eval DIR` for image runs (the fields of imageExperiment.evaluate). */
export interface ImageEvalOptions {
  /** Generator samples (null: {@link EVAL_SAMPLES}). */
  samples: number | null;
  splits: number;
  /** null: the MNIST classifier for MNIST runs, else the run's, else the bundled one of its data. */
  classifier: string | null;
  /** Value range the classifier wants, 'lo,hi'. */
  modelRange: string | null;
  inputSize: number | null;
  layout: 'NCHW' | 'NHWC' | null;
  scoresOutput: string | null;
  featuresOutput: string | null;
}

/**
 * `--model-range lo,hi` as two different numbers.
 * @example parseModelRange('-1,1') // [-1, 1]
 */
export function parseModelRange(text: string): [number, number] {
  const r = text.split(',').map(Number);
  if (r.length !== 2 || !r.every(Number.isFinite) || r[0] === r[1]) throw new ConfigError(`--model-range must be lo,hi (two different numbers), got '${text}'`);
  return [r[0]!, r[1]!];
}

/**
 * `eval DIR` of an image run: IS and FID of `samples` generator samples under a classifier (default:
 * the bundled MNIST classifier for MNIST runs, else the run's, else the bundled CIFAR-10 classifier
 * for CIFAR-10 runs), with the real-data ceiling at the same count. Returns the JSON-ready result.
 * @example await evaluateImages(run, { samples: 10000, splits: 10, classifier: null, ... }, env);
 */
export async function evaluateImages(run: SavedRun<ImageConfig>, opts: ImageEvalOptions, env: RunEnv): Promise<Record<string, unknown>> {
  const config = run.config;
  const classifier = opts.classifier ?? (config.family === 'mnist' ? 'mnist' : (config.classifier ?? FAMILY_CLASSIFIER[config.family]));
  if (!classifier) {
    throw new ConfigError(`no classifier for a ${config.preset} run: pass --classifier FILE.onnx (e.g. an Inception-v3 export; see --model-range, --input-size, --scores-output, --features-output)`);
  }
  if (!isBundledClassifier(classifier) && !existsSync(classifier)) throw new ConfigError(`--classifier: model file '${classifier}' does not exist`);
  const samples = opts.samples ?? EVAL_SAMPLES;
  const splits = opts.splits;
  if (samples < splits) throw new ConfigError(`--samples must be an integer >= --splits (${splits}), got ${samples}`);
  const modelRange = opts.modelRange === null ? undefined : parseModelRange(opts.modelRange);
  const g = await loadImageGenerator(run);
  const data = loadImageData(config, env.say);
  const options: OnnxClassifierOptions = {
    ...(modelRange ? { modelRange } : {}),
    ...(opts.inputSize !== null ? { inputSize: opts.inputSize } : {}),
    ...(opts.layout !== null ? { layout: opts.layout } : {}),
    ...(opts.scoresOutput !== null ? { scoresOutput: opts.scoresOutput } : {}),
    ...(opts.featuresOutput !== null ? { featuresOutput: opts.featuresOutput } : {}),
  };
  env.say(`scoring ${samples} samples of iteration ${g.iteration} with ${classifier} ...`);
  const judge = await openJudge({ classifier, imageRange: imageRange(config.family), options, ...(env.threads !== undefined ? { threads: env.threads } : {}) }, data.reference);
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
 * `export DIR [--out FILE] [--batch-size N]`: the generator as a standard ONNX model, its batch axis
 * dynamic unless `batch` is given. Returns the file written (default DIR/generator.onnx).
 * @example await exportImageGenerator(run, { out: null, batch: null }, env) // 'runs/mnist/generator.onnx'
 */
export async function exportImageGenerator(run: SavedRun<ImageConfig>, opts: { out: string | null; batch: number | null; force?: boolean }, env: RunEnv): Promise<string> {
  const batch = opts.batch ?? 'batch';
  const out = opts.out ?? join(run.dir, 'generator.onnx');
  const target = { flag: '--out', force: opts.force === true };
  await checkOutputFile(out, target);
  const g = await loadImageGenerator(run);
  await writeNewFile(out, exportGenerator(g, opts.batch), target);
  const inputs = g.numClasses > 0 ? `noise float32 [${batch}, ${NOISE_DIM}], labels int32 [${batch}]` : `noise float32 [${batch}, ${NOISE_DIM}]`;
  const [lo, hi] = imageRange(g.config.family);
  env.say(`wrote ${out}: generator of iteration ${g.iteration}; inputs ${inputs}; output images float32 [${batch}, C, H, W] in [${lo}, ${hi}]`);
  return out;
}
