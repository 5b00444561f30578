/**
 * The WGAN-GP critic step against PyTorch: loss, penalty, mean gradient norm and the gradients of
 * L_D and of the penalty alone with respect to EVERY critic parameter (second-order derivatives),
 * computed by PyTorch in float64 (test/fixtures/make_fixtures.py) for the gan_toy.py MLP critic and
 * the gan_mnist.py conv critic (TF SAME padding, LeakyReLU 0.2).
 *
 * Tolerances (relative error = max |ours − torch| / max |torch| per tensor):
 * - float64 reference backend: 1e-5 (the fixtures are float32-rounded float64 values, ~6e-8).
 * - onnxruntime (float32 kernels): 1e-5 on the loss, penalty, mean norm and critic means; 1e-4 on
 *   every parameter gradient (float32 accumulation over ~10⁵-term sums through two backward passes).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gradients } from '../autodiff/grad.js';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { readSafetensors, type SafetensorsFile } from '../io/safetensors.js';
import { LeakyReLU } from '../nn/activations.js';
import { Conv2d } from '../nn/conv2d.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { Flatten } from '../nn/reshape.js';
import { Sequential } from '../nn/sequential.js';
import { ortBackend } from '../node.js';
import { add } from '../ops/add.js';
import { sqrt } from '../ops/sqrt.js';
import { sum } from '../ops/sum.js';
import { mean, square } from '../ops/math.js';
import { sub } from '../ops/sub.js';
import { Rng } from '../tensor/random.js';
import { realize, tensor, type Backend, type Tensor } from '../tensor/tensor.js';
import { gradientPenalty, interpolate, wassersteinCriticLoss } from './losses.js';
import { ToyMlp } from './models/toy.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

const ort = ortBackend({ threads: 2 });
after(() => ort.dispose?.());

/** Float64 copy of a fixture tensor (the float32 values, exactly). */
function f64(file: SafetensorsFile, name: string): { data: Float64Array; shape: readonly number[] } {
  const e = file.tensors[name];
  assert.ok(e, `fixture lacks tensor '${name}'`);
  assert.equal(e.dtype, 'F32', `fixture tensor '${name}' is ${e.dtype}`);
  return { data: Float64Array.from(e.data as Float32Array), shape: e.shape };
}

function input(file: SafetensorsFile, name: string): Tensor {
  const { data, shape } = f64(file, name);
  return tensor(data, shape);
}

/** max |a − e| / max |e|. */
function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < expected.length; i++) {
    num = Math.max(num, Math.abs(actual[i]! - expected[i]!));
    den = Math.max(den, Math.abs(expected[i]!));
  }
  return den === 0 ? num : num / den;
}

interface Fixture {
  /** File name under test/fixtures. */
  file: string;
  /** Builds the critic with the engine's modules. */
  build(f: SafetensorsFile): Module;
  /** Our parameter name → the fixture's name. */
  names: Record<string, string>;
}

const toy: Fixture = {
  file: 'toy-critic.safetensors',
  build: () => new ToyMlp(2, 1, { hidden: 512, layers: 3, rng: new Rng(0) }),
  names: {
    'layers.0.weight': 'critic.fc1.weight',
    'layers.0.bias': 'critic.fc1.bias',
    'layers.1.weight': 'critic.fc2.weight',
    'layers.1.bias': 'critic.fc2.bias',
    'layers.2.weight': 'critic.fc3.weight',
    'layers.2.bias': 'critic.fc3.bias',
    'layers.3.weight': 'critic.out.weight',
    'layers.3.bias': 'critic.out.bias',
  },
};

/** gan_mnist.py's critic: conv5 s2 (SAME) → LReLU(0.2), three times, flatten, Linear → 1. */
const mnist: Fixture = {
  file: 'mnist-critic.safetensors',
  build: (f) => {
    const dim = f.tensors['critic.conv1.weight']!.shape[0]!; // channels DIM, 2·DIM, 4·DIM
    const rng = new Rng(0);
    return new Sequential(
      new Conv2d(1, dim, 5, { stride: 2, rng }),
      new LeakyReLU(0.2),
      new Conv2d(dim, 2 * dim, 5, { stride: 2, rng }),
      new LeakyReLU(0.2),
      new Conv2d(2 * dim, 4 * dim, 5, { stride: 2, rng }),
      new LeakyReLU(0.2),
      new Flatten(),
      new Linear(4 * 4 * 4 * dim, 1, { rng }),
    );
  },
  names: {
    '0.weight': 'critic.conv1.weight',
    '0.bias': 'critic.conv1.bias',
    '2.weight': 'critic.conv2.weight',
    '2.bias': 'critic.conv2.bias',
    '4.weight': 'critic.conv3.weight',
    '4.bias': 'critic.conv3.bias',
    '7.weight': 'critic.out.weight',
    '7.bias': 'critic.out.bias',
  },
};

