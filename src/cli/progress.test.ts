import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricsLine } from '../app/run-folder.js';
import { formatDuration, summarize } from './progress.js';

describe('progress lines', () => {
  const base: MetricsLine = { iteration: 100, elapsed: 12, criticLoss: -1.25, wasserstein: 1.5, generatorLoss: 0.75, gradNorm: 0.98 };

  it('show the losses, and nothing about scores where none were computed', () => {
    assert.equal(summarize(base), 'critic -1.25 W 1.5 gen 0.75 |∇| 0.98');
  });

  it('show the Inception Score (± its std) and FID of an evaluation iteration', () => {
    const s = summarize({ ...base, inceptionScore: 5.1234, inceptionScoreStd: 0.0567, fid: 48.123 });
    assert.match(s, / IS 5\.12±0\.06 /);
    assert.match(s, / FID 48\.12$/);
    assert.match(summarize({ ...base, fid: 301.7 }), / FID 301\.7$/);
    assert.doesNotMatch(summarize({ ...base, fid: 301.7 }), /IS/);
  });

  it("show an AC-GAN run's critic and generator cross-entropies", () => {
    assert.match(summarize({ ...base, criticAcgan: 2.3026, generatorAcgan: 1.5 }), /CE D 2\.3 CE G 1\.5/);
  });

  it('format durations', () => {
    assert.deepEqual([formatDuration(12.4), formatDuration(187), formatDuration(3720), formatDuration(-1)], ['12s', '3m07s', '1h02m', '?']);
  });
});
