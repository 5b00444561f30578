/**
 * CIFAR-10 from its official binary distribution (cifar-10-binary.tar.gz, folder
 * `cifar-10-batches-bin`): `data_batch_1.bin` … `data_batch_5.bin` (50,000 training images) and
 * `test_batch.bin` (10,000). Each record is 3073 bytes: the label byte (0-9), then the 32×32 red
 * plane, the green plane and the blue plane, each row-major — that is already `[3, 32, 32]`.
 *
 * Scaling: gan_cifar.py uses 2(x/255 − 0.5) (the default here, `'symmetric'`); gan_cifar_resnet.py
 * uses 2(x/256 − 0.5) + U[0, 1/128) (`'symmetricDequantized'`). The reference read the Python-pickle
 * release; its arrays hold the same bytes in the same plane order as the binary one.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../tensor/random.js';
import { ArrayImageDataset, type PixelTransformSpec } from './batches.js';
import { decodeImage } from './image-folder.js';

/** Class names, by label (from the distribution's batches.meta.txt). */
export const CIFAR10_CLASSES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/** The five training files, in the order the reference concatenates them. */
export const CIFAR10_TRAIN_FILES: readonly string[] = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = 'test_batch.bin';

const PIXELS = 3 * 32 * 32;
const RECORD = 1 + PIXELS;

/**
 * Decodes the bytes of one CIFAR-10 binary file. `source` names the file in errors.
 *
 * @example
 * const { labels, pixels } = parseCifar10Bin(readFileSync('test_batch.bin'), 'test_batch.bin');
 */
export function parseCifar10Bin(bytes: Uint8Array, source = '<buffer>'): { labels: Uint8Array; pixels: Uint8Array } {
  if (bytes.length === 0) throw new Error(`CIFAR-10 file ${source}: is empty`);
  if (bytes.length % RECORD !== 0) {
    const hint = bytes.length % (RECORD + 1) === 0 ? ' (its length fits 3074-byte records: is it CIFAR-100, which has two label bytes?)' : '';
    throw new Error(
      `CIFAR-10 file ${source}: is ${bytes.length} bytes, not a whole number of ${RECORD}-byte records ` +
        `(1 label byte + ${PIXELS} pixel bytes); ${Math.floor(bytes.length / RECORD)} whole records and ` +
        `${bytes.length % RECORD} bytes left over: truncated or not a CIFAR-10 binary file${hint}`,
    );
  }
  const n = bytes.length / RECORD;
  const labels = new Uint8Array(n);
  const pixels = new Uint8Array(n * PIXELS);
  for (let i = 0; i < n; i++) {
    const label = bytes[i * RECORD]!;
    if (label > 9) throw new Error(`CIFAR-10 file ${source}: record ${i} has label ${label}, not a class 0-9`);
    labels[i] = label;
    pixels.set(bytes.subarray(i * RECORD + 1, (i + 1) * RECORD), i * PIXELS);
  }
  return { labels, pixels };
}

/**
 * Encodes images as a CIFAR-10 binary file (the inverse of {@link parseCifar10Bin}), e.g. to write
 * test files or export a subset.
 *
 * @example
 * writeFileSync('tiny.bin', encodeCifar10Bin(Uint8Array.of(3), new Uint8Array(3072)));
 */
export function encodeCifar10Bin(labels: Uint8Array, pixels: Uint8Array): Uint8Array {
  if (pixels.length !== labels.length * PIXELS) {
    throw new Error(`encodeCifar10Bin: ${labels.length} labels need ${labels.length * PIXELS} pixel bytes, got ${pixels.length}`);
  }
  const out = new Uint8Array(labels.length * RECORD);
  for (let i = 0; i < labels.length; i++) {
    out[i * RECORD] = labels[i]!;
    out.set(pixels.subarray(i * PIXELS, (i + 1) * PIXELS), i * RECORD + 1);
  }
  return out;
}

/**
 * Reads CIFAR-10 binary files, concatenated in the given order, as one dataset.
 *
 * @example
 * const small = readCifar10Bins(['cifar-10-batches-bin/data_batch_1.bin'], 'CIFAR-10 batch 1');
 */
export function readCifar10Bins(paths: readonly string[], name: string, transform: PixelTransformSpec = 'symmetric'): ArrayImageDataset {
  if (paths.length === 0) throw new Error('readCifar10Bins: no files given');
  const parts = paths.map((p) => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(p);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(`CIFAR-10 file ${p}: cannot be read (${err.code === 'ENOENT' ? 'no such file' : (err.code ?? err.message)})`);
    }
    return parseCifar10Bin(bytes, p);
  });
  const n = parts.reduce((s, p) => s + p.labels.length, 0);
  let labels = parts[0]!.labels;
  let pixels = parts[0]!.pixels;
  if (parts.length > 1) {
    labels = new Uint8Array(n);
    pixels = new Uint8Array(n * PIXELS);
    let at = 0;
    for (const p of parts) {
      labels.set(p.labels, at);
      pixels.set(p.pixels, at * PIXELS);
      at += p.labels.length;
    }
  }
  return new ArrayImageDataset({ name, pixels, labels, itemShape: [3, 32, 32], numClasses: 10, transform });
}

/** Options of {@link loadCifar10}. */
export interface Cifar10Options {
  /** Pixel scaling (default `'symmetric'`, gan_cifar.py's 2(x/255 − 0.5)). */
  readonly transform?: PixelTransformSpec;
}

