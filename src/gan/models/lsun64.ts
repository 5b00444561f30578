/**
 * The 64×64 architecture zoo of the reference gan_64x64.py (paper §5.2 / Figure 2, LSUN bedrooms;
 * DIM = 64, noise 128, images [B, 3, 64, 64] in [−1, 1]). The reference picks a (G, D) pair by
 * uncommenting a line; here {@link createLsun64} takes the pair's name ({@link LSUN64_ARCHS}).
 *
 * Facts from the reference worth keeping straight:
 * - Normalize(): in the critic it is layer norm (over [C, H, W], per-channel scale/offset) when the
 *   loss is wgan-gp and batch norm otherwise; in the generator it is always batch norm.
 * - Only DCGANGenerator/DCGANDiscriminator (and their bn=False and tanh variants) switch tflib to a
 *   fixed σ = 0.02 — still a UNIFORM draw U[−0.02·√3, 0.02·√3] — for every Linear, conv and deconv.
 *   The constant-filter G, MLP G, gated and ResNet models keep tflib's fan-based rules.
 * - The "good" ResNet's ResidualBlock: norm → ReLU → conv1 (NO bias) → norm → ReLU → conv2 (bias);
 *   'down' = conv(in → in) then ConvMeanPool(in → out) with a MeanPoolConv 1×1 shortcut (pool first,
 *   unlike gan_cifar_resnet.py's ConvMeanPool shortcut); 'up' = UpsampleConv(in → out) then
 *   conv(out → out) with an UpsampleConv 1×1 shortcut. Its output conv keeps he_init; the critic's
 *   input conv is Glorot; the critic ends with Linear(4·4·8·DIM, 1) on the flattened 4×4 map, with
 *   no ReLU in between.
 * - The 101-layer ResNet's BottleneckResidualBlock: ReLU → conv1×1(in → in/2) → ReLU → conv3
 *   (in/2 → out/2; stride 2 'down', a stride-2 Deconv2D 'up') → ReLU → conv1×1(→ out, no bias) →
 *   norm; returns shortcut + 0.3·residual. Shortcuts: 1×1 stride-2 conv ('down'), 1×1 conv to
 *   4·out + depth_to_space ('up', SubpixelConv2D). G output tanh(x/5); D output ÷ 5.
 * - Gated nonlinearity: sigmoid(even channels) · tanh(odd channels) of a doubled layer output.
 */
import { BatchNorm } from '../../nn/batch-norm.js';
import { Conv2d } from '../../nn/conv2d.js';
import { ConvTranspose2d } from '../../nn/conv-transpose2d.js';
import type { Init } from '../../nn/init.js';
import type { LayerNorm } from '../../nn/layer-norm.js';
import { Linear } from '../../nn/linear.js';
import { defaultRng, Module } from '../../nn/module.js';
import { gatedTanhSigmoid } from '../../ops/activations.js';
import { add } from '../../ops/add.js';
import { div } from '../../ops/div.js';
import { leakyRelu } from '../../ops/leaky-relu.js';
import { mul } from '../../ops/mul.js';
import { relu } from '../../ops/relu.js';
import { reshape } from '../../ops/reshape.js';
import { slice } from '../../ops/slice.js';
import { tanh } from '../../ops/tanh.js';
import { transpose } from '../../ops/transpose.js';
import type { Rng } from '../../tensor/random.js';
import { fmt, ShapeError } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { LossName } from '../losses.js';
import { ConvMeanPool, MeanPoolConv, UpsampleConv } from './cifar-resnet.js';
import { asImages, checkDim, checkNoise, criticNormLayer, NOISE_DIM, type CriticNorm } from './mnist.js';

/** The σ of the reference's DCGAN models (`set_weights_stdev(0.02)`), drawn uniformly as tflib does. */
const DCGAN_INIT: Init = { uniform: 0.02 };

const IMAGE: readonly [number, number, number] = [3, 64, 64];

/**
 * TensorFlow's depth_to_space on NCHW data: [N, b²·C, H, W] → [N, C, b·H, b·W], where output pixel
 * (b·h + i, b·w + j) of channel c is input channel (i·b + j)·C + c at (h, w).
 * @example depthToSpace(conv.forward(x), 2) // SubpixelConv2D: [B, 4·C, H, W] → [B, C, 2H, 2W]
 */
export function depthToSpace(x: Tensor, block = 2): Tensor {
  if (x.rank !== 4 || x.shape[1]! % (block * block) !== 0) {
    throw new ShapeError('depthToSpace', `expected [N, C·${block * block}, H, W], got ${fmt(x.shape)}`);
  }
  const [n, c4, h, w] = x.shape as [number, number, number, number];
  const c = c4 / (block * block);
  const split = reshape(x, [n, block, block, c, h, w]); // [N, i, j, C, H, W]
  return reshape(transpose(split, [0, 3, 4, 1, 5, 2]), [n, c, h * block, w * block]); // [N, C, H, i, W, j]
}

