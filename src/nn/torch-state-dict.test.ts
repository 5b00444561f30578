import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeSafetensors } from '../io/safetensors.js';
import { Rng } from '../tensor/random.js';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { realize, tensor } from '../tensor/tensor.js';
import { testFolder } from '../../test/support/run-env.js';
import { ReLU } from './activations.js';
import { BatchNorm } from './batch-norm.js';
import { Conv2d } from './conv2d.js';
import { LayerNorm } from './layer-norm.js';
import { Linear } from './linear.js';
import { Sequential } from './sequential.js';
import { loadTorchSafetensors, loadTorchStateDict, saveTorchSafetensors, torchStateDict } from './torch-state-dict.js';

const tmp = testFolder('wgan-gp-torch-');
const net = (seed: number): Sequential =>
  new Sequential(new Linear(3, 4, { rng: new Rng(seed) }), new BatchNorm(4), new ReLU(), new Linear(4, 2, { rng: new Rng(seed + 1) }));

describe('PyTorch state_dict', () => {
  it('names and lays out parameters as torch.nn: Linear [out, in], norms weight/bias, BatchNorm buffers', () => {
    const m = net(1);
    const sd = torchStateDict(m);
    assert.deepEqual(Object.keys(sd), ['0.weight', '0.bias', '1.weight', '1.bias', '3.weight', '3.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
    assert.deepEqual(sd['0.weight']!.shape, [4, 3]);
    const w = (m.layers[0] as Linear).weight.value!;
    const t = sd['0.weight']!.data as Float32Array;
    // torch weight[o][i] is ours [i][o].
    for (let i = 0; i < 3; i++) for (let o = 0; o < 4; o++) assert.equal(t[o * 3 + i], Math.fround(w[i * 4 + o]!));
    assert.deepEqual([...(sd['1.running_var']!.data as Float32Array)], [1, 1, 1, 1]);
    const ln = torchStateDict(new Sequential(new Conv2d(1, 2, 3), new LayerNorm(2)));
    assert.deepEqual(Object.keys(ln), ['0.weight', '0.bias', '1.weight', '1.bias']);
    assert.deepEqual(ln['0.weight']!.shape, [2, 1, 3, 3]);
  });

  it('round-trips through a safetensors file: the loaded module computes what the saved one did', async () => {
    const a = net(1);
    const b = net(7);
    const path = join(tmp.root, 'net.safetensors');
    await saveTorchSafetensors(path, a);
    const file = decodeSafetensors(await readFile(path));
    assert.deepEqual(file.tensors['3.weight']!.shape, [2, 4]);
    await loadTorchSafetensors(path, b);
    const x = tensor(new Rng(3).normalArray(15), [5, 3]);
    const [ya, yb] = [a.forward(x), b.forward(x)];
    await realize([ya, yb], referenceBackend());
    assert.deepEqual([...ya.value!], [...yb.value!]);
  });

  it('refuses a dict that does not fit, naming every missing, misshapen and extra entry', () => {
    const sd = torchStateDict(net(1));
    delete sd['0.bias'];
    sd['3.weight'] = { dtype: 'F32', shape: [4, 2], data: new Float32Array(8) };
    sd['4.weight'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) };
    assert.throws(
      () => loadTorchStateDict(net(2), sd as never, { source: 'g.safetensors' }),
      (e: Error) => /g\.safetensors/.test(e.message) && /missing '0\.bias' \[4\]/.test(e.message) && /'3\.weight' is \[4, 2\], expected \[2, 4\]/.test(e.message) && /unexpected '4\.weight'/.test(e.message),
    );
  });
});
