/**
 * Converts a CIFAR-10 image folder (the JPEG copy's layout: SRC/train/<class>/*, SRC/test/<class>/*)
 * into the official binary files, which every process loads at once (a sweep's trials each decode
 * the 60,000 JPEGs otherwise).
 *
 *   node --import tsx scripts/cifar10-to-bin.ts /tmp/cifar10-jpeg /tmp/cifar10-bin [--seed 0]
 */
import { parseArgs } from 'node:util';
import { cifar10FolderToBinary } from '../src/data/cifar10.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { seed: { type: 'string', default: '0' } } });
const [src, out] = positionals;
const seed = Number(values.seed);
if (!src || !out || positionals.length > 2 || !Number.isSafeInteger(seed)) {
  console.error('usage: node --import tsx scripts/cifar10-to-bin.ts SRC_IMAGE_FOLDER OUT_FOLDER [--seed N]');
  process.exit(2);
}
try {
  const r = cifar10FolderToBinary(src, out, { seed, log: (l) => console.error(l) });
  console.log(`wrote ${r.train} training and ${r.test} test images:\n  ${r.files.join('\n  ')}`);
} catch (e) {
  console.error(`cifar10-to-bin: ${(e as Error).message}`);
  process.exit(1);
}
