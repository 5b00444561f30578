/**
 * Trains the MNIST evaluation classifier with this engine on the 60,000 real training images, exports
 * it to models/mnist-classifier.onnx and measures, through the same OnnxClassifier path every MNIST
 * evaluation uses: the test accuracy of the exported model, the Inception Score of the real test set
 * (the ceiling a generator can reach) and the FID of the test set against the training set.
 *
 * Usage: node --import tsx scripts/train-mnist-classifier.ts [--epochs 4] [--batch 64] [--lr 1e-3] [--lr-decay 0.6]
 *        [--threads 2] [--seed 0] [--out models/mnist-classifier.onnx]
 * Prints one JSON line of results at the end (the numbers docs/EXPERIMENTS.md records).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadMnist } from '../src/data/mnist.js';
import { readItems, type ImageDataset } from '../src/data/batches.js';
import { OnnxClassifier } from '../src/metrics/classifier.js';
import {
  exportMnistClassifier,
  MNIST_CLASSIFIER,
  mnistClassifierPath,
  trainMnistClassifier,
} from '../src/metrics/mnist-classifier.js';
import { ortBackend } from '../src/node.js';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '4' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '1e-3' },
    'lr-decay': { type: 'string', default: '0.6' },
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string', default: mnistClassifierPath() },
  },
});
const num = (k: keyof typeof values): number => {
  const v = Number(values[k]);
  if (!Number.isFinite(v)) throw new Error(`--${k} must be a number, got '${String(values[k])}'`);
  return v;
};
const threads = num('threads');
const backend = ortBackend({ threads });
const mnist = loadMnist();
console.log(`training on ${mnist.trainFull.length} images, ${num('epochs')} epochs, batch ${num('batch')}, ${threads} thread(s)`);
const { net, seconds } = await trainMnistClassifier({
  train: mnist.trainFull,
  test: mnist.test,
  epochs: num('epochs'),
  batchSize: num('batch'),
  lr: num('lr'),
  lrDecay: num('lr-decay'),
  seed: num('seed'),
  backend,
  onEpoch: (e) =>
    console.log(`epoch ${e.epoch + 1}: train loss ${e.loss.toFixed(4)}, test accuracy ${((e.testAccuracy ?? 0) * 100).toFixed(2)}%, ${e.seconds.toFixed(0)} s`),
});

const out = values.out!;
const bytes = exportMnistClassifier(net);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, bytes);
console.log(`wrote ${out} (${(bytes.length / 1024).toFixed(0)} KiB)`);

// Everything below goes through the exported file, exactly as evaluations will.
const all = (d: ImageDataset): { data: Float32Array; shape: readonly number[]; labels: Int32Array } => {
  const items = readItems(d, Int32Array.from({ length: d.length }, (_, i) => i));
  return { data: items.images, shape: items.shape, labels: items.labels };
};
const judge = await OnnxClassifier.load(out, { ...MNIST_CLASSIFIER, threads });
const test = all(mnist.test);
const t0 = Date.now();
const { probs } = await judge.classify(test);
let correct = 0;
for (let i = 0; i < test.labels.length; i++) {
  let best = 0;
  for (let k = 1; k < 10; k++) if (probs[i * 10 + k]! > probs[i * 10 + best]!) best = k;
  if (best === test.labels[i]) correct++;
}
const onnxAccuracy = correct / test.labels.length;
const is = await judge.inceptionScore(test, 10);
const fidTestTrain = await judge.fid(test, all(mnist.trainFull));
const fidTestDev = await judge.fid(test, all(mnist.dev));
await judge.close();
const result = {
  epochs: num('epochs'),
  lrDecay: num('lr-decay'),
  batch: num('batch'),
  threads,
  trainSeconds: Math.round(seconds),
  testAccuracy: onnxAccuracy,
  testInceptionScore: is,
  fidTestVsTrain60k: fidTestTrain,
  fidTestVsDev10k: fidTestDev,
  evalSeconds: Math.round((Date.now() - t0) / 1000),
  bytes: bytes.length,
};
console.log(JSON.stringify(result));
