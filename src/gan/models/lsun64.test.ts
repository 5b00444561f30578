/**
 * gan_64x64.py zoo: parameter counts of every (G, D) pair derived layer by layer from the reference
 * code, the critic normalization rule (layer norm under wgan-gp, batch norm otherwise), the DCGAN
 * models' fixed σ = 0.02 uniform init, depth_to_space, the gated nonlinearity, and the 101 weight
 * layers of the bottleneck ResNet.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { referenceBackend } from '../../backends/reference/reference-backend.js';
import { BatchNorm } from '../../nn/batch-norm.js';
import { Conv2d } from '../../nn/conv2d.js';
import { ConvTranspose2d } from '../../nn/conv-transpose2d.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Linear } from '../../nn/linear.js';
import type { Module } from '../../nn/module.js';
import { concat } from '../../ops/concat.js';
import { upsampleNearest2d } from '../../ops/upsample-nearest2d.js';
import { Rng } from '../../tensor/random.js';
import { realize, tensor, type Tensor } from '../../tensor/tensor.js';
import {
  BottleneckBlock,
  createLsun64,
  depthToSpace,
  gatedChannels,
  LSUN64_ARCHS,
  Lsun64BottleneckCritic,
  Lsun64BottleneckGenerator,
  Lsun64DcganCritic,
  Lsun64DcganGenerator,
  Lsun64ResBlock,
  type Lsun64Arch,
} from './lsun64.js';

const lin = (i: number, o: number): number => i * o + o;
const conv = (i: number, o: number, k: number, bias = true): number => i * o * k * k + (bias ? o : 0);
const norm = (c: number): number => 2 * c;

const ref = referenceBackend();
async function values(t: Tensor): Promise<number[]> {
  await realize([t], ref);
  return Array.from(t.value!);
}

const D = 64;
// ResidualBlock: N1, Conv1 (no bias), N2, Conv2, 1×1 shortcut. 'up': Conv1 in → out, N2 on out;
// 'down': Conv1 in → in, N2 on in, Conv2 (ConvMeanPool) in → out.
const resUp = (i: number, o: number): number => norm(i) + conv(i, o, 3, false) + norm(o) + conv(o, o, 3) + conv(i, o, 1);
const resDown = (i: number, o: number): number => norm(i) + conv(i, i, 3, false) + norm(i) + conv(i, o, 3) + conv(i, o, 1);
const goodG = lin(128, 4 * 4 * 8 * D) + resUp(8 * D, 8 * D) + resUp(8 * D, 4 * D) + resUp(4 * D, 2 * D) + resUp(2 * D, D) + norm(D) + conv(D, 3, 3);
const goodD = conv(3, D, 3) + resDown(D, 2 * D) + resDown(2 * D, 4 * D) + resDown(4 * D, 8 * D) + resDown(8 * D, 8 * D) + lin(4 * 4 * 8 * D, 1);
const dcganGNoNorm = lin(128, 4 * 4 * 8 * D) + conv(8 * D, 4 * D, 5) + conv(4 * D, 2 * D, 5) + conv(2 * D, D, 5) + conv(D, 3, 5);
const dcganG = dcganGNoNorm + norm(8 * D) + norm(4 * D) + norm(2 * D) + norm(D);
const dcganDNoNorm = conv(3, D, 5) + conv(D, 2 * D, 5) + conv(2 * D, 4 * D, 5) + conv(4 * D, 8 * D, 5) + lin(4 * 4 * 8 * D, 1);
const dcganD = dcganDNoNorm + norm(2 * D) + norm(4 * D) + norm(8 * D);
const constantG = lin(128, 4 * 4 * D) + 3 * conv(D, D, 5) + conv(D, 3, 5);
const mlpG = lin(128, 512) + 3 * lin(512, 512) + lin(512, 64 * 64 * 3);
const gatedG =
  lin(128, 4 * 4 * 8 * D * 2) + norm(16 * D) + conv(8 * D, 8 * D, 5) + norm(8 * D) + conv(4 * D, 4 * D, 5) + norm(4 * D) + conv(2 * D, 2 * D, 5) + norm(2 * D) + conv(D, 3, 5);
const gatedD = conv(3, 2 * D, 5) + conv(D, 4 * D, 5) + norm(4 * D) + conv(2 * D, 8 * D, 5) + norm(8 * D) + conv(4 * D, 16 * D, 5) + norm(16 * D) + lin(4 * 4 * 8 * D, 1);
// BottleneckResidualBlock: 1×1 in → in/2, 3×3 in/2 → out/2, 1×1 → out without bias, norm(out);
// shortcuts: 'up' 1×1 conv to 4·out (SubpixelConv2D), 'down' 1×1 stride-2 conv, none = identity.
const bneck = (i: number, o: number, resample: 'up' | 'down' | null): number =>
  conv(i, i / 2, 1) + conv(i / 2, o / 2, 3) + conv(o / 2, o, 1, false) + norm(o) + (resample === 'up' ? conv(i, 4 * o, 1) : resample === 'down' ? conv(i, o, 1) : 0);
const res101G =
  lin(128, 4 * 4 * 8 * D) +
  6 * bneck(8 * D, 8 * D, null) + bneck(8 * D, 4 * D, 'up') +
  6 * bneck(4 * D, 4 * D, null) + bneck(4 * D, 2 * D, 'up') +
  6 * bneck(2 * D, 2 * D, null) + bneck(2 * D, D, 'up') +
  6 * bneck(D, D, null) + bneck(D, D / 2, 'up') +
  5 * bneck(D / 2, D / 2, null) + conv(D / 2, 3, 1);
const res101D =
  conv(3, D / 2, 1) +
  5 * bneck(D / 2, D / 2, null) + bneck(D / 2, D, 'down') +
  6 * bneck(D, D, null) + bneck(D, 2 * D, 'down') +
  6 * bneck(2 * D, 2 * D, null) + bneck(2 * D, 4 * D, 'down') +
  6 * bneck(4 * D, 4 * D, null) + bneck(4 * D, 8 * D, 'down') +
  6 * bneck(8 * D, 8 * D, null) + lin(4 * 4 * 8 * D, 1);

const EXPECTED: Record<Lsun64Arch, [number, number]> = {
  resnet: [goodG, goodD],
  dcgan: [dcganG, dcganD],
  'constant-filter-g': [constantG, dcganD],
  'mlp-g': [mlpG, dcganD],
  'no-norm': [dcganGNoNorm, dcganDNoNorm],
  gated: [gatedG, gatedD],
  tanh: [dcganG, dcganD],
  'resnet-101': [res101G, res101D],
};

const norms = (m: Module, kind: typeof LayerNorm | typeof BatchNorm): number => m.namedModules().filter(([, x]) => x instanceof kind).length;

describe('gan_64x64.py architecture zoo', () => {
  test('every (G, D) pair has the reference parameter counts at DIM = 64', () => {
    assert.deepEqual(Object.keys(EXPECTED).sort(), Object.keys(LSUN64_ARCHS).sort());
    for (const [arch, [g, d]] of Object.entries(EXPECTED)) {
      const { generator, critic } = createLsun64({ arch: arch as Lsun64Arch, rng: new Rng(1) });
      assert.equal(generator.numParameters(), g, `${arch} generator`);
      assert.equal(critic.numParameters(), d, `${arch} critic`);
    }
    assert.deepEqual([goodG, goodD], [8_540_483, 7_491_841]);
    assert.deepEqual([res101G, res101D], [9_189_587, 7_618_801]);
  });

  test('critic norm: layer norm under wgan-gp, batch norm for other losses, none for no-norm; G always batch norm', () => {
    for (const arch of ['resnet', 'dcgan', 'gated', 'tanh', 'resnet-101'] as const) {
      const gp = createLsun64({ arch, dim: 8, rng: new Rng(1) });
      assert.ok(norms(gp.critic, LayerNorm) > 0 && norms(gp.critic, BatchNorm) === 0, `${arch} wgan-gp critic`);
      assert.ok(norms(gp.generator, BatchNorm) > 0 && norms(gp.generator, LayerNorm) === 0, `${arch} generator`);
      for (const loss of ['wgan', 'gan', 'lsgan'] as const) {
        const c = createLsun64({ arch, dim: 8, loss, rng: new Rng(1) }).critic;
        assert.ok(norms(c, BatchNorm) > 0 && norms(c, LayerNorm) === 0, `${arch} ${loss} critic`);
      }
    }
    const plain = createLsun64({ arch: 'no-norm', dim: 8, rng: new Rng(1) });
    assert.equal(norms(plain.generator, BatchNorm) + norms(plain.critic, BatchNorm) + norms(plain.critic, LayerNorm), 0);
    assert.equal(norms(createLsun64({ arch: 'constant-filter-g', dim: 8, rng: new Rng(1) }).generator, BatchNorm), 0);
    assert.equal(norms(createLsun64({ arch: 'dcgan', dim: 8, criticNorm: 'none', rng: new Rng(1) }).critic, LayerNorm), 0);
    assert.throws(() => createLsun64({ arch: 'no-norm', criticNorm: 'layer' }), /no-norm.*criticNorm "layer"/);
  });

  test('DCGAN models draw every weight from U(±0.02·√3); the others keep the fan-based tflib rules', () => {
    const G = new Lsun64DcganGenerator({ rng: new Rng(3) });
    const Dc = new Lsun64DcganCritic({ rng: new Rng(3) });
    const bound = 0.02 * Math.sqrt(3);
    for (const m of [G, Dc]) {
      for (const [name, layer] of m.namedModules()) {
        if (!(layer instanceof Linear || layer instanceof Conv2d || layer instanceof ConvTranspose2d)) continue;
        assert.deepEqual(layer.init, { uniform: 0.02 }, name);
        const w = Array.from(layer.weight.value!);
        const maxAbs = w.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
        const std = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
        assert.ok(maxAbs <= bound && maxAbs > 0.9 * bound, `${name}: max |w| ${maxAbs}`);
        assert.ok(Math.abs(std - 0.02) < 0.002, `${name}: std ${std}`);
      }
    }
    const gated = createLsun64({ arch: 'gated', dim: 8, rng: new Rng(3) });
    const cripple = createLsun64({ arch: 'constant-filter-g', dim: 8, rng: new Rng(3) });
    for (const m of [gated.generator, gated.critic, cripple.generator]) {
      for (const [name, layer] of m.namedModules()) {
        if (layer instanceof Conv2d || layer instanceof ConvTranspose2d) assert.equal(layer.init, 'he', name);
        if (layer instanceof Linear) assert.equal(layer.init, 'glorot', name);
      }
    }
  });

  test('the bottleneck ResNets have 101 weight layers on the main path (shortcuts aside) and resample correctly', () => {
    const G = new Lsun64BottleneckGenerator({ dim: 8, rng: new Rng(1) });
    const Dc = new Lsun64BottleneckCritic({ dim: 8, rng: new Rng(1) });
    for (const m of [G, Dc]) {
      const layers = m.namedModules().filter(([n, x]) => !n.includes('shortcut') && (x instanceof Linear || x instanceof Conv2d || x instanceof ConvTranspose2d));
      assert.equal(layers.length, 101);
      assert.equal(m.blocks.length, 33);
    }
    const up = new BottleneckBlock(8, 4, 'up', { rng: new Rng(1) });
    assert.ok(up.conv1b instanceof ConvTranspose2d && up.conv1b.kernelSize === 3);
    const down = new BottleneckBlock(4, 8, 'down', { rng: new Rng(1) });
    assert.ok(down.conv1b instanceof Conv2d && down.conv1b.stride === 2 && down.shortcut instanceof Conv2d && down.shortcut.stride === 2);
    const x = new Rng(2).normal([2, 8, 4, 4]);
    assert.deepEqual(up.forward(x).shape, [2, 4, 8, 8]);
    assert.deepEqual(down.forward(new Rng(2).normal([2, 4, 8, 8])).shape, [2, 8, 4, 4]);
    assert.equal(new Lsun64ResBlock(4, 8, 'down', { rng: new Rng(1) }).conv1 instanceof Conv2d, true);
    assert.throws(() => new Lsun64BottleneckGenerator({ dim: 6 }), /dim must be a positive integer divisible by 4/);
  });

  test('depthToSpace follows TensorFlow: out[c, 2h+i, 2w+j] = in[(2i+j)·C + c, h, w]; tiled ×4 it is nearest upsampling', async () => {
    const [N, C, H, W] = [2, 3, 2, 3];
    const data = Float64Array.from({ length: N * 4 * C * H * W }, (_, i) => i);
    const x = tensor(data, [N, 4 * C, H, W]);
    const got = await values(depthToSpace(x, 2));
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        for (let y = 0; y < 2 * H; y++) {
          for (let xx = 0; xx < 2 * W; xx++) {
            const [h, i, w, j] = [Math.floor(y / 2), y % 2, Math.floor(xx / 2), xx % 2];
            const want = data[((n * 4 * C + (2 * i + j) * C + c) * H + h) * W + w];
            assert.equal(got[((n * C + c) * 2 * H + y) * 2 * W + xx], want);
          }
        }
      }
    }
    // The reference's UpsampleConv: concat([x, x, x, x], channels) → depth_to_space(2) = nearest 2×.
    const small = new Rng(4).normal([2, 3, 3, 2]);
    assert.deepEqual(await values(depthToSpace(concat([small, small, small, small], 1), 2)), await values(upsampleNearest2d(small, 2)));
    assert.throws(() => depthToSpace(new Rng(1).normal([1, 6, 2, 2]), 2), /depthToSpace: expected \[N, C·4, H, W\]/);
  });

  test('gatedChannels is sigmoid(even channels)·tanh(odd channels)', async () => {
    const x = new Rng(6).normal([2, 4, 1, 2]);
    const xs = await values(x);
    const got = await values(gatedChannels(x));
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    for (let n = 0; n < 2; n++) {
      for (let c = 0; c < 2; c++) {
        for (let p = 0; p < 2; p++) {
          const a = xs[(n * 4 + 2 * c) * 2 + p]!;
          const b = xs[(n * 4 + 2 * c + 1) * 2 + p]!;
          assert.ok(Math.abs(got[(n * 2 + c) * 2 + p]! - sig(a) * Math.tanh(b)) < 1e-6);
        }
      }
    }
    assert.throws(() => gatedChannels(new Rng(1).normal([1, 3, 2, 2])), /even number of channels/);
  });

  test('bad options fail naming the option', () => {
    assert.throws(() => createLsun64({ arch: 'vgg' as never }), /arch must be one of resnet, dcgan, .*got "vgg"/);
    assert.throws(() => new Lsun64DcganGenerator({ nonlinearity: 'gelu' as never }), /nonlinearity must be/);
    assert.throws(() => createLsun64({ dim: 2.5 }), /dim must be a positive integer/);
  });
});
