/**
 * A backend over an onnxruntime JS API (onnxruntime-node or onnxruntime-web): each distinct plan
 * structure becomes one InferenceSession, created once and cached by the plan's key.
 */
import { simplifyPlan, type SimplifyStats } from '../../compile/simplify.js';
import type { Backend, DeviceValue, DType, ExecuteOptions, Plan, Storage } from '../../tensor/tensor.js';
import { lowerPlan, loweringKey, NCHWC_DOMAIN, OPSET, type LoweredModel, type LoweringOptions } from './lower.js';
import { encodeModel, ONNX_DTYPE } from './proto.js';

/** The slice of the onnxruntime API the backend uses (shared by onnxruntime-node and -web). */
export interface OrtLike {
  InferenceSession: {
    create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession>;
  };
  Tensor: new (type: string, data: Storage, dims: readonly number[]) => unknown;
}
export interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>>;
  release?(): Promise<void>;
}

export interface OrtBackendOptions {
  /** 'cpu' (default) or 'webgpu' (where a GPU and onnxruntime's WebGPU provider are available). */
  device?: 'cpu' | 'webgpu';
  /**
   * Options of onnxruntime's WebGPU provider (device 'webgpu' only): its validation mode (default
   * 'basic') and the layout its convolutions prefer (default 'NCHW'). See onnxruntime-common's
   * WebGpuExecutionProviderOption.
   */
  webgpu?: { validationMode?: 'disabled' | 'wgpuOnly' | 'basic' | 'full'; preferredLayout?: 'NCHW' | 'NHWC' };
  /** Intra-op threads (default: onnxruntime's choice, all cores). */
  threads?: number;
  /**
   * Let idle worker threads spin. Fastest with one session in a loop; harmful with many sessions
   * alternating on few cores, where spinning threads fight the running ones (docs/BENCHMARKS.md,
   * "Toy workloads"). Default false.
   */
  spinning?: boolean;
  /**
   * Lower convolutions that fit (channel counts in whole blocks) onto onnxruntime's NCHWc CPU kernels
   * (com.microsoft.nchwc, MLAS's blocked direct convolutions, faster than ONNX Conv on the ResNet and
   * MNIST critic layers: docs/BENCHMARKS.md, "NCHWc"), when this onnxruntime build has them. Default true on 'cpu';
   * ignored on 'webgpu'. Results agree with the standard lowering to float32 rounding.
   */
  nchwc?: boolean;
  /**
   * On 'webgpu': a conv weight gradient whose outputs each sum at most this many rows (images ×
   * output pixels) is lowered as one Conv instead of k² per-tap MatMuls (lowerPlan's option of the
   * same name). Default 4096 (DEFAULT_GPU_WEIGHT_GRAD_CONV_MAX_ROWS); ignored on 'cpu'.
   */
  gpuWeightGradConvMaxRows?: number;
  /**
   * onnxruntime's memory pattern: after the first run, the intermediate tensors are placed at planned
   * offsets of one block. 'auto' (default): on up to {@link AUTO_ALL_MAX_NODES} ONNX nodes (faster
   * critic steps), off above, where the block grows far beyond the peak of live tensors (the 101-layer
   * ResNet's critic step; docs/BENCHMARKS.md, "Memory").
   */
  memoryPattern?: boolean | 'auto';
  /**
   * Return each session's float32 outputs as one concatenated output (lowerPlan's `packOutputs`),
   * split here into views. Default true on 'webgpu' (each output copied to the host costs a wait
   * for the GPU: docs/BENCHMARKS.md, "WebGPU"), false on 'cpu' (one more copy, nothing to gain).
   * Results are identical either way.
   */
  packOutputs?: boolean;
  /**
   * Feed each session's float32 inputs as one concatenated input (lowerPlan's `packInputs`), copied
   * together here. Default true on 'webgpu' (each input has a fixed cost beyond its bytes there:
   * docs/BENCHMARKS.md, "WebGPU"), false on 'cpu'. Results are identical either way.
   */
  packInputs?: boolean;
  /**
   * Keep the outputs a caller asks for (`realize`'s `keepOnDevice`: the trainer's new parameters and
   * optimizer state) in device memory as onnxruntime tensors, and feed them to the next run as they
   * are: no copy to the host and back each step. Default true on 'webgpu' (GPU buffers); on 'cpu'
   * the kept values are the runs' own output tensors, which exercises the same paths (for tests).
   * Kept values reach the host through {@link toHost} (one Identity run). Results are identical.
   */
  resident?: boolean;
  /** Keep at most this many cached sessions (least recently used are released). Default 64. */
  maxSessions?: number;
  /**
   * onnxruntime's graph optimizations for each session. 'auto' (default): 'all' up to
   * {@link AUTO_ALL_MAX_NODES} ONNX nodes, 'basic' above, where 'all' costs seconds of session creation
   * for little run-time gain (see docs/BENCHMARKS.md, "Graph simplification").
   */
  graphOptimizationLevel?: GraphOptimizationLevel | 'auto';
  /** Simplify each plan before lowering it (CSE, constant folding, identities; compile/simplify.ts). Default true. */
  simplify?: boolean;
  /** Called once per compiled plan with its sizes and times (for benchmarks and diagnostics). */
  onCompile?: (info: CompileInfo) => void;
}

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

