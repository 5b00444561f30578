import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng } from '../tensor/random.js';
import { jsDivergence, NgramCounts, NgramReference } from './ngram.js';

/** JS divergence in bits straight from the definition ½ KL(P‖M) + ½ KL(Q‖M), M = (P + Q)/2. */
function jsByDefinition(p: Map<string, number>, q: Map<string, number>): number {
  const keys = new Set([...p.keys(), ...q.keys()]);
  let kl = 0;
  for (const k of keys) {
    const a = p.get(k) ?? 0;
    const b = q.get(k) ?? 0;
    const m = (a + b) / 2;
    if (a > 0) kl += 0.5 * a * Math.log2(a / m);
    if (b > 0) kl += 0.5 * b * Math.log2(b / m);
  }
  return kl;
}

/** The n-gram distribution of lines as the reference computes it (tuples inside each line). */
function distribution(lines: number[][], n: number): Map<string, number> {
  const c = new Map<string, number>();
  let total = 0;
  for (const l of lines) {
    for (let i = 0; i + n <= l.length; i++) {
      const k = l.slice(i, i + n).join(',');
      c.set(k, (c.get(k) ?? 0) + 1);
      total++;
    }
  }
  for (const [k, v] of c) c.set(k, v / total);
  return c;
}

describe('NgramCounts', () => {
  test('n-grams are counted inside each line, padding included, none across lines', () => {
    // two lines of 3: [1 2 0] [2 0 0] (0 standing for padding here)
    const c = new NgramCounts([1, 2, 0, 2, 0, 0], 3, 2, 3);
    assert.equal(c.total, 4); // 2 bigrams per line
    assert.equal(c.probability([2, 0]), 0.5);
    assert.equal(c.probability([1, 2]), 0.25);
    assert.equal(c.probability([0, 0]), 0.25);
    assert.equal(c.probability([0, 2]), 0, 'the pair across the line break is not an n-gram');
  });

  test('ids beyond the vocabulary and lines shorter than n are refused', () => {
    assert.throws(() => new NgramCounts([0, 5], 2, 1, 5), /id 5 at 1 is not in \[0, 5\)/);
    assert.throws(() => new NgramCounts([0, 1], 2, 3, 5), /n = 3 is longer than a line/);
    assert.throws(() => new NgramCounts([0, 1, 2], 2, 1, 5), /not a whole number of 2-symbol lines/);
  });
});

describe('jsDivergence (bits)', () => {
  test('identical distributions: 0', () => {
    const a = new NgramCounts([1, 2, 3, 1, 2, 3], 3, 2, 4);
    const b = new NgramCounts([1, 2, 3], 3, 2, 4);
    assert.ok(Math.abs(jsDivergence(a, b)) < 1e-12);
  });

  test('disjoint supports: exactly 1', () => {
    const a = new NgramCounts([1, 1, 2, 2], 2, 1, 5);
    const b = new NgramCounts([3, 4, 4, 4], 2, 1, 5);
    assert.equal(jsDivergence(a, b), 1);
    assert.equal(jsDivergence(b, a), 1);
  });

  test('hand case: unigrams of [a a b] vs [a b c] give ½·log₂(4/3)', () => {
    // M = (1/2, 1/3, 1/6); KL(P‖M) = ⅔ log₂(4/3); KL(Q‖M) = ⅓ log₂(2/3) + ⅓; JS = ½ (sum) = ½ log₂(4/3)
    const p = new NgramCounts([0, 0, 1], 3, 1, 3);
    const q = new NgramCounts([0, 1, 2], 3, 1, 3);
    assert.ok(Math.abs(jsDivergence(p, q) - 0.5 * Math.log2(4 / 3)) < 1e-15);
  });

  test('matches the definition on random lines for n = 1..4, both argument orders', () => {
    const rng = new Rng(7);
    const L = 6;
    const lines = (m: number, skew: number): number[][] =>
      Array.from({ length: m }, () => Array.from({ length: L }, () => Math.min(4, Math.floor(rng.next() ** skew * 5))));
    const A = lines(40, 1);
    const B = lines(7, 2);
    for (const n of [1, 2, 3, 4]) {
      const p = new NgramCounts(A.flat(), L, n, 5);
      const q = new NgramCounts(B.flat(), L, n, 5);
      const expected = jsByDefinition(distribution(A, n), distribution(B, n));
      assert.ok(Math.abs(jsDivergence(p, q) - expected) < 1e-12, `n = ${n}: ${jsDivergence(p, q)} vs ${expected}`);
      assert.ok(Math.abs(jsDivergence(q, p) - expected) < 1e-12);
    }
  });

  test('string keys (vocabSize^n beyond 2^53) give the same value as numeric keys', () => {
    const ids = [1, 2, 3, 2, 1, 3, 3, 3];
    const other = [3, 2, 1, 1, 2, 3, 1, 1];
    const small = jsDivergence(new NgramCounts(ids, 4, 4, 10), new NgramCounts(other, 4, 4, 10));
    const big = jsDivergence(new NgramCounts(ids, 4, 4, 65536), new NgramCounts(other, 4, 4, 65536));
    assert.ok(new NgramCounts(ids, 4, 4, 65536).counts.keys().next().value!.constructor === String);
    assert.equal(big, small);
  });

  test('different orders or vocabularies are not compared', () => {
    assert.throws(() => jsDivergence(new NgramCounts([1, 2], 2, 1, 3), new NgramCounts([1, 2], 2, 2, 3)), /1-grams over 3 ids with 2-grams/);
  });
});

describe('NgramReference', () => {
  test('scores samples against the precomputed data for n = 1..4 as pairwise jsDivergence does', () => {
    const rng = new Rng(3);
    const L = 8;
    const V = 6;
    const data = Int32Array.from({ length: 500 * L }, () => rng.int(V));
    const samples = Int32Array.from({ length: 20 * L }, () => rng.int(3));
    const ref = new NgramReference(data, L, V);
    const js = ref.js(samples);
    assert.equal(js.length, 4);
    for (let i = 0; i < 4; i++) {
      const n = i + 1;
      assert.equal(js[i], jsDivergence(new NgramCounts(samples, L, n, V), new NgramCounts(data, L, n, V)));
    }
    assert.ok(js[0]! < js[1]! && js[1]! < js[2]! && js[2]! < js[3]!, `longer n-grams diverge more: ${js.join(', ')}`);
    assert.deepEqual(Object.keys(ref.jsByOrder(samples)), ['js1', 'js2', 'js3', 'js4']);
    assert.ok(ref.js(data.subarray(0, 100 * L)).every((v) => v < 0.5), 'a sample of the data itself is close');
  });
});
