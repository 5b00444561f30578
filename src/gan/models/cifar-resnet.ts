/**
 * The CIFAR-10 ResNet of the reference gan_cifar_resnet.py (paper Table 3: unsupervised 7.86,
 * supervised AC-GAN-style 8.42 Inception Score), and the resampling convolutions that
 * gan_64x64.py's residual networks share with it.
 *
 * Facts from the reference worth keeping straight:
 * - Pre-activation residual blocks: norm → ReLU → conv → norm → ReLU → conv, plus a shortcut
 *   (identity when the shape is unchanged, else a 1×1 conv with Glorot init, he_init=False).
 * - 'up' blocks: both the main path's first conv and the shortcut are UpsampleConv (nearest 2×
 *   upsample THEN conv). 'down' blocks: the main path's second conv and, in THIS file's network,
 *   the shortcut too are ConvMeanPool (conv THEN 2×2 mean-pool); only the critic's optimized first
 *   block uses MeanPoolConv (pool THEN conv) for its shortcut. (gan_64x64.py's down blocks use
 *   MeanPoolConv for the shortcut instead.)
 * - Every 3×3 conv has he_init (the tflib default) and a bias; the generator's output conv and all
 *   1×1 shortcuts use Glorot (he_init=False); both Linear layers use tflib's default Glorot.
 * - Generator normalization is batch norm, conditional (per-class gamma/beta) inside the residual
 *   blocks when the model is conditional; the final 'Generator.OutputN' is called without labels, so
 *   it is an ordinary batch norm in both cases. The critic has no normalization (NORMALIZATION_D =
 *   False); conditioning reaches it only through the AC-GAN head Linear(DIM, 10).
 */
import { BatchNorm } from '../../nn/batch-norm.js';
import { ConditionalBatchNorm } from '../../nn/conditional-batch-norm.js';
import { Conv2d, type Conv2dLayerOptions } from '../../nn/conv2d.js';
import type { Init } from '../../nn/init.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Linear } from '../../nn/linear.js';
import { defaultRng, Module } from '../../nn/module.js';
import { add } from '../../ops/add.js';
import { avgPool2d } from '../../ops/avg-pool2d.js';
import { mean } from '../../ops/math.js';
import { relu } from '../../ops/relu.js';
import { reshape } from '../../ops/reshape.js';
import { tanh } from '../../ops/tanh.js';
import { upsampleNearest2d } from '../../ops/upsample-nearest2d.js';
import type { Rng } from '../../tensor/random.js';
import { ShapeError } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { asImages, checkDim, checkNoise, criticNormLayer, NOISE_DIM, type CriticNorm } from './mnist.js';

/** Options of the resampling convolutions (stride 1, SAME, tflib's he_init unless told). */
export interface ResampleConvOptions {
  /** 'he' (tflib he_init=True, the default) or 'glorot' (he_init=False, the 1×1 shortcuts). */
  init?: Init;
  /** Add a bias (default true). */
  bias?: boolean;
  rng?: Rng;
}

function convOpts(o: ResampleConvOptions): Conv2dLayerOptions {
  return { init: o.init ?? 'he', bias: o.bias ?? true, rng: o.rng ?? defaultRng() };
}

/**
 * The reference's ConvMeanPool: a stride-1 SAME conv, then the mean of each 2×2 block (the
 * reference's sum of the four strided slices ÷ 4): [N, in, H, W] → [N, out, H/2, W/2].
 * @example const down = new ConvMeanPool(128, 128, 3); // critic down block, second conv
 */
export class ConvMeanPool extends Module {
  readonly conv: Conv2d;
  constructor(inChannels: number, outChannels: number, kernelSize: number, opts: ResampleConvOptions = {}) {
    super();
    this.conv = new Conv2d(inChannels, outChannels, kernelSize, convOpts(opts));
  }
  override forward(x: Tensor): Tensor {
    return avgPool2d(this.conv.forward(x), 2);
  }
}

/**
 * The reference's MeanPoolConv: 2×2 mean-pool first, then a stride-1 SAME conv.
 * @example const sc = new MeanPoolConv(3, 128, 1, { init: 'glorot' }); // optimized block shortcut
 */
export class MeanPoolConv extends Module {
  readonly conv: Conv2d;
  constructor(inChannels: number, outChannels: number, kernelSize: number, opts: ResampleConvOptions = {}) {
    super();
    this.conv = new Conv2d(inChannels, outChannels, kernelSize, convOpts(opts));
  }
  override forward(x: Tensor): Tensor {
    return this.conv.forward(avgPool2d(x, 2));
  }
}

