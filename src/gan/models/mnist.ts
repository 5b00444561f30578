/**
 * The MNIST networks of the reference gan_mnist.py (DIM = 64): a DCGAN-style generator with three
 * stride-2 transposed convolutions (4×4 → 8×8, cropped to 7×7 → 14×14 → 28×28) and a three-layer
 * stride-2 convolutional critic with LeakyReLU(0.2).
 *
 * Batch norm: the reference inserts it in BOTH networks only in its `wgan` (weight clipping) mode,
 * in the generator after the input Linear (per feature, axes [0]) and after the first two
 * deconvolutions (per channel), and in the critic after its 2nd and 3rd convolutions. Under
 * `wgan-gp` and `dcgan` neither network has any normalization.
 *
 * This file also holds the two small helpers the other image-model files share ({@link asImages},
 * {@link criticNormLayer}).
 */
import { BatchNorm } from '../../nn/batch-norm.js';
import { Conv2d } from '../../nn/conv2d.js';
import { ConvTranspose2d } from '../../nn/conv-transpose2d.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Linear } from '../../nn/linear.js';
import { defaultRng, Module } from '../../nn/module.js';
import { leakyRelu } from '../../ops/leaky-relu.js';
import { relu } from '../../ops/relu.js';
import { reshape } from '../../ops/reshape.js';
import { sigmoid } from '../../ops/sigmoid.js';
import { slice } from '../../ops/slice.js';
import type { Rng } from '../../tensor/random.js';
import { fmt, ShapeError } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { LossName } from '../losses.js';

/**
 * Normalization inside a critic: 'layer' (tflib Layernorm over [C, H, W] with per-channel scale and
 * offset: the paper's choice under WGAN-GP), 'batch' (batch statistics, the reference's choice for
 * every other loss) or 'none'.
 */
export type CriticNorm = 'layer' | 'batch' | 'none';

export const CRITIC_NORMS: readonly CriticNorm[] = ['layer', 'batch', 'none'];

/**
 * The critic normalization layer for `channels` channels, or null for 'none'.
 * @example this.norm2 = criticNormLayer('layer', 128);
 */
