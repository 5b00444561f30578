/**
 * Export a traced function (a trained generator, a classifier) as a standalone ONNX model that any
 * ONNX runtime can run: the named inputs stay graph inputs, every parameter the function reads is
 * embedded with its current value.
 */
import { buildPlan, tensor, type DType, type Tensor } from '../../tensor/tensor.js';
import { checkShape, sizeOf } from '../../tensor/shape.js';
import { lowerPlan } from './lower.js';

export interface ExportInput {
  readonly name: string;
  /** Fixed shape, batch axis included (the exported graph is specialised to it). */
  readonly shape: readonly number[];
  readonly dtype?: DType;
}

/**
 * Traces `f` on placeholder inputs and returns the ONNX model bytes (opset 18).
 * @example
 * const bytes = exportOnnx((z) => G.forward(z), [{ name: 'noise', shape: [64, 128] }], ['images']);
 * writeFileSync('generator.onnx', bytes);
 */
export function exportOnnx(
  f: (...inputs: Tensor[]) => Tensor | readonly Tensor[],
  inputs: readonly ExportInput[],
  outputNames?: readonly string[],
): Uint8Array {
  const names = new Set<string>();
  const placeholders = inputs.map((inp) => {
    checkShape('exportOnnx', `shape of input '${inp.name}'`, inp.shape);
    if (names.has(inp.name)) throw new Error(`exportOnnx: input name '${inp.name}' is used twice`);
    names.add(inp.name);
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
  return lowerPlan(plan, { inputs: inputMap, outputNames: outputNames ?? outs.map((_, i) => `output${i}`) }).bytes;
}
