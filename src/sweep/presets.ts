/**
 * Built-in sweeps (`wgan-gp sweep NAME --data DIR`): the paper's §5.1 robustness study. Table 1's
 * choices are drawn for G and D separately (seeded: the same architectures every time), and every
 * architecture is trained with WGAN-GP and with the standard GAN (each with its optimizer from the
 * cifar10-arch preset: Adam(1e-4, 0, 0.9) and Adam(2e-4, 0.5, 0.999)), then scored with the
 * Inception Score under the bundled CIFAR-10 classifier; the report counts successes per threshold
 * as Table 5 does. CIFAR-10 stands in for the paper's ImageNet 32×32 (not available here).
 */
import type { SweepSpec } from './spec.js';

/** A named sweep spec. */
export interface SweepPreset {
  description: string;
  spec: SweepSpec;
}

const NONLINEARITIES = ['relu', 'leakyrelu', 'softplus', 'tanh'];
const DEPTHS = [4, 8, 12, 20];

/** Table 1 over both networks, with base filter counts `dims`. */
function table1(dims: number[]): Record<string, (string | number | boolean)[]> {
  return {
    gNonlinearity: NONLINEARITIES,
    dNonlinearity: NONLINEARITIES,
    gDepth: DEPTHS,
    dDepth: DEPTHS,
    gNorm: [true, false],
    dNorm: [true, false],
    gDim: dims,
    dDim: dims,
  };
}

/**
 * Table 5's thresholds (Inception Score above 3, 5, 7 under the Inception network, whose score of
 * real ImageNet-like data is 11.24) carried over to the bundled CIFAR-10 judge by the ratio of the
 * real-data scores (its 10,000 CIFAR-10 test images score 5.79): 1.55, 2.58, 3.61.
 */
export const TABLE5_THRESHOLDS: readonly number[] = [3, 5, 7].map((t) => Math.round(((t * 5.79) / 11.24) * 100) / 100);

/** Scored as Table 5: successes per threshold, WGAN-GP against GAN. */
const scoring = (): Pick<SweepSpec, 'metric' | 'goal' | 'thresholds' | 'groupBy' | 'grid'> => ({ metric: 'inceptionScore', goal: 'max', thresholds: [...TABLE5_THRESHOLDS], groupBy: 'loss', grid: { loss: ['wgan-gp', 'gan'] } });

/** The built-in sweeps by name. */
export const SWEEP_PRESETS: Readonly<Record<string, SweepPreset>> = {
  'random-archs': {
    description: '§5.1 scaled down for a small machine: 20 architectures × {wgan-gp, gan}, base filters 8/16/32 (Table 1 ÷ 4), 300 iterations, batch 32, IS on 1,000 samples',
    spec: {
      name: 'random-archs',
      description:
        "The paper's §5.1 robustness study, scaled down: 20 random architectures (Table 1's nonlinearities, depths and normalization; base filters 8, 16, 32 instead of 32, 64, 128), each trained 300 iterations with WGAN-GP and with the standard GAN on CIFAR-10 (standing in for ImageNet 32×32), Inception Score under the bundled CIFAR-10 classifier.",
      base: { preset: 'cifar10-arch', iters: 300, batchSize: 32, generatorBatchSize: 32, evalEvery: 300, evalSamples: 1000, devSamples: 256, plotEvery: 0, logEvery: 50, checkpointEvery: 100, threads: 1 },
      random: { trials: 20, seed: 1, fields: table1([8, 16, 32]) },
      ...scoring(),
    },
  },
  'random-archs-full': {
    description: '§5.1 at full size for a cluster: 200 architectures × {wgan-gp, gan}, base filters 32/64/128, 100k iterations, batch 64, IS on 10,000 samples',
    spec: {
      name: 'random-archs-full',
      description:
        "The paper's §5.1 robustness study at full size: 200 random architectures from Table 1, each trained 100,000 generator iterations with WGAN-GP and with the standard GAN on CIFAR-10 (standing in for ImageNet 32×32), Inception Score under the bundled CIFAR-10 classifier.",
      base: { preset: 'cifar10-arch', iters: 100_000, batchSize: 64, generatorBatchSize: 64, evalEvery: 10_000, evalSamples: 10_000, plotEvery: 10_000, logEvery: 100, checkpointEvery: 1000, threads: 2 },
      random: { trials: 200, seed: 1, fields: table1([32, 64, 128]) },
      ...scoring(),
    },
  },
};
