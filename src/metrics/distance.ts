/**
 * Sample-based distances between two point clouds (row-major n×dim arrays): the energy distance and
 * the exact Wasserstein-1 distance between two equal-size empirical distributions.
 */
import { linearAssignment } from './assignment.js';

function countPoints(fn: string, arg: string, points: ArrayLike<number>, dim: number): number {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`${fn}: dim must be a positive integer, got ${dim}`);
  if (points.length % dim !== 0) {
    throw new Error(`${fn}: ${arg} has ${points.length} values, not a multiple of dim = ${dim}`);
  }
  return points.length / dim;
}

function dist(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, dim: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) {
    const d = a[i * dim + k]! - b[j * dim + k]!;
    s += d * d;
  }
  return Math.sqrt(s);
}

function meanDistance(a: ArrayLike<number>, n: number, b: ArrayLike<number>, m: number, dim: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) s += dist(a, i, b, j, dim);
  return s / (n * m);
}

/**
 * The (squared) energy distance of Székely & Rizzo between the empirical distributions of `a` and
 * `b`: 2·E|X − Y| − E|X − X'| − E|Y − Y'|, with all pairs (V-statistics), so it is exactly 0 for a
 * set against itself and ≥ 0 always. Exact and O(n·m·dim): fine for a few thousand points.
 * The sets may differ in size.
 *
 * @example
 * energyDistance(real, fake); // 0 when the clouds coincide, grows as they move apart
 */
export function energyDistance(a: ArrayLike<number>, b: ArrayLike<number>, dim = 2): number {
  const n = countPoints('energyDistance', 'a', a, dim);
  const m = countPoints('energyDistance', 'b', b, dim);
  if (n === 0 || m === 0) throw new Error(`energyDistance: both sets need points, got ${n} and ${m}`);
  const value = 2 * meanDistance(a, n, b, m, dim) - meanDistance(a, n, a, n, dim) - meanDistance(b, m, b, m, dim);
  return Math.max(0, value); // ≥ 0 in exact arithmetic; clamp the rounding error
}

/**
 * The exact Wasserstein-1 (earth mover's) distance between two equal-size point sets with uniform
 * weights: min over one-to-one matchings σ of (1/n)·Σ_i |a_i − b_σ(i)| (Euclidean), solved as a
 * linear assignment problem. Cost O(n²) memory and up to O(n³) time: keep n ≤ about 1000
 * (about a second there; docs/BENCHMARKS.md, "Exact W1").
 *
 * @example
 * wasserstein1(points, points.map((v, i) => v + (i % 2 ? 4 : 3))); // 5: a translate by (3, 4)
 */
export function wasserstein1(a: ArrayLike<number>, b: ArrayLike<number>, dim = 2): number {
  const n = countPoints('wasserstein1', 'a', a, dim);
  const m = countPoints('wasserstein1', 'b', b, dim);
  if (n !== m) throw new Error(`wasserstein1: the sets must have the same number of points, got ${n} and ${m}`);
  if (n === 0) throw new Error('wasserstein1: the sets are empty');
  const cost = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cost[i * n + j] = dist(a, i, b, j, dim);
  return linearAssignment(cost, n).cost / n;
}
