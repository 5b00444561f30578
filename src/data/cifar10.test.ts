import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Rng } from '../tensor/random.js';
import { BatchSampler, readItems } from './batches.js';
import { PNG } from 'pngjs';
import { CIFAR10_CLASSES, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, cifar10FolderToBinary, encodeCifar10Bin, loadCifar10, parseCifar10Bin, readCifar10Bins } from './cifar10.js';

const root = mkdtempSync(join(tmpdir(), 'wgan-cifar-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * A record written byte by byte: label, then R, G, B planes. Record `id` has R(y, x) = (id + y) % 256,
 * G = (id + 2x) % 256, B = 255 − id.
 */
function record(label: number, id: number): number[] {
  const r: number[] = [label];
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) r.push((id + y) % 256);
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) r.push((id + 2 * x) % 256);
  for (let i = 0; i < 1024; i++) r.push(255 - id);
  return r;
}

/** Writes the six official files; data_batch_k holds records (label k, id 10k) and (label 9, id 10k+1). */
function officialFolder(name: string): string {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  CIFAR10_TRAIN_FILES.forEach((f, i) => writeFileSync(join(d, f), Uint8Array.from([...record(i + 1, 10 * (i + 1)), ...record(9, 10 * (i + 1) + 1)])));
  writeFileSync(join(d, CIFAR10_TEST_FILE), Uint8Array.from([...record(3, 200), ...record(0, 201), ...record(8, 202)]));
  return d;
}

describe('CIFAR-10 binary files', () => {
  test('reads the records as [3, 32, 32] R, G, B planes with labels, batches in order', () => {
    const c = loadCifar10(officialFolder('official'), { transform: 'unit' });
    assert.equal(c.train.length, 10);
    assert.equal(c.test.length, 3);
    assert.deepEqual(c.train.itemShape, [3, 32, 32]);
    assert.deepEqual([...c.train.labels!], [1, 9, 2, 9, 3, 9, 4, 9, 5, 9]);
    assert.deepEqual([...c.test.labels!], [3, 0, 8]);
    // Item 4 is the first record of data_batch_3: id 30.
    const px = c.train.data.subarray(4 * 3072, 5 * 3072);
    assert.equal(px[0], 30); // R(0, 0)
    assert.equal(px[5 * 32 + 7], 35); // R(5, 7)
    assert.equal(px[1024 + 5 * 32 + 7], 44); // G(5, 7)
    assert.equal(px[2048 + 1023], 225); // B(31, 31)
    assert.equal(c.test.data[2 * 3072 + 1024 + 31], (202 + 62) % 256);
  });

  test("scales as gan_cifar.py by default: 2(x/255 − 0.5)", () => {
    const c = loadCifar10(officialFolder('scaled'));
    const { images, labels } = readItems(c.test, [2]);
    assert.deepEqual([...labels], [8]);
    assert.equal(images[0], Math.fround(2 * (202 / 255 - 0.5)));
    assert.equal(images[2048], Math.fround(2 * (53 / 255 - 0.5)));
  });

  test("gan_cifar_resnet.py's 2(x/256 − 0.5) + U[0, 1/128), reproducible from the sampler seed", () => {
    const train = loadCifar10(officialFolder('resnet'), { transform: 'symmetricDequantized' }).train;
    const draw = (): Float32Array => new BatchSampler(train, { batchSize: 2, seed: 4 }).next().images;
    const a = draw();
    assert.deepEqual(a, draw());
    const s = new BatchSampler(train, { batchSize: 2, seed: 4 });
    const b = s.next();
    for (let k = 0; k < 2; k++) {
      const raw = train.data.subarray(b.indices[k]! * 3072, (b.indices[k]! + 1) * 3072);
      for (let i = 0; i < 3072; i += 97) {
        const u = b.images[k * 3072 + i]! - 2 * (raw[i]! / 256 - 0.5);
        assert.ok(u >= -1e-7 && u < 1 / 128 + 1e-7, `noise ${u}`);
      }
    }
    // `symmetric` data through readItems needs no Rng; this one does.
    assert.throws(() => readItems(train, [0]), /needs an Rng/);
    assert.doesNotThrow(() => readItems(train, [0], new Rng(1)));
  });

  test('finds the files in the cifar-10-batches-bin folder of the extracted archive', () => {
    const top = join(root, 'extracted');
    officialFolder('extracted/cifar-10-batches-bin');
    const c = loadCifar10(top);
    assert.equal(c.dir, join(top, 'cifar-10-batches-bin'));
    assert.equal(c.test.length, 3);
  });

  test('encodeCifar10Bin and parseCifar10Bin round-trip', () => {
    const pixels = Uint8Array.from({ length: 2 * 3072 }, (_, i) => (i * 7) % 256);
    const bytes = encodeCifar10Bin(Uint8Array.of(6, 1), pixels);
    assert.equal(bytes.length, 2 * 3073);
    assert.equal(bytes[3073], 1);
    const back = parseCifar10Bin(bytes);
    assert.deepEqual([...back.labels], [6, 1]);
    assert.deepEqual(back.pixels, pixels);
  });
});

