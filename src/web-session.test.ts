/**
 * The playground's training session (web/session.ts) in Node: its URL config, and its numbers
 * against the CLI's. The page runs the session on onnxruntime-web's WebAssembly build, which runs
 * here too, so "the page's WGAN-GP numbers equal the Node engine's" is checked without a browser:
 * the session on onnxruntime-web against `wgan-gp train`'s toy model (buildToyModel) on
 * onnxruntime-node, same seed and settings.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { resolveRunConfig } from './app/experiment.js';
import { toyExperiment } from './app/toy/index.js';
import { buildToyModel } from './app/toy/model.js';
import { ortBackend } from './node.js';
import { setBackend } from './tensor/tensor.js';
import { ortWebBackend } from './web.js';
import { configQuery, GRID, LOSSES as PAGE_LOSSES, MANIFOLD, parseConfig, PLAYGROUND_DATASETS, PLAYGROUND_DEFAULTS, SHOWN } from '../web/config.js';
import { configFromRun, drawnData, Session } from '../web/session.js';
import { loadCheckpoint, saveCheckpoint } from './gan/checkpoint.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOY_DATASETS } from './data/toy.js';
import { LOSSES } from './gan/losses.js';
import { Rng } from './tensor/random.js';

const web = ortWebBackend({ threads: 1 });
after(() => web.dispose?.());

describe('playground config (the URL state)', () => {
  it('round-trips through the URL, writing only what differs from the defaults', () => {
    assert.equal(configQuery(parseConfig('')), '');
    const c = parseConfig('losses=wgan-gp,wgan&lambda=10&oneSided=1&dataset=drawn&points=0.5,-1,1.25,2&hidden=32&lrG=0.0002');
    assert.deepEqual(c.losses, ['wgan-gp', 'wgan']);
    assert.equal(c.lambda, 10);
    assert.equal(c.oneSided, true);
    assert.deepEqual(c.points, [0.5, -1, 1.25, 2]);
    assert.equal(c.lr, PLAYGROUND_DEFAULTS.lr);
    assert.deepEqual(parseConfig(configQuery(c)), c);
  });

  it("names the engine's losses and datasets (the page bundle keeps its own copy of the names)", () => {
    assert.deepEqual(PAGE_LOSSES, LOSSES);
    assert.deepEqual(PLAYGROUND_DATASETS, [...TOY_DATASETS, 'drawn']);
  });

  it('rejects bad values naming the parameter and the value', () => {
    assert.throws(() => parseConfig('lambda=-1'), /lambda must be a number in \[0, 1000000\], got '-1'/);
    assert.throws(() => parseConfig('hidden=12.5'), /hidden must be an integer .* got '12.5'/);
    assert.throws(() => parseConfig('losses=wgan-gp,hinge'), /losses must be one of wgan-gp, wgan, gan, lsgan, got 'hinge'/);
    assert.throws(() => parseConfig('dataset=moons'), /dataset must be one of .*drawn, got 'moons'/);
    assert.throws(() => parseConfig('lamda=1'), /unknown URL parameter 'lamda'/);
    assert.throws(() => parseConfig('dataset=drawn'), /dataset 'drawn' needs points/);
    assert.throws(() => parseConfig('dataset=drawn&points=1,2,3'), /points must be x,y pairs/);
  });

  it('draws points around the drawn ones', () => {
    const d = drawnData([1, 1, -1, 0]);
    const x = d.sample(400, new Rng(0));
    let near = 0;
    for (let i = 0; i < 400; i++) {
      const [a, b] = [x[2 * i]!, x[2 * i + 1]!];
      if (Math.hypot(a - 1, b - 1) < 0.15 || Math.hypot(a + 1, b) < 0.15) near++;
    }
    assert.equal(near, 400);
    assert.throws(() => drawnData([]), /at least one x,y point/);
  });
});

describe('playground session', () => {
  it("trains WGAN-GP with the CLI's numbers: onnxruntime-web in the session = onnxruntime-node in buildToyModel, same seed", async () => {
    const flags = { dataset: '8gaussians', hidden: 32, layers: 3, batchSize: 64, nCritic: 2, lr: 1e-3, lambda: 0.1, seed: 4 };
    const cli = buildToyModel(resolveRunConfig(toyExperiment, { flags }));
    const node = ortBackend({ threads: 1 });
    const want: number[][] = [];
    try {
      setBackend(node);
      for (let i = 0; i < 3; i++) {
        const s = await cli.trainer.iterate();
        want.push([s.criticLoss, s.wasserstein, s.penalty!, s.gradNorm!, s.generatorLoss ?? NaN]);
      }
    } finally {
      await node.dispose();
    }
    setBackend(web);
    const session = new Session(parseConfig('losses=wgan-gp&hidden=32&batch=64&nCritic=2&lr=0.001&lrG=0.001&seed=4'));
    const got: number[][] = [];
    for (let i = 0; i < 3; i++) {
      await session.iterate();
      const s = session.lanes[0]!.last!;
      got.push([s.criticLoss, s.wasserstein, s.penalty!, s.gradNorm!, s.generatorLoss ?? NaN]);
    }
    want.forEach((row, i) =>
      row.forEach((w, k) => {
        const g = got[i]![k]!;
        if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `iteration ${i} field ${k}: no generator step at iteration 0`);
        else assert.ok(Math.abs(g - w) <= 1e-4 * Math.max(1, Math.abs(w)), `iteration ${i}, value ${k}: page ${g}, CLI ${w}`);
      }),
    );
  });

  it('trains every loss on the same data and seed; step mode runs exactly one critic or generator step; views are complete', async () => {
    setBackend(web);
    const session = new Session(parseConfig('hidden=16&batch=32&nCritic=2&seed=2'));
    assert.deepEqual(session.lanes.map((l) => l.loss), ['wgan-gp', 'wgan', 'gan', 'lsgan']);
    // Same seed: identical initial generators in every lane.
    const g0 = session.lanes.map((l) => Array.from(l.generator.parameters()[0]!.value!));
    for (const g of g0) assert.deepEqual(g, g0[0]);
    await session.iterate();
    for (const l of session.lanes) assert.deepEqual([l.trainer.iteration, l.criticSteps, l.generatorSteps], [1, 2, 0], l.loss);
    const v0 = await session.views();
    await session.step('critic');
    const v1 = await session.views();
    for (const [k, l] of session.lanes.entries()) {
      assert.deepEqual([l.criticSteps, l.generatorSteps], [3, 0], `${l.loss}: one critic step`);
      assert.notDeepEqual(v1[k]!.critic, v0[k]!.critic, `${l.loss}: the critic changed`);
      assert.deepEqual(v1[k]!.fake, v0[k]!.fake, `${l.loss}: the generator did not`);
    }
    await session.step('generator');
    const v2 = await session.views();
    for (const [k, l] of session.lanes.entries()) {
      assert.deepEqual([l.criticSteps, l.generatorSteps], [3, 1], `${l.loss}: one generator step`);
      assert.deepEqual(v2[k]!.critic, v1[k]!.critic, `${l.loss}: the critic did not change`);
      assert.notDeepEqual(v2[k]!.fake, v1[k]!.fake, `${l.loss}: the generator changed`);
    }
    assert.equal(v2[0]!.history.length, 0, 'a generator step alone logs no history point');
    assert.equal(v0[0]!.history.length, 1, 'the first view carries the iteration logged before it');
    const v = v2[0]!;
    assert.equal(v.critic.length, GRID * GRID);
    assert.equal(v.gradNorm.length, GRID * GRID);
    assert.equal(v.fake.length, 2 * SHOWN);
    assert.equal(v.arrows.length, 2 * SHOWN);
    assert.equal(v.interpolates.length, 2 * SHOWN);
    assert.equal(v.manifold.length, 2 * MANIFOLD * MANIFOLD);
    for (const a of [v.critic, v.gradNorm, v.fake, v.arrows, v.manifold]) assert.ok(a.every(Number.isFinite));
    assert.ok(v.arrows.some((x) => Math.abs(x) > 1e-6), 'the generator gradient is not zero');
    assert.equal(v.metrics.totalModes, 8);
    assert.ok(v.metrics.energyDistance > 0 && Number.isFinite(v.metrics.interpGradNorm));
    // One full iteration first: each lane compiles its steady fused iteration (generator step + critic
    // steps in one graph; iteration 0 had none), so what follows counts only what λ changes.
    await session.iterate();
    // λ is live: the wgan-gp lane's trainer reads it at its next critic step.
    session.setLive({ lambda: 10, lr: 1e-3, lrG: 2e-3 });
    assert.deepEqual((session.lanes[0]!.trainer.loss as { lambda: number }).lambda, 10);
    assert.equal(session.lanes[1]!.optG.lr, 2e-3);
    const compiled = web.sessionsCreated;
    await session.iterate();
    assert.equal(web.sessionsCreated - compiled, 1, "a new λ compiles the wgan-gp lane's iteration once; new rates are fed, nothing else recompiles");
    const run = session.export();
    assert.equal(run.lanes.length, 4);
    assert.equal(run.lanes[0]!.history.length, 4);
    assert.equal(run.lanes[1]!.settings.optimizer, 'adam');
    assert.equal(run.lanes[1]!.settings.clip, 0.01);
    assert.equal(JSON.parse(JSON.stringify(run)).config.lambda, 10);
  });

  it("continues a CLI toy run from its checkpoint: the CLI's parameters and counters, then the CLI's losses", async () => {
    const flags = { dataset: '25gaussians', hidden: 16, layers: 2, batchSize: 32, nCritic: 2, lr: 1e-3, lrDecay: 'none', seed: 6 };
    const config = resolveRunConfig(toyExperiment, { flags });
    const cli = buildToyModel(config);
    const dir = await mkdtemp(join(tmpdir(), 'wgan-gp-playground-'));
    const node = ortBackend({ threads: 1 });
    try {
      setBackend(node);
      for (let i = 0; i < 3; i++) await cli.trainer.iterate();
      await saveCheckpoint(dir, cli.trainer, {});
      const manifest = (await loadCheckpoint(dir)).manifest;
      const next = await cli.trainer.iterate();
      setBackend(web);
      const c = configFromRun(JSON.parse(JSON.stringify(config)) as Record<string, unknown>, manifest);
      assert.deepEqual([c.losses, c.dataset, c.hidden, c.layers, c.batch, c.nCritic, c.seed], [['wgan-gp'], '25gaussians', 16, 2, 32, 2, 6]);
      assert.deepEqual([c.lr, c.lrG], [manifest.optimizers.critic.lr, manifest.optimizers.generator.lr], "the checkpoint's rates");
      const session = new Session(c);
      session.lanes[0]!.load(manifest, await readFile(join(dir, manifest.weights)));
      const lane = session.lanes[0]!;
      assert.deepEqual([lane.trainer.iteration, lane.criticSteps, lane.generatorSteps], [3, 6, 2]);
      await session.iterate();
      const got = lane.last!;
      for (const k of ['criticLoss', 'wasserstein', 'penalty', 'generatorLoss'] as const) {
        assert.ok(Math.abs(got[k]! - next[k]!) <= 1e-4 * Math.max(1, Math.abs(next[k]!)), `${k}: page ${got[k]}, CLI ${next[k]}`);
      }
      assert.throws(() => configFromRun({ ...config, kind: 'image' }, manifest), /kind is 'image'; the playground continues toy runs only/);
      assert.throws(() => configFromRun({ ...config, noiseDim: 8 }, manifest), /noiseDim is 8/);
      assert.throws(() => configFromRun({ ...config, hidden: 0 }, manifest), /hidden must be an integer in \[1, 1024\], got '0'/);
      const wrong = new Session({ ...c, hidden: 8 });
      const bytes = await readFile(join(dir, manifest.weights));
      assert.throws(() => wrong.lanes[0]!.load(manifest, bytes), /checkpoint does not match the model/);
    } finally {
      await node.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
