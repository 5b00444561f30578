/**
 * What the evaluation classifiers (src/metrics/mnist-classifier.ts, src/metrics/cifar10-classifier.ts)
 * share: 2×2 max pooling, the Adam training loop on softmax cross-entropy, test accuracy, the ONNX
 * export with 'logits' and 'features' outputs, and the measurements of an exported model through
 * `OnnxClassifier` (test accuracy, real-data Inception Score, FID of real sets against each other).
 */
import { gradients } from '../autodiff/grad.js';
import { epochBatches, readItems, BatchSampler, type ImageDataset } from '../data/batches.js';
import { exportOnnx } from '../backends/onnx/export.js';
import { Conv2d } from '../nn/conv2d.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { Adam } from '../optim/adam.js';
import { softmaxCrossEntropy } from '../ops/cross-entropy.js';
import { max } from '../ops/max.js';
import { relu } from '../ops/relu.js';
import { reshape } from '../ops/reshape.js';
import { Rng } from '../tensor/random.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import { noGrad, realize, tensor, toHost, type Backend, type Tensor } from '../tensor/tensor.js';
import { OnnxClassifier, type ImageBatch, type OnnxClassifierOptions } from './classifier.js';
import { inceptionScore } from './inception.js';

/**
 * 2×2 max pooling (stride 2) of x [N, C, H, W] with even H, W, as a composite: the windows become
 * axes 3 and 5 of a reshape, then a max over them (ties share the gradient, see `max`).
 * @example maxPool2x2(h) // [N, 32, 28, 28] → [N, 32, 14, 14]
 */
export function maxPool2x2(x: Tensor): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (x.rank !== 4 || h % 2 !== 0 || w % 2 !== 0) throw new ShapeError('maxPool2x2', `expected [N, C, H, W] with even H and W, got ${fmt(x.shape)}`);
  return max(reshape(x, [n, c, h / 2, 2, w / 2, 2]), [3, 5]);
}

/** A classifier network: logits [N, K] for the Inception Score and penultimate features [N, F] for FID. */
export interface ClassifierNet extends Module {
  /** Both outputs of one pass. */
  run(x: Tensor): { logits: Tensor; features: Tensor };
}

/**
 * The evaluation classifiers' network: per entry of `channels`, a 3×3 conv (padding 'same') → ReLU
 * → 2×2 max pool; then dense `featureDim` → ReLU (the FID features, like Inception's pool3) and dense
 * `classes` (the logits). Subclassed by the MNIST and CIFAR-10 judges, which fix the sizes.
 * @example const net = new ConvPoolClassifier('Net', [1, 28, 28], [32, 64], 128, 10, new Rng(0));
 */
export class ConvPoolClassifier extends Module implements ClassifierNet {
  readonly convs: Conv2d[];
  readonly fc1: Linear;
  readonly fc2: Linear;
  private readonly flat: number;

  constructor(
    private readonly label: string,
    private readonly itemShape: readonly [number, number, number],
    channels: readonly number[],
    featureDim: number,
    classes: number,
    rng: Rng,
  ) {
    super();
    const [c0, h0, w0] = itemShape;
    const scale = 2 ** channels.length;
    if (h0 % scale !== 0 || w0 % scale !== 0) throw new ShapeError(label, `images ${fmt(itemShape)} do not halve ${channels.length} times`);
    this.convs = channels.map((c, i) => new Conv2d(i === 0 ? c0 : channels[i - 1]!, c, 3, { rng }));
    this.flat = channels[channels.length - 1]! * (h0 / scale) * (w0 / scale);
    this.fc1 = new Linear(this.flat, featureDim, { init: 'he', rng });
    this.fc2 = new Linear(featureDim, classes, { rng });
  }

