// A new experiment kind needs no CLI edit: a minimal third kind, declared in this test, trains,
// resumes, evaluates and samples through the command line's own code path (main()).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../cli/main.js';
import { ToyMlp } from '../gan/models/toy.js';
import { seedStreams, Trainer } from '../gan/trainer.js';
import { realize } from '../tensor/tensor.js';
import { COMMON_FIELDS, LOSS_DEFAULTS, sampleFields, trainerSettings } from './common.js';
import { registerExperiment, type Experiment, type RunIdentity, type RunModel } from './experiment.js';
import { loadRunModel } from './runs.js';
import { int, type Values } from './settings.js';

// The whole kind: 1-D Gaussian data, 1→width→1 MLPs, the mean of its samples as its metric.
const LINE_FIELDS = { ...COMMON_FIELDS, width: int(8, 'width of the line MLPs', { min: 1 }) };
type LineConfig = RunIdentity & Values<typeof LINE_FIELDS>;
const line: Experiment<LineConfig, RunModel> = {
  kind: 'line',
  summary: 'a test kind: N(0, 1) on the line',
  fields: LINE_FIELDS,
  lossDefaults: LOSS_DEFAULTS,
  presets: { 'test-line': { description: 'the test kind', config: { iters: 6, logEvery: 2, evalEvery: 2, plotEvery: 0, checkpointEvery: 2, threads: 1 } } },
  runName: () => 'line',
  build: async (c) => {
    const s = seedStreams(c.seed);
    const generator = new ToyMlp(1, 1, { hidden: c.width, layers: 1, rng: s.generatorInit });
    const critic = new ToyMlp(1, 1, { hidden: c.width, layers: 1, rng: s.criticInit });
    const data = { sample: (n: number, rng: typeof s.data) => rng.normal([n, 1]) };
    return { generator, critic, trainer: new Trainer({ ...trainerSettings(c, generator, critic), data, noise: (n, rng) => rng.normal([n, 1]), batchSize: 16 }) };
  },
  hooks: (m) => ({ evaluate: async () => ({ sampleMean: mean(await samples(m, 64, 7)) }) }),
  sample: { fields: sampleFields(5, 'text file of the samples', 1000), run: async (run, o, env) => void env.write((await samples(await loadRunModel(line, run, env), o.num as number, o.seed as number)).join('\n')) },
  evaluate: { fields: {}, run: async (run, _o, env) => ({ iteration: (await loadRunModel(line, run, env)).trainer.iteration }) },
};
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
async function samples(m: RunModel, n: number, seed: number): Promise<number[]> {
  const x = m.generator.forward(seedStreams(seed).noise.normal([n, 1]));
  await realize([x]);
  return Array.from(x.value!);
}

let root: string;
/** Runs `wgan-gp ARGS` in this process, capturing its output. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const sink = (): NodeJS.WriteStream & { text: () => string } => {
    const chunks: string[] = [];
    return { isTTY: false, write: (c: string | Uint8Array) => chunks.push(String(c)) > 0, text: () => chunks.join('') } as unknown as NodeJS.WriteStream & { text: () => string };
  };
  const [out, err] = [sink(), sink()];
  const code = await main(['node', 'wgan-gp', ...args], { stdout: out, stderr: err });
  return { code, out: out.text(), err: err.text() };
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'wgan-gp-kind-'));
  registerExperiment(line);
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a new experiment kind', () => {
  it('is trained, resumed, evaluated and sampled by the unchanged CLI', async () => {
    const help = await cli('train', '--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /--width <n>\s+width of the line MLPs \(line\)/);
    assert.match(help.out, /test-line\s+the test kind/);

    const dir = join(root, 'run');
    const train = await cli('train', '--preset', 'test-line', '--width', '4', '--iters', '4', '--out', dir, '--progress', 'none');
    assert.equal(train.code, 0, train.err);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([config.kind, config.preset, config.width, config.iters, config.nCritic], ['line', 'test-line', 4, 4, 5]);
    const logged = (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    assert.deepEqual(logged.map((l) => l.iteration), [2, 4]);
    assert.ok(logged.every((l) => Number.isFinite(l.sampleMean) && Number.isFinite(l.criticLoss)), 'the kind\'s metric and the losses are logged');

    const resume = await cli('resume', dir, '--iters', '6', '--progress', 'none');
    assert.equal(resume.code, 0, resume.err);
    assert.equal((await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n').length, 3);

    const ev = await cli('eval', dir);
    assert.equal(ev.code, 0, ev.err);
    assert.deepEqual(JSON.parse(ev.out), { iteration: 6 });

    const sample = await cli('sample', dir, '-n', '3', '--seed', '2');
    assert.equal(sample.code, 0, sample.err);
    const values = sample.out.trim().split('\n').map(Number);
    assert.equal(values.length, 3);
    assert.ok(values.every(Number.isFinite));
  });

  it('refuses a flag of another kind and an option the kind lacks, by name, creating nothing', async () => {
    const dir = join(root, 'never');
    const hidden = await cli('train', '--preset', 'test-line', '--hidden', '4', '--out', dir);
    assert.equal(hidden.code, 2);
    assert.match(hidden.err, /--hidden is not a setting of line runs \(it is of: toy/);
    const width = await cli('train', '--preset', 'toy-8gaussians', '--width', '4', '--out', dir);
    assert.equal(width.code, 2);
    assert.match(width.err, /--width is not a setting of toy runs \(it is of: line\)/);
    assert.equal(existsSync(dir), false);
    const exp = await cli('export', join(root, 'run'));
    assert.equal(exp.code, 2);
    assert.match(exp.err, /line runs have no export command/);
  });
});
