/**
 * Activation modules: parameter-free wrappers of the activation ops, for use in `Sequential`.
 */
import { paperSoftplus } from '../ops/activations.js';
import { leakyRelu } from '../ops/leaky-relu.js';
import { relu } from '../ops/relu.js';
import { sigmoid } from '../ops/sigmoid.js';
import { tanh } from '../ops/tanh.js';
import type { Tensor } from '../tensor/tensor.js';
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
    if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new Error(`LeakyReLU: alpha must be a finite number, got ${String(alpha)}`);
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
