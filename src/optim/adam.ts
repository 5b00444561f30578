/**
 * Adam with PyTorch's semantics: bias-corrected moments, eps added to √v̂ (outside the root).
 * The defaults are the paper's, Adam(α = 1e-4, β1 = 0, β2 = 0.9) (Algorithm 1), not PyTorch's
 * (lr 1e-3, β = (0.9, 0.999)): pass `{ lr: 1e-3, beta1: 0.9, beta2: 0.999 }` for those.
 */
import { add } from '../ops/add.js';
import { div } from '../ops/div.js';
import { square } from '../ops/math.js';
import { mul } from '../ops/mul.js';
import { sqrt } from '../ops/sqrt.js';
import { sub } from '../ops/sub.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkNumber, Optimizer, type OptimizerOptions, type ParamList } from './optimizer.js';

export interface AdamOptions extends OptimizerOptions {
  /** Default 1e-4 (the paper). */
  lr?: number;
  /** First-moment decay in [0, 1); default 0 (the paper's Algorithm 1). */
  beta1?: number;
  /** Second-moment decay in [0, 1); default 0.9. */
  beta2?: number;
  /** Added to √v̂; default 1e-8. */
  eps?: number;
}

export interface AdamHyper {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

/**
 * One Adam step for one parameter, as lazy ops (the pure rule under {@link Adam}):
 * m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g², p' = p − stepSize · m' / (√v' · invSqrtBc2 + eps),
 * where the fed scalars are stepSize = lr/(1 − β1ᵗ) and invSqrtBc2 = 1/√(1 − β2ᵗ). This is PyTorch's
 * p − lr · m̂ / (√v̂ + eps) with m̂ = m'/(1 − β1ᵗ), v̂ = v'/(1 − β2ᵗ).
 * @example const { param, m, v } = adamRule(p, g, m0, v0, stepSize, invSqrtBc2, { beta1: 0, beta2: 0.9, eps: 1e-8 });
 */
export function adamRule(
  p: Tensor,
  g: Tensor,
  m: Tensor,
  v: Tensor,
  stepSize: Tensor,
  invSqrtBc2: Tensor,
  h: AdamHyper,
): { param: Tensor; m: Tensor; v: Tensor } {
  // β1 = 0 (the paper's setting): m' is the gradient itself; skip the dead multiply-add.
  const m1 = h.beta1 === 0 ? g : add(mul(m, h.beta1), mul(g, 1 - h.beta1));
  const v1 = add(mul(v, h.beta2), mul(square(g), 1 - h.beta2));
  const denom = add(mul(sqrt(v1), invSqrtBc2), h.eps);
  return { param: sub(p, mul(stepSize, div(m1, denom))), m: m1, v: v1 };
}

/**
 * Adam over a list of parameters.
 * @example
 * const opt = new Adam(D.parameters(), { lr: 1e-4, beta1: 0, beta2: 0.9 });
 * await opt.step(gradients(loss, D.parameters()), [loss]);
 */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;

  constructor(params: ParamList, opts: AdamOptions = {}) {
    super('Adam', params, opts.lr ?? 1e-4, opts.project, [
      { name: 'm', init: 0 },
      { name: 'v', init: 0 },
    ]);
    this.beta1 = checkNumber('Adam', 'beta1', opts.beta1 ?? 0, 0, 1, true);
    this.beta2 = checkNumber('Adam', 'beta2', opts.beta2 ?? 0.9, 0, 1, true);
    this.eps = checkNumber('Adam', 'eps', opts.eps ?? 1e-8, 0, Infinity, false);
  }

  protected override fedScalars(t: number): Record<string, number> {
    return { stepSize: this.lr / (1 - this.beta1 ** t), invSqrtBc2: 1 / Math.sqrt(1 - this.beta2 ** t) };
  }

  protected override rule(p: Tensor, g: Tensor, [m, v]: readonly Tensor[], fed: Readonly<Record<string, Tensor>>): { param: Tensor; slots: Tensor[] } {
    const r = adamRule(p, g, m!, v!, fed.stepSize!, fed.invSqrtBc2!, this);
    return { param: r.param, slots: [r.m, r.v] };
  }
}
