/**
 * The language kind through the experiment interface: config resolution of preset `language`, a
 * short run (files, metrics), resume = an uninterrupted run, the eval and sample commands, and the
 * error for data that is not text. A tiny corpus (900 lines of 8 symbols) and tiny networks (DIM 8)
 * keep each test to seconds.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testRunEnv } from '../../../test/support/run-env.js';
import { ortBackend, type OrtBackend } from '../../node.js';
import { Rng } from '../../tensor/random.js';
import { setBackend, type Tensor } from '../../tensor/tensor.js';
import { registerExperiment, resolveRunConfig, experiments } from '../experiment.js';
import { readRun, resumeRunFolder, runCommand, trainRun } from '../runs.js';
import { ConfigError } from '../settings.js';
import { loadLanguageGenerator } from './commands.js';
import { languageExperiment, type LanguageConfig } from './index.js';

if (!experiments().some((e) => e.kind === 'language')) registerExperiment(languageExperiment);

let backend: OrtBackend;
let root: string;
let corpusFile: string;
const env = testRunEnv(() => backend);

before(async () => {
  backend = ortBackend({ threads: 2 });
  setBackend(backend);
  root = await mkdtemp(join(tmpdir(), 'wgan-gp-language-'));
  const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'dog', 'ran', 'é', 'naïve'];
  const r = new Rng(3);
  const lines = Array.from({ length: 900 }, () => Array.from({ length: 1 + r.int(3) }, () => words[r.int(words.length)]!).join(' '));
  corpusFile = join(root, 'corpus.txt');
  await writeFile(corpusFile, `${lines.join('\n')}\n`);
});
after(async () => {
  await rm(root, { recursive: true, force: true });
  await backend.dispose();
});

/** A tiny config on the temp corpus: the preset's code paths, milliseconds per step. */
function tiny(flags: Partial<LanguageConfig> = {}): LanguageConfig {
  return resolveRunConfig(languageExperiment, {
    preset: 'language',
    flags: { data: corpusFile, dim: 8, seqLen: 8, batchSize: 16, nCritic: 2, evalSamples: 32, iters: 6, logEvery: 1, evalEvery: 2, plotEvery: 3, checkpointEvery: 2, ...flags },
  });
}

describe('language config', () => {
  it('preset language: gan_language.py settings, CPU width, flags on top', () => {
    const c = resolveRunConfig(languageExperiment, { preset: 'language', flags: { iters: 300 } });
    assert.equal(c.kind, 'language');
    assert.equal(c.preset, 'language');
    assert.deepEqual(
      [c.loss, c.lambda, c.nCritic, c.optimizer, c.lr, c.beta1, c.beta2, c.batchSize, c.seqLen, c.maxVocab, c.evalSamples, c.dim, c.data, c.iters],
      ['wgan-gp', 10, 10, 'adam', 1e-4, 0.5, 0.9, 64, 32, 2048, 640, 128, null, 300],
    );
    assert.equal(resolveRunConfig(languageExperiment, { preset: 'language', flags: { dim: 512 } }).dim, 512);
    assert.equal(languageExperiment.runName(c), 'language');
  });

  it('the standard GAN baseline takes the reference dcgan-mode optimiser; a flag still wins', () => {
    const g = resolveRunConfig(languageExperiment, { preset: 'language', flags: { loss: 'gan' } });
    assert.deepEqual([g.loss, g.lr, g.beta1, g.beta2, g.nCritic], ['gan', 2e-4, 0.5, 0.999, 1]);
    assert.equal(resolveRunConfig(languageExperiment, { preset: 'language', flags: { loss: 'gan', nCritic: 10 } }).nCritic, 10);
  });

  it('bad values and unknown settings are ConfigErrors naming them', () => {
    assert.throws(() => resolveRunConfig(languageExperiment, { preset: 'language', flags: { seqLen: 0 } }), (e: Error) => e instanceof ConfigError && /seqLen must be >= 4, got 0/.test(e.message));
    assert.throws(() => resolveRunConfig(languageExperiment, { preset: 'language', flags: { maxVocb: 100 } }), (e: Error) => e instanceof ConfigError && /did you mean 'maxVocab'/.test(e.message));
  });
});

const strip = (s: string): unknown[] =>
  s
    .trim()
    .split('\n')
    .map((l) => ({ ...JSON.parse(l), elapsed: 0 }));

const values = (ts: readonly Tensor[]): number[][] => ts.map((t) => Array.from(t.value!));

