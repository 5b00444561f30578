// The `wgan-gp` command on image runs, spawned as a user runs it (bin/wgan-gp.js through tsx).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { runNode, type NodeRun } from '../../test/support/run-node.js';
import { decodePng } from '../viz/canvas.js';
import { resolveImageConfig } from './image-config.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'wgan-gp.js');

function cli(args: readonly string[]): Promise<NodeRun> {
  return runNode([BIN, ...args]);
}

/** Runs the command in this process (argument checks only: no spawn needed, so much faster). */
async function inProcess(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  const { main } = await import('../cli/main.js');
  let stderr = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  try {
    return { code: await main(['node', 'wgan-gp', ...args]), stderr };
  } finally {
    process.stderr.write = write;
  }
}

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'wgan-gp-image-cli-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('wgan-gp CLI on image runs', () => {
  it('refuses a missing --data folder, an unknown arch and flags of the other kind of run with exit code 2, creating nothing', async () => {
    const out = join(root, 'never');
    const missing = await inProcess(['train', '--preset', 'cifar10-dcgan', '--data', join(root, 'no-such-folder'), '--out', out]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /--data: folder '.*no-such-folder' does not exist/);
    const none = await inProcess(['train', '--preset', 'lsun64-dcgan', '--out', out]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /preset 'lsun64-dcgan' needs --data DIR/);
    const arch = await inProcess(['train', '--preset', 'lsun64-vit', '--data', root, '--out', out]);
    assert.equal(arch.code, 2);
    assert.match(arch.stderr, /unknown arch 'vit' in preset 'lsun64-vit'; the gan_64x64\.py archs are: resnet, dcgan, constant-filter-g, mlp-g, no-norm, gated, tanh, resnet-101/);
    const toyFlag = await inProcess(['train', '--preset', 'mnist', '--hidden', '16', '--out', out]);
    assert.equal(toyFlag.code, 2);
    assert.match(toyFlag.stderr, /--hidden: for toy runs only, not image preset 'mnist'/);
    const imageFlag = await inProcess(['train', '--preset', 'toy-8gaussians', '--dim', '16', '--out', out]);
    assert.equal(imageFlag.code, 2);
    assert.match(imageFlag.stderr, /--dim: for image presets only/);
    assert.equal(existsSync(out), false);
    // eval of a 64×64 run has no default classifier (MNIST and CIFAR-10 runs have bundled ones): it must be named.
    const bedrooms = join(root, 'lsun-run');
    await mkdir(bedrooms);
    await writeFile(join(bedrooms, 'config.json'), JSON.stringify(resolveImageConfig({ preset: 'lsun64-dcgan', flags: { data: root } })));
    const ev = await inProcess(['eval', bedrooms]);
    assert.equal(ev.code, 2);
    assert.match(ev.stderr, /no classifier for a lsun64-dcgan run: pass --classifier FILE\.onnx/);
    const exp = await inProcess(['export', join(root, 'not-a-run')]);
    assert.equal(exp.code, 2);
    assert.match(exp.stderr, /is not an image run folder/);
  });

  it('trains a tiny MNIST run, resumes it, samples a grid, exports the generator to ONNX and evaluates IS/FID', async () => {
    const dir = join(root, 'mnist');
    const tiny = ['--dim', '8', '--batch-size', '16', '--generator-batch-size', '16', '--eval-every', '0', '--plot-every', '0', '--checkpoint-every', '2', '--threads', '1', '--progress', 'none'];
    const train = await cli(['train', '--preset', 'mnist', '--iters', '2', '--out', dir, ...tiny]);
    assert.equal(train.code, 0, train.stderr);
    for (const f of ['config.json', 'metrics.jsonl', 'report.html', 'checkpoints/checkpoint.json', 'plots/samples-0000002.png']) assert.ok(existsSync(join(dir, f)), f);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([config.kind, config.preset, config.dim, config.batchSize, config.lr], ['image', 'mnist', 8, 16, 1e-4]);

    const resume = await cli(['resume', dir, '--iters', '3', '--progress', 'none']);
    assert.equal(resume.code, 0, resume.stderr);
    assert.match(resume.stderr, /done: 3 iterations/);

    const png = join(root, 'grid.png');
    const sample = await cli(['sample', dir, '-n', '20', '--out', png]);
    assert.equal(sample.code, 0, sample.stderr);
    const grid = decodePng(await readFile(png));
    assert.deepEqual([grid.width, grid.height], [5 * 56 + 6 * 2, 4 * 56 + 5 * 2], '20 samples: 4 rows of 5, 2× scale');

    const onnxPath = join(root, 'g.onnx');
    const exp = await cli(['export', '--onnx', dir, '--out', onnxPath, '--batch', '4']);
    assert.equal(exp.code, 0, exp.stderr);
    const session = await ort.InferenceSession.create(onnxPath);
    const out = await session.run({ noise: new ort.Tensor('float32', new Float32Array(4 * 128).fill(0.5), [4, 128]) });
    assert.deepEqual(out.images!.dims, [4, 1, 28, 28]);
    await session.release();

    const ev = await cli(['eval', dir, '--samples', '200', '--threads', '1']);
    assert.equal(ev.code, 0, ev.stderr);
    const r = JSON.parse(ev.stdout) as { iteration: number; samples: number; inceptionScore: { mean: number }; fid: number; realData: { inceptionScore: { mean: number }; fid: number } };
    assert.deepEqual([r.iteration, r.samples], [3, 200]);
    assert.ok(r.inceptionScore.mean >= 1 && r.fid > 100, 'a 3-iteration generator is far from the data');
    // 200 real digits in 10 splits of 20 score IS ≈ 7.5 (the 10k ceiling is 9.7) and FID ≈ 11.
    assert.ok(r.realData.inceptionScore.mean > 6.5 && r.realData.fid < 30, `real digits: ${JSON.stringify(r.realData)}`);

    const missing = await inProcess(['eval', dir, '--classifier', join(root, 'missing.onnx')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--classifier: model file '.*missing\.onnx' does not exist/);
  });

  it('--critic-shards 2 trains with a worker thread and the process exits when the run is done', async () => {
    const dir = join(root, 'mnist-shards');
    const args = ['train', '--preset', 'mnist', '--iters', '2', '--out', dir, '--dim', '4', '--batch-size', '9', '--generator-batch-size', '8'];
    const train = await cli([...args, '--eval-every', '0', '--plot-every', '0', '--critic-shards', '2', '--progress', 'none']);
    assert.equal(train.code, 0, train.stderr);
    assert.equal(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).criticShards, 2);
    const bad = await inProcess(['train', '--preset', 'mnist', '--loss', 'wgan', '--critic-shards', '2', '--out', join(root, 'bad')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /criticShards 2 needs loss wgan-gp/);
  });

  it('figure fig5b writes the training-vs-validation critic loss figure and its numbers', async () => {
    const out = join(root, 'fig');
    const r = await cli(['figure', 'fig5b', '--iters', '2', '--hidden', '8', '--out', out, '--threads', '1']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(await readFile(join(out, 'fig5b.json'), 'utf8')) as { trainSize: number; points: { iteration: number; train: number; validation: number; control: number }[] };
    assert.equal(json.trainSize, 1000);
    assert.deepEqual(json.points.map((p) => p.iteration), [1, 2]);
    for (const p of json.points) assert.ok([p.train, p.validation, p.control].every(Number.isFinite) && new Set([p.train, p.validation, p.control]).size === 3);
    assert.ok(decodePng(await readFile(join(out, 'fig5b.png'))).width > 0);
    const again = await cli(['figure', 'fig5b', '--iters', '2', '--hidden', '8', '--out', out]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already holds .*fig5b\.png.*--force/);
  });
});
