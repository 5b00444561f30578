// The command line's conventions: --version, quiet exit on a closed pipe, one flag name per concept
// (old spellings kept as deprecated aliases), `--json` summaries, the log interval of short runs,
// threads from the machine's cores, every preset in help and errors, one error format.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scaledLogEvery } from '../src/cli/main.js';
import { testFolder } from './support/run-env.js';
import { runNode, type NodeRun } from './support/run-node.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'wgan-gp.js');
const VERSION = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
const cli = (args: readonly string[]): Promise<NodeRun> => runNode([BIN, ...args]);
const TINY = ['--hidden', '16', '--batch-size', '32', '--eval-every', '0', '--eval-samples', '64', '--plot-every', '0', '--checkpoint-every', '4'];
const tmp = testFolder('wgan-gp-cli-conventions-');

/** Runs `wgan-gp ARGS | head -n 1` in bash; the exit status is wgan-gp's (pipefail). */
function throughHead(args: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', `set -o pipefail; '${process.execPath}' '${BIN}' ${args} | head -n 1`], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('wgan-gp command-line conventions', () => {
  it('--version and -V print the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout.trim(), VERSION);
    }
  });

  it('lists every kind\'s presets in --help and in the unknown-preset error; every error is "wgan-gp: error: ..."', async () => {
    const help = await cli(['--help']);
    for (const p of ['toy-8gaussians', 'mnist', 'cifar10-resnet-acgan', 'lsun64-dcgan', 'language']) assert.ok(help.stdout.includes(p), `--help lists ${p}`);
    const bad = await cli(['train', '--preset', 'nope']);
    assert.equal(bad.code, 2);
    for (const p of ['toy-8gaussians', 'mnist', 'cifar10-dcgan', 'language']) assert.ok(bad.stderr.includes(p), `the error lists ${p}`);
    const unknownFlag = await cli(['train', '--bogus']);
    const missingArg = await cli(['sample']);
    const unknownCommand = await cli(['trian']);
    for (const r of [bad, unknownFlag, missingArg, unknownCommand]) {
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^wgan-gp: error: /, r.stderr);
    }
  });

  it('exits quietly when the reader closes the pipe (wgan-gp --help | head)', () => {
    const r = throughHead('--help');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: wgan-gp/);
    assert.doesNotMatch(r.stderr, /EPIPE|Error/);
  });

  it('train --json prints a summary on stdout; short runs log at least 10 lines; threads default to the cores', async () => {
    const out = join(tmp.root, 'run');
    const r = await cli(['train', '--preset', 'toy-8gaussians', '--iters', '20', '--out', out, '--json', ...TINY]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { dir: string; iteration: number; interrupted: unknown; seconds: number; last: { iteration: number; criticLoss: number } };
    assert.equal(summary.dir, out);
    assert.equal(summary.iteration, 20);
    assert.equal(summary.interrupted, null);
    assert.ok(summary.seconds > 0);
    assert.equal(summary.last.iteration, 20);
    assert.ok(Number.isFinite(summary.last.criticLoss));
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8')) as { logEvery: number; threads: number };
    assert.equal(config.logEvery, 2);
    assert.equal(config.threads, availableParallelism());
    const lines = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n');
    assert.ok(lines.length >= 10, `${lines.length} metrics lines`);

    // sample: --samples (and -n); --num still works, with a warning; both spellings at once is a usage error.
    const rows = (res: NodeRun): number => res.stdout.trim().split('\n').length - 1; // a header line, then x,y rows
    const samples = await cli(['sample', out, '--samples', '7']);
    assert.equal(samples.code, 0, samples.stderr);
    assert.equal(rows(samples), 7);
    assert.equal(rows(await cli(['sample', out, '-n', '3'])), 3);
    const old = await cli(['sample', out, '--num', '5']);
    assert.equal(old.code, 0, old.stderr);
    assert.equal(rows(old), 5);
    assert.match(old.stderr, /--num is deprecated; use --samples/);
    const both = await cli(['sample', out, '--num', '5', '--samples', '5']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give --samples once/);

    // sample ... | head: quiet on the closed pipe too.
    const head = throughHead(`sample '${out}' --samples 200000`);
    assert.equal(head.status, 0, head.stderr);
    assert.doesNotMatch(head.stderr, /EPIPE|Error/);

    // An explicit --log-every is kept, and threads from a config file.
    const kept = join(tmp.root, 'kept');
    const file = join(tmp.root, 'threads.json');
    await writeFile(file, '{"threads": 1}');
    assert.equal((await cli(['train', '--preset', 'toy-8gaussians', '--iters', '6', '--out', kept, '--log-every', '100', '--config', file, ...TINY])).code, 0);
    const keptConfig = JSON.parse(await readFile(join(kept, 'config.json'), 'utf8')) as { logEvery: number; threads: number };
    assert.deepEqual([keptConfig.logEvery, keptConfig.threads], [100, 1]);
  });

  it('shows one name per concept in help: sample --samples, export --batch-size; the old spellings hidden', async () => {
    const sample = await cli(['sample', '--help']);
    assert.match(sample.stdout, /-n, --samples <n>/);
    assert.doesNotMatch(sample.stdout, /--num/);
    const exp = await cli(['export', '--help']);
    assert.match(exp.stdout, /--batch-size <n>/);
    assert.doesNotMatch(exp.stdout, /--batch |--onnx/);
    const evalHelp = await cli(['eval', '--help']);
    assert.match(evalHelp.stdout, /--samples <n>/);
    const train = await cli(['train', '--help']);
    assert.match(train.stdout, /--eval-samples <n>/);
    assert.match(train.stdout, /--json/);
  });

  it('scales the default log interval to short runs only', () => {
    assert.equal(scaledLogEvery(100, 1000), 100);
    assert.equal(scaledLogEvery(100, 50), 5);
    assert.equal(scaledLogEvery(100, 5), 1);
    assert.equal(scaledLogEvery(10, 1000), 10);
  });
});
