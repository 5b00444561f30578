/**
 * Image datasets and the batches drawn from them.
 *
 * A dataset ({@link ImageDataset}) hands out one item at a time as raw 8-bit-range pixels
 * `[C, H, W]`; its {@link PixelTransform} says how the reference scripts scaled them. The
 * {@link BatchSampler} turns a dataset into the reference's `inf_train_gen()`: an endless stream of
 * fixed-size batches, reshuffled every epoch from a seeded {@link Rng}, each epoch dropping the
 * incomplete last batch (tflib's generators yield `len(data) // batch_size` batches). Only one batch
 * is materialized at a time, so lazily decoded datasets stay within their cache bound. Its state
 * (epoch, position, random streams) is saved and restored for an exact resume.
 */
import { Rng, type RngState } from '../tensor/random.js';
import { tensor, type Tensor } from '../tensor/tensor.js';

/**
 * How raw pixel values x in [0, 255] become network inputs: `gain·(x/divisor − shift) + u`,
 * u ~ U[0, noise) drawn per value (dequantization), written exactly as the reference formulas.
 */
export interface PixelTransform {
  readonly divisor: number;
  readonly shift: number;
  readonly gain: number;
  /** Width of the uniform dequantization noise added after scaling (0: none). */
  readonly noise: number;
}

/** The scalings the reference scripts use, by name. */
export const PIXEL_TRANSFORMS = {
  /** x/255 in [0, 1]. */
  unit: { divisor: 255, shift: 0, gain: 1, noise: 0 },
  /**
   * x/256 in [0, 255/256]: the MNIST pickle tflib's mnist.py (gan_mnist.py) loads stores pixels
   * divided by 256, not 255 (a long-known quirk of that conversion, see pylearn2 issue #93).
   */
  unit256: { divisor: 256, shift: 0, gain: 1, noise: 0 },
  /** 2(x/255 − 0.5) in [−1, 1]: gan_cifar.py and gan_64x64.py. */
  symmetric: { divisor: 255, shift: 0.5, gain: 2, noise: 0 },
  /** 2(x/256 − 0.5) + U[0, 1/128): gan_cifar_resnet.py (uniform dequantization, values in [−1, 1)). */
  symmetricDequantized: { divisor: 256, shift: 0.5, gain: 2, noise: 1 / 128 },
} as const satisfies Record<string, PixelTransform>;

/** A transform by preset name or given explicitly. */
export type PixelTransformSpec = keyof typeof PIXEL_TRANSFORMS | PixelTransform;

/**
 * Resolves and validates a transform.
 *
 * @example
 * resolveTransform('symmetric'); // { divisor: 255, shift: 0.5, gain: 2, noise: 0 }
 */
export function resolveTransform(spec: PixelTransformSpec, who = 'transform'): PixelTransform {
  if (typeof spec === 'string') {
    const t = (PIXEL_TRANSFORMS as Record<string, PixelTransform>)[spec];
    if (!t) throw new Error(`${who}: unknown pixel transform '${spec}'; expected one of ${Object.keys(PIXEL_TRANSFORMS).join(', ')}`);
    return t;
  }
  for (const k of ['divisor', 'shift', 'gain', 'noise'] as const) {
    if (typeof spec[k] !== 'number' || !Number.isFinite(spec[k])) throw new Error(`${who}: ${k} must be a finite number, got ${String(spec[k])}`);
  }
  if (spec.divisor === 0) throw new Error(`${who}: divisor must be non-zero`);
  if (spec.noise < 0) throw new Error(`${who}: noise must be >= 0, got ${spec.noise}`);
  return spec;
}

/** A dataset of equally shaped images with optional class labels. */
export interface ImageDataset {
  /** Short description for messages and reports (e.g. "MNIST train"). */
  readonly name: string;
  readonly length: number;
  /** `[C, H, W]` of every item. */
  readonly itemShape: readonly [number, number, number];
  /** Number of classes; 0 when the dataset has no labels (then every label is 0). */
  readonly numClasses: number;
  readonly transform: PixelTransform;
  /** The class of item `i`. */
  label(i: number): number;
  /** Writes item `i`'s raw pixel values (range [0, 255], `[C, H, W]` order) into `out` at `offset`. */
  pixels(i: number, out: Float32Array, offset: number): void;
}

