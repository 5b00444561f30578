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
