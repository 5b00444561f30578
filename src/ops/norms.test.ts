/**
 * Behaviour of the normalization composites: which axes the moments cover, batch statistics always,
 * per-channel parameters, conditional rows by label, and argument errors.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { ortBackend } from '../node.js';
import { Rng } from '../tensor/random.js';
import { realize, tensor, type Backend, type Tensor } from '../tensor/tensor.js';
import * as o from './index.js';

const ref = referenceBackend();
const ort = ortBackend({ threads: 1 });
after(() => ort.dispose?.());
const backends: [string, Backend][] = [
  ['reference', ref],
  ['onnxruntime', ort],
];

async function values(t: Tensor, backend: Backend): Promise<Float64Array> {
  await realize([t], backend);
  return t.data64();
}

/** Mean and biased variance of the entries of `v` selected by `pick(i)`. */
function moments(v: Float64Array, pick: (i: number) => boolean): { mean: number; variance: number } {
  const sel = Array.from(v).filter((_, i) => pick(i));
  const mean = sel.reduce((a, b) => a + b, 0) / sel.length;
  return { mean, variance: sel.reduce((a, b) => a + (b - mean) ** 2, 0) / sel.length };
}

const close = (a: number, b: number, tol = 1e-4): void => assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);

describe('batchNorm', () => {
  for (const [name, backend] of backends) {
    test(`normalizes each channel over [N, H, W], then applies gamma and beta (${name})`, async () => {
      const x = new Rng(1).normal([4, 3, 2, 2], 3, 2);
      const y = await values(o.batchNorm(x, tensor([1, 2, 0.5], [3]), tensor([0, -1, 4], [3])), backend);
      const channel = (i: number): number => Math.floor(i / 4) % 3;
      [[0, 1], [-1, 2], [4, 0.5]].forEach(([beta, gamma], c) => {
        const m = moments(y, (i) => channel(i) === c);
        close(m.mean, beta!);
        close(m.variance, gamma! ** 2, 1e-3); // eps = 1e-5 shrinks the variance by ~eps/var
      });
    });
  }

  test('uses the statistics of the batch it is given (no running averages)', async () => {
    const x = tensor([1, 2, 3, 4], [4, 1]);
    const y = await values(o.batchNorm(x, null, null, { eps: 0 }), ref);
    const s = Math.sqrt(1.25);
    assert.deepEqual(Array.from(y).map((v) => +v.toFixed(6)), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s].map((v) => +v.toFixed(6)));
    const y2 = await values(o.batchNorm(tensor([1, 2, 3, 40], [4, 1]), null, null, { eps: 0 }), ref);
    assert.notEqual(y2[0], y[0]);
  });

  test('refuses a gamma that does not have one value per channel', () => {
    const x = tensor(new Float32Array(2 * 3 * 2 * 2), [2, 3, 2, 2]);
    assert.throws(() => o.batchNorm(x, tensor([1, 1], [2]), null), /batchNorm: gamma \[2\] must have one value per channel of x \[2,3,2,2\]/);
  });
});

describe('layerNorm', () => {
  for (const [name, backend] of backends) {
    test(`normalizes each sample over [C, H, W] with per-channel gamma and beta (${name})`, async () => {
      const x = new Rng(2).normal([3, 2, 2, 2], -1, 3);
      const y = await values(o.layerNorm(x, tensor([2, 2], [2]), tensor([1, 1], [2])), backend);
      for (let n = 0; n < 3; n++) {
        const m = moments(y, (i) => Math.floor(i / 8) === n);
        close(m.mean, 1);
        close(m.variance, 4, 1e-3);
      }
      // per-channel: gamma = [1, 0] zeroes channel 1 of every sample, leaving beta.
      const z = await values(o.layerNorm(x, tensor([1, 0], [2]), tensor([0, 7], [2])), backend);
      z.forEach((v, i) => {
        if (Math.floor(i / 4) % 2 === 1) close(v, 7);
      });
    });
  }
});

describe('conditionalBatchNorm', () => {
  test('equals batch norm followed by the label rows of the scale and offset tables', async () => {
    const rng = new Rng(3);
    const x = rng.normal([4, 2, 2, 2]);
    const labels = tensor([2, 0, 2, 1], [4], 'int32');
    const gammas = tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    const betas = tensor([0, 0.5, 1, 1.5, 2, 2.5], [3, 2]);
    for (const [, backend] of backends) {
      const got = await values(o.conditionalBatchNorm(x, labels, gammas, betas), backend);
      const plain = await values(o.batchNorm(x, null, null), backend);
      got.forEach((v, i) => {
        const n = Math.floor(i / 8);
        const c = Math.floor(i / 4) % 2;
        const row = [2, 0, 2, 1][n]!;
        close(v, plain[i]! * [1, 2, 3, 4, 5, 6][row * 2 + c]! + [0, 0.5, 1, 1.5, 2, 2.5][row * 2 + c]!);
      });
    }
  });

  test('refuses labels that are not int32 [N]', () => {
    const x = tensor(new Float32Array(16), [4, 2, 2, 1]);
    const t = tensor(new Float32Array(6), [3, 2]);
    assert.throws(() => o.conditionalBatchNorm(x, tensor([0, 1, 2, 0], [4]), t, t), /conditionalBatchNorm: labels must be int32 \[4\]/);
    assert.throws(() => o.conditionalBatchNorm(x, tensor([0, 1, 2, 0], [4], 'int32'), tensor(new Float32Array(9), [3, 3]), t), /gammaTable must be \[classes, 2\]/);
  });
});
