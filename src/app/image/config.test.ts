import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LSUN64_ARCHS } from '../../gan/models/lsun64.js';
import { checkSavedConfig, kindOfPreset, registerExperiment, resolveRunConfig, type ResolveInput } from '../experiment.js';
import { checkPartial, ConfigError } from '../settings.js';
import { IMAGE_FIELDS, IMAGE_PRESETS, imageExperiment, type ImageConfig } from './index.js';

registerExperiment(imageExperiment);

const resolve = (input: ResolveInput): ImageConfig => resolveRunConfig(imageExperiment, input);
const saved = (raw: unknown, source: string): ImageConfig => checkSavedConfig(imageExperiment, raw, source, imageExperiment.savedCompat);

/** The settings a reference script fixes, as [optimizer, lr, β1, β2, λ, n_critic, batch, generator batch, DIM, iterations]. */
const row = (c: ImageConfig): unknown[] => [c.optimizer, c.lr, c.beta1, c.beta2, c.lambda, c.nCritic, c.batchSize, c.generatorBatchSize, c.dim, c.iters];

describe('image run config', () => {
  it('each preset carries its reference script hyperparameters', () => {
    // gan_mnist.py: Adam(1e-4, 0.5, 0.9), LAMBDA 10, CRITIC_ITERS 5, BATCH_SIZE 50, DIM 64, ITERS 200000.
    assert.deepEqual(row(resolve({ preset: 'mnist' })), ['adam', 1e-4, 0.5, 0.9, 10, 5, 50, 50, 64, 200_000]);
    // gan_cifar.py: the same optimiser, BATCH_SIZE 64, DIM 128.
    assert.deepEqual(row(resolve({ preset: 'cifar10-dcgan' })), ['adam', 1e-4, 0.5, 0.9, 10, 5, 64, 64, 128, 200_000]);
    // gan_cifar_resnet.py: LR 2e-4 with β1 0, β2 0.9, linear decay to 0 over ITERS 100000, critic batch 64, GEN_BS_MULTIPLE 2.
    const r = resolve({ preset: 'cifar10-resnet' });
    assert.deepEqual(row(r), ['adam', 2e-4, 0, 0.9, 10, 5, 64, 128, 128, 100_000]);
    assert.deepEqual([r.lrDecay, r.conditional, r.acgan], ['linear', false, false]);
    // ... with CONDITIONAL and ACGAN: ACGAN_SCALE 1 (critic, real data), ACGAN_SCALE_G 0.1.
    const a = resolve({ preset: 'cifar10-resnet-acgan' });
    assert.deepEqual(row(a), row(r));
    assert.deepEqual([a.lrDecay, a.conditional, a.acgan, a.acganScale, a.acganScaleG], ['linear', true, true, 1, 0.1]);
    // gan_64x64.py (wgan-gp in the code): Adam(1e-4, β1 0, β2 0.9), BATCH_SIZE 64, DIM 64, ITERS 200000.
    for (const arch of Object.keys(LSUN64_ARCHS)) {
      const c = resolve({ preset: `lsun64-${arch}` });
      assert.deepEqual(row(c), ['adam', 1e-4, 0, 0.9, 10, 5, 64, 64, 64, 200_000], arch);
      assert.deepEqual([c.family, c.arch, c.lrDecay], ['lsun64', arch, 'none']);
    }
    // The identity comes from the preset; the data's pixel scalings and the classifier are per family.
    const m = resolve({ preset: 'mnist' });
    assert.deepEqual([m.kind, m.preset, m.family, m.arch], ['image', 'mnist', 'mnist', null]);
    assert.equal(m.classifier, 'mnist');
    assert.equal(resolve({ preset: 'cifar10-dcgan' }).classifier, 'cifar10');
    assert.equal(resolve({ preset: 'lsun64-dcgan' }).classifier, null);
    // The image scripts' run cadence, not the toy runs'.
    assert.deepEqual([m.evalEvery, m.plotEvery, m.checkpointEvery, m.logEvery, m.evalSamples, m.devSamples, m.criticShards], [100, 100, 1000, 100, 1000, 1000, 1]);
    assert.equal(imageExperiment.runName(m), 'mnist');
  });

  it('--loss switches to the baselines with their reference settings, on every preset', () => {
    for (const preset of ['mnist', 'cifar10-resnet', 'lsun64-dcgan']) {
      const w = resolve({ preset, flags: { loss: 'wgan' } });
      assert.deepEqual([w.optimizer, w.lr, w.clip, w.nCritic, w.lrDecay], ['rmsprop', 5e-5, 0.01, 5, 'none'], preset);
      const g = resolve({ preset, flags: { loss: 'gan' } });
      assert.deepEqual([g.optimizer, g.lr, g.beta1, g.beta2, g.nCritic, g.lrDecay], ['adam', 2e-4, 0.5, 0.999, 1, 'none'], preset);
      const l = resolve({ preset, flags: { loss: 'lsgan' } });
      assert.deepEqual([l.optimizer, l.lr, l.nCritic], ['rmsprop', 1e-4, 1], preset);
    }
    // The preset's structure stays: batch sizes and width do not depend on the loss.
    const w = resolve({ preset: 'cifar10-resnet', flags: { loss: 'wgan' } });
    assert.deepEqual([w.batchSize, w.generatorBatchSize, w.dim], [64, 128, 128]);
    // Flags win over the file, the file over the preset.
    const f = resolve({ preset: 'mnist', file: { iters: 7, dim: 32, loss: 'gan' }, flags: { iters: 9 } });
    assert.deepEqual([f.iters, f.dim, f.loss, f.lr], [9, 32, 'gan', 2e-4]);
    // A config file may name the preset.
    assert.equal(resolve({ file: { preset: 'cifar10-dcgan', dim: 16 } }).family, 'cifar10-dcgan');
  });

  it('names unknown archs, presets and settings and out-of-range values', () => {
    assert.throws(() => resolve({ preset: 'lsun64-transformer' }), (e: Error) => e instanceof ConfigError && /unknown arch 'transformer'.*resnet, dcgan/.test(e.message));
    assert.throws(() => kindOfPreset('lsun64-vit'), /unknown arch 'vit' in preset 'lsun64-vit'; the gan_64x64\.py archs are: resnet, dcgan, constant-filter-g, mlp-g, no-norm, gated, tanh, resnet-101/);
    assert.throws(() => kindOfPreset('cifar10-vit'), /unknown image preset 'cifar10-vit'; available: mnist, cifar10-dcgan/);
    assert.equal(imageExperiment.unknownPreset!('toy-8gausians'), undefined, 'other names are not the image kind’s to answer');
    assert.throws(() => resolve({ preset: 'mnist', flags: { hidden: 3 } }), /command line: unknown setting 'hidden'/);
    assert.throws(() => checkPartial(IMAGE_FIELDS, { dim: 0 }, 'flags'), /flags: dim must be >= 1, got 0/);
    assert.throws(() => resolve({ preset: 'mnist', flags: { dim: 0 } }), /command line: dim must be >= 1, got 0/);
    assert.throws(() => checkPartial(IMAGE_FIELDS, { data: '' }, 'flags'), /data must be a non-empty string/);
    assert.throws(() => checkPartial(IMAGE_FIELDS, { evalSamples: 9 }, 'flags'), /flags: evalSamples must be >= 10, got 9/);
    assert.throws(() => resolve({ preset: 'mnist', flags: { conditional: true } }), /conditional models exist only for the cifar10-resnet presets/);
    assert.throws(() => resolve({ preset: 'cifar10-resnet', flags: { acgan: true } }), /acgan needs conditional/);
    assert.throws(() => resolve({ preset: 'cifar10-dcgan', flags: { criticShards: 2, loss: 'wgan' } }), /criticShards 2 needs loss wgan-gp .*got 'wgan'/);
    assert.throws(() => resolve({ preset: 'mnist', flags: { criticShards: 2, device: 'webgpu' } }), /criticShards 2 runs on the cpu device only/);
    assert.throws(() => resolve({ preset: 'mnist', flags: { criticShards: 4, batchSize: 3 } }), /criticShards 4 is more than batchSize 3/);
    assert.equal(resolve({ preset: 'mnist' }).criticShards, 1);
    // A run saved before criticShards existed trained unsharded.
    const { criticShards: _c, ...old } = resolve({ preset: 'mnist' });
    assert.equal(saved(old, 'old/config.json').criticShards, 1);
    assert.throws(() => resolve({ preset: 'lsun64-resnet-101', flags: { dim: 6 } }), /multiple of 4/);
    assert.throws(() => resolve({}), /image runs need a preset: mnist, cifar10-dcgan/);
  });

  it('a resolved config passes the run-folder check unchanged, and a damaged one is refused', () => {
    for (const name of Object.keys(IMAGE_PRESETS)) {
      const c = resolve({ preset: name });
      assert.deepEqual(saved(JSON.parse(JSON.stringify(c)), 'config.json'), c);
    }
    const c = JSON.parse(JSON.stringify(resolve({ preset: 'mnist' }))) as Record<string, unknown>;
    delete c.batchSize;
    assert.throws(() => saved(c, 'config.json'), /config\.json lacks settings: batchSize/);
    assert.throws(() => saved({ ...c, batchSize: 50, family: 'lsun64' }, 'config.json'), /config\.json: family "lsun64" does not match preset 'mnist'/);
    assert.throws(() => saved({ ...c, batchSize: 50, kind: 'toy' }, 'config.json'), /kind 'toy' does not match the 'image' experiment/);
  });

  it('saves data and classifier paths absolute, keeping a bundled classifier by name', () => {
    const c = resolve({ preset: 'cifar10-dcgan', flags: { data: 'cifar', classifier: 'models/x.onnx' } });
    const s = imageExperiment.toSaved!(c);
    assert.deepEqual([s.data, s.classifier], [`${process.cwd()}/cifar`, `${process.cwd()}/models/x.onnx`]);
    assert.equal(imageExperiment.toSaved!(resolve({ preset: 'cifar10-dcgan' })).classifier, 'cifar10');
    assert.deepEqual([...(imageExperiment.files ?? [])], ['ceiling.json']);
  });
});
