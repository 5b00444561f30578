// TrainerOptions.fuseIteration: a generator iteration as one backend run gives the unfused steps' results.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { ortBackend } from '../node.js';
import { Adam } from '../optim/adam.js';
import { clipProjection } from '../optim/clip.js';
import { RMSProp } from '../optim/rmsprop.js';
import { setBackend, toHost, type Backend } from '../tensor/tensor.js';
import { toyTestTrainer, type ToyTestTrainerOptions } from '../../test/support/toy-trainer.js';
import type { IterationStats, Trainer } from './trainer.js';

const ort = ortBackend({ threads: 1 });
const resident = ortBackend({ threads: 1, resident: true });
after(async () => {
  await ort.dispose();
  await resident.dispose();
});

/** Counts the backend runs of `inner`. */
function counting(inner: Backend): Backend & { runs: number } {
  const b = { name: inner.name, runs: 0, keepsOnDevice: inner.keepsOnDevice ?? false, execute: (...a: Parameters<Backend['execute']>) => (b.runs++, inner.execute(...a)) };
  return b;
}

/** `iters` iterations on `backend`: their stats, every parameter and optimizer slot after, the runs made, the trainer's state. */
async function train(backend: Backend, o: Partial<ToyTestTrainerOptions>, iters: number): Promise<{ stats: IterationStats[]; values: number[][]; runs: number; t: Trainer }> {
  const b = counting(backend);
  setBackend(b);
  const t = toyTestTrainer({ init: 2, seed: 9, hidden: 16, batchSize: 8, optimizer: (p) => new Adam(p, { lr: 1e-2, beta1: 0.5, beta2: 0.9 }), ...o });
  const stats: IterationStats[] = [];
  for (let i = 0; i < iters; i++) stats.push(await t.iterate());
  const tensors = [t.generator, t.critic].flatMap((m) => m.parameters());
  const slots = [t.generatorOptimizer, t.criticOptimizer].flatMap((opt) => Object.values(opt.state().slots));
  await toHost([...tensors, ...slots]);
  return { stats, values: [...tensors, ...slots].map((x) => Array.from(x.value!)), runs: b.runs, t };
}

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
    const clipped: Partial<ToyTestTrainerOptions> = {
      loss: { name: 'wgan', clip: 0.05 },
      optimizer: (p) => new RMSProp(p, { lr: 5e-3, project: clipProjection(0.05) }),
    };
    for (const o of [clipped, { loss: { name: 'gan' } }, { loss: { name: 'lsgan' } }] as Partial<ToyTestTrainerOptions>[]) {
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
