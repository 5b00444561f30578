/**
 * Lowers a plan to one ONNX model: feeds become graph inputs, embedded constants initializers,
 * each primitive emits its nodes through its own `lower`.
 */
import type { LowerCtx, OnnxAttr } from '../../ops/registry.js';
import type { DType, Plan, Tensor } from '../../tensor/tensor.js';
import { encodeModel, ONNX_DTYPE, type InitializerSpec, type NodeSpec, type ValueSpec } from './proto.js';

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
  /** Graph input names, in `plan.feeds` order. */
  readonly inputNames: readonly string[];
  /** Graph output names, in `plan.outputs` order. */
  readonly outputNames: readonly string[];
  readonly nodeCount: number;
}

export interface LowerOptions {
  /**
   * For export: the feeds that stay graph inputs, with their names. Every other fed leaf
   * (parameters) is embedded as an initializer holding its current value.
   */
  readonly inputs?: ReadonlyMap<Tensor, string>;
  /** For export: names of the graph outputs, in `plan.outputs` order. */
  readonly outputNames?: readonly string[];
}

/** Builds the ONNX model of a plan. */
export function lowerPlan(plan: Plan, opts: LowerOptions = {}): LoweredModel {
  const nodes: NodeSpec[] = [];
  const inits: InitializerSpec[] = [];
  const inputs: ValueSpec[] = [];
  let counter = 0;
  const fresh = (): string => `t${counter++}`;
  const ctx: LowerCtx = {
    none: '',
    node(opType, ins, attrs = {}, domain) {
      const out = fresh();
      nodes.push({ opType, inputs: ins, outputs: [out], attrs: attrs as Record<string, OnnxAttr>, ...(domain ? { domain } : {}) });
      return out;
    },
    nodeN(opType, ins, n, attrs = {}) {
      const outs = Array.from({ length: n }, fresh);
      nodes.push({ opType, inputs: ins, outputs: outs, attrs });
      return outs;
    },
    i64(values) {
      const name = fresh();
      const arr = BigInt64Array.from(values.map((v) => BigInt(v)));
      inits.push({ name, dtype: ONNX_DTYPE.int64, dims: [values.length], raw: new Uint8Array(arr.buffer) });
      return name;
    },
    f32(values, shape) {
      const name = fresh();
      inits.push({ name, dtype: ONNX_DTYPE.float32, dims: shape, raw: rawOf('float32', values) });
      return name;
    },
  };
  const names: string[] = new Array(plan.values.length);
  const inputNames: string[] = [];
  plan.values.forEach((v, i) => {
    const t = v.tensor;
    if (v.kind === 'feed' && opts.inputs && !opts.inputs.has(t)) {
      const name = `p${i}`;
      inits.push({ name, dtype: onnxDType(t.dtype), dims: t.shape, raw: rawOf(t.dtype, t.value!) });
      names[i] = name;
    } else if (v.kind === 'feed') {
      const name = opts.inputs?.get(t) ?? `in${inputNames.length}`;
      inputNames.push(name);
      inputs.push({ name, dtype: onnxDType(t.dtype), dims: t.shape });
      names[i] = name;
    } else if (v.kind === 'const') {
      const name = `c${i}`;
      inits.push({ name, dtype: onnxDType(t.dtype), dims: t.shape, raw: rawOf(t.dtype, t.value!) });
      names[i] = name;
    } else {
      const ins = v.inputs.map((j) => names[j]!);
      const meta = { inputs: v.inputs.map((j) => plan.values[j]!.tensor), output: t };
      names[i] = v.op.lower(ctx, ins, t.attrs, meta);
    }
  });
  const outputs: ValueSpec[] = [];
  const outputNames = plan.outputs.map((idx, k) => {
    const name = opts.outputNames?.[k] ?? `out${k}`;
    nodes.push({ opType: 'Identity', inputs: [names[idx]!], outputs: [name], attrs: {} });
    const t = plan.values[idx]!.tensor;
    outputs.push({ name, dtype: onnxDType(t.dtype), dims: t.shape });
    return name;
  });
  const bytes = encodeModel({ nodes, initializers: inits, inputs, outputs, opset: OPSET, extraOpsets: [{ domain: 'com.microsoft', version: 1 }] });
  return { bytes, inputNames, outputNames, nodeCount: nodes.length };
}
