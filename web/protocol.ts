/**
 * The messages between the page (web/main.ts) and the training worker (web/worker.ts). Types only:
 * the page bundle imports nothing of the engine.
 */
import type { CheckpointManifest } from '../src/gan/checkpoint.js';
import type { PlaygroundConfig } from './config.js';
import type { LaneView, RunExport } from './session.js';

/** Where a worker trains: worker.js is built for WebAssembly, worker-webgpu.js for WebGPU (scripts/build-web.mjs). */
export type Device = 'wasm' | 'webgpu';

export type ToWorker =
  /** Build a new session (the backend stays: its compiled steps are reused by a same-shaped run). */
  | { type: 'init'; config: PlaygroundConfig; device: Device; session: number }
  | { type: 'play' }
  | { type: 'pause' }
  /** One critic step, or one generator step, of every lane (pauses first). */
  | { type: 'step'; which: 'critic' | 'generator' }
  /** Settings that apply without a reset. */
  | { type: 'live'; lambda: number; lr: number; lrG: number; drawEvery: number }
  | { type: 'export' }
  /** Continue a CLI toy run: its config.json, checkpoints/checkpoint.json and weights file. */
  | { type: 'import'; run: Record<string, unknown>; manifest: CheckpointManifest; weights: ArrayBuffer; device: Device; session: number };

/** Which compute the worker runs on, for the page's indicator. */
export interface BackendInfo {
  device: Device;
  /** The backend's name (onnxruntime-web-wasm, onnxruntime-web-webgpu). */
  name: string;
  threads: number;
  simd: boolean;
  crossOriginIsolated: boolean;
}

export type FromWorker =
  | { type: 'ready'; backend: BackendInfo }
  | {
      type: 'frame';
      /** The page's number of the session (sent with init), so the page drops frames of an old one. */
      session: number;
      views: LaneView[];
      /** The plotted real points (the same in every lane). */
      real: Float32Array;
      playing: boolean;
      /** Generator iterations per second and per lane, over the last second of training (0 when idle). */
      itersPerSec: number;
      /** Sessions compiled so far. */
      compiled: number;
    }
  | { type: 'status'; session: number; iteration: number; playing: boolean; itersPerSec: number }
  | { type: 'run'; run: RunExport }
  /** A CLI run was loaded: the page shows its settings (its frames follow). */
  | { type: 'imported'; session: number; config: PlaygroundConfig; iteration: number }
  | { type: 'error'; message: string };
