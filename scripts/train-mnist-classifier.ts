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
import { loadMnist } from '../src/data/mnist.js';
import { evaluateExportedClassifier } from '../src/metrics/classifier-training.js';
import { exportMnistClassifier, MNIST_CLASSIFIER, mnistClassifierPath, trainMnistClassifier } from '../src/metrics/mnist-classifier.js';
import { ortBackend } from '../src/node.js';
import { classifierScriptArgs, printResult, writeModel } from './classifier-script.js';

const args = classifierScriptArgs({ epochs: 4, lrDecay: 0.6, threads: 2, out: mnistClassifierPath() });
const backend = ortBackend({ threads: args.threads });
const mnist = loadMnist();
console.log(`training on ${mnist.trainFull.length} images, ${args.epochs} epochs, batch ${args.batch}, ${args.threads} thread(s)`);
const { net, seconds } = await trainMnistClassifier({ ...args.training, train: mnist.trainFull, test: mnist.test, backend });
const bytes = exportMnistClassifier(net);
writeModel(args.out, bytes);

// Everything below goes through the exported file, exactly as evaluations will.
const scores = await evaluateExportedClassifier(args.out, { ...MNIST_CLASSIFIER, threads: args.threads }, mnist.test, { train60k: mnist.trainFull, dev10k: mnist.dev });
printResult(args, seconds, scores, bytes.length);
