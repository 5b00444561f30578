/**
 * Metrics for the 2-D toy experiments. Mode coverage for the Gaussian mixtures follows the protocol of
 * VEEGAN / PacGAN that later papers apply to the WGAN-GP toy sets: a sample is high-quality when it
 * lies within 3 standard deviations of its nearest mode; a mode is captured when it is the nearest
 * mode of at least one high-quality sample; report the share of high-quality samples (over 2,500).
 * The sample-based distances for every dataset live in distance.ts and are re-exported here.
 */
export { energyDistance, wasserstein1 } from './distance.js';

/** Gaussian mixture modes: centres (each of length dim) and the per-coordinate std. */
export interface MixtureModes {
  readonly centres: readonly (readonly number[])[];
  readonly std: number;
}

/** The result of {@link modeCoverage}. */
export interface ModeCoverage {
  /** Modes that are the nearest mode of at least one high-quality sample. */
  readonly modesCaptured: number;
  /** Number of modes of the mixture. */
  readonly totalModes: number;
  /** Samples within `threshold`·std (Euclidean) of their nearest mode. */
  readonly highQuality: number;
  /** highQuality / number of samples, in [0, 1]. */
  readonly highQualityFraction: number;
  /** High-quality samples per mode, in the order of `modes.centres`. */
  readonly perMode: readonly number[];
}

/** Options of {@link modeCoverage}. */
export interface ModeCoverageOptions {
  /** The high-quality radius in standard deviations (default 3). */
  readonly threshold?: number;
}

/**
 * Mode coverage of generated samples (row-major n×dim) against a Gaussian mixture's true modes.
 *
 * @example
 * const data = eightGaussians();
 * const m = modeCoverage(fakeSamples, data.modes!); // { modesCaptured: 8, highQualityFraction: 0.93, ... }
 */
export function modeCoverage(samples: ArrayLike<number>, modes: MixtureModes, options: ModeCoverageOptions = {}): ModeCoverage {
  const threshold = options.threshold ?? 3;
  const k = modes.centres.length;
  if (k === 0) throw new Error('modeCoverage: modes.centres is empty');
  const dim = modes.centres[0]!.length;
  for (const c of modes.centres) {
    if (c.length !== dim) throw new Error(`modeCoverage: centres differ in length (${dim} vs ${c.length})`);
  }
  if (!(modes.std > 0)) throw new Error(`modeCoverage: modes.std must be positive, got ${modes.std}`);
  if (!(threshold > 0)) throw new Error(`modeCoverage: threshold must be positive, got ${threshold}`);
  if (samples.length % dim !== 0) {
    throw new Error(`modeCoverage: samples has ${samples.length} values, not a multiple of the centres' dim ${dim}`);
  }
  const n = samples.length / dim;
  const radius2 = (threshold * modes.std) ** 2;
  const perMode = new Array<number>(k).fill(0);
  let highQuality = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let m = 0; m < k; m++) {
      const c = modes.centres[m]!;
      let d = 0;
      for (let t = 0; t < dim; t++) d += (samples[i * dim + t]! - c[t]!) ** 2;
      if (d < bestD) {
        bestD = d;
        best = m;
      }
    }
    // NaN samples (a diverged generator) are never high-quality.
    if (bestD <= radius2) {
      highQuality++;
      perMode[best]!++;
    }
  }
  return {
    modesCaptured: perMode.filter((c) => c > 0).length,
    totalModes: k,
    highQuality,
    highQualityFraction: n === 0 ? 0 : highQuality / n,
    perMode,
  };
}
