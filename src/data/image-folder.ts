/**
 * Image-folder datasets (LSUN bedrooms exported to files, ImageNet 64×64, the CIFAR-10 JPEG copy):
 * one subfolder per class, JPEG and PNG files inside (searched recursively). A folder with images
 * and no subfolders is one unlabelled set.
 *
 * Files are decoded lazily, one batch at a time, with a bounded cache of prepared items, so a
 * folder of millions of images never sits in memory (small folders, such as the CIFAR-10 JPEG copy,
 * can instead be decoded once with `materialize()`). Each image is prepared the usual way for
 * 64×64 GAN data such as LSUN bedrooms: the shorter side resized to the target (area filter when
 * shrinking, bilinear when enlarging), then the centre square cropped, giving `[C, size, size]`.
 * (gan_64x64.py itself reads images already stored at 64×64; for those no resampling happens and
 * the pixels arrive exactly.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ArrayImageDataset, resolveTransform, type ImageDataset, type PixelTransform, type PixelTransformSpec } from './batches.js';
import { resamplePlane, resizeTaps, type ResizeFilter } from './resize.js';

export type { ResizeFilter } from './resize.js';

/** A decoded image: 8-bit RGBA, row-major. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/**
 * Decodes PNG or JPEG bytes (recognized by their signature, not the file name) to RGBA.
 * `source` names the file in errors.
 *
 * @example
 * const { width, height, data } = decodeImage(readFileSync('cat.jpg'), 'cat.jpg');
 */
export function decodeImage(bytes: Uint8Array, source = '<buffer>'): RgbaImage {
  const isPng = bytes.length >= 8 && PNG_MAGIC.every((b, i) => bytes[i] === b);
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!isPng && !isJpeg) {
    const head = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`image ${source}: is neither a PNG nor a JPEG (${bytes.length === 0 ? 'empty file' : `starts with ${head}`})`);
  }
  let img: RgbaImage;
  try {
    if (isPng) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      img = { width: png.width, height: png.height, data: png.data };
    } else {
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    }
  } catch (e) {
    throw new Error(`image ${source}: cannot decode the ${isPng ? 'PNG' : 'JPEG'} data (${(e as Error).message})`);
  }
  if (img.width < 1 || img.height < 1 || img.data.length < img.width * img.height * 4) {
    throw new Error(`image ${source}: decoded to an empty or incomplete ${img.width}×${img.height} image`);
  }
  return img;
}

/**
 * Resizes an image so its shorter side is `size`, crops the centre `size × size` square, and returns
 * `[C, size, size]` floats in [0, 255] (C = 3: RGB; C = 1: luminance 0.299R + 0.587G + 0.114B as
 * PIL's `convert('L')`). Alpha is ignored.
 *
 * @example
 * const chw = resizeCentreCrop(decodeImage(bytes), 64); // Float32Array(3 * 64 * 64)
 */
export function resizeCentreCrop(img: RgbaImage, size: number, channels: 1 | 3 = 3, filter: ResizeFilter = 'area'): Float32Array {
  if (!Number.isInteger(size) || size < 1) throw new Error(`resizeCentreCrop: size must be a positive integer, got ${size}`);
  const { width: w, height: h, data } = img;
  const scale = size / Math.min(w, h);
  // The shorter side becomes exactly `size`; the longer one keeps the aspect ratio.
  const rh = h <= w ? size : Math.max(size, Math.round(h * scale));
  const rw = w < h ? size : Math.max(size, Math.round(w * scale));
  const ys = resizeTaps(h, rh, filter, Math.floor((rh - size) / 2), size);
  const xs = resizeTaps(w, rw, filter, Math.floor((rw - size) / 2), size);
  const [r, g, b] = [0, 1, 2].map((c) => resamplePlane(data, h, w, ys, xs, { offset: c, stride: 4 })) as [Float64Array, Float64Array, Float64Array];
  if (channels === 3) {
    const out = new Float32Array(3 * size * size);
    out.set(r, 0);
    out.set(g, size * size);
    out.set(b, 2 * size * size);
    return out;
  }
  return Float32Array.from(r, (v, p) => (299 * v + 587 * g[p]! + 114 * b[p]!) / 1000);
}

