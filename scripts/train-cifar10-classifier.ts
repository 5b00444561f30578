/**
 * Trains the CIFAR-10 evaluation classifier with this engine on the 50,000 real training images,
 * exports it to models/cifar10-classifier.onnx and measures, through the same OnnxClassifier path
 * every CIFAR evaluation uses: the test accuracy of the exported model, the Inception Score of the real
 * test set (the ceiling a generator can reach) and the FID of the test set against the training set.
 *
 * Usage: node --import tsx scripts/train-cifar10-classifier.ts --data DIR [--epochs 6] [--batch 64] [--lr 1e-3]
 *        [--lr-decay 0.7] [--threads 1] [--seed 0] [--out models/cifar10-classifier.onnx]
 * DIR is what `wgan-gp train --preset cifar10-dcgan --data` takes: the official binary folder, or an
 * image folder with train/ and test/ class subfolders (e.g. the JPEG copy). Pixels are scaled as
 * gan_cifar.py's, 2(x/255 − 0.5). Prints per-epoch progress and one JSON line of results at the end
 * (the numbers docs/EXPERIMENTS.md records).
 */
import { resolveRunConfig } from '../src/app/experiment.js';
import { loadImageData } from '../src/app/image/data.js';
import { imageExperiment } from '../src/app/image/index.js';
import { evaluateExportedClassifier } from '../src/metrics/classifier-training.js';
import { CIFAR10_CLASSIFIER, cifar10ClassifierPath, exportCifar10Classifier, trainCifar10Classifier } from '../src/metrics/cifar10-classifier.js';
import { ortBackend } from '../src/node.js';
import { classifierScriptArgs, printResult, writeModel } from './classifier-script.js';

const args = classifierScriptArgs({ epochs: 6, lrDecay: 0.7, threads: 1, out: cifar10ClassifierPath() });
if (!args.data) throw new Error('--data DIR is required: the CIFAR-10 binary folder or an image folder with train/ and test/ class subfolders');
const backend = ortBackend({ threads: args.threads });
const data = loadImageData(resolveRunConfig(imageExperiment, { preset: 'cifar10-dcgan', flags: { data: args.data } }), (line) => console.log(line));
if (!data.heldOut) throw new Error(`--data: ${args.data} has no held-out set (test/ beside train/, or the binary test_batch.bin)`);
if (data.numClasses !== 10) throw new Error(`--data: expected 10 classes, ${args.data} has ${data.numClasses}`);
console.log(data.description);
console.log(`training on ${data.train.length} images, ${args.epochs} epochs, batch ${args.batch}, ${args.threads} thread(s)`);
const { net, seconds } = await trainCifar10Classifier({ ...args.training, train: data.train, test: data.heldOut, backend });
const bytes = exportCifar10Classifier(net);
writeModel(args.out, bytes);

// Everything below goes through the exported file, exactly as evaluations will.
const scores = await evaluateExportedClassifier(args.out, { ...CIFAR10_CLASSIFIER, threads: args.threads }, data.heldOut, { train50k: data.train });
printResult(args, seconds, scores, bytes.length, { data: data.description });