/**
 * The reference's pixcnn_gated_nonlinearity on channel pairs: sigmoid(x[:, 0::2]) · tanh(x[:, 1::2]),
 * [N, 2C, ...] → [N, C, ...].
 * @example gatedChannels(bn.forward(deconv.forward(h))) // 2·C channels in, C out
 */
export function gatedChannels(x: Tensor): Tensor {
  const c2 = x.shape[1]!;
  if (x.rank < 2 || c2 % 2 !== 0) throw new ShapeError('gatedChannels', `expected an even number of channels on axis 1, got ${fmt(x.shape)}`);
  return gatedTanhSigmoid(slice(x, [0], [c2], [1], [2]), slice(x, [1], [c2], [1], [2]));
}

/**
 * The reference's SubpixelConv2D: a stride-1 SAME conv to 4·out channels, then depth_to_space(2).
 * @example const sc = new SubpixelConv2d(512, 256, 1, { init: 'glorot' }); // bottleneck 'up' shortcut
 */
export class SubpixelConv2d extends Module {
  readonly conv: Conv2d;
  constructor(inChannels: number, outChannels: number, kernelSize: number, opts: { init?: Init; bias?: boolean; rng?: Rng } = {}) {
    super();
    this.conv = new Conv2d(inChannels, 4 * outChannels, kernelSize, {
      init: opts.init ?? 'he',
      bias: opts.bias ?? true,
      rng: opts.rng ?? defaultRng(),
    });
  }
  override forward(x: Tensor): Tensor {
    return depthToSpace(this.conv.forward(x), 2);
  }
}

type Norm = LayerNorm | BatchNorm | null;

function applyNorm(norm: Norm, x: Tensor): Tensor {
  return norm ? norm.forward(x) : x;
}

/** A nonlinearity choice of the DCGAN-shaped models ('relu' / 'leaky-relu' are the reference defaults). */
export type Nonlinearity = 'relu' | 'leaky-relu' | 'tanh';

function activate(kind: Nonlinearity, x: Tensor): Tensor {
  if (kind === 'relu') return relu(x);
  if (kind === 'leaky-relu') return leakyRelu(x, 0.2);
  return tanh(x);
}

