/**
 * Op cases for the elementwise activations, pow, the max reduction and the softmax / cross-entropy
 * / activation composites. Inputs stay away from kinks (0 for abs and the ReLU family, the clamp
 * bounds) and from ties (max), where finite differences do not measure a derivative.
 */
import { randArg, type OpCase } from '../support/op-case.js';
import type { GradCheckArg } from '../../src/autodiff/gradcheck.js';
import * as o from '../../src/ops/index.js';

const a23 = randArg([2, 3], 101);
const b3 = randArg([3], 103);
const pos23 = randArg([2, 3], 104, { lo: 0.5, hi: 2 });
const kinky23 = randArg([2, 3], 105, { awayFromZero: 0.1 });
const wide = randArg([3, 4], 106, { lo: -4, hi: 4 });
const labels4: GradCheckArg = { data: [2, 0, 3], shape: [3], dtype: 'int32' };

export const cases: OpCase[] = [
  // pow: integer, fractional and negative exponents; the vjp is itself a pow, so order 2 checks it twice.
  { name: 'pow with an integer exponent', f: (x) => o.pow(x!, 3), args: [a23] },
  { name: 'pow with exponent 2 times a tensor', f: (x, y) => o.mul(o.pow(x!, 2), y!), args: [a23, b3] },
  { name: 'pow with a fractional exponent of positives', f: (x) => o.pow(x!, 0.5), args: [pos23] },
  { name: 'pow with a negative exponent of positives', f: (x) => o.pow(x!, -1.5), args: [pos23] },
  { name: 'pow with exponent 1 and 0', f: (x) => o.add(o.pow(x!, 1), o.mul(o.pow(x!, 0), x!)), args: [a23] },

  { name: 'abs away from zero', f: (x) => o.mul(o.abs(x!), x!), args: [kinky23] },
  { name: 'abs of int32 values', f: (x) => o.cast(o.abs(x!), 'float32'), args: [{ data: [-3, 0, 2, -1], shape: [4], dtype: 'int32' }], order: 0 },
  // tanh and sigmoid: the second derivative must flow through the output node (TF.js gets it wrong).
  { name: 'tanh', f: (x) => o.tanh(x!), args: [wide] },
  { name: 'tanh of a product', f: (x, y) => o.tanh(o.mul(x!, y!)), args: [a23, b3] },
  { name: 'sigmoid', f: (x) => o.sigmoid(x!), args: [wide] },
  { name: 'sigmoid times its input', f: (x) => o.mul(o.sigmoid(x!), x!), args: [a23] },
  { name: 'leakyRelu away from the kink', f: (x) => o.mul(o.leakyRelu(x!, 0.2), x!), args: [kinky23] },
  { name: 'leakyRelu of a broadcast sum', f: (x, y) => o.leakyRelu(o.mul(o.add(x!, y!), o.add(x!, y!)), 0.1), args: [kinky23, randArg([3], 107, { lo: 2, hi: 3 })] },
  { name: 'elu with alpha 1', f: (x) => o.elu(x!), args: [kinky23] },
  { name: 'elu with alpha 0.5 times its input', f: (x) => o.mul(o.elu(x!, 0.5), x!), args: [kinky23] },
  { name: 'softplus', f: (x) => o.softplus(x!), args: [wide] },
  // Large |x|: the stable form max(x,0) + log1p(e^−|x|) stays finite on both backends.
  { name: 'softplus of large magnitudes', f: (x) => o.softplus(x!), args: [randArg([8], 108, { lo: -120, hi: 120 })], order: 1 },

  { name: 'max over the last axis keepdims', f: (x) => o.mul(o.max(x!, -1, true), x!), args: [a23] },
  { name: 'max over the first axis', f: (x) => o.max(o.mul(x!, x!), 0), args: [randArg([3, 2, 2], 109)] },
  { name: 'max over all axes', f: (x) => o.max(o.tanh(x!)), args: [a23] },
  { name: 'max over two negative axes', f: (x) => o.max(o.mul(x!, x!), [-1, -3]), args: [randArg([2, 3, 4], 110)] },
  { name: 'min composes max and neg', f: (x) => o.mul(o.min(x!, 1, true), x!), args: [a23] },
  { name: 'max of int32 values', f: (x) => o.cast(o.max(x!, 0), 'float32'), args: [{ data: [3, -1, 7, 2, 5, -4], shape: [2, 3], dtype: 'int32' }], order: 0 },

  { name: 'softmax over the last axis', f: (x) => o.softmax(x!), args: [wide] },
  { name: 'softmax over axis 0', f: (x, y) => o.mul(o.softmax(x!, 0), y!), args: [a23, b3] },
  { name: 'logSoftmax over the last axis', f: (x) => o.logSoftmax(x!, -1), args: [wide] },
  { name: 'logSoftmax of large logits', f: (x) => o.logSoftmax(o.mul(x!, 300)), args: [a23], order: 1, rtol: 1e-4 },
  { name: 'oneHot of int labels', f: (l) => o.oneHot(l!, 4), args: [labels4], order: 0 },
  { name: 'oneHot of a matrix of labels', f: (l) => o.oneHot(l!, 3), args: [{ data: [0, 2, 1, 1, 0, 2], shape: [2, 3], dtype: 'int32' }], order: 0 },
  { name: 'softmaxCrossEntropy against int labels', f: (x, l) => o.softmaxCrossEntropy(x!, l!), args: [wide, labels4] },
  {
    name: 'sigmoidCrossEntropyWithLogits against soft labels',
    f: (x, z) => o.sigmoidCrossEntropyWithLogits(x!, z!),
    args: [wide, randArg([3, 4], 111, { lo: 0, hi: 1 })],
  },
  { name: 'sigmoidCrossEntropyWithLogits against a number', f: (x) => o.sigmoidCrossEntropyWithLogits(o.mul(x!, x!), 1), args: [wide] },
  { name: 'paperSoftplus', f: (x) => o.paperSoftplus(x!), args: [wide] },
  { name: 'gatedTanhSigmoid broadcasts', f: (a, b) => o.gatedTanhSigmoid(a!, b!), args: [a23, b3] },
  {
    name: 'clamp to numbers, away from the bounds',
    f: (x) => o.mul(o.clamp(x!, -0.5, 0.5), x!),
    args: [{ data: [-0.9, -0.3, 0.2, 0.7, 0.05, -0.8], shape: [2, 3] }],
  },
  {
    name: 'clip to broadcast tensor bounds',
    f: (x, lo, hi) => o.clip(o.mul(x!, 2), lo!, hi!),
    args: [{ data: [-0.9, -0.3, 0.2, 0.7, 0.05, -0.8], shape: [2, 3] }, { data: [-0.4, -1, -0.5], shape: [3] }, { data: [0.6], shape: [1] }],
  },
];