/**
 * The reference's UpsampleConv: it tiles the input 4 times along channels and applies
 * depth_to_space(2), which is exactly nearest-neighbour 2× upsampling; then a stride-1 SAME conv.
 * @example const up = new UpsampleConv(128, 128, 3); // generator up block, first conv
 */
export class UpsampleConv extends Module {
  readonly conv: Conv2d;
  constructor(inChannels: number, outChannels: number, kernelSize: number, opts: ResampleConvOptions = {}) {
    super();
    this.conv = new Conv2d(inChannels, outChannels, kernelSize, convOpts(opts));
  }
  override forward(x: Tensor): Tensor {
    return this.conv.forward(upsampleNearest2d(x, 2));
  }
}

/** How the residual blocks normalize: the generator's (conditional) batch norm, a critic norm, or none. */
export type BlockNorm = 'batch' | 'conditional' | 'layer' | 'none';

type NormLayer = BatchNorm | ConditionalBatchNorm | LayerNorm;

function blockNormLayer(kind: BlockNorm, channels: number, numClasses: number): NormLayer | null {
  if (kind === 'conditional') return new ConditionalBatchNorm(numClasses, channels);
  return criticNormLayer(kind, channels);
}

function applyNorm(norm: NormLayer | null, x: Tensor, labels: Tensor | undefined, who: string): Tensor {
  if (!norm) return x;
  if (norm instanceof ConditionalBatchNorm) {
    if (!labels) throw new ShapeError(who, 'a conditional model needs int32 class labels [B]');
    return norm.forward(x, labels);
  }
  return norm.forward(x);
}

export interface CifarResBlockOptions {
  /** Normalization before each conv (default 'none'). */
  norm?: BlockNorm;
  /** Number of classes of a conditional batch norm (default 10). */
  numClasses?: number;
  rng?: Rng;
}

/**
 * gan_cifar_resnet.py ResidualBlock (3×3 convs):
 * - 'up':   N1(in) → ReLU → UpsampleConv(in → out) → N2(out) → ReLU → conv(out → out); shortcut UpsampleConv 1×1.
 * - 'down': N1(in) → ReLU → conv(in → in) → N2(in) → ReLU → ConvMeanPool(in → out); shortcut ConvMeanPool 1×1.
 * - null:   N1(in) → ReLU → conv(in → out) → N2(out) → ReLU → conv(out → out); identity shortcut if in = out.
 * @example const block = new CifarResBlock(128, 128, 'up', { norm: 'batch' });
 */
export class CifarResBlock extends Module {
  readonly shortcut: Module | null;
  readonly norm1: NormLayer | null;
  readonly conv1: Module;
  readonly norm2: NormLayer | null;
  readonly conv2: Module;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly resample: 'up' | 'down' | null,
    opts: CifarResBlockOptions = {},
  ) {
    super();
    const rng = opts.rng ?? defaultRng();
    const norm = opts.norm ?? 'none';
    const classes = opts.numClasses ?? 10;
    const k = 3;
    const sc = { init: 'glorot', bias: true, rng } as const;
    this.norm1 = blockNormLayer(norm, inChannels, classes);
    if (resample === 'up') {
      this.shortcut = new UpsampleConv(inChannels, outChannels, 1, sc);
      this.conv1 = new UpsampleConv(inChannels, outChannels, k, { rng });
      this.norm2 = blockNormLayer(norm, outChannels, classes);
      this.conv2 = new Conv2d(outChannels, outChannels, k, { rng });
    } else if (resample === 'down') {
      this.shortcut = new ConvMeanPool(inChannels, outChannels, 1, sc);
      this.conv1 = new Conv2d(inChannels, inChannels, k, { rng });
      this.norm2 = blockNormLayer(norm, inChannels, classes);
      this.conv2 = new ConvMeanPool(inChannels, outChannels, k, { rng });
    } else if (resample === null) {
      this.shortcut = inChannels === outChannels ? null : new Conv2d(inChannels, outChannels, 1, sc);
      this.conv1 = new Conv2d(inChannels, outChannels, k, { rng });
      this.norm2 = blockNormLayer(norm, outChannels, classes);
      this.conv2 = new Conv2d(outChannels, outChannels, k, { rng });
    } else {
      throw new Error(`CifarResBlock: resample must be 'up', 'down' or null, got ${JSON.stringify(resample)}`);
    }
  }

  override forward(x: Tensor, labels?: Tensor): Tensor {
    const skip = this.shortcut ? this.shortcut.forward(x) : x;
    let h = relu(applyNorm(this.norm1, x, labels, 'CifarResBlock'));
    h = this.conv1.forward(h);
    h = relu(applyNorm(this.norm2, h, labels, 'CifarResBlock'));
    return add(skip, this.conv2.forward(h));
  }

  override extraRepr(): string {
    return `${this.inChannels} → ${this.outChannels}, ${this.resample ?? 'same size'}`;
  }
}