/** Packed outputs of fewer elements than this are copied out of the packed output rather than viewed. */
export const PACK_COPY_BELOW = 16384;

/** Above this many ONNX nodes, `graphOptimizationLevel: 'auto'` uses 'basic' instead of 'all', and `memoryPattern: 'auto'` is off. */
export const AUTO_ALL_MAX_NODES = 4000;

/** What one compilation did: plan and graph sizes, and where the time went. */
export interface CompileInfo {
  /** Op nodes of the plan before and after simplification (equal when `simplify` is false). */
  readonly opsBefore: number;
  readonly opsAfter: number;
  /** Nodes of the lowered ONNX graph. */
  readonly onnxNodes: number;
  /** The level the session was created with. */
  readonly level: GraphOptimizationLevel;
  readonly simplifyMs: number;
  readonly lowerMs: number;
  readonly sessionMs: number;
  /** The simplifier's statistics (absent when `simplify` is false). */
  readonly simplify?: SimplifyStats;
}

export interface OrtBackend extends Backend {
  /** Number of sessions created so far (a cache-miss count, for tests and benchmarks). */
  readonly sessionsCreated: number;
  /** Releases every cached session. */
  dispose(): Promise<void>;
  /** Copies values this backend keeps in device memory to the host (one Identity run). */
  download(values: readonly DeviceValue[]): Promise<Storage[]>;
}

function ortType(d: DType): string {
  return d === 'float32' ? 'float32' : d === 'int32' ? 'int32' : 'bool';
}

function feedData(d: DType, v: Storage): Storage {
  if (d === 'float32') return v instanceof Float32Array ? v : Float32Array.from(v);
  if (d === 'int32') return v instanceof Int32Array ? v : Int32Array.from(v);
  return v instanceof Uint8Array ? v : Uint8Array.from(v, (x) => (x ? 1 : 0));
}

interface Compiled {
  session: OrtSession;
  inputNames: readonly string[];
  /** For each graph input, the index into `plan.feeds` of the feed it takes (simplification drops unused feeds). */
  feedMap: readonly number[];
  outputNames: readonly string[];
  /** Where each output lies in the packed output (lowerPlan's `packed.members`), or null: none packed. */
  packed: readonly ({ offset: number; length: number } | null)[] | null;
  /** The packed input (lowerPlan's `packedInput`), or null. */
  packedInput: LoweredModel['packedInput'] | null;
}

const LEVELS: readonly string[] = ['disabled', 'basic', 'extended', 'all', 'auto'];

/**
 * The channel block size of this onnxruntime's NCHWc CPU kernels (16 with AVX-512, 8 with AVX2), or
 * 0 where it has none (other CPUs, onnxruntime-web): ReorderInput pads a 4-channel image up to one
 * block, so the block size is the channel count of its output.
 * @example const b = await probeNchwcBlock(ort); // 16 on an AVX-512 machine
 */
