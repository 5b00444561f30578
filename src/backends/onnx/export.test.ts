import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import * as o from '../../ops/index.js';
import { Rng } from '../../tensor/random.js';
import { realize, tensor, type Tensor } from '../../tensor/tensor.js';
import { referenceBackend } from '../reference/reference-backend.js';
import { exportOnnx } from './export.js';

test('an exported function runs in a plain onnxruntime session and reproduces the engine', async () => {
  const rng = new Rng(3);
  const w = rng.normal([4, 3]);
  const b = rng.normal([3]);
  const f = (z: Tensor): Tensor => o.tanh(o.add(o.matmul(z, w), b));
  const bytes = exportOnnx(f, [{ name: 'noise', shape: [2, 4] }], ['samples']);
  const session = await ort.InferenceSession.create(bytes);
  assert.deepEqual(session.inputNames, ['noise']);
  assert.deepEqual(session.outputNames, ['samples']);
  const z = rng.normalArray(8);
  const res = await session.run({ noise: new ort.Tensor('float32', z, [2, 4]) });
  const want = f(tensor(z, [2, 4]));
  await realize([want], referenceBackend());
  const got = res.samples!.data as Float32Array;
  const exp = await want.toArray();
  exp.forEach((v, i) => assert.ok(Math.abs(v - got[i]!) < 1e-5, `${i}: ${got[i]} vs ${v}`));
});

test('export refuses unused inputs and duplicate names', () => {
  const w = tensor([1, 2], [2]);
  assert.throws(() => exportOnnx((a) => o.mul(a!, w), [{ name: 'a', shape: [2] }, { name: 'b', shape: [2] }]), /does not use input\(s\) 'b'/);
  assert.throws(() => exportOnnx((a) => a!, [{ name: 'a', shape: [2] }, { name: 'a', shape: [2] }]), /used twice/);
});

test('dynamicBatch: the exported model takes any batch size and agrees with the engine at each', async () => {
  const rng = new Rng(5);
  const w = rng.normal([4, 6]);
  // A reshape whose target holds the batch, and statistics over the batch (as batch norm has).
  const f = (z: Tensor): Tensor => {
    const h = o.reshape(o.matmul(z, w), [z.shape[0]!, 2, 3]);
    return o.sub(h, o.mean(h, [0], true));
  };
  const bytes = exportOnnx(f, [{ name: 'noise', shape: [8, 4] }], { outputNames: ['out'], dynamicBatch: true });
  const session = await ort.InferenceSession.create(bytes);
  for (const n of [1, 3, 8, 13]) {
    const z = rng.normalArray(n * 4);
    const res = await session.run({ noise: new ort.Tensor('float32', z, [n, 4]) });
    assert.deepEqual(res.out!.dims, [n, 2, 3]);
    const want = f(tensor(z, [n, 4]));
    await realize([want], referenceBackend());
    const exp = await want.toArray();
    const got = res.out!.data as Float32Array;
    exp.forEach((v, i) => assert.ok(Math.abs(v - got[i]!) < 1e-5, `batch ${n}, ${i}: ${got[i]} vs ${v}`));
  }
  // Without it the batch stays the traced one, and onnxruntime says so.
  const fixed = await ort.InferenceSession.create(exportOnnx(f, [{ name: 'noise', shape: [8, 4] }], ['out']));
  await assert.rejects(fixed.run({ noise: new ort.Tensor('float32', new Float32Array(16), [4, 4]) }), /Got: 4 Expected: 8/);
});

test('dynamicBatch refuses a function whose graph changes with the batch size, naming what changed', () => {
  const w = tensor([1, 2, 3, 4], [4]);
  // A batch-dependent number of nodes: one per row.
  const f = (z: Tensor): Tensor => Array.from({ length: z.shape[0]! }, (_, i) => o.sum(o.mul(o.slice(z, [i, 0], [i + 1, 4]), w))).reduce((a, b) => o.add(a, b));
  assert.throws(() => exportOnnx(f, [{ name: 'z', shape: [2, 4] }], { dynamicBatch: true }), /dynamicBatch: the graph \(\d+ vs \d+ nodes\) depends on the batch size/);
  const g = (a: Tensor, b: Tensor): Tensor => o.add(o.sum(a), o.sum(b));
  assert.throws(() => exportOnnx(g, [{ name: 'a', shape: [2, 4] }, { name: 'b', shape: [3, 4] }], { dynamicBatch: true }), /one batch size over the inputs: 'b' has 3, 'a' 2/);
});
