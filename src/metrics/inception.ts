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
 *   matrix square root (scipy's `sqrtm`, which the reference needs an ε·I fix-up for when C1C2 is
 *   singular): with C1 = P L Lᵀ Pᵀ from a pivoted Cholesky factorisation (rank-revealing, so
 *   singular covariances are fine), C1C2 has the eigenvalues of the symmetric PSD matrix
 *   Lᵀ Pᵀ C2 P L, so Tr((C1C2)^½) = Σ √λᵢ of it, from a Householder + implicit-QL eigenvalue
 *   solver. About 2·d³ flops: d = 2048 (Inception pool3) takes seconds, not minutes.
 */

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
  /**
   * Up to BLOCK shifted vectors, column-major [dim, BLOCK]: Σ xxᵀ is added a block at a time as
   * dot products of contiguous columns, so the dim² sums stream through memory once per block
   * instead of once per vector (a 2048-d matrix is 32 MB: per-vector updates are memory-bound).
   */
  private readonly block: Float64Array;
  private fill = 0;
  private n = 0;
  private static readonly BLOCK = 64;

  constructor(readonly dim: number) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`FeatureStatsAccumulator: dim must be a positive integer, got ${String(dim)}`);
    this.shift = new Float64Array(dim);
    this.sum = new Float64Array(dim);
    this.sumSq = new Float64Array(dim * dim);
    this.block = new Float64Array(dim * FeatureStatsAccumulator.BLOCK);
  }

  /** Number of vectors added so far. */
  get count(): number {
    return this.n;
  }

  /** Adds a row-major [B, dim] batch of feature vectors. @example acc.add(features) */
  add(batch: Floats): this {
    const d = this.dim;
    const B = FeatureStatsAccumulator.BLOCK;
    const rows = checkRows('FeatureStatsAccumulator.add', 'batch', batch, d, 'dim');
    for (let r = 0; r < rows * d; r++) {
      if (!Number.isFinite(batch[r]!)) throw new Error(`FeatureStatsAccumulator.add: batch[${Math.floor(r / d)}, ${r % d}] = ${batch[r]} is not finite`);
    }
    const { shift, sum, block } = this;
    for (let r = 0; r < rows; r++) {
      const off = r * d;
      if (this.n === 0) for (let i = 0; i < d; i++) shift[i] = batch[off + i]!;
      for (let i = 0; i < d; i++) {
        const x = batch[off + i]! - shift[i]!;
        sum[i]! += x;
        block[i * B + this.fill] = x;
      }
      this.n++;
      if (++this.fill === B) this.flush();
    }
    return this;
  }

  /** Adds the pending block's outer products to the upper triangle of sumSq. */
  private flush(): void {
    const d = this.dim;
    const B = FeatureStatsAccumulator.BLOCK;
    const m = this.fill;
    const { block, sumSq } = this;
    for (let i = 0; i < d; i++) {
      const ci = i * B;
      const row = i * d;
      let j = i;
      // Four columns at a time: each load of column i serves four dot products.
      for (; j + 3 < d; j += 4) {
        const c0 = j * B;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let r = 0; r < m; r++) {
          const x = block[ci + r]!;
          s0 += x * block[c0 + r]!;
          s1 += x * block[c0 + B + r]!;
          s2 += x * block[c0 + 2 * B + r]!;
          s3 += x * block[c0 + 3 * B + r]!;
        }
        sumSq[row + j]! += s0;
        sumSq[row + j + 1]! += s1;
        sumSq[row + j + 2]! += s2;
        sumSq[row + j + 3]! += s3;
      }
      for (; j < d; j++) {
        const cj = j * B;
        let s = 0;
        for (let r = 0; r < m; r++) s += block[ci + r]! * block[cj + r]!;
        sumSq[row + j]! += s;
      }
    }
    this.fill = 0;
  }

  /** The mean and unbiased covariance of everything added (needs at least 2 vectors). @example acc.stats().mean */
  stats(): GaussianStats {
    const d = this.dim;
    const n = this.n;
    if (n < 2) throw new Error(`FeatureStatsAccumulator.stats: a covariance needs at least 2 feature vectors, got ${n}`);
    if (this.fill > 0) this.flush();
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

/**
 * Pivoted (rank-revealing) Cholesky factorisation of a symmetric positive semi-definite matrix:
 * A[perm[a], perm[b]] ≈ Σ_k L[a, k]·L[b, k] with L lower-trapezoidal [n, rank]. Each step pivots on
 * the largest remaining diagonal entry and stops when it falls below `tol`, so singular covariances
 * (fewer samples than dimensions, dead features) factor cleanly; this is backward stable for PSD
 * matrices (Higham, "Analysis of the Cholesky decomposition of a semi-definite matrix", 1990).
 * @example const { factor, perm, rank } = pivotedCholesky(cov, d);
 */
export function pivotedCholesky(
  a: Float64Array,
  n: number,
  tol?: number,
): { factor: Float64Array; perm: Int32Array; rank: number } {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const diag = new Float64Array(n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    diag[i] = a[i * n + i]!;
    maxDiag = Math.max(maxDiag, diag[i]!);
  }
  const threshold = tol ?? n * Number.EPSILON * maxDiag;
  // Row a of `factor` belongs to the matrix index perm[a]; its first `rank` entries are used.
  const factor = new Float64Array(n * n);
  let rank = 0;
  for (let j = 0; j < n; j++) {
    let q = j;
    for (let i = j + 1; i < n; i++) if (diag[perm[i]!]! > diag[perm[q]!]!) q = i;
    const pivot = diag[perm[q]!]!;
    if (!(pivot > threshold)) break;
    if (q !== j) {
      [perm[j], perm[q]] = [perm[q]!, perm[j]!];
      for (let k = 0; k < j; k++) [factor[j * n + k], factor[q * n + k]] = [factor[q * n + k]!, factor[j * n + k]!];
    }
    const pj = perm[j]!;
    const ljj = Math.sqrt(pivot);
    factor[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const pi = perm[i]!;
      let s = a[pi * n + pj]!;
      for (let k = 0; k < j; k++) s -= factor[i * n + k]! * factor[j * n + k]!;
      const lij = s / ljj;
      factor[i * n + j] = lij;
      diag[pi]! -= lij * lij;
    }
    rank = j + 1;
  }
  return { factor, perm, rank };
}

/**
 * Eigenvalues (ascending) of a symmetric matrix, row-major [n, n] (only the lower triangle is
 * read): Householder reduction to tridiagonal form, then the implicit QL iteration with Wilkinson
 * shifts (Golub & Van Loan §8.3; EISPACK tred1/tql1). No eigenvectors: O(4n³/3) flops.
 * @example symmetricEigenvalues(Float64Array.of(2, 1, 1, 2), 2) // [1, 3]
 */
export function symmetricEigenvalues(m: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(m);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const p = new Float64Array(n);
  // Householder: for i = n−1 … 1, annihilate row i left of the subdiagonal, in the leading block.
  for (let i = n - 1; i > 0; i--) {
    const row = i * n;
    let scale = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(a[row + k]!);
    if (i === 1 || scale === 0) {
      e[i] = a[row + i - 1]!;
      continue;
    }
    let h = 0;
    for (let k = 0; k < i; k++) {
      a[row + k]! /= scale;
      h += a[row + k]! ** 2;
    }
    // u = row i (scaled) with u[i−1] shifted by −g: the reflector is I − u·uᵀ/h.
    const f = a[row + i - 1]!;
    const g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
    e[i] = scale * g;
    h -= f * g;
    a[row + i - 1] = f - g;
    // p = A·u / h over the leading i×i block, from its lower triangle (row-contiguous reads).
    p.fill(0, 0, i);
    for (let j = 0; j < i; j++) {
      const rj = j * n;
      const uj = a[row + j]!;
      let s = 0;
      for (let k = 0; k < j; k++) {
        s += a[rj + k]! * a[row + k]!;
        p[k]! += a[rj + k]! * uj;
      }
      p[j]! += s + a[rj + j]! * uj;
    }
    let up = 0;
    for (let j = 0; j < i; j++) {
      p[j]! /= h;
      up += p[j]! * a[row + j]!;
    }
    // A ← A − u·qᵀ − q·uᵀ with q = p − (uᵀp / 2h)·u, on the lower triangle.
    const hh = up / (h + h);
    for (let j = 0; j < i; j++) p[j]! -= hh * a[row + j]!;
    for (let j = 0; j < i; j++) {
      const rj = j * n;
      const uj = a[row + j]!;
      const qj = p[j]!;
      for (let k = 0; k <= j; k++) a[rj + k]! -= uj * p[k]! + qj * a[row + k]!;
    }
  }
  for (let i = 0; i < n; i++) d[i] = a[i * n + i]!;
  // Implicit QL on the tridiagonal (d, e): e[i] now couples i and i + 1.
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  if (n > 0) e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      let mm = l;
      while (mm < n - 1) {
        const dd = Math.abs(d[mm]!) + Math.abs(d[mm + 1]!);
        if (Math.abs(e[mm]!) <= Number.EPSILON * dd) break;
        mm++;
      }
      if (mm === l) break;
      if (iter === 100) throw new Error(`symmetricEigenvalues: the QL iteration did not converge for eigenvalue ${l} of ${n}`);
      // Wilkinson shift from the leading 2×2 block.
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[mm]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let shift = 0;
      let deflated = false;
      for (let i = mm - 1; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // Underflow: the matrix split; restart on the smaller block.
          d[i + 1]! -= shift;
          e[mm] = 0;
          deflated = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - shift;
        r = (d[i]! - g) * s + 2 * c * b;
        shift = s * r;
        d[i + 1] = g + shift;
        g = c * r - b;
      }
      if (deflated) continue;
      d[l]! -= shift;
      e[l] = g;
      e[mm] = 0;
    }
  }
  return d.sort();
}

