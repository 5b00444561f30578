import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eightGaussians, twentyFiveGaussians } from '../data/toy.js';
import { Rng } from '../tensor/random.js';
import { linearAssignment } from './assignment.js';
import { energyDistance, modeCoverage, wasserstein1 } from './toy.js';

const square = { centres: [[0, 0], [1, 0], [0, 1], [1, 1]], std: 0.01 };

describe('modeCoverage', () => {
  test('counts every mode when each has an on-mode sample', () => {
    const pts = [0, 0, 1.02, 0, 0, 0.99, 1, 1, 0.005, 0.005];
    const m = modeCoverage(pts, square);
    assert.deepEqual(m, { modesCaptured: 4, totalModes: 4, highQuality: 5, highQualityFraction: 1, perMode: [2, 1, 1, 1] });
  });

  test('counts only the modes that have a high-quality sample', () => {
    const pts = [0, 0, 0.01, 0.01, 1, 1];
    const m = modeCoverage(pts, square);
    assert.equal(m.modesCaptured, 2);
    assert.deepEqual(m.perMode, [2, 0, 0, 1]);
  });

  test('off-mode points are neither high-quality nor capture their nearest mode', () => {
    // 0.031 > 3σ from (1, 0); the midpoint of the square is far from all; NaN never counts.
    const pts = [1.031, 0, 0.5, 0.5, 0, 0.029, Number.NaN, 0];
    const m = modeCoverage(pts, square);
    assert.equal(m.highQuality, 1);
    assert.equal(m.highQualityFraction, 0.25);
    assert.equal(m.modesCaptured, 1);
    assert.deepEqual(m.perMode, [1, 0, 0, 0]);
    assert.equal(modeCoverage(pts, square, { threshold: 4 }).highQuality, 2);
  });

  test('real 8- and 25-Gaussian data capture all modes with ~99.7% (2-D: 98.9%) high-quality samples', () => {
    // Within 3σ in 2-D Euclidean distance: 1 − exp(−9/2) = 0.9889 of an isotropic Gaussian.
    for (const data of [eightGaussians(), twentyFiveGaussians({ poolSize: 2500 })]) {
      const m = modeCoverage(data.sample(2500, new Rng(1)), data.modes!);
      assert.equal(m.modesCaptured, m.totalModes);
      assert.ok(Math.abs(m.highQualityFraction - 0.9889) < 0.01, `${data.name}: ${m.highQualityFraction}`);
    }
  });

  test('rejects malformed input with the argument named', () => {
    assert.throws(() => modeCoverage([0, 0, 1], square), /not a multiple/);
    assert.throws(() => modeCoverage([0, 0], { centres: [], std: 1 }), /centres is empty/);
    assert.throws(() => modeCoverage([0, 0], { centres: [[0, 0]], std: 0 }), /std must be positive/);
  });
});

describe('energyDistance', () => {
  test('is 0 for a set against itself and grows with a shift', () => {
    const rng = new Rng(2);
    const a = rng.normalArray(600);
    assert.equal(energyDistance(a, a), 0);
    const small = energyDistance(a, a.map((v, i) => (i % 2 ? v : v + 0.5)));
    const large = energyDistance(a, a.map((v, i) => (i % 2 ? v : v + 2)));
    assert.ok(small > 0.05 && large > small, `${small} ${large}`);
  });

  test('matches a hand computation: one point vs one point at distance d is 2d', () => {
    assert.ok(Math.abs(energyDistance([0, 0], [3, 4]) - 10) < 1e-12);
    // a = {0, 2}, b = {1} in 1-D: 2·1 − (0+2+2+0)/4 − 0 = 1.
    assert.ok(Math.abs(energyDistance([0, 2], [1], 1) - 1) < 1e-12);
  });
});

/** Brute-force minimum over all permutations, for tiny problems. */
function bruteAssignment(c: number[], n: number): number {
  let best = Infinity;
  const perm = Array.from({ length: n }, (_, i) => i);
  const rec = (k: number, s: number): void => {
    if (k === n) {
      best = Math.min(best, s);
      return;
    }
    for (let i = k; i < n; i++) {
      [perm[k], perm[i]] = [perm[i]!, perm[k]!];
      rec(k + 1, s + c[k * n + perm[k]!]!);
      [perm[k], perm[i]] = [perm[i]!, perm[k]!];
    }
  };
  rec(0, 0);
  return best;
}

