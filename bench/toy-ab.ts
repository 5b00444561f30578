/**
 * A/B timings of whole toy generator iterations (bench/workloads.ts's gan_toy.py trainer, the main
 * command's networks: 1 generator step + 5 critic steps), variants interleaved in one process, round
 * by round with the order rotated; wall and CPU time (process.cpuUsage, less sensitive to other
 * processes on a shared machine) per iteration, medians, and the load average before and after.
 *
 *   node --import tsx bench/toy-ab.ts [--variants f400def,base] [--rounds 8] [--iters 3] [--threads 2] [--spinning]
 *
 * A variant (VARIANTS below) is a set of ortBackend and trainer options; each gets its own backend
 * and trainer. `base` is the current code (the toy trainer fuses each iteration into one run).
 */
import { loadavg } from 'node:os';
import * as ort from 'onnxruntime-node';
import { createOrtBackend, type OrtBackend, type OrtBackendOptions, type OrtLike } from '../src/backends/onnx/ort-backend.js';
import { sumLoweringTuning } from '../src/backends/onnx/sum-lowering.js';
import type { Trainer } from '../src/gan/trainer.js';
import { matmulOp } from '../src/ops/matmul.js';
import type { OpDef } from '../src/ops/registry.js';
import { setBackend } from '../src/tensor/tensor.js';
import { toyTrainer, type SetupOptions } from './workloads.js';

/**
 * A variant: ortBackend options, and optionally a patch applied while its iterations run (its graphs
 * are built and its sessions compiled) and undone after: how an earlier lowering or vjp is measured
 * against the current one.
 */
interface Variant {
  opts?: OrtBackendOptions;
  setup?: SetupOptions;
  patch?: () => () => void;
  /** onnxruntime session config entries added to every session of the variant (`extra.session`). */
  sessionConfig?: Record<string, string>;
}

/** onnxruntime-node with `config` merged into every session's `extra.session` entries. */
function withSessionConfig(config: Record<string, string> | undefined): OrtLike {
  const base = ort as unknown as OrtLike;
  if (!config) return base;
  return {
    Tensor: base.Tensor,
    InferenceSession: {
      create: (model, options = {}) => {
        const extra = (options.extra ?? {}) as { session?: Record<string, unknown> };
        return base.InferenceSession.create(model, { ...options, extra: { ...extra, session: { ...extra.session, ...config } } });
      },
    },
  };
}

/** Patches an op's lowering; returns the undo. */
function patchLower(op: OpDef, lower: OpDef['lower']): () => void {
  const old = op.lower;
  (op as { lower: OpDef['lower'] }).lower = lower;
  return () => ((op as { lower: OpDef['lower'] }).lower = old);
}

const VARIANTS: Record<string, Variant> = {
  base: {},
  resident: { opts: { resident: true } },
  spinning: { opts: { spinning: true } },
  fused: { setup: { fuseIteration: true } },
  unfused: { setup: { fuseIteration: false } },
  // fused, but each iteration's graph built anew (before the replay)
  rebuilt: { setup: { replay: false } },
  // before the K = 1 products were lowered as Mul
  'matmul-k1': { patch: () => patchLower(matmulOp as unknown as OpDef, (ctx, [a, b]) => ctx.node('MatMul', [a!, b!])) },
  // the code of f400def: unfused steps, K = 1 products as MatMul
  f400def: { setup: { fuseIteration: false }, patch: () => patchLower(matmulOp as unknown as OpDef, (ctx, [a, b]) => ctx.node('MatMul', [a!, b!])) },
  // before the sums over leading axes (the bias gradients) were a product with a row of ones
  reducesum: {
    patch: () => {
      sumLoweringTuning.gemm = false;
      return () => (sumLoweringTuning.gemm = true);
    },
  },
  // onnxruntime's dynamic block sizes for its parallel loops, and denormals flushed to zero
  'dynamic-blocks': { sessionConfig: { dynamic_block_base: '4' } },
  daz: { sessionConfig: { set_denormal_as_zero: '1' } },
  // how long onnxruntime's intra-op threads spin before they sleep, and the pool thread pinned to
  // the second core (with --spinning: measure these in separate processes, one variant each)
  'spin-long': { sessionConfig: { 'intra_op.spin_duration_us': '20000' } },
  'spin-short': { sessionConfig: { 'intra_op.spin_duration_us': '50' } },
  pinned: { sessionConfig: { intra_op_thread_affinities: '2' } },
};

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
}
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

async function main(): Promise<void> {
  const names = flag('variants', 'f400def,base').split(',');
  const rounds = Number(flag('rounds', '8'));
  const iters = Number(flag('iters', '3'));
  const threads = Number(flag('threads', '2'));
  const spinning = process.argv.includes('--spinning'); // every variant (the toy kind's setting)
  interface Run { name: string; backend: OrtBackend; trainer: Trainer; patch: (() => () => void) | undefined; wall: number[]; cpu: number[] }
  const runs: Run[] = [];
  for (const name of names) {
    const v = VARIANTS[name];
    if (!v) throw new Error(`unknown variant '${name}'; known: ${Object.keys(VARIANTS).join(', ')}`);
    const backend = createOrtBackend(withSessionConfig(v.sessionConfig), { threads, ...(spinning ? { spinning } : {}), ...v.opts });
    setBackend(backend);
    const trainer = toyTrainer(0, v.setup);
    const undo = v.patch?.();
    for (let i = 0; i < 2; i++) await trainer.iterate(); // compile, warm up
    undo?.();
    runs.push({ name, backend, trainer, patch: v.patch, wall: [], cpu: [] });
  }
  const load0 = loadavg()[0]!;
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < runs.length; k++) {
      const run = runs[(r + k) % runs.length]!;
      setBackend(run.backend);
      // A variant whose graphs are rebuilt (replay off) reads its patch while it runs too.
      const undo = run.patch?.();
      for (let i = 0; i < iters; i++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await run.trainer.iterate();
        run.wall.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        run.cpu.push((c.user + c.system) / 1000);
      }
      undo?.();
    }
  }
  const base = runs[0]!;
  for (const run of runs) {
    const w = median(run.wall);
    const c = median(run.cpu);
    console.log(`${run.name.padEnd(12)} ${w.toFixed(1)} ms wall, ${c.toFixed(1)} ms CPU per iteration (${run.wall.length} iterations)${run === base ? '' : `; ${(median(base.wall) / w).toFixed(3)}x wall, ${(median(base.cpu) / c).toFixed(3)}x CPU vs ${base.name}`}`);
  }
  console.log(`threads ${threads}${spinning ? ', spinning' : ''}; load average ${load0.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`);
  for (const run of runs) await run.backend.dispose();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
