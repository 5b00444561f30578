/**
 * The playground's settings as its URL carries them: defaults, parsing with messages that name the
 * bad parameter, and the short query of a config. No engine import (only types), so the page's
 * bundle stays small; the worker and web/session.ts share it.
 */
import type { ToyDatasetName } from '../src/data/toy.js';
import type { LossName } from '../src/gan/losses.js';

/** The losses the playground trains, in the order of their panels (src/gan/losses.ts LOSSES). */
export const LOSSES: readonly LossName[] = ['wgan-gp', 'wgan', 'gan', 'lsgan'];
/** src/data/toy.ts TOY_DATASETS, and the points drawn with the mouse. */
const TOY: readonly ToyDatasetName[] = ['8gaussians', '25gaussians', 'swissroll'];

/** Critic surface and ‖∇D‖ map: GRID×GRID points over [−RANGE, RANGE]² (gan_toy.py plots 128² over [−3, 3]²). */
export const GRID = 64;
export const RANGE = 3;
/** Plotted points per kind (real, generated, interpolates). */
export const SHOWN = 256;
/** Generator samples behind the metrics (modes captured, % high quality, energy distance). */
export const EVAL_SAMPLES = 1000;
/** The noise grid whose image under G is drawn as the generator's manifold: MANIFOLD×MANIFOLD points over [−2, 2]². */
export const MANIFOLD = 17;
/** Std of the Gaussian put around each point drawn with the mouse (as 8 Gaussians' modes after scaling). */
export const DRAWN_STD = 0.03;

export type PlaygroundDataset = ToyDatasetName | 'drawn';
export const PLAYGROUND_DATASETS: readonly PlaygroundDataset[] = [...TOY, 'drawn'];
export const OPTIMIZER_CHOICES = ['adam', 'rmsprop', 'reference'] as const;
export const DEVICE_CHOICES = ['auto', 'wasm', 'webgpu'] as const;

/** Everything a playground run is, as the page's URL carries it (see {@link parseConfig}). */
export interface PlaygroundConfig {
  /** One panel per loss, trained in turn on the same data and seed. */
  losses: LossName[];
  dataset: PlaygroundDataset;
  /** The points drawn with the mouse (x0, y0, x1, y1, …), the data when `dataset` is 'drawn'. */
  points: number[];
  /** Gradient-penalty weight (wgan-gp; gan_toy.py: 0.1, the paper's image experiments: 10). */
  lambda: number;
  oneSided: boolean;
  /** Weight-clipping value c (wgan; gan_toy.py: 0.01). */
  clip: number;
  nCritic: number;
  /** 'reference': each loss's reference optimiser (Adam for wgan-gp and gan, RMSProp for wgan and lsgan) at these rates. */
  optimizer: (typeof OPTIMIZER_CHOICES)[number];
  /** Critic learning rate. */
  lr: number;
  /** Generator learning rate. */
  lrG: number;
  beta1: number;
  beta2: number;
  /** Hidden ReLU layers of both MLPs (gan_toy.py: 3). */
  layers: number;
  /** Hidden width of both MLPs (gan_toy.py: 512). */
  hidden: number;
  batch: number;
  seed: number;
  /** Send the views to the page every N iterations. */
  drawEvery: number;
  device: (typeof DEVICE_CHOICES)[number];
  /** WebAssembly threads; 0: half the cores (at most 4) where the page is cross-origin isolated, else 1. */
  threads: number;
}

/**
 * The defaults: gan_toy.py's networks and WGAN-GP settings (λ 0.1, 5 critic steps, batch 256, Adam
 * β 0.5/0.9) at width 128 and the toy presets' learning rate 1e-3, so the modes form within a few
 * hundred iterations in the page (the reference trains 100k iterations at 1e-4).
 */
export const PLAYGROUND_DEFAULTS: Readonly<PlaygroundConfig> = Object.freeze<PlaygroundConfig>({
  losses: [...LOSSES],
  dataset: '8gaussians',
  points: [],
  lambda: 0.1,
  oneSided: false,
  clip: 0.01,
  nCritic: 5,
  optimizer: 'adam',
  lr: 1e-3,
  lrG: 1e-3,
  beta1: 0.5,
  beta2: 0.9,
  layers: 3,
  hidden: 128,
  batch: 256,
  seed: 1,
  drawEvery: 10,
  device: 'auto',
  threads: 0,
});

