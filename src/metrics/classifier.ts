/**
 * Any ONNX image classifier as the judge of Inception Score and FID, run with onnxruntime-node:
 * the Inception network of the paper's CIFAR-10 scores when the user has its ONNX file, or the MNIST
 * classifier this project trains with its own engine (models/mnist-classifier.onnx).
 *
 * Images come in the engine's layout, [N, C, H, W] float32, with values in `imageRange` (default
 * [−1, 1], the generators' tanh). Each batch is prepared for the model: gray → RGB when the model
 * wants 3 channels, bilinear resize to the model's input size, the linear map onto the model's
 * `modelRange` and optional per-channel (x − mean)/std normalisation, NCHW or NHWC. Then the model's
 * class scores (logits or probabilities) and feature output are read back.
 */
import { existsSync, statSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { resamplePlane, resizeTaps } from '../data/resize.js';
import { Tensor } from '../tensor/tensor.js';
import { FeatureStatsAccumulator, frechetDistance, inceptionScore, type GaussianStats, type ScoreStats } from './inception.js';

/** How to talk to a classifier. Every field has a default read from the model where it can be. */
export interface OnnxClassifierOptions {
  /** The model input to feed (default: the model's only input). */
  readonly inputName?: string;
  /** Spatial size [H, W] (or one number for square) the model expects (default: the model's static input shape). */
  readonly inputSize?: number | readonly [number, number];
  /** Channels the model expects (default: the model's static input shape, else 3). */
  readonly channels?: number;
  /** The model's input layout (default: read from the input shape: NHWC when the last axis, and not axis 1, is 1 or 3). */
  readonly layout?: 'NCHW' | 'NHWC';
  /** Value range of the images passed in (default [−1, 1]). */
  readonly imageRange?: readonly [number, number];
  /** Value range the model wants (default [−1, 1]); images are mapped linearly from `imageRange`. */
  readonly modelRange?: readonly [number, number];
  /** Per-channel mean subtracted after the range map (ImageNet-style models), default none. */
  readonly mean?: readonly number[];
  /** Per-channel std divided by after the mean, default none. */
  readonly std?: readonly number[];
  /** Resampling to the model's size: 'bilinear' (default, half-pixel centres), 'nearest', or 'none' (sizes must match). */
  readonly resize?: 'bilinear' | 'nearest' | 'none';
  /**
   * The output holding class scores, and whether they are 'logits' (softmax applied here), 'probs', or
   * 'auto' (probabilities if every row is in [0, 1] and sums to 1). Default output: 'logits', 'probs',
   * 'probabilities', 'softmax' or 'prob' if the model has one, else its first output; default kind 'auto'
   * ('logits' for an output named 'logits').
   */
  readonly scoresOutput?: string;
  readonly scoresKind?: 'logits' | 'probs' | 'auto';
  /**
   * The output holding features for FID (flattened per image). Default: 'features', 'pool3', 'pool_3'
   * or 'pool3:0' if present; `null` for none (FID is then unavailable).
   */
  readonly featuresOutput?: string | null;
  /** Images per run for models whose batch axis is free (default 100; fixed-batch models use theirs). */
  readonly batchSize?: number;
  /** onnxruntime intra-op threads (default: onnxruntime's choice). */
  readonly threads?: number;
}

/**
 * Settings for an Inception-v3 ONNX export in the pytorch-fid/TF convention: 299×299 RGB, NCHW,
 * pixels in [−1, 1]. Output names differ between exports: pass `scoresOutput`/`featuresOutput` too
 * when yours are not named logits/pool3 (the error lists the model's outputs).
 * @example
 * const c = await OnnxClassifier.load('inception-v3.onnx', { ...INCEPTION_V3, scoresOutput: 'logits', featuresOutput: 'pool3' });
 */
export const INCEPTION_V3: OnnxClassifierOptions = {
  inputSize: [299, 299],
  channels: 3,
  layout: 'NCHW',
  modelRange: [-1, 1],
};

/** What a classifier says about a set of images. */
export interface ClassifierOutput {
  /** Class probabilities, row-major [N, classes]. */
  readonly probs: Float32Array;
  readonly classes: number;
  /** Features, row-major [N, featureDim]; null when the classifier has no feature output. */
  readonly features: Float32Array | null;
  readonly featureDim: number;
}

/**
 * Images as a realized/realizable [N, C, H, W] tensor, or a flat array with its shape: `{ data, shape }`
 * or the data loaders' `{ images, shape }` batches (so `epochBatches(mnist.test, 500)` can be passed as is).
 */
export type ImageBatch =
  | Tensor
  | { readonly data: Float32Array; readonly shape: readonly number[] }
  | { readonly images: Float32Array; readonly shape: readonly number[] };

/** One batch of images, or a stream of batches (all with the same C, H, W). */
export type ImageSource = ImageBatch | Iterable<ImageBatch> | AsyncIterable<ImageBatch>;

interface BatchResult {
  readonly probs: Float32Array;
  readonly classes: number;
  readonly features: Float32Array | null;
  readonly featureDim: number;
}

const SCORE_NAMES = ['logits', 'probs', 'probabilities', 'softmax', 'prob'];
const FEATURE_NAMES = ['features', 'pool3', 'pool_3', 'pool3:0'];

/**
 * An ONNX image classifier: class probabilities (for the Inception Score) and features (for FID).
 * @example
 * const judge = await OnnxClassifier.load('models/mnist-classifier.onnx', MNIST_CLASSIFIER);
 * const { probs, features } = await judge.classify({ data: images, shape: [n, 1, 28, 28] });
 * const is = await judge.inceptionScore(samples);
 * await judge.close();
 */
export class OnnxClassifier {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** The model file (for messages). */
    readonly path: string,
    readonly inputName: string,
    readonly channels: number,
    readonly height: number,
    readonly width: number,
    readonly layout: 'NCHW' | 'NHWC',
    /** The model's fixed batch size, or null when free. */
    readonly fixedBatch: number | null,
    readonly batchSize: number,
    readonly scoresOutput: string,
    readonly scoresKind: 'logits' | 'probs' | 'auto',
    readonly featuresOutput: string | null,
    private readonly opts: OnnxClassifierOptions,
  ) {}

  /**
   * Loads the model at `path` and resolves every setting (options first, then the model's metadata).
   * Throws naming the file when it is missing or not a loadable ONNX model, and naming the available
   * inputs/outputs when a requested one does not exist.
   * @example const judge = await OnnxClassifier.load('inception.onnx', INCEPTION_V3);
   */
  static async load(path: string, options: OnnxClassifierOptions = {}): Promise<OnnxClassifier> {
    const who = `OnnxClassifier(${path})`;
    if (!existsSync(path)) throw new Error(`${who}: model file '${path}' does not exist`);
    if (!statSync(path).isFile()) throw new Error(`${who}: '${path}' is not a file`);
    let session: ort.InferenceSession;
    try {
      const so: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all' };
      if (options.threads !== undefined) {
        if (!Number.isInteger(options.threads) || options.threads < 1) throw new Error(`threads must be a positive integer, got ${String(options.threads)}`);
        so.intraOpNumThreads = options.threads;
        so.interOpNumThreads = 1;
      }
      session = await ort.InferenceSession.create(path, so);
    } catch (e) {
      throw new Error(`${who}: cannot load '${path}' as an ONNX model (corrupted or truncated file?): ${(e as Error).message}`);
    }
    try {
      return OnnxClassifier.configure(session, path, options);
    } catch (e) {
      await session.release();
      throw e;
    }
  }

  private static configure(session: ort.InferenceSession, path: string, o: OnnxClassifierOptions): OnnxClassifier {
    const who = `OnnxClassifier(${path})`;
    const list = (names: readonly string[]): string => names.map((n) => `'${n}'`).join(', ');
    // Input.
    const inputName = o.inputName ?? (session.inputNames.length === 1 ? session.inputNames[0]! : undefined);
    if (inputName === undefined) throw new Error(`${who}: the model has ${session.inputNames.length} inputs (${list(session.inputNames)}); pass inputName`);
    const inIndex = session.inputNames.indexOf(inputName);
    if (inIndex < 0) throw new Error(`${who}: no input named '${inputName}'; the model's inputs are ${list(session.inputNames)}`);
    const meta = session.inputMetadata[inIndex];
    const dims: readonly (number | string)[] = meta && meta.isTensor ? meta.shape : [];
    if (meta && meta.isTensor && meta.type !== 'float32') throw new Error(`${who}: input '${inputName}' is ${meta.type}; only float32 image inputs are supported`);
    if (dims.length !== 0 && dims.length !== 4) {
      throw new Error(`${who}: input '${inputName}' has shape [${dims.join(', ')}]; an image classifier takes a rank-4 batch (NCHW or NHWC)`);
    }
    const num = (d: number | string | undefined): number | null => (typeof d === 'number' && d > 0 ? d : null);
    const isChannels = (d: number | string | undefined): boolean => d === 1 || d === 3;
    const layout = o.layout ?? (dims.length === 4 && !isChannels(dims[1]) && isChannels(dims[3]) ? 'NHWC' : 'NCHW');
    if (layout !== 'NCHW' && layout !== 'NHWC') throw new Error(`${who}: layout must be 'NCHW' or 'NHWC', got '${String(layout)}'`);
    const [dC, dH, dW] = layout === 'NCHW' ? [dims[1], dims[2], dims[3]] : [dims[3], dims[1], dims[2]];
    const fixedBatch = num(dims[0]);
    const shapeText = `[${dims.join(', ')}]`;
    const channels = o.channels ?? num(dC) ?? 3;
    if (num(dC) !== null && channels !== num(dC)) {
      throw new Error(`${who}: channels ${channels} does not match input '${inputName}' of shape ${shapeText} (${layout})`);
    }
    let size: readonly [number, number] | null = null;
    if (o.inputSize !== undefined) size = typeof o.inputSize === 'number' ? [o.inputSize, o.inputSize] : o.inputSize;
    if (size && !size.every((s) => Number.isInteger(s) && s >= 1)) throw new Error(`${who}: inputSize must be positive integers, got ${JSON.stringify(o.inputSize)}`);
    const modelH = num(dH);
    const modelW = num(dW);
    if (size && ((modelH !== null && size[0] !== modelH) || (modelW !== null && size[1] !== modelW))) {
      throw new Error(`${who}: inputSize [${size.join(', ')}] does not match input '${inputName}' of shape ${shapeText} (${layout})`);
    }
    const height = size?.[0] ?? modelH;
    const width = size?.[1] ?? modelW;
    if (height === null || width === null) throw new Error(`${who}: input '${inputName}' of shape ${shapeText} has no fixed spatial size; pass inputSize`);
    // Outputs.
    const outs = session.outputNames;
    const scoresOutput = o.scoresOutput ?? SCORE_NAMES.find((n) => outs.includes(n)) ?? outs[0]!;
    if (!outs.includes(scoresOutput)) throw new Error(`${who}: no output named '${scoresOutput}' (scoresOutput); the model's outputs are ${list(outs)}`);
    const featuresOutput = o.featuresOutput === undefined ? (FEATURE_NAMES.find((n) => outs.includes(n)) ?? null) : o.featuresOutput;
    if (featuresOutput !== null && !outs.includes(featuresOutput)) {
      throw new Error(`${who}: no output named '${featuresOutput}' (featuresOutput); the model's outputs are ${list(outs)}`);
    }
    const scoresKind = o.scoresKind ?? (scoresOutput === 'logits' ? 'logits' : 'auto');
    if (!['logits', 'probs', 'auto'].includes(scoresKind)) throw new Error(`${who}: scoresKind must be 'logits', 'probs' or 'auto', got '${String(scoresKind)}'`);
    const batchSize = fixedBatch ?? o.batchSize ?? 100;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${who}: batchSize must be a positive integer, got ${String(o.batchSize)}`);
    for (const [k, v] of [['mean', o.mean], ['std', o.std]] as const) {
      if (v !== undefined && (v.length !== channels || !v.every(Number.isFinite))) throw new Error(`${who}: ${k} must hold ${channels} finite numbers (one per channel), got ${JSON.stringify(v)}`);
    }
    if (o.std?.some((s) => s === 0)) throw new Error(`${who}: std must be non-zero`);
    for (const [k, r] of [['imageRange', o.imageRange], ['modelRange', o.modelRange]] as const) {
      if (r !== undefined && (r.length !== 2 || !r.every(Number.isFinite) || r[0] === r[1])) throw new Error(`${who}: ${k} must be [lo, hi] with lo ≠ hi, got ${JSON.stringify(r)}`);
    }
    if (o.resize !== undefined && !['bilinear', 'nearest', 'none'].includes(o.resize)) throw new Error(`${who}: resize must be 'bilinear', 'nearest' or 'none', got '${String(o.resize)}'`);
    return new OnnxClassifier(session, path, inputName, channels, height, width, layout, fixedBatch, batchSize, scoresOutput, scoresKind, featuresOutput, o);
  }

  /** The model's input shape as fed, e.g. [100, 1, 28, 28]. */
  get inputShape(): readonly number[] {
    const b = this.batchSize;
    return this.layout === 'NCHW' ? [b, this.channels, this.height, this.width] : [b, this.height, this.width, this.channels];
  }

  /**
   * Class probabilities and features of every image, run in model-sized batches. `images` is one
   * [N, C, H, W] batch or a (sync or async) stream of batches, e.g. a generator's samples drawn batch
   * by batch, so 50,000 samples need not sit in memory as one array.
   * @example const { probs, classes } = await judge.classify(samplesTensor); // [N, C, H, W] in [−1, 1]
   */
  async classify(images: ImageSource): Promise<ClassifierOutput> {
    const probs: Float32Array[] = [];
    const features: Float32Array[] = [];
    let classes = 0;
    let featureDim = 0;
    for await (const res of this.runAll(images, 'classify')) {
      classes = res.classes;
      featureDim = res.featureDim;
      probs.push(res.probs);
      if (res.features) features.push(res.features);
    }
    return { probs: concat(probs), classes, features: this.featuresOutput ? concat(features) : null, featureDim };
  }

  /**
   * The Inception Score of the images under this classifier (OpenAI protocol: `splits` parts).
   * @example const { mean, std } = await judge.inceptionScore(samples, 10);
   */
  async inceptionScore(images: ImageSource, splits = 10): Promise<ScoreStats> {
    const { probs, classes } = await this.classify(images);
    return inceptionScore(probs, classes, splits);
  }

  /**
   * Mean and covariance of the classifier's features over the images, accumulated batch by batch
   * (for FID; compute the real set's once and reuse it).
   * @example const real = await judge.featureStats(testImages);
   */
  async featureStats(images: ImageSource): Promise<GaussianStats> {
    this.requireFeatures('featureStats');
    let acc: FeatureStatsAccumulator | null = null;
    for await (const res of this.runAll(images, 'featureStats')) {
      acc ??= new FeatureStatsAccumulator(res.featureDim);
      acc.add(res.features!);
    }
    if (!acc) throw new Error(`OnnxClassifier(${this.path}).featureStats: no images`);
    return acc.stats();
  }

  /**
   * FID between two image sets (or precomputed feature statistics) under this classifier's features.
   * @example const score = await judge.fid(realStats, samples);
   */
  async fid(a: ImageSource | GaussianStats, b: ImageSource | GaussianStats): Promise<number> {
    const sa = isStats(a) ? a : await this.featureStats(a);
    const sb = isStats(b) ? b : await this.featureStats(b);
    return frechetDistance(sa, sb);
  }

  /** Frees the onnxruntime session. @example await judge.close(); */
  async close(): Promise<void> {
    await this.session.release();
  }

  private requireFeatures(what: string): void {
    if (this.featuresOutput === null) {
      throw new Error(
        `OnnxClassifier(${this.path}).${what}: no feature output configured; pass featuresOutput, one of the model's outputs ${this.session.outputNames.map((n) => `'${n}'`).join(', ')}`,
      );
    }
  }

  /** Runs every image of `source` through the model, in chunks of at most `batchSize`. */
  private async *runAll(source: ImageSource, what: string): AsyncGenerator<BatchResult> {
    const who = `OnnxClassifier(${this.path}).${what}`;
    const batches: Iterable<ImageBatch> | AsyncIterable<ImageBatch> = isBatch(source) ? [source] : source;
    let any = false;
    for await (const batch of batches) {
      const { data, shape } = await unpack(batch, who);
      const [n, c, h, w] = shape;
      const per = c * h * w;
      for (let start = 0; start < n; start += this.batchSize) {
        const m = Math.min(this.batchSize, n - start);
        yield await this.runBatch(data.subarray(start * per, (start + m) * per), [m, c, h, w]);
        any = true;
      }
    }
    if (!any) throw new Error(`${who}: no images`);
  }

  /** Prepares and runs at most one batch; a fixed-batch model gets the batch zero-padded. */
  private async runBatch(
    images: Float32Array,
    shape: readonly [number, number, number, number],
  ): Promise<BatchResult> {
    const who = `OnnxClassifier(${this.path})`;
    const [m, c] = shape;
    const input = this.prepare(images, shape);
    const b = this.fixedBatch ?? m;
    const fed = b === m ? input : padRows(input, m, b);
    const feedShape = this.layout === 'NCHW' ? [b, this.channels, this.height, this.width] : [b, this.height, this.width, this.channels];
    const fetches = this.featuresOutput && this.featuresOutput !== this.scoresOutput ? [this.scoresOutput, this.featuresOutput] : [this.scoresOutput];
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await this.session.run({ [this.inputName]: new ort.Tensor('float32', fed, feedShape) }, fetches);
    } catch (e) {
      throw new Error(`${who}: running the model on a batch of shape [${feedShape.join(', ')}] (from images [${shape.join(', ')}], ${c} channel(s)) failed: ${(e as Error).message}`);
    }
    const scores = out[this.scoresOutput] as ort.Tensor;
    const sd = scores.dims;
    if (sd.length < 2 || sd[0] !== b) throw new Error(`${who}: output '${this.scoresOutput}' has shape [${sd.join(', ')}], expected [${b}, classes]`);
    const classes = sd.slice(1).reduce((x, y) => x * y, 1);
    const raw = (scores.data as Float32Array).subarray(0, m * classes);
    const probs = toProbs(raw, classes, this.scoresKind, `${who}: output '${this.scoresOutput}'`);
    let features: Float32Array | null = null;
    let featureDim = 0;
    if (this.featuresOutput) {
      const f = out[this.featuresOutput] as ort.Tensor;
      if (f.dims.length < 1 || f.dims[0] !== b) throw new Error(`${who}: output '${this.featuresOutput}' has shape [${f.dims.join(', ')}], expected a batch axis of ${b}`);
      featureDim = f.dims.slice(1).reduce((x, y) => x * y, 1);
      features = Float32Array.from((f.data as Float32Array).subarray(0, m * featureDim));
    }
    return { probs, classes, features, featureDim };
  }

  /** [m, c, h, w] images in imageRange → the model's channels, size, range, normalisation and layout. */
  private prepare(images: Float32Array, shape: readonly [number, number, number, number]): Float32Array {
    const who = `OnnxClassifier(${this.path})`;
    const [m, c, h, w] = shape;
    const C = this.channels;
    const H = this.height;
    const W = this.width;
    if (c !== C && !(c === 1 && C === 3)) {
      throw new Error(`${who}: images have ${c} channel(s) [${shape.join(', ')}], the model takes ${C} (only gray → RGB is converted)`);
    }
    const mode = this.opts.resize ?? 'bilinear';
    if ((h !== H || w !== W) && mode === 'none') {
      throw new Error(`${who}: images are ${h}×${w} [${shape.join(', ')}] but the model's input '${this.inputName}' is ${H}×${W}; resize them or pass resize: 'bilinear'`);
    }
    const [ilo, ihi] = this.opts.imageRange ?? [-1, 1];
    const [mlo, mhi] = this.opts.modelRange ?? [-1, 1];
    const scale = (mhi - mlo) / (ihi - ilo);
    const mean = this.opts.mean;
    const std = this.opts.std;
    const out = new Float32Array(m * C * H * W);
    const plane = new Float32Array(H * W);
    const filter = mode === 'nearest' ? 'nearest' : 'bilinear';
    const ys = resizeTaps(h, H, filter);
    const xs = resizeTaps(w, W, filter);
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < C; k++) {
        const src = images.subarray((i * c + (c === 1 ? 0 : k)) * h * w, (i * c + (c === 1 ? 0 : k) + 1) * h * w);
        if (h === H && w === W) plane.set(src);
        else plane.set(resamplePlane(src, h, w, ys, xs));
        const mu = mean ? mean[k]! : 0;
        const sigma = std ? std[k]! : 1;
        for (let p = 0; p < H * W; p++) {
          const v = ((plane[p]! - ilo) * scale + mlo - mu) / sigma;
          // NCHW: ((i·C + k)·H·W + p); NHWC: (i·H·W + p)·C + k.
          if (this.layout === 'NCHW') out[(i * C + k) * H * W + p] = v;
          else out[(i * H * W + p) * C + k] = v;
        }
      }
    }
    return out;
  }
}

