import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { testFolder } from '../test/support/run-env.js';
import { ConfigError } from './app/settings.js';
import { loadRun, trainGan } from './api.js';

const tmp = testFolder('wgan-gp-api-');
const TINY = { iters: 4, hidden: 16, batchSize: 32, evalEvery: 0, plotEvery: 0, checkpointEvery: 2, evalSamples: 64, threads: 1 };

describe('the high-level API', () => {
  it('trains a toy run, samples it, exports a generator that takes any batch, and loads the run back', async () => {
    const out = join(tmp.root, '8g');
    const lines: string[] = [];
    const run = await trainGan({ preset: 'toy-8gaussians', settings: TINY, out, log: (l) => lines.push(l) });
    assert.deepEqual([run.kind, run.iteration, run.config.hidden, run.dir], ['toy', 4, 16, out]);
    const x = await run.sample(10, { seed: 3 });
    assert.deepEqual(x.shape, [10, 2]);
    assert.deepEqual([...(await run.sample(10, { seed: 3 })).value!], [...x.value!], 'the same seed, the same samples');
    const metrics = await run.evaluate({ samples: 100 });
    assert.equal(metrics.samples, 100);
    assert.equal(typeof metrics.modesCaptured, 'number');
    const file = await run.exportOnnx(join(out, 'g.onnx'));
    await run.close();
    const session = await ort.InferenceSession.create(file);
    for (const n of [3, 10]) {
      const res = await session.run({ noise: new ort.Tensor('float32', new Float32Array(n * 2), [n, 2]) });
      assert.deepEqual(res.samples!.dims, [n, 2]);
    }
    await session.release();
    const again = await loadRun(out);
    assert.equal(again.iteration, 4);
    assert.deepEqual([...(await again.sample(10, { seed: 3 })).value!], [...x.value!], 'the loaded run generates the same');
    await again.close();
  });

  it('refuses unknown settings and a kind that contradicts the preset, creating nothing', async () => {
    const out = join(tmp.root, 'never');
    await assert.rejects(trainGan({ preset: 'toy-8gaussians', settings: { lamda: 1 }, out }), (e: Error) => e instanceof ConfigError && /lamda/.test(e.message));
    await assert.rejects(trainGan({ preset: 'toy-8gaussians', settings: { kind: 'image' }, out }), /settings\.kind 'image' does not match preset 'toy-8gaussians'/);
    await assert.rejects(loadRun(out), /not a run folder/);
  });
});
