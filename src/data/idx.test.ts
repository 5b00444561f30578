import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import { encodeIdx, parseIdx, readIdx, type IdxArray } from './idx.js';

const dir = mkdtempSync(join(tmpdir(), 'wgan-idx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, bytes: Uint8Array | number[]): string => {
  const p = join(dir, name);
  writeFileSync(p, Uint8Array.from(bytes));
  return p;
};

// A 2×2×3 uint8 file written byte by byte (independent of the encoder).
const HAND_WRITTEN = [
  ...[0x00, 0x00, 0x08, 0x03],
  ...[0, 0, 0, 2],
  ...[0, 0, 0, 2],
  ...[0, 0, 0, 3],
  ...[0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255],
];

describe('readIdx', () => {
  test('reads a hand-written uint8 file: shape from the big-endian header, values row-major', () => {
    const a = readIdx(file('u8.idx', HAND_WRITTEN));
    assert.equal(a.dtype, 'uint8');
    assert.deepEqual(a.shape, [2, 2, 3]);
    assert.deepEqual([...a.data], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
  });

  test('decodes multi-byte types big-endian', () => {
    const i16 = parseIdx(Uint8Array.from([0, 0, 0x0b, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01, 0x02]));
    assert.equal(i16.dtype, 'int16');
    assert.deepEqual([...i16.data], [-2, 258]);
    const i32 = parseIdx(Uint8Array.from([0, 0, 0x0c, 1, 0, 0, 0, 1, 0x80, 0, 0, 1]));
    assert.deepEqual([...i32.data], [-(2 ** 31) + 1]);
    const f32 = parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0]));
    assert.deepEqual([...f32.data], [1.5]);
    const i8 = parseIdx(Uint8Array.from([0, 0, 0x09, 1, 0, 0, 0, 2, 0xff, 0x7f]));
    assert.deepEqual([...i8.data], [-1, 127]);
  });

  test('encodeIdx and parseIdx round-trip every element type', () => {
    const arrays: IdxArray[] = [
      { dtype: 'uint8', shape: [3], data: Uint8Array.of(0, 128, 255) },
      { dtype: 'int8', shape: [1, 3], data: Int8Array.of(-128, 0, 127) },
      { dtype: 'int16', shape: [2], data: Int16Array.of(-32768, 32767) },
      { dtype: 'int32', shape: [2, 1], data: Int32Array.of(-123456789, 2 ** 31 - 1) },
      { dtype: 'float32', shape: [2], data: Float32Array.of(-0.25, 3.0e38) },
      { dtype: 'float64', shape: [1, 1, 2], data: Float64Array.of(Math.PI, -1e-300) },
    ];
    for (const a of arrays) {
      const b = parseIdx(encodeIdx(a), a.dtype);
      assert.equal(b.dtype, a.dtype);
      assert.deepEqual(b.shape, a.shape);
      assert.deepEqual([...b.data], [...a.data], a.dtype);
    }
    assert.deepEqual([...encodeIdx({ dtype: 'uint8', shape: [2, 2, 3], data: Uint8Array.from(HAND_WRITTEN.slice(16)) })], HAND_WRITTEN);
  });

  test('reads gzipped files (as the MNIST site serves them)', () => {
    const a = readIdx(file('u8.idx.gz', [...gzipSync(Uint8Array.from(HAND_WRITTEN))]));
    assert.deepEqual(a.shape, [2, 2, 3]);
    assert.equal(a.data[11], 255);
  });

  test('a truncated data section names the file, the shape and both lengths', () => {
    const p = file('short.idx', HAND_WRITTEN.slice(0, -1));
    assert.throws(
      () => readIdx(p),
      (e: Error) =>
        e.message ===
        `IDX file ${p}: is truncated: shape [2, 2, 3] of uint8 needs 28 bytes (16 header + 12 data), the file has 27`,
    );
  });

  test('a file truncated inside its header is reported as such', () => {
    const p = file('header.idx', HAND_WRITTEN.slice(0, 10));
    assert.throws(() => readIdx(p), new RegExp(`^Error: IDX file ${p}: is truncated inside its header: 3 dimensions need 16 header bytes, the file has 10$`));
    assert.throws(() => readIdx(file('tiny.idx', [0, 0])), /too short for the 4-byte magic number/);
  });

  test('a wrong magic number is reported with its bytes', () => {
    const p = file('magic.idx', [0x12, 0x34, 0x08, 0x03, ...HAND_WRITTEN.slice(4)]);
    assert.throws(() => readIdx(p), (e: Error) => e.message.startsWith(`IDX file ${p}: bad magic number 0x12 0x34 0x08 0x03`));
    const q = file('type.idx', [0, 0, 0x07, 0x01, 0, 0, 0, 1, 9]);
    assert.throws(() => readIdx(q), (e: Error) => e.message.startsWith(`IDX file ${q}: unknown element type code 0x07`));
  });

  test('trailing bytes are an error, not silently ignored', () => {
    const p = file('long.idx', [...HAND_WRITTEN, 0, 0]);
    assert.throws(() => readIdx(p), /has 2 unexpected trailing bytes after the 28 bytes of shape \[2, 2, 3\] of uint8/);
  });

  test('expectations on dtype and shape are checked with the file named', () => {
    const p = file('expect.idx', HAND_WRITTEN);
    assert.throws(() => readIdx(p, { shape: [null, 28, 28] }), (e: Error) => e.message === `IDX file ${p}: has shape [2, 2, 3], expected [*, 28, 28]`);
    assert.throws(() => readIdx(p, { dtype: 'float32' }), /holds uint8 values, expected float32/);
    assert.deepEqual(readIdx(p, { dtype: 'uint8', shape: [null, 2, 3] }).shape, [2, 2, 3]);
  });

  test('missing files and broken gzip streams name the file', () => {
    const missing = join(dir, 'nope.idx');
    assert.throws(() => readIdx(missing), (e: Error) => e.message === `IDX file ${missing}: cannot be read (ENOENT)`);
    const gz = gzipSync(Uint8Array.from(HAND_WRITTEN));
    const p = file('broken.gz', [...gz.subarray(0, gz.length - 8)]);
    assert.throws(() => readIdx(p), new RegExp(`IDX file ${p}: is gzip-compressed but does not decompress`));
  });
});
