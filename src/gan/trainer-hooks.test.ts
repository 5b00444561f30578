// User-supplied noise, ε and real batches (reproducing another framework's run).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { SGD } from '../optim/sgd.js';
import type { Rng } from '../tensor/random.js';
import { setBackend, tensor, type Tensor } from '../tensor/tensor.js';
import { toyTestTrainer } from '../../test/support/toy-trainer.js';
import type { TrainerOptions } from './trainer.js';

setBackend(referenceBackend());
const trainer = (hooks: NonNullable<Parameters<typeof toyTestTrainer>[0]['hooks']> = {}) =>
  toyTestTrainer({ init: 4, seed: 6, hidden: 8, batchSize: 4, optimizer: (p) => new SGD(p, { lr: 0.05 }), hooks });

describe('Trainer hooks', () => {
  it('calls the noise hook per step in the order the steps run, never at construction', async () => {
    const calls: string[] = [];
    const t = trainer({ noise: (n, rng, purpose) => (calls.push(`${purpose} ${n}`), rng.normal([n, 2])) });
    assert.deepEqual(calls, []);
    await t.iterate();
    await t.iterate();
    assert.deepEqual(calls, ['critic 4', 'critic 4', 'generator 4', 'critic 4', 'critic 4']);
    await t.fixedSamples();
    await t.fixedSamples();
    assert.deepEqual(calls.slice(5), ['fixed 128']);
  });

  it('replaying the noise, ε and real batches of a run reproduces it exactly', async () => {
    const noise: Tensor[] = [];
    const eps: Tensor[] = [];
    const real: Tensor[] = [];
    const record = trainer({
      noise: (n, rng) => (noise.push(rng.normal([n, 2])), noise.at(-1)!),
      eps: (n, rng) => (eps.push(rng.uniform([n])), eps.at(-1)!),
      data: { sample: (n, rng) => (real.push(rng.normal([n, 2])), real.at(-1)!) },
    });
    const want = [await record.iterate(), await record.iterate()];
    const replay = trainer({
      noise: () => noise.shift()!,
      eps: () => eps.shift()!,
      data: { sample: () => real.shift()! },
    });
    assert.deepEqual([await replay.iterate(), await replay.iterate()], want);
    // The same draws as the default streams: the hooks change nothing but where the numbers come from.
    const plain = trainer();
    assert.deepEqual([await plain.iterate(), await plain.iterate()], want);
  });

  it('uses the ε it is given: ε = 1 and ε = 0 give different penalties, the same Wasserstein estimate', async () => {
    const ones = (n: number): Tensor => tensor(new Float32Array(n).fill(1), [n]);
    const zeros = (n: number): Tensor => tensor(new Float32Array(n), [n]);
    // One critic step each: the same critic, real batch and fakes; only the penalty's points differ.
    const a = await trainer({ eps: ones }).criticStep();
    const b = await trainer({ eps: zeros }).criticStep();
    assert.equal(a.wasserstein, b.wasserstein);
        assert.notEqual(a.penalty, b.penalty);
  });

  it('refuses a hook result of the wrong size, naming the hook', async () => {
    const badNoise: TrainerOptions['noise'] = (n: number, rng: Rng) => rng.normal([n + 1, 2]);
    await assert.rejects(trainer({ noise: badNoise }).iterate(), /the noise hook must return a tensor of 4 rows, got \[5, 2\]/);
    await assert.rejects(trainer({ eps: (n, rng) => rng.uniform([n, 1]) }).iterate(), /the eps hook must return a tensor \[4\], got \[4, 1\]/);
  });
});
