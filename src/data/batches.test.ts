import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng } from '../tensor/random.js';
import {
  applyTransform,
  ArrayImageDataset,
  BatchSampler,
  epochBatches,
  PIXEL_TRANSFORMS,
  readItems,
  resolveTransform,
  samplerDataSource,
  type Batch,
} from './batches.js';

/** N items of shape [1, 1, 2]: item i holds pixels (i, 100 + i), label i % 3. */
function numbered(n: number, transform: 'unit' | 'symmetricDequantized' = 'unit'): ArrayImageDataset {
  const pixels = new Uint8Array(2 * n);
  for (let i = 0; i < n; i++) [pixels[2 * i], pixels[2 * i + 1]] = [i, 100 + i];
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
  return new ArrayImageDataset({ name: `numbered(${n})`, pixels, itemShape: [1, 1, 2], labels, numClasses: 3, transform });
}

const raw = (b: Batch): number[] => [...b.images].map((v) => Math.round(v * 255));

describe('pixel transforms', () => {
  test('the presets are the reference formulas', () => {
    const x = Float32Array.of(0, 1, 128, 255);
    const t = (name: keyof typeof PIXEL_TRANSFORMS): number[] => {
      const y = x.slice();
      applyTransform(PIXEL_TRANSFORMS[name], y, 0, y.length, new Rng(0));
      return [...y];
    };
    assert.deepEqual(t('unit'), [0, 1 / 255, 128 / 255, 1].map(Math.fround));
    assert.deepEqual(t('unit256'), [0, 1 / 256, 0.5, 255 / 256]);
    assert.deepEqual(t('symmetric'), [-1, 2 * (1 / 255 - 0.5), 2 * (128 / 255 - 0.5), 1].map(Math.fround));
    const d = t('symmetricDequantized');
    [0, 1, 128, 255].forEach((v, i) => {
      const base = 2 * (v / 256 - 0.5);
      assert.ok(d[i]! >= Math.fround(base) && d[i]! < base + 1 / 128 + 1e-7, `${v} -> ${d[i]}`);
    });
  });

  test('noise needs an Rng; bad transforms are rejected by name', () => {
    assert.throws(() => applyTransform(PIXEL_TRANSFORMS.symmetricDequantized, new Float32Array(1), 0, 1), /needs an Rng/);
    assert.throws(() => resolveTransform('signed' as 'unit'), /unknown pixel transform 'signed'; expected one of unit, unit256, symmetric, symmetricDequantized/);
    assert.throws(() => resolveTransform({ divisor: 0, shift: 0, gain: 1, noise: 0 }), /divisor must be non-zero/);
  });
});

describe('ArrayImageDataset', () => {
  test('reads items, labels and subsets without copying', () => {
    const ds = numbered(5);
    assert.equal(ds.length, 5);
    const items = readItems(ds, [4, 0]);
    assert.deepEqual(items.shape, [2, 1, 1, 2]);
    assert.deepEqual([...items.images].map((v) => v * 255).map(Math.round), [4, 104, 0, 100]);
    assert.deepEqual([...items.labels], [1, 0]);
    const sub = ds.subset(3, 5);
    assert.equal(sub.length, 2);
    assert.equal(sub.data.buffer, ds.data.buffer);
    assert.deepEqual([...readItems(sub, [0]).labels], [0]);
    assert.deepEqual([...sub.toFloat32()].map((v) => Math.round(v * 255)), [3, 103, 4, 104]);
    assert.throws(() => readItems(ds, [5]), /readItems\(numbered\(5\)\): index 5 out of range \[0, 5\)/);
    assert.throws(() => ds.subset(2, 6), /\[2, 6\) is not a range within \[0, 5\)/);
  });

  test('rejects inconsistent pixels, labels and classes', () => {
    const px = new Uint8Array(8);
    assert.throws(() => new ArrayImageDataset({ name: 'x', pixels: px, itemShape: [1, 3, 1] }), /8 pixel values are not a whole number of \[1, 3, 1\] items/);
    assert.throws(() => new ArrayImageDataset({ name: 'x', pixels: px, itemShape: [1, 2, 2], labels: new Uint8Array(3), numClasses: 2 }), /3 labels for 2 images/);
    assert.throws(() => new ArrayImageDataset({ name: 'x', pixels: px, itemShape: [1, 2, 2], labels: Uint8Array.of(0, 2), numClasses: 2 }), /label 2 of item 1 is not below numClasses = 2/);
  });
});

