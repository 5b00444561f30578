// Faults on saved runs: output files (no silent overwrite), --force, damaged checkpoints and
// configs, divergence, locks and leftovers. A tiny toy run is trained once; each case that breaks a
// run breaks its own copy. Every case asserts the exit code, the culprit in the message, and that
// no earlier file changed.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LOCK_NAME } from '../../src/io/folder-lock.js';
import { resolveRunConfig } from '../../src/app/experiment.js';
import '../../src/app/kinds.js';
import { trainRun } from '../../src/app/runs.js';
import { toyExperiment } from '../../src/app/toy/index.js';
import { testFolder, testRunEnv } from '../support/run-env.js';
import { cli, faultCases, snapshot, TINY, type FaultCase } from './support.js';

const tmp = testFolder('wgan-gp-faults-runs-');
const p = (...parts: string[]): string => join(tmp.root, ...parts);
const BASE = (): string => p('base');
const MANIFEST = 'checkpoints/checkpoint.json';

let base: Promise<void> | undefined;
/** Trains the shared base run once (lazily: the test folder exists by then). */
const ensureBase = (): Promise<void> =>
  (base ??= cli(['train', '--out', BASE(), ...TINY, '--iters', '4']).then((r) => assert.equal(r.code, 0, r.stderr)));

/** A fresh copy of the base run named `name`, then `edit` applied to it. */
const copyRun = (name: string, edit: (dir: string) => Promise<void> = async () => undefined) => async (): Promise<void> => {
  await rm(p(name), { recursive: true, force: true });
  await cp(BASE(), p(name), { recursive: true });
  await edit(p(name));
};

type Manifest = Record<string, unknown> & { trainer: Record<string, unknown>; optimizers: Record<string, Record<string, unknown>>; extra: Record<string, unknown> };

/** Rewrites a run's manifest through `edit`; `resign` recomputes its checksum (a well-formed but bad value). */
const editManifest = (edit: (m: Manifest) => void, resign = true) => async (dir: string): Promise<void> => {
  const path = join(dir, MANIFEST);
  const m = JSON.parse(await readFile(path, 'utf8')) as Manifest;
  edit(m);
  if (resign && m.manifestSha256 !== undefined) {
    const { manifestSha256: _, ...rest } = m;
    m.manifestSha256 = createHash('sha256').update(JSON.stringify(rest)).digest('hex');
  }
  await writeFile(path, `${JSON.stringify(m, null, 2)}\n`);
};

async function weightsFile(dir: string): Promise<string> {
  const f = (await readdir(join(dir, 'checkpoints'))).find((n) => n.endsWith('.safetensors'));
  assert.ok(f, `a weights file in ${dir}`);
  return join(dir, 'checkpoints', f);
}

