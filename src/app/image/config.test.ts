import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from './config.js';
import { checkImageConfig, checkImagePartial, IMAGE_PRESETS, imagePreset, isImagePreset, resolveImageConfig, type ImageConfig } from './image-config.js';
import { LSUN64_ARCHS } from './models/lsun64.js';

/** The settings a reference script fixes, as [optimizer, lr, β1, β2, λ, n_critic, batch, generator batch, DIM, iterations]. */
const row = (c: ImageConfig): unknown[] => [c.optimizer, c.lr, c.beta1, c.beta2, c.lambda, c.nCritic, c.batchSize, c.generatorBatchSize, c.dim, c.iters];

describe('image run config', () => {
  it('each preset carries its reference script hyperparameters', () => {
    // gan_mnist.py: Adam(1e-4, 0.5, 0.9), LAMBDA 10, CRITIC_ITERS 5, BATCH_SIZE 50, DIM 64, ITERS 200000.
    assert.deepEqual(row(resolveImageConfig({ preset: 'mnist' })), ['adam', 1e-4, 0.5, 0.9, 10, 5, 50, 50, 64, 200_000]);
    // gan_cifar.py: the same optimiser, BATCH_SIZE 64, DIM 128.
    assert.deepEqual(row(resolveImageConfig({ preset: 'cifar10-dcgan' })), ['adam', 1e-4, 0.5, 0.9, 10, 5, 64, 64, 128, 200_000]);
    // gan_cifar_resnet.py: LR 2e-4 with β1 0, β2 0.9, linear decay to 0 over ITERS 100000, critic batch 64, GEN_BS_MULTIPLE 2.
    const r = resolveImageConfig({ preset: 'cifar10-resnet' });
    assert.deepEqual(row(r), ['adam', 2e-4, 0, 0.9, 10, 5, 64, 128, 128, 100_000]);
    assert.deepEqual([r.lrDecay, r.conditional, r.acgan], ['linear', false, false]);
    // ... with CONDITIONAL and ACGAN: ACGAN_SCALE 1 (critic, real data), ACGAN_SCALE_G 0.1.
    const a = resolveImageConfig({ preset: 'cifar10-resnet-acgan' });
    assert.deepEqual(row(a), row(r));
    assert.deepEqual([a.lrDecay, a.conditional, a.acgan, a.acganScale, a.acganScaleG], ['linear', true, true, 1, 0.1]);
    // gan_64x64.py (wgan-gp in the code): Adam(1e-4, β1 0, β2 0.9), BATCH_SIZE 64, DIM 64, ITERS 200000.
    for (const arch of Object.keys(LSUN64_ARCHS)) {
      const c = resolveImageConfig({ preset: `lsun64-${arch}` });
      assert.deepEqual(row(c), ['adam', 1e-4, 0, 0.9, 10, 5, 64, 64, 64, 200_000], arch);
      assert.deepEqual([c.family, c.arch, c.lrDecay], ['lsun64', arch, 'none']);
    }
    // The data's pixel scalings and the classifier are per family.
    assert.equal(resolveImageConfig({ preset: 'mnist' }).classifier, 'mnist');
    assert.equal(resolveImageConfig({ preset: 'cifar10-dcgan' }).classifier, 'cifar10');
    assert.equal(resolveImageConfig({ preset: 'lsun64-dcgan' }).classifier, null);
  });

  it('--loss switches to the baselines with their reference settings, on every preset', () => {
    for (const preset of ['mnist', 'cifar10-resnet', 'lsun64-dcgan']) {
      const w = resolveImageConfig({ preset, flags: { loss: 'wgan' } });
      assert.deepEqual([w.optimizer, w.lr, w.clip, w.nCritic, w.lrDecay], ['rmsprop', 5e-5, 0.01, 5, 'none'], preset);
      const g = resolveImageConfig({ preset, flags: { loss: 'gan' } });
      assert.deepEqual([g.optimizer, g.lr, g.beta1, g.beta2, g.nCritic, g.lrDecay], ['adam', 2e-4, 0.5, 0.999, 1, 'none'], preset);
      const l = resolveImageConfig({ preset, flags: { loss: 'lsgan' } });
      assert.deepEqual([l.optimizer, l.lr, l.nCritic], ['rmsprop', 1e-4, 1], preset);
    }
    // The preset's structure stays: batch sizes and width do not depend on the loss.
    const w = resolveImageConfig({ preset: 'cifar10-resnet', flags: { loss: 'wgan' } });
    assert.deepEqual([w.batchSize, w.generatorBatchSize, w.dim], [64, 128, 128]);
    // Flags win over the file, the file over the preset.
    const f = resolveImageConfig({ preset: 'mnist', file: { iters: 7, dim: 32, loss: 'gan' }, flags: { iters: 9 } });
    assert.deepEqual([f.iters, f.dim, f.loss, f.lr], [9, 32, 'gan', 2e-4]);
  });

  it('names unknown archs, presets and settings and out-of-range values', () => {
    assert.throws(() => resolveImageConfig({ preset: 'lsun64-transformer' }), (e: Error) => e instanceof ConfigError && /unknown arch 'transformer'.*resnet, dcgan/.test(e.message));
    assert.throws(() => imagePreset('cifar10-vit'), /unknown image preset 'cifar10-vit'; available: mnist, cifar10-dcgan/);
    assert.throws(() => checkImagePartial({ hidden: 3 }, 'flags'), /flags: unknown setting 'hidden' for an image run/);
    assert.throws(() => checkImagePartial({ dim: 0 }, 'flags'), /flags: dim must be >= 1, got 0/);
    assert.throws(() => checkImagePartial({ data: '' }, 'flags'), /data must be a non-empty string/);
    assert.throws(() => resolveImageConfig({ preset: 'mnist', flags: { conditional: true } }), /conditional models exist only for the cifar10-resnet presets/);
    assert.throws(() => resolveImageConfig({ preset: 'cifar10-resnet', flags: { acgan: true } }), /acgan needs conditional/);
    assert.throws(() => resolveImageConfig({ preset: 'cifar10-dcgan', flags: { criticShards: 2, loss: 'wgan' } }), /criticShards 2 needs loss wgan-gp .*got 'wgan'/);
    assert.throws(() => resolveImageConfig({ preset: 'mnist', flags: { criticShards: 2, device: 'webgpu' } }), /criticShards 2 runs on the cpu device only/);
    assert.throws(() => resolveImageConfig({ preset: 'mnist', flags: { criticShards: 4, batchSize: 3 } }), /criticShards 4 is more than batchSize 3/);
    assert.equal(resolveImageConfig({ preset: 'mnist' }).criticShards, 1);
    // A run saved before criticShards existed trained unsharded.
    const { criticShards: _c, ...old } = resolveImageConfig({ preset: 'mnist' });
    assert.equal(checkImageConfig(old, 'old/config.json').criticShards, 1);
    assert.throws(() => resolveImageConfig({ preset: 'lsun64-resnet-101', flags: { dim: 6 } }), /multiple of 4/);
    assert.equal(isImagePreset('mnist'), true);
    assert.equal(isImagePreset('lsun64-anything'), true, 'lsun64-* reaches the image path, which names the archs');
    assert.equal(isImagePreset('toy-8gaussians'), false);
  });

  it('a resolved config passes the run-folder check unchanged, and a damaged one is refused', () => {
    for (const name of Object.keys(IMAGE_PRESETS)) {
      const c = resolveImageConfig({ preset: name });
      assert.deepEqual(checkImageConfig(JSON.parse(JSON.stringify(c)), 'config.json'), c);
    }
    const c = JSON.parse(JSON.stringify(resolveImageConfig({ preset: 'mnist' }))) as Record<string, unknown>;
    delete c.batchSize;
    assert.throws(() => checkImageConfig(c, 'config.json'), /config\.json lacks settings: batchSize/);
    assert.throws(() => checkImageConfig({ ...c, batchSize: 50, family: 'lsun64' }, 'config.json'), /family "lsun64" does not match preset 'mnist'/);
  });
});
