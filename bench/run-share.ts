/**
 * Toy iterations (bench/workloads.ts's trainer, fused and replayed as the CLI runs them) timed one by
 * one, with the share of each spent inside onnxruntime's session.run; medians.
 *
 *   node --import tsx bench/run-share.ts [--iters 40] [--threads 2] [--no-spinning] [--batch 256]
 *
 * Two of these started side by side with `--threads 1 --batch 128` time the ideal data-parallel
 * iteration (two single-threaded halves of the batch, no exchange of gradients or state): the
 * upper bound of splitting each step over the cores instead of each kernel (docs/BENCHMARKS.md,
 * "The floor on this machine").
 */
import { loadavg } from 'node:os';
import * as ort from 'onnxruntime-node';
import { createOrtBackend, type OrtLike } from '../src/backends/onnx/ort-backend.js';
import { setBackend } from '../src/tensor/tensor.js';
import { toyTrainer } from './workloads.js';

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
}

let inRun = 0;
const base = ort as unknown as OrtLike;
const timed: OrtLike = {
  Tensor: base.Tensor,
  InferenceSession: {
    create: async (model, options) => {
      const s = await base.InferenceSession.create(model, options);
      const run = s.run.bind(s);
      (s as { run: typeof run }).run = async (feeds) => {
        const t0 = performance.now();
        const r = await run(feeds);
        inRun += performance.now() - t0;
        return r;
      };
      return s;
    },
  },
};
const threads = Number(flag('threads', '2'));
const n = Number(flag('iters', '40'));
const batchSize = Number(flag('batch', '256'));
const backend = createOrtBackend(timed, { threads, spinning: !process.argv.includes('--no-spinning') });
setBackend(backend);
const trainer = toyTrainer(0, { batchSize });
for (let i = 0; i < 3; i++) await trainer.iterate();
const walls: number[] = [];
const runs: number[] = [];
for (let i = 0; i < n; i++) {
  inRun = 0;
  const t0 = performance.now();
  await trainer.iterate();
  walls.push(performance.now() - t0);
  runs.push(inRun);
}
const med = (a: number[]): number => [...a].sort((p, q) => p - q)[a.length >> 1]!;
console.log(`toy iteration (batch ${batchSize}, ${threads} thread(s)): ${med(walls).toFixed(1)} ms, in session.run ${med(runs).toFixed(1)} ms (medians of ${n}); load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
await backend.dispose();
