import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testFixture, testRunEnv } from '../../../test/support/run-env.js';
import type { Tensor } from '../../tensor/tensor.js';
import { applyCheckpoint, CheckpointError, loadCheckpoint, saveCheckpoint } from '../../gan/checkpoint.js';
import { registerExperiment, resolveRunConfig, type ResolveInput } from '../experiment.js';
import { loadRunModel, readRun, resumeRunFolder, trainRun, type TrainOptions } from '../runs.js';
import { toyExperiment, type ToyConfig } from './index.js';
import { buildToyModel, evalSet, generate, toyMetrics, type ToyModel } from './model.js';

registerExperiment(toyExperiment);
const env = testRunEnv(() => fx.backend);
const resolveConfig = (input: ResolveInput): ToyConfig => resolveRunConfig(toyExperiment, input);
const trainToy = (c: ToyConfig, dir: string, opts: TrainOptions) => trainRun(toyExperiment, c, dir, env, opts);
const loadToyRun = async (dir: string): Promise<ToyModel> => loadRunModel(toyExperiment, (await readRun(dir)).run as never, env);

const fx = testFixture('wgan-gp-trainer-');

/** A tiny config: same code paths as the presets, milliseconds per step. */
function tiny(flags: Partial<ToyConfig> = {}): ToyConfig {
  return resolveConfig({
    preset: 'toy-8gaussians',
    flags: { hidden: 16, batchSize: 32, iters: 4, logEvery: 2, evalEvery: 2, evalSamples: 64, plotEvery: 0, checkpointEvery: 2, ...flags },
  });
}

const snapshot = (ts: readonly Tensor[]): Float32Array[] => ts.map((t) => Float32Array.from(t.value!));
const changed = (a: readonly Float32Array[], ts: readonly Tensor[]): boolean => ts.some((t, i) => t.value!.some((v, k) => v !== a[i]![k]));

describe('Trainer', () => {
  it('follows the reference loop: no generator step at iteration 0, then one per iteration after n_critic critic steps', async () => {
    const { trainer, generator, critic } = buildToyModel(tiny({ nCritic: 3 }));
    const g0 = snapshot(generator.parameters());
    const d0 = snapshot(critic.parameters());
    const s0 = await trainer.iterate();
    assert.equal(s0.iteration, 0);
    assert.equal(s0.generatorLoss, undefined, 'iteration 0 has no generator step');
    assert.equal(changed(g0, generator.parameters()), false, 'generator untouched at iteration 0');
    assert.equal(changed(d0, critic.parameters()), true);
    assert.equal(trainer.criticOptimizer.stepCount, 3);
    assert.equal(trainer.generatorOptimizer.stepCount, 0);
    const s1 = await trainer.iterate();
    assert.equal(typeof s1.generatorLoss, 'number');
    assert.equal(changed(g0, generator.parameters()), true);
    assert.equal(trainer.criticOptimizer.stepCount, 6);
    assert.equal(trainer.generatorOptimizer.stepCount, 1);
    for (const v of [s1.criticLoss, s1.wasserstein, s1.penalty!, s1.gradNorm!, s1.generatorLoss!]) assert.ok(Number.isFinite(v));
    // The logged critic loss is the Wasserstein term plus the penalty.
    assert.ok(Math.abs(s1.criticLoss - (-s1.wasserstein + s1.penalty!)) < 1e-5);
  });

  it('realizes each step in one cached session: no new sessions after the first iteration', async () => {
    const { trainer } = buildToyModel(tiny({ hidden: 8 }));
    await trainer.iterate();
    await trainer.iterate(); // the first generator step compiles its session here
    const n = fx.backend.sessionsCreated;
    for (let i = 0; i < 3; i++) await trainer.iterate();
    assert.equal(fx.backend.sessionsCreated, n);
  });

  it('wgan keeps every critic weight in [−c, c] after each critic step', async () => {
    const { trainer, critic } = buildToyModel(tiny({ loss: 'wgan', clip: 0.01 }));
    const before = critic.parameters().map((p) => Math.max(...Array.from(p.value!, Math.abs)));
    assert.ok(Math.max(...before) > 0.01, 'the initial weights exceed the box');
    await trainer.iterate();
    for (const p of critic.parameters()) for (const v of p.value!) assert.ok(Math.abs(v) <= 0.01 + 1e-9);
  });

  for (const loss of ['gan', 'lsgan'] as const) {
    it(`trains with the ${loss} objective`, async () => {
      const { trainer } = buildToyModel(tiny({ loss }));
      await trainer.iterate();
      const s = await trainer.iterate();
      assert.ok(Number.isFinite(s.criticLoss) && Number.isFinite(s.generatorLoss!));
      assert.equal(s.penalty, undefined);
      assert.equal(trainer.criticOptimizer.stepCount, 2, `${loss} takes one critic step per iteration`);
    });
  }

  it('is reproducible: the same seed gives the same parameters', async () => {
    const a = buildToyModel(tiny());
    const b = buildToyModel(tiny());
    for (let i = 0; i < 2; i++) {
      await a.trainer.iterate();
      await b.trainer.iterate();
    }
    assert.equal(changed(snapshot(a.critic.parameters()), b.critic.parameters()), false);
    const [fa, fb] = [await a.trainer.fixedSamples(), await b.trainer.fixedSamples()];
    assert.deepEqual(fa.shape, [128, 2]);
    assert.deepEqual(Array.from(fa.value!), Array.from(fb.value!));
    const c = buildToyModel(tiny({ seed: 2 }));
    assert.equal(changed(snapshot(a.generator.parameters()), c.generator.parameters()), true);
  });
});

