/**
 * The random-architecture family of the paper's §5.1 robustness study (Table 1), for 32×32 RGB
 * images: every generator and critic the study draws from, each network with its own
 * nonlinearity, depth, normalization and base filter count.
 *
 * The paper gives the choices, not the layout; this family keeps gan_cifar.py's DCGAN as its
 * depth-4 member and deepens it with stride-1 3×3 convolutions, spread round-robin over the
 * resolutions (so depth 4 is exactly the DCGAN pair, and 8, 12, 20 add 4, 8, 16 layers):
 *
 * - G: z [B, 128] → Linear(128, 4·4·4·DIM) → [BN] → act → [4·DIM, 4, 4] → (extra convs at 4×4) →
 *   deconv5 → 2·DIM (8×8) → [BN] → act → (extras) → deconv5 → DIM (16×16) → [BN] → act →
 *   (extras) → deconv5 → 3 (32×32) → tanh.
 * - D: [B, 3, 32, 32] → conv5 s2 → DIM (16×16) → act → (extras) → conv5 s2 → 2·DIM → [norm] → act →
 *   (extras) → conv5 s2 → 4·DIM (4×4) → [norm] → act → (extras) → Linear(4·4·4·DIM, 1).
 *
 * Normalization where the DCGAN has it, and in every extra layer: batch norm in G; in the critic
 * layer norm under WGAN-GP (the gradient penalty is per sample, batch norm would couple samples)
 * and batch norm under the other losses, as the paper prescribes.
 */
import { BatchNorm } from '../../nn/batch-norm.js';
import { Conv2d } from '../../nn/conv2d.js';
import { ConvTranspose2d } from '../../nn/conv-transpose2d.js';
import type { LayerNorm } from '../../nn/layer-norm.js';
import { Linear } from '../../nn/linear.js';
import { defaultRng, Module } from '../../nn/module.js';
import { add } from '../../ops/add.js';
import { leakyRelu } from '../../ops/leaky-relu.js';
import { mul } from '../../ops/mul.js';
import { relu } from '../../ops/relu.js';
import { reshape } from '../../ops/reshape.js';
import { softplus } from '../../ops/softplus.js';
import { tanh } from '../../ops/tanh.js';
import type { Rng } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { LossName } from '../losses.js';
import { asImages, checkDim, checkNoise, criticNormLayer, NOISE_DIM } from './mnist.js';

/** Table 1's nonlinearities. */
export const ARCH_NONLINEARITIES = ['relu', 'leakyrelu', 'softplus', 'tanh'] as const;
export type ArchNonlinearity = (typeof ARCH_NONLINEARITIES)[number];

/** Table 1's depths (any depth >= 4 builds; these are the study's). */
export const ARCH_DEPTHS = [4, 8, 12, 20] as const;

/** Table 1's base filter counts. */
export const ARCH_BASE_FILTERS = [32, 64, 128] as const;

/**
 * A Table 1 nonlinearity: ReLU, LeakyReLU (slope 0.2, as the reference models), softplus(2x+2)/2 − 1
 * (the paper's stand-in for ELU, which failed in its critics: smooth, through (−1, ~0)), tanh.
 * @example act('softplus')(x)
 */
export function archActivation(name: ArchNonlinearity): (x: Tensor) => Tensor {
  switch (name) {
    case 'relu':
      return relu;
    case 'leakyrelu':
      return (x) => leakyRelu(x, 0.2);
    case 'softplus':
      return (x) => add(mul(softplus(add(mul(x, 2), 2)), 0.5), -1);
    case 'tanh':
      return tanh;
    default:
      throw new Error(`nonlinearity must be one of ${ARCH_NONLINEARITIES.join(', ')}, got ${JSON.stringify(name)}`);
  }
}

/** One network's draw from Table 1. */
export interface ArchChoice {
  nonlinearity: ArchNonlinearity;
  /** Weight layers (>= 4: the DCGAN's four plus stride-1 3×3 convolutions). */
  depth: number;
  /** Batch norm in G; in the critic, layer norm under wgan-gp, batch norm otherwise. */
  norm: boolean;
  /** Base filter count DIM. */
  dim: number;
}

