/**
 * 2-D convolution layer, as tflib's Conv2D: SAME padding, he_init by default, bias 0.
 */
import { conv2d, type Padding2d } from '../ops/conv2d.js';
import type { Rng } from '../tensor/random.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkPositiveInt } from './checks.js';
import { checkInit, conv2dFans, initValues, type Init } from './init.js';
import { defaultRng, Module, parameter } from './module.js';

export interface Conv2dLayerOptions {
  /** Stride (default 1). */
  stride?: number;
  /** Padding (default 'same': TensorFlow SAME, as every tflib conv). */
  padding?: Padding2d;
  /** Add a per-channel bias (default true). */
  bias?: boolean;
  /** Weight rule (default 'he' = tflib he_init=True; 'glorot' = he_init=False; or a fixed σ). */
  init?: Init;
  /** Stream for the initial values (default: the global stream, see `manualSeed`). */
  rng?: Rng;
}

/**
 * Convolution [N, in, H, W] → [N, out, Ho, Wo] with a square kernel; weight [out, in, k, k] (ONNX layout).
 * @example const conv = new Conv2d(1, 64, 5, { stride: 2 }); // MNIST critic: 28×28 → 14×14
 */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: number;
  readonly padding: Padding2d;
  readonly init: Init;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    opts: Conv2dLayerOptions = {},
  ) {
    super();
    checkPositiveInt('Conv2d', 'inChannels', inChannels);
    checkPositiveInt('Conv2d', 'outChannels', outChannels);
    checkPositiveInt('Conv2d', 'kernelSize', kernelSize);
    this.stride = opts.stride ?? 1;
    checkPositiveInt('Conv2d', 'stride', this.stride);
    this.padding = opts.padding ?? 'same';
    this.init = checkInit('Conv2d', opts.init ?? 'he', true);
    this.weight = parameter([outChannels, inChannels, kernelSize, kernelSize]);
    this.bias = opts.bias === false ? null : parameter([outChannels]);
    this.resetParameters(opts.rng ?? defaultRng());
  }

  override resetParameters(rng: Rng): void {
    const fans = conv2dFans(this.inChannels, this.outChannels, this.kernelSize, this.stride);
    this.weight.assignData(initValues(this.init, fans, this.weight.size, rng, true));
    this.bias?.assignData(new Float32Array(this.outChannels));
  }

  override forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.inChannels) {
      throw new ShapeError('Conv2d', `expected input [N, ${this.inChannels}, H, W], got ${fmt(x.shape)}`);
    }
    return conv2d(x, this.weight, { stride: this.stride, padding: this.padding, bias: this.bias ?? undefined });
  }

  override extraRepr(): string {
    return `${this.inChannels} → ${this.outChannels}, k${this.kernelSize}, stride ${this.stride}, padding ${JSON.stringify(this.padding)}`;
  }
}
