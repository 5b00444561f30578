// Faults that need real processes: kill -9 at random moments (20 kills) with a resumed run equal to
// an uninterrupted one byte for byte, two processes on one run folder (the lock), SIGTERM, and a
// full disk (a file-size limit: writes fail with EFBIG).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LOCK_NAME } from '../../src/io/folder-lock.js';
import { testFolder } from '../support/run-env.js';
import { runNode, type NodeRun } from '../support/run-node.js';
import { cli, snapshot, TINY } from './support.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'wgan-gp.js');
const tmp = testFolder('wgan-gp-faults-proc-');
const p = (...parts: string[]): string => join(tmp.root, ...parts);

/** A short, small toy run: a line per iteration (the kills aim at iterations), a checkpoint every 3. */
const KILL_RUN = ['--hidden', '8', '--batch-size', '16', '--eval-every', '0', '--log-every', '1', '--checkpoint-every', '3', '--plot-every', '0', '--threads', '1', '--iters', '150', '--progress', 'lines'];

/**
 * Spawns the CLI and SIGKILLs it at a moment given by `when`: `startup` ms after the start (while it
 * imports, builds, writes its folder), or `jitter` ms after its `after`-th progress line of this
 * attempt (mid-iteration, mid-checkpoint: timing-independent, so the test holds on a loaded machine).
 */
function runAndKill(args: readonly string[], when: { startup: number } | { after: number; jitter: number }): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    if ('startup' in when) timer = setTimeout(() => child.kill('SIGKILL'), when.startup);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!('after' in when) || timer) return;
      if ((stderr.match(/^\[\s*\d+\/\d+\]/gm) ?? []).length >= when.after) timer = setTimeout(() => child.kill('SIGKILL'), when.jitter);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: '', stderr });
    });
  });
}

