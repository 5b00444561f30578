import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { BatchSampler, readItems } from './batches.js';
import { decodeImage, imageFolder, resizeCentreCrop, type RgbaImage } from './image-folder.js';

const root = mkdtempSync(join(tmpdir(), 'wgan-images-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** An RGBA image whose pixel (x, y) is `f(x, y)` = [r, g, b]. */
function rgba(width: number, height: number, f: (x: number, y: number) => readonly [number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = f(x, y);
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

function pngBytes(img: RgbaImage, options: { colorType?: 0 | 2 | 6 } = {}): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data);
  return PNG.sync.write(png, { colorType: options.colorType ?? 6 });
}

const jpegBytes = (img: RgbaImage, quality = 100): Uint8Array => jpeg.encode({ ...img, data: Buffer.from(img.data) }, quality).data;

/** Writes files (path relative to the new folder -> bytes) and returns the folder. */
function folder(name: string, files: Record<string, Uint8Array | string>): string {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  for (const [f, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(d, f)), { recursive: true });
    writeFileSync(join(d, f), bytes);
  }
  return d;
}

/** Channel `c` of a `[C, H, W]` item as rows. */
const plane = (chw: Float32Array, size: number, c: number): number[][] =>
  Array.from({ length: size }, (_, y) => [...chw.subarray(c * size * size + y * size, c * size * size + (y + 1) * size)]);

const GRADIENT = rgba(4, 4, (x, y) => [10 * y + x, 100 + 10 * y + x, 200 + x]);

describe('imageFolder', () => {
  const dir = folder('two-classes', {
    'cats/a.png': pngBytes(GRADIENT),
    'cats/nested/b.png': pngBytes(rgba(4, 4, () => [77, 77, 77]), { colorType: 0 }),
    'dogs/c.jpg': jpegBytes(rgba(4, 4, () => [200, 100, 50])),
    'dogs/notes.txt': 'not an image',
  });

  test('labels come from the sorted class folders; files are found recursively; other files ignored', () => {
    const ds = imageFolder(dir, { size: 4 });
    assert.deepEqual(ds.classes, ['cats', 'dogs']);
    assert.equal(ds.numClasses, 2);
    assert.deepEqual(ds.files.map((f) => f.slice(dir.length + 1)), ['cats/a.png', 'cats/nested/b.png', 'dogs/c.jpg']);
    assert.deepEqual([0, 1, 2].map((i) => ds.label(i)), [0, 0, 1]);
    assert.deepEqual(ds.itemShape, [3, 4, 4]);
  });

  test('PNG pixels arrive exactly, as [C, H, W]; grayscale PNG and JPEG too', () => {
    const ds = imageFolder(dir, { size: 4 });
    const a = ds.item(0);
    assert.deepEqual(plane(a, 4, 0), [[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23], [30, 31, 32, 33]]);
    assert.deepEqual(plane(a, 4, 1)[2], [120, 121, 122, 123]);
    assert.deepEqual(plane(a, 4, 2)[3], [200, 201, 202, 203]);
    assert.ok(ds.item(1).every((v) => v === 77));
    const c = ds.item(2);
    [200, 100, 50].forEach((want, ch) => {
      for (const v of c.subarray(ch * 16, (ch + 1) * 16)) assert.ok(Math.abs(v - want) <= 3, `JPEG channel ${ch}: ${v} vs ${want}`);
    });
  });

  test("the default transform is gan_64x64.py's 2(x/255 − 0.5)", () => {
    const { images, labels, shape } = readItems(imageFolder(dir, { size: 4 }), [0, 1]);
    assert.deepEqual(shape, [2, 3, 4, 4]);
    assert.deepEqual([...labels], [0, 0]);
    assert.equal(images[0], -1);
    assert.equal(images[5], Math.fround(2 * (11 / 255 - 0.5)));
    assert.equal(images[48], Math.fround(2 * (77 / 255 - 0.5)));
  });

  test('grayscale output uses the luminance 0.299R + 0.587G + 0.114B', () => {
    const ds = imageFolder(dir, { size: 4, channels: 1, transform: 'unit' });
    assert.deepEqual(ds.itemShape, [1, 4, 4]);
    const a = ds.item(0);
    assert.ok(Math.abs(a[5]! - (0.299 * 11 + 0.587 * 111 + 0.114 * 201)) < 1e-4);
    assert.ok(ds.item(1).every((v) => Math.abs(v - 77) < 1e-4));
  });
});

describe('resizeCentreCrop', () => {
  test('shrinking averages whole blocks (area filter)', () => {
    const out = resizeCentreCrop(GRADIENT, 2);
    assert.deepEqual(plane(out, 2, 0), [[5.5, 7.5], [25.5, 27.5]]);
    assert.deepEqual(plane(out, 2, 2), [[200.5, 202.5], [200.5, 202.5]]);
    // Non-integer factor: 3 → 2 pixels; output 0 covers input [0, 1.5).
    const row = rgba(3, 3, (x) => [[0, 90, 30][x]!, 0, 0]);
    assert.deepEqual(plane(resizeCentreCrop(row, 2), 2, 0)[0], [30, 50]);
  });

  test('the shorter side goes to the target and the centre square is kept', () => {
    const wide = rgba(8, 4, (x, y) => [10 * x, 10 * y, 0]);
    const w = resizeCentreCrop(wide, 2);
    // Resized to 4×2: columns 1 and 2 of it survive = input columns 2-3 and 4-5.
    assert.deepEqual(plane(w, 2, 0), [[25, 45], [25, 45]]);
    assert.deepEqual(plane(w, 2, 1), [[5, 5], [25, 25]]);
    const tall = rgba(4, 8, (x, y) => [10 * x, 10 * y, 0]);
    assert.deepEqual(plane(resizeCentreCrop(tall, 2), 2, 1), [[25, 25], [45, 45]]);
  });

  test('enlarging is bilinear with aligned pixel centres', () => {
    const img = rgba(2, 2, (x, y) => [100 * x, 100 * y, 40]);
    const out = resizeCentreCrop(img, 4);
    assert.deepEqual(plane(out, 4, 0)[1], [0, 25, 75, 100]);
    assert.deepEqual(plane(out, 4, 1).map((r) => r[0]), [0, 25, 75, 100]);
    assert.ok(plane(out, 4, 2).flat().every((v) => v === 40));
  });

  test("'bilinear' also for shrinking samples between pixels instead of averaging", () => {
    // 4 → 1: the area filter averages all columns; bilinear reads at the centre, between columns 1 and 2.
    const img = rgba(4, 4, (x) => [[0, 100, 100, 0][x]!, 0, 0]);
    assert.equal(resizeCentreCrop(img, 1, 3, 'area')[0], 50);
    assert.equal(resizeCentreCrop(img, 1, 3, 'bilinear')[0], 100);
  });
});

describe('lazy decoding', () => {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < 6; i++) files[`all/${i}.png`] = pngBytes(rgba(2, 2, () => [i * 40, 0, 0]));
  const dir = folder('lazy', files);

  test('decodes only the files of each batch, keeping at most cacheItems prepared items', () => {
    const ds = imageFolder(dir, { size: 2, cacheItems: 2, transform: 'unit' });
    assert.equal(ds.decodeCount, 0);
    const s = new BatchSampler(ds, { batchSize: 2, seed: 3 });
    const b = s.next();
    assert.equal(ds.decodeCount, 2);
    assert.deepEqual([...b.images.filter((_, i) => i % 12 === 0)].map((v) => Math.round(v * 255)), [...b.indices].map((i) => i * 40));
    s.next();
    s.next();
    assert.equal(ds.decodeCount, 6);
    assert.equal(ds.cachedCount, 2);
    // The last two items are cached; an older one was evicted (least recently used first).
    const last = s.state().position;
    assert.equal(last, 6);
    const before = ds.decodeCount;
    ds.item(b.indices[0]!);
    assert.equal(ds.decodeCount, before + 1);
    const uncached = imageFolder(dir, { size: 2, cacheItems: 0 });
    uncached.item(0);
    uncached.item(0);
    assert.equal(uncached.decodeCount, 2);
    assert.equal(uncached.cachedCount, 0);
  });

  test('materialize decodes everything once into uint8 memory, rounding resampled values', () => {
    const ds = imageFolder(dir, { size: 1, cacheItems: 0, transform: 'unit' });
    const mem = ds.materialize();
    assert.equal(ds.decodeCount, 6);
    assert.equal(mem.numClasses, 1); // the one subfolder 'all' is a class
    assert.deepEqual(mem.itemShape, [3, 1, 1]);
    assert.deepEqual([...mem.data], [0, 1, 2, 3, 4, 5].flatMap((i) => [i * 40, 0, 0]));
    const odd = imageFolder(folder('odd', { 'x.png': pngBytes(rgba(2, 2, (x) => [x, 0, 0])) }), { size: 1 });
    assert.equal(odd.numClasses, 0);
    assert.equal(odd.item(0)[0], 0.5);
    assert.equal(odd.materialize().data[0], 1);
    assert.equal(odd.materialize().labels, undefined);
  });

  test('a cache hit refreshes recency', () => {
    const ds = imageFolder(dir, { size: 2, cacheItems: 2 });
    ds.item(0);
    ds.item(1);
    ds.item(0); // hit: 1 is now the oldest
    ds.item(2); // evicts 1
    const n = ds.decodeCount;
    ds.item(0);
    assert.equal(ds.decodeCount, n);
    ds.item(1);
    assert.equal(ds.decodeCount, n + 1);
  });
});

