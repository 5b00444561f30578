/**
 * The browser entry point: everything in the core plus the onnxruntime-web backend (WebAssembly by
 * default, WebGPU where the browser has it). It imports nothing from Node, so bundlers can take it
 * as is; onnxruntime-web also runs in Node (WebAssembly only), which is how its tests run.
 *
 * onnxruntime-web only runs asynchronously, which the engine is built for: every realization
 * (`await realize(...)`, `await t.data()`) is one awaited `session.run`.
 * @example
 * import { setBackend, ortWebBackend } from 'wgan-gp/web';
 * setBackend(ortWebBackend()); // or ortWebBackend({ device: 'webgpu' })
 */
import * as ort from 'onnxruntime-web';
import {
  createOrtBackend,
  type CompileInfo,
  type GraphOptimizationLevel,
  type OrtBackend,
  type OrtLike,
  type OrtSession,
} from './backends/onnx/ort-backend.js';

export * from './index.js';
export type { OrtBackend, CompileInfo, GraphOptimizationLevel } from './backends/onnx/ort-backend.js';

/** Where onnxruntime-web finds its WebAssembly files (see {@link OrtWebBackendOptions.wasmPaths}). */
export type WasmPaths = string | { readonly wasm?: string; readonly mjs?: string };

export interface OrtWebBackendOptions {
  /**
   * 'wasm' (default): onnxruntime's CPU kernels compiled to WebAssembly, everywhere.
   * 'webgpu': the WebGPU execution provider, in browsers that expose `navigator.gpu` (not in Node).
   */
  device?: 'wasm' | 'webgpu';
  /**
   * WebAssembly threads (`ort.env.wasm.numThreads`). More than 1 needs a cross-origin-isolated page
   * (COOP/COEP headers); elsewhere onnxruntime-web falls back to 1. Default: onnxruntime-web's choice.
   * Global to onnxruntime-web and fixed once its WebAssembly has loaded (the first session).
   */
  threads?: number;
  /**
   * Where to fetch onnxruntime-web's `.wasm` files (`ort.env.wasm.wasmPaths`): a URL prefix (a folder
   * ending in '/', e.g. a CDN path of the same version) or `{ wasm }` with the file's full URL.
   * Default: next to the script that contains onnxruntime-web; a bundler's output folder must then
   * hold `ort-wasm-simd-threaded.jsep.wasm` from `node_modules/onnxruntime-web/dist` (scripts/build-web.mjs
   * copies it). Global to onnxruntime-web and fixed once its WebAssembly has loaded.
   */
  wasmPaths?: WasmPaths;
  /** Keep at most this many cached sessions (least recently used are released). Default 64. */
  maxSessions?: number;
  /** onnxruntime's graph optimizations per session; 'auto' (default) as in the Node backend. */
  graphOptimizationLevel?: GraphOptimizationLevel | 'auto';
  /** Simplify each plan before lowering it. Default true. */
  simplify?: boolean;
  /** Called once per compiled plan with its sizes and times. */
  onCompile?: (info: CompileInfo) => void;
}

/** The global WebAssembly settings the first session loaded with (null until then). */
let loadedWith: { threads: number | undefined; wasmPaths: string } | null = null;

function describePaths(p: WasmPaths | undefined): string {
  return p === undefined ? '(default)' : JSON.stringify(p);
}

/** Applies `threads`/`wasmPaths` to onnxruntime-web's global env, refusing to change them after it loaded. */
function configureWasm(threads: number | undefined, wasmPaths: WasmPaths | undefined): void {
  if (loadedWith) {
    const paths = describePaths(wasmPaths);
    if ((threads !== undefined && threads !== loadedWith.threads) || (wasmPaths !== undefined && paths !== loadedWith.wasmPaths)) {
      throw new Error(
        `ortWebBackend: threads and wasmPaths are global to onnxruntime-web and fixed once its WebAssembly has loaded ` +
          `(threads ${String(loadedWith.threads ?? '(default)')}, wasmPaths ${loadedWith.wasmPaths}); ` +
          `got threads ${String(threads ?? '(default)')}, wasmPaths ${paths}`,
      );
    }
    return;
  }
  if (threads !== undefined) ort.env.wasm.numThreads = threads;
  if (wasmPaths !== undefined) ort.env.wasm.wasmPaths = wasmPaths as NonNullable<typeof ort.env.wasm.wasmPaths>;
}

function hasWebGpu(): boolean {
  return (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu !== undefined;
}

/**
 * The onnxruntime-web backend. Each distinct step structure becomes one cached session, as on Node.
 * @example
 * setBackend(ortWebBackend({ device: 'wasm', threads: 1 }));
 * const y = tanh(tensor([0.5, -1], [2]));
 * console.log(await y.data());
 */
export function ortWebBackend(opts: OrtWebBackendOptions = {}): OrtBackend {
  const device = opts.device ?? 'wasm';
  if (device !== 'wasm' && device !== 'webgpu') throw new Error(`ortWebBackend: device must be 'wasm' or 'webgpu', got '${String(device)}'`);
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1)) {
    throw new Error(`ortWebBackend: threads must be a positive integer, got ${String(opts.threads)}`);
  }
  const threads = opts.threads;
  const wasmPaths = opts.wasmPaths;
  configureWasm(threads, wasmPaths);

  // onnxruntime-web names its WebAssembly CPU provider both 'cpu' and 'wasm'; the shared backend asks for 'cpu'.
  const api: OrtLike = {
    Tensor: ort.Tensor as unknown as OrtLike['Tensor'],
    InferenceSession: {
      async create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> {
        if (device === 'webgpu' && !hasWebGpu()) {
          throw new Error("WebGPU is not available here (navigator.gpu is undefined): use a browser with WebGPU enabled, or device: 'wasm'");
        }
        if (!loadedWith) {
          configureWasm(threads, wasmPaths);
          loadedWith = { threads: ort.env.wasm.numThreads, wasmPaths: describePaths(ort.env.wasm.wasmPaths as WasmPaths | undefined) };
        }
        return (await ort.InferenceSession.create(model, options)) as unknown as OrtSession;
      },
    },
  };
  const inner = createOrtBackend(api, {
    device: device === 'webgpu' ? 'webgpu' : 'cpu',
    // The NCHWc kernels are onnxruntime-node's (x86 MLAS); the WASM build has none.
    nchwc: false,
    // Kept values (GPU buffers between steps) are onnxruntime-node's path; not offered here.
    resident: false,
    ...(opts.maxSessions !== undefined ? { maxSessions: opts.maxSessions } : {}),
    ...(opts.graphOptimizationLevel !== undefined ? { graphOptimizationLevel: opts.graphOptimizationLevel } : {}),
    ...(opts.simplify !== undefined ? { simplify: opts.simplify } : {}),
    ...(opts.onCompile !== undefined ? { onCompile: opts.onCompile } : {}),
  });
  return {
    name: `onnxruntime-web-${device}`,
    get sessionsCreated() {
      return inner.sessionsCreated;
    },
    execute: (plan) => inner.execute(plan),
    download: (values) => inner.download(values),
    dispose: () => inner.dispose(),
  };
}
