/**
 * The §5.1 random-architecture family: depth 4 is gan_cifar.py's DCGAN pair (same parameter
 * counts), deeper members add stride-1 3×3 layers spread over the resolutions, the critic's
 * normalization follows the loss, each Table 1 nonlinearity is what it says, and every member maps
 * noise to 32×32 images and images to one score per sample.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BatchNorm } from '../../nn/batch-norm.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { referenceBackend } from '../../backends/reference/reference-backend.js';
import { Rng } from '../../tensor/random.js';
import { realize, setBackend, tensor } from '../../tensor/tensor.js';
import { ARCH_DEPTHS, ARCH_NONLINEARITIES, archActivation, createArch32, extraLayers, type ArchChoice } from './arch32.js';
import { createCifarDcgan } from './cifar-dcgan.js';

const conv = (i: number, o: number, k: number): number => i * o * k * k + o;
const choice = (c: Partial<ArchChoice> = {}): ArchChoice => ({ nonlinearity: 'relu', depth: 4, norm: false, dim: 8, ...c });

describe('§5.1 random-architecture family (arch32)', () => {
  test('depth 4 is the gan_cifar.py DCGAN pair: the same parameter counts', () => {
    const { generator, critic } = createArch32({ generator: choice({ norm: true, dim: 16 }), critic: choice({ dim: 16 }), loss: 'wgan-gp', rng: new Rng(1) });
    const dcgan = createCifarDcgan({ dim: 16, loss: 'wgan-gp', rng: new Rng(1) });
    assert.equal(generator.numParameters(), dcgan.generator.numParameters());
    assert.equal(critic.numParameters(), dcgan.critic.numParameters());
  });

  test('each extra layer is a 3×3 conv at one of the three resolutions, round-robin', () => {
    assert.deepEqual(ARCH_DEPTHS.map(extraLayers), [[0, 0, 0], [2, 1, 1], [3, 3, 2], [6, 5, 5]]);
    const d = 8;
    const g4 = createArch32({ generator: choice(), critic: choice(), loss: 'gan', rng: new Rng(1) }).generator.numParameters();
    const g8 = createArch32({ generator: choice({ depth: 8 }), critic: choice(), loss: 'gan', rng: new Rng(1) }).generator.numParameters();
    // Depth 8 adds two layers at 4×4 (4·DIM channels), one at 8×8 (2·DIM), one at 16×16 (DIM).
    assert.equal(g8 - g4, 2 * conv(4 * d, 4 * d, 3) + conv(2 * d, 2 * d, 3) + conv(d, d, 3));
  });

  test("the critic's normalization is layer norm under wgan-gp, batch norm under gan, none when off", () => {
    const kinds = (loss: 'wgan-gp' | 'gan', norm: boolean): string[] =>
      createArch32({ generator: choice(), critic: choice({ depth: 8, norm }), loss, rng: new Rng(1) })
        .critic.namedModules()
        .flatMap(([, m]) => (m instanceof LayerNorm ? ['layer'] : m instanceof BatchNorm ? ['batch'] : []));
    assert.deepEqual(kinds('wgan-gp', true), Array(2 + 4).fill('layer'));
    assert.deepEqual(kinds('gan', true), Array(2 + 4).fill('batch'));
    assert.deepEqual(kinds('wgan-gp', false), []);
  });

  test('the nonlinearities of Table 1, softplus(2x+2)/2 − 1 included', async () => {
    setBackend(referenceBackend());
    const xs = [-2, -0.5, 0, 0.5, 2];
    const want: Record<string, (x: number) => number> = {
      relu: (x) => Math.max(0, x),
      leakyrelu: (x) => (x > 0 ? x : 0.2 * x),
      softplus: (x) => Math.log1p(Math.exp(2 * x + 2)) / 2 - 1,
      tanh: Math.tanh,
    };
    for (const name of ARCH_NONLINEARITIES) {
      const y = archActivation(name)(tensor(Float32Array.from(xs), [5]));
      await realize([y]);
      for (let i = 0; i < xs.length; i++) assert.ok(Math.abs(y.value![i]! - want[name]!(xs[i]!)) < 1e-5, `${name}(${xs[i]})`);
    }
    assert.throws(() => archActivation('elu' as never), /nonlinearity must be one of relu, leakyrelu, softplus, tanh, got "elu"/);
  });

  test('every member maps noise [B, 128] to images [B, 3, 32, 32] in [−1, 1] and images to scores [B]', async () => {
    setBackend(referenceBackend());
    const rng = new Rng(3);
    for (const [g, d] of [[choice({ nonlinearity: 'tanh', depth: 5, norm: true, dim: 2 }), choice({ nonlinearity: 'softplus', depth: 6, norm: true, dim: 2 })]] as const) {
      const { generator, critic } = createArch32({ generator: g, critic: d, loss: 'wgan-gp', rng });
      const x = generator.forward(rng.normal([2, 128]));
      const s = critic.forward(x);
      await realize([x, s]);
      assert.deepEqual([x.shape, s.shape], [[2, 3, 32, 32], [2]]);
      assert.ok(x.value!.every((v) => v >= -1 && v <= 1));
      assert.ok(s.value!.every(Number.isFinite));
    }
    assert.throws(() => createArch32({ generator: choice({ depth: 3 }), critic: choice(), loss: 'gan' }), /Arch32Generator: depth must be an integer >= 4, got 3/);
  });
});