function checkChoice(who: string, c: ArchChoice): void {
  checkDim(who, c.dim);
  if (!Number.isInteger(c.depth) || c.depth < 4) throw new Error(`${who}: depth must be an integer >= 4, got ${String(c.depth)}`);
  archActivation(c.nonlinearity);
}

/** How many extra stride-1 layers go at each of the three resolutions (round-robin, first gets more). */
export function extraLayers(depth: number): [number, number, number] {
  const extra = depth - 4;
  return [0, 1, 2].map((i) => Math.floor(extra / 3) + (i < extra % 3 ? 1 : 0)) as [number, number, number];
}

/** A stride-1 3×3 conv with its normalization (or none). */
class Block extends Module {
  readonly conv: Conv2d;
  readonly norm: LayerNorm | BatchNorm | null;
  constructor(channels: number, norm: 'layer' | 'batch' | 'none', rng: Rng) {
    super();
    this.conv = new Conv2d(channels, channels, 3, { rng });
    this.norm = criticNormLayer(norm, channels);
  }
  override forward(x: Tensor): Tensor {
    const h = this.conv.forward(x);
    return this.norm ? this.norm.forward(h) : h;
  }
}

/**
 * A generator of the family.
 * @example const G = new Arch32Generator({ nonlinearity: 'tanh', depth: 8, norm: true, dim: 64 }); G.forward(z) // [B, 3, 32, 32]
 */
export class Arch32Generator extends Module {
  readonly choice: ArchChoice;
  readonly input: Linear;
  readonly bn1: BatchNorm | null;
  readonly extras4: Block[];
  readonly deconv2: ConvTranspose2d;
  readonly bn2: BatchNorm | null;
  readonly extras8: Block[];
  readonly deconv3: ConvTranspose2d;
  readonly bn3: BatchNorm | null;
  readonly extras16: Block[];
  readonly deconv4: ConvTranspose2d;
  private readonly _act: (x: Tensor) => Tensor;

  constructor(choice: ArchChoice, opts: { rng?: Rng } = {}) {
    super();
    checkChoice('Arch32Generator', choice);
    this.choice = { ...choice };
    const rng = opts.rng ?? defaultRng();
    const d = choice.dim;
    const norm = choice.norm ? 'batch' : 'none';
    const [e4, e8, e16] = extraLayers(choice.depth);
    this.input = new Linear(NOISE_DIM, 4 * 4 * 4 * d, { rng });
    this.bn1 = choice.norm ? new BatchNorm(4 * 4 * 4 * d) : null;
    this.extras4 = Array.from({ length: e4 }, () => new Block(4 * d, norm, rng));
    this.deconv2 = new ConvTranspose2d(4 * d, 2 * d, 5, { rng });
    this.bn2 = choice.norm ? new BatchNorm(2 * d) : null;
    this.extras8 = Array.from({ length: e8 }, () => new Block(2 * d, norm, rng));
    this.deconv3 = new ConvTranspose2d(2 * d, d, 5, { rng });
    this.bn3 = choice.norm ? new BatchNorm(d) : null;
    this.extras16 = Array.from({ length: e16 }, () => new Block(d, norm, rng));
    this.deconv4 = new ConvTranspose2d(d, 3, 5, { rng });
    this._act = archActivation(choice.nonlinearity);
  }

  override forward(z: Tensor): Tensor {
    checkNoise(z, NOISE_DIM, 'Arch32Generator');
    const act = this._act;
    const normed = (bn: BatchNorm | null, x: Tensor): Tensor => act(bn ? bn.forward(x) : x);
    let h = normed(this.bn1, this.input.forward(z));
    h = reshape(h, [z.shape[0]!, 4 * this.choice.dim, 4, 4]);
    for (const b of this.extras4) h = act(b.forward(h));
    h = normed(this.bn2, this.deconv2.forward(h));
    for (const b of this.extras8) h = act(b.forward(h));
    h = normed(this.bn3, this.deconv3.forward(h));
    for (const b of this.extras16) h = act(b.forward(h));
    return tanh(this.deconv4.forward(h));
  }

