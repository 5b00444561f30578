/**
 * The language GAN trains at library level: the Trainer (WGAN-GP, λ 10, Adam β (0.5, 0.9)) on a tiny
 * corpus with tiny networks lowers the unigram JS divergence of argmax samples below the untrained
 * generator's. Settings chosen to fit a few seconds on 2 cores, not the reference's: DIM 16, lines of
 * 8 symbols, batch 32, 5 critic steps, learning rate 1e-3.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { argmaxIds, TextBatchSampler, textCorpusFromLines, textDataSource } from '../../data/text.js';
import { NgramReference } from '../../metrics/ngram.js';
import { ortBackend } from '../../node.js';
import { Adam } from '../../optim/adam.js';
import { Rng } from '../../tensor/random.js';
import { setBackend } from '../../tensor/tensor.js';
import { seedStreams, Trainer } from '../trainer.js';
import { createLanguage } from './language.js';

const backend = ortBackend({ threads: 2 });
setBackend(backend);
after(() => backend.dispose?.());

test('80 generator iterations lower JS-1 of the samples well below the untrained generator’s', async (t) => {
  const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'dog', 'ran'];
  const r = new Rng(9);
  const lines = Array.from({ length: 512 }, () => Array.from({ length: 3 }, () => words[r.int(words.length)]!).join(' '));
  const L = 8;
  const B = 32;
  const corpus = textCorpusFromLines(lines, { seqLen: L, seed: 1 });
  const V = corpus.vocabSize;
  const data = new NgramReference(corpus.ids, L, V, [1, 2]);
  const streams = seedStreams(1);
  const { generator, critic } = createLanguage({ vocabSize: V, dim: 16, seqLen: L, rng: streams.generatorInit });
  const adam = { lr: 1e-3, beta1: 0.5, beta2: 0.9 };
  const trainer = new Trainer({
    generator,
    critic,
    data: textDataSource(new TextBatchSampler(corpus, { batchSize: B, seed: 1 })),
    noiseDim: 128,
    loss: { name: 'wgan-gp', lambda: 10 },
    nCritic: 5,
    batchSize: B,
    generatorOptimizer: new Adam(generator.namedParameters(), adam),
    criticOptimizer: new Adam(critic.namedParameters(), adam),
    seed: 1,
    fixedNoiseSize: 128,
  });
  const js = async (): Promise<number[]> => {
    const x = await trainer.fixedSamples();
    return data.js(argmaxIds(await x.data64(), x.shape));
  };
  const before = await js();
  for (let i = 0; i < 80; i++) {
    const stats = await trainer.iterate();
    assert.ok(Number.isFinite(stats.criticLoss), `iteration ${i}: critic loss ${stats.criticLoss}`);
  }
  const afterTraining = await js();
  t.diagnostic(`JS-1 ${before[0]!.toFixed(3)} → ${afterTraining[0]!.toFixed(3)}, JS-2 ${before[1]!.toFixed(3)} → ${afterTraining[1]!.toFixed(3)}`);
  assert.ok(afterTraining[0]! < 0.6 * before[0]!, `JS-1 ${before[0]} → ${afterTraining[0]}`);
  assert.ok(afterTraining[1]! < before[1]!, `JS-2 ${before[1]} → ${afterTraining[1]}`);
});
