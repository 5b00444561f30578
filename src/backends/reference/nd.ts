/**
 * Float64 array helpers for the reference kernels. Plain loops, written for clarity: the reference
 * interpreter is the test oracle, never the fast path.
 */
import type { NDArray } from '../../ops/registry.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';

/** Strides of `shape` as seen from a broadcast output of rank `rank` (0 on broadcast axes). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const s = stridesOf(shape);
  const out = new Array<number>(rank).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const oi = rank - shape.length + i;
    out[oi] = shape[i] === 1 && outShape[oi] !== 1 ? 0 : s[i]!;
  }
  return out;
}

/** For each flat output index, the flat index into each broadcast input. */
export function broadcastIndex(inputs: readonly (readonly number[])[], outShape: readonly number[]): Int32Array[] {
  const n = sizeOf(outShape);
  const rank = outShape.length;
  const strides = inputs.map((s) => broadcastStrides(s, outShape));
  const idx = inputs.map(() => new Int32Array(n));
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < inputs.length; k++) {
      let off = 0;
      const st = strides[k]!;
      for (let d = 0; d < rank; d++) off += coord[d]! * st[d]!;
      idx[k]![i] = off;
    }
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d]! < outShape[d]!) break;
      coord[d] = 0;
    }
  }
  return idx;
}

export function mapUnary(a: NDArray, f: (x: number) => number): Float64Array {
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[i]!);
  return out;
}

export function mapBinary(a: NDArray, b: NDArray, outShape: readonly number[], f: (x: number, y: number) => number): Float64Array {
  const [ia, ib] = broadcastIndex([a.shape, b.shape], outShape) as [Int32Array, Int32Array];
  const out = new Float64Array(ia.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[ia[i]!]!, b.data[ib[i]!]!);
  return out;
}

export function mapTernary(
  a: NDArray,
  b: NDArray,
  c: NDArray,
  outShape: readonly number[],
  f: (x: number, y: number, z: number) => number,
): Float64Array {
  const [ia, ib, ic] = broadcastIndex([a.shape, b.shape, c.shape], outShape) as [Int32Array, Int32Array, Int32Array];
  const out = new Float64Array(ia.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[ia[i]!]!, b.data[ib[i]!]!, c.data[ic[i]!]!);
  return out;
}

/**
 * Reduces `a` over `axes` (sorted, distinct) with `f`, starting from `init`; the result has the
 * shape of `a` with the reduced axes set to 1 (row-major, so keepdims or not is only a reshape).
 */
export function reduceAxes(
  a: NDArray,
  axes: readonly number[],
  init: number,
  f: (acc: number, x: number) => number,
): Float64Array {
  const outShape = a.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(sizeOf(outShape)).fill(init);
  const [io] = broadcastIndex([outShape], a.shape) as [Int32Array];
  for (let i = 0; i < a.data.length; i++) out[io[i]!] = f(out[io[i]!]!, a.data[i]!);
  return out;
}

/** Permutes the axes of `a`: output axis i is input axis perm[i]. */
export function transposeND(a: NDArray, perm: readonly number[]): Float64Array {
  const inStr = stridesOf(a.shape);
  const outShape = perm.map((p) => a.shape[p]!);
  const n = a.data.length;
  const out = new Float64Array(n);
  const rank = perm.length;
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < rank; d++) off += coord[d]! * inStr[perm[d]!]!;
    out[i] = a.data[off]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d]! < outShape[d]!) break;
      coord[d] = 0;
    }
  }
  return out;
}

/** Calls `f(flatIndex, coord)` for every coordinate of `shape` in row-major order. */
export function forEachCoord(shape: readonly number[], f: (i: number, coord: readonly number[]) => void): void {
  const n = sizeOf(shape);
  const coord = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    f(i, coord);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++coord[d]! < shape[d]!) break;
      coord[d] = 0;
    }
  }
}
