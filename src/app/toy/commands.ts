/**
 * `wgan-gp sample` and `wgan-gp eval` of a toy run: points from the latest checkpoint's generator
 * (CSV, JSON, or a PNG over the critic's value surface), and the toy metrics as JSON.
 */
import { writeFile } from 'node:fs/promises';
import { Rng } from '../../tensor/random.js';
import { contourPlot } from '../../viz/contour-plot.js';
import type { RunEnv, SavedRun } from '../experiment.js';
import { loadRunModel } from '../runs.js';
import type { ToyConfig } from './index.js';
import { toyExperiment } from './index.js';
import { evalSet, generate, toyMetrics } from './model.js';
import { criticValues, PLOT_RANGE } from './plots.js';

/**
 * Draws `num` points from noise of `seed` and writes them to `out` (.csv, .json or .png), or CSV
 * through `env.write`.
 * @example await sampleToy(run, { num: 1000, seed: 0, out: 'points.png' }, env);
 */
export async function sampleToy(run: SavedRun<ToyConfig>, opts: { num: number; seed: number; out: string | null }, env: RunEnv): Promise<void> {
  const model = await loadRunModel(toyExperiment, run, env);
  const { num, seed, out } = opts;
  const pts = await generate(model, new Rng(seed).normal([num, run.config.noiseDim]));
  const rows: number[][] = [];
  for (let i = 0; i < num; i++) rows.push([pts[2 * i]!, pts[2 * i + 1]!]);
  if (out?.endsWith('.png')) {
    // The samples over the critic's value surface, with real points, as in the run's plots.
    const real = model.dataset.sample(Math.min(num, 1000), new Rng(seed + 1));
    const png = contourPlot({ values: await criticValues(model.critic), range: PLOT_RANGE, real, fake: pts, title: `${run.config.dataset} · iteration ${model.trainer.iteration}` });
    await writeFile(out, png);
  } else if (out?.endsWith('.json')) {
    await writeFile(out, `${JSON.stringify({ iteration: model.trainer.iteration, samples: rows })}\n`);
  } else {
    const csv = `x,y\n${rows.map((r) => r.join(',')).join('\n')}\n`;
    if (out) await writeFile(out, csv);
    else env.write(csv);
  }
  if (out) env.say(`wrote ${num} samples of iteration ${model.trainer.iteration} to ${out}`);
}

/**
 * The toy metrics of the latest checkpoint on `samples` points of the run's fixed evaluation noise.
 * @example await evaluateToy(run, { samples: null }, env) // { iteration, dataset, samples, modesCaptured, ... }
 */
export async function evaluateToy(run: SavedRun<ToyConfig>, opts: { samples: number | null }, env: RunEnv): Promise<Record<string, unknown>> {
  const c = run.config;
  const model = await loadRunModel(toyExperiment, run, env);
  const ev = evalSet(c, opts.samples ?? c.evalSamples);
  const fake = await generate(model, ev.evalNoise);
  return { iteration: model.trainer.iteration, dataset: c.dataset, samples: fake.length / 2, ...toyMetrics(model.dataset, fake, ev.evalReal) };
}
