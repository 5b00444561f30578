import { mapBinary } from '../backends/reference/nd.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { broadcastInfer, pair } from './helpers.js';
import { apply, defineOp } from './registry.js';

export type Comparison = 'gt' | 'ge' | 'lt' | 'le' | 'eq';
const ONNX: Record<Comparison, string> = { gt: 'Greater', ge: 'GreaterOrEqual', lt: 'Less', le: 'LessOrEqual', eq: 'Equal' };
const FN: Record<Comparison, (x: number, y: number) => boolean> = {
  gt: (x, y) => x > y,
  ge: (x, y) => x >= y,
  lt: (x, y) => x < y,
  le: (x, y) => x <= y,
  eq: (x, y) => x === y,
};

/** Elementwise comparison giving a bool mask; masks carry no gradient. */
export const compareOp = defineOp<{ cmp: Comparison }>({
  name: 'compare',
  infer: (inputs, { cmp }) => {
    if (!(cmp in ONNX)) throw new Error(`compare: unknown comparison '${String(cmp)}'`);
    return broadcastInfer(`compare(${cmp})`, inputs, 'bool');
  },
  lower: (ctx, [a, b], { cmp }) => ctx.node(ONNX[cmp], [a!, b!]),
  vjp: 'none',
  reference: ([a, b], { cmp }, out) => mapBinary(a!, b!, out.shape, (x, y) => (FN[cmp](x, y) ? 1 : 0)),
});

/** Mask of a > b. @example where(greater(x, 0), x, 0) */
export function greater(a: TensorLike, b: TensorLike): Tensor {
  return apply(compareOp, pair(a, b), { cmp: 'gt' });
}
/** Mask of a ≥ b. */
export function greaterEqual(a: TensorLike, b: TensorLike): Tensor {
  return apply(compareOp, pair(a, b), { cmp: 'ge' });
}
/** Mask of a < b. */
export function less(a: TensorLike, b: TensorLike): Tensor {
  return apply(compareOp, pair(a, b), { cmp: 'lt' });
}
/** Mask of a ≤ b. */
export function lessEqual(a: TensorLike, b: TensorLike): Tensor {
  return apply(compareOp, pair(a, b), { cmp: 'le' });
}
/** Mask of a = b. */
export function equal(a: TensorLike, b: TensorLike): Tensor {
  return apply(compareOp, pair(a, b), { cmp: 'eq' });
}