export function criticNormLayer(kind: CriticNorm, channels: number): LayerNorm | BatchNorm | null {
  switch (kind) {
    case 'layer':
      return new LayerNorm(channels);
    case 'batch':
      return new BatchNorm(channels);
    case 'none':
      return null;
    default:
      throw new Error(`criticNorm must be one of ${CRITIC_NORMS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
}

/**
 * Views a batch of images as [B, C, H, W]: accepts [B, C, H, W] itself or the reference's flattened
 * [B, C·H·W] rows (the official scripts feed flat vectors); anything else is a ShapeError naming `who`.
 * @example const x = asImages(input, [1, 28, 28], 'MnistCritic');
 */
export function asImages(x: Tensor, chw: readonly [number, number, number], who: string): Tensor {
  const [c, h, w] = chw;
  if (x.rank === 4 && x.shape[1] === c && x.shape[2] === h && x.shape[3] === w) return x;
  if (x.rank === 2 && x.shape[1] === c * h * w) return reshape(x, [x.shape[0]!, c, h, w]);
  throw new ShapeError(who, `expected images [B, ${c}, ${h}, ${w}] or flattened [B, ${c * h * w}], got ${fmt(x.shape)}`);
}

/** Checks a generator's noise input [B, noiseDim]. @example checkNoise(z, NOISE_DIM, 'MnistGenerator'); */
export function checkNoise(z: Tensor, noiseDim: number, who: string): void {
  if (z.rank !== 2 || z.shape[1] !== noiseDim) {
    throw new ShapeError(who, `expected noise [B, ${noiseDim}], got ${fmt(z.shape)}`);
  }
}

/** Checks a model width option (the reference's DIM). @example checkDim('Lsun64BottleneckGenerator', dim, 4); */
export function checkDim(who: string, dim: number, multipleOf = 1): void {
  if (!Number.isInteger(dim) || dim < 1 || dim % multipleOf !== 0) {
    throw new Error(`${who}: dim must be a positive integer${multipleOf > 1 ? ` divisible by ${multipleOf}` : ''}, got ${String(dim)}`);
  }
}

export interface MnistOptions {
  /** Model width DIM (reference: 64). */
  dim?: number;
  /**
   * The loss the models are trained with (default 'wgan-gp'); it decides the batch norms as the
   * reference's MODE does: present in both networks only for 'wgan' (weight clipping).
   */
  loss?: LossName;
  /** Override the critic's normalization (default: 'batch' for 'wgan', otherwise 'none'). */
  criticNorm?: CriticNorm;
  /** Stream for the initial weights (default: the global stream, see `manualSeed`). */
  rng?: Rng;
}

/** Noise size of every reference image generator. */
export const NOISE_DIM = 128;

/**
 * gan_mnist.py Generator: z [B, 128] → Linear(128, 4·4·4·DIM) → [BN] → ReLU → [4·DIM, 4, 4] →
 * deconv5 → 2·DIM (8×8) → [BN] → ReLU → crop 7×7 → deconv5 → DIM (14×14) → [BN] → ReLU →
 * deconv5 → 1 (28×28) → sigmoid. Output [B, 1, 28, 28] in [0, 1] (the reference flattens it to 784).
 * @example const G = new MnistGenerator({ dim: 64 }); const x = G.forward(rng.normal([50, 128]));
 */
export class MnistGenerator extends Module {
  readonly dim: number;
  readonly input: Linear;
  /** 'Generator.BN1': per-feature batch norm over the batch axis (axes [0]), 'wgan' mode only. */
  readonly bn1: BatchNorm | null;
  readonly deconv2: ConvTranspose2d;
  readonly bn2: BatchNorm | null;
  readonly deconv3: ConvTranspose2d;
  readonly bn3: BatchNorm | null;
  readonly deconv5: ConvTranspose2d;

  constructor(opts: { dim?: number; batchNorm?: boolean; rng?: Rng } = {}) {
    super();
    const dim = opts.dim ?? 64;
    checkDim('MnistGenerator', dim);
    this.dim = dim;
    const rng = opts.rng ?? defaultRng();
    const bn = opts.batchNorm ?? false;
    // tflib Linear default init (Glorot); Deconv2D default he_init.
    this.input = new Linear(NOISE_DIM, 4 * 4 * 4 * dim, { rng });
    this.bn1 = bn ? new BatchNorm(4 * 4 * 4 * dim) : null;
    this.deconv2 = new ConvTranspose2d(4 * dim, 2 * dim, 5, { rng });
    this.bn2 = bn ? new BatchNorm(2 * dim) : null;
    this.deconv3 = new ConvTranspose2d(2 * dim, dim, 5, { rng });
    this.bn3 = bn ? new BatchNorm(dim) : null;
    this.deconv5 = new ConvTranspose2d(dim, 1, 5, { rng });
  }

  override forward(z: Tensor): Tensor {
    checkNoise(z, NOISE_DIM, 'MnistGenerator');
    const d = this.dim;
    let h = this.input.forward(z);
    if (this.bn1) h = this.bn1.forward(h);
    h = reshape(relu(h), [z.shape[0]!, 4 * d, 4, 4]);
    h = this.deconv2.forward(h);
    if (this.bn2) h = this.bn2.forward(h);
    // output[:, :, :7, :7]: 8×8 → 7×7, so that the next two doublings reach 28×28.
    h = slice(relu(h), [0, 0], [7, 7], [2, 3]);
    h = this.deconv3.forward(h);
    if (this.bn3) h = this.bn3.forward(h);
    h = relu(h);
    return sigmoid(this.deconv5.forward(h));
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, ${NOISE_DIM} → [1, 28, 28]${this.bn1 ? ', batch norm' : ''}`;
  }
}

/**
 * The reference's three-conv DCGAN critic, shared by gan_mnist.py and gan_cifar.py: conv5 s2 → DIM,
 * LReLU(0.2), conv5 s2 → 2·DIM, [norm], LReLU, conv5 s2 → 4·DIM, [norm], LReLU, flatten 4·4·4·DIM,
 * Linear → 1. Only the input shape and the default DIM differ between the two scripts.
 */
export class DcganCritic extends Module {
  readonly dim: number;
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly norm2: LayerNorm | BatchNorm | null;
  readonly conv3: Conv2d;
  readonly norm3: LayerNorm | BatchNorm | null;
  readonly output: Linear;
  private readonly _label: string;
  private readonly _input: readonly [number, number, number];

  constructor(label: string, input: readonly [number, number, number], dim: number, opts: { norm?: CriticNorm; rng?: Rng } = {}) {
    super();
    checkDim(label, dim);
    this._label = label;
    this._input = input;
    this.dim = dim;
    const rng = opts.rng ?? defaultRng();
    const norm = opts.norm ?? 'none';
    this.conv1 = new Conv2d(input[0], dim, 5, { stride: 2, rng });
    this.conv2 = new Conv2d(dim, 2 * dim, 5, { stride: 2, rng });
    this.norm2 = criticNormLayer(norm, 2 * dim);
    this.conv3 = new Conv2d(2 * dim, 4 * dim, 5, { stride: 2, rng });
    this.norm3 = criticNormLayer(norm, 4 * dim);
    this.output = new Linear(4 * 4 * 4 * dim, 1, { rng });
  }

  override forward(x: Tensor): Tensor {
    const b = x.shape[0]!;
    let h = leakyRelu(this.conv1.forward(asImages(x, this._input, this._label)), 0.2);
    h = this.conv2.forward(h);
    if (this.norm2) h = this.norm2.forward(h);
    h = leakyRelu(h, 0.2);
    h = this.conv3.forward(h);
    if (this.norm3) h = this.norm3.forward(h);
    h = leakyRelu(h, 0.2);
    return reshape(this.output.forward(reshape(h, [b, 4 * 4 * 4 * this.dim])), [b]);
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, [${this._input.join(', ')}] → score`;
  }
}

/**
 * gan_mnist.py Discriminator: [B, 1, 28, 28] (or [B, 784]) → conv5 s2 → DIM (14×14) → LReLU(0.2) →
 * conv5 s2 → 2·DIM (7×7) → [norm] → LReLU → conv5 s2 → 4·DIM (4×4) → [norm] → LReLU →
 * Linear(4·4·4·DIM, 1) → scores [B]. No output nonlinearity.
 * @example const D = new MnistCritic({ dim: 64 }); const s = D.forward(images); // [B]
 */
export class MnistCritic extends DcganCritic {
  constructor(opts: { dim?: number; norm?: CriticNorm; rng?: Rng } = {}) {
    super('MnistCritic', [1, 28, 28], opts.dim ?? 64, opts);
  }
}

/**
 * The gan_mnist.py generator and critic for a loss (batch norms as the reference's MODE decides).
 * @example const { generator, critic } = createMnist({ rng: new Rng(1) });
 */
export function createMnist(opts: MnistOptions = {}): { generator: MnistGenerator; critic: MnistCritic } {
  const loss = opts.loss ?? 'wgan-gp';
  const rng = opts.rng ?? defaultRng();
  const dim = opts.dim ?? 64;
  const clip = loss === 'wgan';
  return {
    generator: new MnistGenerator({ dim, batchNorm: clip, rng }),
    critic: new MnistCritic({ dim, norm: opts.criticNorm ?? (clip ? 'batch' : 'none'), rng }),
  };
}
