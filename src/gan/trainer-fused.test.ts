// TrainerOptions.fuseIteration: a generator iteration as one backend run gives the unfused steps' results;
// TrainerOptions.replay: kept graphs run again on fresh draws give the rebuilt runs' results.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { ortBackend } from '../node.js';
import { Adam } from '../optim/adam.js';
import { clipProjection } from '../optim/clip.js';
import { RMSProp } from '../optim/rmsprop.js';
import { mul } from '../ops/mul.js';
import { setBackend, toHost, type Backend, type Plan } from '../tensor/tensor.js';
import { toyTestTrainer, type ToyTestTrainerOptions } from '../../test/support/toy-trainer.js';
import { acganTestTrainer } from '../../test/support/acgan-trainer.js';
import type { DataSource, IterationStats, Trainer } from './trainer.js';

const ort = ortBackend({ threads: 1 });
const resident = ortBackend({ threads: 1, resident: true });
after(async () => {
  await ort.dispose();
  await resident.dispose();
});

/** Counts the backend runs of `inner`, and the distinct plans they ran (a replayed iteration runs its kept plan). */
function counting(inner: Backend): Backend & { runs: number; plans: Set<Plan> } {
  const b = {
    name: inner.name,
    runs: 0,
    plans: new Set<Plan>(),
    keepsOnDevice: inner.keepsOnDevice ?? false,
    ...(inner.download ? { download: inner.download.bind(inner) } : {}),
    execute: (...a: Parameters<Backend['execute']>) => (b.runs++, b.plans.add(a[0]), inner.execute(...a)),
  };
  return b;
}

/** `iters` iterations on `backend`: their stats, every parameter and optimizer slot after, the runs made, the trainer's state. */
async function train(backend: Backend, o: Partial<ToyTestTrainerOptions>, iters: number): Promise<{ stats: IterationStats[]; values: number[][]; runs: number; plans: number; t: Trainer }> {
  const b = counting(backend);
  setBackend(b);
  const t = toyTestTrainer({ init: 2, seed: 9, hidden: 16, batchSize: 8, optimizer: (p) => new Adam(p, { lr: 1e-2, beta1: 0.5, beta2: 0.9 }), ...o });
  const stats: IterationStats[] = [];
  for (let i = 0; i < iters; i++) stats.push(await t.iterate());
  const tensors = [t.generator, t.critic].flatMap((m) => m.parameters());
  const slots = [t.generatorOptimizer, t.criticOptimizer].flatMap((opt) => Object.values(opt.state().slots));
  await toHost([...tensors, ...slots]);
  return { stats, values: [...tensors, ...slots].map((x) => Array.from(x.value!)), runs: b.runs, plans: b.plans.size, t };
}

/** WGAN with clipping under RMSProp, GAN and LSGAN: the objectives besides WGAN-GP. */
const OTHER_LOSSES: readonly Partial<ToyTestTrainerOptions>[] = [
  { loss: { name: 'wgan', clip: 0.05 }, optimizer: (p) => new RMSProp(p, { lr: 5e-3, project: clipProjection(0.05) }) },
  { loss: { name: 'gan' } },
  { loss: { name: 'lsgan' } },
];

