/**
 * Lowers a plan to one ONNX model: feeds become graph inputs, embedded constants initializers,
 * each primitive emits its nodes through its own `lower`, or through the backend's lowering for it
 * where it has one (the convolutions: conv-lowering.ts), which may depend on the target.
 */
import type { LowerCtx, OnnxAttr } from '../../ops/registry.js';
import type { DType, Plan, Tensor } from '../../tensor/tensor.js';
import { CONV_LOWERINGS, NCHWC_DOMAIN, type OnnxLowering } from './conv-lowering.js';
import { encodeModel, ONNX_DTYPE, type InitializerSpec, type ModelSpec, type NodeSpec, type ValueSpec } from './proto.js';
import { SUM_LOWERINGS } from './sum-lowering.js';

export { NCHWC_DOMAIN };

export const OPSET = 18;

export function onnxDType(d: DType): number {
  return d === 'float32' ? ONNX_DTYPE.float32 : d === 'int32' ? ONNX_DTYPE.int32 : ONNX_DTYPE.bool;
}

function rawOf(dtype: DType, values: ArrayLike<number>): Uint8Array {
  const arr = dtype === 'float32' ? Float32Array.from(values) : dtype === 'int32' ? Int32Array.from(values) : Uint8Array.from(values, (v) => (v ? 1 : 0));
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

export interface LoweredModel {
  readonly bytes: Uint8Array;
  /** Graph input names, in `plan.feeds` order (a packed feed: the packed input's name). */
  readonly inputNames: readonly string[];
  /**
   * With `packInputs`: the one input holding the float32 feeds, flattened and concatenated, its
   * length, and where each feed (by `plan.feeds` index) lies in it; null for a feed of its own.
   * Absent when nothing was packed (fewer than two float32 feeds).
   */
  readonly packedInput?: { readonly name: string; readonly length: number; readonly members: readonly ({ readonly offset: number; readonly length: number } | null)[] };
  /** Graph output names, in `plan.outputs` order. */
  readonly outputNames: readonly string[];
  readonly nodeCount: number;
  /** The graph's nodes (for tests and diagnostics). */
  readonly nodes: readonly NodeSpec[];
  /** Number of initializers (embedded constants, shapes, axes). */
  readonly initializerCount: number;
  /** The model before encoding (what `bytes` holds), for rewrites such as a dynamic batch axis on export. */
  readonly spec: ModelSpec;
  /**
   * With `packOutputs`: the one output holding the float32 outputs, flattened and concatenated, and
   * where each output (by `plan.outputs` index) lies in it; null for an output of its own
   * (other dtypes). Absent when nothing was packed (fewer than two float32 outputs).
   */
  readonly packed?: { readonly name: string; readonly members: readonly ({ readonly offset: number; readonly length: number } | null)[] };
}

/**
 * Default of `gpuWeightGradConvMaxRows`: on a GPU the steps are bound by the kernels dispatched, and
 * the Conv is one kernel where the taps are k² × ~5 (docs/BENCHMARKS.md, "WebGPU").
 */
export const DEFAULT_GPU_WEIGHT_GRAD_CONV_MAX_ROWS = 4096;

/** What the onnx backend's own lowerings (conv-lowering.ts) see: the emitter and the target. */
export interface OnnxLowerCtx extends LowerCtx {
  /**
   * Channel block size of onnxruntime's NCHWc CPU kernels (the com.microsoft.nchwc domain: 16 with
   * AVX-512, 8 with AVX2) when the target session runs them, else 0: standard ONNX only (exports,
   * WebGPU, onnxruntime-web).
   */
  readonly nchwcBlock: number;
  /**
   * The model is for a GPU provider (onnxruntime's WebGPU): prefer ops it has kernels for; one it
   * lacks (Col2Im) runs on the CPU between two device copies.
   */
  readonly gpu: boolean;
  /**
   * For a GPU provider: a conv weight gradient whose outputs each sum at most this many rows
   * (images × output pixels) is one Conv rather than k² tap MatMuls.
   */
  readonly gpuWeightGradConvMaxRows: number;
}

/** The onnx backend's lowering of each primitive that has one, by op name (else the op's own `lower`). */
const ONNX_LOWERINGS: ReadonlyMap<string, OnnxLowering> = new Map([...CONV_LOWERINGS, ...SUM_LOWERINGS]);

/**
 * The target-dependent choices of the lowering (OnnxLowerCtx's): each changes the graph, so a
 * backend keys its sessions by them ({@link loweringKey}).
 */
export interface LoweringOptions {
  /**
   * Block size of onnxruntime's NCHWc CPU kernels when the model is for an onnxruntime CPU session
   * that has them (see `probeNchwcBlock`); 0 or absent: standard ONNX only.
   */
  readonly nchwcBlock?: number;
  /** The model is for a GPU provider (see OnnxLowerCtx.gpu). Default false. */
  readonly gpu?: boolean;
  /**
   * For a GPU provider: weight gradients whose outputs each sum at most this many rows are one Conv
   * (OnnxLowerCtx.gpuWeightGradConvMaxRows). Default {@link DEFAULT_GPU_WEIGHT_GRAD_CONV_MAX_ROWS}.
   */
  readonly gpuWeightGradConvMaxRows?: number;
  /**
   * Return the float32 outputs as ONE output (each flattened, all concatenated; see
   * `LoweredModel.packed`): one device-to-host copy instead of one per output. onnxruntime's
   * WebGPU provider waits for the GPU on each copy to the host (docs/BENCHMARKS.md, "WebGPU"), and a
   * training step returns every parameter and optimizer state.
   */
  readonly packOutputs?: boolean;
  /**
   * Take the float32 feeds as ONE input (flattened and concatenated; see `LoweredModel.packedInput`),
   * sliced back inside the graph: one host-to-device copy instead of one per feed. On onnxruntime's
   * WebGPU provider each input has a fixed cost beyond its bytes (docs/BENCHMARKS.md, "WebGPU").
   * Ignored for exports (`inputs` given).
   */
  readonly packInputs?: boolean;
}

/**
 * The lowering options as a string (defaults filled in), for keys of compiled sessions: two
 * backends or calls with different options never share a session.
 * @example const key = `${loweringKey({ gpu: true })}|${plan.key}`;
 */
export function loweringKey(opts: LoweringOptions): string {
  const gpu = opts.gpu ?? false;
  const rows = gpu ? (opts.gpuWeightGradConvMaxRows ?? DEFAULT_GPU_WEIGHT_GRAD_CONV_MAX_ROWS) : 0;
  return `nchwc=${opts.nchwcBlock ?? 0},gpu=${gpu ? 1 : 0},convRows=${rows},pack=${opts.packOutputs ? 1 : 0}${opts.packInputs ? 1 : 0}`;
}

export interface LowerOptions extends LoweringOptions {
  /**
   * For export: the feeds that stay graph inputs, with their names. Every other fed leaf
   * (parameters) is embedded as an initializer holding its current value.
   */
  readonly inputs?: ReadonlyMap<Tensor, string>;
  /** For export: names of the graph outputs, in `plan.outputs` order. */
  readonly outputNames?: readonly string[];
  /**
   * Per `plan.feeds` entry: fed from device memory (a value kept there by an earlier run), so never
   * packed — it is already where the graph needs it.
   */
  readonly residentFeeds?: readonly boolean[];
  /** Per `plan.outputs` entry: kept in device memory by the caller, so never packed. */
  readonly residentOutputs?: readonly boolean[];
}

/** Inputs per Concat node when packing outputs (a tree of Concats above this). */
export const PACK_CONCAT_INPUTS = 8;

/**
 * Builds the ONNX model of a plan. Within the model, identical nodes (same op, inputs and
 * attributes: e.g. the `Transpose(x)` two conv weight gradients of the same x emit) and identical
 * initializers are emitted once, and an output is named by the node computing it (an Identity is
 * added only for outputs that are inputs, constants or repeated).
 */
export function lowerPlan(plan: Plan, opts: LowerOptions = {}): LoweredModel {
  const nodes: NodeSpec[] = [];
  const inits: InitializerSpec[] = [];
  const inputs: ValueSpec[] = [];
  const seenNodes = new Map<string, string[]>();
  const seenInits = new Map<string, string>();
  let counter = 0;
  const fresh = (): string => `t${counter++}`;
  const emit = (opType: string, ins: readonly string[], n: number, attrs: Readonly<Record<string, OnnxAttr>>, domain?: string): string[] => {
    const key = `${domain ?? ''}:${opType}(${ins.join(',')})${n}${JSON.stringify(attrs)}`;
    const hit = seenNodes.get(key);
    if (hit) return hit;
    const outs = Array.from({ length: n }, fresh);
    nodes.push({ opType, inputs: ins, outputs: outs, attrs: attrs as Record<string, OnnxAttr>, ...(domain ? { domain } : {}) });
    seenNodes.set(key, outs);
    return outs;
  };
  const init = (dtype: number, dims: readonly number[], raw: Uint8Array, name?: string): string => {
    const key = `${dtype}[${dims.join(',')}]${raw.join(',')}`;
    const hit = seenInits.get(key);
    if (hit) return hit;
    const n = name ?? fresh();
    inits.push({ name: n, dtype, dims, raw });
    seenInits.set(key, n);
    return n;
  };
  const ctx: OnnxLowerCtx = {
    none: '',
    node: (opType, ins, attrs = {}, domain) => emit(opType, ins, 1, attrs, domain)[0]!,
    nodeN: (opType, ins, n, attrs = {}) => emit(opType, ins, n, attrs),
    i64: (values) => init(ONNX_DTYPE.int64, [values.length], new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer)),
    f32: (values, shape) => init(ONNX_DTYPE.float32, shape, rawOf('float32', values)),
    nchwcBlock: opts.nchwcBlock ?? 0,
    gpu: opts.gpu ?? false,
    gpuWeightGradConvMaxRows: opts.gpuWeightGradConvMaxRows ?? DEFAULT_GPU_WEIGHT_GRAD_CONV_MAX_ROWS,
  };
  const names: string[] = new Array(plan.values.length);
  const inputNames: string[] = [];
  // Packed feeds: offsets assigned in feed order, the packed input declared once.
  const packable = (t: Tensor, k: number): boolean => opts.packInputs === true && !opts.inputs && t.dtype === 'float32' && opts.residentFeeds?.[k] !== true;
  const packedFeeds = plan.feeds.filter((i, k) => packable(plan.values[i]!.tensor, k));
  let packedInput: LoweredModel['packedInput'];
  const packedAt = new Map<number, { offset: number; length: number }>();
  if (packedFeeds.length >= 2) {
    let offset = 0;
    for (const i of packedFeeds) {
      const length = plan.values[i]!.tensor.shape.reduce((x, y) => x * y, 1);
      packedAt.set(i, { offset, length });
      offset += length;
    }
    packedInput = { name: 'packed_in', length: offset, members: plan.feeds.map((i) => packedAt.get(i) ?? null) };
    inputs.push({ name: packedInput.name, dtype: ONNX_DTYPE.float32, dims: [offset] });
  }
  plan.values.forEach((v, i) => {
    const t = v.tensor;
    if (v.kind === 'feed' && opts.inputs && !opts.inputs.has(t)) {
      // Parameters of an export: embedded, never shared (a model keeps one initializer per weight).
      const name = `p${i}`;
      inits.push({ name, dtype: onnxDType(t.dtype), dims: t.shape, raw: rawOf(t.dtype, t.value!) });
      names[i] = name;
    } else if (v.kind === 'feed' && packedAt.has(i)) {
      const at = packedAt.get(i)!;
      const flat = ctx.node('Slice', [packedInput!.name, ctx.i64([at.offset]), ctx.i64([at.offset + at.length]), ctx.i64([0])]);
      names[i] = ctx.node('Reshape', [flat, ctx.i64(t.shape)]);
      inputNames.push(packedInput!.name);
    } else if (v.kind === 'feed') {
      const name = opts.inputs?.get(t) ?? `in${inputNames.length}`;
      inputNames.push(name);
      inputs.push({ name, dtype: onnxDType(t.dtype), dims: t.shape });
      names[i] = name;
    } else if (v.kind === 'const') {
      names[i] = init(onnxDType(t.dtype), t.shape, rawOf(t.dtype, t.value!), `c${i}`);
    } else {
      const ins = v.inputs.map((j) => names[j]!);
      const meta = { inputs: v.inputs.map((j) => plan.values[j]!.tensor), output: t };
      const own = ONNX_LOWERINGS.get(v.op.name);
      names[i] = own ? own(ctx, ins, t.attrs, meta) : v.op.lower(ctx, ins, t.attrs, meta);
    }
  });
  // Name each output after the node computing it when that node's output is not an output already,
  // a graph input or an initializer; otherwise copy it with an Identity.
  const producedBy = new Map<string, NodeSpec>();
  for (const n of nodes) for (const o of n.outputs) producedBy.set(o, n);
  const rename = new Map<string, string>();
  const outputs: ValueSpec[] = [];
  const packedOut = plan.outputs.map((idx, k) => plan.values[idx]!.tensor.dtype === 'float32' && opts.residentOutputs?.[k] !== true);
  const packedCount = opts.packOutputs ? packedOut.filter((x) => x).length : 0;
  let packed: LoweredModel['packed'];
  if (packedCount >= 2) {
    const members: ({ offset: number; length: number } | null)[] = [];
    let level: string[] = [];
    let offset = 0;
    for (const [k, idx] of plan.outputs.entries()) {
      if (!packedOut[k]) {
        members.push(null);
        continue;
      }
      const length = plan.values[idx]!.tensor.shape.reduce((x, y) => x * y, 1);
      members.push({ offset, length });
      offset += length;
      level.push(ctx.node('Reshape', [names[idx]!, ctx.i64([-1])]));
    }
    while (level.length > 1) {
      const next: string[] = [];
      for (let i = 0; i < level.length; i += PACK_CONCAT_INPUTS) {
        const group = level.slice(i, i + PACK_CONCAT_INPUTS);
        next.push(group.length === 1 ? group[0]! : ctx.node('Concat', group, { axis: { int: 0 } }));
      }
      level = next;
    }
    const name = 'packed';
    for (const n of nodes) for (const o of n.outputs) producedBy.set(o, n);
    rename.set(level[0]!, name);
    outputs.push({ name, dtype: ONNX_DTYPE.float32, dims: [offset] });
    packed = { name, members };
  }
  const outputNames = plan.outputs.map((idx, k) => {
    if (packed && packedOut[k]) return packed.name;
    const name = opts.outputNames?.[k] ?? `out${k}`;
    const src = names[idx]!;
    if (producedBy.has(src) && !rename.has(src)) rename.set(src, name);
    else nodes.push({ opType: 'Identity', inputs: [src], outputs: [name], attrs: {} });
    const t = plan.values[idx]!.tensor;
    outputs.push({ name, dtype: onnxDType(t.dtype), dims: t.shape });
    return name;
  });
  const renamed = rename.size === 0 ? nodes : nodes.map((n) => ({ ...n, inputs: n.inputs.map((x) => rename.get(x) ?? x), outputs: n.outputs.map((x) => rename.get(x) ?? x) }));
  // (The Identity copies read the original names too, so the renaming covers them.)
  const extraOpsets = [{ domain: 'com.microsoft', version: 1 }];
  if (nodes.some((n) => n.domain === NCHWC_DOMAIN)) extraOpsets.push({ domain: NCHWC_DOMAIN, version: 1 });
  const spec: ModelSpec = { nodes: renamed, initializers: inits, inputs, outputs, opset: OPSET, extraOpsets };
  const bytes = encodeModel(spec);
  return { bytes, spec, inputNames, outputNames, nodeCount: renamed.length, nodes: renamed, initializerCount: inits.length, ...(packed ? { packed } : {}), ...(packedInput ? { packedInput } : {}) };
}