/** Options of {@link imageFolder}. */
export interface ImageFolderOptions {
  /** Side of the square output images (default 64, as gan_64x64.py). */
  readonly size?: number;
  /** 3 for RGB (default), 1 for grayscale. */
  readonly channels?: 1 | 3;
  /** Pixel scaling (default `'symmetric'`, gan_64x64.py's 2(x/255 − 0.5)). */
  readonly transform?: PixelTransformSpec;
  /** Resampling filter (default `'area'`). */
  readonly filter?: ResizeFilter;
  /** Prepared items kept in memory, least recently used evicted first (default 512; 0: none). */
  readonly cacheItems?: number;
  /**
   * What an unreadable or undecodable file does. By default it is skipped: the next good image
   * (by index, wrapping around) takes its place, the same one every time, so a shuffle and a resumed
   * run see the same data; `onBadImage` hears of each bad file once. With `strict`, it throws.
   */
  readonly strict?: boolean;
  readonly onBadImage?: (path: string, problem: string, skipped: number) => void;
}

function listImages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * A lazily decoded folder of images. Build it with {@link imageFolder}.
 */
export class ImageFolderDataset implements ImageDataset {
  readonly name: string;
  readonly itemShape: readonly [number, number, number];
  readonly transform: PixelTransform;
  readonly numClasses: number;
  /** Class names (subfolder names, sorted), by label; empty for an unlabelled folder. */
  readonly classes: readonly string[];
  /** Image paths, by item index. */
  readonly files: readonly string[];
  private readonly labels: Uint8Array | Uint16Array;
  private readonly size: number;
  private readonly filter: ResizeFilter;
  private readonly cacheItems: number;
  private readonly cache = new Map<number, Float32Array>();
  private decoded = 0;
  private readonly bad = new Set<number>();
  private readonly strict: boolean;
  private readonly onBadImage: ((path: string, problem: string, skipped: number) => void) | undefined;

