/**
 * The evaluation classifiers that ship with the project (models/*.onnx), by the name `--classifier`
 * takes: 'mnist' (src/metrics/mnist-classifier.ts) and 'cifar10' (src/metrics/cifar10-classifier.ts).
 * Any other `--classifier` value is a path to an ONNX file.
 */
import type { OnnxClassifierOptions } from './classifier.js';
import { CIFAR10_CLASSIFIER, cifar10ClassifierPath } from './cifar10-classifier.js';
import { MNIST_CLASSIFIER, mnistClassifierPath } from './mnist-classifier.js';

/** A bundled classifier: its file, its `OnnxClassifier` settings and the images it judges. */
export interface BundledClassifier {
  readonly path: () => string;
  readonly options: OnnxClassifierOptions;
  /** The images it was trained on, `[C, H, W]`. */
  readonly itemShape: readonly [number, number, number];
}

/** The bundled classifiers by name. */
export const BUNDLED_CLASSIFIERS: Readonly<Record<'mnist' | 'cifar10', BundledClassifier>> = {
  mnist: { path: mnistClassifierPath, options: MNIST_CLASSIFIER, itemShape: [1, 28, 28] },
  cifar10: { path: cifar10ClassifierPath, options: CIFAR10_CLASSIFIER, itemShape: [3, 32, 32] },
};

/** The names of the bundled classifiers. */
export type BundledClassifierName = keyof typeof BUNDLED_CLASSIFIERS;

/**
 * True when `name` names a bundled classifier (rather than an ONNX file).
 * @example isBundledClassifier('cifar10') // true; isBundledClassifier('inception.onnx') // false
 */
export function isBundledClassifier(name: unknown): name is BundledClassifierName {
  return typeof name === 'string' && Object.hasOwn(BUNDLED_CLASSIFIERS, name);
}

/**
 * The file and settings a `--classifier` value stands for: a bundled classifier's, or the path itself
 * with no settings (the caller's options and `OnnxClassifier`'s defaults apply).
 * @example const { path, options } = resolveClassifier('cifar10'); // models/cifar10-classifier.onnx, CIFAR10_CLASSIFIER
 */
export function resolveClassifier(name: string): { path: string; options: OnnxClassifierOptions } {
  if (typeof name !== 'string' || name === '') throw new Error(`resolveClassifier: name must be a non-empty string, got ${JSON.stringify(name)}`);
  if (isBundledClassifier(name)) return { path: BUNDLED_CLASSIFIERS[name].path(), options: BUNDLED_CLASSIFIERS[name].options };
  return { path: name, options: {} };
}