function checkNonlinearity(who: string, kind: string): void {
  if (kind !== 'relu' && kind !== 'leaky-relu' && kind !== 'tanh') {
    throw new Error(`${who}: nonlinearity must be 'relu', 'leaky-relu' or 'tanh', got ${JSON.stringify(kind)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Residual blocks

/**
 * gan_64x64.py ResidualBlock (3×3 convs; norm is batch norm in G, the critic norm in D):
 * - 'down': N1(in) → ReLU → conv(in → in, no bias) → N2(in) → ReLU → ConvMeanPool(in → out); shortcut MeanPoolConv 1×1.
 * - 'up':   N1(in) → ReLU → UpsampleConv(in → out, no bias) → N2(out) → ReLU → conv(out → out); shortcut UpsampleConv 1×1.
 * - null:   N1(in) → ReLU → conv(in → in, no bias) → N2(in) → ReLU → conv(in → out); identity shortcut if in = out.
 * @example const block = new Lsun64ResBlock(128, 256, 'down', { norm: 'layer' });
 */
export class Lsun64ResBlock extends Module {
  readonly shortcut: Module | null;
  readonly norm1: Norm;
  readonly conv1: Module;
  readonly norm2: Norm;
  readonly conv2: Module;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly resample: 'up' | 'down' | null,
    opts: { norm?: CriticNorm; rng?: Rng } = {},
  ) {
    super();
    const rng = opts.rng ?? defaultRng();
    const norm = opts.norm ?? 'batch';
    const sc = { init: 'glorot', bias: true, rng } as const;
    this.norm1 = criticNormLayer(norm, inChannels);
    if (resample === 'down') {
      this.shortcut = new MeanPoolConv(inChannels, outChannels, 1, sc);
      this.conv1 = new Conv2d(inChannels, inChannels, 3, { bias: false, rng });
      this.norm2 = criticNormLayer(norm, inChannels);
      this.conv2 = new ConvMeanPool(inChannels, outChannels, 3, { rng });
    } else if (resample === 'up') {
      this.shortcut = new UpsampleConv(inChannels, outChannels, 1, sc);
      this.conv1 = new UpsampleConv(inChannels, outChannels, 3, { bias: false, rng });
      this.norm2 = criticNormLayer(norm, outChannels);
      this.conv2 = new Conv2d(outChannels, outChannels, 3, { rng });
    } else if (resample === null) {
      this.shortcut = inChannels === outChannels ? null : new Conv2d(inChannels, outChannels, 1, sc);
      this.conv1 = new Conv2d(inChannels, inChannels, 3, { bias: false, rng });
      this.norm2 = criticNormLayer(norm, inChannels);
      this.conv2 = new Conv2d(inChannels, outChannels, 3, { rng });
    } else {
      throw new Error(`Lsun64ResBlock: resample must be 'up', 'down' or null, got ${JSON.stringify(resample)}`);
    }
  }

  override forward(x: Tensor): Tensor {
    const skip = this.shortcut ? this.shortcut.forward(x) : x;
    const h = this.conv1.forward(relu(applyNorm(this.norm1, x)));
    return add(skip, this.conv2.forward(relu(applyNorm(this.norm2, h))));
  }

  override extraRepr(): string {
    return `${this.inChannels} → ${this.outChannels}, ${this.resample ?? 'same size'}`;
  }
}

/**
 * gan_64x64.py BottleneckResidualBlock (the 101-layer ResNet): ReLU → conv1×1(in → in/2) → ReLU →
 * conv3(in/2 → out/2: stride 2 for 'down', a stride-2 transposed conv for 'up') → ReLU →
 * conv1×1(→ out, no bias) → norm(out); output shortcut + 0.3·residual.
 * @example const block = new BottleneckBlock(512, 256, 'up', { norm: 'batch' });
 */
export class BottleneckBlock extends Module {
  readonly shortcut: Module | null;
  readonly conv1: Conv2d;
  readonly conv1b: Conv2d | ConvTranspose2d;
  readonly conv2: Conv2d;
  readonly norm: Norm;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly resample: 'up' | 'down' | null,
    opts: { norm?: CriticNorm; rng?: Rng } = {},
  ) {
    super();
    if (inChannels % 2 !== 0 || outChannels % 2 !== 0) {
      throw new Error(`BottleneckBlock: channels must be even, got ${inChannels} → ${outChannels}`);
    }
    const rng = opts.rng ?? defaultRng();
    const sc = { init: 'glorot', bias: true, rng } as const;
    const hin = inChannels / 2;
    const hout = outChannels / 2;
    if (resample === 'down') this.shortcut = new Conv2d(inChannels, outChannels, 1, { ...sc, stride: 2 });
    else if (resample === 'up') this.shortcut = new SubpixelConv2d(inChannels, outChannels, 1, sc);
    else if (resample === null) this.shortcut = inChannels === outChannels ? null : new Conv2d(inChannels, outChannels, 1, sc);
    else throw new Error(`BottleneckBlock: resample must be 'up', 'down' or null, got ${JSON.stringify(resample)}`);
    this.conv1 = new Conv2d(inChannels, hin, 1, { rng });
    this.conv1b =
      resample === 'up'
        ? new ConvTranspose2d(hin, hout, 3, { rng }) // tflib Deconv2D: stride 2, SAME, 2H × 2W
        : new Conv2d(hin, hout, 3, { stride: resample === 'down' ? 2 : 1, rng });
    // The reference's no-resample conv_2 reads in/2 channels; in = out there, so out/2 is the same.
    this.conv2 = new Conv2d(hout, outChannels, 1, { bias: false, rng });
    this.norm = criticNormLayer(opts.norm ?? 'batch', outChannels);
  }

  override forward(x: Tensor): Tensor {
    const skip = this.shortcut ? this.shortcut.forward(x) : x;
    let h = this.conv1.forward(relu(x));
    h = this.conv1b.forward(relu(h));
    h = applyNorm(this.norm, this.conv2.forward(relu(h)));
    return add(skip, mul(h, 0.3));
  }

  override extraRepr(): string {
    return `${this.inChannels} → ${this.outChannels}, ${this.resample ?? 'same size'}, residual × 0.3`;
  }
}

// ---------------------------------------------------------------------------------------------
// Generators

function checkImage(x: Tensor, who: string): Tensor {
  return asImages(x, IMAGE, who);
}

/**
 * GoodGenerator, the reference's default: Linear(128, 4·4·8·DIM) → [8·DIM, 4, 4] → up blocks
 * 8·DIM → 8·DIM → 4·DIM → 2·DIM → DIM (4 → 64 pixels) → BN → ReLU → conv3(DIM → 3) → tanh.
 * @example const G = new Lsun64ResnetGenerator({ dim: 64 }); const x = G.forward(z); // [B, 3, 64, 64]
 */
export class Lsun64ResnetGenerator extends Module {
  readonly dim: number;
  readonly input: Linear;
  readonly blocks: Lsun64ResBlock[];
  readonly outputNorm: BatchNorm;
  readonly output: Conv2d;

  constructor(opts: { dim?: number; rng?: Rng } = {}) {
    super();
    const dim = opts.dim ?? 64;
    checkDim('Lsun64ResnetGenerator', dim);
    this.dim = dim;
    const rng = opts.rng ?? defaultRng();
    this.input = new Linear(NOISE_DIM, 4 * 4 * 8 * dim, { rng });
    const widths = [8, 8, 4, 2, 1].map((m) => m * dim);
    this.blocks = [0, 1, 2, 3].map((i) => new Lsun64ResBlock(widths[i]!, widths[i + 1]!, 'up', { norm: 'batch', rng }));
    this.outputNorm = new BatchNorm(dim);
    this.output = new Conv2d(dim, 3, 3, { rng }); // he_init (tflib default), unlike the CIFAR ResNet's
  }

  override forward(z: Tensor): Tensor {
    checkNoise(z, NOISE_DIM, 'Lsun64ResnetGenerator');
    let h = reshape(this.input.forward(z), [z.shape[0]!, 8 * this.dim, 4, 4]);
    for (const block of this.blocks) h = block.forward(h);
    return tanh(this.output.forward(relu(this.outputNorm.forward(h))));
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, ${NOISE_DIM} → [3, 64, 64]`;
  }
}

/**
 * DCGANGenerator: Linear(128, 4·4·8·DIM) → [8·DIM, 4, 4] → [BN] → act → deconv5 4·DIM → [BN] → act →
 * deconv5 2·DIM → [BN] → act → deconv5 DIM → [BN] → act → deconv5 3 → tanh; every weight
 * U(±0.02·√3). `batchNorm: false` is the "no normalization" variant, `nonlinearity: 'tanh'` the
 * "tanh everywhere" one.
 * @example const G = new Lsun64DcganGenerator({ batchNorm: false });
 */
export class Lsun64DcganGenerator extends Module {
  readonly dim: number;
  readonly nonlinearity: Nonlinearity;
  readonly input: Linear;
  readonly norms: (BatchNorm | null)[];
  readonly deconvs: ConvTranspose2d[];

  constructor(opts: { dim?: number; batchNorm?: boolean; nonlinearity?: Nonlinearity; rng?: Rng } = {}) {
    super();
    const dim = opts.dim ?? 64;
    checkDim('Lsun64DcganGenerator', dim);
    this.dim = dim;
    this.nonlinearity = opts.nonlinearity ?? 'relu';
    checkNonlinearity('Lsun64DcganGenerator', this.nonlinearity);
    const rng = opts.rng ?? defaultRng();
    const bn = opts.batchNorm ?? true;
    this.input = new Linear(NOISE_DIM, 4 * 4 * 8 * dim, { init: DCGAN_INIT, rng });
    const widths = [8, 4, 2, 1].map((m) => m * dim);
    this.norms = widths.map((c) => (bn ? new BatchNorm(c) : null));
    this.deconvs = [...widths.slice(1), 3].map((out, i) => new ConvTranspose2d(widths[i]!, out, 5, { init: DCGAN_INIT, rng }));
  }

  override forward(z: Tensor): Tensor {
    checkNoise(z, NOISE_DIM, 'Lsun64DcganGenerator');
    let h = reshape(this.input.forward(z), [z.shape[0]!, 8 * this.dim, 4, 4]);
    this.deconvs.forEach((deconv, i) => {
      h = deconv.forward(activate(this.nonlinearity, applyNorm(this.norms[i] ?? null, h)));
    });
    return tanh(h);
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, ${this.nonlinearity}${this.norms[0] ? ', batch norm' : ', no norm'}, σ 0.02 uniform`;
  }
}

/**
 * WGANPaper_CrippledDCGANGenerator ("no BN and a constant number of filters"): Linear(128, 4·4·DIM)
 * → ReLU → [DIM, 4, 4] → 3 × (deconv5 DIM → DIM → ReLU) → deconv5 3 → tanh; tflib's default init.
 * @example const G = new Lsun64ConstantFilterGenerator();
 */
export class Lsun64ConstantFilterGenerator extends Module {
  readonly dim: number;
  readonly input: Linear;
  readonly deconvs: ConvTranspose2d[];

  constructor(opts: { dim?: number; rng?: Rng } = {}) {
    super();
    const dim = opts.dim ?? 64;
    checkDim('Lsun64ConstantFilterGenerator', dim);
    this.dim = dim;
    const rng = opts.rng ?? defaultRng();
    this.input = new Linear(NOISE_DIM, 4 * 4 * dim, { rng });
    this.deconvs = [dim, dim, dim, 3].map((out) => new ConvTranspose2d(dim, out, 5, { rng }));
  }

  override forward(z: Tensor): Tensor {
    checkNoise(z, NOISE_DIM, 'Lsun64ConstantFilterGenerator');
    let h = reshape(relu(this.input.forward(z)), [z.shape[0]!, this.dim, 4, 4]);
    this.deconvs.forEach((deconv, i) => {
      h = deconv.forward(h);
      if (i < this.deconvs.length - 1) h = relu(h);
    });
    return tanh(h);
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, constant filters, no norm`;
  }
}

/**
 * FCGenerator: 4 ReLU layers of width 512 ('he' init) → Linear(512, 3·64·64) (Glorot) → tanh,
 * reshaped to [B, 3, 64, 64].
 * @example const G = new Lsun64MlpGenerator();
 */
export class Lsun64MlpGenerator extends Module {
  readonly hidden: Linear[];
  readonly output: Linear;

  constructor(opts: { width?: number; rng?: Rng } = {}) {
    super();
    const width = opts.width ?? 512;
    checkDim('Lsun64MlpGenerator', width);
    const rng = opts.rng ?? defaultRng();
    this.hidden = [NOISE_DIM, width, width, width].map((n) => new Linear(n, width, { init: 'he', rng }));
    this.output = new Linear(width, 3 * 64 * 64, { rng });
  }

  override forward(z: Tensor): Tensor {
    checkNoise(z, NOISE_DIM, 'Lsun64MlpGenerator');
    let h = z;
    for (const layer of this.hidden) h = relu(layer.forward(h));
    return reshape(tanh(this.output.forward(h)), [z.shape[0]!, ...IMAGE]);
  }
}

/**
 * MultiplicativeDCGANGenerator: the DCGAN generator with every layer doubled and gated,
 * sigmoid(even) · tanh(odd) channels: Linear(128, 4·4·8·DIM·2) → [16·DIM, 4, 4] → BN → gate →
 * deconv5 8·DIM → BN → gate → deconv5 4·DIM → BN → gate → deconv5 2·DIM → BN → gate → deconv5 3 →
 * tanh; tflib's default init.
 * @example const G = new Lsun64GatedGenerator();
 */
export class Lsun64GatedGenerator extends Module {
  readonly dim: number;
  readonly input: Linear;
  readonly norms: (BatchNorm | null)[];
  readonly deconvs: ConvTranspose2d[];

  constructor(opts: { dim?: number; batchNorm?: boolean; rng?: Rng } = {}) {
    super();
    const dim = opts.dim ?? 64;
    checkDim('Lsun64GatedGenerator', dim);
    this.dim = dim;
    const rng = opts.rng ?? defaultRng();
    const bn = opts.batchNorm ?? true;
    this.input = new Linear(NOISE_DIM, 4 * 4 * 8 * dim * 2, { rng });
    const widths = [8, 4, 2, 1].map((m) => m * dim); // after each gate
    this.norms = widths.map((c) => (bn ? new BatchNorm(2 * c) : null));
    this.deconvs = [...widths.slice(1).map((c) => 2 * c), 3].map((out, i) => new ConvTranspose2d(widths[i]!, out, 5, { rng }));
  }

  override forward(z: Tensor): Tensor {
    checkNoise(z, NOISE_DIM, 'Lsun64GatedGenerator');
    let h = reshape(this.input.forward(z), [z.shape[0]!, 16 * this.dim, 4, 4]);
    this.deconvs.forEach((deconv, i) => {
      h = deconv.forward(gatedChannels(applyNorm(this.norms[i] ?? null, h)));
    });
    return tanh(h);
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, gated sigmoid·tanh`;
  }
}

/**
 * ResnetGenerator, the 101-layer bottleneck ResNet: Linear(128, 4·4·8·DIM) → [8·DIM, 4, 4] → 6 blocks
 * at 8·DIM → up → 6 at 4·DIM → up → 6 at 2·DIM → up → 6 at DIM → up → 5 at DIM/2 → conv1×1(DIM/2 → 3,
 * Glorot) → tanh(x / 5).
 * @example const G = new Lsun64BottleneckGenerator({ dim: 64 });
 */
export class Lsun64BottleneckGenerator extends Module {
  readonly dim: number;
  readonly input: Linear;
  readonly blocks: BottleneckBlock[];
  readonly output: Conv2d;

  constructor(opts: { dim?: number; rng?: Rng } = {}) {
    super();
    const dim = opts.dim ?? 64;
    checkDim('Lsun64BottleneckGenerator', dim, 4);
    this.dim = dim;
    const rng = opts.rng ?? defaultRng();
    this.input = new Linear(NOISE_DIM, 4 * 4 * 8 * dim, { rng });
    const widths = [8 * dim, 4 * dim, 2 * dim, dim, dim / 2];
    this.blocks = [];
    widths.forEach((c, stage) => {
      const repeats = stage < 4 ? 6 : 5;
      for (let i = 0; i < repeats; i++) this.blocks.push(new BottleneckBlock(c, c, null, { norm: 'batch', rng }));
      if (stage < 4) this.blocks.push(new BottleneckBlock(c, widths[stage + 1]!, 'up', { norm: 'batch', rng }));
    });
    this.output = new Conv2d(dim / 2, 3, 1, { init: 'glorot', rng });
  }

  override forward(z: Tensor): Tensor {
    checkNoise(z, NOISE_DIM, 'Lsun64BottleneckGenerator');
    let h = reshape(this.input.forward(z), [z.shape[0]!, 8 * this.dim, 4, 4]);
    for (const block of this.blocks) h = block.forward(h);
    return tanh(div(this.output.forward(h), 5));
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, ${this.blocks.length} bottleneck blocks (${3 * this.blocks.length + 2} weight layers)`;
  }
}

// ---------------------------------------------------------------------------------------------
// Critics

/**
 * GoodDiscriminator, the reference's default: conv3(3 → DIM, Glorot) → down blocks DIM → 2·DIM →
 * 4·DIM → 8·DIM → 8·DIM (64 → 4 pixels) → Linear(4·4·8·DIM, 1) → scores [B].
 * @example const D = new Lsun64ResnetCritic({ norm: 'layer' });
 */
export class Lsun64ResnetCritic extends Module {
  readonly dim: number;
  readonly input: Conv2d;
  readonly blocks: Lsun64ResBlock[];
  readonly output: Linear;

  constructor(opts: { dim?: number; norm?: CriticNorm; rng?: Rng } = {}) {
    super();
    const dim = opts.dim ?? 64;
    checkDim('Lsun64ResnetCritic', dim);
    this.dim = dim;
    const rng = opts.rng ?? defaultRng();
    const norm = opts.norm ?? 'layer';
    this.input = new Conv2d(3, dim, 3, { init: 'glorot', rng });
    const widths = [1, 2, 4, 8, 8].map((m) => m * dim);
    this.blocks = [0, 1, 2, 3].map((i) => new Lsun64ResBlock(widths[i]!, widths[i + 1]!, 'down', { norm, rng }));
    this.output = new Linear(4 * 4 * 8 * dim, 1, { rng });
  }

  override forward(x: Tensor): Tensor {
    const b = x.shape[0]!;
    let h = this.input.forward(checkImage(x, 'Lsun64ResnetCritic'));
    for (const block of this.blocks) h = block.forward(h);
    return reshape(this.output.forward(reshape(h, [b, 4 * 4 * 8 * this.dim])), [b]);
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, [3, 64, 64] → score`;
  }
}

/**
 * DCGANDiscriminator: conv5 s2 3 → DIM → act → conv5 s2 → 2·DIM → [norm] → act → conv5 s2 → 4·DIM →
 * [norm] → act → conv5 s2 → 8·DIM → [norm] → act → Linear(4·4·8·DIM, 1); every weight U(±0.02·√3).
 * @example const D = new Lsun64DcganCritic({ norm: 'layer' });
 */
export class Lsun64DcganCritic extends Module {
  readonly dim: number;
  readonly nonlinearity: Nonlinearity;
  readonly convs: Conv2d[];
  /** Norms after convs 2-4 (none after the first, as in the reference). */
  readonly norms: Norm[];
  readonly output: Linear;

  constructor(opts: { dim?: number; norm?: CriticNorm; nonlinearity?: Nonlinearity; rng?: Rng } = {}) {
    super();
    const dim = opts.dim ?? 64;
    checkDim('Lsun64DcganCritic', dim);
    this.dim = dim;
    this.nonlinearity = opts.nonlinearity ?? 'leaky-relu';
    checkNonlinearity('Lsun64DcganCritic', this.nonlinearity);
    const rng = opts.rng ?? defaultRng();
    const norm = opts.norm ?? 'layer';
    const widths = [3, dim, 2 * dim, 4 * dim, 8 * dim];
    this.convs = [0, 1, 2, 3].map((i) => new Conv2d(widths[i]!, widths[i + 1]!, 5, { stride: 2, init: DCGAN_INIT, rng }));
    this.norms = [null, ...[2, 3, 4].map((i) => criticNormLayer(norm, widths[i]!))];
    this.output = new Linear(4 * 4 * 8 * dim, 1, { init: DCGAN_INIT, rng });
  }

  override forward(x: Tensor): Tensor {
    const b = x.shape[0]!;
    let h = checkImage(x, 'Lsun64DcganCritic');
    this.convs.forEach((conv, i) => {
      h = activate(this.nonlinearity, applyNorm(this.norms[i] ?? null, conv.forward(h)));
    });
    return reshape(this.output.forward(reshape(h, [b, 4 * 4 * 8 * this.dim])), [b]);
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, ${this.nonlinearity}, σ 0.02 uniform`;
  }
}

/**
 * MultiplicativeDCGANDiscriminator: conv5 s2 3 → 2·DIM → gate → conv5 s2 DIM → 4·DIM → [norm] → gate
 * → conv5 s2 2·DIM → 8·DIM → [norm] → gate → conv5 s2 4·DIM → 16·DIM → [norm] → gate →
 * Linear(4·4·8·DIM, 1); tflib's default init.
 * @example const D = new Lsun64GatedCritic({ norm: 'layer' });
 */
export class Lsun64GatedCritic extends Module {
  readonly dim: number;
  readonly convs: Conv2d[];
  readonly norms: Norm[];
  readonly output: Linear;

  constructor(opts: { dim?: number; norm?: CriticNorm; rng?: Rng } = {}) {
    super();
    const dim = opts.dim ?? 64;
    checkDim('Lsun64GatedCritic', dim);
    this.dim = dim;
    const rng = opts.rng ?? defaultRng();
    const norm = opts.norm ?? 'layer';
    const widths = [3, dim, 2 * dim, 4 * dim, 8 * dim]; // after each gate
    this.convs = [0, 1, 2, 3].map((i) => new Conv2d(widths[i]!, 2 * widths[i + 1]!, 5, { stride: 2, rng }));
    this.norms = [null, ...[2, 3, 4].map((i) => criticNormLayer(norm, 2 * widths[i]!))];
    this.output = new Linear(4 * 4 * 8 * dim, 1, { rng });
  }

  override forward(x: Tensor): Tensor {
    const b = x.shape[0]!;
    let h = checkImage(x, 'Lsun64GatedCritic');
    this.convs.forEach((conv, i) => {
      h = gatedChannels(applyNorm(this.norms[i] ?? null, conv.forward(h)));
    });
    return reshape(this.output.forward(reshape(h, [b, 4 * 4 * 8 * this.dim])), [b]);
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, gated sigmoid·tanh`;
  }
}

/**
 * ResnetDiscriminator, the 101-layer bottleneck ResNet: conv1×1(3 → DIM/2, Glorot) → 5 blocks at
 * DIM/2 → down → 6 at DIM → down → 6 at 2·DIM → down → 6 at 4·DIM → down → 6 at 8·DIM →
 * Linear(4·4·8·DIM, 1) → ÷ 5 → scores [B].
 * @example const D = new Lsun64BottleneckCritic({ norm: 'layer' });
 */
export class Lsun64BottleneckCritic extends Module {
  readonly dim: number;
  readonly input: Conv2d;
  readonly blocks: BottleneckBlock[];
  readonly output: Linear;

  constructor(opts: { dim?: number; norm?: CriticNorm; rng?: Rng } = {}) {
    super();
    const dim = opts.dim ?? 64;
    checkDim('Lsun64BottleneckCritic', dim, 4);
    this.dim = dim;
    const rng = opts.rng ?? defaultRng();
    const norm = opts.norm ?? 'layer';
    this.input = new Conv2d(3, dim / 2, 1, { init: 'glorot', rng });
    const widths = [dim / 2, dim, 2 * dim, 4 * dim, 8 * dim];
    this.blocks = [];
    widths.forEach((c, stage) => {
      if (stage > 0) this.blocks.push(new BottleneckBlock(widths[stage - 1]!, c, 'down', { norm, rng }));
      const repeats = stage === 0 ? 5 : 6;
      for (let i = 0; i < repeats; i++) this.blocks.push(new BottleneckBlock(c, c, null, { norm, rng }));
    });
    this.output = new Linear(4 * 4 * 8 * dim, 1, { rng });
  }

  override forward(x: Tensor): Tensor {
    const b = x.shape[0]!;
    let h = this.input.forward(checkImage(x, 'Lsun64BottleneckCritic'));
    for (const block of this.blocks) h = block.forward(h);
    return reshape(div(this.output.forward(reshape(h, [b, 4 * 4 * 8 * this.dim])), 5), [b]);
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, ${this.blocks.length} bottleneck blocks (${3 * this.blocks.length + 2} weight layers)`;
  }
}

// ---------------------------------------------------------------------------------------------
// The zoo

/** The (G, D) pairs of gan_64x64.py's GeneratorAndDiscriminator(), by name. */
export type Lsun64Arch = 'resnet' | 'dcgan' | 'constant-filter-g' | 'mlp-g' | 'no-norm' | 'gated' | 'tanh' | 'resnet-101';

/** Every {@link Lsun64Arch} with the reference's description of it. */
export const LSUN64_ARCHS: Readonly<Record<Lsun64Arch, string>> = {
  resnet: 'GoodGenerator + GoodDiscriminator: the ResNet the reference uses for decent samples (default)',
  dcgan: 'baseline: DCGAN generator and critic',
  'constant-filter-g': 'G without batch norm and with a constant number of filters; DCGAN critic',
  'mlp-g': '4-layer 512-wide ReLU MLP generator; DCGAN critic',
  'no-norm': 'DCGAN generator and critic with no normalization at all',
  gated: 'gated multiplicative nonlinearities sigmoid(a)·tanh(b) everywhere',
  tanh: 'DCGAN generator and critic with tanh nonlinearities everywhere',
  'resnet-101': '101-layer bottleneck ResNet generator and critic',
};

export interface Lsun64Options {
  /** Which (G, D) pair (default 'resnet', the reference's active choice). */
  arch?: Lsun64Arch;
  /** Model width DIM (reference: 64; 'resnet-101' needs a multiple of 4). */
  dim?: number;
  /** The loss (default 'wgan-gp'): the critic norm is layer norm for 'wgan-gp', batch norm otherwise. */
  loss?: LossName;
  /** Override the critic's normalization (not allowed with 'no-norm' unless 'none'). */
  criticNorm?: CriticNorm;
  /** Stream for the initial weights (default: the global stream, see `manualSeed`). */
  rng?: Rng;
}

/**
 * A generator and critic of the gan_64x64.py zoo.
 * @example const { generator, critic } = createLsun64({ arch: 'dcgan', rng: new Rng(1) });
 */
export function createLsun64(opts: Lsun64Options = {}): { generator: Module; critic: Module } {
  const arch = opts.arch ?? 'resnet';
  if (!Object.hasOwn(LSUN64_ARCHS, arch)) {
    throw new Error(`createLsun64: arch must be one of ${Object.keys(LSUN64_ARCHS).join(', ')}, got ${JSON.stringify(arch)}`);
  }
  const rng = opts.rng ?? defaultRng();
  const dim = opts.dim ?? 64;
  const loss = opts.loss ?? 'wgan-gp';
  if (arch === 'no-norm' && opts.criticNorm !== undefined && opts.criticNorm !== 'none') {
    throw new Error(`createLsun64: arch 'no-norm' has no normalization, got criticNorm ${JSON.stringify(opts.criticNorm)}`);
  }
  const norm: CriticNorm = arch === 'no-norm' ? 'none' : (opts.criticNorm ?? (loss === 'wgan-gp' ? 'layer' : 'batch'));
  switch (arch) {
    case 'resnet':
      return { generator: new Lsun64ResnetGenerator({ dim, rng }), critic: new Lsun64ResnetCritic({ dim, norm, rng }) };
    case 'dcgan':
      return { generator: new Lsun64DcganGenerator({ dim, rng }), critic: new Lsun64DcganCritic({ dim, norm, rng }) };
    case 'constant-filter-g':
      return { generator: new Lsun64ConstantFilterGenerator({ dim, rng }), critic: new Lsun64DcganCritic({ dim, norm, rng }) };
    case 'mlp-g':
      return { generator: new Lsun64MlpGenerator({ rng }), critic: new Lsun64DcganCritic({ dim, norm, rng }) };
    case 'no-norm':
      return { generator: new Lsun64DcganGenerator({ dim, batchNorm: false, rng }), critic: new Lsun64DcganCritic({ dim, norm, rng }) };
    case 'gated':
      return { generator: new Lsun64GatedGenerator({ dim, rng }), critic: new Lsun64GatedCritic({ dim, norm, rng }) };
    case 'tanh':
      return {
        generator: new Lsun64DcganGenerator({ dim, nonlinearity: 'tanh', rng }),
        critic: new Lsun64DcganCritic({ dim, norm, nonlinearity: 'tanh', rng }),
      };
    case 'resnet-101':
      return { generator: new Lsun64BottleneckGenerator({ dim, rng }), critic: new Lsun64BottleneckCritic({ dim, norm, rng }) };
  }
}