/** Items read from a dataset. */
export interface Items {
  /** Transformed pixels, `[n, C, H, W]` row-major. */
  readonly images: Float32Array;
  /** Class of each item (int32, ready for `oneHot`/`gather`). */
  readonly labels: Int32Array;
  /** `[n, C, H, W]`. */
  readonly shape: readonly [number, number, number, number];
}

/** One batch of a {@link BatchSampler}: the items plus where they came from. */
export interface Batch extends Items {
  /** Dataset indices of the items. */
  readonly indices: Int32Array;
  /** The epoch (pass over the data, from 0) the batch belongs to. */
  readonly epoch: number;
}

const itemSize = (d: ImageDataset): number => d.itemShape[0] * d.itemShape[1] * d.itemShape[2];

/**
 * Applies a transform in place to `n` raw values of `out` starting at `offset`. `rng` is required
 * when the transform adds noise.
 *
 * @example
 * applyTransform(PIXEL_TRANSFORMS.symmetric, buf, 0, buf.length); // 0 -> -1, 255 -> 1
 */
export function applyTransform(t: PixelTransform, out: Float32Array, offset: number, n: number, rng?: Rng): void {
  const { divisor, shift, gain, noise } = t;
  if (noise > 0 && !rng) throw new Error('applyTransform: this transform adds dequantization noise and needs an Rng');
  for (let i = offset; i < offset + n; i++) {
    let v = gain * (out[i]! / divisor - shift);
    if (noise > 0) v += noise * rng!.next();
    out[i] = v;
  }
}

/**
 * Reads the given items of a dataset, transformed, into one `[n, C, H, W]` array.
 *
 * @example
 * const { images, labels } = readItems(mnist.test, [0, 1, 2]);
 */
export function readItems(dataset: ImageDataset, indices: ArrayLike<number>, rng?: Rng): Items {
  const size = itemSize(dataset);
  const n = indices.length;
  const images = new Float32Array(n * size);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= dataset.length) {
      throw new RangeError(`readItems(${dataset.name}): index ${i} out of range [0, ${dataset.length})`);
    }
    dataset.pixels(i, images, k * size);
    labels[k] = dataset.label(i);
  }
  applyTransform(dataset.transform, images, 0, images.length, rng);
  return { images, labels, shape: [n, ...dataset.itemShape] };
}

/** Constructor arguments of {@link ArrayImageDataset}. */
export interface ArrayImageDatasetInit {
  readonly name: string;
  /** `[N, C, H, W]` uint8 pixels. */
  readonly pixels: Uint8Array;
  readonly itemShape: readonly [number, number, number];
  /** One label per item (omit for an unlabelled dataset). */
  readonly labels?: Uint8Array;
  readonly numClasses?: number;
  readonly transform?: PixelTransformSpec;
}

/**
 * An in-memory dataset of 8-bit images (MNIST, CIFAR-10). Pixels stay uint8 (4x smaller than
 * float32) and are scaled per batch; {@link ArrayImageDataset.toFloat32} gives the whole set as floats.
 *
 * @example
 * const ds = new ArrayImageDataset({ name: 'tiny', pixels, itemShape: [1, 2, 2], labels, numClasses: 2 });
 */
export class ArrayImageDataset implements ImageDataset {
  readonly name: string;
  readonly length: number;
  readonly itemShape: readonly [number, number, number];
  readonly numClasses: number;
  readonly transform: PixelTransform;
  /** `[N, C, H, W]` uint8 pixels (a view: do not modify). */
  readonly data: Uint8Array;
  /** Labels (uint8), or undefined for an unlabelled dataset. */
  readonly labels: Uint8Array | undefined;

