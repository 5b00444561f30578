/**
 * The three 2-D toy datasets of the paper (Figure 1 and the gan_toy.py experiments), built exactly
 * as the reference script gan_toy.py builds them, but drawn from our seeded {@link Rng}.
 *
 * Every sample is a row-major `Float32Array` of n×2 values: `[x0, y0, x1, y1, ...]`.
 */
import { Rng } from '../tensor/random.js';

/** The names the CLI and configs use. */
export type ToyDatasetName = '8gaussians' | '25gaussians' | 'swissroll';

/** All toy dataset names, in the paper's order. */
export const TOY_DATASETS: readonly ToyDatasetName[] = ['8gaussians', '25gaussians', 'swissroll'];

/** True mode centres and the per-coordinate std of each mode, AFTER the dataset's final scaling. */
export interface ToyModes {
  readonly centres: readonly (readonly [number, number])[];
  readonly std: number;
}

/** The part of a dataset's state a checkpoint must keep (the 25-Gaussians read position). */
export interface ToyDatasetState {
  readonly cursor: number;
}

/** A 2-D toy distribution. */
export interface ToyDataset {
  readonly name: ToyDatasetName;
  /**
   * Draws `n` points as an n×2 row-major array. Datasets that draw fresh points use `rng`;
   * 25 Gaussians serves its pre-generated pool instead (as the reference does) and ignores it.
   */
  sample(n: number, rng: Rng): Float32Array;
  /** The Gaussian mixture's modes, for the mode metrics; absent for the Swiss roll. */
  readonly modes?: ToyModes;
  /** The read position, for checkpoints (always `{cursor: 0}` for datasets without a pool). */
  state(): ToyDatasetState;
  /** Restores a state returned by {@link ToyDataset.state}. */
  restore(state: ToyDatasetState): void;
}

