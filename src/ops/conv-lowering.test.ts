/**
 * The shape-dependent lowerings of the convolution adjoints agree with the float64 reference
 * interpreter: conv2d_weight_grad as one MatMul per kernel tap (x with ≥ 32 channels) or as a Conv
 * (fewer), conv2d_input_grad as one GEMM + Col2Im (g of ≤ 16 pixels) or as ConvTranspose — over
 * strides, pads, dilations and inputs whose last rows the forward conv never reads. The op cases
 * (src/ops/cases/conv.ts) use 2-3 channels, so these shapes are the ones that reach the other paths.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { ortBackend } from '../node.js';
import { Rng } from '../tensor/random.js';
import { realize, type Tensor } from '../tensor/tensor.js';
import type { ConvGeometry } from './conv2d.js';
import { conv2dInputGrad } from './conv-transpose2d.js';
import { conv2dWeightGrad } from './conv2d-weight-grad.js';

const ref = referenceBackend();
const ort = ortBackend({ threads: 1 });
after(() => ort.dispose?.());

/** Builds the graph twice (a realized tensor keeps its values) and runs it on each backend. */
async function assertMatchesReference(build: () => Tensor): Promise<void> {
  const [r, t] = [build(), build()];
  await realize([r], ref);
  const want = Array.from(await r.data64());
  await realize([t], ort);
  const got = Array.from(await t.data64());
  assert.equal(got.length, want.length);
  const scale = Math.max(...want.map(Math.abs));
  assert.ok(scale > 0);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) <= 1e-5 * scale, `[${i}]: ${g} vs ${want[i]}`));
}

const geom = (stride: number, pads: [number, number, number, number], dilation = 1): ConvGeometry => ({
  stride: [stride, stride],
  pads,
  dilation: [dilation, dilation],
});
const outSize = (h: number, k: number, g: ConvGeometry): number =>
  Math.floor((h + g.pads[0] + g.pads[2] - g.dilation[0] * (k - 1) - 1) / g.stride[0]) + 1;

// [label, H, k, geometry]: 1×1, 3×3 SAME, k5 stride 2 with unread rows, dilation with asymmetric pads.
const geometries: [string, number, number, ConvGeometry][] = [
  ['1×1 stride 1', 4, 1, geom(1, [0, 0, 0, 0])],
  ['3×3 pad 1', 5, 3, geom(1, [1, 1, 1, 1])],
  ['5×5 stride 2, unread rows', 8, 5, geom(2, [1, 1, 2, 2])],
  ['3×3 stride 2, cropped input', 7, 3, geom(2, [1, 0, 0, 1])],
  ['3×3 dilation 2', 6, 3, geom(1, [0, 1, 1, 0], 2)],
];

describe('conv2d_weight_grad lowerings', () => {
  for (const C of [3, 32]) {
    for (const [label, H, k, g] of geometries) {
      test(`${label}, ${C} input channels (${C >= 32 ? 'tap MatMuls' : 'Conv'})`, async () => {
        const rng = new Rng(H * 100 + C);
        const Ho = outSize(H, k, g);
        const [x, gy] = [rng.normal([2, C, H, H]), rng.normal([2, 4, Ho, Ho])];
        assert.deepEqual(conv2dWeightGrad(x, gy, g, [k, k]).shape, [4, C, k, k]);
        await assertMatchesReference(() => conv2dWeightGrad(x, gy, g, [k, k]));
      });
    }
  }
});

describe('conv2d_input_grad lowerings', () => {
  for (const [label, H, k, g] of geometries) {
    for (const big of [false, true]) {
      // g of Ho·Wo ≤ 16 pixels takes the GEMM + Col2Im path; a larger input makes it ConvTranspose.
      const h = big ? H + 6 : H;
      const Ho = outSize(h, k, g);
      test(`${label}, g ${Ho}×${Ho} (${Ho * Ho <= 16 ? 'GEMM + Col2Im' : 'ConvTranspose'})`, async () => {
        const rng = new Rng(h * 10 + k);
        const [gy, w] = [rng.normal([3, 5, Ho, Ho]), rng.normal([5, 2, k, k])];
        assert.deepEqual(conv2dInputGrad(gy, w, g, [h, h]).shape, [3, 2, h, h]);
        await assertMatchesReference(() => conv2dInputGrad(gy, w, g, [h, h]));
      });
    }
  }
});