describe('Trainer fuseIteration', () => {
  test('one run per iteration, with the unfused steps\' losses, parameters and Adam moments bit for bit (onnxruntime)', async () => {
    const plain = await train(ort, { fuseIteration: false }, 3);
    const fused = await train(ort, { fuseIteration: true }, 3);
    assert.equal(plain.runs, 2 + 3 + 3); // iteration 0 has no generator step; 2 critic steps each
    assert.equal(fused.runs, 3);
    assert.deepEqual(fused.stats, plain.stats);
    assert.deepEqual(fused.values, plain.values);
    assert.deepEqual(fused.t.state(), plain.t.state());
    assert.equal(fused.t.generatorOptimizer.stepCount, 2);
    assert.equal(fused.t.criticOptimizer.stepCount, 6);
  });

  test('the same with parameters kept in onnxruntime\'s memory between runs (resident)', async () => {
    const plain = await train(ort, { fuseIteration: false }, 2);
    const fused = await train(resident, { fuseIteration: true }, 2);
    assert.deepEqual(fused.stats, plain.stats);
    assert.deepEqual(fused.values, plain.values);
  });

  test('other losses and a clipping projection, on the float64 reference backend', async () => {
    const ref = referenceBackend();
    for (const o of OTHER_LOSSES) {
      const plain = await train(ref, { ...o, fuseIteration: false }, 2);
      const fused = await train(ref, { ...o, fuseIteration: true }, 2);
      assert.equal(fused.runs, 2);
      assert.deepEqual(fused.stats, plain.stats, JSON.stringify(o.loss));
      assert.deepEqual(fused.values, plain.values, JSON.stringify(o.loss));
    }
  });

  test('draws noise in the unfused order, and a restored state continues as the uninterrupted run', async () => {
    const calls: string[] = [];
    const hooks: ToyTestTrainerOptions['hooks'] = { noise: (n, rng, purpose) => (calls.push(purpose), rng.normal([n, 2])) };
    const whole = await train(ort, { fuseIteration: true, hooks }, 3);
    assert.deepEqual(calls, ['critic', 'critic', 'generator', 'critic', 'critic', 'generator', 'critic', 'critic']);
    // Stop after 2 iterations, copy the state into a fresh trainer, run the third.
    const first = await train(ort, { fuseIteration: true }, 2);
    const second = toyTestTrainer({ init: 5, seed: 1, hidden: 16, batchSize: 8, optimizer: (p) => new Adam(p, { lr: 1e-2, beta1: 0.5, beta2: 0.9 }), fuseIteration: true });
    second.loadState(first.t.state());
    [second.generator, second.critic].forEach((m, k) => m.parameters().forEach((p, i) => p.assign([first.t.generator, first.t.critic][k]!.parameters()[i]!)));
    second.generatorOptimizer.loadState(first.t.generatorOptimizer.state());
    second.criticOptimizer.loadState(first.t.criticOptimizer.state());
    assert.deepEqual(await second.iterate(), whole.stats[2]);
  });
});