  /** Both outputs of one pass: logits [N, classes] and features [N, featureDim]. @example const { logits, features } = net.run(x); */
  run(x: Tensor): { logits: Tensor; features: Tensor } {
    const [c, h, w] = this.itemShape;
    if (x.rank !== 4 || x.shape[1] !== c || x.shape[2] !== h || x.shape[3] !== w) {
      throw new ShapeError(this.label, `expected images [N, ${c}, ${h}, ${w}], got ${fmt(x.shape)}`);
    }
    const pooled = this.convs.reduce((hid, conv) => maxPool2x2(relu(conv.forward(hid))), x);
    const features = relu(this.fc1.forward(reshape(pooled, [x.shape[0]!, this.flat])));
    return { logits: this.fc2.forward(features), features };
  }

  override forward(x: Tensor): Tensor {
    return this.run(x).logits;
  }

  /** The penultimate features. @example const f = net.features(x); */
  features(x: Tensor): Tensor {
    return this.run(x).features;
  }
}

/** Options of {@link trainClassifier}. */
export interface TrainClassifierOptions {
  readonly train: ImageDataset;
  /** Held-out set whose accuracy is measured after each epoch (e.g. the test set). */
  readonly test?: ImageDataset;
  readonly epochs?: number;
  readonly batchSize?: number;
  /** Adam learning rate (default 1e-3, with β1 = 0.9, β2 = 0.999). */
  readonly lr?: number;
  /** Multiplies the learning rate after every epoch (default 0.6). */
  readonly lrDecay?: number;
  /** Seed of the batch order (the sampler uses seed + 1). */
  readonly seed?: number;
  readonly backend?: Backend;
  /** Called after each epoch. */
  readonly onEpoch?: (e: { epoch: number; loss: number; testAccuracy: number | null; seconds: number }) => void;
}

/**
 * Trains `net` in place with Adam on softmax cross-entropy: one backend run per step (loss, new
 * parameters and Adam slots together). Returns the last epoch's test accuracy (null without `test`),
 * with the parameters on the host (a backend that kept them in device memory copies them back once).
 * @example const { testAccuracy } = await trainClassifier(new MnistClassifierNet(), { train, test, epochs: 3 });
 */
