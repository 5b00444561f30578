/**
 * The IDX file format of the MNIST distribution (LeCun et al.): a 4-byte magic number
 * `0x00 0x00 <type> <ndim>`, then `ndim` big-endian uint32 dimensions, then the values in row-major
 * order, big-endian. Gzipped files (`*.gz`, as the MNIST site serves them) are accepted too.
 *
 * The reader checks every fact a damaged file could break (magic, type code, header length, and that
 * the file holds exactly the bytes its dimensions promise) and names the file in its errors.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Element types of the IDX format, by their type code. */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The storage of each IDX element type. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file: a dense row-major array. */
export interface IdxArray {
  readonly dtype: IdxDType;
  readonly shape: readonly number[];
  /** The values, row-major. For `uint8` this is a view of the file's bytes (no copy). */
  readonly data: IdxData;
}

/** Expectations checked after parsing, so that a caller's errors also name the file. */
export interface IdxExpectation {
  readonly dtype?: IdxDType;
  /** Expected dimensions; `null` leaves a dimension free (e.g. `[null, 28, 28]`). */
  readonly shape?: readonly (number | null)[];
}

const TYPE_CODES: readonly (readonly [number, IdxDType, number])[] = [
  [0x08, 'uint8', 1],
  [0x09, 'int8', 1],
  [0x0b, 'int16', 2],
  [0x0c, 'int32', 4],
  [0x0d, 'float32', 4],
  [0x0e, 'float64', 8],
];

function typeByCode(code: number): readonly [IdxDType, number] | undefined {
  const t = TYPE_CODES.find(([c]) => c === code);
  return t && [t[1], t[2]];
}

function codeOf(dtype: IdxDType): readonly [number, number] {
  const t = TYPE_CODES.find(([, d]) => d === dtype);
  if (!t) throw new Error(`encodeIdx: unknown dtype '${String(dtype)}'`);
  return [t[0], t[2]];
}

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/**
 * Parses the bytes of an IDX file. `source` names the file in error messages.
 *
 * @example
 * const { dtype, shape, data } = parseIdx(bytes, 'train-labels-idx1-ubyte'); // 'uint8', [60000]
 */
export function parseIdx(bytes: Uint8Array, source = '<buffer>', expect: IdxExpectation = {}): IdxArray {
  const fail = (what: string): never => {
    throw new Error(`IDX file ${source}: ${what}`);
  };
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    let raw: Uint8Array;
    try {
      raw = gunzipSync(bytes);
    } catch (e) {
      return fail(`is gzip-compressed but does not decompress (${(e as Error).message})`);
    }
    return parseIdx(raw, source, expect);
  }
  if (bytes.length < 4) fail(`is ${bytes.length} bytes long, too short for the 4-byte magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(
      `bad magic number ${[...bytes.subarray(0, 4)].map(hex).join(' ')}: an IDX file starts with 0x00 0x00 ` +
        `<type> <ndim> (is this really an IDX file?)`,
    );
  }
  const type = typeByCode(bytes[2]!);
  if (!type) {
    fail(`unknown element type code ${hex(bytes[2]!)} in the magic number (expected one of ${TYPE_CODES.map(([c]) => hex(c)).join(', ')})`);
  }
  const [dtype, width] = type!;
  const ndim = bytes[3]!;
  if (ndim === 0) fail('declares 0 dimensions');
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    fail(`is truncated inside its header: ${ndim} dimensions need ${headerBytes} header bytes, the file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    count *= d;
  }
  const expected = headerBytes + count * width;
  if (!Number.isSafeInteger(expected) || expected > 2 ** 40) fail(`declares an implausible shape [${shape.join(', ')}]`);
  if (bytes.length < expected) {
    fail(
      `is truncated: shape [${shape.join(', ')}] of ${dtype} needs ${expected} bytes ` +
        `(${headerBytes} header + ${count * width} data), the file has ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    fail(`has ${bytes.length - expected} unexpected trailing bytes after the ${expected} bytes of shape [${shape.join(', ')}] of ${dtype}`);
  }
  if (expect.dtype !== undefined && expect.dtype !== dtype) fail(`holds ${dtype} values, expected ${expect.dtype}`);
  if (expect.shape !== undefined) {
    const want = expect.shape;
    const ok = want.length === ndim && want.every((w, i) => w === null || w === shape[i]);
    if (!ok) fail(`has shape [${shape.join(', ')}], expected [${want.map((w) => (w === null ? '*' : String(w))).join(', ')}]`);
  }
  return { dtype, shape, data: decodeValues(bytes, headerBytes, count, dtype) };
}

function decodeValues(bytes: Uint8Array, start: number, count: number, dtype: IdxDType): IdxData {
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, bytes.byteLength - start);
  switch (dtype) {
    case 'uint8':
      return bytes.subarray(start, start + count);
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + start, count);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, false);
      return out;
    }
  }
}

/**
 * Reads and validates an IDX file (plain or gzipped).
 *
 * @example
 * const images = readIdx('data/train-images-idx3-ubyte', { dtype: 'uint8', shape: [null, 28, 28] });
 */
export function readIdx(path: string, expect: IdxExpectation = {}): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`IDX file ${path}: cannot be read (${err.code ?? err.message})`);
  }
  return parseIdx(bytes, path, expect);
}

/**
 * Encodes an array as IDX bytes (the inverse of {@link parseIdx}); used to write test files and to
 * export arrays for other tools.
 *
 * @example
 * const bytes = encodeIdx({ dtype: 'uint8', shape: [2, 2], data: Uint8Array.of(0, 255, 7, 9) });
 */
export function encodeIdx(array: IdxArray): Uint8Array {
  const [code, width] = codeOf(array.dtype);
  const { shape, data } = array;
  if (shape.length < 1 || shape.length > 255) throw new Error(`encodeIdx: ndim must be in [1, 255], got ${shape.length}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff)) {
    throw new Error(`encodeIdx: dimensions must be uint32, got [${shape.join(', ')}]`);
  }
  if (data.length !== count) throw new Error(`encodeIdx: shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`);
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + count * width);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const v = data[i]!;
    const at = header + i * width;
    switch (array.dtype) {
      case 'uint8':
        view.setUint8(at, v);
        break;
      case 'int8':
        view.setInt8(at, v);
        break;
      case 'int16':
        view.setInt16(at, v, false);
        break;
      case 'int32':
        view.setInt32(at, v, false);
        break;
      case 'float32':
        view.setFloat32(at, v, false);
        break;
      case 'float64':
        view.setFloat64(at, v, false);
        break;
    }
  }
  return out;
}