describe('BatchSampler', () => {
  test('each epoch is a permutation cut into floor(N/B) full batches; epochs reshuffle', () => {
    const s = new BatchSampler(numbered(10), { batchSize: 3, seed: 1 });
    assert.equal(s.batchesPerEpoch, 3);
    const epochs: number[][] = [[], [], []];
    for (let k = 0; k < 9; k++) {
      const b = s.next();
      assert.deepEqual(b.shape, [3, 1, 1, 2]);
      assert.equal(b.epoch, Math.floor(k / 3));
      // The images and labels are those of the reported indices.
      assert.deepEqual(raw(b), [...b.indices].flatMap((i) => [i, 100 + i]));
      assert.deepEqual([...b.labels], [...b.indices].map((i) => i % 3));
      epochs[b.epoch]!.push(...b.indices);
    }
    for (const e of epochs) assert.equal(new Set(e).size, 9, `epoch ${e.join(',')} repeats an item`);
    assert.notDeepEqual(epochs[0], epochs[1]);
    assert.notDeepEqual(epochs[0], [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('is deterministic in its seed', () => {
    const take = (seed: number): number[] => {
      const s = new BatchSampler(numbered(20), { batchSize: 4, seed });
      return Array.from({ length: 8 }, () => [...s.next().indices]).flat();
    };
    assert.deepEqual(take(3), take(3));
    assert.notDeepEqual(take(3), take(4));
  });

  test('without shuffling serves the items in order, dropping the remainder of each epoch', () => {
    const s = new BatchSampler(numbered(8), { batchSize: 3, seed: 0, shuffle: false });
    const got = Array.from({ length: 5 }, () => [...s.next().indices]);
    assert.deepEqual(got, [[0, 1, 2], [3, 4, 5], [0, 1, 2], [3, 4, 5], [0, 1, 2]]);
  });

  test('is an endless iterator', () => {
    const s = new BatchSampler(numbered(4), { batchSize: 2, seed: 0 });
    let n = 0;
    for (const b of s) {
      assert.equal(b.indices.length, 2);
      if (++n === 7) break;
    }
    assert.equal(s.epoch, 3);
  });

  test('a restored state continues exactly, dequantization noise included', () => {
    const a = new BatchSampler(numbered(11, 'symmetricDequantized'), { batchSize: 4, seed: 9 });
    for (let k = 0; k < 5; k++) a.next();
    const saved = JSON.parse(JSON.stringify(a.state()));
    const expected = Array.from({ length: 7 }, () => a.next());
    const b = new BatchSampler(numbered(11, 'symmetricDequantized'), { batchSize: 4, seed: 12345 });
    b.restore(saved);
    const got = Array.from({ length: 7 }, () => b.next());
    assert.deepEqual(got, expected);
    // The noise really is there (the values are not on the 2(x/256 − 0.5) grid).
    assert.ok(got[0]!.images.some((v) => Math.abs((v + 1) * 128 - Math.round((v + 1) * 128)) > 1e-3));
  });

  test('refuses a state saved for another dataset length or batch size, and a batch larger than the data', () => {
    const s = new BatchSampler(numbered(10), { batchSize: 3, seed: 1 });
    const other = new BatchSampler(numbered(12), { batchSize: 3, seed: 1 });
    assert.throws(() => other.restore(s.state()), /saved for 10 items in batches of 3, this sampler has 12 items in batches of 3/);
    assert.throws(() => new BatchSampler(numbered(2), { batchSize: 3, seed: 0 }), /numbered\(2\) has 2 items, fewer than one batch of 3/);
    assert.throws(() => new BatchSampler(numbered(2), { batchSize: 0, seed: 0 }), /batchSize must be a positive integer/);
  });
});

describe('epochBatches', () => {
  test('one pass in order, the last batch partial unless dropped', () => {
    const ds = numbered(7);
    assert.deepEqual([...epochBatches(ds, 3)].map((b) => [...b.indices]), [[0, 1, 2], [3, 4, 5], [6]]);
    assert.deepEqual([...epochBatches(ds, 3, { dropLast: true })].map((b) => [...b.indices]), [[0, 1, 2], [3, 4, 5]]);
    const shuffled = [...epochBatches(ds, 3, { rng: new Rng(2) })].flatMap((b) => [...b.indices]);
    assert.deepEqual([...shuffled].sort(), [0, 1, 2, 3, 4, 5, 6]);
    assert.notDeepEqual(shuffled, [0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('samplerDataSource', () => {
  test('feeds the trainer tensors of the sampler batch, resumable through state/restore', async () => {
    const src = samplerDataSource(new BatchSampler(numbered(9), { batchSize: 3, seed: 5 }));
    assert.equal(src.lastLabels(), undefined);
    const t = src.sample(3, new Rng(0));
    assert.deepEqual(t.shape, [3, 1, 1, 2]);
    const first = [...(await t.data())].map((v) => Math.round(v * 255));
    assert.deepEqual([...src.lastLabels()!], [first[0]! % 3, first[2]! % 3, first[4]! % 3]);
    const saved = src.state();
    const next = await src.sample(3, new Rng(0)).data();
    src.restore(saved);
    assert.deepEqual(await src.sample(3, new Rng(0)).data(), next);
    assert.throws(() => src.sample(4, new Rng(0)), /asked for 4 items, the sampler serves batches of 3/);
    const flat = samplerDataSource(new BatchSampler(numbered(9), { batchSize: 3, seed: 5 }), { layout: 'flat' });
    assert.deepEqual(flat.sample(3, new Rng(0)).shape, [3, 2]);
  });
});
