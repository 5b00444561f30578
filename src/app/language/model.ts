/**
 * A language run's parts: the corpus (with the held-out split and the data's n-gram counts), the
 * gan_language.py networks and the Trainer. A run folder of this kind holds, besides the common files:
 *
 * ```
 * DIR/charmap.json                  the character map ({ symbols }: 'unk' first): `sample` needs no corpus
 * DIR/floor.json                    JS-1..4 of the 640 held-out real lines against the rest (computed before training)
 * DIR/samples/samples-NNNNNNN.txt   the 640 argmax-decoded fixed-noise samples at each evaluation (padding kept, as the reference)
 * DIR/plots/js.png, losses.png      JS-1..4 against their floors; the losses
 * DIR/report.html                   the config, the curves and sample lines at several iterations
 * ```
 *
 * Random streams: the corpus's load-time shuffle uses the run's seed (the reference shuffles once at
 * load), the batches a sampler seeded from the run's data stream (its state is in every checkpoint),
 * the weights the generator's and the critic's init streams, and the evaluation the fixed-noise
 * stream only: evaluating never draws from a training stream, so a resumed run is exact.
 */
import { argmaxIds, CharMap, decodeLines, HELD_OUT_LINES, heldOutSplit, loadSotu, loadTextFiles, TextBatchSampler, textDataSource, type TextCorpus } from '../../data/text.js';
import { NgramReference } from '../../metrics/ngram.js';
import { LanguageCritic, LanguageGenerator } from '../../gan/models/language.js';
import { NOISE_DIM } from '../../gan/models/mnist.js';
import { seedStreams, Trainer, type DataSource } from '../../gan/trainer.js';
import { realize, tensor } from '../../tensor/tensor.js';
import type { RunEnv, RunModel } from '../experiment.js';
import { trainerSettings } from '../common.js';
import type { RunHooks } from '../run-folder.js';
import { ConfigError } from '../settings.js';
import type { LanguageConfig } from './index.js';
import { languageHooks } from './report.js';

/** Lines held out for the floor (gan_language.py: 10·BATCH_SIZE = 640). */
export const FLOOR_LINES = HELD_OUT_LINES;

/** The corpus and what the evaluation compares against. */
export interface LanguageData {
  corpus: TextCorpus;
  /** The data's n-gram counts (n = 1..4) of every line but the held-out ones (the reference's `true_char_ngram_lms`). */
  reference: NgramReference;
  /** JS-1..4 of the held-out lines against `reference`: what real text scores. */
  floor: Record<string, number>;
}

/** A built language run. */
export interface LanguageModel extends RunModel {
  config: LanguageConfig;
  charmap: CharMap;
  generator: LanguageGenerator;
  critic: LanguageCritic;
  /** Null for a model built from a run folder's char map alone (`sample`). */
  data: LanguageData | null;
  /** The run loop's hooks in run folder `dir` (checks or writes charmap.json, writes floor.json). */
  hooks(dir: string): RunHooks;
}

/**
 * The corpus of a config: the State of the Union (data null) or the text files under `data`, with
 * the reference's preprocessing and the run's seed for the load-time shuffle. Data problems are
 * {@link ConfigError}s naming the path.
 * @example const corpus = await loadLanguageCorpus(config);
 */
export async function loadLanguageCorpus(c: LanguageConfig): Promise<TextCorpus> {
  const options = { seqLen: c.seqLen, maxVocab: c.maxVocab, maxLines: c.maxExamples, seed: c.seed };
  try {
    return c.data === null ? await loadSotu(options) : await loadTextFiles([c.data], options);
  } catch (e) {
    throw new ConfigError(`data: ${(e as Error).message}`);
  }
}

/**
 * The corpus's held-out split, the data's n-gram counts and the floor.
 * @example const data = languageData(corpus);
 */
export function languageData(corpus: TextCorpus): LanguageData {
  if (corpus.length <= FLOOR_LINES) {
    throw new ConfigError(`data: ${corpus.name} has ${corpus.length} lines; the language model needs more than the ${FLOOR_LINES} held out for the JS floor`);
  }
  const { heldOut, rest } = heldOutSplit(corpus, FLOOR_LINES);
  const reference = new NgramReference(rest.ids, corpus.seqLen, corpus.vocabSize);
  return { corpus, reference, floor: reference.jsByOrder(heldOut.ids) };
}

