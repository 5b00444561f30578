/**
 * The browser entry, tested in Node: onnxruntime-web runs here on its WebAssembly build (the same
 * kernels a browser runs), so the web backend is checked against the float64 reference and
 * onnxruntime-node without a browser. A bundle of the entry built for the browser shows that it
 * pulls in no Node module.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { build } from 'esbuild';
import { gradients } from './autodiff/grad.js';
import { referenceBackend } from './backends/reference/reference-backend.js';
import { gradientPenalty, wassersteinCriticLoss } from './gan/losses.js';
import { ToyMlp } from './gan/models/toy.js';
import { Trainer } from './gan/trainer.js';
import { eightGaussians } from './data/toy.js';
import { ortBackend } from './node.js';
import { add } from './ops/add.js';
import { Adam } from './optim/adam.js';
import { allCases } from '../test/op-cases/index.js';
import { maxRelError } from '../test/support/compare.js';
import { checkCaseOrt } from '../test/support/op-case.js';
import { Rng } from './tensor/random.js';
import { realize, setBackend, tensor, type Backend, type Tensor } from './tensor/tensor.js';
import { ortWebBackend } from './web.js';

const web = ortWebBackend({ threads: 1 });
after(() => web.dispose?.());


/**
 * One WGAN-GP critic step's values for a small ReLU MLP critic (same seed every call): the critic
 * loss, λ·penalty, the mean gradient norm, and the loss's gradients for every critic parameter —
 * the double backward of the penalty included.
 */
async function criticStep(backend: Backend): Promise<{ loss: number; penalty: number; gradNorm: number; grads: Float64Array[] }> {
  const rng = new Rng(7);
  const D = new ToyMlp(2, 1, { hidden: 32, layers: 3, rng });
  const B = 64;
  const real = tensor(eightGaussians().sample(B, rng), [B, 2]);
  const fake = rng.normal([B, 2]);
  const critic = (x: Tensor): Tensor => D.forward(x);
  const wLoss = wassersteinCriticLoss(critic(real), critic(fake));
  const { penalty, gradNorm } = gradientPenalty(critic, real, fake, rng.uniform([B]), { lambda: 10 });
  const loss = add(wLoss, penalty);
  const grads = gradients(loss, D.parameters());
  await realize([loss, penalty, gradNorm, ...grads], backend);
  return {
    loss: (await loss.data64())[0]!,
    penalty: (await penalty.data64())[0]!,
    gradNorm: (await gradNorm.data64())[0]!,
    grads: await Promise.all(grads.map((g) => g.data64())),
  };
}