/**
 * gan_cifar_resnet.py OptimizedResBlockDisc1, the critic's first block (no normalization, no
 * pre-activation): conv3(3 → DIM) → ReLU → ConvMeanPool3(DIM → DIM), plus the shortcut
 * MeanPoolConv1(3 → DIM) (pool first, Glorot).
 * @example const first = new OptimizedDiscBlock(3, 128);
 */
export class OptimizedDiscBlock extends Module {
  readonly shortcut: MeanPoolConv;
  readonly conv1: Conv2d;
  readonly conv2: ConvMeanPool;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    opts: { rng?: Rng } = {},
  ) {
    super();
    const rng = opts.rng ?? defaultRng();
    this.shortcut = new MeanPoolConv(inChannels, outChannels, 1, { init: 'glorot', bias: true, rng });
    this.conv1 = new Conv2d(inChannels, outChannels, 3, { rng });
    this.conv2 = new ConvMeanPool(outChannels, outChannels, 3, { rng });
  }

  override forward(x: Tensor): Tensor {
    return add(this.shortcut.forward(x), this.conv2.forward(relu(this.conv1.forward(x))));
  }

  override extraRepr(): string {
    return `${this.inChannels} → ${this.outChannels}, down`;
  }
}

export interface CifarResnetOptions {
  /** Channels of every block, DIM_G = DIM_D (reference: 128). */
  dim?: number;
  /** Class-conditional model (reference CONDITIONAL): conditional BN in G and, with acgan, an AC-GAN head in D. */
  conditional?: boolean;
  /** Add the critic's Linear(DIM, numClasses) AC-GAN head when conditional (default true, reference ACGAN). */
  acgan?: boolean;
  /** Number of classes (default 10). */
  numClasses?: number;
  /** Critic normalization inside blocks 2-4 (default 'none', reference NORMALIZATION_D = False). */
  criticNorm?: CriticNorm;
  /** Stream for the initial weights (default: the global stream, see `manualSeed`). */
  rng?: Rng;
}

/**
 * gan_cifar_resnet.py Generator: z [B, 128] (+ labels int32 [B] when conditional) →
 * Linear(128, 4·4·DIM) → [DIM, 4, 4] → 3 up blocks (4 → 8 → 16 → 32) → BN → ReLU →
 * conv3(DIM → 3, Glorot) → tanh. Output [B, 3, 32, 32] in [−1, 1].
 * @example const G = new CifarResnetGenerator({ conditional: true }); const x = G.forward(z, labels);
 */
export class CifarResnetGenerator extends Module {
  readonly dim: number;
  readonly conditional: boolean;
  readonly numClasses: number;
  readonly input: Linear;
  readonly blocks: CifarResBlock[];
  readonly outputNorm: BatchNorm;
  readonly output: Conv2d;

  constructor(opts: { dim?: number; conditional?: boolean; numClasses?: number; rng?: Rng } = {}) {
    super();
    const dim = opts.dim ?? 128;
    checkDim('CifarResnetGenerator', dim);
    this.dim = dim;
    this.conditional = opts.conditional ?? false;
    this.numClasses = opts.numClasses ?? 10;
    const rng = opts.rng ?? defaultRng();
    this.input = new Linear(NOISE_DIM, 4 * 4 * dim, { rng });
    const norm: BlockNorm = this.conditional ? 'conditional' : 'batch';
    this.blocks = [0, 1, 2].map(() => new CifarResBlock(dim, dim, 'up', { norm, numClasses: this.numClasses, rng }));
    this.outputNorm = new BatchNorm(dim);
    this.output = new Conv2d(dim, 3, 3, { init: 'glorot', rng });
  }

