import { mapUnary } from '../backends/reference/nd.js';
import { checkDType, type DType, type Tensor } from '../tensor/tensor.js';
import { apply, defineOp } from './registry.js';

const ONNX_TYPE: Record<DType, number> = { float32: 1, int32: 6, bool: 9 };

/** Converts between dtypes. Float → int truncates toward zero; anything → bool is (x ≠ 0). */
export const castOp = defineOp<{ to: DType }>({
  name: 'cast',
  infer: ([x], { to }) => ({ shape: x!.shape, dtype: checkDType('cast', 'to', to) }),
  lower: (ctx, [x], { to }) => ctx.node('Cast', [x!], { to: { int: ONNX_TYPE[to] } }),
  // Gradient flows only float → float; a cast to or from an integer or bool type is a constant.
  vjp: (g, [x], _out, { to }) => [x!.dtype === 'float32' && to === 'float32' ? g : null],
  reference: ([x], { to }) => mapUnary(x!, to === 'bool' ? (v) => (v !== 0 ? 1 : 0) : to === 'int32' ? Math.trunc : (v) => v),
});

/** Converts `x` to `dtype`. @example cast(greater(x, 0), 'float32') */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  return apply(castOp, [x], { to: dtype });
}
