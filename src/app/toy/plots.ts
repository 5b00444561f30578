/**
 * The plots of a toy run: at each plot iteration the critic's value surface over [−3, 3]²
 * (gan_toy.py's generate_image: a 128×128 grid, evaluated in one backend run) with real and
 * fixed-noise fake points, beside it the critic's gradient norm ‖∇ₓD(x)‖ over the same grid (the
 * quantity the penalty pushes toward 1, computed with the engine's grad) and the density of the
 * evaluation samples; the surfaces over the run as a time-lapse strip; the losses and the toy
 * metrics over time, one quantity per panel; and the HTML report that gathers them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gradients } from '../../autodiff/grad.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import type { Module } from '../../nn/module.js';
import { sum } from '../../ops/sum.js';
import { perSampleNorm } from '../../gan/losses.js';
import { realize, tensor } from '../../tensor/tensor.js';
import { FONT, figureLayout, figureSvg, type FigureLayout } from '../../viz/chart.js';
import { criticGrid as gridPoints, densityGrid, heatmapPanel } from '../../viz/contour-plot.js';
import { readMetricsJsonl, writeReport } from '../../viz/report.js';
import { svgToPng, text } from '../../viz/svg.js';
import type { ToyConfig } from './index.js';
import { curveChart, type CurveFigure, lossFigure, METRIC_GUIDE, reportImages, spacedPick, writeCurveFigures } from '../report.js';
import type { MetricsLine } from '../run-folder.js';
import type { EvalSet, ToyModel } from './model.js';

/** The plotted square, as in gan_toy.py (RANGE = 3). */
export const PLOT_RANGE = 3;
/** Grid points per side (gan_toy.py: N_POINTS = 128). */
export const GRID_POINTS = 128;
/** Cells per side of the sample-density map. */
export const DENSITY_CELLS = 60;

/**
 * The critic's values at the grid points of {@link gridPoints} (viz's criticGrid order), in one
 * backend run.
 * @example const v = await criticValues(D); // Float32Array(128 * 128)
 */
export async function criticValues(critic: Module, n = GRID_POINTS, range = PLOT_RANGE): Promise<Float32Array> {
  return (await criticSurface(critic, n, range)).values;
}

/**
 * The critic's values D(x) and gradient norms ‖∇ₓD(x)‖ at the grid points (criticGrid order), in
 * one backend run: the gradient is the engine's, of ΣD(x) with respect to the grid (each point's
 * value depends on that point alone, so row k of the gradient is ∇D at point k).
 * @example const { values, gradNorms } = await criticSurface(D);
 */
export async function criticSurface(critic: Module, n = GRID_POINTS, range = PLOT_RANGE): Promise<{ values: Float32Array; gradNorms: Float32Array }> {
  const x = tensor(gridPoints(n, range), [n * n, 2]);
  const d = critic.forward(x);
  const [g] = gradients(sum(d), [x]);
  const norm = perSampleNorm(g!);
  await realize([d, norm]);
  return { values: Float32Array.from(d.value!), gradNorms: Float32Array.from(norm.value!) };
}

/** The file name of the critic plot of an iteration. */
export function criticPlotName(iteration: number): string {
  return `critic-${String(iteration).padStart(7, '0')}.png`;
}

/** The time-lapse strip of critic surfaces. */
export const TIMELAPSE_FILE = 'critic-timelapse.png';
/** Surfaces in the strip at most (evenly spaced over the run, the latest included). */
export const TIMELAPSE_FRAMES = 6;

/** Layout of a critic plot: three square-ish map panels in a row under a title. */
const CRITIC_LAYOUT: FigureLayout = { columns: 3, panelWidth: 390, panelHeight: 340, title: ' ' };

/** What a critic plot shows. */
export interface CriticPlotData {
  values: ArrayLike<number>;
  gradNorms: ArrayLike<number>;
  /** Fixed-noise generated points over the surface (n×2). */
  fake: ArrayLike<number>;
  /** Real points (n×2). */
  real: ArrayLike<number>;
  /** Generated points for the density map (n×2; the evaluation samples). */
  density: ArrayLike<number>;
  title: string;
}

/**
 * A critic plot as PNG: the surface D(x) with real and generated points; ‖∇ₓD(x)‖ on a diverging
 * scale around 1 with the level set ‖∇D‖ = 1; the density of generated samples with real points.
 * @example await writeFile('critic.png', criticPlot({ values, gradNorms, fake, real, density: fake, title: 'iteration 100' }));
 */
export function criticPlot(d: CriticPlotData): Buffer {
  const cells = densityGrid(d.density, DENSITY_CELLS, PLOT_RANGE);
  const svg = figureSvg(3, { ...CRITIC_LAYOUT, title: d.title }, (frame, k) => {
    if (k === 0) return heatmapPanel(frame, { values: d.values, range: PLOT_RANGE, real: d.real, fake: d.fake, title: 'critic D(x)', colorBar: 'D(x)' }).svg();
    if (k === 1) {
      return heatmapPanel(frame, { values: d.gradNorms, range: PLOT_RANGE, scale: { center: 1 }, isoValues: [1], isoLabels: ['‖∇D‖ = 1'], title: 'critic gradient norm ‖∇ₓD(x)‖', colorBar: '‖∇ₓD(x)‖' }).svg();
    }
    return heatmapPanel(frame, { values: cells, range: PLOT_RANGE, scale: 'density', real: d.real, title: `density of ${d.density.length / 2} generated samples`, colorBar: 'samples per cell' }).svg();
  });
  return svgToPng(svg);
}

/**
 * Writes DIR/plots/critic-NNNNNNN.png for the current iteration (critic surface with real and
 * fixed-noise fake points, ‖∇D‖ map, sample density), the time-lapse strip, and the curves:
 * losses.png, quality.png (modes captured; % high quality) and distances.png (energy distance; W1).
 */