/** The critic with the fixture's weights, and the fixture's batch. */
async function load(fx: Fixture): Promise<{ file: SafetensorsFile; critic: Module; params: [string, Tensor][]; real: Tensor; fake: Tensor; eps: Tensor; lambda: number }> {
  const file = await readSafetensors(FIXTURES + fx.file);
  const critic = fx.build(file);
  const params = critic.namedParameters();
  assert.deepEqual(params.map(([n]) => n).sort(), Object.keys(fx.names).sort(), 'critic parameters and fixture names differ');
  for (const [name, p] of params) {
    const { data, shape } = f64(file, fx.names[name]!);
    assert.deepEqual([...p.shape], [...shape], `shape of ${name}`);
    p.assignData(data);
  }
  const lambda = Number(file.metadata.lambda);
  assert.ok(lambda > 0, 'fixture metadata records lambda');
  return { file, critic, params, real: input(file, 'real'), fake: input(file, 'fake'), eps: input(file, 'eps'), lambda };
}

/**
 * Compares loss, penalty, mean norm, critic means, d L_D / dθ and d penalty / dθ (the purely
 * second-order part) for every parameter θ; returns the worst relative errors for the log.
 */
async function checkAgainstTorch(fx: Fixture, backend: Backend, tolScalar: number, tolGrad: number): Promise<string> {
  const { file, critic, params, real, fake, eps, lambda } = await load(fx);
  const D = (x: Tensor): Tensor => critic.forward(x);
  const dReal = mean(D(real));
  const dFake = mean(D(fake));
  const { penalty, gradNorm } = gradientPenalty(D, real, fake, eps, { lambda });
  const loss = add(wassersteinCriticLoss(dReal, dFake), penalty);
  const ps = params.map(([, p]) => p);
  const grads = gradients(loss, ps);
  const penaltyGrads = gradients(penalty, ps);
  await realize([loss, penalty, gradNorm, dReal, dFake, ...grads, ...penaltyGrads], backend);

  const scalars: [string, Tensor][] = [
    ['loss', loss],
    ['penalty', penalty],
    ['grad_norm', gradNorm],
    ['d_real', dReal],
    ['d_fake', dFake],
  ];
  const failures: string[] = [];
  let worstScalar = 0;
  let worstGrad = 0;
  for (const [name, t] of scalars) {
    const err = relError(await t.data64(), f64(file, name).data);
    worstScalar = Math.max(worstScalar, err);
    if (!(err <= tolScalar)) failures.push(`${name}: relative error ${err.toExponential(2)} > ${tolScalar}`);
  }
  for (let i = 0; i < params.length; i++) {
    const [name] = params[i]!;
    for (const [prefix, g, what] of [
      ['grad', grads[i]!, 'loss'],
      ['grad_penalty', penaltyGrads[i]!, 'penalty'],
    ] as const) {
      const err = relError(await g.data64(), f64(file, `${prefix}.${fx.names[name]!}`).data);
      worstGrad = Math.max(worstGrad, err);
      if (!(err <= tolGrad)) failures.push(`d ${what} / d ${name}: relative error ${err.toExponential(2)} > ${tolGrad}`);
    }
  }
  assert.deepEqual(failures, [], `${backend.name} vs PyTorch on ${fx.file}`);
  return `worst relative error: scalars ${worstScalar.toExponential(2)}, gradients ${worstGrad.toExponential(2)}`;
}

for (const fx of [toy, mnist]) {
  describe(`WGAN-GP critic step vs PyTorch (${fx.file})`, () => {
    test('float64 reference backend: loss, penalty and every parameter gradient within 1e-5', async (t) => {
      t.diagnostic(await checkAgainstTorch(fx, referenceBackend(), 1e-5, 1e-5));
    });
    test('onnxruntime: loss and penalty within 1e-5, every parameter gradient within 1e-4', async (t) => {
      t.diagnostic(await checkAgainstTorch(fx, ort, 1e-5, 1e-4));
    });
  });
}

describe('the MNIST fixture tells a per-pixel gradient norm apart', () => {
  // A known bug of several ports: norm over axis 1 only of the [B, C, H, W] gradient. The fixture's
  // penalty must reject it, or it would not catch that bug.
  test('penalty with norm over the channel axis only differs from PyTorch by far more than 1e-5', async () => {
    const { file, critic, real, fake, eps, lambda } = await load(mnist);
    const xhat = interpolate(real, fake, eps);
    const [g] = gradients(sum(critic.forward(xhat)), [xhat]);
    const perPixel = sqrt(sum(square(g!), [1]));
    const wrong = mean(square(sub(perPixel, 1)));
    await realize([wrong], ort);
    const expected = f64(file, 'penalty').data[0]!;
    const err = Math.abs(lambda * (await wrong.item()) - expected) / Math.abs(expected);
    assert.ok(err > 1e-2, `per-pixel penalty is within ${err} of PyTorch's per-sample penalty`);
  });
});
