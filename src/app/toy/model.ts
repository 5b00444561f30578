/**
 * A toy run's parts (gan_toy.py, made resumable): its data, MLPs and Trainer, the fixed evaluation
 * inputs, the toy metrics and the hooks that write them. A toy run folder:
 *
 * ```
 * DIR/config.json            the resolved config (kind "toy")
 * DIR/metrics.jsonl          one JSON object per logged iteration (losses; toy metrics when computed)
 * DIR/plots/critic-NNNNNNN.png  critic value contour over [−3,3]² with real and fixed-noise fake points
 * DIR/plots/losses.png       loss curves; quality.png (modes, % high quality) and distances.png over time
 * DIR/checkpoints/           checkpoint.json + weights-NNNNNNN.safetensors (see checkpoint.ts)
 * DIR/report.html            a self-contained report of the above
 * ```
 */
import { join } from 'node:path';
import { toyDataset, type ToyDataset } from '../../data/toy.js';
import { energyDistance, modeCoverage, wasserstein1 } from '../../metrics/toy.js';
import type { Rng } from '../../tensor/random.js';
import { realize, tensor, type Tensor } from '../../tensor/tensor.js';
import { fusesIteration, ToyMlp } from '../../gan/models/toy.js';
import { seedStreams, Trainer } from '../../gan/trainer.js';
import { trainerSettings } from '../common.js';
import type { RunHooks } from '../run-folder.js';
import type { ToyConfig } from './index.js';
import { writeToyPlots, writeToyReport } from './plots.js';

/** Everything a toy run is made of. */
export interface ToyModel {
  config: ToyConfig;
  dataset: ToyDataset;
  generator: ToyMlp;
  critic: ToyMlp;
  trainer: Trainer;
  streams: ReturnType<typeof seedStreams>;
}

/**
 * Builds the dataset, networks, optimizers and trainer of a toy config (fresh weights from the seed).
 * @example const { trainer } = buildToyModel(resolveConfig({ preset: 'toy-8gaussians' }));
 */
export function buildToyModel(config: ToyConfig): ToyModel {
  const streams = seedStreams(config.seed);
  const dataset = toyDataset(config.dataset, { seed: config.seed });
  const mlp = { hidden: config.hidden, layers: config.layers };
  const generator = new ToyMlp(config.noiseDim, 2, { ...mlp, rng: streams.generatorInit });
  const critic = new ToyMlp(2, 1, { ...mlp, rng: streams.criticInit });
  const trainer = new Trainer({
    ...trainerSettings(config, generator, critic),
    data: {
      sample: (n: number, rng: Rng) => tensor(dataset.sample(n, rng), [n, 2]),
      state: () => dataset.state(),
      restore: (s: unknown) => dataset.restore(s as { cursor: number }),
    },
    noise: (n, rng) => rng.normal([n, config.noiseDim]),
    batchSize: config.batchSize,
    // One backend run per generator iteration (docs/BENCHMARKS.md, "Toy iteration"), up to the depth
    // at which the fused graph stays under ortBackend's AUTO_ALL_MAX_NODES (full graph optimization).
    fuseIteration: fusesIteration(config.layers),
  });
  return { config, dataset, generator, critic, trainer, streams };
}

/** Generated points G(z) for the given noise, as an n×2 Float32Array (one backend run). */
export async function generate(model: ToyModel, z: Tensor): Promise<Float32Array> {
  const x = model.generator.forward(z);
  await realize([x]);
  return Float32Array.from(x.value!);
}

/** The fixed evaluation inputs of a run: noise for metrics and plots, real points, all from the seed. */
export interface EvalSet {
  /** Noise for the metrics' generator samples. */
  evalNoise: Tensor;
  /** Real points for the distances. */
  evalReal: Float32Array;
  /** Fixed noise for the plotted fake points (gan_toy.py plots BATCH_SIZE fixed-noise samples). */
  plotNoise: Tensor;
  /** Real points for the plots. */
  plotReal: Float32Array;
}

/** Builds the fixed evaluation inputs (independent of the training streams). */
export function evalSet(config: ToyConfig, evalSamples = config.evalSamples): EvalSet {
  const rng = seedStreams(config.seed).fixedNoise;
  // A separate dataset instance: drawing from it never moves the training data's position.
  const data = toyDataset(config.dataset, { seed: config.seed });
  const plotN = Math.min(config.batchSize, 512);
  return {
    evalNoise: rng.normal([evalSamples, config.noiseDim]),
    evalReal: data.sample(evalSamples, rng),
    plotNoise: rng.normal([plotN, config.noiseDim]),
    plotReal: data.sample(plotN, rng),
  };
}

/** Samples used for W1 (exact assignment is O(n³): a subset keeps an evaluation well under a second). */
export const W1_SAMPLES = 500;

/** The metrics of a toy run's evaluation lines: modes captured and % high quality (mixtures), energy distance and W1. */
export interface ToyMetrics {
  modesCaptured?: number;
  totalModes?: number;
  highQualityPct?: number;
  energyDistance?: number;
  w1?: number;
}

/**
 * The toy metrics of generated points against a dataset: mode coverage (mixtures), energy distance and
 * W1 against real points.
 */
export function toyMetrics(dataset: ToyDataset, fake: Float32Array, real: Float32Array): ToyMetrics {
  const out: ToyMetrics = {};
  if (dataset.modes) {
    const cov = modeCoverage(fake, dataset.modes);
    out.modesCaptured = cov.modesCaptured;
    out.totalModes = cov.totalModes;
    out.highQualityPct = 100 * cov.highQualityFraction;
  }
  out.energyDistance = energyDistance(fake, real);
  const k = 2 * Math.min(W1_SAMPLES, fake.length / 2, real.length / 2);
  out.w1 = wasserstein1(fake.subarray(0, k), real.subarray(0, k));
  return out;
}

/** The toy experiment's hooks: toy metrics on fixed noise, critic/curve plots and the report. */
export function toyHooks(model: ToyModel, dir: string): RunHooks {
  const ev = evalSet(model.config);
  return {
    evaluate: async () => toyMetrics(model.dataset, await generate(model, ev.evalNoise), ev.evalReal) as Record<string, number>,
    plot: async () => {
      await writeToyPlots(model, dir, ev, join(dir, 'metrics.jsonl'));
      await writeToyReport(dir, model.config);
    },
  };
}
