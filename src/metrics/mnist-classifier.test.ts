import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { epochBatches, readItems } from '../data/batches.js';
import { loadMnist } from '../data/mnist.js';
import { ortBackend } from '../node.js';
import { Rng } from '../tensor/random.js';
import { noGrad, realize, tensor } from '../tensor/tensor.js';
import { OnnxClassifier } from './classifier.js';
import {
  exportMnistClassifier,
  MNIST_CLASSIFIER,
  mnistAccuracy,
  mnistClassifierPath,
  MnistClassifierNet,
  trainMnistClassifier,
} from './mnist-classifier.js';

const mnist = loadMnist();
const backend = ortBackend({ threads: 2 });
const dir = mkdtempSync(join(tmpdir(), 'mnist-classifier-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function argmaxRows(p: ArrayLike<number>, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < p.length / k; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (p[i * k + j]! > p[i * k + best]!) best = j;
    out.push(best);
  }
  return out;
}

test('the committed models/mnist-classifier.onnx classifies 100 real test digits with >= 97% accuracy', async () => {
  const path = mnistClassifierPath();
  assert.ok(existsSync(path), `${path} is missing: run scripts/train-mnist-classifier.ts`);
  const judge = await OnnxClassifier.load(path, { ...MNIST_CLASSIFIER, threads: 2 });
  try {
    const items = readItems(mnist.test, Int32Array.from({ length: 100 }, (_, i) => i));
    const { probs, classes, features, featureDim } = await judge.classify({ data: items.images, shape: items.shape });
    assert.equal(classes, 10);
    assert.equal(featureDim, 128);
    assert.equal(features!.length, 100 * 128);
    const predicted = argmaxRows(probs, 10);
    const correct = predicted.filter((c, i) => c === items.labels[i]).length;
    assert.ok(correct >= 97, `${correct}/100 correct`);
    // Confident, varied predictions on real digits: a high Inception Score even on 100 images.
    const is = await judge.inceptionScore({ data: items.images, shape: items.shape }, 1);
    assert.ok(is.mean > 8, `IS of 100 real digits: ${is.mean}`);
    // The data loaders' batches ({ images, shape }) stream straight in.
    const streamed = await judge.classify(epochBatches(mnist.test.subset(0, 100), 30));
    assert.deepEqual(streamed.probs, probs);
    await assert.rejects(judge.classify([42 as never]), /a batch must be a Tensor, \{ data, shape \} or \{ images, shape \}.*got 42/);
    // Same images given in [−1, 1] with the matching imageRange give the same answer.
    const sym = await OnnxClassifier.load(path, { ...MNIST_CLASSIFIER, imageRange: [-1, 1] });
    const again = await sym.classify({ data: items.images.map((x) => 2 * x - 1), shape: items.shape });
    await sym.close();
    again.probs.forEach((p, i) => assert.ok(Math.abs(p - probs[i]!) < 1e-5));
  } finally {
    await judge.close();
  }
});

test('a few Adam steps on real digits cut the loss, and the exported model reproduces the engine', async () => {
  const small = mnist.trainFull.subset(0, 1280, 'first 1280');
  const losses: number[] = [];
  const { net } = await trainMnistClassifier({
    train: small,
    epochs: 2,
    batchSize: 64,
    lr: 2e-3,
    backend,
    onEpoch: (e) => losses.push(e.loss),
  });
  assert.ok(losses[1]! < losses[0]! && losses[1]! < 1, `epoch losses ${losses.join(', ')}`);
  const acc = await mnistAccuracy(net, mnist.test.subset(0, 500), backend);
  assert.ok(acc > 0.7, `accuracy after 40 steps on 1280 images: ${acc}`);

  const path = join(dir, 'mnist.onnx');
  writeFileSync(path, exportMnistClassifier(net, 8));
  const judge = await OnnxClassifier.load(path, MNIST_CLASSIFIER);
  try {
    assert.deepEqual(judge.inputShape, [8, 1, 28, 28]);
    const items = readItems(mnist.test, Int32Array.from({ length: 10 }, (_, i) => 100 + i));
    const got = await judge.classify({ data: items.images, shape: items.shape });
    const { logits, features } = noGrad(() => net.run(tensor(items.images, items.shape)));
    await realize([logits, features], backend);
    const f = await features.toArray();
    got.features!.forEach((x, i) => assert.ok(Math.abs(x - f[i]!) < 1e-4, `features[${i}] ${x} vs ${f[i]}`));
    assert.deepEqual(argmaxRows(got.probs, 10), argmaxRows(await logits.toArray(), 10));
  } finally {
    await judge.close();
  }
});

test('the network checks its input shape', () => {
  const net = new MnistClassifierNet(new Rng(1));
  assert.throws(() => net.forward(tensor(new Float32Array(2 * 32 * 32), [2, 1, 32, 32])), /MnistClassifierNet.*expected images \[N, 1, 28, 28\], got \[2,1,32,32\]|\[2, 1, 32, 32\]/);
  assert.equal(net.numParameters(), 32 * 9 + 32 + 64 * 32 * 9 + 64 + 3136 * 128 + 128 + 128 * 10 + 10);
});