/** One line describing a corpus for the user. */
export function describeCorpus(corpus: TextCorpus): string {
  const pad = corpus.charmap.idOf(0x60);
  let chars = 0;
  for (const id of corpus.ids) if (id !== pad) chars++;
  return (
    `${corpus.name}: ${corpus.length.toLocaleString('en-US')} sentences (lines of ${corpus.seqLen} symbols), ` +
    `${chars.toLocaleString('en-US')} characters after cutting, vocabulary ${corpus.vocabSize} symbols ('unk' and padding included); ` +
    `${FLOOR_LINES} lines held out for the JS floor`
  );
}

/** A data source for a model that only generates (sample): it keeps the checkpoint's sampler state and draws nothing. */
function detachedData(): DataSource {
  let state: unknown;
  return {
    sample: () => {
      throw new Error('this language model was built without its corpus (sampling only)');
    },
    state: () => state,
    restore: (s: unknown) => void (state = s),
  } as DataSource;
}

/**
 * The networks and Trainer of a config over a char map, with the corpus (training, evaluation) or
 * without it (sampling from a saved run).
 * @example const model = buildLanguageModel(config, corpus.charmap, languageData(corpus));
 */
export function buildLanguageModel(c: LanguageConfig, charmap: CharMap, data: LanguageData | null): LanguageModel {
  const streams = seedStreams(c.seed);
  const net = { vocabSize: charmap.size, dim: c.dim, seqLen: c.seqLen };
  const generator = new LanguageGenerator({ ...net, rng: streams.generatorInit });
  const critic = new LanguageCritic({ ...net, rng: streams.criticInit });
  // The batches' shuffles come from the run's data stream (the sampler owns and saves its own Rng).
  const samplerSeed = streams.data.int(2 ** 31);
  const source = data ? textDataSource(new TextBatchSampler(data.corpus, { batchSize: c.batchSize, seed: samplerSeed })) : detachedData();
  const trainer = new Trainer({
    ...trainerSettings(c, generator, critic),
    data: source as DataSource,
    noiseDim: NOISE_DIM,
    batchSize: c.batchSize,
    fixedNoiseSize: c.evalSamples,
  });
  const model: LanguageModel = {
    config: c,
    charmap,
    generator,
    critic,
    trainer,
    data,
    hooks: (dir) => languageHooks(model, dir),
  };
  return model;
}

/**
 * Experiment.build of the language kind: loads the corpus (telling the user what it holds), splits
 * off the held-out lines, counts the data's n-grams and builds the model.
 */
export async function buildLanguageRun(c: LanguageConfig, env: RunEnv): Promise<LanguageModel> {
  const corpus = await loadLanguageCorpus(c);
  env.say(describeCorpus(corpus));
  return buildLanguageModel(c, corpus.charmap, languageData(corpus));
}

/**
 * Argmax-decoded lines (padding kept) and their ids for noise `z` ([n·128] values of N(0, 1)),
 * generated in chunks of at most `chunk` rows.
 * @example const { lines } = await generateLines(model, new Rng(0).normalArray(64 * 128));
 */
export async function generateLines(model: Pick<LanguageModel, 'generator' | 'charmap' | 'config'>, z: Float32Array, chunk = 640): Promise<{ ids: Int32Array; lines: string[] }> {
  if (z.length % NOISE_DIM !== 0) throw new Error(`generateLines: ${z.length} noise values are not rows of ${NOISE_DIM}`);
  const n = z.length / NOISE_DIM;
  const L = model.config.seqLen;
  const ids = new Int32Array(n * L);
  for (let a = 0; a < n; a += chunk) {
    const b = Math.min(n, a + chunk);
    const x = model.generator.forward(tensor(z.slice(a * NOISE_DIM, b * NOISE_DIM), [b - a, NOISE_DIM]));
    await realize([x]);
    ids.set(argmaxIds(await x.data(), x.shape), a * L);
  }
  return { ids, lines: decodeLines(ids, L, model.charmap) };
}
