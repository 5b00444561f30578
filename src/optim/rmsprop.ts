/**
 * RMSProp with the semantics of TensorFlow 1's RMSPropOptimizer, which the reference's weight-clipped
 * WGAN baselines used (RMSProp 5e-5): mean square initialised to ONES, eps inside the square root.
 */
import { add } from '../ops/add.js';
import { div } from '../ops/div.js';
import { square } from '../ops/math.js';
import { mul } from '../ops/mul.js';
import { sqrt } from '../ops/sqrt.js';
import { sub } from '../ops/sub.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkNumber, Optimizer, type OptimizerOptions, type ParamList } from './optimizer.js';

export interface RMSPropOptions extends OptimizerOptions {
  /** Default 5e-5 (the reference's WGAN-with-clipping setting). */
  lr?: number;
  /** Decay ρ of the mean square in [0, 1); default 0.9 (TF1). */
  decay?: number;
  /** Momentum in [0, 1); default 0 (TF1). */
  momentum?: number;
  /** Added to the mean square inside the root; default 1e-10 (TF1). */
  eps?: number;
}

/**
 * One TF1 RMSProp step for one parameter, as lazy ops: ms' = ρ·ms + (1−ρ)·g²;
 * Δ = lr·g/√(ms' + eps); with momentum, mom' = μ·mom + Δ and p' = p − mom', else p' = p − Δ.
 * @example const { param, ms } = rmspropRule(p, g, ms0, null, lr, { decay: 0.9, momentum: 0, eps: 1e-10 });
 */
export function rmspropRule(
  p: Tensor,
  g: Tensor,
  ms: Tensor,
  mom: Tensor | null,
  lr: Tensor,
  h: { readonly decay: number; readonly momentum: number; readonly eps: number },
): { param: Tensor; ms: Tensor; mom: Tensor | null } {
  const ms1 = add(mul(ms, h.decay), mul(square(g), 1 - h.decay));
  const delta = mul(lr, div(g, sqrt(add(ms1, h.eps))));
  if (mom === null) return { param: sub(p, delta), ms: ms1, mom: null };
  const mom1 = add(mul(mom, h.momentum), delta);
  return { param: sub(p, mom1), ms: ms1, mom: mom1 };
}

/**
 * RMSProp (TensorFlow 1 semantics) over a list of parameters.
 * @example const opt = new RMSProp(D.parameters(), { lr: 5e-5, project: clipProjection(0.01) });
 */
export class RMSProp extends Optimizer {
  readonly decay: number;
  readonly momentum: number;
  readonly eps: number;

  constructor(params: ParamList, opts: RMSPropOptions = {}) {
    const momentum = checkNumber('RMSProp', 'momentum', opts.momentum ?? 0, 0, 1, true);
    // TF1 initialises the mean square to ones (and the momentum accumulator to zeros).
    const slots = [{ name: 'ms', init: 1 }, ...(momentum > 0 ? [{ name: 'mom', init: 0 }] : [])];
    super('RMSProp', params, opts.lr ?? 5e-5, opts.project, slots);
    this.momentum = momentum;
    this.decay = checkNumber('RMSProp', 'decay', opts.decay ?? 0.9, 0, 1, true);
    this.eps = checkNumber('RMSProp', 'eps', opts.eps ?? 1e-10, 0, Infinity, false);
  }

  protected override fedScalars(): Record<string, number> {
    return { lr: this.lr };
  }

  protected override rule(p: Tensor, g: Tensor, [ms, mom]: readonly Tensor[], fed: Readonly<Record<string, Tensor>>): { param: Tensor; slots: Tensor[] } {
    const r = rmspropRule(p, g, ms!, mom ?? null, fed.lr!, this);
    return { param: r.param, slots: r.mom ? [r.ms, r.mom] : [r.ms] };
  }
}
