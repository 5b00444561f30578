/**
 * 1-D convolution layer, as tflib's Conv1D (the language model): SAME padding, he_init, bias 0.
 */
import { conv1d } from '../ops/conv2d.js';
import type { Rng } from '../tensor/random.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkPositiveInt } from './checks.js';
import { checkInit, conv1dFans, initValues, type Init } from './init.js';
import { defaultRng, Module, parameter } from './module.js';

export interface Conv1dLayerOptions {
  /** Stride (default 1). */
  stride?: number;
  /** Padding: 'same' (default, TensorFlow SAME), 'valid', a number or [left, right]. */
  padding?: number | readonly [number, number] | 'same' | 'valid';
  /** Add a per-channel bias (default true). */
  bias?: boolean;
  /** Weight rule (default 'he' = tflib he_init=True; 'glorot' = he_init=False; or a fixed σ). */
  init?: Init;
  /** Stream for the initial values (default: the global stream, see `manualSeed`). */
  rng?: Rng;
}

/**
 * Convolution [N, in, L] → [N, out, Lo]; weight [out, in, k].
 * @example const conv = new Conv1d(512, 512, 5); // a residual block of the language model
 */
export class Conv1d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: number;
  readonly padding: number | readonly [number, number] | 'same' | 'valid';
  readonly init: Init;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    opts: Conv1dLayerOptions = {},
  ) {
    super();
    checkPositiveInt('Conv1d', 'inChannels', inChannels);
    checkPositiveInt('Conv1d', 'outChannels', outChannels);
    checkPositiveInt('Conv1d', 'kernelSize', kernelSize);
    this.stride = opts.stride ?? 1;
    checkPositiveInt('Conv1d', 'stride', this.stride);
    this.padding = opts.padding ?? 'same';
    this.init = checkInit('Conv1d', opts.init ?? 'he', true);
    this.weight = parameter([outChannels, inChannels, kernelSize]);
    this.bias = opts.bias === false ? null : parameter([outChannels]);
    this.resetParameters(opts.rng ?? defaultRng());
  }

  override resetParameters(rng: Rng): void {
    const fans = conv1dFans(this.inChannels, this.outChannels, this.kernelSize, this.stride);
    this.weight.assignData(initValues(this.init, fans, this.weight.size, rng, true));
    this.bias?.assignData(new Float32Array(this.outChannels));
  }

  override forward(x: Tensor): Tensor {
    if (x.rank !== 3 || x.shape[1] !== this.inChannels) {
      throw new ShapeError('Conv1d', `expected input [N, ${this.inChannels}, L], got ${fmt(x.shape)}`);
    }
    return conv1d(x, this.weight, { stride: this.stride, padding: this.padding, bias: this.bias ?? undefined });
  }

  override extraRepr(): string {
    return `${this.inChannels} → ${this.outChannels}, k${this.kernelSize}, stride ${this.stride}, padding ${JSON.stringify(this.padding)}`;
  }
}
