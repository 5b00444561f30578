/**
 * Data-parallel critic steps (TrainerOptions.criticShards) and the worker-thread backend they run on:
 * the same batches, the same update to float rounding as one unsharded step, bit-for-bit
 * reproducible, for WGAN-GP and for the AC-GAN conditional critic; bad settings refused by name.
 * The trainers use SGD: Adam's first steps move every parameter by ±lr whatever the gradient's size,
 * so a gradient within rounding of 0 would turn a rounding difference into an lr-sized one.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ortBackend, ortWorkerBackend } from '../node.js';
import { conv2d } from '../ops/conv2d.js';
import { SGD } from '../optim/sgd.js';
import { Rng } from '../tensor/random.js';
import { maxRelError } from '../../test/support/compare.js';
import { realize, setBackend, tensor, type Backend } from '../tensor/tensor.js';
import { acganTestTrainer } from '../../test/support/acgan-trainer.js';
import { toyTestTrainer } from '../../test/support/toy-trainer.js';
import type { IterationStats, Trainer } from './trainer.js';

const main = ortBackend({ threads: 1 });
const local = ortBackend({ threads: 1 });
const worker = ortWorkerBackend({ threads: 1 });
setBackend(main);
after(async () => {
  for (const b of [main, local, worker]) await b.dispose?.();
});

/**
 * Relative error with the scale floored at 0.01: a bias followed by batch norm has a gradient of
 * pure rounding noise (batch norm removes it), so it stays within ~1e-9 of its initial 0.
 */
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => maxRelError(a, b, 1e-2);

/** A toy WGAN-GP trainer (small MLPs) over a fixed Gaussian data stream. */
function toyTrainer(batchSize: number, criticShards?: readonly Backend[]): Trainer {
  return toyTestTrainer({ init: 5, seed: 3, hidden: 32, batchSize, optimizer: (p) => new SGD(p, { lr: 0.05 }), ...(criticShards ? { criticShards } : {}) });
}

/** Runs `iterations` generator iterations; returns the last stats and every parameter's values. */
async function train(t: Trainer, iterations: number): Promise<{ stats: IterationStats; params: Float32Array[] }> {
  let stats: IterationStats | undefined;
  for (let i = 0; i < iterations; i++) stats = await t.iterate();
  const params = [...t.critic.parameters(), ...t.generator.parameters()];
  return { stats: stats!, params: params.map((p) => Float32Array.from(p.value!)) };
}

function assertClose(got: { stats: IterationStats; params: Float32Array[] }, want: { stats: IterationStats; params: Float32Array[] }, tol: number): void {
  for (const k of ['criticLoss', 'wasserstein', 'penalty', 'gradNorm', 'generatorLoss', 'criticAcgan'] as const) {
    assert.equal(got.stats[k] === undefined, want.stats[k] === undefined, k);
    if (want.stats[k] !== undefined) assert.ok(relErr([got.stats[k]!], [want.stats[k]!]) < tol, `${k}: ${got.stats[k]} vs ${want.stats[k]}`);
  }
  got.params.forEach((p, i) => assert.ok(relErr(p, want.params[i]!) < tol, `parameter ${i}: relative error ${relErr(p, want.params[i]!)}`));
}

describe('data-parallel critic steps (criticShards)', () => {
  test('an odd batch in 2 shards (one in a worker thread) trains as the unsharded step does, to float rounding', async () => {
    const want = await train(toyTrainer(33), 3);
    const created = worker.sessionsCreated;
    const got = await train(toyTrainer(33, [local, worker]), 3);
    assert.ok(worker.sessionsCreated > created, 'the worker backend ran a shard');
    assertClose(got, want, 1e-4);
    // And not by accident: the sharded update really moved the parameters.
    const start = [...toyTrainer(33).critic.parameters()].map((p) => Float32Array.from(p.value!));
    assert.ok(relErr(got.params[0]!, start[0]!) > 1e-4);
  });

  test('three shards, and the same seed gives the same values bit for bit', async () => {
    const a = await train(toyTrainer(20, [worker, local, worker]), 2);
    const b = await train(toyTrainer(20, [worker, local, worker]), 2);
    assert.deepEqual(a.params, b.params);
    assert.deepEqual(a.stats, b.stats);
    assertClose(a, await train(toyTrainer(20), 2), 1e-4);
  });

  test('an AC-GAN conditional critic: the class cross-entropy is split with the batch', async () => {
    const build = (criticShards?: readonly Backend[]): Trainer => acganTestTrainer({ batchSize: 6, ...(criticShards ? { criticShards } : {}) });
    const want = await train(build(), 2);
    const got = await train(build([local, worker]), 2);
    assert.ok(want.stats.criticAcgan! > 0);
    assertClose(got, want, 1e-4);
  });

  test('bad settings are refused by name', () => {
    assert.throws(() => toyTrainer(8, [local]), /criticShards must be an array of at least 2 backends/);
    assert.throws(() => toyTrainer(8, [local, {} as Backend]), /criticShards must be an array of at least 2 backends/);
    assert.throws(() => toyTrainer(2, [local, worker, local]), /splits the batch into 3 shards, but batchSize is 2/);
  });
});

describe('ortWorkerBackend', () => {
  test('the same values as the backend on this thread, bit for bit, and it says it runs off the thread', async () => {
    const r = new Rng(9);
    const [x, w] = [r.normal([2, 8, 9, 9]), r.normal([16, 8, 3, 3])];
    const a = conv2d(x, w, { stride: 2, padding: 1 });
    const b = conv2d(x, w, { stride: 2, padding: 1 });
    await realize([a], worker);
    await realize([b], local);
    assert.deepEqual(await a.toArray(), await b.toArray());
    assert.equal(worker.offThread, true);
    assert.notEqual(local.offThread, true);
  });

  test('after dispose, a run fails with a message saying so; the process is not kept alive', async () => {
    const b = ortWorkerBackend({ threads: 1 });
    const y = conv2d(tensor([1, 2, 3], [1, 1, 1, 3]), tensor([1], [1, 1, 1, 1]));
    await realize([y], b);
    await b.dispose();
    const z = conv2d(tensor([1, 2, 3], [1, 1, 3, 1]), tensor([2], [1, 1, 1, 1]));
    await assert.rejects(realize([z], b), /ortWorkerBackend: disposed/);
    assert.throws(() => ortWorkerBackend({ device: 'webgpu' }), /ortWorkerBackend: device must be 'cpu'/);
  });
});
