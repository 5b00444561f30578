import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../tensor/random.js';
import { EigenvalueDecomposition, Matrix, QrDecomposition } from 'ml-matrix';
import {
  featureStats,
  FeatureStatsAccumulator,
  fid,
  frechetDistance,
  inceptionScore,
  pivotedCholesky,
  symmetricEigenvalues,
  traceSqrtProduct,
} from './inception.js';

const close = (got: number, want: number, tol: number, what = ''): void =>
  assert.ok(Math.abs(got - want) <= tol, `${what} got ${got}, want ${want} (tol ${tol})`);

function oneHotRows(labels: readonly number[], k: number): Float64Array {
  const out = new Float64Array(labels.length * k);
  labels.forEach((c, i) => (out[i * k + c] = 1));
  return out;
}

test('IS of identical (uniform) predictions is 1', () => {
  const k = 10;
  const probs = new Float32Array(500 * k).fill(1 / k);
  const s = inceptionScore(probs, k, 10);
  close(s.mean, 1, 1e-6, 'mean');
  close(s.std, 0, 1e-6, 'std');
});

test('IS of confident predictions spread evenly over K classes is exactly K', () => {
  for (const k of [2, 10, 37]) {
    const labels = Array.from({ length: k * 10 * 3 }, (_, i) => i % k);
    const s = inceptionScore(oneHotRows(labels, k), k, 10);
    close(s.mean, k, 1e-12 * k, `K=${k} mean`);
    close(s.std, 0, 1e-12 * k, `K=${k} std`);
  }
});

test('IS is the mean and population std over consecutive splits', () => {
  const k = 4;
  // First half: one class only (IS 1); second half: balanced one-hot (IS K).
  const labels = [...Array.from({ length: 8 }, () => 2), ...Array.from({ length: 8 }, (_, i) => i % k)];
  const s = inceptionScore(oneHotRows(labels, k), k, 2);
  close(s.mean, (1 + k) / 2, 1e-12, 'mean');
  close(s.std, (k - 1) / 2, 1e-12, 'std');
  // One split over everything: p(y) = (10/16, 2/16, 2/16, 2/16); KL averaged in closed form.
  const py = [2 / 16, 2 / 16, 10 / 16, 2 / 16];
  const meanKl = labels.reduce((a, c) => a - Math.log(py[c]!), 0) / labels.length;
  close(inceptionScore(oneHotRows(labels, k), k, 1).mean, Math.exp(meanKl), 1e-12, 'one split');
});

test('IS matches a direct computation on random softmax outputs, with uneven split sizes', () => {
  const rng = new Rng(7);
  const n = 103;
  const k = 5;
  const probs = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: k }, () => Math.exp(3 * rng.gauss()));
    const s = z.reduce((a, b) => a + b, 0);
    z.forEach((v, j) => (probs[i * k + j] = v / s));
  }
  const splits = 4;
  // numpy reference: part = preds[i*N//splits:(i+1)*N//splits]; exp(mean(sum(p*(log p - log mean(p))))).
  const bounds = [0, 25, 51, 77, 103];
  const scores = bounds.slice(0, -1).map((lo, s) => {
    const rows = Array.from({ length: bounds[s + 1]! - lo }, (_, r) => Array.from(probs.subarray((lo + r) * k, (lo + r + 1) * k)));
    const py = Array.from({ length: k }, (_, j) => rows.reduce((a, row) => a + row[j]!, 0) / rows.length);
    const kls = rows.map((row) => row.reduce((a, p, j) => a + p * (Math.log(p) - Math.log(py[j]!)), 0));
    return Math.exp(kls.reduce((a, b) => a + b, 0) / rows.length);
  });
  const m = scores.reduce((a, b) => a + b, 0) / splits;
  const sd = Math.sqrt(scores.reduce((a, b) => a + (b - m) ** 2, 0) / splits);
  const got = inceptionScore(probs, k, splits);
  close(got.mean, m, 1e-12, 'mean');
  close(got.std, sd, 1e-12, 'std');
  assert.ok(got.std > 0);
});

test('IS rejects logits, ragged input and impossible splits, naming the problem', () => {
  assert.throws(() => inceptionScore([2, -1, 0.5, 0.5], 2, 1), /probs\[0, 0\] = 2 is not a probability .*logits/);
  assert.throws(() => inceptionScore([0.2, 0.2, 0.5, 0.5], 2, 1), /row 0 of probs sums to 0\.4/);
  assert.throws(() => inceptionScore([0.5, 0.5, 1], 2, 1), /3 values, not a multiple of classes = 2/);
  assert.throws(() => inceptionScore([0.5, 0.5], 2, 2), /1 predictions cannot be cut into 2 splits/);
  assert.throws(() => inceptionScore([0.5, 0.5], 2, 0), /splits must be a positive integer/);
});

