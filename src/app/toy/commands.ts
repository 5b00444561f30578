/**
 * `wgan-gp sample` and `wgan-gp eval` of a toy run: points from the latest checkpoint's generator
 * (CSV, JSON, or a PNG over the critic's value surface), and the toy metrics as JSON.
 */
import { checkOutputFile, writeNewFile, writeOutputFile } from '../../io/safe-fs.js';
import { Rng } from '../../tensor/random.js';
import { contourPlot } from '../../viz/contour-plot.js';
import type { RunEnv, SavedRun } from '../experiment.js';
import { loadRunModel } from '../runs.js';
import { ConfigError } from '../settings.js';
import type { ToyConfig } from './index.js';
import { toyExperiment } from './index.js';
import { evalSet, generate, toyMetrics } from './model.js';
import { criticValues, PLOT_RANGE } from './plots.js';

/** Points generated per batch: a sample of any size is streamed, never held whole. */
export const SAMPLE_BATCH = 65_536;
/** `.png` and `.json` outputs hold every point at once: at most this many. */
const MAX_WHOLE_SAMPLES = 1_000_000;

/**
 * Draws `num` points from noise of `seed` and writes them to `out` (.csv, .json or .png; an existing
 * file only with `force`), or CSV through `env.write`. CSV is generated and written in batches of
 * {@link SAMPLE_BATCH} points, so its size is bounded by the disk, not the memory.
 * @example await sampleToy(run, { num: 1000, seed: 0, out: 'points.png', force: false }, env);
 */
export async function sampleToy(run: SavedRun<ToyConfig>, opts: { num: number; seed: number; out: string | null; force?: boolean }, env: RunEnv): Promise<void> {
  const { num, seed, out } = opts;
  const whole = out !== null && (out.endsWith('.png') || out.endsWith('.json'));
  if (whole && num > MAX_WHOLE_SAMPLES) throw new ConfigError(`-n ${num}: a .png or .json file holds at most ${MAX_WHOLE_SAMPLES.toLocaleString('en-US')} samples; write .csv (streamed) for more`);
  const target = { flag: '--out', force: opts.force === true };
  if (out !== null) await checkOutputFile(out, target); // before loading anything
  const model = await loadRunModel(toyExperiment, run, env);
  const rng = new Rng(seed);
  /** The points of rows [i, i + n), from the one noise stream (batches of even size keep it identical). */
  const batch = async (n: number): Promise<Float32Array> => generate(model, rng.normal([n, run.config.noiseDim]));
  const rowsCsv = (pts: Float32Array): string => {
    let t = '';
    for (let i = 0; i < pts.length; i += 2) t += `${pts[i]},${pts[i + 1]}\n`;
    return t;
  };
  const stream = async (write: (t: string) => void | Promise<void>): Promise<void> => {
    await write('x,y\n');
    for (let i = 0; i < num; i += SAMPLE_BATCH) await write(rowsCsv(await batch(Math.min(SAMPLE_BATCH, num - i))));
  };
  if (out === null) {
    await stream((t) => env.write(t));
    return;
  }
  if (whole) {
    const pts = await batch(num);
    if (out.endsWith('.png')) {
      // The samples over the critic's value surface, with real points, as in the run's plots.
      const real = model.dataset.sample(Math.min(num, 1000), new Rng(seed + 1));
      const png = contourPlot({ values: await criticValues(model.critic), range: PLOT_RANGE, real, fake: pts, title: `${run.config.dataset} · iteration ${model.trainer.iteration}` });
      await writeNewFile(out, png, target);
    } else {
      const rows: number[][] = [];
      for (let i = 0; i < num; i++) rows.push([pts[2 * i]!, pts[2 * i + 1]!]);
      await writeNewFile(out, `${JSON.stringify({ iteration: model.trainer.iteration, samples: rows })}\n`, target);
    }
  } else {
    await writeOutputFile(out, target, (write) => stream(write));
  }
  env.say(`wrote ${num} samples of iteration ${model.trainer.iteration} to ${out}`);
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
