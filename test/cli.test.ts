// The `wgan-gp` command, spawned as a user runs it (bin/wgan-gp.js through tsx, no build step).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testFolder } from './support/run-env.js';
import { runNode, type NodeRun } from './support/run-node.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'wgan-gp.js');

/** Runs the CLI; `onStderr` may act on the child (e.g. send a signal) as output arrives. */
function cli(args: readonly string[], onStderr?: (text: string, child: ChildProcess) => void): Promise<NodeRun> {
  return runNode([BIN, ...args], onStderr ? { onStderr } : {});
}

// Tiny networks: each run takes well under a second of training.
const TINY = ['--hidden', '16', '--batch-size', '32', '--log-every', '2', '--eval-every', '2', '--eval-samples', '64', '--checkpoint-every', '2', '--threads', '1'];

const tmp = testFolder('wgan-gp-cli-');

describe('wgan-gp CLI', () => {
  it('--help documents every command, and train --help every flag and preset', async () => {
    const top = await cli(['--help']);
    assert.equal(top.code, 0);
    for (const c of ['train', 'resume', 'sample', 'eval', 'figure']) assert.match(top.stdout, new RegExp(`\\b${c}\\b`));
    const train = await cli(['train', '--help']);
    assert.equal(train.code, 0);
    for (const f of ['--preset', '--config', '--out', '--iters', '--force', '--loss', '--lambda', '--one-sided', '--clip', '--n-critic', '--batch-size', '--lr', '--beta1', '--beta2', '--seed', '--threads', '--device', 'toy-8gaussians', 'toy-25gaussians', 'toy-swissroll']) {
      assert.ok(train.stdout.includes(f), `train --help mentions ${f}`);
    }
  });

  it('rejects an unknown preset, an unknown flag and a negative λ with exit code 2, creating nothing', async () => {
    const out = join(tmp.root, 'never');
    const preset = await cli(['train', '--preset', 'toy-9gaussians', '--out', out]);
    assert.equal(preset.code, 2);
    assert.match(preset.stderr, /unknown preset 'toy-9gaussians'.*toy-8gaussians/);
    const flag = await cli(['train', '--preset', 'toy-8gaussians', '--lamda', '1', '--out', out]);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option '--lamda'/);
    const lambda = await cli(['train', '--preset', 'toy-8gaussians', '--lambda', '-1', '--out', out]);
    assert.equal(lambda.code, 2);
    assert.match(lambda.stderr, /lambda must be >= 0, got -1/);
    const bad = join(tmp.root, 'bad.json');
    await writeFile(bad, '{"lambda": 0.1,');
    const file = await cli(['train', '--config', bad, '--out', out]);
    assert.equal(file.code, 2);
    assert.match(file.stderr, /config file .*bad\.json' is not valid JSON/);
    assert.equal(existsSync(out), false);
  });

  it('trains a run folder, refuses to overwrite it without --force, resumes, samples and evaluates', async () => {
    const out = join(tmp.root, 'run');
    const first = await cli(['train', '--preset', 'toy-8gaussians', '--iters', '4', '--out', out, ...TINY]);
    assert.equal(first.code, 0, first.stderr);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    assert.equal(config.iters, 4);
    assert.equal(config.lambda, 0.1);
    const lines = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.iteration), [2, 4]);
    for (const l of lines) {
      for (const k of ['criticLoss', 'generatorLoss', 'wasserstein', 'penalty', 'modesCaptured', 'highQualityPct', 'energyDistance', 'w1']) assert.equal(typeof l[k], 'number', k);
    }
    const plots = await readdir(join(out, 'plots'));
    assert.ok(plots.includes('critic-0000004.png') && plots.includes('losses.png'), plots.join(', '));
    assert.ok(existsSync(join(out, 'checkpoints', 'checkpoint.json')));
    const report = await readFile(join(out, 'report.html'), 'utf8');
    assert.match(report, /data:image\/png;base64,/);
    assert.match(report, /critic-0000004\.png/);

    const before = await stat(join(out, 'metrics.jsonl'));
    const again = await cli(['train', '--preset', 'toy-8gaussians', '--iters', '2', '--out', out, ...TINY]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /holds another run.*--force/);
    assert.equal((await stat(join(out, 'metrics.jsonl'))).mtimeMs, before.mtimeMs, 'nothing overwritten');

    const resumed = await cli(['resume', out, '--iters', '6', '--threads', '1']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const after = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(after.map((l) => l.iteration), [2, 4, 6]);

    const backwards = await cli(['resume', out, '--iters', '3']);
    assert.equal(backwards.code, 2);
    assert.match(backwards.stderr, /--iters 3 does not go beyond the checkpoint .* at iteration 6/);

    const sample = await cli(['sample', out, '-n', '5']);
    assert.equal(sample.code, 0, sample.stderr);
    const rows = sample.stdout.trim().split('\n');
    assert.equal(rows[0], 'x,y');
    assert.equal(rows.length, 6);
    for (const r of rows.slice(1)) assert.ok(r.split(',').every((v) => Number.isFinite(Number(v))));

    const png = await cli(['sample', out, '-n', '50', '--out', join(tmp.root, 'samples.png')]);
    assert.equal(png.code, 0, png.stderr);
    assert.deepEqual([...(await readFile(join(tmp.root, 'samples.png'))).subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');

    const ev = await cli(['eval', out, '--samples', '100']);
    assert.equal(ev.code, 0, ev.stderr);
    const m = JSON.parse(ev.stdout);
    assert.equal(m.iteration, 6);
    assert.equal(m.totalModes, 8);
    assert.equal(typeof m.w1, 'number');

    // --force replaces the run; settings from a JSON config file, flags overriding the file.
    const file = join(tmp.root, 'settings.json');
    await writeFile(file, JSON.stringify({ dataset: 'swissroll', iters: 5, lambda: 0.5 }));
    const forced = await cli(['train', '--config', file, '--iters', '2', '--out', out, '--force', ...TINY]);
    assert.equal(forced.code, 0, forced.stderr);
    const replaced = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    assert.deepEqual([replaced.dataset, replaced.iters, replaced.lambda], ['swissroll', 2, 0.5]);
    const swiss = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(swiss.map((l) => l.iteration), [2]);
    assert.equal(swiss[0].modesCaptured, undefined, 'the Swiss roll has no modes');
    assert.equal(typeof swiss[0].w1, 'number');
  });

  it('keeps each flag and command option with the kinds that have it (exit code 2, naming the flag)', async () => {
    const out = join(tmp.root, 'kinds-never');
    const hidden = await cli(['train', '--preset', 'mnist', '--hidden', '4', '--out', out]);
    assert.equal(hidden.code, 2);
    assert.match(hidden.stderr, /--hidden is not a setting of image runs \(it is of: toy\)/);
    const dim = await cli(['train', '--preset', 'toy-8gaussians', '--dim', '4', '--out', out]);
    assert.equal(dim.code, 2);
    assert.match(dim.stderr, /--dim is not a setting of toy runs \(it is of: image/);
    const arch = await cli(['train', '--preset', 'lsun64-vit', '--out', out]);
    assert.equal(arch.code, 2);
    assert.match(arch.stderr, /unknown arch 'vit'.*resnet, dcgan/);
    const file = join(tmp.root, 'image.json');
    await writeFile(file, JSON.stringify({ preset: 'mnist', dimm: 8 }));
    const typo = await cli(['train', '--config', file, '--out', out]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /config file '.*image\.json': unknown setting 'dimm' \(did you mean 'dim'\?\)/);
    assert.equal(existsSync(out), false);

    const run = join(tmp.root, 'kinds-toy');
    assert.equal((await cli(['train', '--preset', 'toy-8gaussians', '--iters', '2', '--out', run, ...TINY])).code, 0);
    const classifier = await cli(['eval', run, '--classifier', 'mnist']);
    assert.equal(classifier.code, 2);
    assert.match(classifier.stderr, /--classifier is not an option of eval of toy runs \(it is of: image\)/);
    const exp = await cli(['export', run, '--onnx']);
    assert.equal(exp.code, 2);
    assert.match(exp.stderr, /export: toy runs have no export command/);
  });

  it('reports a missing or corrupted checkpoint with exit code 1', async () => {
    const missing = await cli(['resume', join(tmp.root, 'nowhere')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /is not a run folder/);

    const out = join(tmp.root, 'damaged');
    assert.equal((await cli(['train', '--preset', 'toy-8gaussians', '--iters', '2', '--out', out, ...TINY])).code, 0);
    const manifest = JSON.parse(await readFile(join(out, 'checkpoints', 'checkpoint.json'), 'utf8'));
    const weights = join(out, 'checkpoints', manifest.weights);
    const bytes = await readFile(weights);
    bytes[100] ^= 0x55;
    await writeFile(weights, bytes);
    const corrupted = await cli(['eval', out]);
    assert.equal(corrupted.code, 1);
    assert.match(corrupted.stderr, /corrupted checkpoint/);

    await rm(join(out, 'checkpoints'), { recursive: true });
    const none = await cli(['resume', out]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no checkpoint/);
  });

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`on ${sig} writes a checkpoint, exits non-zero, and the run resumes from it`, async () => {
      const out = join(tmp.root, `signal-${sig}`);
      let sent = false;
      const res = await cli(['train', '--preset', 'toy-8gaussians', '--iters', '100000', '--out', out, ...TINY, '--checkpoint-every', '1000'], (text, child) => {
        // Wait until training is under way (the first metrics line), then interrupt.
        if (!sent && /\[\s*2\/100000\]/.test(text)) {
          sent = true;
          child.kill(sig);
        }
      });
      assert.equal(res.code, sig === 'SIGINT' ? 130 : 143, res.stderr);
      assert.match(res.stderr, new RegExp(`stopped by ${sig} at iteration \\d+; checkpoint written`));
      const manifest = JSON.parse(await readFile(join(out, 'checkpoints', 'checkpoint.json'), 'utf8'));
      assert.ok(manifest.iteration >= 2, `checkpoint at iteration ${manifest.iteration}`);
      const resumed = await cli(['resume', out, '--iters', String(manifest.iteration + 2), '--threads', '1']);
      assert.equal(resumed.code, 0, resumed.stderr);
    });
  }
});
