/**
 * Every image model family on onnxruntime:
 * 1. Forward values against an independent float64 PyTorch statement of the reference TensorFlow
 *    code (TF SAME padding, conv2d_transpose cropping, depth_to_space, the literal 4-slice mean-pool,
 *    tflib batch/layer/conditional norms), given the same deterministic weights and inputs. The
 *    expected numbers below were computed by that script from our models' dumped parameters; they
 *    pin each architecture layer by layer (an ordering or wiring change moves them far beyond the
 *    float32 tolerance). Small widths keep it fast; the code is the same at any DIM.
 * 2. At the reference widths and batch 2, for every WGAN-GP configuration (the batch-norm critics of
 *    the wgan/gan modes are checked by 1 only): image shapes and ranges, and a WGAN-GP critic loss
 *    (λ = 10) whose value, penalty and gradients for every critic parameter are finite; summary()
 *    totals.
 *
 * The 101-layer ResNet's WGAN-GP graph has ~15k nodes; onnxruntime's default graph optimizations
 * take ~45 s on it (its level-1 rule-based transformer reports a change on all 10 passes, ~1 s
 * each, on this 2-core machine), against ~2 s with optimizations disabled; that model alone runs
 * on a backend with `graphOptimizationLevel: 'disabled'` here.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as ortNode from 'onnxruntime-node';
import { gradients } from '../../autodiff/grad.js';
import { createOrtBackend, type OrtLike } from '../../backends/onnx/ort-backend.js';
import { Conv2d } from '../../nn/conv2d.js';
import { ConvTranspose2d } from '../../nn/conv-transpose2d.js';
import { Linear } from '../../nn/linear.js';
import type { Module } from '../../nn/module.js';
import { summary } from '../../nn/summary.js';
import { ortBackend } from '../../node.js';
import { add } from '../../ops/add.js';
import { Rng } from '../../tensor/random.js';
import { realize, tensor, type Backend, type Tensor } from '../../tensor/tensor.js';
import { gradientPenalty, wassersteinCriticLoss } from '../losses.js';
import { createCifarDcgan } from './cifar-dcgan.js';
import { createCifarResnet, type CifarResnetCritic } from './cifar-resnet.js';
import { createLsun64, LSUN64_ARCHS, type Lsun64Arch } from './lsun64.js';
import { createMnist } from './mnist.js';

const ort = ortBackend({ threads: 2 });
const ortUnoptimized = createOrtBackend(
  {
    ...ortNode,
    InferenceSession: {
      create: (model: Uint8Array, options?: Record<string, unknown>) =>
        ortNode.InferenceSession.create(model, { ...options, graphOptimizationLevel: 'disabled' }),
    },
  } as unknown as OrtLike,
  { threads: 2 },
);
after(async () => {
  await ort.dispose?.();
  await ortUnoptimized.dispose?.();
});

type Pair = { generator: Module; critic: Module };

interface Family {
  name: string;
  make: (dim?: number) => Pair;
  /** Image shape [C, H, W] and output range of the generator. */
  chw: readonly [number, number, number];
  range: readonly [number, number];
  conditional?: boolean;
  backend?: Backend;
  /** A batch-norm critic (wgan / gan modes): not a WGAN-GP configuration, so only its forward values are checked. */
  bnCritic?: boolean;
}

