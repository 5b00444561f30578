/**
 * Export a traced function (a trained generator, a classifier) as a standalone ONNX model that any
 * ONNX runtime can run: the named inputs stay graph inputs, every parameter the function reads is
 * embedded with its current value.
 */
import { buildPlan, tensor, type DType, type Tensor } from '../../tensor/tensor.js';
import { checkShape, sizeOf } from '../../tensor/shape.js';
import { lowerPlan } from './lower.js';
import { encodeModel, ONNX_DTYPE, type InitializerSpec, type ModelSpec, type NodeSpec, type ValueSpec } from './proto.js';

export interface ExportInput {
  readonly name: string;
  /** Shape, batch axis (0) included: the traced size, and the model's unless `dynamicBatch`. */
  readonly shape: readonly number[];
  readonly dtype?: DType;
}

export interface ExportOptions {
  /** Names of the graph outputs (default `output0`, `output1`, ...). */
  readonly outputNames?: readonly string[];
  /**
   * Make axis 0 of every input (and of the outputs that follow it) a named dimension `batch`, so the
   * model takes any batch size; the inputs' `shape[0]` is then only the size traced. The function
   * is traced at two batch sizes and the graphs compared: a shape constant that grows with the
   * batch becomes a computation on the input's batch size; anything else that depends on the batch
   * (a different graph) is an error naming it.
   */
  readonly dynamicBatch?: boolean;
}

/**
 * Traces `f` on placeholder inputs and returns the ONNX model bytes (opset 18).
 * @example
 * const bytes = exportOnnx((z) => G.forward(z), [{ name: 'noise', shape: [64, 128] }], { outputNames: ['images'], dynamicBatch: true });
 * writeFileSync('generator.onnx', bytes); // noise [batch, 128] -> images [batch, C, H, W]
 */
export function exportOnnx(
  f: (...inputs: Tensor[]) => Tensor | readonly Tensor[],
  inputs: readonly ExportInput[],
  options: ExportOptions | readonly string[] = {},
): Uint8Array {
  // (A list of output names as the third argument is the older signature.)
  const opts: ExportOptions = Array.isArray(options) ? { outputNames: options as readonly string[] } : (options as ExportOptions);
  const names = new Set<string>();
  for (const inp of inputs) {
    checkShape('exportOnnx', `shape of input '${inp.name}'`, inp.shape);
    if (names.has(inp.name)) throw new Error(`exportOnnx: input name '${inp.name}' is used twice`);
    names.add(inp.name);
    if (opts.dynamicBatch && inp.shape.length === 0) throw new Error(`exportOnnx: dynamicBatch needs a batch axis, but input '${inp.name}' is a scalar`);
    if (opts.dynamicBatch && inp.shape[0] !== inputs[0]!.shape[0]) {
      throw new Error(`exportOnnx: dynamicBatch needs one batch size over the inputs: '${inp.name}' has ${inp.shape[0]}, '${inputs[0]!.name}' ${inputs[0]!.shape[0]}`);
    }
  }
  const spec = trace(f, inputs, opts.outputNames);
  if (!opts.dynamicBatch) return encodeModel(spec);
  const grown = trace(f, inputs.map((inp) => ({ ...inp, shape: [inp.shape[0]! + 1, ...inp.shape.slice(1)] })), opts.outputNames);
  return encodeModel(withDynamicBatch(spec, grown, inputs));
}

/** Traces `f` on zero placeholders of `inputs` and lowers it to a model spec. */
function trace(f: (...inputs: Tensor[]) => Tensor | readonly Tensor[], inputs: readonly ExportInput[], outputNames: readonly string[] | undefined): ModelSpec {
  const placeholders = inputs.map((inp) => {
    const dtype = inp.dtype ?? 'float32';
    return tensor(dtype === 'float32' ? new Float32Array(sizeOf(inp.shape)) : new Int32Array(sizeOf(inp.shape)), inp.shape, dtype);
  });
  const out = f(...placeholders);
  const outs = Array.isArray(out) ? [...(out as readonly Tensor[])] : [out as Tensor];
  outs.forEach((t, i) => {
    if (t.value !== null) throw new Error(`exportOnnx: output ${i} does not depend on the traced computation (it is already realized)`);
  });
  if (outputNames && outputNames.length !== outs.length) {
    throw new Error(`exportOnnx: ${outputNames.length} output names for ${outs.length} outputs`);
  }
  const plan = buildPlan(outs);
  const inputMap = new Map(placeholders.map((p, i) => [p, inputs[i]!.name] as const));
  // Inputs the function ignores are still declared, so the model's signature is what was asked.
  const used = new Set(plan.feeds.map((i) => plan.values[i]!.tensor));
  const unused = placeholders.filter((p) => !used.has(p));
  if (unused.length > 0) {
    throw new Error(`exportOnnx: the function does not use input(s) ${unused.map((p) => `'${inputMap.get(p)}'`).join(', ')}`);
  }
  return lowerPlan(plan, { inputs: inputMap, outputNames: outputNames ?? outs.map((_, i) => `output${i}`) }).spec;
}

const BATCH = 'batch';

/**
 * The model `a` (traced at batch B) with a dynamic batch axis, given `b`, the same function traced
 * at B + 1. The graphs must be the same but for int64 initializers (shapes) whose entries are
 * k·B in `a` and k·(B + 1) in `b`, and float32 scalars that are c·B or c/B (a mean's count); those
 * are computed in the graph from the first input's batch size.
 */
