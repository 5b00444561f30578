/**
 * Inception Score (Salimans et al., 2016) and Fréchet Inception Distance (Heusel et al., 2017) over
 * the class probabilities and features of any classifier (see `OnnxClassifier`).
 *
 * Both follow the reference implementations the WGAN-GP paper's numbers come from:
 * - IS: the OpenAI `inception_score.py` — split the N predictions into `splits` consecutive parts,
 *   score each part as exp(mean_x KL(p(y|x) ‖ p(y))) with p(y) the part's mean prediction, and
 *   report the mean and the (population, numpy's default) standard deviation over the parts.
 * - FID: the TTUR `fid.py` — ‖μ1 − μ2‖² + Tr(C1 + C2 − 2(C1C2)^½) with unbiased (N − 1)
 *   covariances, in float64. The trace of the square root is computed without a non-symmetric
 *   matrix square root: C1C2 is similar to the symmetric PSD matrix C1^½ C2 C1^½ (conjugate by
 *   C1^½), so Tr((C1C2)^½) = Σ √λᵢ(C1^½ C2 C1^½). Two symmetric eigen-decompositions (ml-matrix's
 *   Householder tridiagonalisation + QL) give it stably even for singular covariances (fewer
 *   samples than dimensions), where scipy's `sqrtm` needs the reference code's ε·I fix-up.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Mean and standard deviation of a score over splits. */
export interface ScoreStats {
  readonly mean: number;
  readonly std: number;
}

/** A Gaussian fitted to features: mean [D] and covariance [D, D] (row-major), in float64. */
export interface GaussianStats {
  readonly dim: number;
  /** Number of feature vectors the statistics come from. */
  readonly count: number;
  readonly mean: Float64Array;
  /** Unbiased (divided by count − 1) covariance, row-major [dim, dim], exactly symmetric. */
  readonly cov: Float64Array;
}

type Floats = Float32Array | Float64Array | readonly number[];

function checkRows(where: string, arg: string, data: Floats, width: number, widthName: string): number {
  if (!Number.isInteger(width) || width < 1) throw new Error(`${where}: ${widthName} must be a positive integer, got ${String(width)}`);
  if (data.length % width !== 0) {
    throw new Error(`${where}: ${arg} has ${data.length} values, not a multiple of ${widthName} = ${width} (expected a row-major [N, ${width}] array)`);
  }
  return data.length / width;
}

/**
 * The Inception Score of class probabilities `probs` (row-major [N, classes], rows summing to 1),
 * as OpenAI's reference code: mean and population std over `splits` consecutive parts of
 * exp(E_x KL(p(y|x) ‖ p(y))). 0·log 0 is taken as 0, so exactly one-hot rows are allowed.
 * Ranges from 1 (every image gets the same prediction) to `classes` (confident and balanced).
 * @example
 * const { mean, std } = inceptionScore(probs, 10, 10); // MNIST classifier outputs for 10k images
 */
export function inceptionScore(probs: Floats, classes: number, splits = 10): ScoreStats {
  const where = 'inceptionScore';
  const n = checkRows(where, 'probs', probs, classes, 'classes');
  if (!Number.isInteger(splits) || splits < 1) throw new Error(`${where}: splits must be a positive integer, got ${String(splits)}`);
  if (n < splits) throw new Error(`${where}: ${n} predictions cannot be cut into ${splits} splits (need at least one per split)`);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < classes; k++) {
      const p = probs[i * classes + k]!;
      if (!(p >= 0 && p <= 1)) throw new Error(`${where}: probs[${i}, ${k}] = ${p} is not a probability (pass softmax outputs, not logits)`);
      s += p;
    }
    if (Math.abs(s - 1) > 1e-3) throw new Error(`${where}: row ${i} of probs sums to ${s}, not 1 (pass softmax outputs, not logits)`);
  }
  const scores: number[] = [];
  const marginal = new Float64Array(classes);
  for (let part = 0; part < splits; part++) {
    // The reference's boundaries: part * N // splits.
    const lo = Math.floor((part * n) / splits);
    const hi = Math.floor(((part + 1) * n) / splits);
    marginal.fill(0);
    for (let i = lo; i < hi; i++) for (let k = 0; k < classes; k++) marginal[k]! += probs[i * classes + k]!;
    for (let k = 0; k < classes; k++) marginal[k]! /= hi - lo;
    let kl = 0;
    for (let i = lo; i < hi; i++) {
      for (let k = 0; k < classes; k++) {
        const p = probs[i * classes + k]!;
        if (p > 0) kl += p * (Math.log(p) - Math.log(marginal[k]!));
      }
    }
    scores.push(Math.exp(kl / (hi - lo)));
  }
  const mean = scores.reduce((a, b) => a + b, 0) / splits;
  const std = Math.sqrt(scores.reduce((a, s) => a + (s - mean) ** 2, 0) / splits);
  return { mean, std };
}

/**
 * Streaming mean and covariance of feature vectors, in float64: add batches as they come out of the
 * classifier, then read the Gaussian. Sums are taken around a shift (the first vector seen), which
 * keeps the one-pass formula accurate when the features have a large mean.
 * @example
 * const acc = new FeatureStatsAccumulator(128);
 * for (const batch of batches) acc.add(batch); // each a row-major [B, 128] array
 * const stats = acc.stats();
 */
export class FeatureStatsAccumulator {
  private readonly shift: Float64Array;
  private readonly sum: Float64Array;
  /** Upper triangle (j ≥ i) of Σ (x − shift)(x − shift)ᵀ. */
  private readonly sumSq: Float64Array;
  private readonly row: Float64Array;
  private n = 0;

