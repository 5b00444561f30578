/**
 * The CIFAR-10 judge for Inception Score and FID: a small CNN trained with this engine on the real
 * CIFAR-10 training images and exported to ONNX (models/cifar10-classifier.onnx, made by
 * scripts/train-cifar10-classifier.ts). It is a cheap stand-in for Inception-v3 on a 2-core CPU:
 * its scores rank CIFAR generators against each other and against the real-data ceiling, but are not
 * comparable with published Inception Scores or FIDs.
 *
 * Architecture (VGG-like, sized for one CPU thread): conv3×3 32 → ReLU → 2×2 max pool → conv3×3 64 →
 * ReLU → 2×2 max pool → conv3×3 128 → ReLU → 2×2 max pool → dense 256 → ReLU (the "features" for FID)
 * → dense 10 ("logits"). Pixels in [−1, 1] (gan_cifar.py's 2(x/255 − 0.5), the range of the CIFAR
 * generators' tanh output). One conv per resolution, pooled right away, keeps a training epoch to a
 * few minutes on one thread.
 */
import { fileURLToPath } from 'node:url';
import { Rng } from '../tensor/random.js';
import type { OnnxClassifierOptions } from './classifier.js';
import { ConvPoolClassifier, exportClassifier, trainClassifier, type TrainClassifierOptions } from './classifier-training.js';

/** Number of features the CIFAR-10 classifier exposes for FID. */
export const CIFAR10_FEATURE_DIM = 256;

/** Batch size the committed ONNX model is exported with (OnnxClassifier pads the last batch). */
export const CIFAR10_EXPORT_BATCH = 100;

/**
 * `OnnxClassifier` settings for models/cifar10-classifier.onnx: images [N, 3, 32, 32] with pixels in
 * [−1, 1] (the CIFAR data's 'symmetric' scaling and the generators' tanh); for images in [0, 1] pass
 * `{ ...CIFAR10_CLASSIFIER, imageRange: [0, 1] }`.
 * @example const judge = await OnnxClassifier.load(cifar10ClassifierPath(), CIFAR10_CLASSIFIER);
 */
export const CIFAR10_CLASSIFIER: OnnxClassifierOptions = {
  imageRange: [-1, 1],
  modelRange: [-1, 1],
  scoresOutput: 'logits',
  scoresKind: 'logits',
  featuresOutput: 'features',
  resize: 'none',
};

/**
 * The path of the committed models/cifar10-classifier.onnx (resolved from this module's location, so
 * it works from src/ under tsx and from dist/ after a build).
 * @example const judge = await OnnxClassifier.load(cifar10ClassifierPath(), CIFAR10_CLASSIFIER);
 */
export function cifar10ClassifierPath(): string {
  return fileURLToPath(new URL('../../models/cifar10-classifier.onnx', import.meta.url));
}

/**
 * The classifier network: `forward` gives logits [N, 10], `features` the 256 penultimate activations.
 * @example const net = new Cifar10ClassifierNet(new Rng(0)); const logits = net.forward(images);
 */
export class Cifar10ClassifierNet extends ConvPoolClassifier {
  constructor(rng: Rng = new Rng(0)) {
    super('Cifar10ClassifierNet', [3, 32, 32], [32, 64, 128], CIFAR10_FEATURE_DIM, 10, rng);
  }
}

/**
 * Trains a fresh network (weights from `seed`) with Adam on softmax cross-entropy, one backend run
 * per step; see {@link TrainClassifierOptions} for the settings and their defaults.
 * @example
 * const data = loadImageData(resolveRunConfig(imageExperiment, { preset: 'cifar10-dcgan', flags: { data: '/tmp/c10/cifar10-jpeg' } }));
 * const { net, testAccuracy } = await trainCifar10Classifier({ train: data.train, test: data.heldOut!, epochs: 6 });
 */
export async function trainCifar10Classifier(o: TrainClassifierOptions): Promise<{ net: Cifar10ClassifierNet; testAccuracy: number | null; seconds: number }> {
  const net = new Cifar10ClassifierNet(new Rng(o.seed ?? 0));
  return { net, ...(await trainClassifier(net, o)) };
}

/**
 * The network as a standalone ONNX model: input 'images' [batch, 3, 32, 32] (pixels in [−1, 1]),
 * outputs 'logits' [batch, 10] and 'features' [batch, 256].
 * @example writeFileSync('models/cifar10-classifier.onnx', exportCifar10Classifier(net));
 */
export function exportCifar10Classifier(net: Cifar10ClassifierNet, batch = CIFAR10_EXPORT_BATCH): Uint8Array {
  return exportClassifier(net, [batch, 3, 32, 32]);
}
