/**
 * Batch normalization layer with batch statistics always (the reference has no running averages;
 * its generators normalize with the batch's moments also when sampling).
 */
import { batchNorm } from '../ops/norms.js';
import type { Rng } from '../tensor/random.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkPositive, checkPositiveInt } from './checks.js';
import { defaultRng, Module, parameter } from './module.js';

export interface BatchNormOptions {
  /** Added to the variance (default 1e-5, the reference's value). */
  eps?: number;
  /** Axes of the moments (default: all but the channel axis 1: [0] for [N, F], [0, 2, 3] for images). */
  axes?: readonly number[];
  /** Learn the per-channel scale and offset (default true). */
  affine?: boolean;
  /** Unused (gamma starts at 1, beta at 0); accepted for a uniform layer signature. */
  rng?: Rng;
}

/**
 * Normalizes each channel (axis 1) with the batch's mean and variance, then scales by gamma [C]
 * (init 1) and shifts by beta [C] (init 0). Unlike `torch.nn.BatchNorm2d` it keeps no running
 * statistics (a PyTorch copy must stay in `train()` mode); gamma/beta are PyTorch's weight/bias.
 * @example const bn = new BatchNorm(512); const h = relu(bn.forward(conv.forward(x)));
 */
export class BatchNorm extends Module {
  readonly gamma: Tensor | null;
  readonly beta: Tensor | null;
  readonly eps: number;
  readonly axes: readonly number[] | undefined;

  constructor(
    readonly numFeatures: number,
    opts: BatchNormOptions = {},
  ) {
    super();
    checkPositiveInt('BatchNorm', 'numFeatures', numFeatures);
    this.eps = opts.eps ?? 1e-5;
    checkPositive('BatchNorm', 'eps', this.eps);
    this.axes = opts.axes;
    const affine = opts.affine ?? true;
    this.gamma = affine ? parameter([numFeatures], 1) : null;
    this.beta = affine ? parameter([numFeatures]) : null;
    this.resetParameters(opts.rng ?? defaultRng());
  }

  override resetParameters(_rng: Rng): void {
    this.gamma?.assignData(new Float32Array(this.numFeatures).fill(1));
    this.beta?.assignData(new Float32Array(this.numFeatures));
  }

  override forward(x: Tensor): Tensor {
    if (x.rank < 2 || x.shape[1] !== this.numFeatures) {
      throw new ShapeError('BatchNorm', `expected input [N, ${this.numFeatures}, ...], got ${fmt(x.shape)}`);
    }
    return batchNorm(x, this.gamma, this.beta, { eps: this.eps, ...(this.axes ? { axes: this.axes } : {}) });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps ${this.eps}`;
  }
}
