/**
 * The language kind's commands on a saved run: `sample` (lines of text from the latest checkpoint,
 * no corpus needed: the char map is the run folder's charmap.json) and `eval` (JS-1..4 of fresh
 * samples against the data, with the floor).
 */
import { checkOutputFile, writeNewFile } from '../../io/safe-fs.js';
import { join } from 'node:path';
import { CharMap } from '../../data/text.js';
import { applyCheckpoint, CheckpointError, hasCheckpoint, loadCheckpoint } from '../../gan/checkpoint.js';
import { NOISE_DIM } from '../../gan/models/mnist.js';
import { seedStreams } from '../../gan/trainer.js';
import { Rng } from '../../tensor/random.js';
import type { RunEnv, SavedRun } from '../experiment.js';
import { loadRunModel } from '../runs.js';
import { readRunJson, RunFolderError } from '../run-folder.js';
import { languageExperiment, type LanguageConfig } from './index.js';
import { buildLanguageModel, generateLines, type LanguageModel } from './model.js';

/** Lines of samples shown in `eval`'s result. */
export const EVAL_SHOWN_LINES = 5;

/** Reads a run folder's charmap.json. */
export async function readCharMap(dir: string): Promise<CharMap> {
  const path = join(dir, 'charmap.json');
  const raw = await readRunJson(path, `'${path}' is missing: the run has no character map`);
  try {
    return CharMap.fromSymbols((raw as { symbols: string[] }).symbols);
  } catch (e) {
    throw new RunFolderError(`'${path}': ${(e as Error).message}`);
  }
}

/**
 * The generator of a saved run at its latest checkpoint, built from charmap.json alone (no corpus).
 * @example const model = await loadLanguageGenerator(run);
 */
export async function loadLanguageGenerator(run: SavedRun<LanguageConfig>): Promise<LanguageModel> {
  const ckptDir = join(run.dir, 'checkpoints');
  if (!(await hasCheckpoint(ckptDir))) throw new CheckpointError(`no checkpoint in '${run.dir}' ('${join(ckptDir, 'checkpoint.json')}' is missing)`);
  const model = buildLanguageModel(run.config, await readCharMap(run.dir), null);
  applyCheckpoint(model.trainer, await loadCheckpoint(ckptDir));
  return model;
}

/**
 * `wgan-gp sample` of a language run: `num` argmax-decoded lines from noise seeded by `seed`, to
 * stdout (env.write, one line each) or to the text file `out`. Returns the lines.
 */
export async function sampleLanguage(run: SavedRun<LanguageConfig>, opts: { num: number; seed: number; out: string | null; force?: boolean }, env: RunEnv): Promise<string[]> {
  const target = { flag: '--out', force: opts.force === true };
  if (opts.out !== null) await checkOutputFile(opts.out, target); // before loading anything
  const model = await loadLanguageGenerator(run);
  const { lines } = await generateLines(model, new Rng(opts.seed).normalArray(opts.num * NOISE_DIM));
  if (opts.out === null) {
    for (const l of lines) env.write(`${l}\n`);
  } else {
    await writeNewFile(opts.out, lines.map((l) => `${l}\n`).join(''), target);
    env.say(`wrote ${lines.length} lines of the generator at iteration ${model.trainer.iteration} to ${opts.out}`);
  }
  return lines;
}

/**
 * `wgan-gp eval` of a language run: JS-1..4 (bits) of `samples` argmax-decoded samples against the
 * data (the corpus is loaded again), with the floor. The noise is the run's fixed-noise stream, so
 * with `samples` = evalSamples the values equal the last evaluation's at the same checkpoint.
 */
export async function evaluateLanguage(run: SavedRun<LanguageConfig>, opts: { samples: number }, env: RunEnv): Promise<Record<string, unknown>> {
  const model = await loadRunModel(languageExperiment, run, env);
  try {
    const data = model.data!;
    const z = seedStreams(run.config.seed).fixedNoise.normalArray(opts.samples * NOISE_DIM);
    const { ids, lines } = await generateLines(model, z);
    return { iteration: model.trainer.iteration, ...data.reference.jsByOrder(ids), floor: data.floor, samples: lines.slice(0, EVAL_SHOWN_LINES) };
  } finally {
    await model.close?.();
  }
}