describe('imageFolder errors', () => {
  test('missing, empty and ambiguous folders', () => {
    const absent = join(root, 'absent');
    assert.throws(() => imageFolder(absent), (e: Error) => e.message === `imageFolder(${absent}): folder does not exist`);
    const empty = folder('empty', {});
    assert.throws(() => imageFolder(empty), (e: Error) => e.message.startsWith(`imageFolder(${empty}): no JPEG or PNG images found`));
    const textOnly = folder('text-only', { 'readme.txt': 'hi' });
    assert.throws(() => imageFolder(textOnly), /no JPEG or PNG images found/);
    const emptyClass = folder('empty-class', { 'a/x.png': pngBytes(GRADIENT), 'b/readme.txt': 'none' });
    assert.throws(() => imageFolder(emptyClass), /class folder 'b' holds no JPEG or PNG images/);
    const mixed = folder('mixed', { 'a/x.png': pngBytes(GRADIENT), 'loose.png': pngBytes(GRADIENT) });
    assert.throws(() => imageFolder(mixed), /holds both class subfolders \(a\) and loose images \(e.g. loose.png\)/);
  });

  test('strict: an undecodable image is reported with its path when its batch is read', () => {
    const good = pngBytes(GRADIENT);
    const corruptPng = Uint8Array.from([...good.subarray(0, 8), ...new Uint8Array(40).fill(7)]);
    const dir = folder('corrupt', {
      'a/0-good.png': good,
      'a/1-corrupt.png': corruptPng,
      'a/2-text.jpg': 'hello, I am not a JPEG',
      'a/3-truncated.jpg': jpegBytes(rgba(16, 16, (x, y) => [x * 16, y * 16, 0]), 90).subarray(0, 200),
    });
    const ds = imageFolder(dir, { size: 4, strict: true });
    assert.equal(ds.length, 4);
    assert.doesNotThrow(() => readItems(ds, [0]));
    const path = (f: string): string => join(dir, 'a', f);
    assert.throws(() => readItems(ds, [0, 1]), (e: Error) => e.message.startsWith(`image ${path('1-corrupt.png')}: cannot decode the PNG data (`));
    assert.throws(() => ds.item(2), (e: Error) => e.message === `image ${path('2-text.jpg')}: is neither a PNG nor a JPEG (starts with 68 65 6c 6c)`);
    assert.throws(() => ds.item(3), (e: Error) => e.message.startsWith(`image ${path('3-truncated.jpg')}: cannot decode the JPEG data (`));
    assert.throws(() => decodeImage(new Uint8Array(0), 'x.png'), /image x.png: is neither a PNG nor a JPEG \(empty file\)/);
  });

  test('by default an undecodable image is skipped, the next good one in its place, each reported once and counted', () => {
    const good = pngBytes(GRADIENT);
    const other = pngBytes(rgba(8, 8, (x) => [x * 30, 0, 0]));
    const dir = folder('skipped', { 'a/0-bad.png': 'not an image', 'a/1-bad.jpg': 'neither', 'a/2-good.png': good, 'a/3-other.png': other });
    const warned: string[] = [];
    const ds = imageFolder(dir, { size: 4, onBadImage: (path, problem, n) => void warned.push(`${n} ${path} ${problem}`) });
    assert.deepEqual([...ds.item(0)], [...ds.item(2)], 'item 0 is replaced by the next good item, 2');
    assert.deepEqual([...ds.item(1)], [...ds.item(2)]);
    assert.notDeepEqual([...ds.item(3)], [...ds.item(2)]);
    assert.equal(ds.skippedCount, 2);
    assert.equal(warned.length, 2, warned.join('\n'));
    assert.match(warned[0]!, /^1 .*0-bad\.png image .*0-bad\.png: is neither a PNG nor a JPEG/);
    assert.match(warned[1]!, /^2 .*1-bad\.jpg /);
    const none = folder('all-bad', { 'x.png': 'no', 'y.png': 'no' });
    assert.throws(() => imageFolder(none, { size: 4 }).item(0), /none of its 2 images can be read or decoded/);
  });
});