const outputCases: FaultCase[] = [
  { name: 'sample --out an existing file is refused', setup: async () => writeFile(p('mine.csv'), 'my data\n'), args: () => ['sample', BASE(), '--out', p('mine.csv')], code: 1, message: /--out '.*mine\.csv' already exists; choose another file, or pass --force/ },
  { name: "sample --out the run's own config.json is refused", args: () => ['sample', BASE(), '--out', join(BASE(), 'config.json')], code: 2, message: /--out '.*config\.json' is one of the run's own files/ },
  { name: "sample --out the run's own config.json is refused even with --force", args: () => ['sample', BASE(), '--out', join(BASE(), 'config.json'), '--force'], code: 2, message: /is one of the run's own files/ },
  { name: "sample --out '' is refused", args: () => ['sample', BASE(), '--out', ''], code: 2, message: /out must be a non-empty string/ },
  { name: 'sample --out /proc/x.csv is refused', args: () => ['sample', BASE(), '--out', '/proc/x.csv'], code: 1, message: /--out '\/proc\/x\.csv' is under \/proc/ },
  { name: 'sample --out into a missing folder names it', args: () => ['sample', BASE(), '--out', p('no-such', 'x.csv')], code: 1, message: /folder '.*no-such' does not exist/ },
  { name: 'sample --out a folder is refused', args: () => ['sample', BASE(), '--out', BASE()], code: 1, message: /--out '.*base' is a folder; name a new file/ },
  { name: 'sample -n 0 is refused', args: () => ['sample', BASE(), '-n', '0'], code: 2, message: /num must be >= 1, got 0/ },
  { name: 'sample -n 1e10 is refused up front', args: () => ['sample', BASE(), '-n', '1e10'], code: 2, message: /num must be <= 100000000, got 10000000000/ },
  { name: 'sample -n 2000000 --out a .png is refused up front', args: () => ['sample', BASE(), '-n', '2000000', '--out', p('big.png')], code: 2, message: /-n 2000000: a \.png or \.json file holds at most 1,000,000 samples/ },
  { name: 'sample --seed -1 is refused', args: () => ['sample', BASE(), '--seed', '-1'], code: 2, message: /seed must be >= 0, got -1/ },
  { name: 'eval --samples 1e9 is refused', args: () => ['eval', BASE(), '--samples', '1e9'], code: 2, message: /samples must be <= 1000000/ },
  {
    name: 'sample --out an existing file with --force replaces it (and only it)',
    setup: async () => writeFile(p('old.csv'), 'old\n'),
    args: () => ['sample', BASE(), '-n', '10', '--out', p('old.csv'), '--force'],
    code: 0,
    message: /wrote 10 samples of iteration 4 to .*old\.csv/,
    mayChange: ['old.csv'],
    after: async () => assert.equal((await readFile(p('old.csv'), 'utf8')).split('\n').length, 12),
  },
  {
    name: 'sample of 150,000 points streams its CSV in batches to a new file',
    args: () => ['sample', BASE(), '-n', '150000', '--out', p('many.csv')],
    code: 0,
    message: /wrote 150000 samples/,
    mayChange: ['many.csv'],
    after: async () => {
      const lines = (await readFile(p('many.csv'), 'utf8')).trimEnd().split('\n');
      assert.equal(lines.length, 150_001);
      assert.ok(lines.slice(1).every((l) => /^-?[\d.e-]+,-?[\d.e-]+$/.test(l)), 'finite x,y rows');
    },
  },
  { name: 'train into an existing run without --force is refused', args: () => ['train', '--out', BASE(), ...TINY, '--iters', '2'], code: 1, message: /output folder '.*base' holds another run; choose another --out, or pass --force/ },
  {
    name: "train --force into a folder that is not a run deletes nothing (the user's config.json and plots/)",
    setup: async () => {
      await mkdir(p('user', 'plots'), { recursive: true });
      await writeFile(p('user', 'config.json'), '{"mine": true}\n');
      await writeFile(p('user', 'plots', 'mine.png'), 'x');
    },
    args: () => ['train', '--force', '--out', p('user'), ...TINY, '--iters', '2'],
    code: 1,
    message: /--force refused: '.*user' is not empty and holds no run/,
  },
  { name: 'train into a non-empty folder is refused', args: () => ['train', '--out', p('user'), ...TINY, '--iters', '2'], code: 1, message: /output folder '.*user' is not empty; choose another --out/ },
  { name: 'resume --iters not beyond the checkpoint is refused', args: () => ['resume', BASE(), '--iters', '2'], code: 2, message: /--iters 2 does not go beyond the checkpoint of '.*base' at iteration 4/ },
];

const ckpt = (name: string, edit: (dir: string) => Promise<void>, message: RegExp, command = 'resume'): FaultCase => ({
  name,
  setup: copyRun(name.replace(/\W+/g, '-'), edit),
  args: () => (command === 'resume' ? ['resume', p(name.replace(/\W+/g, '-')), '--iters', '6'] : ['sample', p(name.replace(/\W+/g, '-')), '-n', '3']),
  code: 1,
  message,
});

const checkpointCases: FaultCase[] = [
  ckpt('an edited manifest iteration fails its checksum', editManifest((m) => (m.iteration = 2), false), /checkpoint\.json' does not match its manifestSha256: it was edited or damaged/),
  ckpt('an edited manifest learning rate fails its checksum (sample too)', editManifest((m) => (m.optimizers.critic!.lr = 1), false), /does not match its manifestSha256/, 'sample'),
  ckpt('a negative learning rate is named', editManifest((m) => (m.optimizers.critic!.lr = -1)), /field optimizers\.critic\.lr must be a finite number >= 0, got -1/),
  ckpt('a learning rate of the wrong type is named', editManifest((m) => (m.optimizers.generator!.lr = 'fast')), /field optimizers\.generator\.lr must be a finite number >= 0, got "fast"/),
  ckpt('a short random-stream state is named', editManifest((m) => ((m.trainer.rng as Record<string, unknown>).noise = [1, 2])), /field trainer\.rng\.noise must be 4 unsigned 32-bit integers/),
  ckpt('a missing trainer section is named', editManifest((m) => delete (m as Record<string, unknown>).trainer), /field trainer must be an object, got nothing/),
  ckpt('a trainer iteration that disagrees is named', editManifest((m) => (m.trainer.iteration = 3)), /field trainer\.iteration \(3\) differs from iteration \(4\)/),
  ckpt('a non-numeric elapsed time is named', editManifest((m) => (m.extra.elapsed = 'x')), /field extra\.elapsed must be a finite number >= 0, got "x"/),
  ckpt('a damaged logging accumulator is named', editManifest((m) => (m.extra.acc = { sums: {}, counts: { criticLoss: -2 } })), /field extra\.acc\.counts\.criticLoss must be a positive integer, got -2/),
  ckpt('a weights path leaving the folder is refused', editManifest((m) => (m.weights = '../config.json')), /field weights must name a \.safetensors file in its folder, got "\.\.\/config\.json"/),
  ckpt('a fractional step count is named', editManifest((m) => (m.optimizers.generator!.step = 1.5)), /field optimizers\.generator\.step must be a non-negative integer, got 1\.5/),
  ckpt('a version from the future is refused', editManifest((m) => (m.version = 3)), /has version 3, this program reads versions 1, 2/),
  ckpt('a manifest that is not JSON is named', async (d) => writeFile(join(d, MANIFEST), '{"format": "wgan-gp-checkpoint",'), /checkpoint\.json' is not valid JSON/),
  ckpt('a missing manifest is named', async (d) => rm(join(d, MANIFEST)), /cannot resume '.*': no checkpoint \('.*checkpoint\.json' is missing\)/),
  ckpt('a truncated weights file fails its checksum', async (d) => writeFile(await weightsFile(d), (await readFile(await weightsFile(d))).subarray(0, 100)), /corrupted checkpoint: '.*weights-0000004\.safetensors' does not match the checksum/),
  ckpt('a missing weights file is named', async (d) => rm(await weightsFile(d)), /incomplete checkpoint: weights file '.*weights-0000004\.safetensors' is missing/),
  ckpt(
    'a weights file that is a FIFO is refused without blocking',
    async (d) => {
      const w = await weightsFile(d);
      await rm(w);
      execFileSync('mkfifo', [w]);
    },
    /weights file '.*weights-0000004\.safetensors' is a named pipe \(FIFO\), not a regular file/,
    'sample',
  ),
  ckpt('a config.json that is not JSON is named', async (d) => writeFile(join(d, 'config.json'), '{'), /config\.json' is not valid JSON/),
  ckpt('a config.json with a bad value is named', async (d) => writeFile(join(d, 'config.json'), JSON.stringify({ ...JSON.parse(await readFile(join(BASE(), 'config.json'), 'utf8')), hidden: -3 })), /config\.json: hidden must be >= 1, got -3/),
  {
    name: 'a run locked by a live process is refused, naming it',
    setup: copyRun('locked', async (d) => writeFile(join(d, LOCK_NAME), JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), since: 'now', command: 'train' }))),
    args: () => ['resume', p('locked'), '--iters', '6'],
    code: 1,
    message: new RegExp(`run folder '.*locked' is in use by train \\(process ${process.pid}, since now\\)`),
  },
  {
    name: 'train --force into a locked run is refused too',
    args: () => ['train', '--force', '--out', p('locked'), ...TINY, '--iters', '2'],
    code: 1,
    message: /run folder '.*locked' is in use by train/,
  },
];

describe('faults: outputs and run folders', () => {
  faultCases(() => tmp.root, outputCases, ensureBase);

  it("train --force --out . refuses the current folder even when it holds a run", async () => {
    await ensureBase();
    const cwd = process.cwd();
    process.chdir(BASE());
    try {
      const before = await snapshot(BASE());
      const r = await cli(['train', '--force', '--out', '.', ...TINY, '--iters', '2']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /--force refused: '\.' is the current folder/);
      assert.deepEqual(await snapshot(BASE()), before);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('faults: damaged checkpoints, configs and locks', () => {
  faultCases(() => tmp.root, checkpointCases, ensureBase);

  it('a version-1 manifest (before the manifest checksum) still loads', async () => {
    await ensureBase();
    await copyRun('v1', editManifest((m) => {
      m.version = 1;
      delete m.manifestSha256;
    }, false))();
    const r = await cli(['sample', p('v1'), '-n', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 4);
  });

  it('a stale lock (its process is gone) and leftover temp files are cleaned at the next start', async () => {
    await ensureBase();
    await copyRun('stale', async (d) => {
      await writeFile(join(d, LOCK_NAME), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), since: 'then', command: 'train' }));
      await writeFile(join(d, 'checkpoints', 'weights-0000006.safetensors.4242.abc123.tmp'), 'half');
      await writeFile(join(d, 'config.json.4242.xyz.tmp'), '{');
    })();
    const r = await cli(['resume', p('stale'), '--iters', '6']);
    assert.equal(r.code, 0, r.stderr);
    const left = [...(await readdir(p('stale'))), ...(await readdir(p('stale', 'checkpoints')))];
    assert.deepEqual(left.filter((n) => n.endsWith('.tmp') || n === LOCK_NAME), []);
  });
});

describe('faults: errors mid-run', () => {
  it('a data file failing mid-run (--strict-data) stops the run naming it and the checkpoint kept; the folder resumes', async () => {
    const config = resolveRunConfig(toyExperiment, { flags: { iters: 6, hidden: 8, batchSize: 16, evalEvery: 0, logEvery: 1, checkpointEvery: 2, threads: 1 } });
    const failing: typeof toyExperiment = {
      ...toyExperiment,
      build: async (c, env, purpose) => {
        const m = await toyExperiment.build(c, env, purpose);
        const iterate = m.trainer.iterate.bind(m.trainer);
        let n = 0;
        m.trainer.iterate = async () => {
          if (++n === 3) throw new Error("image data/x.jpg: cannot decode the JPEG data (SOI not found)");
          return iterate();
        };
        return m;
      },
    };
    await assert.rejects(
      trainRun(failing, config, p('mid'), testRunEnv()),
      /image data\/x\.jpg: cannot decode the JPEG data \(SOI not found\); the last checkpoint \(iteration 2\) in '.*mid\/checkpoints' is kept: fix the problem, then resume/,
    );
    assert.equal(existsSync(p('mid', LOCK_NAME)), false, 'lock released');
    const r = await cli(['resume', p('mid')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /done: 6 iterations/);
  });
});

describe('faults: divergence', () => {
  const DIVERGE = ['--optimizer', 'sgd', '--lr', '100', '--iters', '20'];

  it('a diverging run stops with "training diverged at iteration N (... NaN)", keeping its last good, finite checkpoint', async () => {
    const r = await cli(['train', '--out', p('nan'), ...TINY, ...DIVERGE]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /training diverged at iteration \d+ \((critic loss|generator loss|Wasserstein estimate|gradient penalty|critic gradient norm) (NaN|-?Infinity)\); the last good checkpoint \(iteration \d+\) is kept/);
    const m = JSON.parse(await readFile(p('nan', MANIFEST), 'utf8')) as { iteration: number };
    const it = Number(/at iteration (\d+)/.exec(r.stderr)![1]);
    assert.ok(m.iteration < it, `checkpoint ${m.iteration} before divergence at ${it}`);
    const metrics = await readFile(p('nan', 'metrics.jsonl'), 'utf8');
    assert.doesNotMatch(metrics, /null|NaN|Infinity/, 'no non-finite metrics line');
    // The kept checkpoint loads and its samples are finite numbers.
    const s = await cli(['sample', p('nan'), '-n', '5']);
    assert.equal(s.code, 0, s.stderr);
    assert.doesNotMatch(s.stdout, /NaN|Infinity/);
  });

  it('--allow-nonfinite keeps training to the end', async () => {
    // No evaluation: the metrics of NaN samples are meaningless (the user opted in).
    const r = await cli(['train', '--out', p('nan-ok'), ...TINY, ...DIVERGE, '--eval-every', '0', '--allow-nonfinite']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /done: 20 iterations/);
  });
});

after(async () => {
  assert.ok(outputCases.length + checkpointCases.length + 5 >= 40);
  assert.equal(existsSync(p('never')), false);
});
