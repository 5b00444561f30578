/**
 * Op cases for the convolution family (conv2d and its two adjoints, transposed conv, conv1d),
 * pooling and upsampling. Outputs are squared where the op is linear, so the second-order check
 * exercises every vjp of a vjp (conv2d → inputGrad/weightGrad → conv2d/inputGrad/weightGrad).
 */
import { gradients } from '../../src/autodiff/grad.js';
import { randArg, type OpCase } from '../support/op-case.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import type { ConvGeometry } from '../../src/ops/conv2d.js';
import * as o from '../../src/ops/index.js';

const geom = (stride: number, pads: [number, number, number, number], dilation = 1): ConvGeometry => ({
  stride: [stride, stride],
  pads,
  dilation: [dilation, dilation],
});

/**
 * The WGAN-GP penalty through a two-layer conv critic (the MNIST critic's shape, shrunk):
 * D(x) = Σ conv(leakyRelu(conv(x))); penalty = mean_n (‖∇ₓD‖₂ − 1)² with the norm per sample over
 * [C, H, W]. Its derivative in the weights is what a critic step needs.
 */
function convPenalty(x: Tensor, w1: Tensor, w2: Tensor, b1?: Tensor): Tensor {
  const d = o.sum(o.conv2d(o.leakyRelu(o.conv2d(x, w1, { stride: 2, padding: 'same', bias: b1 }), 0.2), w2, { stride: 2, padding: 'same' }));
  const [gx] = gradients(d, [x]);
  const norms = o.sqrt(o.sum(o.square(gx!), [1, 2, 3]));
  return o.mean(o.square(o.sub(norms, 1)));
}

/**
 * The same penalty through a two-layer 1-D critic with ≥ 8 channels (the language critic's blocks,
 * shrunk: conv1d k5 SAME with a bias, ReLU-like, conv1d k5): on onnxruntime its weight gradients,
 * first order and inside the penalty's second order, take the one-GEMM lowering of 1-D weight
 * gradients (src/backends/onnx/conv-lowering.ts). Norm per sample over [C, L].
 */
function conv1dPenalty(x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor): Tensor {
  const d = o.sum(o.conv1d(o.leakyRelu(o.conv1d(x, w1, { padding: 'same', bias: b1 }), 0.2), w2, { padding: 'same' }));
  const [gx] = gradients(d, [x]);
  const norms = o.sqrt(o.sum(o.square(gx!), [1, 2]));
  return o.mean(o.square(o.sub(norms, 1)));
}

