/**
 * The plots of a toy run: the critic's value surface over [−3, 3]² (gan_toy.py's generate_image: a
 * 128×128 grid, evaluated in one backend run) with real and fixed-noise fake points, the loss curves
 * and the toy metrics over time, and the HTML report that gathers them.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Module } from '../../nn/module.js';
import { realize, tensor } from '../../tensor/tensor.js';
import { contourPlot, criticGrid as gridPoints } from '../../viz/contour-plot.js';
import { linePlot, type LineSeries } from '../../viz/line-plot.js';
import { readMetricsJsonl, writeReport } from '../../viz/report.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import type { ToyConfig } from './index.js';
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

/** The line series of metrics `keys` that have values. */
function seriesOf(lines: readonly MetricsLine[], keys: readonly string[]): LineSeries[] {
  const out: LineSeries[] = [];
  for (const k of keys) {
    const pts = lines.filter((l) => typeof l[k] === 'number');
    if (pts.length > 0) out.push({ name: k, x: pts.map((l) => l.iteration), y: pts.map((l) => l[k] as number) });
  }
  return out;
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
  const losses = seriesOf(lines, ['criticLoss', 'generatorLoss', 'wasserstein', 'penalty']);
  await writeFileAtomic(join(plots, 'losses.png'), linePlot({ series: losses, title: 'losses (means over each logging interval)', xLabel: 'generator iteration' }));
  const quality = seriesOf(lines, ['modesCaptured', 'highQualityPct']);
  if (quality.length > 0) {
    await writeFileAtomic(join(plots, 'quality.png'), linePlot({ series: quality, title: 'modes captured and % high-quality samples', xLabel: 'generator iteration' }));
  }
  const dist = seriesOf(lines, ['energyDistance', 'w1']);
  if (dist.length > 0) {
    await writeFileAtomic(join(plots, 'distances.png'), linePlot({ series: dist, title: 'energy distance and W1 to the data', xLabel: 'generator iteration', logY: true }));
  }
}

/** Critic plots embedded in the report at most (the latest plus evenly spaced earlier ones). */
export const REPORT_CRITIC_PLOTS = 8;

/**
 * Writes DIR/report.html: the config, the latest critic plot, the loss and metric curves, earlier
 * critic plots, and the metrics over time (self-contained: images embedded).
 */
export async function writeToyReport(dir: string, config: ToyConfig): Promise<void> {
  const plots = join(dir, 'plots');
  let files: string[] = [];
  try {
    files = await readdir(plots);
  } catch {
    return;
  }
  const critic = files.filter((f) => /^critic-\d+\.png$/.test(f)).sort();
  const latest = critic.slice(-1);
  const earlier = critic.slice(0, -1);
  const keep = Math.min(earlier.length, REPORT_CRITIC_PLOTS - 1);
  const picked = Array.from({ length: keep }, (_, i) => earlier[Math.round((i * (earlier.length - 1)) / Math.max(1, keep - 1))]!);
  const curves = ['losses.png', 'quality.png', 'distances.png'].filter((f) => files.includes(f));
  const images = [...latest, ...curves, ...[...new Set(picked)].reverse()].map((f) => join('plots', f));
  writeReport({
    dir,
    config,
    images,
    title: `wgan-gp ${config.preset ?? config.dataset}: ${config.loss} on ${config.dataset}`,
    xKey: 'iteration',
  });
}