/**
 * Tr((C1 C2)^½) for symmetric positive semi-definite C1, C2 (row-major [d, d]). With the pivoted
 * Cholesky factor C1 = P L Lᵀ Pᵀ, C1C2 has the non-zero eigenvalues of the symmetric PSD matrix
 * Lᵀ (Pᵀ C2 P) L (rank × rank), so the trace is Σ √λ of that matrix. Eigenvalues within rounding
 * noise of 0 count as 0.
 * @example traceSqrtProduct(c1, c2, d)
 */
export function traceSqrtProduct(c1: Float64Array, c2: Float64Array, d: number): number {
  const { factor: lf, perm, rank: r } = pivotedCholesky(c1, d);
  if (r === 0) return 0;
  // B = Pᵀ C2 P, then T = B·L [d, r] and M = Lᵀ·T [r, r] (lower triangle, all that
  // symmetricEigenvalues reads). L is lower-trapezoidal: row b has min(b + 1, r) non-zeros. Both
  // products work on four rows at a time, so each streamed row of L (or T) serves four updates.
  const b = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) b[i * d + j] = c2[perm[i]! * d + perm[j]!]!;
  const t = new Float64Array(d * r);
  for (let a0 = 0; a0 < d; a0 += 4) {
    const rows = Math.min(4, d - a0);
    for (let k = 0; k < d; k++) {
      const lk = k * d;
      const kmax = Math.min(k + 1, r);
      if (rows === 4) {
        const v0 = b[a0 * d + k]!;
        const v1 = b[(a0 + 1) * d + k]!;
        const v2 = b[(a0 + 2) * d + k]!;
        const v3 = b[(a0 + 3) * d + k]!;
        const t0 = a0 * r;
        for (let j = 0; j < kmax; j++) {
          const l = lf[lk + j]!;
          t[t0 + j]! += v0 * l;
          t[t0 + r + j]! += v1 * l;
          t[t0 + 2 * r + j]! += v2 * l;
          t[t0 + 3 * r + j]! += v3 * l;
        }
      } else {
        for (let q = 0; q < rows; q++) {
          const v = b[(a0 + q) * d + k]!;
          const tq = (a0 + q) * r;
          for (let j = 0; j < kmax; j++) t[tq + j]! += v * lf[lk + j]!;
        }
      }
    }
  }
  const mat = new Float64Array(r * r);
  for (let a0 = 0; a0 < d; a0 += 4) {
    const rows = Math.min(4, d - a0);
    // Rows a0..a0+rows−1 of L are zero beyond column a0 + rows − 1.
    const jmax = Math.min(a0 + rows, r);
    for (let j = 0; j < jmax; j++) {
      const mj = j * r;
      if (rows === 4) {
        const w0 = lf[a0 * d + j]!;
        const w1 = lf[(a0 + 1) * d + j]!;
        const w2 = lf[(a0 + 2) * d + j]!;
        const w3 = lf[(a0 + 3) * d + j]!;
        const t0 = a0 * r;
        for (let k = 0; k <= j; k++) mat[mj + k]! += w0 * t[t0 + k]! + w1 * t[t0 + r + k]! + w2 * t[t0 + 2 * r + k]! + w3 * t[t0 + 3 * r + k]!;
      } else {
        for (let q = 0; q < rows; q++) {
          const w = lf[(a0 + q) * d + j]!;
          const tq = (a0 + q) * r;
          for (let k = 0; k <= j; k++) mat[mj + k]! += w * t[tq + k]!;
        }
      }
    }
  }
  // Eigenvalues within rounding noise of 0 (|λ| ≤ r·ε·λmax) are taken as exactly 0: the square root
  // is not Lipschitz at 0, and √(noise) ≈ 1e-8·√λmax per zero eigenvalue would bias singular cases.
  const lambdas = symmetricEigenvalues(mat, r);
  const floor = r * Number.EPSILON * Math.max(0, lambdas[r - 1]!);
  return lambdas.reduce((acc, v) => acc + (v > floor ? Math.sqrt(v) : 0), 0);
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
