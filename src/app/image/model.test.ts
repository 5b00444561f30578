import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { testRunEnv } from '../../../test/support/run-env.js';
import { ArrayImageDataset } from '../../data/batches.js';
import { Rng } from '../../tensor/random.js';
import { realize, tensor } from '../../tensor/tensor.js';
import { decodePng } from '../../viz/canvas.js';
import { registerExperiment, resolveRunConfig, type ResolveInput, type SavedRun } from '../experiment.js';
import type { MetricsLine } from '../run-folder.js';
import { readRun, resumeRunFolder, trainRun } from '../runs.js';
import { loadImageGenerator, type LoadedGenerator } from './commands.js';
import { loadImageData, type ImageData } from './data.js';
import { generatorBatches, openJudge, scoreImages } from './eval.js';
import { exportGenerator } from './export.js';
import { imageExperiment, imageExperimentWith, type ImageConfig } from './index.js';
import { buildImageModel } from './model.js';

registerExperiment(imageExperiment);

const env = testRunEnv();
let root: string;
before(async () => {
  await env.useBackend(2, 'cpu');
  root = await mkdtemp(join(tmpdir(), 'wgan-gp-image-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const resolveImageConfig = (input: ResolveInput): ImageConfig => resolveRunConfig(imageExperiment, input);

/** The image kind over the given data (instead of the config's). */
const withData = (data: ImageData) => imageExperimentWith({ loadData: () => data });

/** The generator of a run folder's latest checkpoint. */
const generatorOf = async (dir: string): Promise<LoadedGenerator> => loadImageGenerator((await readRun(dir)).run as SavedRun<ImageConfig>);

const readLines = async (dir: string): Promise<MetricsLine[]> =>
  (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as MetricsLine);

/** MNIST with a 2,000-image FID reference (the test set's first 2k) to keep the statistics cheap. */
function mnistData(config: ImageConfig): ImageData {
  const d = loadImageData(config);
  return { ...d, reference: (d.reference as ArrayImageDataset).subset(0, 2000, 'MNIST test[0:2000]') };
}

/** Random uint8 images with labels: enough for shapes and finiteness. */
function randomData(itemShape: [number, number, number], n: number, classes: number, transform: 'symmetric' | 'symmetricDequantized'): ImageData {
  const rng = new Rng(3);
  const size = itemShape[0] * itemShape[1] * itemShape[2];
  const pixels = Uint8Array.from({ length: n * size }, () => rng.int(256));
  const labels = Uint8Array.from({ length: n }, (_, i) => i % classes);
  const ds = new ArrayImageDataset({ name: 'random', pixels, itemShape, labels, numClasses: classes, transform });
  return { train: ds, heldOut: ds, reference: null, itemShape, numClasses: classes, description: 'random' };
}

describe('image GAN runs', () => {
  it('a short MNIST WGAN-GP run improves FID and Inception Score under the MNIST classifier, and logs them', async () => {
    // DIM 16, batch 32, Adam 2e-3 (20× the reference rate so 30 iterations show progress). Measured
    // with exactly these settings over seeds 1-4: FID 602-613 → 478-527, IS 1.00 → 1.34-1.55.
    const config = resolveImageConfig({
      preset: 'mnist',
      flags: { dim: 16, batchSize: 32, generatorBatchSize: 32, lr: 2e-3, iters: 30, logEvery: 10, evalEvery: 30, evalSamples: 500, devSamples: 64, plotEvery: 30, checkpointEvery: 30 },
    });
    const data = mnistData(config);
    const judge = await openJudge({ classifier: 'mnist', imageRange: [0, 1] }, data.reference);
    const untrained = buildImageModel(config, data); // the same initial weights as the run's
    const before = await scoreImages(judge, generatorBatches(untrained.generator, 500, 50, new Rng(5)));
    await judge.classifier.close();
    const dir = join(root, 'mnist');
    const res = await trainRun(withData(data), config, dir, env);
    assert.equal(res.iteration, 30);
    const lines = await readLines(dir);
    const last = lines.at(-1)!;
    assert.deepEqual(lines.map((l) => l.iteration), [10, 20, 30]);
    for (const k of ['inceptionScore', 'inceptionScoreStd', 'fid', 'devCriticLoss', 'criticLoss', 'generatorLoss']) assert.ok(Number.isFinite(last[k]), k);
    assert.ok(last.fid! < before.fid! - 60, `FID ${before.fid} → ${last.fid}`);
    assert.ok(last.inceptionScore! > before.inceptionScore + 0.2, `IS ${before.inceptionScore} → ${last.inceptionScore}`);
    // The real-data ceiling is written once, far above the generator.
    const ceiling = JSON.parse(await readFile(join(dir, 'ceiling.json'), 'utf8')) as { inceptionScore: number; fid: number; samples: number };
    assert.equal(ceiling.samples, 500);
    assert.ok(ceiling.inceptionScore > 8 && ceiling.fid < 30, JSON.stringify(ceiling));
    // Sample grid of the 128 fixed-noise samples: 16 columns × 8 rows of 2×-scaled 28×28 digits.
    const grid = decodePng(await readFile(join(dir, 'plots', 'samples-0000030.png')));
    assert.deepEqual([grid.width, grid.height], [16 * 56 + 17 * 2, 8 * 56 + 9 * 2]);
    for (const f of ['losses.png', 'dev.png', 'scores.png', 'fid.png']) assert.ok(existsSync(join(dir, 'plots', f)), f);
    const report = await readFile(join(dir, 'report.html'), 'utf8');
    assert.match(report, /realDataCeiling\.inceptionScore/);
    assert.match(report, /samples-0000030\.png/);
    // The IS and FID charts are drawn inline with the real data's scores as dashed levels.
    const chart = (name: string): string => new RegExp(`data-chart="${name}">(<svg[\\s\\S]*?</svg>)`).exec(report)?.[1] ?? '';
    assert.match(chart('scores.png'), new RegExp(`real data: ${ceiling.inceptionScore.toFixed(2)}`));
    assert.match(chart('fid.png'), new RegExp(`real data: ${ceiling.fid.toFixed(2)}`));
    assert.match(chart('fid.png'), /stroke-dasharray/);
  });

  /** Runs the exported MNIST generator on `batch` noise vectors of `seed`; asserts the engine's images (within 1e-5) and returns them. */
  async function sameImages(session: ort.InferenceSession, g: Awaited<ReturnType<typeof generatorOf>>, batch: number, seed: number): Promise<Float32Array> {
    const z = new Rng(seed).normal([batch, 128]);
    const x = g.generator.forward(z);
    await realize([x]);
    const out = (await session.run({ noise: new ort.Tensor('float32', Float32Array.from(z.value!), [batch, 128]) })).images as ort.Tensor;
    assert.deepEqual(out.dims, [batch, 1, 28, 28]);
    const got = out.data as Float32Array;
    let maxDiff = 0;
    for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - x.value![i]!));
    assert.ok(maxDiff < 1e-5, `batch ${batch}: max |onnx − engine| = ${maxDiff}`);
    return got;
  }

  it('exports the trained generator as an ONNX model that onnxruntime runs to the engine\'s images', async () => {
    const g = await generatorOf(join(root, 'mnist'));
    assert.equal(g.iteration, 30);
    const batch = 8;
    const session = await ort.InferenceSession.create(exportGenerator(g, batch));
    assert.deepEqual([session.inputNames, session.outputNames], [['noise'], ['images']]);
    const got = await sameImages(session, g, batch, 11);
    // Different noise, different images: the graph really reads its input.
    const other = (await session.run({ noise: new ort.Tensor('float32', Float32Array.from(new Rng(12).normal([batch, 128]).value!), [batch, 128]) })).images as ort.Tensor;
    assert.ok((other.data as Float32Array).some((v, i) => Math.abs(v - got[i]!) > 1e-3));
    await session.release();
  });

  it('exports the generator with a dynamic batch axis by default: 3 noise vectors give 3 images, as the engine', async () => {
    const g = await generatorOf(join(root, 'mnist'));
    const session = await ort.InferenceSession.create(exportGenerator(g));
    for (const batch of [3, 65]) await sameImages(session, g, batch, batch);
    await session.release();
  });

  it('resumes an image run exactly: parameters and metrics equal an uninterrupted run', async () => {
    const config = resolveImageConfig({ preset: 'mnist', flags: { dim: 8, batchSize: 16, generatorBatchSize: 16, iters: 4, logEvery: 1, evalEvery: 2, devSamples: 32, plotEvery: 0, checkpointEvery: 2, classifier: null } });
    const full = join(root, 'full');
    const part = join(root, 'part');
    await trainRun(imageExperiment, config, full, env);
    const stopped = await trainRun(imageExperiment, config, part, env, { stopAfter: 2 });
    assert.equal(stopped.interrupted, 'stopAfter');
    await resumeRunFolder(part, env);
    assert.deepEqual(await readLines(part).then((ls) => ls.map(({ elapsed: _e, ...l }) => l)), await readLines(full).then((ls) => ls.map(({ elapsed: _e, ...l }) => l)));
    const a = await generatorOf(full);
    const b = await generatorOf(part);
    const pa = a.generator.parameters();
    b.generator.parameters().forEach((p, i) => assert.deepEqual(p.value, pa[i]!.value));
    assert.ok((await readLines(full)).every((l) => l.iteration % 2 !== 0 || Number.isFinite(l.devCriticLoss)));
  });

  it('trains with the critic steps in 2 shards (one in a worker thread), resumes exactly, and ends the worker', async () => {
    const flags = { dim: 8, batchSize: 9, generatorBatchSize: 8, iters: 4, logEvery: 1, evalEvery: 0, plotEvery: 0, checkpointEvery: 2, classifier: null };
    const sharded = resolveImageConfig({ preset: 'mnist', flags: { ...flags, criticShards: 2 } });
    const [full, part, plain] = ['shards-full', 'shards-part', 'shards-plain'].map((d) => join(root, d)) as [string, string, string];
    await trainRun(imageExperiment, sharded, full, env);
    await trainRun(imageExperiment, sharded, part, env, { stopAfter: 2 });
    await resumeRunFolder(part, env);
    const strip = (ls: { elapsed?: unknown }[]): unknown[] => ls.map(({ elapsed: _e, ...l }) => l);
    assert.deepEqual(strip(await readLines(part)), strip(await readLines(full)));
    assert.equal(JSON.parse(await readFile(join(full, 'config.json'), 'utf8')).criticShards, 2);
    // The same batches as an unsharded run: the same losses to float rounding.
    await trainRun(imageExperiment, { ...sharded, criticShards: 1 }, plain, env);
    const [a, b] = [await readLines(full), await readLines(plain)];
    a.forEach((l, i) => assert.ok(Math.abs(l.criticLoss - b[i]!.criticLoss) <= 1e-3 * Math.max(1, Math.abs(b[i]!.criticLoss)), `iteration ${l.iteration}: ${l.criticLoss} vs ${b[i]!.criticLoss}`));
  });

  const tiny = [
    { preset: 'cifar10-resnet', shape: [3, 32, 32] as [number, number, number], dim: 8 },
    { preset: 'cifar10-resnet-acgan', shape: [3, 32, 32] as [number, number, number], dim: 8 },
    { preset: 'lsun64-resnet', shape: [3, 64, 64] as [number, number, number], dim: 4 },
  ];
  for (const t of tiny) {
    it(`${t.preset} trains 2 iterations at a tiny batch: finite losses, changed weights, images of the right shape`, async () => {
      const config = resolveImageConfig({ preset: t.preset, flags: { dim: t.dim, batchSize: 4, generatorBatchSize: 8, nCritic: 2, iters: 2 } });
      const data = randomData(t.shape, 16, 10, t.preset.startsWith('cifar10-resnet') ? 'symmetricDequantized' : 'symmetric');
      const m = buildImageModel(config, data);
      const g0 = m.generator.parameters().map((p) => Float32Array.from(p.value!));
      const s0 = await m.trainer.iterate();
      const s1 = await m.trainer.iterate();
      for (const v of [s0.criticLoss, s1.criticLoss, s1.generatorLoss!, s1.penalty!, s1.gradNorm!]) assert.ok(Number.isFinite(v));
      if (config.acgan) {
        // The AC-GAN cross-entropies are reported apart (10 classes: about ln 10 untrained) and are the
        // terms folded into the losses with weights 1 (critic) and 0.1 (generator).
        assert.equal(s0.generatorAcgan, undefined, 'no generator step at iteration 0');
        for (const v of [s0.criticAcgan!, s1.criticAcgan!, s1.generatorAcgan!]) assert.ok(Number.isFinite(v) && v > 0.5 && v < 10, String(v));
        const parts = -s1.wasserstein + s1.penalty! + config.acganScale * s1.criticAcgan!;
        assert.ok(Math.abs(s1.criticLoss - parts) < 1e-4 * (1 + Math.abs(parts)), `critic loss ${s1.criticLoss} vs its parts ${parts}`);
      } else {
        assert.equal(s1.criticAcgan, undefined);
        assert.equal(s1.generatorAcgan, undefined);
      }
      assert.ok(m.generator.parameters().some((p, i) => p.value!.some((v, k) => v !== g0[i]![k])), 'the generator step changed the generator');
      const x = await m.trainer.fixedSamples();
      const n = config.conditional ? 100 : t.preset.startsWith('lsun64') ? 64 : 128;
      assert.deepEqual(x.shape, [n, ...t.shape]);
      assert.ok(x.value!.every((v) => Number.isFinite(v) && v >= -1 && v <= 1));
      if (config.conditional) {
        // One class per grid column: item i of the fixed batch has label i mod 10.
        assert.deepEqual(Array.from(m.trainer.fixedLabels!.value!.slice(0, 12)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
        // The class actually conditions the images: same noise, two labels, different images.
        const z = new Rng(4).normal([2, 128]);
        const zz = tensor(Float32Array.from([...z.value!.slice(0, 128), ...z.value!.slice(0, 128)]), [2, 128]);
        const y = m.generator.forward(zz, tensor(Int32Array.of(0, 1), [2], 'int32'));
        await realize([y]);
        const half = y.size / 2;
        assert.ok(y.value!.slice(0, half).some((v, i) => Math.abs(v - y.value![half + i]!) > 1e-4));
        // Dev critic cost with labels goes through the AC-GAN loss without changing anything.
        const before = m.critic.parameters().map((p) => Float32Array.from(p.value!));
        const cost = await m.trainer.criticLossOn(tensor(new Float32Array(4 * 3 * 32 * 32), [4, 3, 32, 32]), new Rng(1), tensor(Int32Array.of(0, 1, 2, 3), [4], 'int32'));
        assert.ok(Number.isFinite(cost));
        m.critic.parameters().forEach((p, i) => assert.deepEqual(p.value, before[i]));
      }
    });
  }

  it("a CIFAR-10 run keeps the bundled classifier's name ('cifar10') in its saved config, not a path", async () => {
    const config = resolveImageConfig({ preset: 'cifar10-dcgan', flags: { dim: 8, batchSize: 4, generatorBatchSize: 4, nCritic: 1, iters: 1, evalEvery: 0, plotEvery: 0 } });
    assert.equal(config.classifier, 'cifar10');
    const dir = join(root, 'cifar-bundled');
    await trainRun(withData(randomData([3, 32, 32], 8, 10, 'symmetric')), config, dir, env);
    const saved = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { classifier?: unknown; config?: { classifier?: unknown } };
    assert.equal(saved.config?.classifier ?? saved.classifier, 'cifar10');
  });

  it('an AC-GAN run logs the critic\'s and the generator\'s cross-entropies in metrics.jsonl', async () => {
    const config = resolveImageConfig({
      preset: 'cifar10-resnet-acgan',
      flags: { dim: 8, batchSize: 4, generatorBatchSize: 8, nCritic: 1, iters: 3, logEvery: 1, evalEvery: 0, plotEvery: 0, checkpointEvery: 3, classifier: null },
    });
    const dir = join(root, 'acgan');
    await trainRun(withData(randomData([3, 32, 32], 16, 10, 'symmetricDequantized')), config, dir, env);
    const lines = await readLines(dir);
    assert.deepEqual(lines.map((l) => l.iteration), [1, 2, 3]);
    for (const l of lines) assert.ok(Number.isFinite(l.criticAcgan) && l.criticAcgan! > 0, `criticAcgan at ${l.iteration}: ${l.criticAcgan}`);
    // The first line covers iteration 0 only, which has no generator step.
    assert.equal(lines[0]!.generatorAcgan, undefined);
    for (const l of lines.slice(1)) assert.ok(Number.isFinite(l.generatorAcgan) && l.generatorAcgan! > 0, `generatorAcgan at ${l.iteration}: ${l.generatorAcgan}`);
  });

  it('a conditional generator exports with a labels input that onnxruntime honours', async () => {
    const config = resolveImageConfig({ preset: 'cifar10-resnet-acgan', flags: { dim: 8, batchSize: 4 } });
    const m = buildImageModel(config, randomData([3, 32, 32], 8, 10, 'symmetricDequantized'));
    const session = await ort.InferenceSession.create(exportGenerator(m));
    assert.deepEqual(session.inputNames, ['noise', 'labels']);
    const z = new Rng(2).normal([4, 128]);
    const labels = Int32Array.of(3, 1, 4, 1);
    const x = m.generator.forward(z, tensor(labels, [4], 'int32'));
    await realize([x]);
    const out = (await session.run({ noise: new ort.Tensor('float32', Float32Array.from(z.value!), [4, 128]), labels: new ort.Tensor('int32', labels, [4]) })).images as ort.Tensor;
    assert.deepEqual(out.dims, [4, 3, 32, 32]);
    const got = out.data as Float32Array;
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - x.value![i]!) < 1e-5);
    await session.release();
  });
});