describe('Trainer fuseIteration: replayed iterations', () => {
  const rebuilt = { fuseIteration: true, replay: false } as const;

  test('from the third iteration on the kept plan runs again, bit for bit the rebuilt iterations (onnxruntime, resident too)', async () => {
    for (const backend of [ort, resident]) {
      const plain = await train(ort, rebuilt, 6);
      const replayed = await train(backend, { fuseIteration: true }, 6);
      assert.equal(plain.plans, 6);
      assert.equal(replayed.plans, 2, 'iteration 0 (no generator step) and iteration 1, kept and replayed 4 times');
      assert.equal(replayed.runs, 6);
      assert.deepEqual(replayed.stats, plain.stats);
      assert.deepEqual(replayed.values, plain.values);
      assert.deepEqual(replayed.t.state(), plain.t.state());
      assert.equal(replayed.t.criticOptimizer.stepCount, 12);
    }
  });

  test('other losses, RMSProp and a clipping projection on the float64 reference backend', async () => {
    const ref = referenceBackend();
    for (const o of OTHER_LOSSES) {
      const plain = await train(ref, { ...o, ...rebuilt }, 4);
      const replayed = await train(ref, { ...o, fuseIteration: true }, 4);
      assert.equal(replayed.plans, 2);
      assert.deepEqual(replayed.stats, plain.stats, JSON.stringify(o.loss));
      assert.deepEqual(replayed.values, plain.values, JSON.stringify(o.loss));
    }
  });

  test('a noise hook that returns a pending tensor is not replayed (its draw is no leaf of the plan)', async () => {
    const hooks: ToyTestTrainerOptions['hooks'] = { noise: (n, rng) => mul(rng.normal([n, 2]), 1) };
    const plain = await train(ort, { ...rebuilt, hooks }, 4);
    const fused = await train(ort, { fuseIteration: true, hooks }, 4);
    assert.equal(fused.plans, 4);
    assert.deepEqual(fused.stats, plain.stats);
    assert.deepEqual(fused.values, plain.values);
  });

  test('a draw unlike the kept one builds that iteration from the same draws, then keeps the next', async () => {
    // Real batches 5 and 6 (iteration 2) come out pending: that iteration cannot be replayed.
    const data = (): DataSource => {
      let calls = 0;
      return { sample: (n, rng) => (++calls === 5 || calls === 6 ? mul(rng.normal([n, 2]), 1) : rng.normal([n, 2])) };
    };
    const plain = await train(ort, { ...rebuilt, hooks: { data: data() } }, 6);
    const fused = await train(ort, { fuseIteration: true, hooks: { data: data() } }, 6);
    assert.equal(fused.plans, 4, 'iterations 0, 1 (kept), 2 (built from its draws), 3 (kept, replayed twice)');
    assert.deepEqual(fused.stats, plain.stats);
    assert.deepEqual(fused.values, plain.values);
  });

  test('unfused steps are replayed too: one kept plan per kind of step, bit for bit the rebuilt steps', async () => {
    const plain = await train(ort, { fuseIteration: false, replay: false }, 4);
    const replayed = await train(ort, { fuseIteration: false }, 4);
    assert.equal(plain.plans, 3 * 1 + 4 * 2, 'a plan per step when rebuilt (3 generator steps, 8 critic steps)');
    assert.equal(replayed.plans, 2, 'the critic step and the generator step, each built once');
    assert.equal(replayed.runs, plain.runs);
    assert.deepEqual(replayed.stats, plain.stats);
    assert.deepEqual(replayed.values, plain.values);
  });

  test('an AC-GAN conditional trainer replays its labels with its batches (unfused, on a small ResNet)', async () => {
    const run = async (replay: boolean): Promise<{ stats: IterationStats[]; plans: number; values: number[][] }> => {
      const b = counting(ort);
      setBackend(b);
      const t = acganTestTrainer({ batchSize: 4, replay });
      const stats: IterationStats[] = [];
      for (let i = 0; i < 3; i++) stats.push(await t.iterate());
      const ps = [t.generator, t.critic].flatMap((m) => m.parameters());
      await toHost(ps);
      return { stats, plans: b.plans.size, values: ps.map((p) => Array.from(p.value!)) };
    };
    const plain = await run(false);
    const replayed = await run(true);
    assert.equal(replayed.plans, 2);
    assert.ok(plain.stats[2]!.criticAcgan! > 0 && plain.stats[2]!.generatorAcgan! > 0);
    assert.deepEqual(replayed.stats, plain.stats);
    assert.deepEqual(replayed.values, plain.values);
  });

  test('a change of λ between iterations rebuilds the kept graph (λ is a constant of it)', async () => {
    const run = async (o: Partial<ToyTestTrainerOptions>): Promise<IterationStats[]> => {
      setBackend(ort);
      const t = toyTestTrainer({ init: 2, seed: 9, hidden: 16, batchSize: 8, optimizer: (p) => new Adam(p, { lr: 1e-2, beta1: 0.5, beta2: 0.9 }), ...o });
      const stats: IterationStats[] = [];
      for (let i = 0; i < 5; i++) {
        if (i === 3) (t.loss as { lambda: number }).lambda = 10;
        stats.push(await t.iterate());
      }
      return stats;
    };
    const plain = await run(rebuilt);
    assert.deepEqual(await run({ fuseIteration: true }), plain);
    assert.ok(plain[4]!.penalty! > 0);
  });

  test('loadState on the same trainer continues as the uninterrupted run (the replay redraws from the restored streams)', async () => {
    const whole = await train(ort, { fuseIteration: true }, 5);
    const t = (await train(ort, { fuseIteration: true }, 5)).t;
    // Rewind the same trainer to iteration 3 of a second run: its state, parameters and slots.
    const first = await train(ort, { fuseIteration: true }, 3);
    t.loadState(first.t.state());
    [t.generator, t.critic].forEach((m, k) => m.parameters().forEach((p, i) => p.assign([first.t.generator, first.t.critic][k]!.parameters()[i]!)));
    t.generatorOptimizer.loadState(first.t.generatorOptimizer.state());
    t.criticOptimizer.loadState(first.t.criticOptimizer.state());
    assert.deepEqual(await t.iterate(), whole.stats[3]);
    assert.deepEqual(await t.iterate(), whole.stats[4]);
  });
});
