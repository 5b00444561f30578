/**
 * Evaluation of image generators: samples drawn batch by batch from fixed noise, the Inception Score
 * and FID under any ONNX classifier (by default the bundled MNIST or CIFAR-10 classifier), the
 * real-data ceiling of both at the same sample count, and the critic cost on held-out real images
 * (gan_mnist.py's dev_disc_cost).
 */
import { epochBatches, readItems, type ImageDataset } from '../../data/batches.js';
import { NOISE_DIM } from '../../gan/models/mnist.js';
import type { Trainer } from '../../gan/trainer.js';
import { resolveClassifier } from '../../metrics/bundled-classifiers.js';
import { OnnxClassifier, type ImageBatch, type OnnxClassifierOptions } from '../../metrics/classifier.js';
import { FeatureStatsAccumulator, frechetDistance, inceptionScore, type GaussianStats } from '../../metrics/inception.js';
import type { Module } from '../../nn/module.js';
import { Rng } from '../../tensor/random.js';
import { realize, tensor } from '../../tensor/tensor.js';

/** Inception Score splits during training (OpenAI protocol: 10). */
export const IS_SPLITS = 10;

/**
 * Draws `n` generator samples in batches of `batch` from noise of `rng` (labels i mod `numClasses`
 * for a conditional generator), one backend run per batch. Yields `{ data, shape }` batches, ready for
 * {@link OnnxClassifier}.
 * @example for await (const b of generatorBatches(G, 1000, 50, new Rng(1))) grid(b);
 */
