/**
 * Behaviours the finite-difference op cases cannot see: ties, kinks, saturation, repeated indices,
 * and closed-form second derivatives where other libraries go wrong. Checked on the reference
 * interpreter (exact) and on onnxruntime (float32).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { grad, gradients } from '../autodiff/grad.js';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { ortBackend } from '../node.js';
import { realize, tensor, type Backend, type Tensor } from '../tensor/tensor.js';
import * as o from './index.js';

const ref = referenceBackend();
const ort = ortBackend({ threads: 1 });
after(() => ort.dispose?.());
const backends: [string, Backend, number][] = [
  ['reference', ref, 1e-12],
  ['onnxruntime', ort, 2e-6],
];

async function values(t: Tensor, backend: Backend): Promise<number[]> {
  await realize([t], backend);
  return t.toArray();
}
function close(got: readonly number[], want: readonly number[], tol: number): void {
  assert.equal(got.length, want.length, `length ${got.length} vs ${want.length}`);
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!)), `[${i}]: got ${v}, want ${want[i]}\n got ${got}\nwant ${want}`));
}
const vec = (xs: number[]): Tensor => tensor(Float64Array.from(xs), [xs.length]);
const d1 = (f: (x: Tensor) => Tensor) => (x: Tensor): Tensor => grad((u) => o.sum(f(u!)))(x)[0]!;
const d2 = (f: (x: Tensor) => Tensor) => d1(d1(f));

for (const [name, backend, tol] of backends) {
  describe(`on ${name}`, () => {
    test('second derivatives of tanh, sigmoid and elu match their closed forms', async () => {
      const xs = [-2, -0.7, 0.3, 1.5];
      const th = xs.map(Math.tanh);
      const sg = xs.map((v) => 1 / (1 + Math.exp(-v)));
      close(await values(d2(o.tanh)(vec(xs)), backend), th.map((y) => -2 * y * (1 - y * y)), tol * 10);
      close(await values(d2(o.sigmoid)(vec(xs)), backend), sg.map((y) => y * (1 - y) * (1 - 2 * y)), tol * 10);
      close(await values(d2((x) => o.elu(x, 0.5))(vec(xs)), backend), xs.map((v) => (v > 0 ? 0 : 0.5 * Math.exp(v))), tol * 10);
      close(await values(d2(o.softplus)(vec(xs)), backend), sg.map((y) => y * (1 - y)), tol * 10);
    });

    test('third derivative of pow(x, 3) is 6', async () => {
      close(await values(d1(d2((x) => o.pow(x, 3)))(vec([-1.5, 0.5, 2])), backend), [6, 6, 6], tol);
    });

    test('max splits the gradient evenly among tied maxima', async () => {
      const x = tensor(Float64Array.from([1, 3, 3, 2, 5, 5, 5, 0]), [2, 4]);
      const [g] = gradients(o.sum(o.mul(o.max(x, 1), vec([1, 6]))), [x]);
      close(await values(g!, backend), [0, 0.5, 0.5, 0, 2, 2, 2, 0], tol);
    });

    test('gradients at the kinks: abs 0, leakyRelu alpha, clamp 1 at the bounds and 0 outside', async () => {
      close(await values(d1(o.abs)(vec([-2, 0, 3])), backend), [-1, 0, 1], tol);
      close(await values(d1((x) => o.leakyRelu(x, 0.1))(vec([-2, 0, 3])), backend), [0.1, 0.1, 1], tol);
      close(await values(d1((x) => o.clamp(x, -1, 1))(vec([-2, -1, 0.5, 1, 3])), backend), [0, 1, 1, 1, 0], tol);
    });

    test('sigmoid cross-entropy is smooth at 0: its gradient there is 0.5 − z', async () => {
      const z = vec([0, 0.25, 1]);
      close(await values(d1((x) => o.sigmoidCrossEntropyWithLogits(x, z))(vec([0, 0, 0])), backend), [0.5, 0.25, -0.5], tol);
    });

    test('softplus, softmax and logSoftmax stay finite for huge logits', async () => {
      const x = vec([1000, -1000, 0]);
      close(await values(o.softplus(x), backend), [1000, 0, Math.LN2], tol);
      close(await values(o.softmax(x), backend), [1, 0, 0], tol);
      close(await values(o.logSoftmax(x), backend), [0, -2000, -1000], tol);
      close(await values(d1((t) => o.mul(o.logSoftmax(t), vec([1, 2, 3])))(x), backend), [1 - 6, 2, 3], tol);
    });

    test('gather sends repeated indices a summed gradient, negative indices count from the end', async () => {
      const x = tensor(Float64Array.from([10, 20, 30, 40]), [4]);
      const idx = tensor([0, 0, -1, 2, 0], [5], 'int32');
      close(await values(o.gather(x, idx), backend), [10, 10, 40, 30, 10], tol);
      const [g] = gradients(o.sum(o.mul(o.gather(x, idx), vec([1, 2, 3, 4, 5]))), [x]);
      close(await values(g!, backend), [8, 0, 4, 3], tol);
    });

    test('strided slice values and their scatter-back gradient', async () => {
      const x = tensor(Float64Array.from({ length: 12 }, (_, i) => i), [2, 6]);
      close(await values(o.slice(x, [1], [6], [-1], [2]), backend), [1, 3, 5, 7, 9, 11], tol);
      close(await values(o.slice(x, [-1, 0], [2, 5], [0, 1], [1, 3]), backend), [6, 9], tol);
      const [g] = gradients(o.sum(o.slice(x, [0], [5], [1], [2])), [x]);
      close(await values(g!, backend), [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0], tol);
    });

    test('concat, pad and oneHot values', async () => {
      const a = tensor([1, 2, 3, 4], [2, 2]);
      close(await values(o.concat([a, tensor([9, 8], [2, 1])], -1), backend), [1, 2, 9, 3, 4, 8], tol);
      close(await values(o.pad(a, [[1, 0], [0, 1]]), backend), [0, 0, 0, 1, 2, 0, 3, 4, 0], tol);
      close(await values(o.oneHot(tensor([2, 0, 5], [3], 'int32'), 3), backend), [0, 0, 1, 1, 0, 0, 0, 0, 0], tol);
    });

    test('softmaxCrossEntropy is the batch mean of −log p(label)', async () => {
      const logits = tensor(Float64Array.from([1, 2, 3, 0, 0, Math.log(2)]), [2, 3]);
      const l0 = -(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)));
      const l1 = -(0 - Math.log(4));
      close(await values(o.softmaxCrossEntropy(logits, tensor([2, 1], [2], 'int32')), backend), [(l0 + l1) / 2], tol);
    });
  });
}