/** Columns 1..7 of the 8×8 Sylvester-Hadamard matrix: zero-mean, orthogonal columns, so the
 * unbiased sample covariance is exactly (8/7)·I. */
function hadamardFeatures(): { feats: Float64Array; n: number; d: number } {
  const n = 8;
  const d = 7;
  const feats = new Float64Array(n * d);
  const popcount = (x: number): number => (x ? (x & 1) + popcount(x >> 1) : 0);
  for (let i = 0; i < n; i++) for (let j = 1; j <= d; j++) feats[i * d + j - 1] = popcount(i & j) % 2 === 0 ? 1 : -1;
  return { feats, n, d };
}

test('FID of a set against itself is 0, also with fewer samples than dimensions (singular covariance)', () => {
  const rng = new Rng(1);
  const full = rng.normalArray(200 * 8);
  close(fid(full, full, 8), 0, 1e-9, 'N > D');
  const singular = rng.normalArray(10 * 32);
  const v = fid(singular, singular, 32);
  assert.ok(Number.isFinite(v));
  close(v, 0, 1e-7, 'N < D');
});

test('FID against a shifted copy is the squared norm of the shift (same covariance)', () => {
  const rng = new Rng(2);
  const d = 6;
  const a = rng.normalArray(300 * d);
  const shift = [0.5, -1, 2, 0, 0.25, 3];
  const b = a.map((v, i) => v + shift[i % d]!);
  const want = shift.reduce((s, x) => s + x * x, 0);
  close(fid(a, b, d), want, 1e-6, 'shift');
});

test('FID against a scaled copy matches the analytic value for diagonal covariances', () => {
  // Cov A = σ²I with σ² = 8/7 exactly; B = A·diag(s) + m has cov diag(s²σ²), so
  // FID = ‖m‖² + Σ (σ − |s_j|σ)².
  const { feats, n, d } = hadamardFeatures();
  const s = [0.5, 1, 2, 3, 0.1, 1.5, 4];
  const m = [1, 0, -2, 0, 0, 0.5, 0];
  const b = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) b[i * d + j] = feats[i * d + j]! * s[j]! + m[j]!;
  const sigma = Math.sqrt(8 / 7);
  const want = m.reduce((a, x) => a + x * x, 0) + s.reduce((a, x) => a + (sigma - x * sigma) ** 2, 0);
  const stats = featureStats(feats, d);
  stats.cov.forEach((c, i) => close(c, i % (d + 1) === 0 ? 8 / 7 : 0, 1e-15, `cov[${i}]`));
  close(fid(feats, b, d), want, 1e-10, 'scaled');
});

/** Two-pass mean and unbiased covariance, written out independently of the accumulator. */
function directStats(x: Float64Array | Float32Array, d: number): { mean: number[]; cov: number[][] } {
  const n = x.length / d;
  const mean = Array.from({ length: d }, (_, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * d + j]!;
    return s / n;
  });
  const cov = mean.map((mi, a) =>
    mean.map((mj, b) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += (x[i * d + a]! - mi) * (x[i * d + b]! - mj);
      return s / (n - 1);
    }),
  );
  return { mean, cov };
}

test('FID matches the closed-form 2×2 computation on random inputs', () => {
  // For 2×2 M with non-negative eigenvalues: Tr(√M) = √(tr M + 2√det M); here M = C1C2.
  const rng = new Rng(3);
  for (let trial = 0; trial < 5; trial++) {
    const a = rng.normalArray(2 * 15).map((v, i) => (i % 2 === 0 ? 2 * v : v + 0.8 * v * v));
    const b = rng.normalArray(2 * 11).map((v, i) => (i % 2 === 0 ? v + 1 : 0.3 * v - 0.5));
    const A = directStats(a, 2);
    const B = directStats(b, 2);
    const [[p, q], [, r]] = A.cov as [[number, number], [number, number]];
    const [[e, f], [, g]] = B.cov as [[number, number], [number, number]];
    const trM = p * e + 2 * q * f + r * g;
    const detM = (p * r - q * q) * (e * g - f * f);
    const want = (A.mean[0]! - B.mean[0]!) ** 2 + (A.mean[1]! - B.mean[1]!) ** 2 + p + r + e + g - 2 * Math.sqrt(trM + 2 * Math.sqrt(detM));
    close(fid(a, b, 2), want, 1e-10 * Math.max(1, want), `trial ${trial}`);
  }
});

