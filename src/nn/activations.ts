/**
 * Activation, softmax, pooling and upsampling modules: parameter-free wrappers of the ops, for use
 * in `Sequential` (the ops themselves are exported too: `relu(x)`, `avgPool2d(x, 2)`, ...).
 */
import { paperSoftplus } from '../ops/activations.js';
import { avgPool2d } from '../ops/avg-pool2d.js';
import { elu } from '../ops/elu.js';
import { leakyRelu } from '../ops/leaky-relu.js';
import { relu } from '../ops/relu.js';
import { sigmoid } from '../ops/sigmoid.js';
import { logSoftmax, softmax } from '../ops/softmax.js';
import { softplus } from '../ops/softplus.js';
import { tanh } from '../ops/tanh.js';
import { upsampleNearest2d } from '../ops/upsample-nearest2d.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkFinite, checkInteger, checkWindow } from './checks.js';
import { Module } from './module.js';

/** max(x, 0). @example new Sequential(new Linear(2, 512), new ReLU()) */
export class ReLU extends Module {
  override forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/**
 * x for x > 0, αx otherwise; α = 0.2 by default (the reference critics' LeakyReLU).
 * @example new LeakyReLU() // α = 0.2
 */
export class LeakyReLU extends Module {
  constructor(readonly alpha = 0.2) {
    super();
    checkFinite('LeakyReLU', 'alpha', alpha);
  }
  override forward(x: Tensor): Tensor {
    return leakyRelu(x, this.alpha);
  }
  override extraRepr(): string {
    return `α ${this.alpha}`;
  }
}

/** tanh(x) (the CIFAR generator's output). @example new Tanh() */
export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** 1/(1 + e^−x) (the MNIST generator's output). @example new Sigmoid() */
export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/**
 * softplus(2x + 2)/2 − 1, the paper's smooth nonlinearity of the random-architecture study (§5.1).
 * @example new PaperSoftplus()
 */
export class PaperSoftplus extends Module {
  override forward(x: Tensor): Tensor {
    return paperSoftplus(x);
  }
}

/**
 * x for x > 0, α(eˣ − 1) otherwise; α = 1 by default (PyTorch's ELU).
 * @example new Sequential(new Linear(2, 64), new ELU())
 */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    checkFinite('ELU', 'alpha', alpha);
  }
  override forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
  override extraRepr(): string {
    return `α ${this.alpha}`;
  }
}

/** log(1 + eˣ), computed stably (PyTorch's Softplus with β = 1). @example new Softplus() */
export class Softplus extends Module {
  override forward(x: Tensor): Tensor {
    return softplus(x);
  }
}

/** Softmax along `axis` (default the last). @example new Sequential(new Linear(128, 10), new Softmax()) */
export class Softmax extends Module {
  constructor(readonly axis = -1) {
    super();
    checkInteger('Softmax', 'axis', axis);
  }
  override forward(x: Tensor): Tensor {
    return softmax(x, this.axis);
  }
  override extraRepr(): string {
    return `axis ${this.axis}`;
  }
}

/** Log-softmax along `axis` (default the last). @example new LogSoftmax(1) */
export class LogSoftmax extends Module {
  constructor(readonly axis = -1) {
    super();
    checkInteger('LogSoftmax', 'axis', axis);
  }
  override forward(x: Tensor): Tensor {
    return logSoftmax(x, this.axis);
  }
  override extraRepr(): string {
    return `axis ${this.axis}`;
  }
}

/**
 * Mean over non-overlapping `kernel` windows of x [N, C, H, W] (stride = kernel, no padding: H and W
 * must be multiples of it), as PyTorch's AvgPool2d(kernel) (the reference ResNet critic's pooling).
 * @example new AvgPool2d(2) // [N, C, 32, 32] → [N, C, 16, 16]
 */
export class AvgPool2d extends Module {
  constructor(readonly kernel: number | readonly [number, number] = 2) {
    super();
    checkWindow('AvgPool2d', 'kernel', kernel);
  }
  override forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernel);
  }
  override extraRepr(): string {
    return `kernel ${String(this.kernel)}`;
  }
}

/**
 * Nearest-neighbour upsampling of x [N, C, H, W] by integer factors (PyTorch's
 * Upsample(scale_factor, mode='nearest')).
 * @example new UpsampleNearest2d(2) // [N, C, 4, 4] → [N, C, 8, 8]
 */
export class UpsampleNearest2d extends Module {
  constructor(readonly factor: number | readonly [number, number] = 2) {
    super();
    checkWindow('UpsampleNearest2d', 'factor', factor);
  }
  override forward(x: Tensor): Tensor {
    return upsampleNearest2d(x, this.factor);
  }
  override extraRepr(): string {
    return `factor ${String(this.factor)}`;
  }
}
