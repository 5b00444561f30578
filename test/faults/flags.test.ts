// Faults: bad command-line flags and config files. Each is refused before anything is allocated or
// written (exit 2 for usage, 1 for a folder that cannot be used), with a message naming the flag,
// field or file, and no file under the test folder changes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe } from 'node:test';
import { PNG } from 'pngjs';
import { testFolder } from '../support/run-env.js';
import { faultCases, TINY, type FaultCase } from './support.js';

const tmp = testFolder('wgan-gp-faults-flags-');
const out = (): string => join(tmp.root, 'never');
const train = (...a: string[]) => (): string[] => ['train', '--out', out(), ...TINY, ...a];
const file = (name: string): string => join(tmp.root, name);
const config = (name: string, text: string) => async (): Promise<void> => writeFile(file(name), text);

const flagCases: FaultCase[] = [
  { name: '--iters 0x10 (hex) is not a decimal number', args: train('--iters', '0x10'), code: 2, message: /--iters <n>' argument '0x10' is invalid.*not a decimal number/ },
  { name: "--iters '' is refused", args: train('--iters', ''), code: 2, message: /--iters <n>' argument '' is invalid/ },
  { name: '--iters " 5" (padded) is refused', args: train('--iters', ' 5'), code: 2, message: /--iters <n>' argument ' 5' is invalid/ },
  { name: '--iters 1.5 is not an integer', args: train('--iters', '1.5'), code: 2, message: /--iters <n>' argument '1.5' is invalid.*not an integer/ },
  { name: '--iters 0 is below the range', args: train('--iters', '0'), code: 2, message: /iters must be >= 1, got 0/ },
  { name: '--iters 1e10 is above the range', args: train('--iters', '1e10'), code: 2, message: /iters must be <= 1000000000, got 10000000000/ },
  { name: '--iters Infinity is refused', args: train('--iters', 'Infinity'), code: 2, message: /--iters <n>' argument 'Infinity' is invalid/ },
  { name: '--lr -1 is refused', args: train('--lr', '-1'), code: 2, message: /lr must be > 0, got -1/ },
  { name: '--lr 1e30 is above the range', args: train('--lr', '1e30'), code: 2, message: /lr must be <= 100, got 1e\+30/ },
  { name: '--lambda 1e38 is above the range', args: train('--lambda', '1e38'), code: 2, message: /lambda must be <= 1000000, got 1e\+38/ },
  { name: '--lambda NaN is refused', args: train('--lambda', 'NaN'), code: 2, message: /--lambda <x>' argument 'NaN' is invalid/ },
  { name: '--clip 0 is refused', args: train('--loss', 'wgan', '--clip', '0'), code: 2, message: /clip must be > 0, got 0/ },
  { name: '--beta1 2 is refused', args: train('--beta1', '2'), code: 2, message: /beta1 must be <= 1, got 2/ },
  { name: '--n-critic 0 is refused', args: train('--n-critic', '0'), code: 2, message: /nCritic must be >= 1, got 0/ },
  { name: '--seed -1 is refused', args: train('--seed', '-1'), code: 2, message: /seed must be >= 0, got -1/ },
  { name: '--seed 5e9 is beyond 32 bits', args: train('--seed', '5e9'), code: 2, message: /seed must be <= 4294967295/ },
  { name: '--threads 0 is refused', args: train('--threads', '0'), code: 2, message: /threads must be >= 1, got 0/ },
  { name: '--hidden 1e10 is above the range', args: train('--hidden', '1e10'), code: 2, message: /hidden must be <= 65536, got 10000000000/ },
  { name: '--hidden 60000 cannot be allocated: refused before anything, naming --hidden', args: train('--hidden', '60000'), code: 2, message: /--hidden 60000 is too large.*lower --hidden/ },
  { name: '--batch-size 900000 cannot be allocated: refused naming --batch-size', args: train('--hidden', '512', '--batch-size', '900000'), code: 2, message: /--batch-size 900000 is too large.*lower --batch-size/ },
  { name: 'language --dim 8192 cannot be allocated: refused naming --dim', args: () => ['train', '--out', out(), '--preset', 'language', '--dim', '8192', '--progress', 'none'], code: 2, message: /--dim 8192 is too large.*lower --dim/ },
  { name: 'language --batch-size 60000 cannot be allocated: refused naming --batch-size', args: () => ['train', '--out', out(), '--preset', 'language', '--batch-size', '60000', '--progress', 'none'], code: 2, message: /--batch-size 60000 is too large.*lower --batch-size/ },
  { name: 'cifar10-resnet --dim 4096 cannot be allocated: refused naming --dim, before the data are read', args: () => ['train', '--out', out(), '--preset', 'cifar10-resnet', '--data', file('no-such-cifar'), '--dim', '4096', '--progress', 'none'], code: 2, message: /--dim 4096 is too large.*lower --dim/ },
  { name: 'cifar10-arch --g-dim 1e5 is above the range', args: () => ['train', '--out', out(), '--preset', 'cifar10-arch', '--g-dim', '100000', '--progress', 'none'], code: 2, message: /gDim must be <= 4096, got 100000/ },
  { name: '--batch-size 0 is refused', args: train('--batch-size', '0'), code: 2, message: /batchSize must be >= 1, got 0/ },
  { name: '--layers 1000 is above the range', args: train('--layers', '1000'), code: 2, message: /layers must be <= 256, got 1000/ },
  { name: '--eval-samples 1e7 is above the range', args: train('--eval-samples', '1e7'), code: 2, message: /evalSamples must be <= 1000000/ },
  { name: '--log-every 0 is refused', args: train('--log-every', '0'), code: 2, message: /logEvery must be >= 1, got 0/ },
  { name: '--loss foo is not a loss', args: train('--loss', 'foo'), code: 2, message: /--loss <name>' argument 'foo' is invalid/ },
  { name: '--device tpu is not a device', args: train('--device', 'tpu'), code: 2, message: /--device <name>' argument 'tpu' is invalid/ },
  { name: 'an unknown preset is named with the list', args: train('--preset', 'toy-9gaussians'), code: 2, message: /unknown preset 'toy-9gaussians'.*toy-8gaussians/ },
  { name: 'an unknown flag is named', args: train('--lamda', '1'), code: 2, message: /unknown option '--lamda'/ },
  { name: 'a flag of another kind is named with its kinds', args: train('--dim', '8'), code: 2, message: /--dim is not a setting of toy runs/ },
  { name: "--out '' is refused (it would write into the current folder)", args: () => ['train', '--out', '', ...TINY], code: 1, message: /--out is empty/ },
  { name: '--out /proc/x is refused at once (mkdir -p would spin)', args: () => ['train', '--out', '/proc/x', ...TINY], code: 1, message: /--out '\/proc\/x' is under \/proc/ },
  { name: '--out under a file is refused', setup: config('a-file', 'x'), args: () => ['train', '--out', join(file('a-file'), 'run'), ...TINY], code: 1, message: /--out '.*a-file\/run': '.*a-file' is a file, not a folder/ },
  { name: '--out naming a file is refused', setup: config('b-file', 'x'), args: () => ['train', '--out', file('b-file'), ...TINY], code: 1, message: /--out '.*b-file': '.*b-file' is a file, not a folder/ },
  { name: '--device webgpu without a GPU: a clear message, no run folder', args: train('--iters', '2', '--device', 'webgpu'), code: 1, message: /--device webgpu: the backend cannot run: .*use --device cpu|--device webgpu/ },
  { name: 'resume --iters 0x10 is refused', args: () => ['resume', out(), '--iters', '0x10'], code: 2, message: /--iters <n>' argument '0x10' is invalid/ },
  { name: 'resume of a folder that is no run names it', args: () => ['resume', out()], code: 1, message: /'.*never' is not a run folder/ },
  { name: 'figure --iters 0x10 is refused', args: () => ['figure', 'fig1a', '--iters', '0x10', '--out', out()], code: 2, message: /--iters <n>' argument '0x10' is invalid/ },
  { name: 'figure --hidden 0 is refused', args: () => ['figure', 'fig1a', '--hidden', '0', '--out', out()], code: 2, message: /--hidden must be >= 1, got 0/ },
];

const cfg = (name: string, text: string, message: RegExp, code = 2): FaultCase => ({ name, setup: config(`${name.replace(/\W+/g, '-')}.json`, text), args: () => ['train', '--config', file(`${name.replace(/\W+/g, '-')}.json`), '--out', out(), ...TINY], code, message });

const configCases: FaultCase[] = [
  cfg('a config file with a byte-order mark is read (its bad value is then named)', '\uFEFF{"lambda": -1}', /config file '.*': lambda must be >= 0, got -1/),
  cfg('a config file that is not JSON names the file', '{"lambda": 0.1,', /config file '.*' is not valid JSON/),
  cfg('a config file holding an array', '[1, 2]', /expected a JSON object of settings, got \[1,2\]/),
  cfg('a config file with a typo gets a suggestion', '{"lamda": 1}', /unknown setting 'lamda' \(did you mean 'lambda'\?\)/),
  cfg('a config file with a string count names the field', '{"iters": "10"}', /iters must be an integer, got "10"/),
  cfg('a config file with 1e400 (Infinity after parsing)', '{"iters": 1e400}', /iters must be an integer, got null/),
  cfg('a config file with iters 0x10 as a string', '{"iters": "0x10"}', /iters must be an integer, got "0x10"/),
  cfg('a config file with __proto__ is an unknown key', '{"__proto__": {"iters": 1}}', /unknown setting '__proto__'/),
  cfg('a config file of an unknown kind', '{"kind": "audio"}', /unknown experiment kind 'audio'/),
  cfg('a config file with a negative batch size', '{"batchSize": -4}', /batchSize must be >= 1, got -4/),
  {
    name: 'a config file that is a FIFO is refused without blocking',
    setup: async () => void execFileSync('mkfifo', [file('fifo.json')]),
    args: () => ['train', '--config', file('fifo.json'), '--out', out()],
    code: 2,
    message: /config file '.*fifo\.json' is a named pipe \(FIFO\), not a regular file/,
  },
  {
    name: 'a config file that is a folder is refused',
    setup: async () => void (await mkdir(file('folder.json'), { recursive: true })),
    args: () => ['train', '--config', file('folder.json'), '--out', out()],
    code: 2,
    message: /config file '.*folder\.json' is a folder, not a regular file/,
  },
  { name: 'a missing config file is named', args: () => ['train', '--config', file('missing.json'), '--out', out()], code: 2, message: /cannot read config file '.*missing\.json': no such file/ },
];

/** A CIFAR-style image folder (train/ and test/ class folders) with the given files. */
const imageFolder = (name: string, files: Record<string, Uint8Array | string>) => async (): Promise<void> => {
  for (const [f, bytes] of Object.entries(files)) {
    await mkdir(join(file(name), f, '..'), { recursive: true });
    await writeFile(join(file(name), f), bytes);
  }
};
const png = (): Uint8Array => {
  const img = new PNG({ width: 32, height: 32 });
  img.data.fill(128);
  return PNG.sync.write(img);
};
const image = (...a: string[]) => (): string[] => ['train', '--preset', 'cifar10-dcgan', '--out', out(), '--iters', '1', '--dim', '4', '--threads', '1', ...a];

const dataCases: FaultCase[] = [
  { name: 'image --data that does not exist names it', args: () => image('--data', file('no-images'))(), code: 2, message: /--data.*no-images/ },
  { name: 'language --data that does not exist names it', args: () => ['train', '--preset', 'language', '--out', out(), '--data', file('no-corpus.txt'), '--threads', '1'], code: 2, message: /no-corpus\.txt/ },
  {
    name: 'an image folder whose images are all undecodable is refused before a run folder is made',
    setup: imageFolder('all-bad', { 'train/a/0.png': 'not a png', 'train/b/1.jpg': 'not a jpeg', 'test/a/2.png': 'no', 'test/b/3.png': 'no' }),
    args: () => image('--data', file('all-bad'))(),
    code: 2,
    message: /--data: images .*all-bad\/train: none of its 2 images can be read or decoded/,
  },
  {
    name: '--strict-data: the first undecodable image stops the run, named, before a run folder is made',
    setup: imageFolder('one-bad', { 'train/a/0.png': png(), 'train/a/1.jpg': 'hello, not a jpeg', 'train/b/2.png': png(), 'test/a/3.png': png(), 'test/b/4.png': png() }),
    args: () => image('--data', file('one-bad'), '--strict-data')(),
    code: 2,
    message: /--data: image .*one-bad\/train\/a\/1\.jpg: is neither a PNG nor a JPEG/,
  },
];

describe('faults: command-line flags', () => {
  faultCases(() => tmp.root, flagCases);
});

describe('faults: data', () => {
  faultCases(() => tmp.root, dataCases);
});

describe('faults: config files', () => {
  faultCases(() => tmp.root, configCases);
  assert.ok(flagCases.length + configCases.length >= 50);
});