const FAMILIES: Family[] = [
  { name: 'mnist', make: (dim) => createMnist({ ...(dim ? { dim } : {}), rng: new Rng(1) }), chw: [1, 28, 28], range: [0, 1] },
  { name: 'mnist_wgan', make: (dim) => createMnist({ ...(dim ? { dim } : {}), loss: 'wgan', rng: new Rng(1) }), chw: [1, 28, 28], range: [0, 1], bnCritic: true },
  { name: 'cifar', make: (dim) => createCifarDcgan({ ...(dim ? { dim } : {}), rng: new Rng(1) }), chw: [3, 32, 32], range: [-1, 1] },
  { name: 'cifar_wgan', make: (dim) => createCifarDcgan({ ...(dim ? { dim } : {}), loss: 'wgan', rng: new Rng(1) }), chw: [3, 32, 32], range: [-1, 1], bnCritic: true },
  { name: 'cres', make: (dim) => createCifarResnet({ ...(dim ? { dim } : {}), rng: new Rng(1) }), chw: [3, 32, 32], range: [-1, 1] },
  {
    name: 'cres_cond',
    make: (dim) => createCifarResnet({ ...(dim ? { dim } : {}), conditional: true, rng: new Rng(1) }),
    chw: [3, 32, 32],
    range: [-1, 1],
    conditional: true,
  },
  ...(Object.keys(LSUN64_ARCHS) as Lsun64Arch[]).map(
    (arch): Family => ({
      name: `lsun_${arch}`,
      make: (dim) => createLsun64({ arch, ...(dim ? { dim } : {}), rng: new Rng(1) }),
      chw: [3, 64, 64],
      range: [-1, 1],
      ...(arch === 'resnet-101' ? { backend: ortUnoptimized } : {}),
    }),
  ),
  { name: 'lsun_dcgan_bn', make: (dim) => createLsun64({ arch: 'dcgan', loss: 'gan', ...(dim ? { dim } : {}), rng: new Rng(1) }), chw: [3, 64, 64], range: [-1, 1], bnCritic: true },
  { name: 'lsun_resnet_bn', make: (dim) => createLsun64({ arch: 'resnet', loss: 'wgan', ...(dim ? { dim } : {}), rng: new Rng(1) }), chw: [3, 64, 64], range: [-1, 1], bnCritic: true },
];

/** Small widths of the PyTorch comparison. */
const SMALL_DIM: Record<string, number> = { cres: 16, cres_cond: 16 };

/** Deterministic value in [−1, 1) for element i of tensor k (an integer hash; no Math.random, no Rng). */
function hash(i: number, k: number): number {
  let x = (Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(k + 7, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
  x = Math.imul(x ^ (x >>> 12), 0x297a2d39) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  return x / 2 ** 31 - 1;
}

/** Weights ±√(3/fan_in)·hash, biases and norm offsets 0.1·hash, norm scales 1 + 0.2·hash. */
function fillDeterministic(model: Module): void {
  let k = 0;
  for (const [, m] of model.namedModules()) {
    for (const [name, p] of m.ownParameters()) {
      k++;
      const fanIn =
        m instanceof Linear ? m.inFeatures
        : m instanceof Conv2d ? m.inChannels * m.kernelSize ** 2
        : m instanceof ConvTranspose2d ? (m.inChannels * m.kernelSize ** 2) / 4
        : 0;
      const v = new Float32Array(p.size);
      for (let i = 0; i < p.size; i++) {
        const h = hash(i, k);
        v[i] = name === 'gamma' ? 1 + 0.2 * h : name === 'beta' || name === 'bias' ? 0.1 * h : Math.sqrt(3 / fanIn) * h;
      }
      p.assignData(v);
    }
  }
}

function detTensor(shape: readonly number[], k: number, scale: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, (_, i) => scale * hash(i, k)), shape);
}

/**
 * PyTorch float64 results for batch 2: G(z) as [Σx, Σx², x at flat indices 0, n/3, 2n/3, n−1],
 * D(real), D(G(z)) and (AC-GAN) the first 4 class logits of D(real).
 */