export async function writeToyPlots(model: ToyModel, dir: string, ev: EvalSet, metricsPath: string): Promise<void> {
  const { config, trainer } = model;
  const plots = join(dir, 'plots');
  const { values, gradNorms } = await criticSurface(model.critic);
  const fakeT = model.generator.forward(ev.plotNoise);
  const densityT = model.generator.forward(ev.evalNoise);
  await realize([fakeT, densityT]);
  const png = criticPlot({
    values,
    gradNorms,
    fake: fakeT.value!,
    real: ev.plotReal,
    density: densityT.value!,
    title: `${config.dataset} · ${config.loss} · iteration ${trainer.iteration}`,
  });
  await writeFileAtomic(join(plots, criticPlotName(trainer.iteration)), png);
  await writeTimelapse(plots);
  await writeCurveFigures(plots, readMetricsJsonl(metricsPath) as MetricsLine[], toyFigures(config));
}

/**
 * Writes plots/critic-timelapse.png: the critic surface panels of up to {@link TIMELAPSE_FRAMES}
 * critic plots (evenly spaced, the first and the latest included) side by side, cut from the
 * critic-NNNNNNN.png files (so a resumed run's strip covers the whole run). Each file is embedded
 * whole and cropped by a nested SVG viewport: the rasterizer decodes it, no pixel copying here.
 */
export async function writeTimelapse(plots: string): Promise<void> {
  const files = readdirSync(plots).filter((f) => /^critic-\d+\.png$/.test(f)).sort();
  if (files.length === 0) return;
  const picked = spacedPick(files, TIMELAPSE_FRAMES);
  const layout = figureLayout(3, CRITIC_LAYOUT);
  const panel = layout.frames[0]!;
  const cropTop = panel.y + FONT.title + 10; // below the panel's title: the strip labels each frame
  const h = panel.height - (cropTop - panel.y);
  const label = 24;
  const svg = figureSvg(picked.length, { columns: picked.length, panelWidth: panel.width, panelHeight: h + label, gap: 4, title: 'critic surface over the run' }, (fr, k) => {
    const uri = `data:image/png;base64,${readFileSync(join(plots, picked[k]!)).toString('base64')}`;
    return (
      text(`iteration ${Number(picked[k]!.slice(7, 14))}`, fr.x + fr.width / 2, fr.y + 6, { size: FONT.title, anchor: 'middle', baseline: 'top', bold: true }) +
      `<svg x="${fr.x}" y="${fr.y + label}" width="${panel.width}" height="${h}" viewBox="${panel.x} ${cropTop} ${panel.width} ${h}">` +
      `<image x="0" y="0" width="${layout.width}" height="${layout.height}" href="${uri}" xlink:href="${uri}"/></svg>`
    );
  });
  await writeFileAtomic(join(plots, TIMELAPSE_FILE), svgToPng(svg));
}

/** The curve figures of a toy run (quality only for Gaussian mixtures). */
export function toyFigures(config: ToyConfig): CurveFigure[] {
  const modes = config.dataset === '8gaussians' ? 8 : config.dataset === '25gaussians' ? 25 : 0;
  const figs: CurveFigure[] = [lossFigure()];
  if (modes > 0) {
    figs.push({
      name: 'quality.png',
      title: `mode coverage on ${config.evalSamples} samples of fixed noise`,
      panels: [
        { keys: [['modesCaptured', 'modes captured']], title: 'modes captured', yLabel: 'modes', yRange: [0, modes + 0.5], levels: [[modes, `all ${modes} modes`]], legend: 'bottom-right' },
        { keys: [['highQualityPct', 'high-quality samples']], title: 'high-quality samples (within 3σ of a mode)', yLabel: '% of samples', yRange: [0, 100] },
      ],
    });
  }
  figs.push({
    name: 'distances.png',
    title: 'distances between generated and real points',
    panels: [
      { keys: [['energyDistance', 'energy distance']], title: `energy distance (${config.evalSamples} points)`, yLabel: 'energy distance', logY: true },
      { keys: [['w1', 'W1']], title: 'exact W1 (500 points each)', yLabel: 'W1', logY: 'auto' },
    ],
  });
  return figs;
}

/** Critic plots embedded in the report at most (the latest plus evenly spaced earlier ones). */
export const REPORT_CRITIC_PLOTS = 1;

/**
 * Writes DIR/report.html (and metrics.csv): the latest critic plot, the time-lapse strip, earlier
 * critic plots, the curves, the metrics with what they mean, and the config (self-contained).
 */
export async function writeToyReport(dir: string, config: ToyConfig): Promise<void> {
  const images = reportImages(join(dir, 'plots'), /^critic-\d+\.png$/, [TIMELAPSE_FILE], REPORT_CRITIC_PLOTS);
  const lines = readMetricsJsonl(join(dir, 'metrics.jsonl')) as MetricsLine[];
  writeReport({
    dir,
    config,
    metrics: lines,
    images: images.map((p) => ({ path: p, caption: caption(p) })),
    charts: toyFigures(config).flatMap((f) => curveChart(lines, f) ?? []),
    guide: METRIC_GUIDE,
    iters: config.iters,
    title: `wgan-gp ${config.preset ?? config.dataset}: ${config.loss} on ${config.dataset}`,
    xKey: 'iteration',
  });
}

/** The caption of a report image. */
function caption(path: string): string {
  const m = /critic-(\d+)\.png$/.exec(path);
  if (m) return `${path}: critic surface D(x), its gradient norm ‖∇D(x)‖ (black: the level set 1 the penalty aims at) and the density of generated samples, iteration ${Number(m[1])}`;
  return `${path}: the critic surface over the run`;
}