// The CIFAR-10 JPEG copy shipped beside the repository (../shared/data), when present.
const TARBALL = fileURLToPath(new URL('../../../shared/data/cifar10-jpeg.tar.gz', import.meta.url));

describe('the CIFAR-10 JPEG copy', { skip: existsSync(TARBALL) ? false : `${TARBALL} not present` }, () => {
  test('opens as a 2-class folder of [3, 32, 32] images identical to the decoded files', () => {
    const out = mkdtempSync(join(root, 'cifar-jpeg-'));
    const r = spawnSync('tar', ['-xzf', TARBALL, '-C', out, '--wildcards', 'cifar10-jpeg/test/airplane/000[0-3].jpg', 'cifar10-jpeg/test/cat/000[0-3].jpg']);
    assert.equal(r.status, 0, String(r.stderr));
    const dir = join(out, 'cifar10-jpeg', 'test');
    const ds = imageFolder(dir, { size: 32 });
    assert.deepEqual(ds.classes, ['airplane', 'cat']);
    assert.equal(ds.length, 8);
    assert.deepEqual(Array.from({ length: 8 }, (_, i) => ds.label(i)), [0, 0, 0, 0, 1, 1, 1, 1]);
    // 32×32 sources are not resampled: the item is the decoded JPEG, planar.
    const img = decodeImage(readFileSync(join(dir, 'cat', '0002.jpg')));
    assert.deepEqual([img.width, img.height], [32, 32]);
    const item = ds.item(6);
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) assert.equal(item[c * 1024 + p], img.data[4 * p + c]);
    }
    // Materialized once in memory: the same bytes, labels and transform.
    const mem = ds.materialize();
    assert.deepEqual([...mem.labels!], [0, 0, 0, 0, 1, 1, 1, 1]);
    assert.deepEqual(mem.data.subarray(6 * 3072, 7 * 3072), Uint8Array.from(item));
    assert.deepEqual(readItems(mem, [6]).images, readItems(ds, [6]).images);
    const { images } = new BatchSampler(ds, { batchSize: 4, seed: 0 }).next();
    assert.ok(images.every((v) => v >= -1 && v <= 1));
    assert.ok(new Set(images).size > 50, 'real images have many distinct values');
  });
});