const TORCH: Record<string, { g: number[]; dReal: number[]; dFake: number[]; logits?: number[] }> = {
  mnist: { g: [755.7795, 370.7307, 0.483463, 0.490711, 0.5637694, 0.5628528], dReal: [-0.1256946, -0.07613524], dFake: [-0.05634473, -0.03718541] },
  mnist_wgan: { g: [696.4685, 344.4034, 0.4717316, 0.4618178, 0.3845243, 0.3897057], dReal: [0.6022925, -1.776129], dFake: [-0.8052945, -1.142736] },
  cifar: { g: [-411.8661, 1343.944, 0.03359089, 0.01799142, -0.1286446, 0.2921036], dReal: [-0.07487001, 0.007974396], dFake: [-0.1461831, -0.03130721] },
  cifar_wgan: { g: [-411.8661, 1343.944, 0.03359089, 0.01799142, -0.1286446, 0.2921036], dReal: [-0.6345065, -0.07499497], dFake: [-0.09029791, -0.8521889] },
  cres: { g: [-115.968, 1441.871, 0.6248511, 0.1097873, 0.464844, -0.4915544], dReal: [0.05399395, 0.05218751], dFake: [-0.0473069, -0.1646261] },
  cres_cond: {
    g: [-103.1986, 1429.518, 0.5863154, 0.291209, 0.4102925, -0.4277048],
    dReal: [0.05399395, 0.05218751],
    dFake: [-0.09306559, -0.1400228],
    logits: [0.1948442, -0.07470945, 0.2645973, 0.1248982],
  },
  lsun_resnet: { g: [5000.318, 5317.647, 0.6945092, -0.2088238, 0.6251219, 0.03277252], dReal: [-0.4490625, -0.5240291], dFake: [1.001736, 0.9449426] },
  lsun_dcgan: { g: [2411.965, 6586.167, -0.1769391, 0.04589227, -0.04238133, 0.598739], dReal: [0.06152805, -1.546611], dFake: [-1.023851, -0.9441695] },
  'lsun_constant-filter-g': { g: [888.2251, 793.6892, 0.08674256, -0.05935151, 0.0651665, -0.1504818], dReal: [0.06152805, -1.546611], dFake: [-0.02721821, -0.3017631] },
  'lsun_mlp-g': { g: [43.60894, 1701.042, -0.2350236, -0.1860741, -0.04093179, -0.3630885], dReal: [0.06152805, -1.546611], dFake: [-0.5365527, -0.3541873] },
  'lsun_no-norm': { g: [1039.409, 729.9723, 0.08737983, -0.05619788, 0.06259469, -0.1015547], dReal: [0.04336293, 0.07096355], dFake: [0.1430267, 0.162521] },
  lsun_gated: { g: [-84.95801, 2251.368, -0.1378678, 0.01871656, 0.008218714, -0.1188583], dReal: [-0.3397169, -0.1117247], dFake: [-0.3814822, 0.0529282] },
  lsun_tanh: { g: [-310.9271, 5393.758, -0.07533667, 0.04784434, 0.06622323, 0.2370032], dReal: [-0.002139282, -1.044807], dFake: [-0.2220443, -0.1436192] },
  'lsun_resnet-101': { g: [-437.5371, 2554.508, -0.2681984, 0.4958817, 0.0956917, -0.2190732], dReal: [-0.6549295, -0.5145143], dFake: [-0.4878571, -0.8288819] },
  lsun_dcgan_bn: { g: [2411.965, 6586.167, -0.1769391, 0.04589227, -0.04238133, 0.598739], dReal: [0.5328592, -0.8490589], dFake: [-0.2803809, -0.2762881] },
  lsun_resnet_bn: { g: [5000.318, 5317.647, 0.6945092, -0.2088238, 0.6251219, 0.03277252], dReal: [0.05630296, 0.08533781], dFake: [0.2497522, 0.03110153] },
};

function generate(f: Family, G: Module, z: Tensor): Tensor {
  return f.conditional ? G.forward(z, tensor(new Int32Array([3, 7]), [2], 'int32')) : G.forward(z);
}

/** |actual − expected| ≤ 2e-4·|expected| + atol, elementwise, with a message naming the quantity. */
function close(actual: ArrayLike<number>, expected: readonly number[], atol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i]!, expected[i]!];
    assert.ok(Math.abs(a - e) <= 2e-4 * Math.abs(e) + atol, `${what}[${i}]: ${a} vs PyTorch ${e}`);
  }
}

