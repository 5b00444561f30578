import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ArrayImageDataset, readItems } from '../data/batches.js';
import { resolveRunConfig } from '../app/experiment.js';
import { openJudge } from '../app/image/eval.js';
import { imageExperiment } from '../app/image/index.js';
import { ortBackend } from '../node.js';
import { softmax } from '../ops/softmax.js';
import { Rng } from '../tensor/random.js';
import { noGrad, realize, tensor } from '../tensor/tensor.js';
import { BUNDLED_CLASSIFIERS, isBundledClassifier, resolveClassifier } from './bundled-classifiers.js';
import { OnnxClassifier } from './classifier.js';
import { classifierAccuracy, evaluateExportedClassifier } from './classifier-training.js';
import {
  CIFAR10_CLASSIFIER,
  CIFAR10_FEATURE_DIM,
  cifar10ClassifierPath,
  Cifar10ClassifierNet,
  exportCifar10Classifier,
  trainCifar10Classifier,
} from './cifar10-classifier.js';
import { MNIST_CLASSIFIER, mnistClassifierPath } from './mnist-classifier.js';

// resident: the parameters stay the backend's output tensors between steps, as on WebGPU; training
// must still leave them readable for the export below.
const backend = ortBackend({ threads: 1, resident: true });
const dir = mkdtempSync(join(tmpdir(), 'cifar10-classifier-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * n synthetic 32×32 RGB images in 4 classes that differ by which colour channel is bright (class 3:
 * all dark), with pixel noise, scaled to [−1, 1] as the CIFAR data; `sorted`: by class, as an image
 * folder lists them.
 */
function toyColours(n: number, seed: number, sorted = false): ArrayImageDataset {
  const rng = new Rng(seed);
  const noise = rng.uniform([n * 3 * 1024]).value!;
  const pixels = new Uint8Array(n * 3 * 1024);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = sorted ? Math.floor((i * 4) / n) : i % 4;
    labels[i] = k;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) {
        const at = (i * 3 + c) * 1024 + p;
        pixels[at] = Math.round((c === k ? 140 : 60) + 100 * noise[at]!);
      }
    }
  }
  return new ArrayImageDataset({ name: `toy colours ${seed}`, pixels, labels, itemShape: [3, 32, 32], numClasses: 4, transform: 'symmetric' });
}

test('the network gives logits [N, 10] and features [N, 256], checks its input and has the stated size', async () => {
  const net = new Cifar10ClassifierNet(new Rng(1));
  const x = new Rng(2).normal([3, 3, 32, 32]);
  const { logits, features } = noGrad(() => net.run(x));
  await realize([logits, features], backend);
  assert.deepEqual(logits.shape, [3, 10]);
  assert.deepEqual(features.shape, [3, CIFAR10_FEATURE_DIM]);
  assert.ok((await features.toArray()).every((f) => f >= 0), 'features are ReLU outputs');
  assert.throws(() => net.forward(tensor(new Float32Array(2 * 28 * 28), [2, 1, 28, 28])), /Cifar10ClassifierNet: expected images \[N, 3, 32, 32\], got \[2, ?1, ?28, ?28\]/);
  assert.equal(net.numParameters(), 3 * 32 * 9 + 32 + 32 * 64 * 9 + 64 + 64 * 128 * 9 + 128 + 2048 * 256 + 256 + 256 * 10 + 10);
  // Same seed, same weights: the classifier's training is reproducible.
  const again = new Cifar10ClassifierNet(new Rng(1));
  assert.deepEqual(await again.fc1.weight.toArray(), await net.fc1.weight.toArray());
});

test('a few Adam steps on toy colour classes cut the loss; the exported model reproduces the engine and scores real sets', async () => {
  const train = toyColours(256, 3);
  const losses: number[] = [];
  const { net, testAccuracy } = await trainCifar10Classifier({
    train,
    test: toyColours(64, 4),
    epochs: 2,
    batchSize: 32,
    lr: 1e-3,
    seed: 5,
    backend,
    onEpoch: (e) => losses.push(e.loss),
  });
  assert.equal(losses.length, 2);
  assert.ok(losses[1]! < losses[0]!, `epoch losses ${losses.join(', ')}`);
  assert.ok(testAccuracy! > 0.9, `held-out accuracy after 16 steps: ${testAccuracy}`);
  assert.equal(await classifierAccuracy(net, toyColours(64, 4), backend), testAccuracy);

  // Export with batch 4 and classify 6 images: OnnxClassifier pads the last batch.
  const path = join(dir, 'cifar10.onnx');
  writeFileSync(path, exportCifar10Classifier(net, 4));
  const items = readItems(train, Int32Array.from({ length: 6 }, (_, i) => 10 + i));
  const { logits, features } = noGrad(() => net.run(tensor(items.images, items.shape)));
  const engineProbs = softmax(logits);
  await realize([engineProbs, features], backend);
  const want = await engineProbs.toArray();
  const f = await features.toArray();
  const judge = await OnnxClassifier.load(path, CIFAR10_CLASSIFIER);
  try {
    assert.deepEqual(judge.inputShape, [4, 3, 32, 32]);
    const got = await judge.classify({ data: items.images, shape: items.shape });
    assert.equal(got.classes, 10);
    assert.equal(got.featureDim, CIFAR10_FEATURE_DIM);
    got.probs.forEach((p, i) => assert.ok(Math.abs(p - want[i]!) < 1e-5, `probs[${i}] ${p} vs ${want[i]}`));
    got.features!.forEach((x, i) => assert.ok(Math.abs(x - f[i]!) < 1e-4, `features[${i}] ${x} vs ${f[i]}`));
    // Images handed in [0, 1] with imageRange [0, 1] are mapped to the model's [−1, 1]: same answer.
    const unit = await OnnxClassifier.load(path, { ...CIFAR10_CLASSIFIER, imageRange: [0, 1] });
    const again = await unit.classify({ data: items.images.map((x) => (x + 1) / 2), shape: items.shape });
    await unit.close();
    again.probs.forEach((p, i) => assert.ok(Math.abs(p - want[i]!) < 1e-5, `[0, 1] input: probs[${i}] ${p} vs ${want[i]}`));
  } finally {
    await judge.close();
  }

  // The exported file's scores: on a test set sorted by class, the Inception Score's splits still
  // see every class (a fixed shuffle), so it nears the 4 classes the network tells apart.
  const scores = await evaluateExportedClassifier(path, CIFAR10_CLASSIFIER, toyColours(80, 6, true), { same: toyColours(80, 6, true), other: toyColours(80, 7, true) });
  assert.ok(scores.testAccuracy > 0.9, `exported accuracy ${scores.testAccuracy}`);
  assert.ok(scores.testInceptionScore.mean > 3, `IS of 4 sorted classes: ${JSON.stringify(scores.testInceptionScore)}`);
  assert.ok(Math.abs(scores.fid.same!) < 1e-3, `FID of a set against itself reordered: ${scores.fid.same}`);
  assert.ok(scores.fid.other! > scores.fid.same!, `FID against other draws: ${scores.fid.other}`);
});

