/**
 * Shared shape rules and the `sumTo` composite used by the vjps of broadcasting ops.
 */
import { broadcastShapes, shapesEqual } from '../tensor/shape.js';
import { asTensor, type DType, type Tensor, type TensorLike } from '../tensor/tensor.js';
import { ShapeError } from '../tensor/shape.js';
import type { TensorMeta } from './registry.js';
import { reshape } from './reshape.js';
import { sum } from './sum.js';

/** Shape rule of a broadcasting elementwise op whose inputs share one dtype. */
export function broadcastInfer(op: string, inputs: readonly TensorMeta[], outDType?: DType): TensorMeta {
  const [a, b] = inputs as [TensorMeta, TensorMeta];
  if (a.dtype !== b.dtype) throw new ShapeError(op, `inputs differ in dtype: ${a.dtype} vs ${b.dtype}`);
  return { shape: broadcastShapes(op, a.shape, b.shape), dtype: outDType ?? a.dtype };
}

/** Converts a pair of tensor-likes to tensors, numbers taking the dtype of the tensor operand. */
export function pair(a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  const dtype = typeof a !== 'number' ? a.dtype : typeof b !== 'number' ? b.dtype : 'float32';
  return [asTensor(a, dtype), asTensor(b, dtype)];
}

/**
 * Sums a broadcast cotangent back to `shape` (the adjoint of broadcasting): sums the leading axes
 * that broadcasting added and the axes where `shape` had size 1.
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const s = axes.length > 0 ? sum(g, axes, true) : g;
  return shapesEqual(s.shape, shape) ? s : reshape(s, shape);
}

/** Shape rule of a float-only elementwise unary op. */
export function floatUnaryInfer(op: string, inputs: readonly TensorMeta[]): TensorMeta {
  const x = inputs[0]!;
  if (x.dtype !== 'float32') throw new ShapeError(op, `x must be float32, got ${x.dtype}`);
  return x;
}