  override forward(z: Tensor, labels?: Tensor): Tensor {
    checkNoise(z, NOISE_DIM, 'CifarResnetGenerator');
    if (this.conditional) checkLabels(labels, z.shape[0]!, 'CifarResnetGenerator');
    let h = reshape(this.input.forward(z), [z.shape[0]!, this.dim, 4, 4]);
    for (const block of this.blocks) h = block.forward(h, labels);
    h = relu(this.outputNorm.forward(h));
    return tanh(this.output.forward(h));
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, ${NOISE_DIM} → [3, 32, 32]${this.conditional ? `, conditional on ${this.numClasses} classes` : ''}`;
  }
}

function checkLabels(labels: Tensor | undefined, batch: number, who: string): void {
  if (!labels || labels.dtype !== 'int32' || labels.rank !== 1 || labels.shape[0] !== batch) {
    throw new ShapeError(who, `a conditional model needs int32 labels [${batch}], got ${labels ? labels.describe() : 'none'}`);
  }
}

/**
 * gan_cifar_resnet.py Discriminator: [B, 3, 32, 32] (or [B, 3072]) → optimized block (→ 16×16) →
 * down block (→ 8×8) → 2 blocks (8×8) → ReLU → mean over H, W → Linear(DIM, 1) → scores [B];
 * with the AC-GAN head also Linear(DIM, classes) logits (see {@link CifarResnetCritic.scoresAndLogits}).
 * @example const D = new CifarResnetCritic(); const s = D.forward(images); // [B]
 */
export class CifarResnetCritic extends Module {
  readonly dim: number;
  readonly block1: OptimizedDiscBlock;
  readonly blocks: CifarResBlock[];
  readonly output: Linear;
  /** 'Discriminator.ACGANOutput', present for a conditional AC-GAN model. */
  readonly acganOutput: Linear | null;

  constructor(opts: { dim?: number; acgan?: boolean; numClasses?: number; norm?: CriticNorm; rng?: Rng } = {}) {
    super();
    const dim = opts.dim ?? 128;
    checkDim('CifarResnetCritic', dim);
    this.dim = dim;
    const rng = opts.rng ?? defaultRng();
    const norm = opts.norm ?? 'none';
    this.block1 = new OptimizedDiscBlock(3, dim, { rng });
    this.blocks = [
      new CifarResBlock(dim, dim, 'down', { norm, rng }),
      new CifarResBlock(dim, dim, null, { norm, rng }),
      new CifarResBlock(dim, dim, null, { norm, rng }),
    ];
    this.output = new Linear(dim, 1, { rng });
    this.acganOutput = opts.acgan ? new Linear(dim, opts.numClasses ?? 10, { rng }) : null;
  }

  /** The pooled features [B, DIM] that both heads read. @example const f = D.features(images); */
  features(x: Tensor): Tensor {
    let h = this.block1.forward(asImages(x, [3, 32, 32], 'CifarResnetCritic'));
    for (const block of this.blocks) h = block.forward(h);
    return mean(relu(h), [2, 3]);
  }

  /** Critic scores [B]. @example const s = D.forward(images); */
  override forward(x: Tensor): Tensor {
    const f = this.features(x);
    return reshape(this.output.forward(f), [f.shape[0]!]);
  }

  /**
   * Scores [B] and, for an AC-GAN critic, class logits [B, classes] (null otherwise) from one
   * forward pass.
   * @example const { scores, logits } = D.scoresAndLogits(images);
   */
  scoresAndLogits(x: Tensor): { scores: Tensor; logits: Tensor | null } {
    const f = this.features(x);
    return {
      scores: reshape(this.output.forward(f), [f.shape[0]!]),
      logits: this.acganOutput ? this.acganOutput.forward(f) : null,
    };
  }

  override extraRepr(): string {
    if (!this.acganOutput) return `DIM ${this.dim}, [3, 32, 32] → score`;
    return `DIM ${this.dim}, [3, 32, 32] → score + ${this.acganOutput.outFeatures} class logits`;
  }
}

/**
 * The gan_cifar_resnet.py generator and critic (unconditional, or conditional AC-GAN).
 * @example const { generator, critic } = createCifarResnet({ conditional: true, rng: new Rng(1) });
 */
export function createCifarResnet(opts: CifarResnetOptions = {}): { generator: CifarResnetGenerator; critic: CifarResnetCritic } {
  const rng = opts.rng ?? defaultRng();
  const dim = opts.dim ?? 128;
  const conditional = opts.conditional ?? false;
  const numClasses = opts.numClasses ?? 10;
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new Error(`createCifarResnet: numClasses must be an integer >= 2, got ${String(numClasses)}`);
  if (opts.acgan && !conditional) throw new Error('createCifarResnet: acgan needs conditional: true');
  return {
    generator: new CifarResnetGenerator({ dim, conditional, numClasses, rng }),
    critic: new CifarResnetCritic({ dim, acgan: conditional && (opts.acgan ?? true), numClasses, norm: opts.criticNorm ?? 'none', rng }),
  };
}