  constructor(dir: string, options: ImageFolderOptions = {}) {
    const who = `imageFolder(${dir})`;
    let st;
    try {
      st = statSync(dir);
    } catch {
      throw new Error(`${who}: folder does not exist`);
    }
    if (!st.isDirectory()) throw new Error(`${who}: not a folder`);
    this.size = options.size ?? 64;
    if (!Number.isInteger(this.size) || this.size < 1) throw new Error(`${who}: size must be a positive integer, got ${this.size}`);
    const channels = options.channels ?? 3;
    if (channels !== 1 && channels !== 3) throw new Error(`${who}: channels must be 1 or 3, got ${String(channels)}`);
    this.cacheItems = options.cacheItems ?? 512;
    if (!Number.isInteger(this.cacheItems) || this.cacheItems < 0) throw new Error(`${who}: cacheItems must be a non-negative integer, got ${this.cacheItems}`);
    this.filter = options.filter ?? 'area';
    this.strict = options.strict ?? false;
    this.onBadImage = options.onBadImage;
    this.transform = resolveTransform(options.transform ?? 'symmetric', who);
    this.itemShape = [channels, this.size, this.size];

    const entries = readdirSync(dir, { withFileTypes: true });
    const subdirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
    const looseImages = entries.filter((e) => e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()));
    const files: string[] = [];
    const labels: number[] = [];
    if (subdirs.length > 0) {
      if (looseImages.length > 0) {
        throw new Error(`${who}: holds both class subfolders (${subdirs.join(', ')}) and loose images (e.g. ${looseImages[0]!.name}); put every image in a class folder`);
      }
      subdirs.forEach((c, label) => {
        const found = listImages(join(dir, c));
        if (found.length === 0) throw new Error(`${who}: class folder '${c}' holds no JPEG or PNG images`);
        for (const f of found) {
          files.push(f);
          labels.push(label);
        }
      });
      this.classes = subdirs;
    } else {
      files.push(...listImages(dir));
      this.classes = [];
    }
    if (files.length === 0) throw new Error(`${who}: no JPEG or PNG images found (looked for ${[...IMAGE_EXTENSIONS].join(', ')})`);
    this.files = files;
    this.numClasses = this.classes.length;
    this.labels = this.numClasses <= 256 ? Uint8Array.from(labels) : Uint16Array.from(labels);
    this.name = `images ${dir}`;
  }

  get length(): number {
    return this.files.length;
  }

  label(i: number): number {
    return this.numClasses === 0 ? 0 : this.labels[i]!;
  }

  /** Files decoded so far (cache misses), for tests and progress reports. */
  get decodeCount(): number {
    return this.decoded;
  }

  /** Files found unreadable or undecodable so far (skipped, unless strict). */
  get skippedCount(): number {
    return this.bad.size;
  }

  /** Prepared items currently cached. */
  get cachedCount(): number {
    return this.cache.size;
  }

  pixels(i: number, out: Float32Array, offset: number): void {
    out.set(this.item(i), offset);
  }

  /**
   * Decodes every image once into an in-memory {@link ArrayImageDataset} (N·C·size² bytes: 150 MB
   * for the 50k CIFAR-10 JPEGs at 32×32), for folders small enough that per-batch decoding would
   * dominate training time. Resampled values are rounded to 8 bits; at the source size the pixels
   * are exact. `onProgress` is called every 1,000 images.
   *
   * @example
   * const train = imageFolder('cifar10-jpeg/train', { size: 32 }).materialize();
   */
  materialize(onProgress?: (done: number, total: number) => void): ArrayImageDataset {
    if (this.numClasses > 256) throw new Error(`${this.name}.materialize: ${this.numClasses} classes do not fit uint8 labels`);
    const size = this.itemShape[0] * this.itemShape[1] * this.itemShape[2];
    const pixels = new Uint8Array(this.length * size);
    for (let i = 0; i < this.length; i++) {
      const item = this.cache.get(i) ?? this.prepareOrSkip(i);
      for (let k = 0; k < size; k++) pixels[i * size + k] = Math.min(255, Math.max(0, Math.round(item[k]!)));
      if (onProgress && ((i + 1) % 1000 === 0 || i + 1 === this.length)) onProgress(i + 1, this.length);
    }
    return new ArrayImageDataset({
      name: this.name,
      pixels,
      itemShape: this.itemShape,
      ...(this.numClasses > 0 ? { labels: Uint8Array.from({ length: this.length }, (_, i) => this.label(i)), numClasses: this.numClasses } : {}),
      transform: this.transform,
    });
  }

  private prepare(i: number): Float32Array {
    const path = this.files[i];
    if (path === undefined) throw new RangeError(`${this.name}: index ${i} out of range [0, ${this.files.length})`);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(`image ${path}: cannot be read (${err.code ?? err.message})`);
    }
    const prepared = resizeCentreCrop(decodeImage(bytes, path), this.size, this.itemShape[0] as 1 | 3, this.filter);
    this.decoded++;
    return prepared;
  }

  /** Item `i` prepared, or (not strict) the next good item in its place; see {@link ImageFolderOptions.strict}. */
  private prepareOrSkip(i: number): Float32Array {
    const n = this.files.length;
    for (let k = 0; k < n; k++) {
      const j = (i + k) % n;
      if (this.bad.has(j)) continue;
      try {
        return this.prepare(j);
      } catch (e) {
        if (this.strict || e instanceof RangeError) throw e;
        this.bad.add(j);
        this.onBadImage?.(this.files[j]!, (e as Error).message, this.bad.size);
      }
    }
    throw new Error(`${this.name}: none of its ${n} images can be read or decoded`);
  }

  /** Item `i` prepared as `[C, size, size]` floats in [0, 255] (before the transform). */
  item(i: number): Float32Array {
    const hit = this.cache.get(i);
    if (hit) {
      // Refresh its recency.
      this.cache.delete(i);
      this.cache.set(i, hit);
      return hit;
    }
    const prepared = this.prepareOrSkip(i);
    if (this.cacheItems > 0) {
      if (this.cache.size >= this.cacheItems) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(i, prepared);
    }
    return prepared;
  }
}

/**
 * Opens a folder of JPEG/PNG images: one subfolder per class (labels by sorted folder name), or a
 * flat folder of unlabelled images.
 *
 * @example
 * const bedrooms = imageFolder('data/lsun-bedrooms', { size: 64 });
 * const sampler = new BatchSampler(bedrooms, { batchSize: 64, seed: 0 });
 */
export function imageFolder(dir: string, options: ImageFolderOptions = {}): ImageFolderDataset {
  return new ImageFolderDataset(dir, options);
}