export async function* generatorBatches(generator: Module, n: number, batch: number, rng: Rng, numClasses = 0): AsyncGenerator<{ data: Float32Array; shape: readonly number[] }> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`generatorBatches: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`generatorBatches: batch must be a positive integer, got ${batch}`);
  for (let start = 0; start < n; start += batch) {
    // Always a full batch (the generator's batch norm uses batch statistics); surplus rows are dropped.
    const z = rng.normal([batch, NOISE_DIM]);
    const x =
      numClasses > 0
        ? generator.forward(z, tensor(Int32Array.from({ length: batch }, (_, i) => (start + i) % numClasses), [batch], 'int32'))
        : generator.forward(z);
    await realize([x]);
    const m = Math.min(batch, n - start);
    const per = x.size / batch;
    yield { data: Float32Array.from(x.value!.subarray(0, m * per)), shape: [m, ...x.shape.slice(1)] };
  }
}

/** The classifier of an image run and the real-data statistics it is compared against. */
export interface Judge {
  readonly classifier: OnnxClassifier;
  /** Feature statistics of the reference real images (null without a feature output). */
  readonly realStats: GaussianStats | null;
  readonly realCount: number;
}

/** Where a classifier comes from: 'mnist' or 'cifar10' (the bundled ones) or an ONNX file, with options. */
export interface JudgeSpec {
  readonly classifier: string;
  /** Value range of the images handed to the classifier (the generator's output range). */
  readonly imageRange: readonly [number, number];
  readonly options?: OnnxClassifierOptions;
  readonly threads?: number;
}

/** Real images the FID statistics use at most (a fixed subset of larger sets; FID wants ≥ 10k). */
export const MAX_REFERENCE_IMAGES = 10_000;

/**
 * The items `indices` of a dataset as a dataset of their own (a view: nothing is copied).
 * @example const sub = datasetView(bedrooms, evalIndices(bedrooms, 10_000, 1));
 */
export function datasetView(dataset: ImageDataset, indices: Int32Array): ImageDataset {
  return {
    name: `${dataset.name} (${indices.length} of ${dataset.length})`,
    length: indices.length,
    itemShape: dataset.itemShape,
    numClasses: dataset.numClasses,
    transform: dataset.transform,
    label: (i) => dataset.label(indices[i]!),
    pixels: (i, out, offset) => dataset.pixels(indices[i]!, out, offset),
  };
}

/**
 * Loads the classifier and computes the feature statistics of `reference` (e.g. the 10k MNIST test
 * images; larger sets through a fixed subset of {@link MAX_REFERENCE_IMAGES}): done once per run,
 * reused at every evaluation.
 * @example const judge = await openJudge({ classifier: 'mnist', imageRange: [0, 1] }, mnist.test);
 */
export async function openJudge(spec: JudgeSpec, reference: ImageDataset | null): Promise<Judge> {
  const { path, options: bundled } = resolveClassifier(spec.classifier);
  const options: OnnxClassifierOptions = {
    ...bundled,
    ...(spec.options ?? {}),
    imageRange: spec.imageRange,
    ...(spec.threads !== undefined ? { threads: spec.threads } : {}),
  };
  const classifier = await OnnxClassifier.load(path, options);
  let realStats: GaussianStats | null = null;
  const real = reference && reference.length > MAX_REFERENCE_IMAGES ? datasetView(reference, evalIndices(reference, MAX_REFERENCE_IMAGES, 0)) : reference;
  if (real && classifier.featuresOutput !== null) realStats = await classifier.featureStats(datasetBatches(real));
  return { classifier, realStats, realCount: real?.length ?? 0 };
}

/** Every image of a dataset as classifier batches. */
function* datasetBatches(dataset: ImageDataset, batch = 500): Generator<ImageBatch> {
  for (const b of epochBatches(dataset, batch, { noiseRng: new Rng(0) })) yield { data: b.images, shape: b.shape };
}

/** IS and FID of one image set. */
export interface ImageScores {
  inceptionScore: number;
  inceptionScoreStd: number;
  /** Absent when the classifier has no features or there is no reference set. */
  fid?: number;
}

/**
 * IS (`splits` parts) and FID against the judge's reference statistics, of a stream of images.
 * @example const s = await scoreImages(judge, generatorBatches(G, 1000, 50, new Rng(3)));
 */
export async function scoreImages(judge: Judge, images: AsyncIterable<ImageBatch> | Iterable<ImageBatch>, splits = IS_SPLITS): Promise<ImageScores> {
  const { probs, classes, features, featureDim } = await judge.classifier.classify(images);
  const is = inceptionScore(probs, classes, splits);
  const out: ImageScores = { inceptionScore: is.mean, inceptionScoreStd: is.std };
  if (judge.realStats && features) {
    out.fid = frechetDistance(new FeatureStatsAccumulator(featureDim).add(features).stats(), judge.realStats);
  }
  return out;
}

/**
 * The real-data ceiling at `n` images: the scores of `n` held-out real images (or, without a
 * held-out set, of `n` training images) under the same judge, i.e. what a perfect generator would
 * get at this sample count (FID is biased upwards for small n).
 * @example const ceiling = await realCeiling(judge, mnist.dev, 1000);
 */
export async function realCeiling(judge: Judge, real: ImageDataset, n: number, seed = 0): Promise<ImageScores & { samples: number }> {
  const m = Math.min(n, real.length);
  const idx = new Rng(seed).permutation(real.length).subarray(0, m);
  const batches = function* (): Generator<ImageBatch> {
    for (let s = 0; s < m; s += 500) {
      const it = readItems(real, idx.subarray(s, Math.min(m, s + 500)), new Rng(seed + 1));
      yield { data: it.images, shape: it.shape };
    }
  };
  return { ...(await scoreImages(judge, batches(), Math.min(IS_SPLITS, m))), samples: m };
}

/**
 * The mean critic loss (penalty included, as the training loss) over batches of `dataset` items
 * `indices`, against fresh fakes from `seed`: gan_mnist.py's dev-set critic cost. A remainder smaller
 * than `batch` is dropped (at least one batch is used).
 * @example const dev = await criticCost(trainer, mnist.dev, devIndices, 50, 7);
 */
export async function criticCost(trainer: Trainer, dataset: ImageDataset, indices: Int32Array, batch: number, seed: number, conditional = false): Promise<number> {
  if (indices.length < batch) throw new Error(`criticCost: ${indices.length} items are fewer than one batch of ${batch}`);
  const rng = new Rng(seed);
  const noise = new Rng(seed + 1);
  let total = 0;
  const batches = Math.floor(indices.length / batch);
  for (let b = 0; b < batches; b++) {
    const it = readItems(dataset, indices.subarray(b * batch, (b + 1) * batch), noise);
    const labels = conditional ? tensor(Int32Array.from(it.labels), [batch], 'int32') : undefined;
    total += await trainer.criticLossOn(tensor(it.images, it.shape), rng, labels);
  }
  return total / batches;
}

/**
 * `n` item indices of a dataset chosen once from `seed` (a fixed evaluation subset that covers every
 * class even when the folder is sorted by class).
 * @example const devIdx = evalIndices(mnist.dev, 1000, 1);
 */
export function evalIndices(dataset: ImageDataset, n: number, seed: number): Int32Array {
  return new Rng(seed).permutation(dataset.length).slice(0, Math.min(n, dataset.length));
}
