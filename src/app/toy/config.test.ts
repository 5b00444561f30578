import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOSS_DEFAULTS } from '../common.js';
import { checkKindPartial, registerExperiment, resolveRunConfig, type ResolveInput } from '../experiment.js';
import { ConfigError } from '../settings.js';
import { TOY_FIELDS, TOY_PRESETS, toyExperiment, type ToyConfig } from './index.js';

registerExperiment(toyExperiment);
const resolveConfig = (input: ResolveInput): ToyConfig => resolveRunConfig(toyExperiment, input);
const checkPartialConfig = (raw: unknown, source: string): Record<string, unknown> => checkKindPartial(toyExperiment, raw, source);

describe('toy run config', () => {
  it('a preset gives the reference WGAN-GP hyperparameters of gan_toy.py', () => {
    const c = resolveConfig({ preset: 'toy-8gaussians' });
    assert.equal(c.dataset, '8gaussians');
    assert.equal(c.loss, 'wgan-gp');
    assert.equal(c.lambda, 0.1);
    assert.equal(c.nCritic, 5);
    assert.equal(c.batchSize, 256);
    assert.deepEqual([c.optimizer, c.beta1, c.beta2], ['adam', 0.5, 0.9]);
    // The one departure, for a few-minute run: lr 1e-3 decayed linearly (reference: 1e-4 for 100k iterations).
    assert.deepEqual([c.lr, c.lrDecay], [1e-3, 'linear']);
    assert.deepEqual([resolveConfig({ flags: { loss: 'wgan-gp' } }).lr, resolveConfig({ flags: { loss: 'wgan-gp' } }).lrDecay], [1e-4, 'none']);
    assert.deepEqual([c.hidden, c.layers, c.noiseDim], [512, 3, 2]);
    assert.equal(c.preset, 'toy-8gaussians');
  });

  it('choosing a loss brings its reference optimiser, and explicit settings win over it', () => {
    const w = resolveConfig({ preset: 'toy-swissroll', flags: { loss: 'wgan' } });
    assert.deepEqual([w.optimizer, w.lr, w.clip, w.nCritic, w.lrDecay], ['rmsprop', 5e-5, 0.01, 5, 'none']);
    const g = resolveConfig({ preset: 'toy-swissroll', flags: { loss: 'gan', lr: 1e-3 } });
    assert.deepEqual([g.optimizer, g.lr, g.beta1, g.nCritic], ['adam', 1e-3, 0.5, 1]);
    // The loss may come from the config file too; flags still override the file.
    const f = resolveConfig({ file: { loss: 'lsgan', iters: 7 }, flags: { iters: 9 } });
    assert.deepEqual([f.loss, f.optimizer, f.lr, f.iters], ['lsgan', 'rmsprop', 1e-4, 9]);
    assert.equal(LOSS_DEFAULTS.gan.beta2, 0.999);
  });

  it('every preset resolves to a valid config', () => {
    for (const name of Object.keys(TOY_PRESETS)) assert.equal(resolveConfig({ preset: name }).preset, name);
    assert.equal(resolveConfig({}).dataset, TOY_FIELDS.dataset.default);
    assert.equal(resolveConfig({}).kind, 'toy');
  });

  it('rejects unknown presets, unknown settings and out-of-range values, naming them', () => {
    assert.throws(() => resolveConfig({ preset: 'toy-9gaussians' }), (e: Error) => e instanceof ConfigError && /unknown preset 'toy-9gaussians'.*toy-8gaussians/.test(e.message));
    assert.throws(() => checkPartialConfig({ lamda: 1 }, 'cfg.json'), /cfg\.json: unknown setting 'lamda'/);
    assert.throws(() => checkPartialConfig({ lambda: -1 }, 'flags'), /flags: lambda must be >= 0, got -1/);
    assert.throws(() => checkPartialConfig({ clip: 0 }, 'flags'), /clip must be > 0/);
    assert.throws(() => checkPartialConfig({ nCritic: 2.5 }, 'flags'), /nCritic must be an integer/);
    assert.throws(() => checkPartialConfig({ dataset: 'mnist' }, 'flags'), /dataset must be one of 8gaussians, 25gaussians, swissroll/);
    assert.throws(() => checkPartialConfig({ oneSided: 'yes' }, 'flags'), /oneSided must be true or false/);
    assert.throws(() => checkPartialConfig([1, 2], 'cfg.json'), /expected a JSON object/);
  });

  it('suggests the setting a typo meant, and refuses keys such as constructor and __proto__ like any unknown key', () => {
    assert.throws(() => checkPartialConfig({ lamda: 1 }, 'cfg.json'), /unknown setting 'lamda' \(did you mean 'lambda'\?\)/);
    assert.throws(() => checkPartialConfig({ nCritc: 1 }, 'cfg.json'), /did you mean 'nCritic'/);
    assert.throws(() => checkPartialConfig({ zzzzzz: 1 }, 'cfg.json'), (e: Error) => /unknown setting 'zzzzzz'; known settings: kind, preset, dataset, loss/.test(e.message) && !/did you mean/.test(e.message));
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const raw = JSON.parse(`{"${key}": 1}`) as unknown;
      assert.throws(() => checkPartialConfig(raw, 'cfg.json'), (e: Error) => e instanceof ConfigError && e.message.includes(`unknown setting '${key}'`), key);
      assert.throws(() => resolveConfig({ file: raw as Record<string, unknown> }), (e: Error) => e instanceof ConfigError && e.message.includes(`'${key}'`), key);
    }
    // An editor's $schema link is not a setting and is ignored.
    assert.equal(resolveConfig({ file: { $schema: '../schema/toy.schema.json', iters: 3 } }).iters, 3);
  });
});
