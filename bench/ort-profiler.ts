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
   * Ends the profiling of every session still open and returns each session file's events (the
   * files are removed). Sessions released before (the backend's one-off NCHWc probe) wrote nothing.
   */
  collect(): ProfileEvent[][];
}

/** @example const p = ortProfiler('profile'); const backend = createOrtBackend(p.ort, opts); ...; p.collect() */
export function ortProfiler(tag: string): OrtProfiler {
  const prefix = join(tmpdir(), `wgan-gp-${tag}-${process.pid}`);
  const sessions: { endProfiling(): void }[] = [];
  return {
    ort: {
      Tensor: ort.Tensor as unknown as OrtLike['Tensor'],
      InferenceSession: {
        create: async (model, options) => {
          const s = await ort.InferenceSession.create(model, { ...options, enableProfiling: true, profileFilePrefix: prefix });
          sessions.push(s as unknown as { endProfiling(): void });
          return s as unknown as Awaited<ReturnType<OrtLike['InferenceSession']['create']>>;
        },
      },
    },
    collect() {
      for (const s of sessions.splice(0)) {
        try {
          s.endProfiling();
        } catch {
          // released already
        }
      }
      // onnxruntime writes <prefix>_<date>_<time>.json per session
      const dir = dirname(prefix);
      const files = readdirSync(dir).filter((f) => f.startsWith(basename(prefix)) && f.endsWith('.json')).map((f) => join(dir, f));
      return files.map((file) => {
        const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
        rmSync(file, { force: true });
        return events;
      });
    },
  };
}
