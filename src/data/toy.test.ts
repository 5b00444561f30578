import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng } from '../tensor/random.js';
import {
  eightGaussians,
  fixedGeneratorSample,
  swissRoll,
  toyDataset,
  TOY_DATASETS,
  twentyFiveGaussians,
  type ToyModes,
} from './toy.js';

/** For each point, the index of its nearest centre and the offset from it. */
function assign(points: Float32Array, modes: ToyModes): { idx: number[]; dx: number[]; dy: number[] } {
  const idx: number[] = [];
  const dx: number[] = [];
  const dy: number[] = [];
  for (let i = 0; i < points.length / 2; i++) {
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    let best = 0;
    let bestD = Infinity;
    modes.centres.forEach(([cx, cy], k) => {
      const d = (x - cx) ** 2 + (y - cy) ** 2;
      if (d < bestD) [bestD, best] = [d, k];
    });
    idx.push(best);
    dx.push(x - modes.centres[best]![0]);
    dy.push(y - modes.centres[best]![1]);
  }
  return { idx, dx, dy };
}

const rms = (v: number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);

describe('8 Gaussians', () => {
  test('has the reference modes after the ÷1.414: radius 2/1.414 and std 0.02/1.414', () => {
    const { modes } = eightGaussians();
    assert.ok(modes);
    assert.equal(modes.centres.length, 8);
    for (const [x, y] of modes.centres) assert.ok(Math.abs(Math.hypot(x, y) - 2 / 1.414) < 1e-12);
    assert.ok(Math.abs(modes.std - 0.02 / 1.414) < 1e-15);
    assert.deepEqual(modes.centres[0], [2 / 1.414, 0]);
  });

  test('samples sit around the 8 centres with the stated std, each centre equally likely', () => {
    const data = eightGaussians();
    const pts = data.sample(8000, new Rng(1));
    assert.equal(pts.length, 16000);
    const { idx, dx, dy } = assign(pts, data.modes!);
    const std = data.modes!.std;
    assert.ok(Math.abs(rms(dx) / std - 1) < 0.05, `x std ${rms(dx)} vs ${std}`);
    assert.ok(Math.abs(rms(dy) / std - 1) < 0.05, `y std ${rms(dy)} vs ${std}`);
    assert.ok(dx.every((v, i) => Math.hypot(v, dy[i]!) < 6 * std));
    const counts = new Array<number>(8).fill(0);
    for (const k of idx) counts[k]!++;
    for (const c of counts) assert.ok(c > 850 && c < 1150, `centre counts ${counts.join(',')}`);
  });

  test('is deterministic given the Rng seed', () => {
    const a = eightGaussians().sample(100, new Rng(7));
    const b = eightGaussians().sample(100, new Rng(7));
    const c = eightGaussians().sample(100, new Rng(8));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });
});