  constructor(init: ArrayImageDatasetInit) {
    const who = `ArrayImageDataset(${init.name})`;
    const [c, h, w] = init.itemShape;
    if (![c, h, w].every((d) => Number.isInteger(d) && d > 0)) {
      throw new Error(`${who}: itemShape must be 3 positive integers [C, H, W], got [${init.itemShape.join(', ')}]`);
    }
    const size = c * h * w;
    if (init.pixels.length % size !== 0) {
      throw new Error(`${who}: ${init.pixels.length} pixel values are not a whole number of [${c}, ${h}, ${w}] items`);
    }
    this.name = init.name;
    this.itemShape = [c, h, w];
    this.data = init.pixels;
    this.length = init.pixels.length / size;
    this.transform = resolveTransform(init.transform ?? 'unit', who);
    this.labels = init.labels;
    this.numClasses = init.numClasses ?? 0;
    if (init.labels !== undefined) {
      if (init.labels.length !== this.length) throw new Error(`${who}: ${init.labels.length} labels for ${this.length} images`);
      if (!Number.isInteger(this.numClasses) || this.numClasses < 1) throw new Error(`${who}: labels given, numClasses must be >= 1`);
      for (let i = 0; i < init.labels.length; i++) {
        if (init.labels[i]! >= this.numClasses) throw new Error(`${who}: label ${init.labels[i]} of item ${i} is not below numClasses = ${this.numClasses}`);
      }
    } else if (this.numClasses !== 0) {
      throw new Error(`${who}: numClasses = ${this.numClasses} but no labels given`);
    }
  }

  label(i: number): number {
    return this.labels ? this.labels[i]! : 0;
  }

  pixels(i: number, out: Float32Array, offset: number): void {
    const size = this.data.length / this.length;
    const src = this.data.subarray(i * size, (i + 1) * size);
    for (let k = 0; k < size; k++) out[offset + k] = src[k]!;
  }

  /**
   * Items `[start, end)` as a dataset sharing this one's memory (e.g. the 50k/10k MNIST train/dev split).
   *
   * @example
   * const dev = full.subset(50_000, 60_000, 'MNIST dev');
   */
  subset(start: number, end: number, name = `${this.name}[${start}:${end}]`): ArrayImageDataset {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > this.length || start > end) {
      throw new RangeError(`${this.name}.subset: [${start}, ${end}) is not a range within [0, ${this.length})`);
    }
    const size = this.data.length / this.length;
    return new ArrayImageDataset({
      name,
      pixels: this.data.subarray(start * size, end * size),
      itemShape: this.itemShape,
      ...(this.labels ? { labels: this.labels.subarray(start, end), numClasses: this.numClasses } : {}),
      transform: this.transform,
    });
  }

  /**
   * The same images under another pixel transform.
   *
   * @example
   * const resnetTrain = cifar.train.withTransform('symmetricDequantized');
   */
  withTransform(transform: PixelTransformSpec): ArrayImageDataset {
    return new ArrayImageDataset({
      name: this.name,
      pixels: this.data,
      itemShape: this.itemShape,
      ...(this.labels ? { labels: this.labels, numClasses: this.numClasses } : {}),
      transform,
    });
  }

  /**
   * All images as one transformed `[N, C, H, W]` Float32Array (4 bytes per pixel: 188 MB for the
   * 60k MNIST images). `rng` is needed only for a transform with noise.
   *
   * @example
   * const x = mnist.test.toFloat32(); // Float32Array(10000 * 784), values in [0, 1)
   */
  toFloat32(rng?: Rng): Float32Array {
    const out = new Float32Array(this.data.length);
    for (let i = 0; i < out.length; i++) out[i] = this.data[i]!;
    applyTransform(this.transform, out, 0, out.length, rng);
    return out;
  }
}

