/**
 * The plots of a toy run: the critic's value surface over [−3, 3]² (gan_toy.py's generate_image: a
 * 128×128 grid, evaluated in one backend run) with real and fixed-noise fake points, the loss curves
 * and the toy metrics over time, and the HTML report that gathers them.
 */
import { join } from 'node:path';
import type { Module } from '../../nn/module.js';
import { realize, tensor } from '../../tensor/tensor.js';
import { contourPlot, criticGrid as gridPoints } from '../../viz/contour-plot.js';
import { readMetricsJsonl, writeReport } from '../../viz/report.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import type { ToyConfig } from './index.js';
import { reportImages, seriesOf, writeCurve } from '../report.js';
import type { MetricsLine } from '../run-folder.js';
import type { EvalSet, ToyModel } from './model.js';

/** The plotted square, as in gan_toy.py (RANGE = 3). */
export const PLOT_RANGE = 3;
/** Grid points per side (gan_toy.py: N_POINTS = 128). */
export const GRID_POINTS = 128;

/**
 * The critic's values at the grid points of {@link gridPoints} (viz's criticGrid order), in one
 * backend run.
 * @example const v = await criticValues(D); // Float32Array(128 * 128)
 */
export async function criticValues(critic: Module, n = GRID_POINTS, range = PLOT_RANGE): Promise<Float32Array> {
  const d = critic.forward(tensor(gridPoints(n, range), [n * n, 2]));
  await realize([d]);
  return Float32Array.from(d.value!);
}

/** The file name of the critic plot of an iteration. */
export function criticPlotName(iteration: number): string {
  return `critic-${String(iteration).padStart(7, '0')}.png`;
}

/**
 * Writes DIR/plots/critic-NNNNNNN.png for the current iteration (critic surface, real points, fixed-noise
 * fake points), DIR/plots/losses.png, and, when toy metrics were logged, DIR/plots/quality.png
 * (modes captured, % high quality) and DIR/plots/distances.png (energy distance, W1; log scale).
 */
export async function writeToyPlots(model: ToyModel, dir: string, ev: EvalSet, metricsPath: string): Promise<void> {
  const { config, trainer } = model;
  const plots = join(dir, 'plots');
  const values = await criticValues(model.critic);
  const fakeT = model.generator.forward(ev.plotNoise);
  await realize([fakeT]);
  const png = contourPlot({
    values,
    range: PLOT_RANGE,
    real: ev.plotReal,
    fake: fakeT.value!,
    title: `${config.dataset} · ${config.loss} · iteration ${trainer.iteration}`,
  });
  await writeFileAtomic(join(plots, criticPlotName(trainer.iteration)), png);
  const lines = readMetricsJsonl(metricsPath) as MetricsLine[];
  if (lines.length === 0) return;
  await writeCurve(plots, 'losses.png', seriesOf(lines, ['criticLoss', 'generatorLoss', 'wasserstein', 'penalty']), 'losses (means over each logging interval)');
  await writeCurve(plots, 'quality.png', seriesOf(lines, ['modesCaptured', 'highQualityPct']), 'modes captured and % high-quality samples');
  await writeCurve(plots, 'distances.png', seriesOf(lines, ['energyDistance', 'w1']), 'energy distance and W1 to the data', true);
}

/** Critic plots embedded in the report at most (the latest plus evenly spaced earlier ones). */
export const REPORT_CRITIC_PLOTS = 8;

/**
 * Writes DIR/report.html: the config, the latest critic plot, the loss and metric curves, earlier
 * critic plots, and the metrics over time (self-contained: images embedded).
 */
export async function writeToyReport(dir: string, config: ToyConfig): Promise<void> {
  const images = reportImages(join(dir, 'plots'), /^critic-\d+\.png$/, ['losses.png', 'quality.png', 'distances.png'], REPORT_CRITIC_PLOTS);
  writeReport({
    dir,
    config,
    images,
    title: `wgan-gp ${config.preset ?? config.dataset}: ${config.loss} on ${config.dataset}`,
    xKey: 'iteration',
  });
}