/** The CIFAR-10 splits; each is read from disk on first access. */
export interface Cifar10 {
  /** The 50,000 training images (data_batch_1..5). */
  readonly train: ArrayImageDataset;
  /** The 10,000 test images (test_batch), the reference's dev set. */
  readonly test: ArrayImageDataset;
  /** The folder the files were found in. */
  readonly dir: string;
}

/**
 * Opens the official CIFAR-10 binary files in `dir` (or in `dir/cifar-10-batches-bin`). All six files
 * must be present; each split is read on first access.
 *
 * @example
 * const cifar = loadCifar10('data/cifar-10-batches-bin');
 * const sampler = new BatchSampler(cifar.train, { batchSize: 64, seed: 0 });
 */
export function loadCifar10(dir: string, options: Cifar10Options = {}): Cifar10 {
  if (!existsSync(dir)) throw new Error(`CIFAR-10: folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new Error(`CIFAR-10: ${dir} is not a folder`);
  const nested = join(dir, 'cifar-10-batches-bin');
  const root = !existsSync(join(dir, CIFAR10_TRAIN_FILES[0]!)) && existsSync(join(nested, CIFAR10_TRAIN_FILES[0]!)) ? nested : dir;
  const files = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];
  const missing = files.filter((f) => !existsSync(join(root, f)));
  if (missing.length > 0) {
    throw new Error(`CIFAR-10: ${root} lacks ${missing.join(', ')} (expected the official binary files ${files.join(', ')})`);
  }
  const transform = options.transform ?? 'symmetric';
  let train: ArrayImageDataset | undefined;
  let test: ArrayImageDataset | undefined;
  return {
    dir: root,
    get train() {
      train ??= readCifar10Bins(CIFAR10_TRAIN_FILES.map((f) => join(root, f)), 'CIFAR-10 train', transform);
      return train;
    },
    get test() {
      test ??= readCifar10Bins([join(root, CIFAR10_TEST_FILE)], 'CIFAR-10 test', transform);
      return test;
    },
  };
}

/** What {@link cifar10FolderToBinary} wrote. */
export interface Cifar10Conversion {
  train: number;
  test: number;
  files: string[];
}

/**
 * Writes the CIFAR-10 binary files (`data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`) from
 * a folder of 32×32 images in class subfolders, `SRC/train/<class>/*` and `SRC/test/<class>/*`,
 * with the class names of {@link CIFAR10_CLASSES} (the layout of the JPEG copy). Loading the binary
 * files takes a moment where decoding 60,000 JPEGs takes a minute or more in every process that
 * opens the folder: what a sweep's trials (one process each) want. The training images are shuffled
 * with `seed` (the official batches mix the classes too) and split into five files of nearly equal
 * size; the test images keep class order. Pixels are the decoded pixels, unchanged.
 *
 * @example cifar10FolderToBinary('/tmp/cifar10-jpeg', '/tmp/cifar10-bin');
 */
export function cifar10FolderToBinary(src: string, out: string, options: { seed?: number; log?: (line: string) => void } = {}): Cifar10Conversion {
  for (const name of ['train', 'test']) {
    const root = join(src, name);
    if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`CIFAR-10 image folder ${src}: has no ${name}/ subfolder`);
  }
  const split = (name: string): { labels: Uint8Array; pixels: Uint8Array } => {
    const root = join(src, name);
    const extra = readdirSync(root).filter((c) => statSync(join(root, c)).isDirectory() && !CIFAR10_CLASSES.includes(c));
    if (extra.length > 0) throw new Error(`CIFAR-10 image folder ${root}: '${extra[0]}' is not a CIFAR-10 class (${CIFAR10_CLASSES.join(', ')})`);
    const labels: number[] = [];
    const chunks: Uint8Array[] = [];
    CIFAR10_CLASSES.forEach((c, label) => {
      const dir = join(root, c);
      if (!existsSync(dir)) throw new Error(`CIFAR-10 image folder ${root}: no folder for class '${c}'`);
      for (const f of readdirSync(dir).sort()) {
        const path = join(dir, f);
        const img = decodeImage(readFileSync(path), path);
        if (img.width !== 32 || img.height !== 32) throw new Error(`image ${path}: is ${img.width}×${img.height}, CIFAR-10 images are 32×32`);
        const planes = new Uint8Array(PIXELS);
        for (let p = 0; p < 1024; p++) for (let ch = 0; ch < 3; ch++) planes[ch * 1024 + p] = img.data[p * 4 + ch]!;
        labels.push(label);
        chunks.push(planes);
      }
    });
    options.log?.(`${root}: ${labels.length} images`);
    const pixels = new Uint8Array(labels.length * PIXELS);
    chunks.forEach((c, i) => pixels.set(c, i * PIXELS));
    return { labels: Uint8Array.from(labels), pixels };
  };
  const train = split('train');
  const test = split('test');
  const order = new Rng(options.seed ?? 0).permutation(train.labels.length);
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  CIFAR10_TRAIN_FILES.forEach((name, b) => {
    const part = order.subarray(Math.round((b * order.length) / 5), Math.round(((b + 1) * order.length) / 5));
    const labels = new Uint8Array(part.length);
    const pixels = new Uint8Array(part.length * PIXELS);
    part.forEach((k, i) => {
      labels[i] = train.labels[k]!;
      pixels.set(train.pixels.subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS);
    });
    writeFileSync(join(out, name), encodeCifar10Bin(labels, pixels));
    files.push(join(out, name));
  });
  writeFileSync(join(out, CIFAR10_TEST_FILE), encodeCifar10Bin(test.labels, test.pixels));
  files.push(join(out, CIFAR10_TEST_FILE));
  return { train: train.labels.length, test: test.labels.length, files };
}