function withDynamicBatch(a: ModelSpec, b: ModelSpec, inputs: readonly ExportInput[]): ModelSpec {
  const batch = inputs[0]!.shape[0]!;
  const differ = (what: string): Error =>
    new Error(`exportOnnx: dynamicBatch: ${what} depends on the batch size in a way a shape computation cannot express; export with a fixed batch`);
  if (a.nodes.length !== b.nodes.length) throw differ(`the graph (${a.nodes.length} vs ${b.nodes.length} nodes)`);
  a.nodes.forEach((n, i) => {
    if (JSON.stringify(n) !== JSON.stringify(b.nodes[i])) throw differ(`node ${i} (${n.opType} -> ${n.outputs.join(', ')})`);
  });
  if (a.initializers.length !== b.initializers.length) throw differ('the set of constants');
  const batchName = `${BATCH}_size`;
  const batchFloat = `${BATCH}_size_float`;
  const nodes: NodeSpec[] = [];
  const initializers: InitializerSpec[] = [];
  a.initializers.forEach((init, i) => {
    const other = b.initializers[i]!;
    if (init.name !== other.name || init.dtype !== other.dtype) throw differ(`constant ${init.name}`);
    if (bytesEqual(init.raw, other.raw)) return void initializers.push(init);
    if (init.dtype === ONNX_DTYPE.float32 && sizeOf(init.dims) === 1) {
      // A count or its reciprocal (a mean's n, 1/n): c·B, or c/B.
      const x = new Float32Array(init.raw.slice().buffer)[0]!;
      const y = new Float32Array(other.raw.slice().buffer)[0]!;
      const close = (p: number, q: number): boolean => Math.abs(p - q) <= 1e-5 * Math.max(Math.abs(p), Math.abs(q));
      const k = Math.round(y - x);
      const op = k !== 0 && close(x, k * batch) ? 'Mul' : close(x * batch, y * (batch + 1)) ? 'Div' : null;
      if (op === null) throw differ(`constant ${init.name} (${x} at batch ${batch}, ${y} at ${batch + 1})`);
      const c = op === 'Mul' ? k : x * batch;
      initializers.push({ name: `${init.name}_c`, dtype: ONNX_DTYPE.float32, dims: [1], raw: new Uint8Array(Float32Array.of(c).buffer) });
      initializers.push(int64Init(`${init.name}_shape`, init.dims.map(BigInt)));
      const args = op === 'Mul' ? [batchFloat, `${init.name}_c`] : [`${init.name}_c`, batchFloat];
      nodes.push({ opType: op, inputs: args, outputs: [`${init.name}_v`], attrs: {} });
      nodes.push({ opType: 'Reshape', inputs: [`${init.name}_v`, `${init.name}_shape`], outputs: [init.name], attrs: {} });
      return;
    }
    if (init.dtype !== ONNX_DTYPE.int64 || init.dims.length !== 1 || other.dims[0] !== init.dims[0]) throw differ(`constant ${init.name} (dims ${JSON.stringify(init.dims)})`);
    const x = new BigInt64Array(init.raw.slice().buffer);
    const y = new BigInt64Array(other.raw.slice().buffer);
    // Pieces of the new value: runs of constant entries, and single batch multiples.
    const pieces: string[] = [];
    let run: bigint[] = [];
    const flush = (): void => {
      if (run.length === 0) return;
      const name = `${init.name}_part${pieces.length}`;
      initializers.push(int64Init(name, run));
      pieces.push(name);
      run = [];
    };
    for (let j = 0; j < x.length; j++) {
      if (x[j] === y[j]) {
        run.push(x[j]!);
        continue;
      }
      const k = y[j]! - x[j]!;
      if (x[j] !== k * BigInt(batch)) throw differ(`entry ${j} of constant ${init.name} (${x[j]} at batch ${batch}, ${y[j]} at ${batch + 1})`);
      flush();
      const kName = `${init.name}_k${pieces.length}`;
      initializers.push(int64Init(kName, [k]));
      const name = `${init.name}_part${pieces.length}`;
      nodes.push({ opType: 'Mul', inputs: [batchName, kName], outputs: [name], attrs: {} });
      pieces.push(name);
    }
    flush();
    nodes.push({ opType: 'Concat', inputs: pieces, outputs: [init.name], attrs: { axis: { int: 0 } } });
  });
  if (nodes.length > 0) {
    nodes.unshift(
      { opType: 'Shape', inputs: [a.inputs[0]!.name], outputs: [batchName], attrs: { start: { int: 0 }, end: { int: 1 } } },
      { opType: 'Cast', inputs: [batchName], outputs: [batchFloat], attrs: { to: { int: ONNX_DTYPE.float32 } } },
    );
  }
  const dynamic = (v: ValueSpec, grown: ValueSpec | undefined): ValueSpec =>
    grown && grown.dims[0] !== v.dims[0] ? { ...v, dims: [-1, ...v.dims.slice(1)], dimNames: [BATCH] } : v;
  return {
    ...a,
    nodes: [...nodes, ...a.nodes],
    initializers,
    inputs: a.inputs.map((v, i) => dynamic(v, b.inputs[i])),
    outputs: a.outputs.map((v, i) => dynamic(v, b.outputs[i])),
  };
}

function int64Init(name: string, values: readonly bigint[]): InitializerSpec {
  return { name, dtype: ONNX_DTYPE.int64, dims: [values.length], raw: new Uint8Array(BigInt64Array.from(values).buffer) };
}

function bytesEqual(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
