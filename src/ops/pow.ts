import { mapUnary } from '../backends/reference/nd.js';
import { ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { floatUnaryInfer } from './helpers.js';
import { mul } from './mul.js';
import { apply, defineOp } from './registry.js';

/**
 * xᵖ for a constant exponent p (ONNX Pow with a scalar exponent). A non-integer p gives NaN for
 * negative x, as in every array library.
 */
export const powOp = defineOp<{ p: number }>({
  name: 'pow',
  infer: (inputs) => floatUnaryInfer('pow', inputs),
  lower: (ctx, [x], { p }) => ctx.node('Pow', [x!, ctx.f32([p], [])]),
  // p·x^(p−1)·g, itself a pow node, so every higher derivative follows. p = 1 and p = 2 need no pow
  // (and p = 0 has no gradient), which also avoids 0⁰ questions at x = 0.
  vjp: (g, [x], _out, { p }) => [p === 0 ? null : p === 1 ? g : mul(g, mul(p === 2 ? x! : pow(x!, p - 1), p))],
  reference: ([x], { p }) => mapUnary(x!, (v) => Math.pow(v, p)),
});

/** xᵖ elementwise for a constant number p. @example pow(x, 3) */
export function pow(x: Tensor, p: number): Tensor {
  if (typeof p !== 'number' || !Number.isFinite(p)) throw new ShapeError('pow', `exponent must be a finite number, got ${String(p)}`);
  return apply(powOp, [x], { p });
}
