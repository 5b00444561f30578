/**
 * The onnx backend's shape-dependent lowerings of the convolutions (conv-lowering.ts) agree with the
 * float64 reference interpreter: conv2d_weight_grad as one MatMul per kernel tap (x with ≥ 8 channels) or as a Conv
 * (fewer), conv2d_input_grad as one GEMM + Col2Im (g of ≤ 16 pixels; for a GPU provider, Convs on
 * flipped kernels, one per output phase when strided) or as ConvTranspose — over
 * strides, pads, dilations and inputs whose last rows the forward conv never reads. The op cases
 * (test/op-cases/conv.ts) use 2-3 channels, so these shapes are the ones that reach the other paths.
 * With channel counts in whole blocks, conv2d and stride-1 conv2d_input_grad go to onnxruntime's
 * NCHWc kernels where this onnxruntime has them; those lowerings are checked the same way, and
 * against the standard ONNX lowering of the same graph.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as onnxruntime from 'onnxruntime-node';
import { ortBackend } from '../../node.js';
import { conv2dWithGeometry, type ConvGeometry } from '../../ops/conv2d.js';
import { conv2dWeightGrad } from '../../ops/conv2d-weight-grad.js';
import { conv2dInputGrad } from '../../ops/conv-transpose2d.js';
import { Rng } from '../../tensor/random.js';
import { buildPlan, realize, tensor, type Tensor } from '../../tensor/tensor.js';
import { referenceBackend } from '../reference/reference-backend.js';
import { GPU_WEIGHT_GRAD_SPLIT, IM2COL_GEMM_MAX_ELEMENTS, im2colGemmFits, weightGradSplit } from './conv-lowering.js';
import { DEFAULT_GPU_WEIGHT_GRAD_CONV_MAX_ROWS, lowerPlan, type LoweringOptions } from './lower.js';
import { probeNchwcBlock, type OrtLike } from './ort-backend.js';

const ref = referenceBackend();
const ort = ortBackend({ threads: 1 });
const ortPlain = ortBackend({ threads: 1, nchwc: false });
after(async () => {
  await ort.dispose?.();
  await ortPlain.dispose?.();
});

/** Builds the graph twice (a realized tensor keeps its values) and runs it on each backend. */
async function assertMatchesReference(build: () => Tensor, backend = ort): Promise<void> {
  const [r, t] = [build(), build()];
  await realize([r], ref);
  const want = Array.from(await r.data64());
  await realize([t], backend);
  const got = Array.from(await t.data64());
  assert.equal(got.length, want.length);
  const scale = Math.max(...want.map(Math.abs));
  assert.ok(scale > 0);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) <= 1e-5 * scale, `[${i}]: ${g} vs ${want[i]}`));
}