describe('ortWebBackend (onnxruntime-web, WebAssembly, in Node)', () => {
  it('computes a WGAN-GP critic step (loss, penalty, gradients through the double backward) as the reference does', async () => {
    const want = await criticStep(referenceBackend());
    const got = await criticStep(web);
    assert.ok(want.penalty > 1e-3, `the penalty is not trivially zero (${want.penalty})`);
    for (const k of ['loss', 'penalty', 'gradNorm'] as const) {
      assert.ok(Math.abs(got[k] - want[k]) <= 1e-4 * Math.max(1, Math.abs(want[k])), `${k}: web ${got[k]}, reference ${want[k]}`);
    }
    assert.equal(got.grads.length, want.grads.length);
    got.grads.forEach((g, i) => {
      const e = maxRelError(g, want.grads[i]!);
      assert.ok(e < 1e-4, `gradient of parameter ${i}: relative error ${e.toExponential(2)}`);
    });
  });

  it('trains like onnxruntime-node: the same parameters after two Trainer iterations, one session per step shape', async () => {
    async function run(backend: Backend): Promise<Float32Array[]> {
      const rng = new Rng(3);
      const G = new ToyMlp(2, 2, { hidden: 16, layers: 2, rng });
      const D = new ToyMlp(2, 1, { hidden: 16, layers: 2, rng });
      const data = eightGaussians();
      const trainer = new Trainer({
        generator: G,
        critic: D,
        data: { sample: (n, r) => tensor(data.sample(n, r), [n, 2]) },
        loss: { name: 'wgan-gp', lambda: 0.1 },
        nCritic: 2,
        batchSize: 32,
        generatorOptimizer: new Adam(G.parameters(), { lr: 1e-3, beta1: 0.5, beta2: 0.9 }),
        criticOptimizer: new Adam(D.parameters(), { lr: 1e-3, beta1: 0.5, beta2: 0.9 }),
        seed: 5,
      });
      setBackend(backend); // the trainer realizes on the active backend
      for (let i = 0; i < 2; i++) await trainer.iterate();
      return [...G.parameters(), ...D.parameters()].map((p) => Float32Array.from(p.value!));
    }
    const node = ortBackend({ threads: 1 });
    try {
      const want = await run(node);
      const sessions0 = web.sessionsCreated;
      const got = await run(web);
      // critic step + generator step (+ nothing else: the fixed noise is a fed leaf, never realized here)
      assert.equal(web.sessionsCreated - sessions0, 2, 'one session for the critic step, one for the generator step');
      got.forEach((g, i) => {
        const e = maxRelError(g, want[i]!);
        assert.ok(e < 1e-4, `parameter ${i}: relative error ${e.toExponential(2)} between onnxruntime-web and onnxruntime-node`);
      });
    } finally {
      await node.dispose();
    }
  });

  it('runs every op case (value and first-order gradients) as the reference does', async () => {
    const failures: string[] = [];
    for (const c of allCases) {
      try {
        await checkCaseOrt(c, web);
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
    assert.deepEqual(failures, [], `op cases failing on onnxruntime-web:\n${failures.join('\n')}`);
  });

  it('is named after its device and validates its options', () => {
    assert.equal(web.name, 'onnxruntime-web-wasm');
    assert.throws(() => ortWebBackend({ device: 'cuda' as 'wasm' }), /device must be 'wasm' or 'webgpu', got 'cuda'/);
    assert.throws(() => ortWebBackend({ threads: 0 }), /threads must be a positive integer, got 0/);
  });

  it('refuses to change the global WebAssembly settings once they are in use', () => {
    // The first test loaded onnxruntime-web's WebAssembly with 1 thread.
    assert.throws(() => ortWebBackend({ threads: 2 }), /fixed once its WebAssembly has loaded.*got threads 2/);
    assert.doesNotThrow(() => ortWebBackend({ threads: 1 }));
    assert.doesNotThrow(() => ortWebBackend());
  });

  it("with device 'webgpu' where there is no WebGPU, fails with an error naming the device and the cause", async () => {
    const gpu = ortWebBackend({ device: 'webgpu' });
    assert.equal(gpu.name, 'onnxruntime-web-webgpu');
    const x = tensor([1, 2, 3], [3]);
    await assert.rejects(realize([add(x, x)], gpu), /webgpu.*WebGPU is not available here \(navigator\.gpu is undefined\)/s);
  });
});

describe('the ./web entry', () => {
  it('bundles for the browser without any Node module loaded at import time', async () => {
    const r = await build({
      entryPoints: ['src/web.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // Node built-ins stay unresolved: a function of the core may load one lazily (e.g. safetensors files).
      external: ['node:*'],
    });
    const inputs = Object.keys(r.metafile.inputs);
    assert.ok(!inputs.some((f) => f.includes('onnxruntime-node')), 'onnxruntime-node is not in the bundle');
    assert.ok(!inputs.some((f) => /src\/node\.ts$/.test(f)), 'src/node.ts is not in the bundle');
    assert.ok(inputs.some((f) => f.includes('onnxruntime-web/dist/ort.bundle')), "onnxruntime-web's browser build is in the bundle");
    const output = Object.values(r.metafile.outputs)[0]!;
    const eager = output.imports.filter((i) => i.kind !== 'dynamic-import');
    assert.deepEqual(eager, [], `modules imported at load time: ${eager.map((i) => i.path).join(', ')}`);
  });
});
