/**
 * The image runs of the §5.1 family (preset cifar10-arch): its settings belong to it alone, each
 * loss brings the paper's optimizer, a normalized critic decays its weights, and a run trains on
 * CIFAR-10 binary files (written here in the real format) and resumes exactly.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testFixture, testRunEnv } from '../../../test/support/run-env.js';
import { CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, encodeCifar10Bin } from '../../data/cifar10.js';
import { loadCheckpoint } from '../../gan/checkpoint.js';
import { Arch32Critic } from '../../gan/models/arch32.js';
import { zeros } from '../../autodiff/grad.js';
import { Rng } from '../../tensor/random.js';
import { realize } from '../../tensor/tensor.js';
import { resolveRunConfig } from '../experiment.js';
import { resumeRunFolder, trainRun } from '../runs.js';
import { ConfigError } from '../settings.js';
import type { ImageConfig } from './config.js';
import { imageExperiment } from './index.js';
import { decayedCriticOptimizer } from './model.js';

const fx = testFixture('wgan-gp-arch-', 1);
const resolve = (flags: Record<string, unknown>, preset = 'cifar10-arch'): ImageConfig => resolveRunConfig(imageExperiment, { preset, flags }) as ImageConfig;

describe('image runs of the §5.1 family (cifar10-arch)', () => {
  it("gives each loss the paper's optimizer and refuses the family's settings on other presets", () => {
    const w = resolve({ loss: 'wgan-gp' });
    const g = resolve({ loss: 'gan' });
    assert.deepEqual([w.optimizer, w.lr, w.beta1, w.beta2, w.lambda, w.nCritic], ['adam', 1e-4, 0, 0.9, 10, 5]);
    assert.deepEqual([g.optimizer, g.lr, g.beta1, g.beta2, g.nCritic], ['adam', 2e-4, 0.5, 0.999, 1]);
    assert.deepEqual([w.family, w.classifier, w.normDecay], ['cifar10-arch', 'cifar10', 1e-3]);
    assert.throws(() => resolve({ gDepth: 8 }, 'cifar10-dcgan'), (e: Error) => e instanceof ConfigError && /gDepth applies to preset cifar10-arch only, not 'cifar10-dcgan'/.test(e.message));
    assert.throws(() => resolve({ dNonlinearity: 'elu' }), /dNonlinearity must be one of relu, leakyrelu, softplus, tanh, got "elu"/);
    assert.throws(() => resolve({ gDepth: 3 }), /gDepth must be >= 4, got 3/);
  });

  it('decays every critic weight by (1 − lr·decay) per step, on top of the update', async () => {
    const critic = new Arch32Critic({ nonlinearity: 'relu', depth: 4, norm: true, dim: 2 }, { rng: new Rng(1) });
    const before = critic.parameters().map((p) => Float32Array.from(p.value!));
    const opt = decayedCriticOptimizer({ ...resolve({}), optimizer: 'sgd', lr: 0.1 }, critic, 0.5);
    const u = opt.update(critic.parameters().map((p) => zeros(p.shape)));
    await realize(u.outputs);
    u.commit();
    critic.parameters().forEach((p, i) => p.value!.forEach((x, j) => assert.ok(Math.abs(x - 0.95 * before[i]![j]!) < 1e-6, `param ${i}[${j}]`)));
  });

  it('trains a drawn architecture on CIFAR-10 binary files and resumes to the same weights', async () => {
    const data = join(fx.root, 'cifar');
    await mkdir(data);
    const rng = new Rng(5);
    const pixels = Uint8Array.from({ length: 16 * 3072 }, () => rng.int(256));
    for (const f of [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE]) await writeFile(join(data, f), encodeCifar10Bin(Uint8Array.from({ length: 16 }, (_, i) => i % 10), pixels));
    const config = resolve({
      data, loss: 'wgan-gp', iters: 4, batchSize: 4, generatorBatchSize: 4, evalEvery: 0, plotEvery: 0, logEvery: 2, checkpointEvery: 2, classifier: null, threads: 1,
      gNonlinearity: 'softplus', gDepth: 5, gNorm: false, gDim: 2, dNonlinearity: 'tanh', dDepth: 6, dNorm: true, dDim: 2,
    });
    const env = testRunEnv(() => fx.backend);
    const full = await trainRun(imageExperiment, config, join(fx.root, 'full'), env);
    const half = await trainRun(imageExperiment, config, join(fx.root, 'half'), env, { stopAfter: 2 });
    assert.deepEqual([full.iteration, half.iteration, half.interrupted], [4, 2, 'stopAfter']);
    await resumeRunFolder(join(fx.root, 'half'), env);
    const [a, b] = [await loadCheckpoint(join(fx.root, 'full', 'checkpoints')), await loadCheckpoint(join(fx.root, 'half', 'checkpoints'))];
    assert.ok(Object.keys(a.tensors).some((k) => k.startsWith('critic.norm2.')), 'layer norm in the wgan-gp critic (its weights decayed)');
    for (const k of Object.keys(a.tensors)) assert.deepEqual(b.tensors[k]!.data, a.tensors[k]!.data, k);
  });
});