  constructor(readonly dim: number) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`FeatureStatsAccumulator: dim must be a positive integer, got ${String(dim)}`);
    this.shift = new Float64Array(dim);
    this.sum = new Float64Array(dim);
    this.sumSq = new Float64Array(dim * dim);
    this.row = new Float64Array(dim);
  }

  /** Number of vectors added so far. */
  get count(): number {
    return this.n;
  }

  /** Adds a row-major [B, dim] batch of feature vectors. @example acc.add(features) */
  add(batch: Floats): this {
    const d = this.dim;
    const rows = checkRows('FeatureStatsAccumulator.add', 'batch', batch, d, 'dim');
    const { shift, sum, sumSq, row } = this;
    for (let r = 0; r < rows; r++) {
      const off = r * d;
      if (this.n === 0) for (let i = 0; i < d; i++) shift[i] = batch[off + i]!;
      for (let i = 0; i < d; i++) {
        const v = batch[off + i]!;
        if (!Number.isFinite(v)) throw new Error(`FeatureStatsAccumulator.add: batch[${r}, ${i}] = ${v} is not finite`);
        row[i] = v - shift[i]!;
        sum[i]! += row[i]!;
      }
      for (let i = 0; i < d; i++) {
        const xi = row[i]!;
        if (xi === 0) continue;
        const base = i * d;
        for (let j = i; j < d; j++) sumSq[base + j]! += xi * row[j]!;
      }
      this.n++;
    }
    return this;
  }

  /** The mean and unbiased covariance of everything added (needs at least 2 vectors). @example acc.stats().mean */
  stats(): GaussianStats {
    const d = this.dim;
    const n = this.n;
    if (n < 2) throw new Error(`FeatureStatsAccumulator.stats: a covariance needs at least 2 feature vectors, got ${n}`);
    const mean = new Float64Array(d);
    for (let i = 0; i < d; i++) mean[i] = this.shift[i]! + this.sum[i]! / n;
    const cov = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const c = (this.sumSq[i * d + j]! - (this.sum[i]! * this.sum[j]!) / n) / (n - 1);
        cov[i * d + j] = c;
        cov[j * d + i] = c;
      }
    }
    return { dim: d, count: n, mean, cov };
  }
}

/**
 * Mean and unbiased covariance of row-major [N, dim] features (N ≥ 2), in float64.
 * @example const s = featureStats(feats, 128); // s.mean: Float64Array(128), s.cov: Float64Array(128 * 128)
 */
export function featureStats(features: Floats, dim: number): GaussianStats {
  return new FeatureStatsAccumulator(dim).add(features).stats();
}

function toMatrix(data: Float64Array, d: number): Matrix {
  const m = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m.set(i, j, data[i * d + j]!);
  return m;
}

/** Eigenvalues and eigenvectors of a symmetric matrix (symmetrised first, against rounding). */
function symmetricEigen(m: Matrix): { values: number[]; vectors: Matrix } {
  const sym = m.add(m.transpose()).mul(0.5);
  const e = new EigenvalueDecomposition(sym, { assumeSymmetric: true });
  return { values: e.realEigenvalues, vectors: e.eigenvectorMatrix };
}

/**
 * Tr((C1 C2)^½) for symmetric positive semi-definite C1, C2: Σ √λ of C1^½ C2 C1^½ (similar to
 * C1 C2). Eigenvalues that rounding pushes slightly below 0 are taken as 0.
 * @example traceSqrtProduct(c1, c2, d)
 */
export function traceSqrtProduct(c1: Float64Array, c2: Float64Array, d: number): number {
  const e1 = symmetricEigen(toMatrix(c1, d));
  // C1^½ = V diag(√max(λ, 0)) Vᵀ.
  const scaled = e1.vectors.clone();
  e1.values.forEach((l, k) => {
    const s = Math.sqrt(Math.max(l, 0));
    for (let i = 0; i < d; i++) scaled.set(i, k, scaled.get(i, k) * s);
  });
  const root = scaled.mmul(e1.vectors.transpose());
  const inner = root.mmul(toMatrix(c2, d)).mmul(root);
  return symmetricEigen(inner).values.reduce((t, l) => t + Math.sqrt(Math.max(l, 0)), 0);
}

/**
 * The Fréchet distance between two Gaussians: ‖μ1 − μ2‖² + Tr(C1 + C2 − 2(C1C2)^½), in float64.
 * Rounding can make the exact-zero case come out a hair below 0; the result is clamped at 0.
 * @example const d = frechetDistance(featureStats(real, 2048), featureStats(fake, 2048));
 */
export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  if (a.dim !== b.dim) throw new Error(`frechetDistance: the two feature sets have different dimensions (${a.dim} vs ${b.dim})`);
  const d = a.dim;
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (a.mean[i]! - b.mean[i]!) ** 2;
  let trace = 0;
  for (let i = 0; i < d; i++) trace += a.cov[i * d + i]! + b.cov[i * d + i]!;
  const value = meanTerm + trace - 2 * traceSqrtProduct(a.cov, b.cov, d);
  return Math.max(0, value);
}

/**
 * FID between two sets of features (row-major [N, dim] and [M, dim], N, M ≥ 2).
 * @example const score = fid(realFeatures, fakeFeatures, 2048);
 */
export function fid(featsA: Floats, featsB: Floats, dim: number): number {
  checkRows('fid', 'featsA', featsA, dim, 'dim');
  checkRows('fid', 'featsB', featsB, dim, 'dim');
  return frechetDistance(featureStats(featsA, dim), featureStats(featsB, dim));
}