  override extraRepr(): string {
    const c = this.choice;
    return `${c.nonlinearity}, depth ${c.depth}, ${c.norm ? 'batch norm' : 'no norm'}, DIM ${c.dim}: ${NOISE_DIM} → [3, 32, 32]`;
  }
}

/**
 * A critic of the family; `norm` is 'layer' (WGAN-GP) or 'batch' (other losses) when the choice has normalization.
 * @example const D = new Arch32Critic({ nonlinearity: 'relu', depth: 12, norm: true, dim: 32 }, { norm: 'layer' }); D.forward(x) // [B]
 */
export class Arch32Critic extends Module {
  readonly choice: ArchChoice;
  readonly conv1: Conv2d;
  readonly extras16: Block[];
  readonly conv2: Conv2d;
  readonly norm2: LayerNorm | BatchNorm | null;
  readonly extras8: Block[];
  readonly conv3: Conv2d;
  readonly norm3: LayerNorm | BatchNorm | null;
  readonly extras4: Block[];
  readonly output: Linear;
  private readonly _act: (x: Tensor) => Tensor;

  constructor(choice: ArchChoice, opts: { norm?: 'layer' | 'batch'; rng?: Rng } = {}) {
    super();
    checkChoice('Arch32Critic', choice);
    this.choice = { ...choice };
    const rng = opts.rng ?? defaultRng();
    const d = choice.dim;
    const norm = choice.norm ? (opts.norm ?? 'layer') : 'none';
    const [e16, e8, e4] = extraLayers(choice.depth);
    this.conv1 = new Conv2d(3, d, 5, { stride: 2, rng });
    this.extras16 = Array.from({ length: e16 }, () => new Block(d, norm, rng));
    this.conv2 = new Conv2d(d, 2 * d, 5, { stride: 2, rng });
    this.norm2 = criticNormLayer(norm, 2 * d);
    this.extras8 = Array.from({ length: e8 }, () => new Block(2 * d, norm, rng));
    this.conv3 = new Conv2d(2 * d, 4 * d, 5, { stride: 2, rng });
    this.norm3 = criticNormLayer(norm, 4 * d);
    this.extras4 = Array.from({ length: e4 }, () => new Block(4 * d, norm, rng));
    this.output = new Linear(4 * 4 * 4 * d, 1, { rng });
    this._act = archActivation(choice.nonlinearity);
  }

  override forward(x: Tensor): Tensor {
    const b = x.shape[0]!;
    const act = this._act;
    const normed = (n: LayerNorm | BatchNorm | null, y: Tensor): Tensor => act(n ? n.forward(y) : y);
    let h = act(this.conv1.forward(asImages(x, [3, 32, 32], 'Arch32Critic')));
    for (const blk of this.extras16) h = act(blk.forward(h));
    h = normed(this.norm2, this.conv2.forward(h));
    for (const blk of this.extras8) h = act(blk.forward(h));
    h = normed(this.norm3, this.conv3.forward(h));
    for (const blk of this.extras4) h = act(blk.forward(h));
    return reshape(this.output.forward(reshape(h, [b, 4 * 4 * 4 * this.choice.dim])), [b]);
  }

  override extraRepr(): string {
    const c = this.choice;
    return `${c.nonlinearity}, depth ${c.depth}, ${this.norm2 ? (this.norm2 instanceof BatchNorm ? 'batch norm' : 'layer norm') : 'no norm'}, DIM ${c.dim}: [3, 32, 32] → score`;
  }
}

/**
 * A (G, D) pair of the family for a loss: the critic's normalization is layer norm under wgan-gp, batch norm otherwise.
 * @example const { generator, critic } = createArch32({ generator: g, critic: d, loss: 'gan', rng: new Rng(1) });
 */
export function createArch32(opts: { generator: ArchChoice; critic: ArchChoice; loss: LossName; rng?: Rng }): { generator: Arch32Generator; critic: Arch32Critic } {
  const rng = opts.rng ?? defaultRng();
  return {
    generator: new Arch32Generator(opts.generator, { rng }),
    critic: new Arch32Critic(opts.critic, { norm: opts.loss === 'wgan-gp' ? 'layer' : 'batch', rng }),
  };
}
