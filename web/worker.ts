/**
 * The playground's training worker: runs the session (web/session.ts) on onnxruntime-web off the
 * page's thread, so drawing and the controls never wait for a training step. Built twice
 * (scripts/build-web.mjs): worker.js on onnxruntime-web's WebAssembly build (SIMD; several threads
 * where the page is cross-origin isolated), worker-webgpu.js on its WebGPU build; the page picks one.
 * Messages: web/protocol.ts.
 *
 * onnxruntime-web's own threads (Emscripten pthreads, named "em-pthread") load this same bundle as
 * their script; they must not start a second trainer, so the worker starts only outside them.
 */
import { ortWebBackend, setBackend, type OrtBackend } from '../src/web.js';
import type { BackendInfo, Device, FromWorker, ToWorker } from './protocol.js';
import type { PlaygroundConfig } from './config.js';
import { configFromRun, Session } from './session.js';

/** The few worker globals used here (web/tsconfig.json types the DOM's window, not a worker's scope). */
interface WorkerScope {
  name?: string;
  crossOriginIsolated?: boolean;
  navigator: { hardwareConcurrency?: number };
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;

if (!(scope.name ?? '').startsWith('em-pthread')) startTrainer();

/** True where WebAssembly SIMD validates (a module with one v128 instruction; wasm-feature-detect's probe). */
function hasSimd(): boolean {
  const probe = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11];
  try {
    return WebAssembly.validate(new Uint8Array(probe));
  } catch {
    return false;
  }
}

/** A macrotask later: lets queued messages (pause, step, a new λ) in between iterations. */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(0);
  });
}

function startTrainer(): void {
  let backend: OrtBackend | null = null;
  let session: Session | null = null;
  let sessionNo = 0;
  let playing = false;
  let looping = false;
  let drawEvery = 10;
  /** Completion times (ms) of the recent iterations, for iterations per second. */
  const done: number[] = [];
  let lastStatus = 0;
  // Every use of the session runs in this chain, one at a time: a step or a reset waits for the
  // iteration in progress instead of interleaving with its backend runs.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T> | T): Promise<T> => {
    const p = chain.then(fn);
    chain = p.catch(() => undefined);
    return p;
  };
  const post = (m: FromWorker, transfer: Transferable[] = []): void => scope.postMessage(m, transfer);
  const fail = (e: unknown): void => {
    playing = false;
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  };

  function itersPerSec(): number {
    const now = performance.now();
    while (done.length > 0 && now - done[0]! > 2000) done.shift();
    if (!playing || done.length < 2) return 0;
    return ((done.length - 1) * 1000) / (done[done.length - 1]! - done[0]!);
  }

  function makeBackend(device: Device, c: PlaygroundConfig): BackendInfo {
    const isolated = scope.crossOriginIsolated === true;
    // Threads need SharedArrayBuffer, i.e. a cross-origin-isolated page (COOP/COEP headers). Automatic:
    // half the cores, at most 4: onnxruntime's threads spin while they wait, and the page and the
    // browser need a core (on a busy 2-core machine 1 thread trained 2.4× faster than 2).
    const cores = scope.navigator.hardwareConcurrency ?? 1;
    const threads = !isolated ? 1 : c.threads > 0 ? c.threads : Math.max(1, Math.min(4, Math.floor(cores / 2)));
    backend = ortWebBackend({ device, threads });
    setBackend(backend);
    return { device, name: backend.name, threads, simd: hasSimd(), crossOriginIsolated: isolated };
  }

  async function sendFrame(): Promise<void> {
    const s = session;
    if (!s) return;
    const views = await s.views();
    const transfer: Transferable[] = [];
    for (const v of views) for (const a of [v.critic, v.gradNorm, v.fake, v.arrows, v.manifold, v.interpolates]) transfer.push(a.buffer);
    post({ type: 'frame', session: sessionNo, views, real: Float32Array.from(s.real), playing, itersPerSec: itersPerSec(), compiled: backend?.sessionsCreated ?? 0 }, transfer);
  }

  async function iterateOnce(): Promise<void> {
    const s = session;
    if (!s || !playing) return;
    await s.iterate();
    done.push(performance.now());
    const it = s.lanes[0]!.trainer.iteration;
    if (it % drawEvery === 0) await sendFrame();
    else if (performance.now() - lastStatus > 250) {
      lastStatus = performance.now();
      post({ type: 'status', session: sessionNo, iteration: it, playing, itersPerSec: itersPerSec() });
    }
  }

  async function loop(): Promise<void> {
    if (looping) return;
    looping = true;
    try {
      while (playing && session) {
        await serial(iterateOnce);
        await yieldToMessages();
      }
    } catch (e) {
      fail(e);
    } finally {
      looping = false;
    }
  }

  async function handle(m: ToWorker): Promise<void> {
    switch (m.type) {
      case 'init': {
        playing = false;
        if (!backend) post({ type: 'ready', backend: makeBackend(m.device, m.config) });
        session = new Session(m.config);
        sessionNo = m.session;
        drawEvery = m.config.drawEvery;
        done.length = 0;
        await sendFrame();
        return;
      }
      case 'play':
        playing = true;
        void loop();
        return;
      case 'pause':
        playing = false;
        done.length = 0;
        await sendFrame();
        return;
      case 'step':
        playing = false;
        done.length = 0;
        if (!session) return;
        await session.step(m.which);
        await sendFrame();
        return;
      case 'live':
        drawEvery = m.drawEvery;
        session?.setLive(m);
        return;
      case 'export':
        if (session) post({ type: 'run', run: session.export() });
        return;
      case 'import': {
        playing = false;
        const { manifest } = m;
        const bytes = new Uint8Array(m.weights);
        // The checkpoint's own check (src/gan/checkpoint.ts loadCheckpoint): size and SHA-256 of the weights.
        const sha = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
        if (bytes.length !== manifest.weightsBytes || sha !== manifest.weightsSha256) {
          throw new Error(`${manifest.weights} does not match the checksum in checkpoint.json (${bytes.length} bytes, expected ${manifest.weightsBytes})`);
        }
        const config = configFromRun(m.run, manifest);
        if (!backend) post({ type: 'ready', backend: makeBackend(m.device, config) });
        const s = new Session(config);
        s.lanes[0]!.load(manifest, bytes);
        session = s;
        sessionNo = m.session;
        drawEvery = config.drawEvery;
        done.length = 0;
        post({ type: 'imported', session: sessionNo, config, iteration: s.lanes[0]!.trainer.iteration });
        await sendFrame();
        return;
      }
    }
  }

  scope.onmessage = (e) => {
    const m = e.data;
    // Pause takes effect at once (the loop checks it between iterations); the rest wait their turn.
    if (m.type === 'pause' || m.type === 'step' || m.type === 'init' || m.type === 'import') playing = false;
    serial(() => handle(m)).catch(fail);
  };
}
