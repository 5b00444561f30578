import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { BatchNorm } from './batch-norm.js';
import { ConditionalBatchNorm } from './conditional-batch-norm.js';
import { Conv1d } from './conv1d.js';
import { Conv2d } from './conv2d.js';
import { ConvTranspose2d } from './conv-transpose2d.js';
import { conv2dFans, deconv2dFans, initStd, linearFans } from './init.js';
import { LayerNorm } from './layer-norm.js';
import { Linear } from './linear.js';

function stats(t: Tensor): { mean: number; std: number; maxAbs: number } {
  const v = t.value!;
  let s = 0;
  let s2 = 0;
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    s += v[i]!;
    s2 += v[i]! * v[i]!;
    m = Math.max(m, Math.abs(v[i]!));
  }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(s2 / v.length - mean * mean), maxAbs: m };
}

/** Uniform U[−σ√3, σ√3]: bounded by σ√3, standard deviation σ (within 2%), nearly touching the bound. */
function assertUniformStd(t: Tensor, sigma: number, what: string): void {
  const { mean, std, maxAbs } = stats(t);
  const bound = sigma * Math.sqrt(3);
  assert.ok(maxAbs <= bound * (1 + 1e-6), `${what}: max |w| ${maxAbs} exceeds σ√3 = ${bound}`);
  assert.ok(maxAbs > bound * 0.99, `${what}: max |w| ${maxAbs} does not reach σ√3 = ${bound}: not U[−σ√3, σ√3]`);
  assert.ok(Math.abs(std / sigma - 1) < 0.02, `${what}: std ${std} vs σ ${sigma}`);
  assert.ok(Math.abs(mean) < sigma * 0.02, `${what}: mean ${mean}`);
}

const allZero = (t: Tensor): boolean => Array.from(t.value!).every((v) => v === 0);
const allOne = (t: Tensor): boolean => Array.from(t.value!).every((v) => v === 1);

describe('tflib initialisers', () => {
  test('Linear: glorot (default) σ = √(2/(in+out)), he σ = √(2/in), biases 0', () => {
    const g = new Linear(400, 600, { rng: new Rng(1) });
    assertUniformStd(g.weight, Math.sqrt(2 / 1000), 'Linear glorot');
    assert.ok(allZero(g.bias!));
    const h = new Linear(400, 600, { init: 'he', rng: new Rng(2) });
    assertUniformStd(h.weight, Math.sqrt(2 / 400), 'Linear he');
    const l = new Linear(400, 600, { init: 'lecun', rng: new Rng(3) });
    assertUniformStd(l.weight, Math.sqrt(1 / 400), 'Linear lecun');
  });

  test('Conv2d: he_init σ = √(4/(fan_in+fan_out)) with fan_out divided by stride², glorot √(2/…)', () => {
    // fan_in = 64·25 = 1600, fan_out = 128·25/4 = 800.
    const c = new Conv2d(64, 128, 5, { stride: 2, rng: new Rng(4) });
    assert.deepEqual(c.weight.shape, [128, 64, 5, 5]);
    assertUniformStd(c.weight, Math.sqrt(4 / 2400), 'Conv2d he stride 2');
    assert.ok(allZero(c.bias!));
    const g = new Conv2d(64, 128, 5, { stride: 2, init: 'glorot', rng: new Rng(5) });
    assertUniformStd(g.weight, Math.sqrt(2 / 2400), 'Conv2d glorot');
    const s1 = new Conv2d(64, 128, 5, { rng: new Rng(6) });
    assertUniformStd(s1.weight, Math.sqrt(4 / (1600 + 3200)), 'Conv2d he stride 1');
  });

  test('ConvTranspose2d: fan_in = in·k²/4, fan_out = out·k², weight [in, out, k, k]', () => {
    const d = new ConvTranspose2d(128, 64, 5, { rng: new Rng(7) });
    assert.deepEqual(d.weight.shape, [128, 64, 5, 5]);
    assertUniformStd(d.weight, Math.sqrt(4 / (800 + 1600)), 'Deconv2D he');
    assert.equal(initStd('he', deconv2dFans(128, 64, 5), true), Math.sqrt(4 / 2400));
  });

  test('Conv1d: fan_in = in·k, fan_out = out·k/stride', () => {
    const c = new Conv1d(256, 512, 5, { rng: new Rng(8) });
    assert.deepEqual(c.weight.shape, [512, 256, 5]);
    assertUniformStd(c.weight, Math.sqrt(4 / (1280 + 2560)), 'Conv1D he');
    const s2 = new Conv1d(256, 512, 5, { stride: 2, init: 'glorot', rng: new Rng(9) });
    assertUniformStd(s2.weight, Math.sqrt(2 / (1280 + 1280)), 'Conv1D glorot stride 2');
  });

  test('fixed σ: { uniform: 0.02 } is tflib set_weights_stdev, { normal: 0.02 } a Gaussian', () => {
    const u = new Conv2d(64, 128, 5, { init: { uniform: 0.02 }, rng: new Rng(10) });
    assertUniformStd(u.weight, 0.02, 'uniform 0.02');
    const n = new Conv2d(64, 128, 5, { init: { normal: 0.02 }, rng: new Rng(11) });
    const s = stats(n.weight);
    assert.ok(Math.abs(s.std / 0.02 - 1) < 0.02, `normal std ${s.std}`);
    assert.ok(s.maxAbs > 0.02 * Math.sqrt(3) * 1.5, 'a Gaussian has tails beyond the uniform bound');
  });

  test('norm layers start at gamma 1, beta 0', () => {
    for (const m of [new BatchNorm(16), new LayerNorm(16), new ConditionalBatchNorm(10, 16)]) {
      assert.ok(allOne(m.gamma!), `${m.typeName()} gamma`);
      assert.ok(allZero(m.beta!), `${m.typeName()} beta`);
    }
  });

  test('seeded and reproducible; resetParameters redraws in place', () => {
    const a = new Linear(8, 4, { rng: new Rng(42) });
    const b = new Linear(8, 4, { rng: new Rng(42) });
    const c = new Linear(8, 4, { rng: new Rng(43) });
    assert.deepEqual(Array.from(a.weight.value!), Array.from(b.weight.value!));
    assert.notDeepEqual(Array.from(a.weight.value!), Array.from(c.weight.value!));
    const w = a.weight;
    a.resetParameters(new Rng(43));
    assert.equal(a.weight, w, 'the parameter tensor keeps its identity');
    assert.deepEqual(Array.from(a.weight.value!), Array.from(c.weight.value!));
  });

  test('fan helpers and argument checks name the layer', () => {
    assert.deepEqual(conv2dFans(1, 64, 5, 2), { fanIn: 25, fanOut: 400 });
    assert.equal(initStd('glorot', linearFans(2, 512)), Math.sqrt(2 / 514));
    assert.throws(() => new Conv2d(3, 8, 3, { init: 'lecun' }), /Conv2d: init must be 'he', 'glorot'/);
    assert.throws(() => new Linear(3, 8, { init: 'kaiming' as never }), /Linear: init must be/);
    assert.throws(() => new Linear(0, 8), /Linear: inFeatures must be a positive integer, got 0/);
    assert.throws(() => new Conv2d(3, 8, 3, { stride: 1.5 }), /Conv2d: stride must be a positive integer/);
  });
});
