/**
 * The command line the classifier-training scripts share (scripts/train-mnist-classifier.ts,
 * scripts/train-cifar10-classifier.ts): the flags, per-epoch progress lines and writing the model.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { ExportedClassifierScores, TrainClassifierOptions } from '../src/metrics/classifier-training.js';

/** The defaults a script sets for the shared flags. */
export interface ClassifierScriptDefaults {
  readonly epochs: number;
  readonly lrDecay: number;
  readonly threads: number;
  readonly out: string;
}

/** The parsed flags: numbers checked, plus `--data` (undefined when not given). */
export interface ClassifierScriptArgs {
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  readonly lrDecay: number;
  readonly threads: number;
  readonly seed: number;
  readonly out: string;
  readonly data: string | undefined;
  /** The training settings of the flags, with a progress line per epoch on stdout. */
  readonly training: Omit<TrainClassifierOptions, 'train' | 'test' | 'backend'>;
}

/**
 * Parses --epochs --batch --lr --lr-decay --threads --seed --out (and --data) of `argv`.
 * @example const args = classifierScriptArgs({ epochs: 4, lrDecay: 0.6, threads: 2, out: mnistClassifierPath() });
 */
export function classifierScriptArgs(defaults: ClassifierScriptDefaults, argv: string[] = process.argv.slice(2)): ClassifierScriptArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      epochs: { type: 'string', default: String(defaults.epochs) },
      batch: { type: 'string', default: '64' },
      lr: { type: 'string', default: '1e-3' },
      'lr-decay': { type: 'string', default: String(defaults.lrDecay) },
      threads: { type: 'string', default: String(defaults.threads) },
      seed: { type: 'string', default: '0' },
      out: { type: 'string', default: defaults.out },
    },
  });
  const num = (k: 'epochs' | 'batch' | 'lr' | 'lr-decay' | 'threads' | 'seed'): number => {
    const v = Number(values[k]);
    if (!Number.isFinite(v)) throw new Error(`--${k} must be a number, got '${String(values[k])}'`);
    return v;
  };
  const [epochs, batch, lr, lrDecay, threads, seed] = [num('epochs'), num('batch'), num('lr'), num('lr-decay'), num('threads'), num('seed')];
  return {
    epochs,
    batch,
    lr,
    lrDecay,
    threads,
    seed,
    out: values.out!,
    data: values.data,
    training: {
      epochs,
      batchSize: batch,
      lr,
      lrDecay,
      seed,
      onEpoch: (e) =>
        console.log(`epoch ${e.epoch + 1}: train loss ${e.loss.toFixed(4)}, test accuracy ${((e.testAccuracy ?? 0) * 100).toFixed(2)}%, ${e.seconds.toFixed(0)} s`),
    },
  };
}

/**
 * Writes an exported model to `out` (creating its folder) and says so.
 * @example writeModel(args.out, exportMnistClassifier(net));
 */
export function writeModel(out: string, bytes: Uint8Array): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  console.log(`wrote ${out} (${(bytes.length / 1024).toFixed(0)} KiB)`);
}

/**
 * Prints the one JSON line of results: the settings, training time, the exported model's scores
 * (each FID under `fid<Name>` of its set's name, e.g. fidTestVsTrain60k) and its size.
 * @example printResult(args, seconds, scores, bytes.length);
 */
export function printResult(args: ClassifierScriptArgs, trainSeconds: number, scores: ExportedClassifierScores, bytes: number, extra: Record<string, unknown> = {}): void {
  const fids = Object.fromEntries(Object.entries(scores.fid).map(([name, v]) => [`fidTestVs${name[0]!.toUpperCase()}${name.slice(1)}`, v]));
  const result = {
    ...extra,
    epochs: args.epochs,
    lrDecay: args.lrDecay,
    batch: args.batch,
    threads: args.threads,
    trainSeconds: Math.round(trainSeconds),
    testAccuracy: scores.testAccuracy,
    testInceptionScore: scores.testInceptionScore,
    ...fids,
    evalSeconds: Math.round(scores.seconds),
    bytes,
  };
  console.log(JSON.stringify(result));
}
