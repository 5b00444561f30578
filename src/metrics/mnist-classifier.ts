/**
 * The MNIST judge for Inception Score and FID: a small CNN trained with this engine on the real MNIST
 * training set and exported to ONNX (models/mnist-classifier.onnx, made by
 * scripts/train-mnist-classifier.ts), so MNIST samples are scored through the same `OnnxClassifier`
 * path as Inception scores of CIFAR-10.
 *
 * Architecture (LeNet-like, sized for 2 CPU cores): conv3×3 32 → ReLU → 2×2 max pool → conv3×3 64 →
 * ReLU → 2×2 max pool → dense 128 → ReLU (the "features" for FID, like Inception's pool3) → dense 10
 * ("logits"). Pixels in [0, 1] (the x/256 scaling of the reference gan_mnist.py data). Pooling right
 * after the first conv (instead of two full-resolution convs, then one pool) makes the second conv 4×
 * cheaper, which keeps training to a few minutes on 2 cores.
 */
import { fileURLToPath } from 'node:url';
import type { ImageDataset } from '../data/batches.js';
import { Rng } from '../tensor/random.js';
import type { Backend } from '../tensor/tensor.js';
import type { OnnxClassifierOptions } from './classifier.js';
import { ConvPoolClassifier, classifierAccuracy, exportClassifier, maxPool2x2, trainClassifier, type TrainClassifierOptions } from './classifier-training.js';

export { maxPool2x2 };

/** Number of features the MNIST classifier exposes for FID. */
export const MNIST_FEATURE_DIM = 128;

/** Batch size the committed ONNX model is exported with (OnnxClassifier pads the last batch). */
export const MNIST_EXPORT_BATCH = 100;

/**
 * `OnnxClassifier` settings for models/mnist-classifier.onnx: images [N, 1, 28, 28] with pixels in
 * [0, 1] (as the MNIST data and gan_mnist.py's sigmoid generator); for images in [−1, 1] pass
 * `{ ...MNIST_CLASSIFIER, imageRange: [-1, 1] }`.
 * @example const judge = await OnnxClassifier.load(mnistClassifierPath(), MNIST_CLASSIFIER);
 */
export const MNIST_CLASSIFIER: OnnxClassifierOptions = {
  imageRange: [0, 1],
  modelRange: [0, 1],
  scoresOutput: 'logits',
  scoresKind: 'logits',
  featuresOutput: 'features',
  resize: 'none',
};

/**
 * The path of the committed models/mnist-classifier.onnx (resolved from this module's location, so it
 * works from src/ under tsx and from dist/ after a build).
 * @example const judge = await OnnxClassifier.load(mnistClassifierPath(), MNIST_CLASSIFIER);
 */
export function mnistClassifierPath(): string {
  return fileURLToPath(new URL('../../models/mnist-classifier.onnx', import.meta.url));
}

/**
 * The classifier network: `forward` gives logits [N, 10], `features` the 128 penultimate activations.
 * @example const net = new MnistClassifierNet(new Rng(0)); const logits = net.forward(images);
 */
export class MnistClassifierNet extends ConvPoolClassifier {
  constructor(rng: Rng = new Rng(0)) {
    super('MnistClassifierNet', [1, 28, 28], [32, 64], MNIST_FEATURE_DIM, 10, rng);
  }
}

/** Options of {@link trainMnistClassifier} (see {@link TrainClassifierOptions}; `seed` also seeds the weights). */
export type TrainMnistClassifierOptions = TrainClassifierOptions;

/**
 * Trains the network with Adam on softmax cross-entropy: one backend run per step (loss, new
 * parameters and Adam slots together).
 * @example
 * const mnist = loadMnist();
 * const { net, testAccuracy } = await trainMnistClassifier({ train: mnist.trainFull, test: mnist.test, epochs: 3 });
 */
export async function trainMnistClassifier(
  o: TrainMnistClassifierOptions,
): Promise<{ net: MnistClassifierNet; testAccuracy: number | null; seconds: number }> {
  const net = new MnistClassifierNet(new Rng(o.seed ?? 0));
  return { net, ...(await trainClassifier(net, o)) };
}

/**
 * Fraction of a labelled dataset the network classifies correctly.
 * @example const acc = await mnistAccuracy(net, loadMnist().test);
 */
export function mnistAccuracy(net: MnistClassifierNet, data: ImageDataset, backend?: Backend, batchSize = 500): Promise<number> {
  return classifierAccuracy(net, data, backend, batchSize);
}

/**
 * The network as a standalone ONNX model: input 'images' [batch, 1, 28, 28] (pixels in [0, 1]),
 * outputs 'logits' [batch, 10] and 'features' [batch, 128].
 * @example writeFileSync('models/mnist-classifier.onnx', exportMnistClassifier(net));
 */
export function exportMnistClassifier(net: MnistClassifierNet, batch = MNIST_EXPORT_BATCH): Uint8Array {
  return exportClassifier(net, [batch, 1, 28, 28]);
}