function isBatch(x: ImageSource): x is ImageBatch {
  return x instanceof Tensor || (typeof x === 'object' && x !== null && ('data' in x || 'images' in x) && 'shape' in x);
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function isStats(x: unknown): x is GaussianStats {
  return typeof x === 'object' && x !== null && 'cov' in x && 'mean' in x && 'dim' in x;
}

async function unpack(images: ImageBatch, who: string): Promise<{ data: Float32Array; shape: [number, number, number, number] }> {
  let data: Float32Array;
  let shape: readonly number[];
  if (images instanceof Tensor) {
    if (images.dtype !== 'float32') throw new Error(`${who}: images must be float32, got ${images.describe()}`);
    data = (await images.data()) as Float32Array;
    shape = images.shape;
  } else {
    if (typeof images !== 'object' || images === null || !('shape' in images)) {
      throw new Error(`${who}: a batch must be a Tensor, { data, shape } or { images, shape } with a Float32Array, got ${String(images)}`);
    }
    const flat: unknown = 'data' in images ? images.data : (images as { images?: unknown }).images;
    if (!(flat instanceof Float32Array)) throw new Error(`${who}: a batch must be a Tensor, { data, shape } or { images, shape } with a Float32Array`);
    data = flat;
    shape = images.shape;
  }
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`${who}: images must be [N, C, H, W], got shape [${shape.join(', ')}]`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`${who}: images of shape [${shape.join(', ')}] need ${size} values, got ${data.length}`);
  return { data, shape: shape as [number, number, number, number] };
}

