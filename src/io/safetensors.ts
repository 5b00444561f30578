/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`, then the
 * tensors' bytes, little-endian, offsets relative to the end of the header.
 *
 * `encodeSafetensors`/`decodeSafetensors` work on bytes (browser-safe); `writeSafetensors` writes
 * atomically (temp file, fsync, rename) and `readSafetensors` checks everything a damaged file can
 * get wrong, throwing a {@link SafetensorsError} that names the file and the problem.
 */
import { writeFileAtomic } from './atomic-file.js';

/** Element types of the format. */
export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';

/** Typed arrays a tensor's data is returned in (F16 and BF16 are decoded to Float32Array). */
export type SafetensorsData =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/** One tensor to write (data: any typed array or number array, converted to `dtype`) or read. */
export interface SafetensorsEntry<D = SafetensorsData | ArrayLike<number> | ArrayLike<bigint>> {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly data: D;
}

/** A decoded file. */
export interface SafetensorsFile {
  /** Tensors in file order. */
  readonly tensors: Record<string, SafetensorsEntry<SafetensorsData>>;
  readonly metadata: Record<string, string>;
}

/** A malformed, truncated or unreadable safetensors file; the message names the file and the problem. */
export class SafetensorsError extends Error {
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(`safetensors file '${source}': ${problem}`);
    this.name = 'SafetensorsError';
  }
}

const BYTES: Record<SafetensorsDType, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

/** The dtypes this implementation reads and writes. */
export const SAFETENSORS_DTYPES = Object.keys(BYTES) as readonly SafetensorsDType[];

/** Headers larger than this are refused (the reference implementation's limit): a corrupt length. */
const MAX_HEADER = 100_000_000;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('safetensors: this module assumes a little-endian platform');
}

// ---- float16 / bfloat16 ------------------------------------------------------------------------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bf16ToF32(h: number): number {
  u32[0] = h << 16;
  return f32[0]!;
}
function f32ToBf16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  if ((x & 0x7fffffff) > 0x7f800000) return (x >>> 16) | 0x40; // NaN stays a (quiet) NaN
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff; // round to nearest even
}
function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
function f32ToF16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00; // overflow → ±inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow → ±0
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    if (rest > half || (rest === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r++; // may carry into the exponent: still correct
  return sign | r;
}

// ---- encode ------------------------------------------------------------------------------------

function toBytes(name: string, e: SafetensorsEntry): Uint8Array {
  const n = e.shape.reduce((a, b) => a * b, 1);
  const src = e.data as ArrayLike<number | bigint>;
  if (src.length !== n) throw new Error(`writeSafetensors: tensor '${name}' has shape [${e.shape.join(',')}] (${n} values) but ${src.length} values`);
  const num = (i: number): number => Number(src[i]!);
  let out: SafetensorsData;
  switch (e.dtype) {
    case 'F64':
      out = src instanceof Float64Array ? src : Float64Array.from({ length: n }, (_, i) => num(i));
      break;
    case 'F32':
      out = src instanceof Float32Array ? src : Float32Array.from({ length: n }, (_, i) => num(i));
      break;
    case 'F16':
      out = Uint16Array.from({ length: n }, (_, i) => f32ToF16(num(i)));
      break;
    case 'BF16':
      out = Uint16Array.from({ length: n }, (_, i) => f32ToBf16(num(i)));
      break;
    case 'I64':
      out = src instanceof BigInt64Array ? src : BigInt64Array.from({ length: n }, (_, i) => BigInt(Math.trunc(num(i))));
      break;
    case 'U64':
      out = src instanceof BigUint64Array ? src : BigUint64Array.from({ length: n }, (_, i) => BigInt(Math.trunc(num(i))));
      break;
    case 'I32':
      out = src instanceof Int32Array ? src : Int32Array.from({ length: n }, (_, i) => num(i));
      break;
    case 'U32':
      out = src instanceof Uint32Array ? src : Uint32Array.from({ length: n }, (_, i) => num(i));
      break;
    case 'I16':
      out = src instanceof Int16Array ? src : Int16Array.from({ length: n }, (_, i) => num(i));
      break;
    case 'U16':
      out = src instanceof Uint16Array ? src : Uint16Array.from({ length: n }, (_, i) => num(i));
      break;
    case 'I8':
      out = src instanceof Int8Array ? src : Int8Array.from({ length: n }, (_, i) => num(i));
      break;
    case 'U8':
      out = src instanceof Uint8Array ? src : Uint8Array.from({ length: n }, (_, i) => num(i));
      break;
    case 'BOOL':
      out = Uint8Array.from({ length: n }, (_, i) => (num(i) ? 1 : 0));
      break;
    default:
      throw new Error(`writeSafetensors: tensor '${name}' has unknown dtype '${String(e.dtype)}' (expected one of ${SAFETENSORS_DTYPES.join(', ')})`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Encodes tensors and string metadata as safetensors bytes. Tensors are laid out in the given order;
 * the header is padded with spaces so the data starts 8-byte aligned.
 * @example const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: [1, 2, 3, 4] } });
 */
export function encodeSafetensors(tensors: Readonly<Record<string, SafetensorsEntry>>, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`writeSafetensors: metadata '${k}' must be a string, got ${typeof v}`);
    }
    header.__metadata__ = { ...metadata };
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, e] of Object.entries(tensors)) {
    if (name === '' || name === '__metadata__') throw new Error(`writeSafetensors: '${name}' is not a valid tensor name`);
    if (!(e.dtype in BYTES)) {
      throw new Error(`writeSafetensors: tensor '${name}' has unknown dtype '${String(e.dtype)}' (expected one of ${SAFETENSORS_DTYPES.join(', ')})`);
    }
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`writeSafetensors: tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const bytes = toBytes(name, e);
    header[name] = { dtype: e.dtype, shape: [...e.shape], data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let headerBytes = enc.encode(json);
  const pad = (8 - (headerBytes.byteLength % 8)) % 8;
  if (pad > 0) {
    json += ' '.repeat(pad);
    headerBytes = enc.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

// ---- decode ------------------------------------------------------------------------------------

function fromBytes(dtype: SafetensorsDType, bytes: Uint8Array): SafetensorsData {
  // Copy into a fresh (aligned) buffer: the tensor's offset in the file need not be aligned.
  // (Not bytes.slice(): on a Node Buffer that is a view, not a copy.)
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const buf = copy.buffer;
  switch (dtype) {
    case 'F64':
      return new Float64Array(buf);
    case 'F32':
      return new Float32Array(buf);
    case 'F16':
      return Float32Array.from(new Uint16Array(buf), f16ToF32);
    case 'BF16':
      return Float32Array.from(new Uint16Array(buf), bf16ToF32);
    case 'I64':
      return new BigInt64Array(buf);
    case 'U64':
      return new BigUint64Array(buf);
    case 'I32':
      return new Int32Array(buf);
    case 'U32':
      return new Uint32Array(buf);
    case 'I16':
      return new Int16Array(buf);
    case 'U16':
      return new Uint16Array(buf);
    case 'I8':
      return new Int8Array(buf);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buf);
  }
}

/**
 * Decodes safetensors bytes, validating the header length, the JSON, every dtype, shape and offset,
 * and that the tensors tile the data section exactly. `source` names the data in errors.
 * @example const { tensors, metadata } = decodeSafetensors(bytes, 'weights.safetensors');
 */
export function decodeSafetensors(bytes: Uint8Array, source = '<bytes>'): SafetensorsFile {
  const fail = (problem: string): never => {
    throw new SafetensorsError(source, problem);
  };
  if (bytes.byteLength < 8) fail(`truncated: ${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 === 0n) fail('bad header length 0');
  if (n64 > BigInt(bytes.byteLength - 8)) fail(`bad header length ${n64}: only ${bytes.byteLength - 8} bytes follow (truncated or corrupted)`);
  if (n64 > BigInt(MAX_HEADER)) fail(`bad header length ${n64}: larger than the ${MAX_HEADER}-byte limit`);
  const n = Number(n64);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`invalid JSON header: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors: Record<string, SafetensorsEntry<SafetensorsData>> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`metadata '${k}' is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (typeof raw !== 'object' || raw === null) fail(`tensor '${name}': the entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in BYTES)) {
      fail(`tensor '${name}': unknown dtype ${JSON.stringify(dtype)} (expected one of ${SAFETENSORS_DTYPES.join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor '${name}': invalid shape ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`tensor '${name}': invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) fail(`tensor '${name}': data_offsets [${begin}, ${end}] are reversed`);
    if (end > dataLen) fail(`tensor '${name}': data_offsets [${begin}, ${end}] out of range (the data section has ${dataLen} bytes; truncated?)`);
    const want = (shape as number[]).reduce((a, b) => a * b, 1) * BYTES[dtype as SafetensorsDType];
    if (end - begin !== want) {
      fail(`tensor '${name}': data_offsets [${begin}, ${end}] span ${end - begin} bytes, but ${dtype} [${(shape as number[]).join(',')}] needs ${want}`);
    }
    spans.push({ name, begin, end });
    tensors[name] = {
      dtype: dtype as SafetensorsDType,
      shape: [...(shape as number[])],
      data: fromBytes(dtype as SafetensorsDType, bytes.subarray(dataStart + begin, dataStart + end)),
    };
  }
  // The tensors must tile the data section: no overlaps, no holes, nothing trailing.
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const s of spans) {
    if (s.begin < at) fail(`tensor '${s.name}' overlaps another tensor's bytes (offset ${s.begin} < ${at})`);
    if (s.begin > at) fail(`a hole in the data section before tensor '${s.name}' (bytes ${at}..${s.begin} belong to no tensor)`);
    at = s.end;
  }
  if (at !== dataLen) fail(`the data section has ${dataLen} bytes but the tensors cover ${at} (trailing bytes: corrupted)`);
  return { tensors, metadata };
}

// ---- files (Node) ------------------------------------------------------------------------------

/**
 * Writes a safetensors file atomically: the bytes go to a temporary file beside `path`, which is
 * flushed to disk and renamed over `path`, so a crash never leaves a half-written checkpoint.
 * @example await writeSafetensors('G.safetensors', { w: { dtype: 'F32', shape: [2], data: [1, 2] } }, { iteration: '100' });
 */
export async function writeSafetensors(
  path: string,
  tensors: Readonly<Record<string, SafetensorsEntry>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const bytes = encodeSafetensors(tensors, metadata);
  await writeFileAtomic(path, bytes);
}

/**
 * Reads and validates a safetensors file.
 * @example const { tensors, metadata } = await readSafetensors('G.safetensors'); tensors['fc.weight'].data
 */
export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  const fs = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new SafetensorsError(path, err.code === 'ENOENT' ? 'no such file' : `cannot read: ${err.message}`);
  }
  return decodeSafetensors(bytes, path);
}
