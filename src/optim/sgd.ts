/**
 * Stochastic gradient descent, optionally with (PyTorch-style) momentum.
 */
import { add } from '../ops/add.js';
import { mul } from '../ops/mul.js';
import { sub } from '../ops/sub.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkNumber, Optimizer, type OptimizerOptions, type ParamList } from './optimizer.js';

export interface SGDOptions extends OptimizerOptions {
  /** Default 1e-2. */
  lr?: number;
  /** Momentum μ in [0, 1); default 0. buf' = μ·buf + g, p' = p − lr·buf'. */
  momentum?: number;
}

/**
 * One SGD step as lazy ops: p' = p − lr·g, or with momentum buf' = μ·buf + g, p' = p − lr·buf'.
 * @example const { param } = sgdRule(p, g, null, lr, 0);
 */
export function sgdRule(p: Tensor, g: Tensor, buf: Tensor | null, lr: Tensor, momentum: number): { param: Tensor; buf: Tensor | null } {
  if (buf === null) return { param: sub(p, mul(lr, g)), buf: null };
  const buf1 = add(mul(buf, momentum), g);
  return { param: sub(p, mul(lr, buf1)), buf: buf1 };
}

/**
 * Plain gradient descent over a list of parameters.
 * @example const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer {
  readonly momentum: number;

  constructor(params: ParamList, opts: SGDOptions = {}) {
    const momentum = checkNumber('SGD', 'momentum', opts.momentum ?? 0, 0, 1, true);
    super('SGD', params, opts.lr ?? 1e-2, opts.project, momentum > 0 ? [{ name: 'momentum', init: 0 }] : []);
    this.momentum = momentum;
  }

  protected override fedScalars(): Record<string, number> {
    return { lr: this.lr };
  }

  protected override rule(p: Tensor, g: Tensor, [buf]: readonly Tensor[], fed: Readonly<Record<string, Tensor>>): { param: Tensor; slots: Tensor[] } {
    const r = sgdRule(p, g, buf ?? null, fed.lr!, this.momentum);
    return { param: r.param, slots: r.buf ? [r.buf] : [] };
  }
}