/** Runs a graph lowered for a GPU provider on onnxruntime's CPU provider and checks it against the float64 reference. */
async function assertGpuLoweringMatches(build: () => Tensor, check: (nodes: ReturnType<typeof lowerPlan>['nodes']) => void, opts: LoweringOptions = {}): Promise<void> {
  const plan = buildPlan([build()]);
  const m = lowerPlan(plan, { ...opts, gpu: true });
  check(m.nodes);
  const session = await onnxruntime.InferenceSession.create(m.bytes);
  const feeds = Object.fromEntries(
    m.inputNames.map((name, k) => {
      const t = plan.values[plan.feeds[k]!]!.tensor;
      return [name, new onnxruntime.Tensor('float32', Float32Array.from(t.value!), t.shape)];
    }),
  );
  const got = (await session.run(feeds))[m.outputNames[0]!]!.data as Float32Array;
  await session.release();
  const r = build();
  await realize([r], ref);
  const want = Array.from(await r.data64());
  const scale = Math.max(...want.map(Math.abs));
  want.forEach((v, i) => assert.ok(Math.abs(got[i]! - v) <= 1e-5 * scale, `gpu lowering [${i}]: ${got[i]} vs ${v}`));
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
  // [input channels, batch]: the Conv for 3 channels; from 8 on a CPU, one GEMM against the im2col of x.
  for (const [C, N] of [[3, 2], [8, 3], [32, 2]] as const) {
    for (const [label, H, k, g] of geometries) {
      const path = C < 8 ? 'Conv' : 'one GEMM';
      test(`${label}, ${C} input channels, batch ${N} (${path})`, async () => {
        const rng = new Rng(H * 100 + C);
        const Ho = outSize(H, k, g);
        const [x, gy] = [rng.normal([N, C, H, H]), rng.normal([N, 4, Ho, Ho])];
        const ops = lowerPlan(buildPlan([conv2dWeightGrad(x, gy, g, [k, k])])).nodes.map((n) => n.opType);
        assert.equal(ops.includes('Conv'), C < 8, path);
        assert.equal(ops.filter((op) => op === 'Gemm').length, C < 8 ? 0 : 1, path);
        assert.ok(!ops.includes('MatMul') && !ops.includes('ReduceSum') && !ops.includes('Concat'), ops.join(' '));
        assert.deepEqual(conv2dWeightGrad(x, gy, g, [k, k]).shape, [4, C, k, k]);
        await assertMatchesReference(() => conv2dWeightGrad(x, gy, g, [k, k]));
      });
    }
  }

  // 1-D weight gradients (conv1d as a conv2d over 1-pixel-high images, the language model's layers):
  // [label, length, k, geometry]. The language layer: k5, stride 1, pads 2.
  const oneD: [string, number, number, ConvGeometry][] = [
    ['k5 stride 1 pads 2 (the language layer)', 9, 5, { stride: [1, 1], pads: [0, 2, 0, 2], dilation: [1, 1] }],
    ['k1', 7, 1, { stride: [1, 1], pads: [0, 0, 0, 0], dilation: [1, 1] }],
    ['k3 stride 2, dilation 2, an unread end column', 10, 3, { stride: [1, 2], pads: [0, 1, 0, 1], dilation: [1, 2] }],
  ];
  for (const [label, L, k, g] of oneD) {
    test(`1-D ${label}, 16 input channels, batch 5: one GEMM, equal to the reference`, async () => {
      const rng = new Rng(L * 31 + k);
      const Lo = Math.floor((L + g.pads[1] + g.pads[3] - g.dilation[1] * (k - 1) - 1) / g.stride[1]) + 1;
      const [x, gy] = [rng.normal([5, 16, 1, L]), rng.normal([5, 6, 1, Lo])];
      const ops = lowerPlan(buildPlan([conv2dWeightGrad(x, gy, g, [1, k])])).nodes.map((n) => n.opType);
      assert.equal(ops.filter((op) => op === 'Gemm').length, 1);
      assert.equal(ops.filter((op) => op === 'Gather').length, 1);
      assert.equal(ops.includes('Pad'), g.pads.some((p) => p > 0));
      await assertMatchesReference(() => conv2dWeightGrad(x, gy, g, [1, k]));
    });
  }

  test('the im2col bound: the language, MNIST and DCGAN layers take one GEMM; the ResNet 16×16 and 32×32 layers the tap MatMuls', () => {
    assert.ok(im2colGemmFits(64, 128, [1, 5], [1, 32]), 'language k5 conv1d');
    assert.ok(im2colGemmFits(50, 64, [5, 5], [7, 7]), 'MNIST 14×14 → 7×7');
    assert.ok(im2colGemmFits(64, 128, [5, 5], [8, 8]), 'DCGAN 16×16 → 8×8');
    assert.ok(!im2colGemmFits(64, 128, [3, 3], [16, 16]), 'ResNet 16×16');
    assert.ok(!im2colGemmFits(64, 128, [3, 3], [32, 32]), 'ResNet 32×32');
    assert.equal(IM2COL_GEMM_MAX_ELEMENTS, 16 * 2 ** 20);
  });

  test('above the bound a CPU weight gradient is one MatMul per tap over the two halves of an even batch', () => {
    // Lowered only (not run): 64·128·9·16·16 = 18.9 M im2col floats.
    const [x, gy] = [tensor(new Float32Array(64 * 128 * 16 * 16), [64, 128, 16, 16]), tensor(new Float32Array(64 * 8 * 16 * 16), [64, 8, 16, 16])];
    const ops = lowerPlan(buildPlan([conv2dWeightGrad(x, gy, geom(1, [1, 1, 1, 1]), [3, 3])])).nodes.map((n) => n.opType);
    assert.equal(ops.filter((op) => op === 'MatMul').length, 9);
    assert.equal(ops.filter((op) => op === 'ReduceSum').length, 9);
    assert.ok(!ops.includes('Gemm') && !ops.includes('Gather'));
  });

  test('the batch split of the tap MatMuls: 2 on a CPU (even batch), up to 32 parts of ≥ 256 rows on a GPU', () => {
    assert.equal(weightGradSplit(64, 1024, false), 2);
    assert.equal(weightGradSplit(65, 1024, false), 1);
    assert.equal(weightGradSplit(64, 1024, true), GPU_WEIGHT_GRAD_SPLIT);
    assert.equal(weightGradSplit(50, 49, true), 5, 'MNIST 7×7 maps at batch 50: 10 images of 49 pixels per part');
    assert.equal(weightGradSplit(64, 16, true), 4);
    assert.equal(weightGradSplit(3, 4, true), 1);
    assert.equal(weightGradSplit(7, 64, true), 1, 'a prime batch is not split');
  });

  // For a GPU provider: with many rows per output, the tap MatMuls over up to 32 parts of the batch
  // (a split K), then summed; with few (≤ gpuWeightGradConvMaxRows), the one Conv.
  for (const [label, H0, k, g] of geometries) {
    const H = H0 + 8;
    const Ho = outSize(H, k, g);
    const parts = weightGradSplit(32, Ho * Ho, true);
    test(`${label}, ${H}×${H}, 8 input channels, batch 32 (GPU, many rows: tap MatMuls over ${parts} parts of the batch)`, async () => {
      assert.ok(parts > 2);
      const rng = new Rng(H * 7 + k);
      const [x, gy] = [rng.normal([32, 8, H, H]), rng.normal([32, 4, Ho, Ho])];
      // Bound 0: these shapes stand for the ResNet's 32×32 layers (65,536 rows).
      await assertGpuLoweringMatches(
        () => conv2dWeightGrad(x, gy, g, [k, k]),
        (nodes) => {
          assert.ok(nodes.some((n) => n.opType === 'ReduceSum'));
          assert.equal(nodes.filter((n) => n.opType === 'MatMul').length, k * k);
        },
        { gpuWeightGradConvMaxRows: 0 },
      );
    });
    test(`${label}, 8 input channels, batch 3 (GPU, few rows: one Conv)`, async () => {
      const rng = new Rng(H0 * 5 + k);
      const Ho0 = outSize(H0, k, g);
      assert.ok(3 * Ho0 * Ho0 <= DEFAULT_GPU_WEIGHT_GRAD_CONV_MAX_ROWS);
      const [x, gy] = [rng.normal([3, 8, H0, H0]), rng.normal([3, 4, Ho0, Ho0])];
      await assertGpuLoweringMatches(
        () => conv2dWeightGrad(x, gy, g, [k, k]),
        (nodes) => {
          assert.equal(nodes.filter((n) => n.opType === 'Conv').length, 1);
          assert.ok(!nodes.some((n) => n.opType === 'MatMul'));
        },
      );
    });
  }
});

