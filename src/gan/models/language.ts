/**
 * The character-level language networks of the reference gan_language.py (paper §5.2, Figure 4's
 * samples): residual 1-D convolutional networks over `seqLen` positions, channels-first, every
 * convolution stride 1 with SAME padding.
 *
 * Facts from the reference worth keeping straight:
 * - ResBlock: ReLU → conv1d k5 (DIM → DIM) → ReLU → conv1d k5 → x + 0.3·out (no normalization, no
 *   shortcut conv; the 0.3 residual scale is the reference's).
 * - Generator: z [B, 128] → Linear(128, seqLen·DIM) → reshape [B, DIM, seqLen] (flat index c·seqLen + t)
 *   → 5 ResBlocks → conv1d k1 (DIM → V), no ReLU before it → transpose [B, seqLen, V] → softmax over V.
 *   Its output is fed to the critic as it is, WITHOUT sampling: the critic tells one-hot rows from
 *   soft ones, which is the point of the paper's experiment (no discrete sampling, no REINFORCE).
 * - Critic: [B, seqLen, V] (one-hot real, softmax fake) → transpose [B, V, seqLen] → conv1d k1 (V → DIM)
 *   → 5 ResBlocks → flatten channel-major [B, DIM·seqLen] → Linear(DIM·seqLen, 1) → scores [B].
 * - Init (tflib): Conv1D he_init σ = √(4/(fan_in+fan_out)), fan_in = in·k, fan_out = out·k; Linear
 *   Glorot σ = √(2/(in+out)); weights U[−σ√3, σ√3]; biases 0.
 * - Parameters at DIM 512, seqLen 32: each k5 conv 1,311,232; G = 15,225,856 + 513·V and
 *   D = 13,129,217 + 512·V (V the char map's size, 'unk' included).
 *
 * Width: the reference's DIM = 512 costs ~7–8 TFLOP per generator iteration (10 critic steps and a
 * generator step at batch 64): days of a 2-core CPU for the reference's 200k iterations. The
 * CPU width is {@link LANGUAGE_CPU_DIM} = 128 (1/16 of the products of 512).
 */
import { Conv1d } from '../../nn/conv1d.js';
import { Linear } from '../../nn/linear.js';
import { defaultRng, Module } from '../../nn/module.js';
import { add } from '../../ops/add.js';
import { conv1d } from '../../ops/conv2d.js';
import { mul } from '../../ops/mul.js';
import { relu } from '../../ops/relu.js';
import { reshape } from '../../ops/reshape.js';
import { softmax } from '../../ops/softmax.js';
import { transpose } from '../../ops/transpose.js';
import type { Rng } from '../../tensor/random.js';
import { fmt, ShapeError } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkDim, checkNoise, NOISE_DIM } from './mnist.js';

/** The reference's DIM. */
export const LANGUAGE_DIM = 512;
/** The documented width for a 2-core CPU (see the file comment). */
export const LANGUAGE_CPU_DIM = 128;
/** The reference's SEQ_LEN. */
export const LANGUAGE_SEQ_LEN = 32;
/** Residual blocks in each network. */
export const LANGUAGE_BLOCKS = 5;
/** Residual scale of the reference's ResBlock: x + 0.3·out. */
export const RESIDUAL_SCALE = 0.3;

/** Options of the language networks. */
export interface LanguageOptions {
  /** The char map's size V (one-hot width), 'unk' included. */
  vocabSize: number;
  /** Channels DIM (reference 512; {@link LANGUAGE_CPU_DIM} on a CPU). */
  dim?: number;
  /** Symbols per line (reference 32). */
  seqLen?: number;
  /** Stream for the initial weights (default: the global stream, see `manualSeed`). */
  rng?: Rng;
}

function resolve(who: string, o: LanguageOptions): { vocabSize: number; dim: number; seqLen: number; rng: Rng } {
  const dim = o.dim ?? LANGUAGE_DIM;
  const seqLen = o.seqLen ?? LANGUAGE_SEQ_LEN;
  checkDim(who, dim);
  if (!Number.isInteger(o.vocabSize) || o.vocabSize < 2) throw new Error(`${who}: vocabSize must be an integer >= 2, got ${String(o.vocabSize)}`);
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new Error(`${who}: seqLen must be a positive integer, got ${String(seqLen)}`);
  return { vocabSize: o.vocabSize, dim, seqLen, rng: o.rng ?? defaultRng() };
}

/**
 * gan_language.py ResBlock: x + 0.3·conv5(ReLU(conv5(ReLU(x)))), [B, DIM, L] → [B, DIM, L].
 * @example const block = new LanguageResBlock(512); const y = block.forward(x);
 */
export class LanguageResBlock extends Module {
  readonly conv1: Conv1d;
  readonly conv2: Conv1d;

  constructor(
    readonly dim: number,
    opts: { rng?: Rng } = {},
  ) {
    super();
    checkDim('LanguageResBlock', dim);
    const rng = opts.rng ?? defaultRng();
    this.conv1 = new Conv1d(dim, dim, 5, { rng });
    this.conv2 = new Conv1d(dim, dim, 5, { rng });
  }

