/**
 * Transposed 2-D convolution layer, as tflib's Deconv2D: stride 2, SAME, output 2H × 2W.
 */
import { add } from '../ops/add.js';
import { convTranspose2d } from '../ops/conv-transpose2d.js';
import type { Padding2d } from '../ops/conv2d.js';
import { reshape } from '../ops/reshape.js';
import type { Rng } from '../tensor/random.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkPositiveInt } from './checks.js';
import { checkInit, deconv2dFans, initValues, type Init } from './init.js';
import { defaultRng, Module, parameter } from './module.js';

export interface ConvTranspose2dLayerOptions {
  /** Stride (default 2, the only one tflib's Deconv2D has). */
  stride?: number;
  /** Padding of the equivalent forward conv (default 'same': output = stride × input). */
  padding?: Padding2d;
  /** Add a per-channel bias (default true). */
  bias?: boolean;
  /** Weight rule (default 'he' = tflib he_init=True; 'glorot' = he_init=False; or a fixed σ). */
  init?: Init;
  /** Stream for the initial values (default: the global stream, see `manualSeed`). */
  rng?: Rng;
}

/**
 * Upsampling convolution [N, in, H, W] → [N, out, 2H, 2W] (with the defaults); weight
 * [in, out, k, k] (ONNX ConvTranspose layout).
 * @example const up = new ConvTranspose2d(256, 128, 5); // 4×4 → 8×8 in the CIFAR generator
 */
export class ConvTranspose2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: number;
  readonly padding: Padding2d;
  readonly init: Init;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    opts: ConvTranspose2dLayerOptions = {},
  ) {
    super();
    checkPositiveInt('ConvTranspose2d', 'inChannels', inChannels);
    checkPositiveInt('ConvTranspose2d', 'outChannels', outChannels);
    checkPositiveInt('ConvTranspose2d', 'kernelSize', kernelSize);
    this.stride = opts.stride ?? 2;
    checkPositiveInt('ConvTranspose2d', 'stride', this.stride);
    this.padding = opts.padding ?? 'same';
    this.init = checkInit('ConvTranspose2d', opts.init ?? 'he', true);
    this.weight = parameter([inChannels, outChannels, kernelSize, kernelSize]);
    this.bias = opts.bias === false ? null : parameter([outChannels]);
    this.resetParameters(opts.rng ?? defaultRng());
  }

  override resetParameters(rng: Rng): void {
    const fans = deconv2dFans(this.inChannels, this.outChannels, this.kernelSize, this.stride);
    this.weight.assignData(initValues(this.init, fans, this.weight.size, rng, true));
    this.bias?.assignData(new Float32Array(this.outChannels));
  }

  override forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.inChannels) {
      throw new ShapeError('ConvTranspose2d', `expected input [N, ${this.inChannels}, H, W], got ${fmt(x.shape)}`);
    }
    const y = convTranspose2d(x, this.weight, { stride: this.stride, padding: this.padding });
    return this.bias ? add(y, reshape(this.bias, [1, this.outChannels, 1, 1])) : y;
  }

  override extraRepr(): string {
    return `${this.inChannels} → ${this.outChannels}, k${this.kernelSize}, stride ${this.stride}, padding ${JSON.stringify(this.padding)}`;
  }
}