/** A seeded uniform [0, 1) stream (mulberry32), so the kill moments are the same on every run. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

async function finalState(dir: string): Promise<{ weights: Buffer; name: string; metrics: string[]; trainer: unknown; optimizers: unknown }> {
  const names = (await readdir(join(dir, 'checkpoints'))).filter((n) => n.endsWith('.safetensors'));
  assert.equal(names.length, 1, names.join(', '));
  const m = JSON.parse(await readFile(join(dir, 'checkpoints', 'checkpoint.json'), 'utf8')) as { trainer: unknown; optimizers: unknown };
  const metrics = (await readFile(join(dir, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.stringify({ ...JSON.parse(l), elapsed: 0 }));
  return { weights: await readFile(join(dir, 'checkpoints', names[0]!)), name: names[0]!, metrics, trainer: m.trainer, optimizers: m.optimizers };
}

describe('faults: processes', () => {
  it('20 kill -9 at random moments, each followed by a resume: the final weights equal an uninterrupted run byte for byte', async () => {
    const ref = await runNode([BIN, 'train', '--out', p('reference'), ...KILL_RUN]);
    assert.equal(ref.code, 0, ref.stderr);

    const dir = p('killed');
    const rand = uniform(20260101);
    let kills = 0;
    let attempts = 0;
    while (kills < 20) {
      assert.ok(attempts++ < 40, `${kills} kills after ${attempts} attempts`);
      // Before the first checkpoint there is nothing to resume: start again (the folder holds at most our own run).
      const args = existsSync(join(dir, 'checkpoints', 'checkpoint.json')) ? ['resume', dir, '--threads', '1', '--progress', 'lines'] : ['train', '--force', '--out', dir, ...KILL_RUN];
      // One kill in four while starting up, the others 1-6 iterations in, at a random millisecond.
      const r = await runAndKill(args, rand() < 0.25 ? { startup: Math.floor(1500 * rand()) } : { after: 1 + Math.floor(6 * rand()), jitter: Math.floor(40 * rand()) });
      if (r.signal === 'SIGKILL') kills++;
      else assert.fail(`the run ended before its 20 kills (after ${kills}): code ${r.code}\n${r.stderr}`);
    }
    assert.ok(existsSync(join(dir, 'checkpoints', 'checkpoint.json')), 'a checkpoint after the kills');
    const last = await runNode([BIN, 'resume', dir, '--threads', '1', '--progress', 'none']);
    assert.match(last.stderr, /done: 150 iterations/);
    assert.equal(last.code, 0, last.stderr);
    const [a, b] = [await finalState(p('reference')), await finalState(dir)];
    assert.equal(b.name, a.name);
    assert.ok(b.weights.equals(a.weights), 'final weights byte for byte');
    assert.deepEqual(b.trainer, a.trainer);
    assert.deepEqual(b.optimizers, a.optimizers);
    assert.deepEqual(b.metrics, a.metrics, 'metrics.jsonl, but for elapsed seconds');
    assert.equal(existsSync(join(dir, LOCK_NAME)), false, 'lock released');
    const leftovers = [...(await readdir(dir)), ...(await readdir(join(dir, 'checkpoints')))].filter((n) => n.endsWith('.tmp'));
    assert.deepEqual(leftovers, []);
  });

  it('a second process on a running run is refused, naming the first; SIGTERM then stops it with a checkpoint and frees the folder', async () => {
    const dir = p('busy');
    let child: import('node:child_process').ChildProcess | undefined;
    const running = runNode([BIN, 'train', '--out', dir, ...TINY, '--iters', '100000', '--log-every', '1', '--eval-every', '0', '--progress', 'lines'], {
      onStderr: (text, c) => {
        if (!child && /\[\s*\d+\/100000\]/.test(text)) child = c;
      },
    });
    let ended: NodeRun | undefined;
    void running.then((r) => (ended = r));
    while (!child) {
      assert.equal(ended, undefined, `the run ended early: ${ended?.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const resume = await cli(['resume', dir, '--iters', '200000']);
    assert.equal(resume.code, 1);
    assert.match(resume.stderr, new RegExp(`run folder '.*busy' is in use by train \\(process ${child.pid},`));
    const force = await cli(['train', '--force', '--out', dir, ...TINY, '--iters', '2']);
    assert.equal(force.code, 1);
    assert.match(force.stderr, /is in use by train/);
    child.kill('SIGTERM');
    const r = await running;
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stderr, /stopped by SIGTERM at iteration (\d+); checkpoint written/);
    assert.equal(existsSync(join(dir, LOCK_NAME)), false);
    const at = Number(/stopped by SIGTERM at iteration (\d+)/.exec(r.stderr)![1]);
    const again = await cli(['resume', dir, '--iters', String(at + 2)]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`done: ${at + 2} iterations`));
  });

  it('a full disk (file-size limit) fails the checkpoint write with a message naming it; the last checkpoint stays intact', async () => {
    const dir = p('full');
    const first = await cli(['train', '--out', dir, ...TINY, '--iters', '4']);
    assert.equal(first.code, 0, first.stderr);
    const before = await snapshot(join(dir, 'checkpoints'));
    // 1 KiB limit: the weights file (8 KB) cannot be written; node ignores SIGXFSZ, so writes fail with EFBIG.
    const full = await new Promise<NodeRun>((resolve, reject) => {
      const child = spawn('bash', ['-c', `ulimit -f 1; exec "${process.execPath}" "${BIN}" resume "${dir}" --iters 8 --progress none`], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout: '', stderr }));
    });
    assert.equal(full.code, 1, full.stderr);
    assert.match(full.stderr, /cannot write '.*weights-0000006\.safetensors': EFBIG.*the last checkpoint \(iteration 4\) in '.*checkpoints' is intact/);
    assert.deepEqual(await snapshot(join(dir, 'checkpoints')), before, 'checkpoint untouched, no temp file left');
    assert.equal(existsSync(join(dir, LOCK_NAME)), false);
    const resumed = await cli(['resume', dir]);
    assert.equal(resumed.code, 0, resumed.stderr);
  });
});