function padRows(x: Float32Array, m: number, b: number): Float32Array {
  const out = new Float32Array((x.length / m) * b);
  out.set(x);
  return out;
}

/** Softmax of logits rows (in float64), or probabilities checked; 'auto' decides per batch. */
function toProbs(raw: Float32Array, k: number, kind: 'logits' | 'probs' | 'auto', what: string): Float32Array {
  const rows = raw.length / k;
  const isProbRow = (i: number): boolean => {
    let s = 0;
    for (let j = 0; j < k; j++) {
      const p = raw[i * k + j]!;
      if (!(p >= 0 && p <= 1)) return false;
      s += p;
    }
    return Math.abs(s - 1) < 1e-3;
  };
  let asProbs = kind === 'probs';
  if (kind === 'auto') {
    asProbs = true;
    for (let i = 0; i < rows && asProbs; i++) asProbs = isProbRow(i);
  }
  if (asProbs) {
    for (let i = 0; i < rows; i++) if (!isProbRow(i)) throw new Error(`${what}: row ${i} is not a probability distribution (set scoresKind: 'logits'?)`);
    return Float32Array.from(raw);
  }
  const out = new Float32Array(raw.length);
  for (let i = 0; i < rows; i++) {
    let mx = -Infinity;
    for (let j = 0; j < k; j++) mx = Math.max(mx, raw[i * k + j]!);
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(raw[i * k + j]! - mx);
    for (let j = 0; j < k; j++) out[i * k + j] = Math.exp(raw[i * k + j]! - mx) / s;
  }
  return out;
}