test("'cifar10' names the bundled classifier, the CIFAR presets default to it, and a mismatched bundled classifier is refused", async () => {
  assert.ok(isBundledClassifier('cifar10') && isBundledClassifier('mnist'));
  assert.ok(!isBundledClassifier('cifar10.onnx') && !isBundledClassifier(null) && !isBundledClassifier('toString'));
  assert.deepEqual(resolveClassifier('cifar10'), { path: cifar10ClassifierPath(), options: CIFAR10_CLASSIFIER });
  assert.deepEqual(resolveClassifier('mnist'), { path: mnistClassifierPath(), options: MNIST_CLASSIFIER });
  assert.deepEqual(resolveClassifier('my/inception.onnx'), { path: 'my/inception.onnx', options: {} });
  assert.throws(() => resolveClassifier(''), /resolveClassifier: name must be a non-empty string, got ""/);
  assert.match(cifar10ClassifierPath(), /models[/\\]cifar10-classifier\.onnx$/);
  assert.deepEqual(BUNDLED_CLASSIFIERS.cifar10.itemShape, [3, 32, 32]);

  for (const preset of ['cifar10-dcgan', 'cifar10-resnet', 'cifar10-resnet-acgan']) assert.equal(resolveRunConfig(imageExperiment, { preset }).classifier, 'cifar10', preset);
  assert.equal(resolveRunConfig(imageExperiment, { preset: 'mnist' }).classifier, 'mnist');
  assert.equal(resolveRunConfig(imageExperiment, { preset: 'lsun64-dcgan' }).classifier, null);
  assert.equal(resolveRunConfig(imageExperiment, { preset: 'cifar10-dcgan', flags: { classifier: null } }).classifier, null);
  assert.equal(resolveRunConfig(imageExperiment, { preset: 'cifar10-dcgan', flags: { classifier: 'x.onnx' } }).classifier, 'x.onnx');
  assert.throws(() => resolveRunConfig(imageExperiment, { preset: 'cifar10-dcgan', flags: { classifier: 'mnist' } }), /classifier 'mnist' judges MNIST digits, not the images of preset 'cifar10-dcgan'; use 'cifar10'/);
  assert.throws(() => resolveRunConfig(imageExperiment, { preset: 'mnist', flags: { classifier: 'cifar10' } }), /classifier 'cifar10' judges CIFAR-10 images, not the images of preset 'mnist'; use 'mnist'/);
  assert.throws(() => resolveRunConfig(imageExperiment, { preset: 'lsun64-dcgan', flags: { classifier: 'cifar10' } }), /not the images of preset 'lsun64-dcgan'; an ONNX file or null/);
});

test('the committed models/cifar10-classifier.onnx opens by name for generator images in [−1, 1]', async () => {
  const path = cifar10ClassifierPath();
  assert.ok(existsSync(path), `${path} is missing: run scripts/train-cifar10-classifier.ts`);
  const judge = await openJudge({ classifier: 'cifar10', imageRange: [-1, 1], threads: 1 }, null);
  try {
    assert.equal(judge.realStats, null);
    assert.deepEqual(judge.classifier.inputShape, [100, 3, 32, 32]);
    const x = new Rng(7).uniform([5, 3, 32, 32], -1, 1);
    const { probs, classes, featureDim } = await judge.classifier.classify({ data: Float32Array.from(x.value!), shape: x.shape });
    assert.equal(classes, 10);
    assert.equal(featureDim, CIFAR10_FEATURE_DIM);
    for (let i = 0; i < 5; i++) {
      const s = probs.subarray(i * 10, (i + 1) * 10).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(s - 1) < 1e-5, `row ${i} sums to ${s}`);
    }
  } finally {
    await judge.classifier.close();
  }
});