describe('toy WGAN-GP training', () => {
  it('captures all 8 modes of 8 Gaussians with a good share of high-quality samples', async () => {
    // gan_toy.py's setup (3-layer ReLU MLPs, Adam β = (0.5, 0.9), λ = 0.1, 5 critic steps, batch 256)
    // made small and fast: 64-wide layers, a 20× larger learning rate decayed linearly to 0, which
    // settles the generator on the modes within 500 iterations (about 10-20 s on 2 cores).
    const config = resolveConfig({ preset: 'toy-8gaussians', flags: { hidden: 64, lr: 2e-3, lrDecay: 'linear', iters: 500 } });
    const model = buildToyModel(config);
    const ev = evalSet(config, 2500);
    const untrained = toyMetrics(model.dataset, await generate(model, ev.evalNoise), ev.evalReal);
    for (let i = 0; i < config.iters; i++) await model.trainer.iterate();
    const m = toyMetrics(model.dataset, await generate(model, ev.evalNoise), ev.evalReal);
    assert.equal(m.totalModes, 8);
    assert.equal(m.modesCaptured, 8, JSON.stringify(m));
    // Seeds 1-4 give 22-45% here; an untrained generator gives ~0%.
    assert.ok(m.highQualityPct! >= 15, `only ${m.highQualityPct!.toFixed(1)}% of samples within 3σ of a mode`);
    assert.ok(untrained.highQualityPct! < 2);
    assert.ok(m.w1! < untrained.w1! / 2, `W1 ${m.w1} vs untrained ${untrained.w1}`);
  });
});

describe('checkpoints', () => {
  it('a resumed run equals an uninterrupted one, bit for bit (parameters, optimizer slots, metrics)', async () => {
    // 25 Gaussians also checks the data position (its pool cursor) is restored.
    const config = tiny({ dataset: '25gaussians', iters: 7, checkpointEvery: 3, logEvery: 2, evalEvery: 2 });
    const a = join(fx.root, 'straight');
    const b = join(fx.root, 'interrupted');
    await trainToy(config, a, { handleSignals: false });
    const stopped = await trainToy(config, b, { handleSignals: false, stopAfter: 4 });
    assert.equal(stopped.interrupted, 'stopAfter');
    assert.equal(stopped.iteration, 4);
    const resumed = await resumeRunFolder(b, env, { handleSignals: false });
    assert.equal(resumed.iteration, 7);
    const ra = await loadToyRun(a);
    const rb = await loadToyRun(b);
    const all = (m: typeof ra): Tensor[] => [
      ...m.generator.parameters(),
      ...m.critic.parameters(),
      ...Object.values(m.trainer.generatorOptimizer.state().slots),
      ...Object.values(m.trainer.criticOptimizer.state().slots),
    ];
    assert.equal(changed(snapshot(all(ra)), all(rb)), false, 'parameters and slots identical');
    assert.deepEqual(rb.trainer.state(), ra.trainer.state());
    const strip = (s: string): unknown[] => s.trim().split('\n').map((l) => ({ ...JSON.parse(l), elapsed: 0 }));
    const ma = strip(await readFile(join(a, 'metrics.jsonl'), 'utf8'));
    assert.equal(ma.length, 4, 'iterations 2, 4, 6 and the last one, 7');
    assert.deepEqual(strip(await readFile(join(b, 'metrics.jsonl'), 'utf8')), ma);
  });

  it('detects corrupted, incomplete and mismatched checkpoints', async () => {
    const m = buildToyModel(tiny());
    await m.trainer.iterate();
    const dir = join(fx.root, 'ckpt');
    await assert.rejects(loadCheckpoint(dir), (e: Error) => e instanceof CheckpointError && /no checkpoint/.test(e.message));
    await saveCheckpoint(dir, m.trainer);
    const ok = await loadCheckpoint(dir);
    assert.equal(ok.manifest.iteration, 1);

    const weights = join(dir, ok.manifest.weights);
    const bytes = await readFile(weights);
    bytes[bytes.length - 3] ^= 0xff;
    await writeFile(weights, bytes);
    await assert.rejects(loadCheckpoint(dir), (e: Error) => e instanceof CheckpointError && /corrupted checkpoint.*checksum/.test(e.message));
    await rm(weights);
    await assert.rejects(loadCheckpoint(dir), /weights file .* is missing/);

    await writeFile(join(dir, 'checkpoint.json'), '{"format": "wgan-gp-checkpoint", "vers');
    await assert.rejects(loadCheckpoint(dir), /not valid JSON/);

    // Another architecture: refused before anything is assigned.
    const other = buildToyModel(tiny({ hidden: 8 }));
    const before = snapshot(other.critic.parameters());
    assert.throws(() => applyCheckpoint(other.trainer, ok), /does not match the model: 'generator.layers.0.weight' has shape \[2,16\] in the file, the model expects \[2,8\]/);
    assert.equal(changed(before, other.critic.parameters()), false);
  });
});

describe('toy runs and the backend', () => {
  it('ask for spinning threads where the iteration is one fused run, not for deeper MLPs', async () => {
    const before = env.hints.length;
    await trainToy(tiny({ iters: 1, evalEvery: 0, checkpointEvery: 1 }), join(fx.root, 'hints-fused'), {});
    await trainToy(tiny({ iters: 1, evalEvery: 0, checkpointEvery: 1, layers: 9 }), join(fx.root, 'hints-deep'), {});
    assert.deepEqual(env.hints.slice(before), [{ spinning: true }, { spinning: false }]);
  });
});
