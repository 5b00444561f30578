/**
 * onnxruntime-node's WebGPU execution provider against its CPU provider, on WGAN-GP critic steps
 * (the double backward of the penalty included). Needs a GPU that Dawn can use: where there is
 * none, the comparison is skipped with onnxruntime's own reason, and what is checked instead is
 * that the backend fails cleanly — a rejected promise naming the device and the cause, not a crash.
 * Timings and full-size models: scripts/webgpu-check.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gradients } from '../../autodiff/grad.js';
import { gradientPenalty, wassersteinCriticLoss } from '../../gan/losses.js';
import { MnistCritic } from '../../gan/models/mnist.js';
import { ToyMlp } from '../../gan/models/toy.js';
import type { Module } from '../../nn/module.js';
import { ortBackend, type OrtBackend } from '../../node.js';
import { add } from '../../ops/add.js';
import { Rng } from '../../tensor/random.js';
import { maxRelError } from '../../../test/support/compare.js';
import { realize, tensor, type Tensor } from '../../tensor/tensor.js';

/** A critic and its input batches, rebuilt identically (same seed) for each backend. */
interface Setting {
  name: string;
  build(): { critic: Module; real: Tensor; fake: Tensor; eps: Tensor };
}

const SETTINGS: readonly Setting[] = [
  {
    name: 'toy MLP critic (2 → 64 → 64 → 64 → 1), batch 64',
    build() {
      const rng = new Rng(11);
      const critic = new ToyMlp(2, 1, { hidden: 64, layers: 3, rng });
      return { critic, real: rng.normal([64, 2]), fake: rng.normal([64, 2]), eps: rng.uniform([64]) };
    },
  },
  {
    name: 'MNIST conv critic (DIM 8), batch 4',
    build() {
      const rng = new Rng(12);
      const critic = new MnistCritic({ dim: 8, rng });
      return { critic, real: rng.uniform([4, 1, 28, 28]), fake: rng.uniform([4, 1, 28, 28]), eps: rng.uniform([4]) };
    },
  },
];

/** Critic loss with λ = 10 penalty, the penalty, and the gradients of every critic parameter. */
async function criticStep(s: Setting, backend: OrtBackend): Promise<Float32Array[]> {
  const { critic, real, fake, eps } = s.build();
  const D = (x: Tensor): Tensor => critic.forward(x);
  const { penalty } = gradientPenalty(D, real, fake, eps, { lambda: 10 });
  const loss = add(wassersteinCriticLoss(D(real), D(fake)), penalty);
  const outs = [loss, penalty, ...gradients(loss, critic.parameters())];
  await realize(outs, backend);
  return outs.map((t) => Float32Array.from(t.value!));
}

/** Why WebGPU cannot run here (onnxruntime's message), or null when it can. */
let unavailable: string | null = null;
let probeError: Error | null = null;
let gpu: OrtBackend;
let cpu: OrtBackend;

before(async () => {
  cpu = ortBackend({ threads: 1 });
  gpu = ortBackend({ device: 'webgpu' });
  try {
    const x = tensor([1, 2, 3], [3]);
    const y = add(x, x);
    await realize([y], gpu);
    assert.deepEqual(Array.from(y.value!), [2, 4, 6]);
  } catch (e) {
    probeError = e as Error;
    // Dawn's words where no GPU can be used: "Failed to get a WebGPU adapter: No supported adapters".
    const m = /Failed to get a WebGPU adapter[^\n]*|No supported adapters[^\n]*/i.exec(probeError.message);
    if (!m) throw e; // anything else is a real failure of the WebGPU path
    unavailable = m[0].trim();
  }
});
after(async () => {
  await gpu?.dispose();
  await cpu?.dispose();
});

describe("ortBackend({ device: 'webgpu' })", () => {
  for (const s of SETTINGS) {
    it(`computes a WGAN-GP critic step of the ${s.name} as the CPU backend does (float32 tolerance)`, async (t) => {
      if (unavailable) {
        t.skip(`no WebGPU adapter: ${unavailable}`);
        return;
      }
      const want = await criticStep(s, cpu);
      const got = await criticStep(s, gpu);
      assert.equal(got.length, want.length);
      const errs = got.map((g, i) => maxRelError(g, want[i]!));
      const worst = Math.max(...errs);
      // float32 with different summation orders: ~1e-6 typical, 1e-3 leaves room for the double backward.
      assert.ok(worst < 1e-3, `max relative error ${worst.toExponential(2)} (per output: ${errs.map((e) => e.toExponential(1)).join(', ')})`);
    });
  }

  it('where no adapter exists, rejects with an error naming the device and the cause, and stays usable', async (t) => {
    if (!unavailable) {
      t.skip('a WebGPU adapter is available here: nothing fails');
      return;
    }
    // The probe's error: a plain rejected promise (the process is still here), naming webgpu and Dawn's cause.
    assert.ok(probeError instanceof Error);
    assert.match(probeError.message, /\(webgpu\)/);
    assert.match(probeError.message, /adapter/i);
    // A failed session is not cached: the next realization tries again and fails the same way.
    const x = tensor([1, 2], [2]);
    await assert.rejects(realize([add(x, x)], gpu), (e: Error) => /\(webgpu\)/.test(e.message) && e.message.includes(unavailable!));
    assert.equal(gpu.sessionsCreated, 0);
    // The CPU backend in the same process is unaffected.
    const y = add(x, x);
    await realize([y], cpu);
    assert.deepEqual(Array.from(y.value!), [2, 4]);
  });
});
