/**
 * onnxruntime's profiler under the engine's backend, for the benchmark scripts (bench/profile.ts,
 * bench/graph-bench.ts): an onnxruntime-node module whose sessions all profile to one file prefix,
 * and the events of every session read back.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { OrtLike } from '../src/backends/onnx/ort-backend.js';

/** One event of onnxruntime's profile (Chrome trace format). */
export interface ProfileEvent {
  cat: string;
  name: string;
  /** Start, in µs since the session's profiling began. */
  ts: number;
  dur: number;
  args?: {
    op_name?: string;
    provider?: string;
    input_type_shape?: Record<string, number[]>[];
    output_type_shape?: Record<string, number[]>[];
  };
}

export interface OrtProfiler {
  /** onnxruntime-node with profiling on in every session it creates (give it to createOrtBackend). */
  readonly ort: OrtLike;
  /**
   * Marks the end of a warm-up: {@link OrtProfiler.collect} leaves out every event of the runs each
   * session made before this call (its first runs: allocations, first touches, and a step that runs a
   * session several times, which would otherwise count all but its first run as measured).
   */
  mark(): void;
  /**
   * Ends the profiling of every session still open and returns each session file's events (the
   * files are removed), without the runs before {@link OrtProfiler.mark}. Sessions released before
   * (the backend's one-off NCHWc probe) wrote nothing.
   */
  collect(): ProfileEvent[][];
}

/** @example const p = ortProfiler('profile'); const backend = createOrtBackend(p.ort, opts); ...; p.collect() */
export function ortProfiler(tag: string): OrtProfiler {
  const prefix = join(tmpdir(), `wgan-gp-${tag}-${process.pid}`);
  // One file prefix per session, so that each file's events can be matched with its session's runs.
  const sessions: { session: { endProfiling(): void }; prefix: string; runs: number; warmRuns: number }[] = [];
  return {
    ort: {
      Tensor: ort.Tensor as unknown as OrtLike['Tensor'],
      InferenceSession: {
        create: async (model, options) => {
          const own = `${prefix}-s${sessions.length}`;
          const s = await ort.InferenceSession.create(model, { ...options, enableProfiling: true, profileFilePrefix: own });
          const entry = { session: s as unknown as { endProfiling(): void }, prefix: own, runs: 0, warmRuns: 0 };
          sessions.push(entry);
          const run = s.run.bind(s) as (...args: unknown[]) => Promise<unknown>;
          (s as unknown as { run: typeof run }).run = (...args: unknown[]) => {
            entry.runs++;
            return run(...args);
          };
          return s as unknown as Awaited<ReturnType<OrtLike['InferenceSession']['create']>>;
        },
      },
    },
    mark() {
      for (const s of sessions) s.warmRuns = s.runs;
    },
    collect() {
      const dir = dirname(prefix);
      return sessions.splice(0).flatMap((s) => {
        try {
          s.session.endProfiling();
        } catch {
          // released already
        }
        // onnxruntime writes <prefix>_<date>_<time>.json per session
        const files = readdirSync(dir).filter((f) => f.startsWith(`${basename(s.prefix)}_`) && f.endsWith('.json'));
        return files.map((f) => {
          const file = join(dir, f);
          const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
          rmSync(file, { force: true });
          // Runs are sequential: the warm-up's events end where its last model_run ends.
          const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts);
          const warm = runs[s.warmRuns - 1];
          const from = warm ? warm.ts + warm.dur : -Infinity;
          return events.filter((e) => e.ts >= from);
        });
      });
    },
  };
}