/** Options of {@link BatchSampler}. */
export interface BatchSamplerOptions {
  readonly batchSize: number;
  /** Seed of the shuffling and dequantization-noise streams. */
  readonly seed: number;
  /** Reshuffle every epoch (default true); false serves the items in order, epoch after epoch. */
  readonly shuffle?: boolean;
}

/** Everything a {@link BatchSampler} needs to continue exactly where it was (JSON-serializable). */
export interface BatchSamplerState {
  /** Dataset length and batch size when saved: a restore into a different setup is refused. */
  readonly length: number;
  readonly batchSize: number;
  readonly epoch: number;
  /** Items of the current epoch already served. */
  readonly position: number;
  /** The shuffle stream as it was before drawing the current epoch's permutation. */
  readonly rng: RngState;
  /** The dequantization-noise stream, current. */
  readonly noiseRng: RngState;
}

/**
 * An endless stream of batches over a dataset, as the reference's `inf_train_gen()`: every epoch is
 * a fresh permutation of the items from a seeded Rng, cut into `floor(N / batchSize)` full batches
 * (the remainder of each epoch is dropped, as tflib's generators do).
 *
 * @example
 * const sampler = new BatchSampler(mnist.train, { batchSize: 50, seed: 1 });
 * const { images, labels, shape } = sampler.next(); // shape [50, 1, 28, 28]
 * const saved = sampler.state(); // later: sampler.restore(saved)
 */
export class BatchSampler implements Iterable<Batch> {
  readonly dataset: ImageDataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  private rng: Rng;
  private epochStart: RngState;
  private noiseRng: Rng;
  private order: Int32Array | null = null;
  private epochIndex = 0;
  private position = 0;

  constructor(dataset: ImageDataset, options: BatchSamplerOptions) {
    const { batchSize, seed } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`BatchSampler: batchSize must be a positive integer, got ${batchSize}`);
    if (dataset.length < batchSize) {
      throw new Error(`BatchSampler: ${dataset.name} has ${dataset.length} items, fewer than one batch of ${batchSize}`);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = options.shuffle ?? true;
    this.rng = new Rng(seed);
    this.noiseRng = this.rng.fork();
    this.epochStart = this.rng.state();
    this.drawOrder();
  }

  /** Full batches per epoch. */
  get batchesPerEpoch(): number {
    return Math.floor(this.dataset.length / this.batchSize);
  }

  /** The epoch of the most recent batch (0 before the first). */
  get epoch(): number {
    return this.epochIndex;
  }

  private drawOrder(): void {
    this.epochStart = this.rng.state();
    this.order = this.shuffle ? this.rng.permutation(this.dataset.length) : null;
  }

  /** The next batch (starting a new, reshuffled epoch when the current one has no full batch left). */
  next(): Batch {
    const n = this.dataset.length;
    const B = this.batchSize;
    if (this.position + B > n) {
      this.epochIndex++;
      this.position = 0;
      this.drawOrder();
    }
    const indices = new Int32Array(B);
    for (let k = 0; k < B; k++) indices[k] = this.order ? this.order[this.position + k]! : this.position + k;
    this.position += B;
    return { ...readItems(this.dataset, indices, this.noiseRng), indices, epoch: this.epochIndex };
  }

  /** Iterates forever (`for (const batch of sampler)`); break out when done. */
  *[Symbol.iterator](): Iterator<Batch> {
    for (;;) yield this.next();
  }

  /** The sampler's position and random streams, for checkpoints. */
  state(): BatchSamplerState {
    return {
      length: this.dataset.length,
      batchSize: this.batchSize,
      epoch: this.epochIndex,
      position: this.position,
      rng: this.epochStart,
      noiseRng: this.noiseRng.state(),
    };
  }

