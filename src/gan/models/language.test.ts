/**
 * gan_language.py networks: parameter counts from the reference's layer shapes, tflib init, and the
 * forward values, critic step (penalty with ε [B, 1, 1] and the norm over axes [1, 2]) and
 * generator-step gradients against a PyTorch statement of the reference
 * (test/fixtures/make_language_fixture.py), on the float64 reference backend and onnxruntime.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gradients } from '../../autodiff/grad.js';
import { referenceBackend } from '../../backends/reference/reference-backend.js';
import { readSafetensors, type SafetensorsFile } from '../../io/safetensors.js';
import { ortBackend } from '../../node.js';
import { add } from '../../ops/add.js';
import { mean, square } from '../../ops/math.js';
import { mul } from '../../ops/mul.js';
import { neg } from '../../ops/neg.js';
import { sqrt } from '../../ops/sqrt.js';
import { sub } from '../../ops/sub.js';
import { sum } from '../../ops/sum.js';
import { Rng } from '../../tensor/random.js';
import { realize, tensor, type Backend, type Tensor } from '../../tensor/tensor.js';
import { gradientPenalty, interpolate, wassersteinCriticLoss } from '../losses.js';
import {
  createLanguage,
  LanguageCritic,
  LanguageGenerator,
  LanguageResBlock,
  languageParameterCounts,
} from './language.js';

const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/language.safetensors', import.meta.url));
const ref = referenceBackend();
const ort = ortBackend({ threads: 2 });
after(() => ort.dispose?.());

describe('gan_language.py parameter counts', () => {
  test('each k5 conv at DIM 512 has 1,311,232 parameters', () => {
    assert.equal(new LanguageResBlock(512, { rng: new Rng(0) }).conv1.numParameters(), 1_311_232);
  });

  test('DIM 512, seqLen 32: G = 15,225,856 + 513·V and D = 13,129,217 + 512·V', () => {
    const V = 97;
    const { generator, critic } = createLanguage({ vocabSize: V, rng: new Rng(1) });
    assert.equal(generator.numParameters(), 15_225_856 + 513 * V);
    assert.equal(critic.numParameters(), 13_129_217 + 512 * V);
    assert.deepEqual(languageParameterCounts(512, 32, V), { generator: 15_225_856 + 513 * V, critic: 13_129_217 + 512 * V });
  });

  test('languageParameterCounts agrees with the modules at other widths', () => {
    const { generator, critic } = createLanguage({ vocabSize: 20, dim: 16, seqLen: 8, rng: new Rng(1) });
    assert.deepEqual(languageParameterCounts(16, 8, 20), { generator: generator.numParameters(), critic: critic.numParameters() });
  });
});

describe('tflib initialisation', () => {
  const { generator: G, critic: D } = createLanguage({ vocabSize: 50, dim: 64, rng: new Rng(3) });
  const std = (t: Tensor): number => {
    const v = t.value!;
    let s = 0;
    for (let i = 0; i < v.length; i++) s += Number(v[i]) ** 2;
    return Math.sqrt(s / v.length);
  };
  const maxAbs = (t: Tensor): number => Math.max(...Array.from(t.value!, (x) => Math.abs(Number(x))));

  test('Conv1D he_init: uniform with σ = √(4/(in·k + out·k)) on ±σ√3', () => {
    for (const [conv, i, o, k] of [
      [G.blocks[0]!.conv1, 64, 64, 5],
      [G.output, 64, 50, 1],
      [D.input, 50, 64, 1],
    ] as const) {
      const sigma = Math.sqrt(4 / (i * k + o * k));
      assert.ok(Math.abs(std(conv.weight) / sigma - 1) < 0.05, `σ ${std(conv.weight)} vs ${sigma}`);
      assert.ok(maxAbs(conv.weight) <= sigma * Math.sqrt(3) + 1e-7);
      assert.equal(maxAbs(conv.bias!), 0);
    }
  });

  test('Linear Glorot: σ = √(2/(in + out)), biases 0', () => {
    for (const [lin, i, o] of [
      [G.input, 128, 32 * 64],
      [D.output, 32 * 64, 1],
    ] as const) {
      const sigma = Math.sqrt(2 / (i + o));
      assert.ok(Math.abs(std(lin.weight) / sigma - 1) < 0.05, `σ ${std(lin.weight)} vs ${sigma}`);
      assert.equal(maxAbs(lin.bias!), 0);
    }
  });
});

describe('shapes', () => {
  const { generator: G, critic: D } = createLanguage({ vocabSize: 7, dim: 8, seqLen: 6, rng: new Rng(2) });

  test('G: noise [B, 128] → softmax rows [B, seqLen, V] that sum to 1; D: → scores [B]', async () => {
    const p = G.forward(new Rng(1).normal([3, 128]));
    assert.deepEqual([...p.shape], [3, 6, 7]);
    const s = D.forward(p);
    assert.deepEqual([...s.shape], [3]);
    await realize([p, s], ref);
    const v = await p.data64();
    for (let r = 0; r < 18; r++) {
      let rowSum = 0;
      for (let k = 0; k < 7; k++) rowSum += v[r * 7 + k]!;
      assert.ok(Math.abs(rowSum - 1) < 1e-6);
    }
  });

  test('wrong inputs are ShapeErrors naming the network and the expected shape', () => {
    assert.throws(() => G.forward(tensor(new Float32Array(3 * 64), [3, 64])), /LanguageGenerator.*\[B, 128\]/);
    assert.throws(() => D.forward(tensor(new Float32Array(3 * 6 * 8), [3, 6, 8])), /LanguageCritic.*\[B, 6, 7\], got \[3,6,8\]/);
    assert.throws(() => new LanguageGenerator({ vocabSize: 1 }), /vocabSize must be an integer >= 2/);
    assert.throws(() => new LanguageCritic({ vocabSize: 5, dim: 0 }), /dim must be a positive integer/);
  });
});

describe('the penalty on [B, L, V] inputs', () => {
  test('gradientPenalty mixes with one ε per sample ([B] → [B, 1, 1]) and takes the norm over axes [1, 2]', async () => {
    const rng = new Rng(4);
    const B = 3;
    const real = rng.normal([B, 4, 5]);
    const fake = rng.normal([B, 4, 5]);
    const eps = rng.uniform([B]);
    // A critic whose input gradient is known: D(x) = Σ w ⊙ x², ∇ = 2 w ⊙ x.
    const w = rng.normal([1, 4, 5]);
    const D = (x: Tensor): Tensor => sum(mul(w, square(x)), [1, 2]);
    const { penalty, gradNorm } = gradientPenalty(D, real, fake, eps, { lambda: 10 });
    const xhat = interpolate(real, fake, eps);
    await realize([penalty, gradNorm, xhat, real, fake, eps, w], ref);
    const [r, f, e, wv, xv] = await Promise.all([real.data64(), fake.data64(), eps.data64(), w.data64(), xhat.data64()]);
    let pen = 0;
    let norms = 0;
    for (let b = 0; b < B; b++) {
      let n2 = 0;
      for (let j = 0; j < 20; j++) {
        const x = e[b]! * r[b * 20 + j]! + (1 - e[b]!) * f[b * 20 + j]!;
        assert.ok(Math.abs(xv[b * 20 + j]! - x) < 1e-6, 'one ε per sample, broadcast over [L, V]');
        n2 += (2 * wv[j]! * x) ** 2;
      }
      pen += (Math.sqrt(n2) - 1) ** 2 / B;
      norms += Math.sqrt(n2) / B;
    }
    assert.ok(Math.abs((await penalty.item()) - 10 * pen) < 1e-4 * 10 * pen);
    assert.ok(Math.abs((await gradNorm.item()) - norms) < 1e-5 * norms);
  });

  test('interpolate refuses an ε of shape [B, 1, 1] given as anything but [B]', () => {
    const x = tensor(new Float32Array(2 * 3 * 4), [2, 3, 4]);
    assert.throws(() => interpolate(x, x, tensor(new Float32Array(2), [2, 1, 1])), /eps must have shape \[2\]/);
  });
});

// ---- PyTorch fixture ----------------------------------------------------------------------------

function f64(file: SafetensorsFile, name: string): { data: Float64Array; shape: readonly number[] } {
  const e = file.tensors[name];
  assert.ok(e, `fixture lacks tensor '${name}'`);
  return { data: Float64Array.from(e.data as Float32Array), shape: e.shape };
}

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

async function checkFixture(backend: Backend, tolValue: number, tolGrad: number): Promise<string> {
  const file = await readSafetensors(FIXTURE);
  const meta = file.metadata;
  const opts = { vocabSize: Number(meta.vocab), dim: Number(meta.dim), seqLen: Number(meta.seq_len), rng: new Rng(0) };
  const { generator: G, critic: D } = createLanguage(opts);
  for (const [prefix, m] of [['generator', G], ['critic', D]] as const) {
    for (const [name, p] of m.namedParameters()) {
      const { data, shape } = f64(file, `${prefix}.${name}`);
      assert.deepEqual([...p.shape], [...shape], `shape of ${prefix}.${name}`);
      p.assignData(data);
    }
  }
  const input = (n: string): Tensor => {
    const { data, shape } = f64(file, n);
    return tensor(data, shape);
  };
  const z = input('z');
  const real = input('real');
  const fake = input('fake');
  const eps = input('eps');
  const lambda = Number(meta.lambda);

  const logits = G.logits(z);
  const probs = G.forward(z);
  const dRealScores = D.forward(real);
  const dFakeScores = D.forward(fake);
  const Dfn = (x: Tensor): Tensor => D.forward(x);
  const dReal = mean(dRealScores);
  const dFake = mean(dFakeScores);
  const { penalty, gradNorm } = gradientPenalty(Dfn, real, fake, eps, { lambda });
  const loss = add(wassersteinCriticLoss(dReal, dFake), penalty);
  const dParams = D.parameters();
  const dGrads = gradients(loss, dParams);
  const dPenGrads = gradients(penalty, dParams);
  const gLoss = neg(mean(D.forward(G.forward(z))));
  const gGrads = gradients(gLoss, G.parameters());
  await realize([logits, probs, dRealScores, dFakeScores, loss, penalty, gradNorm, dReal, dFake, gLoss, ...dGrads, ...dPenGrads, ...gGrads], backend);

  const failures: string[] = [];
  let worstValue = 0;
  let worstGrad = 0;
  const check = async (t: Tensor, name: string, tol: number, kind: 'value' | 'grad'): Promise<void> => {
    const err = relError(await t.data64(), f64(file, name).data);
    if (kind === 'value') worstValue = Math.max(worstValue, err);
    else worstGrad = Math.max(worstGrad, err);
    if (!(err <= tol)) failures.push(`${name}: relative error ${err.toExponential(2)} > ${tol}`);
  };
  await check(logits, 'fake_logits', tolValue, 'value');
  await check(probs, 'fake', tolValue, 'value');
  await check(dRealScores, 'd_real_scores', tolValue, 'value');
  await check(dFakeScores, 'd_fake_scores', tolValue, 'value');
  for (const [t, n] of [
    [loss, 'loss'],
    [penalty, 'penalty'],
    [gradNorm, 'grad_norm'],
    [dReal, 'd_real'],
    [dFake, 'd_fake'],
    [gLoss, 'g_loss'],
  ] as const) {
    await check(t, n, tolValue, 'value');
  }
  const dNames = D.namedParameters().map(([n]) => n);
  for (let i = 0; i < dNames.length; i++) {
    await check(dGrads[i]!, `grad.critic.${dNames[i]!}`, tolGrad, 'grad');
    await check(dPenGrads[i]!, `grad_penalty.critic.${dNames[i]!}`, tolGrad, 'grad');
  }
  const gNames = G.namedParameters().map(([n]) => n);
  for (let i = 0; i < gNames.length; i++) await check(gGrads[i]!, `grad_g.generator.${gNames[i]!}`, tolGrad, 'grad');
  assert.deepEqual(failures, [], `${backend.name} vs PyTorch`);
  return `worst relative error: values ${worstValue.toExponential(2)}, gradients ${worstGrad.toExponential(2)}`;
}

describe('against PyTorch (test/fixtures/language.safetensors)', () => {
  test('float64 reference backend: G logits and softmax, D scores, critic step and generator-step gradients within 1e-5', async (t) => {
    t.diagnostic(await checkFixture(ref, 1e-5, 1e-5));
  });
  test('onnxruntime: values within 1e-5, every parameter gradient within 1e-4', async (t) => {
    t.diagnostic(await checkFixture(ort, 1e-5, 1e-4));
  });
  test('a per-position norm (over V only) would not match the fixture', async () => {
    const file = await readSafetensors(FIXTURE);
    const meta = file.metadata;
    const D = new LanguageCritic({ vocabSize: Number(meta.vocab), dim: Number(meta.dim), seqLen: Number(meta.seq_len), rng: new Rng(0) });
    for (const [name, p] of D.namedParameters()) p.assignData(f64(file, `critic.${name}`).data);
    const x = (n: string): Tensor => tensor(f64(file, n).data, f64(file, n).shape);
    const xhat = interpolate(x('real'), x('fake'), x('eps'));
    const [g] = gradients(sum(D.forward(xhat)), [xhat]);
    const wrong = mean(square(sub(sqrt(sum(square(g!), [2])), 1)));
    await realize([wrong], ref);
    const expected = f64(file, 'penalty').data[0]!;
    assert.ok(Math.abs(10 * (await wrong.item()) - expected) / expected > 1e-2);
  });
});
