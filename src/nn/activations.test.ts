import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as o from '../ops/index.js';
import { Rng } from '../tensor/random.js';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { realize, tensor, type Tensor } from '../tensor/tensor.js';
import { AvgPool2d, ELU, LeakyReLU, LogSoftmax, Softmax, Softplus, UpsampleNearest2d } from './activations.js';
import type { Module } from './module.js';
import { Sequential } from './sequential.js';

async function same(m: Module, f: (x: Tensor) => Tensor, x: Tensor): Promise<void> {
  const [a, b] = [m.forward(x), f(x)];
  await realize([a, b], referenceBackend());
  assert.deepEqual(a.shape, b.shape);
  assert.deepEqual([...a.value!], [...b.value!], m.typeName());
}

describe('activation and pooling modules', () => {
  const x = tensor(new Rng(1).normalArray(2 * 3 * 4 * 4), [2, 3, 4, 4]);
  it('compute their ops', async () => {
    await same(new ELU(0.5), (v) => o.elu(v, 0.5), x);
    await same(new Softplus(), o.softplus, x);
    await same(new Softmax(1), (v) => o.softmax(v, 1), x);
    await same(new LogSoftmax(), (v) => o.logSoftmax(v, -1), x);
    await same(new AvgPool2d(2), (v) => o.avgPool2d(v, 2), x);
    await same(new UpsampleNearest2d([2, 1]), (v) => o.upsampleNearest2d(v, [2, 1]), x);
    const y = new Sequential(new AvgPool2d(2), new UpsampleNearest2d(2)).forward(x);
    assert.deepEqual(y.shape, [2, 3, 4, 4]);
  });
  it('refuse bad hyperparameters at construction, naming the module and the argument', () => {
    assert.throws(() => new ELU(Number.NaN), /ELU: alpha must be a finite number/);
    assert.throws(() => new LeakyReLU(Infinity), /LeakyReLU: alpha must be a finite number/);
    assert.throws(() => new Softmax(0.5), /Softmax: axis must be an integer, got 0.5/);
    assert.throws(() => new AvgPool2d(0), /AvgPool2d: kernel must be a positive integer or a pair of them, got 0/);
    assert.throws(() => new UpsampleNearest2d([2, 1.5] as never), /UpsampleNearest2d: factor/);
  });
});