describe('CIFAR-10 errors', () => {
  test('a missing folder or missing files', () => {
    const absent = join(root, 'absent');
    assert.throws(() => loadCifar10(absent), (e: Error) => e.message === `CIFAR-10: folder ${absent} does not exist`);
    const d = officialFolder('partial');
    rmSync(join(d, 'data_batch_4.bin'));
    rmSync(join(d, CIFAR10_TEST_FILE));
    assert.throws(() => loadCifar10(d), (e: Error) => e.message.startsWith(`CIFAR-10: ${d} lacks data_batch_4.bin, test_batch.bin (expected the official binary files`));
    assert.throws(() => readCifar10Bins([join(d, 'data_batch_4.bin')], 'x'), /CIFAR-10 file .*data_batch_4.bin: cannot be read \(no such file\)/);
  });

  test('a file whose length is not a whole number of 3073-byte records names the file', () => {
    const d = officialFolder('truncated');
    const p = join(d, 'data_batch_2.bin');
    writeFileSync(p, Uint8Array.from([...record(1, 1), ...record(2, 2).slice(0, 100)]));
    const c = loadCifar10(d);
    assert.throws(
      () => c.train,
      (e: Error) =>
        e.message ===
        `CIFAR-10 file ${p}: is 3173 bytes, not a whole number of 3073-byte records (1 label byte + 3072 pixel bytes); ` +
          '1 whole records and 100 bytes left over: truncated or not a CIFAR-10 binary file',
    );
    // The intact test split still loads.
    assert.equal(c.test.length, 3);
    assert.throws(() => parseCifar10Bin(new Uint8Array(3074 * 2), 'c100.bin'), /is it CIFAR-100, which has two label bytes\?/);
    assert.throws(() => parseCifar10Bin(new Uint8Array(0), 'empty.bin'), /CIFAR-10 file empty.bin: is empty/);
  });

  test('a label outside 0-9 names the file and record', () => {
    const bytes = Uint8Array.from([...record(2, 0), ...record(12, 1)]);
    assert.throws(() => parseCifar10Bin(bytes, 'x.bin'), (e: Error) => e.message === 'CIFAR-10 file x.bin: record 1 has label 12, not a class 0-9');
  });
});

describe('cifar10FolderToBinary: the JPEG copy layout to the official binary files', () => {
  /** A 32×32 RGB PNG whose pixel (y, x) is (r, y, x) — its class is `r`'s folder. */
  function png(r: number, side = 32): Buffer {
    const p = new PNG({ width: side, height: side });
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) p.data.set([r, y, x, 255], (y * side + x) * 4);
    return PNG.sync.write(p);
  }
  /** train/: 2 images per class (red = 10·label + i), test/: 1 per class (red = 200 + label). */
  function imageFolder(name: string, side = 32): string {
    const d = join(root, name);
    CIFAR10_CLASSES.forEach((c, label) => {
      mkdirSync(join(d, 'train', c), { recursive: true });
      mkdirSync(join(d, 'test', c), { recursive: true });
      for (let i = 0; i < 2; i++) writeFileSync(join(d, 'train', c, `${i}.png`), png(10 * label + i, side));
      writeFileSync(join(d, 'test', c, '0.png'), png(200 + label));
    });
    return d;
  }

  test('every image lands once, with its label and its pixels as R, G, B planes; the training files mix the classes', () => {
    const out = join(root, 'converted');
    const r = cifar10FolderToBinary(imageFolder('jpeg-layout'), out, { seed: 3 });
    assert.deepEqual([r.train, r.test, r.files.length], [20, 10, 6]);
    const c = loadCifar10(out, { transform: 'unit256' });
    const seen = new Set<number>();
    for (const [ds, n] of [[c.train, 20], [c.test, 10]] as const) {
      assert.equal(ds.length, n);
      const { labels, pixels } = parseCifar10Bin(readFileSync(join(out, ds === c.train ? 'data_batch_1.bin' : CIFAR10_TEST_FILE)));
      for (let i = 0; i < labels.length; i++) {
        const red = pixels[i * 3072]!;
        assert.equal(labels[i], ds === c.train ? Math.floor(red / 10) : red - 200, 'the label is the class folder');
        assert.equal(pixels[i * 3072 + 1024 + 5 * 32 + 7], 5, 'green plane = y');
        assert.equal(pixels[i * 3072 + 2048 + 5 * 32 + 7], 7, 'blue plane = x');
      }
    }
    for (const f of CIFAR10_TRAIN_FILES) for (const p of chunk(parseCifar10Bin(readFileSync(join(out, f))).pixels)) seen.add(p);
    assert.equal(seen.size, 20, 'all 20 training images, none twice');
    assert.notDeepEqual([...parseCifar10Bin(readFileSync(join(out, 'data_batch_1.bin'))).labels], [0, 0, 1, 1], 'shuffled, not in class order');
  });

  test('a missing split, an unknown class folder or an image that is not 32×32 is named', () => {
    const d = imageFolder('bad-layout');
    mkdirSync(join(d, 'train', 'unicorn'));
    assert.throws(() => cifar10FolderToBinary(d, join(root, 'bad-out')), /'unicorn' is not a CIFAR-10 class/);
    rmSync(join(d, 'train', 'unicorn'), { recursive: true });
    writeFileSync(join(d, 'train', 'frog', '9.png'), png(60, 31));
    assert.throws(() => cifar10FolderToBinary(d, join(root, 'bad-out')), /frog\/9\.png: is 31×31, CIFAR-10 images are 32×32/);
    rmSync(join(d, 'test'), { recursive: true });
    assert.throws(() => cifar10FolderToBinary(d, join(root, 'bad-out')), /has no test\/ subfolder/);
  });
});

/** The red value of each 3072-byte image in `pixels` (unique per training image above). */
function chunk(pixels: Uint8Array): number[] {
  return Array.from({ length: pixels.length / 3072 }, (_, i) => pixels[i * 3072]!);
}
