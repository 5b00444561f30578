/**
 * Layer normalization as the reference critic uses it (tflib Layernorm over [C, H, W]): per-sample
 * moments over all non-batch axes, per-channel scale and offset.
 */
import { layerNorm } from '../ops/norms.js';
import type { Rng } from '../tensor/random.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkPositive, checkPositiveInt } from './checks.js';
import { defaultRng, Module, parameter } from './module.js';

export interface LayerNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn the per-channel scale and offset (default true). */
  affine?: boolean;
  /** Unused (gamma starts at 1, beta at 0); accepted for a uniform layer signature. */
  rng?: Rng;
}

/**
 * Normalizes each sample over all its non-batch axes, then scales by gamma [C] (init 1) and shifts
 * by beta [C] (init 0), C = axis 1. The critic's replacement for batch norm under WGAN-GP. In PyTorch
 * terms this is `torch.nn.GroupNorm(1, C)` (not `torch.nn.LayerNorm([C, H, W])`, whose scale is
 * [C, H, W]); gamma/beta are its weight/bias ({@link torchStateDict} renames them).
 * @example const ln = new LayerNorm(128); const h = leakyRelu(ln.forward(conv.forward(x)));
 */
export class LayerNorm extends Module {
  readonly gamma: Tensor | null;
  readonly beta: Tensor | null;
  readonly eps: number;

  constructor(
    readonly numChannels: number,
    opts: LayerNormOptions = {},
  ) {
    super();
    checkPositiveInt('LayerNorm', 'numChannels', numChannels);
    this.eps = opts.eps ?? 1e-5;
    checkPositive('LayerNorm', 'eps', this.eps);
    const affine = opts.affine ?? true;
    this.gamma = affine ? parameter([numChannels], 1) : null;
    this.beta = affine ? parameter([numChannels]) : null;
    this.resetParameters(opts.rng ?? defaultRng());
  }

  override resetParameters(_rng: Rng): void {
    this.gamma?.assignData(new Float32Array(this.numChannels).fill(1));
    this.beta?.assignData(new Float32Array(this.numChannels));
  }

  override forward(x: Tensor): Tensor {
    if (x.rank < 2 || x.shape[1] !== this.numChannels) {
      throw new ShapeError('LayerNorm', `expected input [N, ${this.numChannels}, ...], got ${fmt(x.shape)}`);
    }
    return layerNorm(x, this.gamma, this.beta, { eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numChannels}, eps ${this.eps}`;
  }
}