export const cases: OpCase[] = [
  {
    name: 'conv2d 5x5, k3, stride 1, pad 1',
    f: (x, w) => o.square(o.conv2d(x!, w!, { padding: 1 })),
    args: [randArg([2, 2, 5, 5], 101), randArg([3, 2, 3, 3], 102)],
  },
  {
    name: 'conv2d 7x7, k5, stride 2, SAME (the MNIST critic layer)',
    f: (x, w) => o.square(o.conv2d(x!, w!, { stride: 2, padding: 'same' })),
    args: [randArg([2, 2, 7, 7], 103), randArg([3, 2, 5, 5], 104)],
  },
  {
    name: 'conv2d 6x6, k5, stride 2, SAME pads asymmetrically (1 before, 2 after)',
    f: (x, w) => o.square(o.conv2d(x!, w!, { stride: 2, padding: 'same' })),
    args: [randArg([2, 2, 6, 6], 105), randArg([3, 2, 5, 5], 106)],
  },
  {
    name: 'conv2d 7x7, k3, stride 2, asymmetric pads leaving unread rows and columns',
    f: (x, w) => o.square(o.conv2d(x!, w!, { stride: 2, padding: [1, 0, 0, 1] })),
    args: [randArg([2, 2, 7, 7], 107), randArg([3, 2, 3, 3], 108)],
  },
  {
    name: 'conv2d with dilation 2 and uneven strides',
    f: (x, w) => o.square(o.conv2d(x!, w!, { stride: [1, 2], dilation: 2, padding: [2, 1, 0, 2] })),
    args: [randArg([2, 2, 7, 7], 109), randArg([3, 2, 3, 3], 110)],
  },
  {
    name: 'conv2d with a bias, k3, stride 2, SAME (bias, weight and input interact at second order)',
    f: (x, w, b) => o.square(o.conv2d(o.mul(x!, x!), w!, { stride: 2, padding: 'same', bias: o.mul(b!, b!) })),
    args: [randArg([2, 2, 5, 5], 139), randArg([3, 2, 3, 3], 140), randArg([3], 141)],
  },
  {
    name: 'conv2d of a nonlinear input (both arguments interact at second order)',
    f: (x, w) => o.conv2d(o.mul(x!, x!), o.mul(w!, w!), { stride: 2, padding: 'same' }),
    args: [randArg([2, 2, 5, 5], 111), randArg([3, 2, 3, 3], 112)],
  },
  {
    name: 'conv2d input gradient (ConvTranspose) with unread rows, at order 2',
    f: (g, w) => o.square(o.conv2dInputGrad(g!, w!, geom(2, [1, 0, 0, 1]), [7, 7])),
    args: [randArg([2, 3, 3, 3], 113), randArg([3, 2, 3, 3], 114)],
  },
  {
    name: 'conv2d input gradient, k5 stride 2 SAME-style pads',
    f: (g, w) => o.square(o.conv2dInputGrad(g!, w!, geom(2, [1, 1, 2, 2]), [6, 6])),
    args: [randArg([2, 3, 3, 3], 115), randArg([3, 2, 5, 5], 116)],
  },
  {
    name: 'conv2d weight gradient, k3 stride 2, cropping the input',
    f: (x, g) => o.square(o.conv2dWeightGrad(x!, g!, geom(2, [1, 0, 0, 1]), [3, 3])),
    args: [randArg([2, 2, 7, 7], 117), randArg([2, 3, 3, 3], 118)],
  },
  {
    name: 'conv2d weight gradient, k5 stride 1, symmetric pads',
    f: (x, g) => o.square(o.conv2dWeightGrad(x!, g!, geom(1, [2, 2, 2, 2]), [5, 5])),
    args: [randArg([2, 2, 5, 5], 119), randArg([2, 3, 5, 5], 120)],
  },
  {
    name: 'conv2d weight gradient with dilation 2',
    f: (x, g) => o.square(o.conv2dWeightGrad(x!, g!, geom(1, [0, 0, 1, 1], 2), [3, 3])),
    args: [randArg([2, 2, 5, 5], 121), randArg([2, 3, 2, 2], 122)],
  },
  {
    name: 'convTranspose2d stride 2 SAME doubles the size (the generator deconv)',
    f: (x, w) => o.square(o.convTranspose2d(x!, w!, { stride: 2, padding: 'same' })),
    args: [randArg([2, 3, 3, 3], 123), randArg([3, 2, 5, 5], 124)],
  },
  {
    name: 'convTranspose2d with numeric padding and an explicit output shape',
    f: (x, w) => o.square(o.convTranspose2d(x!, w!, { stride: 2, padding: 1, outputShape: [6, 6] })),
    args: [randArg([2, 3, 3, 3], 125), randArg([3, 2, 3, 3], 126)],
  },
  {
    name: 'conv1d k5 SAME',
    f: (x, w) => o.square(o.conv1d(x!, w!, { padding: 'same' })),
    args: [randArg([2, 3, 7], 127), randArg([2, 3, 5], 128)],
  },
  {
    name: 'conv1d stride 2 with [left, right] padding',
    f: (x, w) => o.square(o.conv1d(x!, w!, { stride: 2, padding: [1, 2] })),
    args: [randArg([2, 3, 8], 129), randArg([2, 3, 3], 130)],
  },
  {
    name: 'conv1d k5 SAME with a bias (the language model layer)',
    f: (x, w, b) => o.square(o.conv1d(x!, w!, { padding: 'same', bias: b! })),
    args: [randArg([2, 3, 7], 142), randArg([2, 3, 5], 143), randArg([2], 144)],
  },
  {
    name: 'conv1d k5 SAME with a bias, 8 channels (onnxruntime: the one-GEMM 1-D weight gradient)',
    f: (x, w, b) => o.square(o.conv1d(x!, w!, { padding: 'same', bias: b! })),
    args: [randArg([3, 8, 6], 149), randArg([2, 8, 5], 150), randArg([2], 151)],
  },
  {
    name: 'conv1d weight gradient, 8 channels, k3 stride 2 dilation 2 with an unread end column',
    f: (x, g) => o.square(o.conv2dWeightGrad(x!, g!, { stride: [1, 2], pads: [0, 1, 0, 1], dilation: [1, 2] }, [1, 3])),
    args: [randArg([2, 8, 1, 8], 152), randArg([2, 3, 1, 3], 153)],
  },
  {
    name: 'WGAN-GP penalty through a 1-D conv critic with 8 channels (the language blocks, shrunk)',
    f: (x, w1, b1, w2) => conv1dPenalty(x!, w1!, b1!, w2!),
    args: [randArg([2, 8, 6], 154), randArg([8, 8, 5], 155), randArg([8], 156), randArg([2, 8, 5], 157)],
  },
  {
    name: 'avgPool2d 2x2 (the ResNet mean pool)',
    f: (x) => o.square(o.avgPool2d(o.mul(x!, x!), 2)),
    args: [randArg([2, 2, 4, 6], 131)],
  },
  {
    name: 'avgPool2d with a 1x3 window',
    f: (x) => o.square(o.avgPool2d(x!, [1, 3])),
    args: [randArg([2, 2, 2, 6], 132)],
  },
  {
    name: 'upsampleNearest2d by 2',
    f: (x) => o.square(o.upsampleNearest2d(x!, 2)),
    args: [randArg([2, 2, 3, 3], 133)],
  },
  {
    name: 'upsampleNearest2d by [2, 3] then a conv (a ResNet up-block)',
    f: (x, w) => o.conv2d(o.square(o.upsampleNearest2d(x!, [2, 3])), w!, { padding: 'same' }),
    args: [randArg([2, 2, 2, 2], 134), randArg([2, 2, 3, 3], 135)],
  },
  {
    name: 'WGAN-GP penalty through a conv critic, differentiated in the input and the weights',
    f: (x, w1, w2) => convPenalty(x!, w1!, w2!),
    args: [randArg([2, 1, 7, 7], 136), randArg([3, 1, 5, 5], 137), randArg([2, 3, 5, 5], 138)],
  },
  {
    name: 'WGAN-GP penalty through a conv critic with a bias before the nonlinearity',
    f: (x, w1, w2, b1) => convPenalty(x!, w1!, w2!, b1!),
    args: [randArg([2, 1, 7, 7], 145), randArg([3, 1, 5, 5], 146), randArg([2, 3, 5, 5], 147), randArg([3], 148)],
  },
];
