// The measuring tools, spawned as a developer runs them, so that they do not rot between the
// sessions that use them: the benchmark harness (its JSON line, the data-parallel setting, a bad
// setting named), the WebGPU check's dry run (a second CPU backend where the GPU would be) and the
// WebGPU A/B script on the CPU provider.
// These assert that the tools run and report, never how fast anything is.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runNode, type NodeRun } from './support/run-node.js';

const ROOT = join(import.meta.dirname, '..');

/** Runs a TypeScript entry point through tsx from the repository root. */
function tool(script: string, args: readonly string[]): Promise<NodeRun> {
  return runNode(['--import', 'tsx', join(ROOT, script), ...args], { cwd: ROOT });
}

describe('bench/run.ts', () => {
  it('times a workload in a plain and a data-parallel setting and ends with one JSON line', async () => {
    const r = await tool('bench/run.ts', ['toy-critic', '--rounds', '1', '--steps', '1', '--warmup', '1', '--ours', 't1,t1x2', '--no-torch', '--no-ceiling']);
    assert.equal(r.code, 0, r.stderr);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    assert.equal(last.workload, 'toy-critic');
    const bySetting = last.ours_by_setting as Record<string, number>;
    assert.deepEqual(Object.keys(bySetting).sort(), ['t1', 't1x2']);
    for (const ms of Object.values(bySetting)) assert.ok(ms > 0);
    assert.match(r.stdout, /critic in 2 shards of 1 thread/);
  });

  it('names a bad setting', async () => {
    const r = await tool('bench/run.ts', ['toy-critic', '--ours', 't1x1', '--no-torch', '--no-ceiling']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /settings look like t2s .* t1x2 .* got 't1x1'/);
  });
});

describe('scripts/webgpu-check.ts', () => {
  it('--dry-run compares two CPU backends on a critic step and reports in JSON', async () => {
    const r = await tool('scripts/webgpu-check.ts', ['--dry-run', '--workloads', 'toy', '--steps', '1', '--warmup', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      dryRun: boolean;
      results: {
        workload: string;
        maxRelError: number;
        generatorRelError: number;
        pass: boolean;
        training: { vsCpu: { err: number }; vsHostState: { err: number } };
        generatorStep: { maxRelError: number };
        timing: { webgpuHostState?: unknown };
      }[];
    };
    assert.equal(out.dryRun, true);
    assert.equal(out.results.length, 1);
    const [toy] = out.results;
    assert.equal(toy!.workload, 'toy');
    assert.equal(toy!.pass, true);
    assert.equal(toy!.maxRelError, 0, 'the same kernels on both sides');
    assert.equal(toy!.generatorRelError, 0);
    // The training run with the state kept by the backend (resident) against host state, and the CPU.
    assert.equal(toy!.training.vsHostState.err, 0);
    assert.equal(toy!.training.vsCpu.err, 0);
    assert.equal(toy!.generatorStep.maxRelError, 0);
    assert.ok(toy!.timing.webgpuHostState, 'both ways timed');
  });
});

describe('bench/webgpu-ab.ts', () => {
  it('--device cpu times a step under each bound, interleaved, and prints one row per workload', async () => {
    const r = await tool('bench/webgpu-ab.ts', ['toy-critic', '--device', 'cpu', '--rows', '0,4096', '--rounds', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cpu: 1 interleaved rounds per workload; weight-gradient Conv bounds 0, 4096 rows/);
    assert.match(r.stdout, /toy-critic\s+[\d.]+\s+[\d.]+\s+1\.00× [\d.]+×/);
    const bad = await tool('bench/webgpu-ab.ts', ['toy-critic', '--device', 'cpu', '--rows', '0,-1']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--rows must list non-negative integers, got '0,-1'/);
  });
});