  /** Continues from a state returned by {@link BatchSampler.state} (the epoch's order is redrawn). */
  restore(state: BatchSamplerState): void {
    const who = `BatchSampler.restore(${this.dataset.name})`;
    if (state.length !== this.dataset.length || state.batchSize !== this.batchSize) {
      throw new Error(
        `${who}: the state was saved for ${state.length} items in batches of ${state.batchSize}, ` +
          `this sampler has ${this.dataset.length} items in batches of ${this.batchSize}`,
      );
    }
    if (!Number.isInteger(state.epoch) || state.epoch < 0) throw new Error(`${who}: bad epoch ${state.epoch}`);
    if (!Number.isInteger(state.position) || state.position < 0 || state.position > this.dataset.length) {
      throw new Error(`${who}: position must be in [0, ${this.dataset.length}], got ${state.position}`);
    }
    this.rng = new Rng(state.rng);
    this.drawOrder();
    this.noiseRng = new Rng(state.noiseRng);
    this.epochIndex = state.epoch;
    this.position = state.position;
  }
}

/** Options of {@link epochBatches}. */
export interface EpochBatchesOptions {
  /** Shuffle with this stream (default: dataset order). */
  readonly rng?: Rng;
  /** Drop an incomplete last batch (default false: every item is served once). */
  readonly dropLast?: boolean;
  /** Stream for dequantization noise (required only for transforms with noise). */
  readonly noiseRng?: Rng;
}

/**
 * One pass over a dataset in batches, e.g. the dev-set critic cost of gan_mnist.py or real-data
 * statistics for FID. Only one batch is in memory at a time.
 *
 * @example
 * for (const { images, shape } of epochBatches(mnist.dev, 50)) evaluate(tensor(images, shape));
 */
export function* epochBatches(dataset: ImageDataset, batchSize: number, options: EpochBatchesOptions = {}): Generator<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`epochBatches: batchSize must be a positive integer, got ${batchSize}`);
  const n = dataset.length;
  const order = options.rng ? options.rng.permutation(n) : null;
  const end = options.dropLast ? n - (n % batchSize) : n;
  for (let start = 0; start < end; start += batchSize) {
    const m = Math.min(batchSize, end - start);
    const indices = new Int32Array(m);
    for (let k = 0; k < m; k++) indices[k] = order ? order[start + k]! : start + k;
    yield { ...readItems(dataset, indices, options.noiseRng), indices, epoch: 0 };
  }
}

/** Options of {@link samplerDataSource}. */
export interface SamplerDataSourceOptions {
  /** `'nchw'` (default) gives `[B, C, H, W]`; `'flat'` gives `[B, C·H·W]` as gan_mnist.py's critic input. */
  readonly layout?: 'nchw' | 'flat';
}

/** The trainer's data-source contract, fed by a {@link BatchSampler}. */
export interface SamplerDataSource {
  sample(n: number, rng: Rng): Tensor;
  state(): BatchSamplerState;
  restore(state: unknown): void;
  /** Labels of the most recent batch (for conditional models), or undefined before the first. */
  lastLabels(): Int32Array | undefined;
}

/**
 * Adapts a sampler to the trainer's `DataSource`: `sample(n)` returns the next batch as a tensor
 * (the trainer's `rng` is not used: the sampler owns its streams and saves them in its state).
 *
 * @example
 * const data = samplerDataSource(new BatchSampler(cifar.train, { batchSize: 64, seed: 1 }));
 * const trainer = new Trainer({ data, batchSize: 64, ... });
 */
export function samplerDataSource(sampler: BatchSampler, options: SamplerDataSourceOptions = {}): SamplerDataSource {
  const layout = options.layout ?? 'nchw';
  let last: Int32Array | undefined;
  return {
    sample(n: number): Tensor {
      if (n !== sampler.batchSize) {
        throw new Error(`samplerDataSource(${sampler.dataset.name}).sample: asked for ${n} items, the sampler serves batches of ${sampler.batchSize}`);
      }
      const b = sampler.next();
      last = b.labels;
      const [B, C, H, W] = b.shape;
      return tensor(b.images, layout === 'flat' ? [B, C * H * W] : [B, C, H, W]);
    },
    state: () => sampler.state(),
    restore(state: unknown): void {
      sampler.restore(state as BatchSamplerState);
    },
    lastLabels: () => last,
  };
}