/** Denman–Beavers iteration for the principal square root of a (non-symmetric) matrix. */
function sqrtmDenmanBeavers(m: number[][]): number[][] {
  const d = m.length;
  const eye = (): number[][] => m.map((_, i) => m.map((__, j) => (i === j ? 1 : 0)));
  const inv = (x: number[][]): number[][] => {
    const a = x.map((row, i) => [...row, ...eye()[i]!]);
    for (let c = 0; c < d; c++) {
      let piv = c;
      for (let rr = c + 1; rr < d; rr++) if (Math.abs(a[rr]![c]!) > Math.abs(a[piv]![c]!)) piv = rr;
      [a[c], a[piv]] = [a[piv]!, a[c]!];
      const pv = a[c]![c]!;
      a[c] = a[c]!.map((v) => v / pv);
      for (let rr = 0; rr < d; rr++) if (rr !== c) a[rr] = a[rr]!.map((v, j) => v - a[rr]![c]! * a[c]![j]!);
    }
    return a.map((row) => row.slice(d));
  };
  let y = m.map((row) => [...row]);
  let z = eye();
  for (let it = 0; it < 60; it++) {
    const yi = inv(y);
    const zi = inv(z);
    y = y.map((row, i) => row.map((v, j) => (v + zi[i]![j]!) / 2));
    z = z.map((row, i) => row.map((v, j) => (v + yi[i]![j]!) / 2));
  }
  return y;
}

test('the trace of (C1C2)^½ matches an independent Denman–Beavers sqrtm on random 6-D covariances', () => {
  const rng = new Rng(4);
  const d = 6;
  const a = rng.normalArray(40 * d).map((v, i) => v * (1 + (i % d)));
  const b = rng.normalArray(30 * d).map((v, i) => v + 0.5 * a[i]!);
  const c1 = directStats(a, d).cov;
  const c2 = directStats(b, d).cov;
  const prod = c1.map((row) => c2[0]!.map((_, j) => row.reduce((s, v, k) => s + v * c2[k]![j]!, 0)));
  const root = sqrtmDenmanBeavers(prod);
  const want = root.reduce((s, row, i) => s + row[i]!, 0);
  const got = traceSqrtProduct(Float64Array.from(c1.flat()), Float64Array.from(c2.flat()), d);
  close(got, want, 1e-9 * want, 'trace sqrt');
});

test('streaming statistics over batches equal the one-shot statistics, even with a large mean', () => {
  const rng = new Rng(5);
  const d = 5;
  const x = rng.normalArray(97 * d).map((v) => Float32Array.of(1e4 + v)[0]!);
  const acc = new FeatureStatsAccumulator(d);
  for (let i = 0; i < 97; i += 10) acc.add(x.subarray(i * d, Math.min(97, i + 10) * d));
  const s = acc.stats();
  const direct = directStats(x, d);
  assert.equal(s.count, 97);
  direct.mean.forEach((m, i) => close(s.mean[i]!, m, 1e-9, `mean ${i}`));
  direct.cov.flat().forEach((c, i) => close(s.cov[i]!, c, 1e-9, `cov ${i}`));
});

test('FID and statistics reject malformed input, naming it', () => {
  assert.throws(() => fid([1, 2, 3], [1, 2, 3, 4], 2), /featsA has 3 values, not a multiple of dim = 2/);
  assert.throws(() => fid([1, 2], [1, 2, 3, 4], 2), /at least 2 feature vectors, got 1/);
  assert.throws(() => new FeatureStatsAccumulator(2).add([1, NaN]), /batch\[0, 1\] = NaN is not finite/);
  const s2 = featureStats([1, 2, 3, 4], 2);
  const s3 = featureStats([1, 2, 3, 4, 5, 6], 3);
  assert.throws(() => frechetDistance(s2, s3), /different dimensions \(2 vs 3\)/);
});

/** A random symmetric matrix Q·diag(λ)·Qᵀ with the given spectrum (Q from a QR of a Gaussian matrix). */
function withSpectrum(lambdas: readonly number[], rng: Rng): Float64Array {
  const n = lambdas.length;
  const q = new QrDecomposition(new Matrix(Array.from({ length: n }, () => Array.from(rng.normalArray(n))))).orthogonalMatrix;
  const m = q.mmul(Matrix.diag(lambdas as number[])).mmul(q.transpose());
  return Float64Array.from({ length: n * n }, (_, i) => {
    const [r, c] = [Math.floor(i / n), i % n];
    return (m.get(r, c) + m.get(c, r)) / 2;
  });
}