export async function probeNchwcBlock(ort: OrtLike): Promise<number> {
  const F = ONNX_DTYPE.float32;
  const bytes = encodeModel({
    nodes: [{ opType: 'ReorderInput', domain: NCHWC_DOMAIN, inputs: ['x'], outputs: ['y'], attrs: {} }],
    initializers: [],
    inputs: [{ name: 'x', dtype: F, dims: [1, 4, 1, 1] }],
    outputs: [{ name: 'y', dtype: F, dims: [1, -1, 1, 1] }],
    opset: OPSET,
    extraOpsets: [{ domain: NCHWC_DOMAIN, version: 1 }],
  });
  try {
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], logSeverityLevel: 4 });
    const out = (await session.run({ x: new ort.Tensor('float32', new Float32Array(4), [1, 4, 1, 1]) })).y as { dims?: readonly number[] } | undefined;
    await session.release?.();
    const b = out?.dims?.[1] ?? 0;
    return Number.isInteger(b) && b >= 4 && b % 4 === 0 ? b : 0;
  } catch {
    return 0;
  }
}

/** Creates a backend over the given onnxruntime module. */
export function createOrtBackend(ort: OrtLike, opts: OrtBackendOptions = {}): OrtBackend {
  const device = opts.device ?? 'cpu';
  if (device !== 'cpu' && device !== 'webgpu') throw new Error(`ortBackend: device must be 'cpu' or 'webgpu', got '${String(device)}'`);
  if (opts.webgpu && device !== 'webgpu') throw new Error(`ortBackend: webgpu options given for device '${device}'`);
  const maxSessions = opts.maxSessions ?? 64;
  const levelOpt = opts.graphOptimizationLevel ?? 'auto';
  if (!LEVELS.includes(levelOpt)) throw new Error(`ortBackend: graphOptimizationLevel must be one of ${LEVELS.join(', ')}, got '${String(levelOpt)}'`);
  const simplify = opts.simplify ?? true;
  const packOutputs = opts.packOutputs ?? device === 'webgpu';
  const packInputs = opts.packInputs ?? device === 'webgpu';
  const resident = opts.resident ?? device === 'webgpu';
  const rows = opts.gpuWeightGradConvMaxRows;
  if (rows !== undefined && !(Number.isInteger(rows) && rows >= 0)) throw new Error(`ortBackend: gpuWeightGradConvMaxRows must be a non-negative integer, got ${String(rows)}`);
  const cache = new Map<string, Promise<Compiled>>();
  let created = 0;

  const sessionOptions: Record<string, unknown> = {
    executionProviders: [device === 'webgpu' && opts.webgpu ? { name: 'webgpu', ...opts.webgpu } : device],
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: opts.spinning ? '1' : '0' } } },
  };
  if (opts.threads !== undefined) sessionOptions.intraOpNumThreads = opts.threads;
  const memoryPattern = opts.memoryPattern ?? 'auto';
  if (memoryPattern !== true && memoryPattern !== false && memoryPattern !== 'auto') {
    throw new Error(`ortBackend: memoryPattern must be true, false or 'auto', got ${String(memoryPattern)}`);
  }

  // Everything that shapes the graphs (the NCHWc block is probed once, at the first run); part of
  // every session's cache key.
  let lowering: Promise<LoweringOptions> | undefined;
  const loweringOptions = (): Promise<LoweringOptions> =>
    (lowering ??= (device === 'cpu' && opts.nchwc !== false ? probeNchwcBlock(ort) : Promise.resolve(0)).then((nchwcBlock) => ({
      nchwcBlock,
      gpu: device === 'webgpu',
      ...(device === 'webgpu' && rows !== undefined ? { gpuWeightGradConvMaxRows: rows } : {}),
      packOutputs,
      packInputs,
    })));

  /** `residentFeeds` per `plan.feeds` entry, `residentOutputs` per `plan.outputs` entry (null: none). */
  async function compile(plan: Plan, lowerOpts: LoweringOptions, residentFeeds: readonly boolean[] | null, residentOutputs: readonly boolean[] | null): Promise<Compiled> {
    const t0 = performance.now();
    const simple = simplify ? simplifyPlan(plan) : null;
    const t1 = performance.now();
    const feedMap = simple ? simple.feedMap : plan.feeds.map((_, k) => k);
    const m = lowerPlan(simple ?? plan, {
      ...lowerOpts,
      ...(residentFeeds ? { residentFeeds: feedMap.map((f) => residentFeeds[f]!) } : {}),
      ...(residentOutputs ? { residentOutputs } : {}),
    });
    const t2 = performance.now();
    const level: GraphOptimizationLevel = levelOpt !== 'auto' ? levelOpt : m.nodeCount <= AUTO_ALL_MAX_NODES ? 'all' : 'basic';
    let session: OrtSession;
    try {
      const enableMemPattern = memoryPattern === 'auto' ? m.nodeCount <= AUTO_ALL_MAX_NODES : memoryPattern;
      const onDevice = device === 'webgpu' && residentOutputs ? m.outputNames.filter((_, k) => residentOutputs[k]) : [];
      const location = onDevice.length > 0 ? { preferredOutputLocation: Object.fromEntries(onDevice.map((n) => [n, 'gpu-buffer'])) } : {};
      session = await ort.InferenceSession.create(m.bytes, { ...sessionOptions, graphOptimizationLevel: level, enableMemPattern, ...location });
    } catch (e) {
      const ops = [...new Set(plan.values.flatMap((v) => (v.kind === 'op' ? [v.op.name] : [])))].join(', ');
      throw new Error(`onnxruntime (${device}) could not create a session for the lowered graph of ops [${ops}]: ${(e as Error).message}`);
    }
    created++;
    const opsBefore = plan.values.filter((v) => v.kind === 'op').length;
    opts.onCompile?.({
      opsBefore,
      opsAfter: simple ? simple.stats.opsAfter : opsBefore,
      onnxNodes: m.nodeCount,
      level,
      simplifyMs: t1 - t0,
      lowerMs: t2 - t1,
      sessionMs: performance.now() - t2,
      ...(simple ? { simplify: simple.stats } : {}),
    });
    return { session, inputNames: m.inputNames, feedMap, outputNames: m.outputNames, packed: m.packed?.members ?? null, packedInput: m.packedInput ?? null };
  }

  const self: OrtBackend = {
    name: `onnxruntime-${device}`,
    keepsOnDevice: resident,
    get sessionsCreated() {
      return created;
    },
    async execute(plan: Plan, runOpts: ExecuteOptions = {}): Promise<(Storage | DeviceValue)[]> {
      // Which feeds come from this backend's device memory, and which outputs stay there.
      let residentFeeds: boolean[] | null = null;
      plan.feeds.forEach((f, k) => {
        const t = plan.values[f]!.tensor;
        if (t.device === null) return;
        if (t.device.owner === self) {
          if ((t.device as OrtDeviceValue).disposed) {
            throw new Error(`${self.name}: input ${t.describe()} was freed from device memory (an optimizer commit replaced it; keep the parameter, not its old value)`);
          }
          (residentFeeds ??= plan.feeds.map(() => false))[k] = true;
        } else if (t.hostValue === null) throw new Error(`${self.name}: input ${t.describe()} is held in ${t.device.owner.name}'s device memory; copy it to the host first (toHost)`);
      });
      const keep = resident && runOpts.keep?.some((x) => x) ? runOpts.keep : null;
      if (keep && keep.length !== plan.outputs.length) throw new Error(`${self.name}: keep has ${keep.length} entries for ${plan.outputs.length} outputs`);
      const bits = (m: readonly boolean[]): string => m.map((x) => (x ? '1' : '0')).join('');
      const lowerOpts = await loweringOptions();
      const residentTag = residentFeeds || keep ? `|feeds:${residentFeeds ? bits(residentFeeds) : ''}|keep:${keep ? bits(keep) : ''}` : '';
      const key = `${loweringKey(lowerOpts)}|${plan.key}${residentTag}`;
      const c = await cached(key, () => compile(plan, lowerOpts, residentFeeds, keep));
      const feeds: Record<string, unknown> = {};
      const packedIn = c.packedInput ? new Float32Array(c.packedInput.length) : null;
      c.feedMap.forEach((f, k) => {
        const t = plan.values[plan.feeds[f]!]!.tensor;
        const at = c.packedInput?.members[k];
        if (residentFeeds?.[f]) feeds[c.inputNames[k]!] = t.device!.handle;
        else if (at) packedIn!.set(t.value as ArrayLike<number>, at.offset);
        else feeds[c.inputNames[k]!] = new ort.Tensor(ortType(t.dtype), feedData(t.dtype, t.value!), t.shape);
      });
      if (packedIn) feeds[c.packedInput!.name] = new ort.Tensor('float32', packedIn, [packedIn.length]);
      const res = await c.session.run(feeds);
      return c.outputNames.map((n, k) => {
        if (keep?.[k]) return deviceValue(res[n]!);
        const data = res[n]!.data as Storage;
        const at = c.packed?.[k];
        if (!at) return data;
        // A view into the packed output; small members are copied, so that keeping one (a loss, a
        // bias) does not keep the whole step's outputs alive.
        const view = (data as Float32Array).subarray(at.offset, at.offset + at.length);
        return at.length < PACK_COPY_BELOW ? view.slice() : view;
      });
    },
    async download(values: readonly DeviceValue[]): Promise<Storage[]> {
      if (values.length === 0) return [];
      values.forEach((v, i) => {
        if (v.owner !== self) throw new Error(`${self.name}.download: value ${i} is held by ${v.owner.name}`);
        if ((v as OrtDeviceValue).disposed) throw new Error(`${self.name}.download: value ${i} was disposed`);
      });
      const specs = values.map((v) => {
        const h = v.handle as { type: string; dims: readonly number[] };
        return { type: h.type, dims: h.dims };
      });
      const key = `download:${specs.map((s) => `${s.type}[${s.dims.join(',')}]`).join(';')}`;
      const c = await cached(key, () => compileIdentity(specs));
      const feeds: Record<string, unknown> = {};
      values.forEach((v, i) => (feeds[c.inputNames[i]!] = v.handle));
      const res = await c.session.run(feeds);
      return c.outputNames.map((n) => res[n]!.data as Storage);
    },
    async dispose() {
      const all = [...cache.values()];
      cache.clear();
      for (const p of all) await p.then((c) => c.session.release?.()).catch(() => undefined);
    },
  };

  /** The compiled session under `key`, compiled by `make` on a miss (least recently used released). */
  function cached(key: string, make: () => Promise<Compiled>): Promise<Compiled> {
    let entry = cache.get(key);
    if (entry) {
      // refresh LRU position
      cache.delete(key);
      cache.set(key, entry);
      return entry;
    }
    entry = make();
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
    if (cache.size > maxSessions) {
      const oldest = cache.keys().next().value as string;
      const old = cache.get(oldest)!;
      cache.delete(oldest);
      void old.then((c) => c.session.release?.()).catch(() => undefined);
    }
    return entry;
  }

  /** A session copying its inputs to host outputs (Identity each): how kept values reach the host. */
  async function compileIdentity(specs: readonly { type: string; dims: readonly number[] }[]): Promise<Compiled> {
    const dtypes: Record<string, number> = { float32: ONNX_DTYPE.float32, int32: ONNX_DTYPE.int32, bool: ONNX_DTYPE.bool };
    const bytes = encodeModel({
      nodes: specs.map((_, i) => ({ opType: 'Identity', inputs: [`x${i}`], outputs: [`y${i}`], attrs: {} })),
      initializers: [],
      inputs: specs.map((s, i) => ({ name: `x${i}`, dtype: dtypes[s.type]!, dims: s.dims })),
      outputs: specs.map((s, i) => ({ name: `y${i}`, dtype: dtypes[s.type]!, dims: s.dims })),
      opset: OPSET,
    });
    const session = await ort.InferenceSession.create(bytes, { ...sessionOptions, graphOptimizationLevel: 'disabled' });
    created++;
    const inputNames = specs.map((_, i) => `x${i}`);
    return { session, inputNames, feedMap: inputNames.map((_, i) => i), outputNames: specs.map((_, i) => `y${i}`), packed: null, packedInput: null };
  }

  function deviceValue(handle: { data: unknown }): OrtDeviceValue {
    const v: OrtDeviceValue = {
      owner: self,
      handle,
      disposed: false,
      dispose() {
        if (v.disposed) return;
        v.disposed = true;
        (handle as { dispose?: () => void }).dispose?.();
      },
    };
    return v;
  }

  return self;
}

interface OrtDeviceValue extends DeviceValue {
  disposed: boolean;
}
