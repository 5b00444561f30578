/**
 * A chain of modules applied in order.
 */
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/**
 * Applies each module to the previous one's output. Children are named by position ('0', '1', ...),
 * so parameters are named like PyTorch's: `0.weight`, `2.bias`.
 * @example const D = new Sequential(new Linear(2, 512, { init: 'he' }), new ReLU(), new Linear(512, 1));
 */
export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module)) throw new Error(`Sequential: argument ${i} is not a Module`);
    });
    this.layers = layers;
  }

  override namedChildren(): [string, Module][] {
    return this.layers.map((m, i) => [String(i), m]);
  }

  override forward(x: Tensor): Tensor {
    return this.layers.reduce((h, m) => m.forward(h), x);
  }

  /** The number of layers. */
  get length(): number {
    return this.layers.length;
  }
}
