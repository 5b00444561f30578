/**
 * An onnxruntime-node backend whose sessions run in a worker thread.
 *
 * onnxruntime-node's `session.run` blocks the JavaScript thread that calls it, so two sessions in
 * one thread never overlap. A worker thread has its own: a step computed by this backend runs while
 * the main thread runs another backend's step (the data-parallel critic step of
 * `TrainerOptions.criticShards`; docs/BENCHMARKS.md, "Data-parallel critic steps").
 *
 * Plans are lowered here, exactly as by {@link createOrtBackend} (same graphs, same values); the
 * worker only creates sessions and runs them. Feeds are copied to the worker, outputs moved back.
 * The worker does not keep the process alive while idle; `dispose()` ends it.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { Storage } from '../../tensor/tensor.js';
import { createOrtBackend, type OrtBackend, type OrtBackendOptions, type OrtLike, type OrtSession } from './ort-backend.js';

/** The worker's program (CommonJS, run with `eval`: no file to ship or transpile). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
const sessions = new Map();
parentPort.on('message', async (m) => {
  try {
    if (m.op === 'create') {
      sessions.set(m.session, await ort.InferenceSession.create(m.model, m.options));
      parentPort.postMessage({ id: m.id });
    } else if (m.op === 'run') {
      const s = sessions.get(m.session);
      if (!s) throw new Error('no session ' + m.session + ' in the worker (released?)');
      const feeds = {};
      for (const [k, v] of Object.entries(m.feeds)) feeds[k] = new ort.Tensor(v.type, v.data, v.dims);
      const res = await s.run(feeds);
      const outputs = {};
      for (const [k, t] of Object.entries(res)) outputs[k] = { data: t.data.slice(), dims: t.dims };
      parentPort.postMessage({ id: m.id, outputs }, Object.values(outputs).map((o) => o.data.buffer));
    } else if (m.op === 'release') {
      const s = sessions.get(m.session);
      sessions.delete(m.session);
      if (s) await s.release();
      parentPort.postMessage({ id: m.id });
    }
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) });
  }
});
`;

interface Reply {
  id: number;
  error?: string;
  outputs?: Record<string, { data: Storage; dims: readonly number[] }>;
}

/** A feed as the worker receives it (a plain object: onnxruntime's Tensor does not cross threads). */
class FeedTensor {
  constructor(
    readonly type: string,
    readonly data: Storage,
    readonly dims: readonly number[],
  ) {}
}

/** The onnxruntime-node backend with its sessions in a worker thread (see the module comment). */
export interface OrtWorkerBackend extends OrtBackend {
  /** Ends the worker (after releasing the sessions); later runs fail with a message saying so. */
  dispose(): Promise<void>;
}

/**
 * Creates a backend whose sessions run in their own worker thread; options as {@link ortBackend}
 * ('cpu' only: WebGPU sessions stay on the main thread).
 * @example const shards = [ortBackend({ threads: 1 }), ortWorkerBackend({ threads: 1 })];
 */
export function ortWorkerBackend(opts: OrtBackendOptions = {}): OrtWorkerBackend {
  if ((opts.device ?? 'cpu') !== 'cpu') throw new Error(`ortWorkerBackend: device must be 'cpu', got '${String(opts.device)}'`);
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath } });
  const pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let nextSession = 0;
  let closed: string | null = null;
  worker.unref(); // idle: let the process exit; referenced again while a request is in flight
  const failAll = (why: string): void => {
    closed ??= why;
    for (const p of pending.values()) p.reject(new Error(`ortWorkerBackend: ${why}`));
    pending.clear();
    worker.unref();
  };
  worker.on('message', (r: Reply) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (pending.size === 0) worker.unref();
    if (r.error !== undefined) p.reject(new Error(`ortWorkerBackend: ${r.error}`));
    else p.resolve(r);
  });
  worker.on('error', (e) => failAll(`the worker thread failed: ${e.message}`));
  worker.on('exit', (code) => failAll(`the worker thread exited (code ${code})`));

  const call = (msg: Record<string, unknown>): Promise<Reply> => {
    if (closed !== null) return Promise.reject(new Error(`ortWorkerBackend: ${closed}`));
    const id = nextId++;
    if (pending.size === 0) worker.ref();
    return new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...msg, id });
    });
  };

  const remote: OrtLike = {
    Tensor: FeedTensor as unknown as OrtLike['Tensor'],
    InferenceSession: {
      async create(model, options): Promise<OrtSession> {
        const session = nextSession++;
        await call({ op: 'create', session, model, options });
        return {
          async run(feeds) {
            const r = await call({ op: 'run', session, feeds });
            return r.outputs!;
          },
          async release() {
            if (closed === null) await call({ op: 'release', session });
          },
        };
      },
    },
  };
  const inner = createOrtBackend(remote, opts);
  const releaseSessions = inner.dispose?.bind(inner);
  return Object.assign(inner, {
    name: 'onnxruntime-cpu-worker',
    offThread: true,
    async dispose(): Promise<void> {
      if (closed !== null) return;
      await releaseSessions?.();
      closed = 'disposed';
      await worker.terminate();
    },
  });
}

/**
 * The backends of `n` data-parallel critic shards (TrainerOptions.criticShards): the first runs on
 * this thread, the others in worker threads; `opts` (threads: per shard) apply to each.
 * @example const shards = criticShardBackends(2, { threads: 1 });
 */
export function criticShardBackends(n: number, opts: OrtBackendOptions = {}): OrtBackend[] {
  if (!Number.isInteger(n) || n < 2) throw new Error(`criticShardBackends: n must be an integer >= 2, got ${String(n)}`);
  return [createOrtBackend(ort as unknown as OrtLike, opts), ...Array.from({ length: n - 1 }, () => ortWorkerBackend(opts))];
}
