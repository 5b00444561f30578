/**
 * The command line on a device, end to end, as a user runs it (for a GPU machine:
 * bench/webgpu-device.sh part `e2e`): a toy WGAN-GP run with checkpoints, resumed to a longer run
 * and evaluated; a short CIFAR-10 DCGAN run on a small CIFAR-10 binary folder written here, then
 * samples and the ONNX export of its generator. With `--device webgpu` the parameters and optimizer
 * state live on the GPU between steps, so this exercises every place they must reach the host
 * (checkpoints, evaluation, samples, export) and the way back (resume).
 *
 *   node --import tsx bench/webgpu-e2e.ts [--device webgpu] [--out DIR] [--toy-iters 300]   (from the repository root)
 *
 * Prints each command, its exit code and the toy evaluation's JSON; exits 1 when a command fails or
 * the toy run captured fewer than 7 of the 8 modes.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as cli } from '../src/cli/main.js';
import { CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, encodeCifar10Bin } from '../src/data/cifar10.js';
import { Rng } from '../src/tensor/random.js';

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
}

/** A CIFAR-10 binary folder of `perFile` random 32×32 images per file (labels cycling over 10). */
function writeSmallCifar(dir: string, perFile: number): void {
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(1);
  for (const name of [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE]) {
    const labels = Uint8Array.from({ length: perFile }, (_, i) => i % 10);
    const pixels = Uint8Array.from(rng.uniform([perFile * 3072]).value!, (v) => Math.floor(v * 256));
    writeFileSync(join(dir, name), encodeCifar10Bin(labels, pixels));
  }
}

async function main(): Promise<number> {
  const device = flag('device', 'webgpu');
  const out = flag('out', mkdtempSync(join(tmpdir(), 'wgan-e2e-')));
  const toyIters = Number(flag('toy-iters', '300'));
  const common = ['--device', device, '--progress', 'none'];
  let failed = false;
  const run = async (args: string[]): Promise<void> => {
    const t0 = performance.now();
    console.log(`$ wgan-gp ${args.join(' ')}`);
    const code = await cli(['node', 'wgan-gp', ...args]);
    console.log(`  exit ${code} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (code !== 0) failed = true;
  };
  const toy = join(out, 'toy');
  await run(['train', '--preset', 'toy-8gaussians', '--out', toy, '--iters', String(toyIters), '--checkpoint-every', String(Math.max(1, toyIters / 3)), ...common]);
  await run(['resume', toy, '--iters', String(toyIters + 100), '--device', device]);
  // eval prints its JSON on stdout: keep it to read the modes.
  let printed = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    printed += String(chunk);
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  await run(['eval', toy, '--device', device]);
  process.stdout.write = write;
  const modes = /"modes\w*":\s*(\d+)/.exec(printed)?.[1];
  if (modes === undefined || Number(modes) < 7) {
    console.log(`  the toy run captured ${modes ?? 'no reported'} modes (7 of 8 expected)`);
    failed = true;
  }
  const data = join(out, 'cifar');
  writeSmallCifar(data, 64);
  const img = join(out, 'dcgan');
  // The bundled classifier by path from the repository root (a bundle of this script does not sit
  // where the package's models/ folder is found from).
  const classifier = join(process.cwd(), 'models', 'cifar10-classifier.onnx');
  await run(['train', '--preset', 'cifar10-dcgan', '--data', data, '--out', img, '--iters', '4', '--checkpoint-every', '2', '--dim', '32', '--classifier', classifier, ...common]);
  await run(['resume', img, '--iters', '6', '--device', device]);
  await run(['sample', img, '--num', '16', '--out', join(out, 'samples.png'), '--device', device]);
  await run(['export', img, '--out', join(out, 'generator.onnx')]);
  console.log(`outputs in ${out}: ${readdirSync(out).join(', ')}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error((e as Error).stack ?? String(e));
    process.exit(1);
  },
);