  override forward(x: Tensor): Tensor {
    const h = relu(this.conv1.forward(relu(x)));
    // 0.3·(W ⊛ h + b) computed as (0.3·W) ⊛ h + 0.3·b: the same function of the same parameters,
    // with the scale on the [DIM, DIM, 5] weight instead of the [B, DIM, L] activation (fewer
    // elementwise products in the forward pass and in both backward passes).
    const c = this.conv2;
    return add(x, conv1d(h, mul(c.weight, RESIDUAL_SCALE), { padding: 'same', bias: mul(c.bias!, RESIDUAL_SCALE) }));
  }

  override extraRepr(): string {
    return `${this.dim} channels, k5, x + ${RESIDUAL_SCALE}·out`;
  }
}

/**
 * gan_language.py Generator: z [B, 128] → softmax probabilities [B, seqLen, V].
 * @example const G = new LanguageGenerator({ vocabSize: corpus.vocabSize, dim: 128 }); const p = G.forward(rng.normal([64, 128]));
 */
export class LanguageGenerator extends Module {
  readonly dim: number;
  readonly seqLen: number;
  readonly vocabSize: number;
  readonly input: Linear;
  readonly blocks: LanguageResBlock[];
  readonly output: Conv1d;

  constructor(opts: LanguageOptions) {
    super();
    const { vocabSize, dim, seqLen, rng } = resolve('LanguageGenerator', opts);
    this.dim = dim;
    this.seqLen = seqLen;
    this.vocabSize = vocabSize;
    this.input = new Linear(NOISE_DIM, seqLen * dim, { rng });
    this.blocks = Array.from({ length: LANGUAGE_BLOCKS }, () => new LanguageResBlock(dim, { rng }));
    this.output = new Conv1d(dim, vocabSize, 1, { rng });
  }

  /** The logits [B, seqLen, V] before the softmax (for tests and temperature sampling). */
  logits(z: Tensor): Tensor {
    checkNoise(z, NOISE_DIM, 'LanguageGenerator');
    let h = reshape(this.input.forward(z), [z.shape[0]!, this.dim, this.seqLen]);
    for (const b of this.blocks) h = b.forward(h);
    return transpose(this.output.forward(h), [0, 2, 1]);
  }

  override forward(z: Tensor): Tensor {
    return softmax(this.logits(z), -1);
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, ${NOISE_DIM} → [${this.seqLen}, ${this.vocabSize}] softmax`;
  }
}

/**
 * gan_language.py Discriminator: [B, seqLen, V] (one-hot or softmax rows) → scores [B], no output
 * nonlinearity.
 * @example const D = new LanguageCritic({ vocabSize: corpus.vocabSize, dim: 128 }); const s = D.forward(x);
 */
export class LanguageCritic extends Module {
  readonly dim: number;
  readonly seqLen: number;
  readonly vocabSize: number;
  readonly input: Conv1d;
  readonly blocks: LanguageResBlock[];
  readonly output: Linear;

  constructor(opts: LanguageOptions) {
    super();
    const { vocabSize, dim, seqLen, rng } = resolve('LanguageCritic', opts);
    this.dim = dim;
    this.seqLen = seqLen;
    this.vocabSize = vocabSize;
    this.input = new Conv1d(vocabSize, dim, 1, { rng });
    this.blocks = Array.from({ length: LANGUAGE_BLOCKS }, () => new LanguageResBlock(dim, { rng }));
    this.output = new Linear(seqLen * dim, 1, { rng });
  }

  override forward(x: Tensor): Tensor {
    if (x.rank !== 3 || x.shape[1] !== this.seqLen || x.shape[2] !== this.vocabSize) {
      throw new ShapeError('LanguageCritic', `expected one-hot or softmax rows [B, ${this.seqLen}, ${this.vocabSize}], got ${fmt(x.shape)}`);
    }
    const b = x.shape[0]!;
    let h = this.input.forward(transpose(x, [0, 2, 1]));
    for (const block of this.blocks) h = block.forward(h);
    return reshape(this.output.forward(reshape(h, [b, this.dim * this.seqLen])), [b]);
  }

  override extraRepr(): string {
    return `DIM ${this.dim}, [${this.seqLen}, ${this.vocabSize}] → score`;
  }
}

/**
 * The gan_language.py generator and critic (the generator drawn first from `rng`).
 * @example const { generator, critic } = createLanguage({ vocabSize: corpus.vocabSize, dim: LANGUAGE_CPU_DIM, rng: new Rng(1) });
 */
export function createLanguage(opts: LanguageOptions): { generator: LanguageGenerator; critic: LanguageCritic } {
  const rng = opts.rng ?? defaultRng();
  return { generator: new LanguageGenerator({ ...opts, rng }), critic: new LanguageCritic({ ...opts, rng }) };
}

/**
 * Parameter counts of the two networks, from the layer shapes (G: Linear + 10 k5 convs + a k1
 * conv to V; D: a k1 conv from V + 10 k5 convs + Linear).
 * @example languageParameterCounts(512, 32, 100) // { generator: 15_277_156, critic: 13_180_417 }
 */
export function languageParameterCounts(dim: number, seqLen: number, vocabSize: number): { generator: number; critic: number } {
  const k5 = dim * dim * 5 + dim;
  const blocks = 2 * LANGUAGE_BLOCKS * k5;
  return {
    generator: NOISE_DIM * seqLen * dim + seqLen * dim + blocks + dim * vocabSize + vocabSize,
    critic: vocabSize * dim + dim + blocks + seqLen * dim + 1,
  };
}