describe('conv2d lowerings', () => {
  const opsOf = (t: Tensor, opts: LoweringOptions = {}): string[] => lowerPlan(buildPlan([t]), opts).nodes.map((n) => n.opType);
  // Outputs of ≤ 16 pixels from ≥ 8 input channels (a CPU target): one MatMul against the im2col
  // gathered with the batch innermost; otherwise the Conv.
  for (const [C, N] of [[3, 2], [8, 3], [32, 2]] as const) {
    for (const [label, H, k, g] of geometries) {
      const Ho = outSize(H, k, g);
      const gemm = C >= 8 && Ho * Ho <= 16;
      for (const withBias of [false, true]) {
        test(`${label}, ${C} input channels, batch ${N}, ${Ho}×${Ho} output${withBias ? ', bias' : ''} (${gemm ? 'one GEMM' : 'Conv'})`, async () => {
          const rng = new Rng(H * 100 + C + (withBias ? 1 : 0));
          const [x, w, b] = [rng.normal([N, C, H, H]), rng.normal([5, C, k, k]), rng.normal([5])];
          const build = (): Tensor => conv2dWithGeometry(x, w, g, withBias ? b : undefined);
          const ops = opsOf(build());
          assert.equal(ops.includes('Conv'), !gemm, ops.join(' '));
          assert.equal(ops.filter((op) => op === 'MatMul').length, gemm ? 1 : 0, ops.join(' '));
          assert.equal(ops.filter((op) => op === 'Gather').length, gemm ? 1 : 0, ops.join(' '));
          assert.deepEqual(build().shape, [N, 5, Ho, Ho]);
          await assertMatchesReference(build);
          await assertMatchesReference(build, ortPlain);
        });
      }
    }
  }

  test('a step gathers the im2col of x once for the forward conv and its weight gradient; a GPU target keeps the Conv', async () => {
    const rng = new Rng(7);
    const g = geom(2, [1, 1, 2, 2]);
    const [x, w, gy] = [rng.normal([4, 16, 8, 8]), rng.normal([8, 16, 5, 5]), rng.normal([4, 8, 4, 4])];
    const both = (): Tensor[] => [conv2dWithGeometry(x, w, g), conv2dWeightGrad(x, gy, g, [5, 5])];
    const ops = lowerPlan(buildPlan(both())).nodes.map((n) => n.opType);
    assert.equal(ops.filter((op) => op === 'Gather').length, 1, ops.join(' '));
    assert.equal(ops.filter((op) => op === 'Pad').length, 1, ops.join(' '));
    const gpu = opsOf(conv2dWithGeometry(x, w, g), { gpu: true });
    assert.ok(gpu.includes('Conv') && !gpu.includes('Gather'), gpu.join(' '));
    await assertGpuLoweringMatches(() => conv2dWithGeometry(x, w, g), (nodes) => assert.ok(nodes.some((n) => n.opType === 'Conv')));
    const [y, dw] = both();
    await realize([y!, dw!], ort);
    const [yRef, dwRef] = both();
    await realize([yRef!, dwRef!], ref);
    for (const [got, want] of [[y!, yRef!], [dw!, dwRef!]] as const) {
      const [a, e] = [Array.from(await got.data64()), Array.from(await want.data64())];
      const scale = Math.max(...e.map(Math.abs));
      a.forEach((v, i) => assert.ok(Math.abs(v - e[i]!) <= 1e-5 * scale, `[${i}]: ${v} vs ${e[i]}`));
    }
  });
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
        // For a GPU provider (no Col2Im kernel in onnxruntime's WebGPU; its ConvTranspose disagreed on
        // 4×4 inputs): flipped-kernel Convs (one per phase when strided) up to 16 pixels, ConvTranspose above.
        await assertGpuLoweringMatches(
          () => conv2dInputGrad(gy, w, g, [h, h]),
          (nodes) => {
            const ops = new Set(nodes.map((n) => n.opType));
            assert.ok(!ops.has('Col2Im'));
            assert.equal(ops.has('Conv'), Ho * Ho <= 16, [...ops].join(' '));
            assert.equal(ops.has('ConvTranspose'), Ho * Ho > 16, [...ops].join(' '));
          },
        );
      });
    }
  }
});

