/**
 * Op cases for the normalization composites (batch norm with batch statistics, the critic's layer
 * norm, conditional batch norm), including a gradient penalty through a layer-normalized conv critic:
 * the double backward through norms is a known failure of other implementations.
 */
import { gradients } from '../../src/autodiff/grad.js';
import { randArg, type OpCase } from '../support/op-case.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import * as o from '../../src/ops/index.js';

/** Penalty mean_n (‖∇ₓD‖ − 1)² of D(x) = Σ w2 · leakyRelu(layerNorm(conv(x))) (the 64×64 critics' block). */
function layerNormPenalty(x: Tensor, w: Tensor, gamma: Tensor, beta: Tensor): Tensor {
  const h = o.leakyRelu(o.layerNorm(o.conv2d(x, w, { stride: 2, padding: 'same' }), gamma, beta), 0.2);
  const [gx] = gradients(o.sum(o.mul(h, h)), [x]);
  return o.mean(o.square(o.sub(o.sqrt(o.sum(o.square(gx!), [1, 2, 3])), 1)));
}

const labels = { data: [0, 2, 1, 2], shape: [4], dtype: 'int32' as const };

export const cases: OpCase[] = [
  {
    name: 'batchNorm over [N, H, W] with per-channel gamma and beta',
    f: (x, g, b) => o.batchNorm(x!, g!, b!),
    args: [randArg([4, 3, 2, 3], 201, { lo: -2, hi: 2 }), randArg([3], 202, { lo: 0.5, hi: 1.5 }), randArg([3], 203)],
  },
  {
    name: 'batchNorm of features [N, F] (the generator MLP)',
    f: (x, g, b) => o.batchNorm(x!, g!, b!),
    args: [randArg([5, 4], 204, { lo: -2, hi: 2 }), randArg([4], 205, { lo: 0.5, hi: 1.5 }), randArg([4], 206)],
  },
  {
    name: 'batchNorm without scale and offset, custom eps',
    f: (x) => o.batchNorm(x!, null, null, { eps: 1e-3 }),
    args: [randArg([3, 2, 2, 2], 207)],
  },
  {
    name: 'layerNorm per sample over [C, H, W] with per-channel gamma and beta (the critic norm)',
    f: (x, g, b) => o.layerNorm(x!, g!, b!),
    args: [randArg([2, 3, 3, 3], 208, { lo: -2, hi: 2 }), randArg([3], 209, { lo: 0.5, hi: 1.5 }), randArg([3], 210)],
  },
  {
    name: 'layerNorm of features [N, F]',
    f: (x, g, b) => o.layerNorm(x!, g!, b!),
    args: [randArg([3, 5], 211, { lo: -2, hi: 2 }), randArg([5], 212, { lo: 0.5, hi: 1.5 }), randArg([5], 213)],
  },
  {
    name: 'conditionalBatchNorm takes scale and offset rows by label',
    f: (x, _labels, g, b) => o.conditionalBatchNorm(x!, _labels!, g!, b!),
    args: [randArg([4, 3, 2, 2], 214, { lo: -2, hi: 2 }), labels, randArg([3, 3], 215, { lo: 0.5, hi: 1.5 }), randArg([3, 3], 216)],
  },
  {
    name: 'WGAN-GP penalty through conv + layerNorm + leakyRelu, differentiated in every parameter',
    f: (x, w, g, b) => layerNormPenalty(x!, w!, g!, b!),
    args: [randArg([2, 1, 6, 6], 217), randArg([2, 1, 3, 3], 218), randArg([2], 219, { lo: 0.5, hi: 1.5 }), randArg([2], 220)],
  },
];
