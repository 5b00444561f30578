/**
 * The CIFAR-10 DCGAN networks of the reference gan_cifar.py (DIM = 128; the reference notes it
 * overfits and that 64 may be better).
 *
 * The generator always has batch norm: after the input Linear per FEATURE (axes [0], so
 * 2·4·4·4·DIM parameters, not per channel) and after the first two deconvolutions per channel.
 * The critic has batch norm after its 2nd and 3rd convolutions only in the reference's `wgan`
 * (weight clipping) mode; under `wgan-gp` and `dcgan` it has none.
 */
import { BatchNorm } from '../../nn/batch-norm.js';
import { ConvTranspose2d } from '../../nn/conv-transpose2d.js';
import { Linear } from '../../nn/linear.js';
import { defaultRng, Module } from '../../nn/module.js';
import { relu } from '../../ops/relu.js';
import { reshape } from '../../ops/reshape.js';
import { tanh } from '../../ops/tanh.js';
import type { Rng } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { LossName } from '../losses.js';
import { checkDim, checkNoise, DcganCritic, NOISE_DIM, type CriticNorm } from './mnist.js';

export interface CifarDcganOptions {
  /** Model width DIM (reference: 128). */
  dim?: number;
  /** The loss (default 'wgan-gp'); the critic gets batch norm only for 'wgan', as in the reference. */
  loss?: LossName;
  /** Override the critic's normalization (default: 'batch' for 'wgan', otherwise 'none'). */
  criticNorm?: CriticNorm;
  /** Stream for the initial weights (default: the global stream, see `manualSeed`). */
  rng?: Rng;
}

/**
 * gan_cifar.py Generator: z [B, 128] → Linear(128, 4·4·4·DIM) → BN → ReLU → [4·DIM, 4, 4] →
 * deconv5 → 2·DIM (8×8) → BN → ReLU → deconv5 → DIM (16×16) → BN → ReLU → deconv5 → 3 (32×32) →
 * tanh. Output [B, 3, 32, 32] in [−1, 1].
 * @example const G = new CifarDcganGenerator(); const x = G.forward(rng.normal([64, 128]));
 */
export class CifarDcganGenerator extends Module {
  readonly dim: number;
  readonly input: Linear;
  /** 'Generator.BN1': batch norm over the batch axis of the Linear output, one pair per feature. */
  readonly bn1: BatchNorm;
  readonly deconv2: ConvTranspose2d;
  readonly bn2: BatchNorm;
  readonly deconv3: ConvTranspose2d;
  readonly bn3: BatchNorm;
  readonly deconv5: ConvTranspose2d;

  constructor(opts: { dim?: number; rng?: Rng } = {}) {
    super();
    const dim = opts.dim ?? 128;
    checkDim('CifarDcganGenerator', dim);
    this.dim = dim;
    const rng = opts.rng ?? defaultRng();
    this.input = new Linear(NOISE_DIM, 4 * 4 * 4 * dim, { rng });
    this.bn1 = new BatchNorm(4 * 4 * 4 * dim);
    this.deconv2 = new ConvTranspose2d(4 * dim, 2 * dim, 5, { rng });
    this.bn2 = new BatchNorm(2 * dim);
    this.deconv3 = new ConvTranspose2d(2 * dim, dim, 5, { rng });
    this.bn3 = new BatchNorm(dim);
    this.deconv5 = new ConvTranspose2d(dim, 3, 5, { rng });
  }

  override forward(z: Tensor): Tensor {
    checkNoise(z, NOISE_DIM, 'CifarDcganGenerator');
    let h = relu(this.bn1.forward(this.input.forward(z)));
    h = reshape(h, [z.shape[0]!, 4 * this.dim, 4, 4]);
    h = relu(this.bn2.forward(this.deconv2.forward(h)));
    h = relu(this.bn3.forward(this.deconv3.forward(h)));
    return tanh(this.deconv5.forward(h));
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, ${NOISE_DIM} → [3, 32, 32]`;
  }
}

/**
 * gan_cifar.py Discriminator: [B, 3, 32, 32] (or [B, 3072]) → conv5 s2 → DIM (16×16) → LReLU(0.2) →
 * conv5 s2 → 2·DIM (8×8) → [norm] → LReLU → conv5 s2 → 4·DIM (4×4) → [norm] → LReLU →
 * Linear(4·4·4·DIM, 1) → scores [B].
 * @example const D = new CifarDcganCritic(); const s = D.forward(images); // [B]
 */
export class CifarDcganCritic extends DcganCritic {
  constructor(opts: { dim?: number; norm?: CriticNorm; rng?: Rng } = {}) {
    super('CifarDcganCritic', [3, 32, 32], opts.dim ?? 128, opts);
  }
}

/**
 * The gan_cifar.py generator and critic for a loss.
 * @example const { generator, critic } = createCifarDcgan({ dim: 128, rng: new Rng(1) });
 */
export function createCifarDcgan(opts: CifarDcganOptions = {}): { generator: CifarDcganGenerator; critic: CifarDcganCritic } {
  const loss = opts.loss ?? 'wgan-gp';
  const rng = opts.rng ?? defaultRng();
  const dim = opts.dim ?? 128;
  return {
    generator: new CifarDcganGenerator({ dim, rng }),
    critic: new CifarDcganCritic({ dim, norm: opts.criticNorm ?? (loss === 'wgan' ? 'batch' : 'none'), rng }),
  };
}