describe('image models on onnxruntime', () => {
  test('the family table covers every architecture', () => {
    assert.deepEqual(Object.keys(TORCH).sort(), FAMILIES.map((f) => f.name).sort());
  });

  for (const f of FAMILIES) {
    test(`${f.name}: forward values match the PyTorch statement of the reference code`, async () => {
      const { generator, critic } = f.make(SMALL_DIM[f.name] ?? 8);
      fillDeterministic(generator);
      fillDeterministic(critic);
      const z = detTensor([2, 128], 1001, Math.sqrt(3));
      const real = detTensor([2, ...f.chw], 1002, 0.9);
      const x = generate(f, generator, z);
      const dReal = critic.forward(real);
      const dFake = critic.forward(x);
      const ac = (critic as Partial<CifarResnetCritic>).acganOutput ? (critic as CifarResnetCritic).scoresAndLogits(real).logits : null;
      await realize([x, dReal, dFake, ...(ac ? [ac] : [])], f.backend ?? ort);
      const xs = x.value!;
      const n = xs.length;
      let [s, s2] = [0, 0];
      for (const v of xs) [s, s2] = [s + v, s2 + v * v];
      const want = TORCH[f.name]!;
      // The sums add n float32-rounded terms: an absolute slack of 1e-6·n.
      close([s, s2], want.g.slice(0, 2), 1e-6 * n, `${f.name} G(z) sums`);
      close([xs[0]!, xs[Math.floor(n / 3)]!, xs[Math.floor((2 * n) / 3)]!, xs[n - 1]!], want.g.slice(2), 1e-5, `${f.name} G(z) samples`);
      close(dReal.value!, want.dReal, 1e-5, `${f.name} D(real)`);
      close(dFake.value!, want.dFake, 1e-5, `${f.name} D(G(z))`);
      if (want.logits) close(Array.from(ac!.value!).slice(0, 4), want.logits, 1e-5, `${f.name} AC-GAN logits`);
    });
  }

  for (const f of FAMILIES.filter((x) => !x.bnCritic)) {
    test(`${f.name}: reference width, batch 2: image shape and range, finite WGAN-GP critic loss, penalty and gradients`, async () => {
      const { generator, critic } = f.make();
      const rng = new Rng(11);
      const fake = generate(f, generator, rng.normal([2, 128]));
      const real = rng.uniform([2, ...f.chw], f.range[0], f.range[1]);
      const D = (x: Tensor): Tensor => critic.forward(x);
      const { penalty, gradNorm } = gradientPenalty(D, real, fake, rng.uniform([2]), { lambda: 10 });
      const loss = add(wassersteinCriticLoss(D(real), D(fake)), penalty);
      const params = critic.parameters();
      const grads = gradients(loss, params);
      await realize([fake, loss, penalty, gradNorm, ...grads], f.backend ?? ort);

      assert.deepEqual(fake.shape, [2, ...f.chw]);
      const xs = fake.value!;
      assert.ok(xs.every((v) => v >= f.range[0] && v <= f.range[1]), `${f.name}: samples outside [${f.range}]`);
      assert.ok(new Set(xs).size > 100, `${f.name}: samples are not constant`);
      for (const t of [loss, penalty, gradNorm]) assert.ok(Number.isFinite(t.value![0]!), `${f.name}: ${t.value![0]}`);
      assert.ok(penalty.value![0]! >= 0 && gradNorm.value![0]! > 0);
      grads.forEach((g, i) => {
        assert.deepEqual(g!.shape, params[i]!.shape);
        assert.ok(g!.value!.every(Number.isFinite), `${f.name}: non-finite gradient for parameter ${i}`);
      });
      // At least the output layer's weight gets a nonzero gradient.
      assert.ok(grads.some((g) => g!.value!.some((v) => v !== 0)));
      // summary(): one row per module and the total line agrees with numParameters().
      for (const m of [generator, critic]) {
        const text = summary(m);
        const total = Number(/total: ([\d,]+) parameters$/.exec(text)![1]!.replaceAll(',', ''));
        assert.equal(total, m.numParameters());
        assert.equal(text.split('\n').length, m.namedModules().length + 3);
      }
    });
  }
});