describe('25 Gaussians', () => {
  test('has centres 2·{−2..2}²/2.828 and std 0.05/2.828', () => {
    const { modes } = twentyFiveGaussians();
    assert.ok(modes);
    assert.equal(modes.centres.length, 25);
    const xs = [...new Set(modes.centres.map((c) => c[0]))].sort((a, b) => a - b);
    assert.deepEqual(xs, [-4, -2, 0, 2, 4].map((v) => v / 2.828));
    assert.ok(Math.abs(modes.std - 0.05 / 2.828) < 1e-15);
  });

  test('the pool holds exactly poolSize/25 points per centre, with the stated std, shuffled', () => {
    const data = twentyFiveGaussians({ seed: 3, poolSize: 5000 });
    const pool = data.sample(5000, new Rng(0));
    const { idx, dx, dy } = assign(pool, data.modes!);
    const counts = new Array<number>(25).fill(0);
    for (const k of idx) counts[k]!++;
    assert.deepEqual(counts, new Array<number>(25).fill(200));
    const std = data.modes!.std;
    assert.ok(Math.abs(rms(dx) / std - 1) < 0.06);
    assert.ok(Math.abs(rms(dy) / std - 1) < 0.06);
    // Shuffled: the first 25 points are not the generation order (one point per centre, in order).
    const first = idx.slice(0, 25);
    assert.notDeepEqual(first, Array.from({ length: 25 }, (_, i) => i));
    assert.ok(new Set(idx.slice(0, 100)).size > 15);
  });

  test('serves consecutive batches, restarts at the start when a batch would run past the end', () => {
    const data = twentyFiveGaussians({ seed: 5, poolSize: 100 });
    const rng = new Rng(0);
    const b1 = data.sample(30, rng);
    const b2 = data.sample(30, rng);
    assert.notDeepEqual(b1, b2);
    assert.deepEqual(data.state(), { cursor: 60 });
    data.sample(30, rng);
    assert.deepEqual(data.state(), { cursor: 90 });
    // 90 + 30 > 100: the remainder is dropped and the pass restarts, as in gan_toy.py.
    assert.deepEqual(data.sample(30, rng), b1);
    assert.deepEqual(data.sample(30, rng), b2);
  });

  test('state/restore resumes the stream exactly; the pool depends only on the seed', () => {
    const a = twentyFiveGaussians({ seed: 9, poolSize: 1000 });
    a.sample(256, new Rng(0));
    const saved = a.state();
    const next = a.sample(256, new Rng(0));
    const b = twentyFiveGaussians({ seed: 9, poolSize: 1000 });
    b.restore(saved);
    assert.deepEqual(b.sample(256, new Rng(123)), next);
    const c = twentyFiveGaussians({ seed: 10, poolSize: 1000 });
    c.restore(saved);
    assert.notDeepEqual(c.sample(256, new Rng(0)), next);
    assert.throws(() => b.restore({ cursor: -1 }), /cursor/);
    assert.throws(() => b.sample(2000, new Rng(0)), /exceeds the pool/);
  });
});

describe('Swiss roll', () => {
  test('lies on the sklearn spiral (t cos t, t sin t)/7.5, t in [1.5π, 4.5π], with noise 0.25/7.5', () => {
    const data = swissRoll();
    assert.equal(data.modes, undefined);
    const n = 1000;
    const pts = data.sample(n, new Rng(2));
    const steps = 3000;
    const curve: [number, number][] = [];
    for (let s = 0; s <= steps; s++) {
      const t = 1.5 * Math.PI * (1 + (2 * s) / steps);
      curve.push([(t * Math.cos(t)) / 7.5, (t * Math.sin(t)) / 7.5]);
    }
    const dists: number[] = [];
    let sumR = 0;
    for (let i = 0; i < n; i++) {
      const x = pts[2 * i]!;
      const y = pts[2 * i + 1]!;
      sumR += Math.hypot(x, y) * 7.5;
      let best = Infinity;
      for (const [cx, cy] of curve) best = Math.min(best, (x - cx) ** 2 + (y - cy) ** 2);
      dists.push(Math.sqrt(best) * 7.5);
    }
    // Distance to the curve ~ |normal component| of N(0, 0.25²I): RMS ≈ 0.25 (a bit less near turns).
    const r = rms(dists);
    assert.ok(r > 0.18 && r < 0.27, `RMS distance to the spiral ${r}`);
    // Mean radius ≈ mean t = 3π (uniform t), plus a small noise bias.
    assert.ok(Math.abs(sumR / n - 3 * Math.PI) < 0.35, `mean radius ${sumR / n}`);
  });
});

describe('toyDataset and FIXED_GENERATOR', () => {
  test('toyDataset builds each dataset by name and rejects unknown names', () => {
    for (const name of TOY_DATASETS) assert.equal(toyDataset(name).name, name);
    assert.throws(() => toyDataset('moons' as never), /unknown dataset 'moons'/);
  });

  test('fixedGeneratorSample adds unit Gaussian noise to the real data and leaves it unchanged', () => {
    const real = eightGaussians().sample(5000, new Rng(4));
    const copy = real.slice();
    const fake = fixedGeneratorSample(real, new Rng(5));
    assert.deepEqual(real, copy);
    const diff = Array.from(fake, (v, i) => v - real[i]!);
    const mean = diff.reduce((s, v) => s + v, 0) / diff.length;
    assert.ok(Math.abs(mean) < 0.05);
    assert.ok(Math.abs(rms(diff) - 1) < 0.03);
  });
});
