/**
 * Conditional batch normalization (the conditional CIFAR ResNet generator): batch statistics, then a
 * scale and offset looked up per sample from per-class tables.
 */
import { conditionalBatchNorm } from '../ops/norms.js';
import type { Rng } from '../tensor/random.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkPositive, checkPositiveInt } from './checks.js';
import { defaultRng, Module, parameter } from './module.js';

export interface ConditionalBatchNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Unused (the tables start at 1 and 0); accepted for a uniform layer signature. */
  rng?: Rng;
}

/**
 * Batch norm whose gamma/beta are rows `labels[n]` of [numClasses, C] tables (init 1 and 0, as the
 * reference's offset_m / scale_m).
 * @example const cbn = new ConditionalBatchNorm(10, 128); const h = cbn.forward(x, labels);
 */
export class ConditionalBatchNorm extends Module {
  readonly gamma: Tensor;
  readonly beta: Tensor;
  readonly eps: number;

  constructor(
    readonly numClasses: number,
    readonly numFeatures: number,
    opts: ConditionalBatchNormOptions = {},
  ) {
    super();
    checkPositiveInt('ConditionalBatchNorm', 'numClasses', numClasses);
    checkPositiveInt('ConditionalBatchNorm', 'numFeatures', numFeatures);
    this.eps = opts.eps ?? 1e-5;
    checkPositive('ConditionalBatchNorm', 'eps', this.eps);
    this.gamma = parameter([numClasses, numFeatures], 1);
    this.beta = parameter([numClasses, numFeatures]);
    this.resetParameters(opts.rng ?? defaultRng());
  }

  override resetParameters(_rng: Rng): void {
    this.gamma.assignData(new Float32Array(this.gamma.size).fill(1));
    this.beta.assignData(new Float32Array(this.beta.size));
  }

  /** `labels`: int32 [N], one class per sample. */
  override forward(x: Tensor, labels?: Tensor): Tensor {
    if (!labels) throw new ShapeError('ConditionalBatchNorm', 'forward(x, labels) needs the int32 class labels [N]');
    if (x.rank < 2 || x.shape[1] !== this.numFeatures) {
      throw new ShapeError('ConditionalBatchNorm', `expected input [N, ${this.numFeatures}, ...], got ${fmt(x.shape)}`);
    }
    return conditionalBatchNorm(x, labels, this.gamma, this.beta, { eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numClasses} classes, ${this.numFeatures}, eps ${this.eps}`;
  }
}