export async function trainClassifier(net: ClassifierNet, o: TrainClassifierOptions): Promise<{ testAccuracy: number | null; seconds: number }> {
  const epochs = o.epochs ?? 4;
  const batchSize = o.batchSize ?? 64;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`trainClassifier: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`trainClassifier: batchSize must be a positive integer, got ${batchSize}`);
  const seed = o.seed ?? 0;
  const opt = new Adam(net.namedParameters(), { lr: o.lr ?? 1e-3, beta1: 0.9, beta2: 0.999 });
  const sampler = new BatchSampler(o.train, { batchSize, seed: seed + 1 });
  const start = Date.now();
  let testAccuracy: number | null = null;
  for (let epoch = 0; epoch < epochs; epoch++) {
    let lossSum = 0;
    const steps = sampler.batchesPerEpoch;
    for (let s = 0; s < steps; s++) {
      const batch = sampler.next();
      const loss = softmaxCrossEntropy(net.forward(tensor(batch.images, batch.shape)), tensor(batch.labels, [batchSize], 'int32'));
      await opt.step(gradients(loss, opt.params), [loss], o.backend);
      lossSum += (await loss.data())[0]!;
    }
    opt.lr *= o.lrDecay ?? 0.6;
    testAccuracy = o.test ? await classifierAccuracy(net, o.test, o.backend) : null;
    o.onEpoch?.({ epoch, loss: lossSum / steps, testAccuracy, seconds: (Date.now() - start) / 1000 });
  }
  await toHost(net.parameters()); // so that exportClassifier and saveModule read them as they are
  return { testAccuracy, seconds: (Date.now() - start) / 1000 };
}

/** Index of the largest of each row of k scores. */
function argmaxRows(scores: ArrayLike<number>, k: number): Int32Array {
  const out = new Int32Array(scores.length / k);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (scores[i * k + j]! > scores[i * k + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/**
 * Fraction of a labelled dataset the network classifies correctly.
 * @example const acc = await classifierAccuracy(net, loadMnist().test);
 */
export async function classifierAccuracy(net: Module, data: ImageDataset, backend?: Backend, batchSize = 500): Promise<number> {
  let correct = 0;
  for (const batch of epochBatches(data, batchSize)) {
    const logits = noGrad(() => net.forward(tensor(batch.images, batch.shape)));
    await realize([logits], backend);
    const predicted = argmaxRows((await logits.data()) as Float32Array, logits.shape[1]!);
    predicted.forEach((c, i) => (correct += c === batch.labels[i] ? 1 : 0));
  }
  return correct / data.length;
}

/**
 * The network as a standalone ONNX model: input 'images' of `inputShape` ([batch, C, H, W]), outputs
 * 'logits' [batch, K] and 'features' [batch, F].
 * @example writeFileSync('models/mnist-classifier.onnx', exportClassifier(net, [100, 1, 28, 28]));
 */
export function exportClassifier(net: ClassifierNet, inputShape: readonly number[]): Uint8Array {
  return exportOnnx(
    (x) => {
      const { logits, features } = net.run(x);
      return [logits, features];
    },
    [{ name: 'images', shape: inputShape }],
    ['logits', 'features'],
  );
}

/** The images `order` of a dataset as classifier batches of `batch` (no noise: deterministic pixels). */
function* datasetBatches(dataset: ImageDataset, order: Int32Array, batch = 500): Generator<ImageBatch> {
  for (let s = 0; s < order.length; s += batch) {
    const it = readItems(dataset, order.subarray(s, Math.min(order.length, s + batch)));
    yield { data: it.images, shape: it.shape };
  }
}

const inOrder = (d: ImageDataset): Int32Array => Int32Array.from({ length: d.length }, (_, i) => i);

/** The measurements of {@link evaluateExportedClassifier}. */
export interface ExportedClassifierScores {
  /** Test accuracy of the exported file. */
  testAccuracy: number;
  /** Inception Score of the test set (10 splits of a fixed shuffle): the ceiling a generator can reach. */
  testInceptionScore: { mean: number; std: number };
  /** FID of the test set against each named real set. */
  fid: Record<string, number>;
  seconds: number;
}

/**
 * Measures an exported classifier through the same `OnnxClassifier` path every evaluation uses: its
 * accuracy on `test`, the Inception Score of `test` (split after a fixed shuffle, so that folders sorted
 * by class give real splits) and the FID of `test` against each set of `against`.
 * @example const s = await evaluateExportedClassifier('models/mnist-classifier.onnx', MNIST_CLASSIFIER, mnist.test, { train60k: mnist.trainFull });
 */
export async function evaluateExportedClassifier(
  path: string,
  options: OnnxClassifierOptions,
  test: ImageDataset,
  against: Readonly<Record<string, ImageDataset>>,
): Promise<ExportedClassifierScores> {
  const t0 = Date.now();
  const judge = await OnnxClassifier.load(path, options);
  try {
    // A fixed shuffle: the Inception Score's splits must not follow a folder sorted by class.
    const order = new Rng(0).permutation(test.length);
    const { probs, classes } = await judge.classify(datasetBatches(test, order));
    const labels = readItems(test, order).labels;
    const predicted = argmaxRows(probs, classes);
    let correct = 0;
    predicted.forEach((c, i) => (correct += c === labels[i] ? 1 : 0));
    const testInceptionScore = inceptionScore(probs, classes, 10);
    const fid: Record<string, number> = {};
    for (const [name, set] of Object.entries(against)) fid[name] = await judge.fid(datasetBatches(test, order), datasetBatches(set, inOrder(set)));
    return { testAccuracy: correct / test.length, testInceptionScore, fid, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await judge.close();
  }
}