describe('linearAssignment', () => {
  test('matches brute force on random small problems, including many tied costs', () => {
    const rng = new Rng(3);
    for (let t = 0; t < 300; t++) {
      const n = 1 + rng.int(7);
      const c = Array.from({ length: n * n }, () => (rng.int(3) === 0 ? rng.int(3) : rng.next() * 10 - 3));
      const r = linearAssignment(c, n);
      assert.ok(Math.abs(r.cost - bruteAssignment(c, n)) < 1e-9, `trial ${t}`);
      assert.equal(new Set(r.rowToCol).size, n, 'a permutation');
      assert.ok(Math.abs(r.cost - Array.from(r.rowToCol, (j, i) => c[i * n + j]!).reduce((s, v) => s + v, 0)) < 1e-9);
    }
  });

  test('solves the textbook example and rejects bad input', () => {
    const r = linearAssignment([4, 1, 3, 2, 0, 5, 3, 2, 2], 3);
    assert.equal(r.cost, 5);
    assert.deepEqual([...r.rowToCol], [1, 0, 2]);
    assert.equal(linearAssignment([], 0).cost, 0);
    assert.throws(() => linearAssignment([1, 2, 3], 2), /n·n = 4/);
    assert.throws(() => linearAssignment([1, Number.NaN, 3, 4], 2), /not finite/);
  });
});

describe('wasserstein1', () => {
  test('between a set and its translate by v is exactly |v|', () => {
    const rng = new Rng(4);
    const a = rng.normalArray(2 * 300);
    const b = a.map((x, i) => x + (i % 2 ? 0.4 : -0.3));
    // float32 rounding of b bounds the error, not the solver
    assert.ok(Math.abs(wasserstein1(a, b) - 0.5) < 1e-6);
    assert.ok(Math.abs(wasserstein1(b, a) - 0.5) < 1e-6);
    assert.ok(wasserstein1(a, a) === 0);
  });

  test('matches hand-computed examples', () => {
    // Two points each: crossing would cost 2·√(1+4), matching straight across costs 2·1.
    assert.equal(wasserstein1([0, 0, 2, 0], [2, 1, 0, 1]), 1);
    // 1-D: sorted matching is optimal: {0, 1, 5} vs {2, 3, 4} → (2 + 2 + 1)/3.
    assert.ok(Math.abs(wasserstein1([5, 0, 1], [4, 2, 3], 1) - 5 / 3) < 1e-12);
    // A point mass moved onto a square's corners: mean distance √2/2.
    assert.ok(Math.abs(wasserstein1([0, 0, 0, 0, 0, 0, 0, 0], [0.5, 0.5, -0.5, 0.5, 0.5, -0.5, -0.5, -0.5]) - Math.SQRT1_2) < 1e-12);
    assert.throws(() => wasserstein1([0, 0], [0, 0, 1, 1]), /same number of points/);
  });

  test('agrees with brute force on random 2-D sets and equals 1-D sorted matching', () => {
    const rng = new Rng(5);
    for (let t = 0; t < 20; t++) {
      const a = rng.normalArray(12);
      const b = rng.normalArray(12);
      const c: number[] = [];
      for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) c.push(Math.hypot(a[2 * i]! - b[2 * j]!, a[2 * i + 1]! - b[2 * j + 1]!));
      assert.ok(Math.abs(wasserstein1(a, b) - bruteAssignment(c, 6) / 6) < 1e-9);
    }
    const x = rng.normalArray(400);
    const y = rng.uniformArray(400, -1, 2);
    const xs = Array.from(x).sort((p, q) => p - q);
    const ys = Array.from(y).sort((p, q) => p - q);
    const sorted = xs.reduce((s, v, i) => s + Math.abs(v - ys[i]!), 0) / 400;
    assert.ok(Math.abs(wasserstein1(x, y, 1) - sorted) < 1e-9);
  });

  test('1000 vs 1000 points, one set collapsed onto one mode (the hard case), in a few seconds', () => {
    const rng = new Rng(6);
    const real = eightGaussians().sample(1000, rng);
    const collapsed = real.map((v, i) => (i % 2 ? 0.01 * rng.gauss() : 1.414 + 0.01 * rng.gauss()));
    const w = wasserstein1(real, collapsed);
    // 7 of 8 modes must travel at least to the collapsed mode: the mean of their distances ≈ 1.7.
    assert.ok(w > 1.6 && w < 1.8, `W1 ${w}`);
    assert.ok(wasserstein1(real, eightGaussians().sample(1000, rng)) < 0.2);
  });
});
