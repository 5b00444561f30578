/**
 * Values kept in device memory between runs (OrtBackendOptions.resident, realize's keepOnDevice):
 * the WebGPU provider keeps them in GPU buffers; onnxruntime's CPU provider keeps the runs' own
 * output tensors, which takes the same paths here, on a machine without a GPU — kept outputs never
 * packed, fed back as they are, copied to the host only by toHost, freed when an optimizer commit
 * replaces them — and must give the same numbers, bit for bit, as host values.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { saveCheckpoint } from '../../gan/checkpoint.js';
import type { IterationStats, Trainer } from '../../gan/trainer.js';
import { ortBackend } from '../../node.js';
import * as o from '../../ops/index.js';
import { Adam } from '../../optim/adam.js';
import { Rng } from '../../tensor/random.js';
import { toyTestTrainer } from '../../../test/support/toy-trainer.js';
import { buildPlan, getBackend, realize, setBackend, tensor, toHost, type Backend, type Tensor } from '../../tensor/tensor.js';
import { lowerPlan } from './lower.js';

const host = ortBackend({ threads: 1 });
const resident = ortBackend({ threads: 1, resident: true });
const residentPacked = ortBackend({ threads: 1, resident: true, packInputs: true, packOutputs: true });
after(async () => {
  for (const b of [host, resident, residentPacked]) await b.dispose();
});

/** A small program: y (to keep) and two losses, from a parameter-like p and a batch x. */
function program(seed: number): { p: Tensor; x: Tensor; y: Tensor; loss: Tensor; other: Tensor } {
  const r = new Rng(seed);
  const p = r.normal([4, 3]);
  const x = r.normal([5, 4]);
  const y = o.sub(p, o.mul(o.matmul(o.transpose(x, [1, 0]), o.tanh(o.matmul(x, p))), 0.1));
  return { p, x, y, loss: o.sum(o.mul(y, y)), other: o.mean(x) };
}