describe('NCHWc lowerings (onnxruntime CPU kernels in channel blocks)', async () => {
  const block = await probeNchwcBlock(onnxruntime as unknown as OrtLike);
  const skip = block === 0 ? 'this onnxruntime build has no NCHWc kernels' : false;
  const nchwcNodes = (t: Tensor, b: number): number => lowerPlan(buildPlan([t]), { nchwcBlock: b }).nodes.filter((n) => n.domain === 'com.microsoft.nchwc').length;
  // [label, H, k, geometry, uses NCHWc for conv2d, for conv2d_input_grad (strided: one conv per phase)]
  const cases: [string, number, number, ConvGeometry, boolean, boolean][] = [
    ['3×3 pad 1', 9, 3, geom(1, [1, 1, 1, 1]), true, true],
    ['1×1', 6, 1, geom(1, [0, 0, 0, 0]), true, true],
    ['3×3 dilation 2, asymmetric pads', 9, 3, geom(1, [0, 1, 2, 1], 2), true, true],
    ['5×5 valid (input-gradient pads 4)', 9, 5, geom(1, [0, 0, 0, 0]), true, true],
    ['5×5 stride 2 to 8×8', 16, 5, geom(2, [1, 1, 2, 2]), true, true],
    ['5×5 stride 2, 14×14 to 7×7', 14, 5, geom(2, [1, 1, 2, 2]), true, true],
    ['3×3 stride 2, unread last row', 15, 3, geom(2, [0, 0, 0, 0]), true, true],
    ['4×4 stride 3, end pads beyond the kernel', 13, 4, geom(3, [1, 2, 5, 4]), false, true],
    ['5×5 stride 2 to 4×4 (one GEMM over the im2col; input gradient by Col2Im)', 8, 5, geom(2, [1, 1, 2, 2]), false, false],
  ];
  for (const [label, H, k, g, fwd, adj] of cases) {
    const Ho = outSize(H, k, g);
    test(`conv2d, ${label}`, { skip }, async () => {
      const rng = new Rng(H * 7 + k);
      const [x, w] = [rng.normal([2, 32, H, H]), rng.normal([16, 32, k, k])];
      assert.equal(nchwcNodes(conv2dWithGeometry(x, w, g), block), fwd ? 3 : 0);
      assert.equal(nchwcNodes(conv2dWithGeometry(x, w, g), 0), 0);
      await assertMatchesReference(() => conv2dWithGeometry(x, w, g));
      await assertMatchesReference(() => conv2dWithGeometry(x, w, g), ortPlain);
    });
    test(`conv2d_input_grad, ${label}`, { skip }, async () => {
      const rng = new Rng(H * 11 + k);
      const [gy, w] = [rng.normal([2, 16, Ho, Ho]), rng.normal([16, 32, k, k])];
      const phases = g.stride[0] * g.stride[1];
      assert.equal(nchwcNodes(conv2dInputGrad(gy, w, g, [H, H]), block), adj ? 1 + 2 * phases : 0);
      await assertMatchesReference(() => conv2dInputGrad(gy, w, g, [H, H]));
      await assertMatchesReference(() => conv2dInputGrad(gy, w, g, [H, H]), ortPlain);
    });
  }
  test('conv2d with a bias: the NCHWc Conv adds it (no separate Add), equal to the reference', { skip }, async () => {
    const rng = new Rng(5);
    const [x, w, b] = [rng.normal([2, 32, 9, 9]), rng.normal([16, 32, 3, 3]), rng.normal([16])];
    const g = geom(1, [1, 1, 1, 1]);
    const nodes = lowerPlan(buildPlan([conv2dWithGeometry(x, w, g, b)]), { nchwcBlock: block }).nodes;
    assert.equal(nodes.filter((n) => n.opType === 'Add').length, 0);
    assert.equal(nodes.find((n) => n.domain === 'com.microsoft.nchwc' && n.opType === 'Conv')?.inputs.length, 3);
    await assertMatchesReference(() => conv2dWithGeometry(x, w, g, b));
    await assertMatchesReference(() => conv2dWithGeometry(x, w, g, b), ortPlain);
  });
  test('channel counts that are not whole blocks keep the standard lowering', { skip }, () => {
    const rng = new Rng(3);
    const x = rng.normal([1, block + 4, 6, 6]);
    assert.equal(nchwcNodes(conv2dWithGeometry(x, rng.normal([block, block + 4, 3, 3]), geom(1, [1, 1, 1, 1])), block), 0);
  });
});