test('symmetric eigenvalues match ml-matrix and known spectra (repeated, zero, negative, tiny sizes)', () => {
  const rng = new Rng(8);
  const spectra = [
    [3],
    [1, 2],
    [0, 0, 0, 0, 0],
    [-2, 0.5, 0.5, 0.5, 4, 4, 1e-9, 7, 0, 0],
    Array.from({ length: 40 }, (_, i) => (i % 7) * 0.3 - 0.4),
  ];
  for (const lambdas of spectra) {
    const n = lambdas.length;
    const m = withSpectrum(lambdas, rng);
    const got = symmetricEigenvalues(m, n);
    const want = [...lambdas].sort((a, b) => a - b);
    got.forEach((v, i) => close(v, want[i]!, 1e-12 * (1 + Math.max(...lambdas.map(Math.abs))), `n=${n} λ${i}`));
    const lib = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, r) => Array.from(m.subarray(r * n, (r + 1) * n)))), { assumeSymmetric: true });
    [...lib.realEigenvalues].sort((a, b) => a - b).forEach((v, i) => close(got[i]!, v, 1e-11, `vs ml-matrix n=${n} λ${i}`));
  }
  // A general random symmetric matrix, checked against ml-matrix only.
  const n = 60;
  const g = rng.normalArray(n * n);
  const sym = Float64Array.from({ length: n * n }, (_, i) => g[i]! + g[(i % n) * n + Math.floor(i / n)]!);
  const lib = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, r) => Array.from(sym.subarray(r * n, (r + 1) * n)))), { assumeSymmetric: true });
  const want = [...lib.realEigenvalues].sort((a, b) => a - b);
  symmetricEigenvalues(sym, n).forEach((v, i) => close(v, want[i]!, 1e-10, `random λ${i}`));
});

test('pivoted Cholesky reveals the rank of a singular covariance and reconstructs it', () => {
  const rng = new Rng(9);
  const n = 12;
  const m = withSpectrum([5, 3, 2, 1, 0.5, 0, 0, 0, 0, 0, 0, 0], rng);
  const { factor, perm, rank } = pivotedCholesky(m, n);
  assert.equal(rank, 5);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += factor[a * n + k]! * factor[b * n + k]!;
      close(s, m[perm[a]! * n + perm[b]!]!, 1e-12, `(${a}, ${b})`);
    }
  }
  assert.equal(pivotedCholesky(new Float64Array(9), 3).rank, 0);
});

test('the trace of (C1C2)^½ matches the eigen-decomposition route C1^½ C2 C1^½ (ml-matrix), also for singular C1 and C2', () => {
  const rng = new Rng(10);
  const d = 25;
  for (const [r1, r2] of [[25, 25], [10, 25], [25, 6], [8, 8]] as const) {
    const c1 = withSpectrum(Array.from({ length: d }, (_, i) => (i < r1 ? 0.1 + rng.next() * 3 : 0)), rng);
    const c2 = withSpectrum(Array.from({ length: d }, (_, i) => (i < r2 ? 0.1 + rng.next() * 3 : 0)), rng);
    const mat = (x: Float64Array): Matrix => new Matrix(Array.from({ length: d }, (_, r) => Array.from(x.subarray(r * d, (r + 1) * d))));
    const e1 = new EigenvalueDecomposition(mat(c1), { assumeSymmetric: true });
    const v = e1.eigenvectorMatrix;
    // Eigenvalues at rounding level are set to 0: their square roots (~1e-8) would add a bias.
    const sqrtClean = (ls: number[]): number[] => ls.map((l) => (l > 1e-12 * Math.max(...ls) ? Math.sqrt(l) : 0));
    const root = v.mmul(Matrix.diag(sqrtClean(e1.realEigenvalues))).mmul(v.transpose());
    const inner = root.mmul(mat(c2)).mmul(root);
    const e2 = new EigenvalueDecomposition(inner.add(inner.transpose()).mul(0.5), { assumeSymmetric: true });
    const want = sqrtClean(e2.realEigenvalues).reduce((t, x) => t + x, 0);
    close(traceSqrtProduct(c1, c2, d), want, 1e-9 * want, `ranks ${r1}, ${r2}`);
  }
});