describe('values kept in device memory (resident)', () => {
  test('lowerPlan never packs a resident feed or a kept output', () => {
    const { y, loss, other } = program(1);
    const plan = buildPlan([loss, y, other]);
    const packedFeeds = (m: ReturnType<typeof lowerPlan>): number => m.packedInput?.members.filter((x) => x !== null).length ?? 0;
    const all = lowerPlan(plan, { packInputs: true, packOutputs: true });
    assert.equal(packedFeeds(all), 2);
    assert.deepEqual(all.outputNames, ['packed', 'packed', 'packed']);
    const m = lowerPlan(plan, { packInputs: true, packOutputs: true, residentFeeds: [true, false], residentOutputs: [false, true, false] });
    assert.equal(m.packedInput, undefined, 'one float feed left: nothing to pack');
    assert.deepEqual(m.outputNames, ['packed', 'out1', 'packed']);
    assert.deepEqual(m.packed?.members.map((x) => x !== null), [true, false, true]);
  });

  for (const [name, backend] of [['plain', resident], ['with packed inputs and outputs', residentPacked]] as const) {
    test(`kept outputs stay on the device, feed the next run as they are and read the same (${name})`, async () => {
      const want = program(2);
      await realize([want.loss, want.y, want.other], host);
      const next = (y: Tensor): Tensor => o.add(o.mul(y, 3), o.sum(y));
      const wantNext = next(want.y);
      await realize([wantNext], host);

      const got = program(2);
      await realize([got.loss, got.y, got.other], backend, { keepOnDevice: [got.y] });
      assert.notEqual(got.y.device, null);
      assert.equal(got.y.device!.owner, backend);
      assert.equal(got.y.hostValue, null);
      assert.throws(() => got.y.value, /float32\[4,3\].* is held in onnxruntime-cpu's device memory; copy it to the host first \(await toHost/);
      assert.equal(got.loss.device, null, 'outputs not asked for stay host values');
      assert.deepEqual(await got.loss.toArray(), await want.loss.toArray());
      assert.deepEqual(await got.other.toArray(), await want.other.toArray());

      const before = backend.sessionsCreated;
      const gotNext = next(got.y);
      await realize([gotNext], backend);
      assert.deepEqual(await gotNext.toArray(), await wantNext.toArray(), 'a kept value fed back');
      assert.equal(got.y.hostValue, null, 'feeding it did not copy it to the host');

      await toHost([got.y, got.loss]);
      assert.deepEqual(Array.from(got.y.value!), Array.from(want.y.value!));
      assert.notEqual(got.y.device, null, 'the device value stays valid beside the host copy');
      const again = next(got.y);
      await realize([again], backend);
      assert.deepEqual(await again.toArray(), await wantNext.toArray());
      assert.equal(backend.sessionsCreated, before + 2, 'one step session and one download session');
    });
  }

  test('a backend without resident ignores keepOnDevice; another backend refuses a device value by name', async () => {
    const a = program(3);
    await realize([a.y], host, { keepOnDevice: [a.y] });
    assert.equal(a.y.device, null);
    assert.ok(a.y.value instanceof Float32Array);
    const b = program(3);
    await realize([b.y], resident, { keepOnDevice: [b.y] });
    await assert.rejects(realize([o.mul(b.y, 2)], host), /onnxruntime-cpu: input float32\[4,3\].* is held in onnxruntime-cpu's device memory; copy it to the host first \(toHost\)/);
    await assert.rejects(host.download([b.y.device!]), /download: value 0 is held by onnxruntime-cpu/);
    await toHost([b.y]);
    const c = o.mul(b.y, 2);
    await realize([c], host);
    assert.deepEqual(await c.toArray(), Array.from(b.y.value!, (v) => v * 2), 'with a host copy, another backend takes the host value');
  });
});

describe('training with resident parameters and optimizer state', () => {
  /** A toy WGAN-GP trainer with the paper's Adam, on the active backend. */
  const toyTrainer = (): Trainer =>
    toyTestTrainer({ init: 4, seed: 6, hidden: 16, batchSize: 16, optimizer: (p) => new Adam(p, { lr: 1e-3, beta1: 0.5, beta2: 0.9 }) });

  async function train(backend: Backend, iterations: number, during?: (t: Trainer, i: number) => Promise<void>): Promise<{ trainer: Trainer; stats: IterationStats[] }> {
    const previous = getBackend();
    setBackend(backend);
    try {
      const trainer = toyTrainer();
      const stats: IterationStats[] = [];
      for (let i = 0; i < iterations; i++) {
        stats.push(await trainer.iterate());
        await during?.(trainer, i);
      }
      return { trainer, stats };
    } finally {
      setBackend(previous);
    }
  }

  const stateOf = (t: Trainer): Tensor[] => [
    ...t.critic.parameters(),
    ...t.generator.parameters(),
    ...Object.values(t.criticOptimizer.state().slots),
    ...Object.values(t.generatorOptimizer.state().slots),
  ];

  test('the same losses and parameters bit for bit; replaced values are freed; a checkpoint copies them to the host', async () => {
    setBackend(host);
    let freed = 0;
    const got = await train(resident, 3, async (t, i) => {
      if (i === 0) return; // the generator's first update comes in iteration 1
      const held = stateOf(t).map((x) => x.device);
      assert.ok(held.every((d) => d !== null && d.owner === resident), `iteration ${i}: parameters and slots are device values`);
      assert.ok(stateOf(t).every((x) => x.hostValue === null), `iteration ${i}: nothing was copied to the host`);
      if (i === 1) {
        await t.iterate(); // one more iteration: every value above is replaced, and must have been freed
        for (const d of held) assert.throws(() => (d!.handle as { data: unknown }).data, /disposed/, 'a replaced value is freed');
        // A tensor still holding a freed value is refused by name, not fed.
        const old = tensor(new Float32Array(t.critic.parameters()[0]!.size), t.critic.parameters()[0]!.shape);
        old.device = held[0]!;
        await assert.rejects(realize([o.mul(old, 2)], resident), /onnxruntime-cpu: input float32\[2,16\] was freed from device memory/);
        freed = held.length;
      }
    });
    assert.equal(freed, stateOf(got.trainer).length);
    // Iterations 0, 1 and 3 were recorded (2 ran inside the hook).
    const want = await train(host, 4);
    assert.deepEqual(got.stats, [want.stats[0], want.stats[1], want.stats[3]]);
    const dir = await mkdtemp(join(tmpdir(), 'wgan-resident-'));
    try {
      await saveCheckpoint(dir, got.trainer);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const gotState = stateOf(got.trainer);
    const wantState = stateOf(want.trainer);
    assert.ok(gotState.every((x) => x.hostValue !== null && x.device !== null), 'saving copied every value to the host, keeping the device values');
    gotState.forEach((x, i) => assert.deepEqual(Array.from(x.value!), Array.from(wantState[i]!.value!), `state tensor ${i}`));
  });
});
