/**
 * Behaviour of the convolution family beyond the op-case gradient checks: TensorFlow SAME padding,
 * the generator's stride-2 deconv geometry, conv1d as a conv2d, pooling values, and errors that
 * name the op and the shapes.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { ortBackend } from '../node.js';
import { ShapeError } from '../tensor/shape.js';
import { Rng } from '../tensor/random.js';
import { realize, tensor, type Backend, type Tensor } from '../tensor/tensor.js';
import * as o from './index.js';

const ref = referenceBackend();
const ort = ortBackend({ threads: 1 });
after(() => ort.dispose?.());
const backends: [string, Backend][] = [
  ['reference', ref],
  ['onnxruntime', ort],
];

async function values(t: Tensor, backend: Backend): Promise<number[]> {
  await realize([t], backend);
  return Array.from(await t.data64());
}

function assertClose(got: readonly number[], want: readonly number[], tol = 1e-5): void {
  assert.equal(got.length, want.length, `length ${got.length} vs ${want.length}`);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) <= tol * (1 + Math.abs(want[i]!)), `[${i}]: ${g} vs ${want[i]}`));
}

const iota = (n: number, start = 1): number[] => Array.from({ length: n }, (_, i) => i + start);

describe('conv2d', () => {
  for (const [name, backend] of backends) {
    test(`computes a cross-correlation by hand (${name})`, async () => {
      // x = 1..9 in a 3×3 image, w = [[1, 0], [0, -1]]: each output is x[i][j] − x[i+1][j+1] = −4.
      const y = o.conv2d(tensor(iota(9), [1, 1, 3, 3]), tensor([1, 0, 0, -1], [1, 1, 2, 2]));
      assert.deepEqual(y.shape, [1, 1, 2, 2]);
      assertClose(await values(y, backend), [-4, -4, -4, -4]);
    });
  }

  test('SAME padding follows TensorFlow: the extra pad goes after', () => {
    assert.deepEqual(o.samePads(7, 5, 2), [2, 2]);
    assert.deepEqual(o.samePads(28, 5, 2), [1, 2]);
    assert.deepEqual(o.samePads(6, 5, 2), [1, 2]);
    assert.deepEqual(o.samePads(5, 3, 1), [1, 1]);
    assert.deepEqual(o.samePads(8, 1, 2), [0, 0]);
    const x = tensor(new Float32Array(2 * 1 * 28 * 28), [2, 1, 28, 28]);
    const y = o.conv2d(x, tensor(new Float32Array(64 * 25), [64, 1, 5, 5]), { stride: 2, padding: 'same' });
    assert.deepEqual(y.shape, [2, 64, 14, 14]);
    assert.deepEqual(y.attrs.pads, [1, 1, 2, 2]);
  });

  test('refuses channel mismatches and kernels larger than the padded image', () => {
    const x = tensor(new Float32Array(2 * 3 * 5 * 5), [2, 3, 5, 5]);
    assert.throws(() => o.conv2d(x, tensor(new Float32Array(4 * 2 * 3 * 3), [4, 2, 3, 3])), (e: unknown) => {
      return e instanceof ShapeError && e.op === 'conv2d' && e.message.includes('[2,3,5,5]') && e.message.includes('[4,2,3,3]');
    });
    assert.throws(() => o.conv2d(x, tensor(new Float32Array(4 * 3 * 7 * 7), [4, 3, 7, 7])), /conv2d: kernel \[7,7\].*does not fit/);
    assert.throws(() => o.conv2d(x, tensor(new Float32Array(4 * 3 * 3 * 3), [4, 3, 3, 3]), { stride: 0 }), /conv2d: stride must be/);
    assert.throws(() => o.conv2d(tensor([1, 2, 3], [1, 1, 3]), x), /conv2d: x must have rank 4/);
  });
});

describe('convTranspose2d', () => {
  for (const [name, backend] of backends) {
    test(`stride 2 SAME places each kernel at 2·(y, x) − pad_top, like TF conv2d_transpose (${name})`, async () => {
      // 2×2 → 4×4 with a 3×3 kernel: total pad (2−1)·2 + 3 − 4 = 1, so top/left 0 and bottom/right 1.
      const w = tensor(iota(9), [1, 1, 3, 3]);
      const atOrigin = o.convTranspose2d(tensor([1, 0, 0, 0], [1, 1, 2, 2]), w, { stride: 2, padding: 'same' });
      assert.deepEqual(atOrigin.shape, [1, 1, 4, 4]);
      assertClose(await values(atOrigin, backend), [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0, 0]);
      const atCorner = o.convTranspose2d(tensor([0, 0, 0, 1], [1, 1, 2, 2]), w, { stride: 2, padding: 'same' });
      assertClose(await values(atCorner, backend), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 4, 5]);
    });
  }

  test('gives the MNIST generator shapes: [N,128,7,7] → [N,64,14,14] with a [128,64,5,5] kernel', () => {
    const y = o.convTranspose2d(tensor(new Float32Array(2 * 128 * 49), [2, 128, 7, 7]), tensor(new Float32Array(128 * 64 * 25), [128, 64, 5, 5]), {
      stride: 2,
      padding: 'same',
    });
    assert.deepEqual(y.shape, [2, 64, 14, 14]);
  });

  test('is the adjoint of conv2d: ⟨convT(g, w), x⟩ = ⟨g, conv2d(x, w)⟩', async () => {
    const rng = new Rng(5);
    const x = rng.normal([2, 3, 8, 8]);
    const w = rng.normal([4, 3, 5, 5]);
    const g = rng.normal([2, 4, 4, 4]);
    const lhs = o.sum(o.mul(o.convTranspose2d(g, w, { stride: 2, padding: 'same' }), x));
    const rhs = o.sum(o.mul(o.conv2d(x, w, { stride: 2, padding: 'same' }), g));
    for (const [, backend] of backends) {
      const [a] = await values(lhs, backend);
      const [b] = await values(rhs, backend);
      assert.ok(Math.abs(a! - b!) < 1e-3 * (1 + Math.abs(b!)), `${a} vs ${b}`);
    }
  });

  test('refuses an output shape that does not map back onto the input', () => {
    const x = tensor(new Float32Array(9), [1, 1, 3, 3]);
    const w = tensor(new Float32Array(9), [1, 1, 3, 3]);
    assert.deepEqual(o.convTranspose2d(x, w, { stride: 2, padding: 1 }).shape, [1, 1, 5, 5]);
    assert.deepEqual(o.convTranspose2d(x, w, { stride: 2, padding: 1, outputShape: [6, 6] }).shape, [1, 1, 6, 6]);
    assert.throws(() => o.convTranspose2d(x, w, { stride: 2, padding: 1, outputShape: [7, 7] }), /convTranspose2d: output shape \[7,7\] does not map back/);
  });
});

describe('conv1d', () => {
  test('matches a direct 1-D correlation with SAME padding', async () => {
    const rng = new Rng(7);
    const x = rng.normal([2, 3, 6]);
    const w = rng.normal([4, 3, 3]);
    const xv = Array.from(await x.data64());
    const wv = Array.from(await w.data64());
    const want: number[] = [];
    for (let n = 0; n < 2; n++) {
      for (let oc = 0; oc < 4; oc++) {
        for (let l = 0; l < 6; l++) {
          let s = 0;
          for (let c = 0; c < 3; c++) {
            for (let k = 0; k < 3; k++) {
              const p = l + k - 1;
              if (p >= 0 && p < 6) s += xv[(n * 3 + c) * 6 + p]! * wv[(oc * 3 + c) * 3 + k]!;
            }
          }
          want.push(s);
        }
      }
    }
    for (const [, backend] of backends) assertClose(await values(o.conv1d(x, w, { padding: 'same' }), backend), want, 1e-4);
  });
});

describe('pooling and upsampling', () => {
  for (const [name, backend] of backends) {
    test(`avgPool2d averages each window and upsampleNearest2d repeats each pixel (${name})`, async () => {
      const x = tensor(iota(16), [1, 1, 4, 4]);
      assertClose(await values(o.avgPool2d(x, 2), backend), [3.5, 5.5, 11.5, 13.5]);
      const up = o.upsampleNearest2d(tensor([1, 2, 3, 4], [1, 1, 2, 2]), [2, 1]);
      assert.deepEqual(up.shape, [1, 1, 4, 2]);
      assertClose(await values(up, backend), [1, 2, 1, 2, 3, 4, 3, 4]);
    });
  }

  test('avgPool2d refuses sizes that are not a multiple of the window', () => {
    assert.throws(() => o.avgPool2d(tensor(new Float32Array(15), [1, 1, 3, 5]), 2), /avg_pool2d: the spatial size of x \[1,1,3,5\] must be a multiple of the window \[2,2\]/);
  });
});