describe('language runs', () => {
  it('trains: metrics with JS-1..4, samples files, charmap, floor, report; resume equals an uninterrupted run', async () => {
    const config = tiny();
    const a = join(root, 'straight');
    const b = join(root, 'interrupted');
    const res = await trainRun(languageExperiment, config, a, env, { handleSignals: false });
    assert.equal(res.iteration, 6);
    assert.ok(env.said.some((s) => /900 sentences \(lines of 8 symbols\).*vocabulary \d+ symbols/.test(s)), env.said.join('\n'));
    const lines = (await readFile(join(a, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    assert.equal(lines.length, 6);
    for (const l of lines.filter((x) => x.iteration % 2 === 0)) {
      for (const k of ['js1', 'js2', 'js3', 'js4']) assert.ok(l[k]! > 0 && l[k]! <= 1, `${k} at ${l.iteration}: ${l[k]}`);
    }
    assert.equal(lines[0]!.js1, undefined);
    assert.deepEqual((await readdir(join(a, 'samples'))).sort(), ['samples-0000002.txt', 'samples-0000004.txt', 'samples-0000006.txt']);
    const samples = (await readFile(join(a, 'samples', 'samples-0000006.txt'), 'utf8')).split('\n');
    assert.equal(samples.length, 33, '32 lines and a final newline');
    const floor = JSON.parse(await readFile(join(a, 'floor.json'), 'utf8')) as Record<string, number>;
    assert.ok(floor.js1! < floor.js4! && floor.js4! < lines[5]!.js4!, JSON.stringify(floor));
    const charmap = JSON.parse(await readFile(join(a, 'charmap.json'), 'utf8')) as { symbols: string[] };
    assert.deepEqual(charmap.symbols.slice(0, 2), ['unk', '`']);
    assert.ok(charmap.symbols.includes('ï'), 'code points, not bytes');
    const html = await readFile(join(a, 'report.html'), 'utf8');
    assert.match(html, /<h2>Samples<\/h2>/);
    assert.match(html, /iteration 6/);
    assert.ok(existsSync(join(a, 'plots', 'js.png')));
    assert.equal((await readRun(a)).run.config.data, corpusFile);

    const stopped = await trainRun(languageExperiment, config, b, env, { handleSignals: false, stopAfter: 3 });
    assert.equal(stopped.interrupted, 'stopAfter');
    const resumed = await resumeRunFolder(b, env, { handleSignals: false });
    assert.equal(resumed.iteration, 6);
    assert.deepEqual(strip(await readFile(join(b, 'metrics.jsonl'), 'utf8')), strip(await readFile(join(a, 'metrics.jsonl'), 'utf8')));
    const ma = await loadLanguageGenerator((await readRun(a)).run as never);
    const mb = await loadLanguageGenerator((await readRun(b)).run as never);
    assert.deepEqual(values(mb.generator.parameters()), values(ma.generator.parameters()));
    assert.deepEqual(values(mb.critic.parameters()), values(ma.critic.parameters()));
    assert.deepEqual(mb.trainer.state(), ma.trainer.state());
    assert.equal(await readFile(join(b, 'samples', 'samples-0000006.txt'), 'utf8'), await readFile(join(a, 'samples', 'samples-0000006.txt'), 'utf8'));

    // eval with the run's evalSamples draws the fixed noise: the last evaluation's values.
    const ev = (await runCommand(a, 'evaluate', { samples: 32 }, env)) as Record<string, unknown>;
    assert.equal(ev.iteration, 6);
    for (const k of ['js1', 'js2', 'js3', 'js4']) assert.equal(ev[k], lines[5]![k]);
    assert.deepEqual(ev.floor, { js1: floor.js1, js2: floor.js2, js3: floor.js3, js4: floor.js4 });
    assert.deepEqual(ev.samples, samples.slice(0, 5));

    // sample: lines of text on stdout, or a file.
    env.written.length = 0;
    await runCommand(a, 'sample', { num: 5, seed: 7 }, env);
    const out = env.written.join('').split('\n').slice(0, -1);
    assert.equal(out.length, 5);
    for (const l of out) assert.equal([...l.replace(/unk/g, '?')].length, 8, JSON.stringify(l));
    const file = join(root, 'lines.txt');
    await runCommand(a, 'sample', { num: 5, seed: 7, out: file }, env);
    assert.equal(await readFile(file, 'utf8'), env.written.join(''));
    await assert.rejects(runCommand(a, 'sample', { nmu: 5 }, env), /unknown setting 'nmu' \(did you mean 'num'\?\)/);
  });

  it('sample needs no corpus; resuming on a changed corpus is refused', async () => {
    const own = join(root, 'own.txt');
    await writeFile(own, await readFile(corpusFile));
    const dir = join(root, 'moved');
    await trainRun(languageExperiment, tiny({ data: own, iters: 2 }), dir, env, { handleSignals: false });
    await rm(own);
    env.written.length = 0;
    await runCommand(dir, 'sample', { num: 3 }, env);
    assert.equal(env.written.length, 3);
    // The same symbols at other frequencies ('t' and 'a' swapped): same sizes, another char map.
    const swapped = (await readFile(corpusFile, 'utf8')).replace(/[ta]/g, (ch) => (ch === 't' ? 'a' : 't'));
    await writeFile(own, swapped);
    await assert.rejects(resumeRunFolder(dir, env, { handleSignals: false, iters: 4 }), /no longer gives the character map saved in .*charmap\.json/);
    await writeFile(own, 'other text: xyzq\n'.repeat(900));
    await assert.rejects(resumeRunFolder(dir, env, { handleSignals: false, iters: 4 }), /checkpoint does not match the model/);
  });

  it('data that is not text is a ConfigError naming the file, and leaves no run folder', async () => {
    const bin = join(root, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'weights.bin'), new Uint8Array([1, 2, 0, 3, 4]));
    const dir = join(root, 'not-text');
    await assert.rejects(
      trainRun(languageExperiment, tiny({ data: bin }), dir, env, { handleSignals: false }),
      (e: Error) => e instanceof ConfigError && e.message.includes(join(bin, 'weights.bin')) && /not a text file/.test(e.message),
    );
    assert.equal(existsSync(dir), false);
    await assert.rejects(trainRun(languageExperiment, tiny({ data: join(root, 'missing') }), dir, env, { handleSignals: false }), /no such file or folder/);
  });
});