type Key = keyof PlaygroundConfig;
/** Numeric settings: [lowest, highest, integer]. */
const NUMBERS: Partial<Record<Key, [number, number, boolean]>> = {
  lambda: [0, 1e6, false],
  clip: [1e-9, 1e6, false],
  nCritic: [1, 100, true],
  lr: [0, 10, false],
  lrG: [0, 10, false],
  beta1: [0, 1, false],
  beta2: [0, 1, false],
  layers: [1, 12, true],
  hidden: [1, 1024, true],
  batch: [1, 4096, true],
  seed: [0, 2 ** 31 - 1, true],
  drawEvery: [1, 100000, true],
  threads: [0, 64, true],
};

function oneOf<T extends string>(key: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${key} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

/**
 * A config from URL parameters (`losses=wgan-gp,wgan&lambda=10&points=0.5,1,…`), defaults for the
 * rest. Throws an error naming the parameter and its bad value.
 * @example parseConfig('?losses=wgan-gp,wgan&dataset=swissroll').losses // ['wgan-gp', 'wgan']
 */
export function parseConfig(query: string | URLSearchParams): PlaygroundConfig {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  const c: PlaygroundConfig = { ...PLAYGROUND_DEFAULTS, losses: [...PLAYGROUND_DEFAULTS.losses], points: [] };
  const rec = c as unknown as Record<string, unknown>;
  for (const [key, value] of params) {
    if (key === 'autostart') continue; // the page's, not the run's
    if (!(key in PLAYGROUND_DEFAULTS)) throw new Error(`unknown URL parameter '${key}'; known: ${Object.keys(PLAYGROUND_DEFAULTS).join(', ')}`);
    const range = NUMBERS[key as Key];
    if (range) {
      const v = Number(value);
      const [lo, hi, integer] = range;
      if (value.trim() === '' || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
        throw new Error(`${key} must be ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}], got '${value}'`);
      }
      rec[key] = v;
    } else if (key === 'losses') {
      const names = value.split(',').filter((s) => s !== '');
      if (names.length === 0) throw new Error(`losses must name at least one of ${LOSSES.join(', ')}, got '${value}'`);
      c.losses = [...new Set(names.map((n) => oneOf('losses', n, LOSSES)))];
    } else if (key === 'points') {
      const v = value === '' ? [] : value.split(',').map(Number);
      if (v.length % 2 !== 0 || v.some((x) => !Number.isFinite(x) || Math.abs(x) > 100)) {
        throw new Error(`points must be x,y pairs of finite numbers, got '${value.slice(0, 40)}'`);
      }
      c.points = v;
    } else if (key === 'oneSided') {
      c.oneSided = oneOf('oneSided', value, ['0', '1', 'false', 'true']) === '1' || value === 'true';
    } else if (key === 'dataset') {
      c.dataset = oneOf('dataset', value, PLAYGROUND_DATASETS);
    } else if (key === 'optimizer') {
      c.optimizer = oneOf('optimizer', value, OPTIMIZER_CHOICES);
    } else if (key === 'device') {
      c.device = oneOf('device', value, DEVICE_CHOICES);
    }
  }
  if (c.dataset === 'drawn' && c.points.length === 0) throw new Error("dataset 'drawn' needs points: draw some on a panel (or pass points=x,y,…)");
  return c;
}

/**
 * The URL parameters of a config: only what differs from the defaults, so a link stays short.
 * @example configQuery({ ...PLAYGROUND_DEFAULTS, lambda: 10 }) // 'lambda=10'
 */
export function configQuery(c: PlaygroundConfig): string {
  const out = new URLSearchParams();
  for (const key of Object.keys(PLAYGROUND_DEFAULTS) as Key[]) {
    const v = c[key];
    const d = PLAYGROUND_DEFAULTS[key];
    if (Array.isArray(v)) {
      const s = key === 'points' ? (v as number[]).map((x) => +x.toFixed(3)).join(',') : v.join(',');
      if (s !== (d as readonly unknown[]).join(',')) out.set(key, s);
    } else if (v !== d) out.set(key, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  return out.toString();
}