function checkCount(fn: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${fn}: n must be a non-negative integer, got ${n}`);
}

const statelessState = (): ToyDatasetState => ({ cursor: 0 });
const statelessRestore = (): void => {};

// gan_toy.py: `scale = 2.`, the 8 unit directions in this order, noise `randn(2) * .02`, and the whole
// batch divided by 1.414 ("stdev") at the end.
const EIGHT_SCALE = 2;
const EIGHT_NOISE = 0.02;
const EIGHT_DIVISOR = 1.414;
const INV_SQRT2 = 1 / Math.sqrt(2);
const EIGHT_DIRECTIONS: readonly (readonly [number, number])[] = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
  [INV_SQRT2, INV_SQRT2],
  [INV_SQRT2, -INV_SQRT2],
  [-INV_SQRT2, INV_SQRT2],
  [-INV_SQRT2, -INV_SQRT2],
];

/**
 * 8 Gaussians: centres at radius 2 in the 8 compass and diagonal directions, noise σ = 0.02, then
 * everything ÷ 1.414 (so radius ≈ 1.414, σ ≈ 0.0141). Each point picks its centre uniformly.
 *
 * @example
 * const data = eightGaussians();
 * const batch = data.sample(256, new Rng(0)); // Float32Array(512)
 */
export function eightGaussians(): ToyDataset {
  const centres = EIGHT_DIRECTIONS.map(
    ([x, y]) => [(EIGHT_SCALE * x) / EIGHT_DIVISOR, (EIGHT_SCALE * y) / EIGHT_DIVISOR] as const,
  );
  return {
    name: '8gaussians',
    modes: { centres, std: EIGHT_NOISE / EIGHT_DIVISOR },
    sample(n, rng) {
      checkCount('eightGaussians.sample', n);
      const out = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        const nx = rng.gauss() * EIGHT_NOISE;
        const ny = rng.gauss() * EIGHT_NOISE;
        const [cx, cy] = EIGHT_DIRECTIONS[rng.int(8)]!;
        // point = randn·0.02 + centre·2, then the batch ÷ 1.414 (reference order).
        out[2 * i] = (nx + EIGHT_SCALE * cx) / EIGHT_DIVISOR;
        out[2 * i + 1] = (ny + EIGHT_SCALE * cy) / EIGHT_DIVISOR;
      }
      return out;
    },
    state: statelessState,
    restore: statelessRestore,
  };
}

/** Options of {@link twentyFiveGaussians}. */
export interface TwentyFiveGaussiansOptions {
  /** Seed of the pool's generator (default 0): the pool is a fixed dataset, like the reference's. */
  readonly seed?: number;
  /** Points in the pool (default 100,000 as in gan_toy.py; rounded down to a multiple of 25). */
  readonly poolSize?: number;
}

const TWENTY_FIVE_NOISE = 0.05;
const TWENTY_FIVE_DIVISOR = 2.828;

/**
 * 25 Gaussians: centres 2·{−2..2}², noise σ = 0.05, then ÷ 2.828. As in gan_toy.py, a pool of
 * 100,000 points (4,000 per centre) is generated once, shuffled, and served in consecutive batches;
 * a batch that would run past the end starts again at the beginning (the reference iterates
 * `len(dataset) // BATCH_SIZE` full batches per pass, dropping the remainder, and never reshuffles).
 * The pool is built lazily from `seed` on first use; `rng` passed to `sample` is not used.
 *
 * @example
 * const data = twentyFiveGaussians({ seed: 1 });
 * const batch = data.sample(256, rng);
 * const saved = data.state(); // { cursor: 256 }
 */
export function twentyFiveGaussians(options: TwentyFiveGaussiansOptions = {}): ToyDataset {
  const seed = options.seed ?? 0;
  const perCentre = Math.floor((options.poolSize ?? 100_000) / 25);
  if (!Number.isInteger(perCentre) || perCentre < 1) {
    throw new Error(`twentyFiveGaussians: poolSize must be at least 25, got ${String(options.poolSize)}`);
  }
  const poolPoints = perCentre * 25;
  const centres: (readonly [number, number])[] = [];
  for (let x = -2; x <= 2; x++) {
    for (let y = -2; y <= 2; y++) centres.push([(2 * x) / TWENTY_FIVE_DIVISOR, (2 * y) / TWENTY_FIVE_DIVISOR]);
  }
  let pool: Float32Array | undefined;
  let cursor = 0;

  const buildPool = (): Float32Array => {
    const rng = new Rng(seed);
    const raw = new Float32Array(2 * poolPoints);
    let k = 0;
    for (let i = 0; i < perCentre; i++) {
      for (let x = -2; x <= 2; x++) {
        for (let y = -2; y <= 2; y++) {
          // Reference: point = randn(2)·0.05; point += (2x, 2y); float32; shuffle; ÷ 2.828.
          raw[k++] = rng.gauss() * TWENTY_FIVE_NOISE + 2 * x;
          raw[k++] = rng.gauss() * TWENTY_FIVE_NOISE + 2 * y;
        }
      }
    }
    const perm = rng.permutation(poolPoints);
    const out = new Float32Array(2 * poolPoints);
    for (let i = 0; i < poolPoints; i++) {
      const j = perm[i]!;
      out[2 * i] = raw[2 * j]! / TWENTY_FIVE_DIVISOR;
      out[2 * i + 1] = raw[2 * j + 1]! / TWENTY_FIVE_DIVISOR;
    }
    return out;
  };

  return {
    name: '25gaussians',
    modes: { centres, std: TWENTY_FIVE_NOISE / TWENTY_FIVE_DIVISOR },
    sample(n, _rng) {
      checkCount('twentyFiveGaussians.sample', n);
      if (n > poolPoints) {
        throw new Error(`twentyFiveGaussians.sample: n = ${n} exceeds the pool of ${poolPoints} points`);
      }
      pool ??= buildPool();
      if (cursor + n > poolPoints) cursor = 0;
      const out = pool.slice(2 * cursor, 2 * (cursor + n));
      cursor += n;
      return out;
    },
    state: () => ({ cursor }),
    restore(state) {
      if (!Number.isInteger(state.cursor) || state.cursor < 0 || state.cursor > poolPoints) {
        throw new Error(`twentyFiveGaussians.restore: cursor must be in [0, ${poolPoints}], got ${state.cursor}`);
      }
      cursor = state.cursor;
    },
  };
}

const SWISS_NOISE = 0.25;
const SWISS_DIVISOR = 7.5;

/**
 * Swiss roll: sklearn `make_swiss_roll(noise=0.25)` columns [0, 2], ÷ 7.5. That is
 * t = 1.5π(1 + 2u), u ~ U[0,1); x = t·cos t + 0.25·N(0,1), z = t·sin t + 0.25·N(0,1).
 * (sklearn also draws the unused height coordinate; it does not change the distribution.)
 *
 * @example
 * const batch = swissRoll().sample(256, new Rng(0));
 */
export function swissRoll(): ToyDataset {
  return {
    name: 'swissroll',
    sample(n, rng) {
      checkCount('swissRoll.sample', n);
      const out = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        const t = 1.5 * Math.PI * (1 + 2 * rng.next());
        out[2 * i] = (t * Math.cos(t) + SWISS_NOISE * rng.gauss()) / SWISS_DIVISOR;
        out[2 * i + 1] = (t * Math.sin(t) + SWISS_NOISE * rng.gauss()) / SWISS_DIVISOR;
      }
      return out;
    },
    state: statelessState,
    restore: statelessRestore,
  };
}

/** Options of {@link toyDataset}. */
export interface ToyDatasetOptions {
  /** Seed of the 25-Gaussians pool (ignored by the others). */
  readonly seed?: number;
}

/**
 * A toy dataset by name.
 *
 * @example
 * const data = toyDataset('25gaussians', { seed: 3 });
 */
export function toyDataset(name: ToyDatasetName, options: ToyDatasetOptions = {}): ToyDataset {
  switch (name) {
    case '8gaussians':
      return eightGaussians();
    case '25gaussians':
      return twentyFiveGaussians(options.seed === undefined ? {} : { seed: options.seed });
    case 'swissroll':
      return swissRoll();
    default:
      throw new Error(`toyDataset: unknown dataset '${String(name)}'; expected one of ${TOY_DATASETS.join(', ')}`);
  }
}

/**
 * The FIXED_GENERATOR option of gan_toy.py (paper Figure 1a): the "generator" is the real data plus
 * unit Gaussian noise, `G = real + N(0, 1)`, so a critic can be trained to optimality against it.
 * Returns a new array; `real` is not modified.
 *
 * @example
 * const real = data.sample(256, rng);
 * const fake = fixedGeneratorSample(real, rng);
 */
export function fixedGeneratorSample(real: Float32Array, rng: Rng, std = 1): Float32Array {
  const noise = rng.normalArray(real.length, 0, std);
  for (let i = 0; i < real.length; i++) noise[i] = noise[i]! + real[i]!;
  return noise;
}
