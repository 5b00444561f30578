import { broadcastIndex } from '../backends/reference/nd.js';
import { broadcastShapes, fmt, ShapeError, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { sumTo } from './helpers.js';
import { apply, defineOp } from './registry.js';
import { transposeLast2 } from './transpose.js';

/** Matrix product over the last two axes, batch axes broadcast: [..., M, K] × [..., K, N]. */
export const matmulOp = defineOp({
  name: 'matmul',
  infer: ([a, b]) => {
    if (a!.dtype !== 'float32' || b!.dtype !== 'float32') {
      throw new ShapeError('matmul', `inputs must be float32, got ${a!.dtype} and ${b!.dtype}`);
    }
    if (a!.shape.length < 2 || b!.shape.length < 2) {
      throw new ShapeError('matmul', `inputs must have rank >= 2, got a ${fmt(a!.shape)} and b ${fmt(b!.shape)}`);
    }
    const [m, k] = a!.shape.slice(-2) as [number, number];
    const [k2, n] = b!.shape.slice(-2) as [number, number];
    if (k !== k2) throw new ShapeError('matmul', `inner dimensions differ: a ${fmt(a!.shape)} vs b ${fmt(b!.shape)}`);
    const batch = broadcastShapes('matmul', a!.shape.slice(0, -2), b!.shape.slice(0, -2));
    return { shape: [...batch, m, n], dtype: 'float32' };
  },
  // With K = 1 (an outer product, e.g. the critic's last-layer input gradient g·wᵀ, [B, 1] × [1, N])
  // the product is one multiplication per output: a broadcasting Mul computes the same values, with
  // the same batch broadcasting, while onnxruntime's GEMM ran it at ~0.2 GFLOP/s (docs/BENCHMARKS.md,
  // "Toy iteration").
  lower: (ctx, [a, b], _attrs, meta) => ctx.node(meta.inputs[0]!.shape.at(-1) === 1 ? 'Mul' : 'MatMul', [a!, b!]),
  vjp: (g, [a, b]) => [sumTo(matmul(g, transposeLast2(b!)), a!.shape), sumTo(matmul(transposeLast2(a!), g), b!.shape)],
  reference: ([a, b], _attrs, out) => {
    const [m, k] = a!.shape.slice(-2) as [number, number];
    const n = b!.shape[b!.shape.length - 1]!;
    const batch = out.shape.slice(0, -2);
    const nb = sizeOf(batch);
    const [ia, ib] = broadcastIndex([a!.shape.slice(0, -2), b!.shape.slice(0, -2)], batch) as [Int32Array, Int32Array];
    const res = new Float64Array(nb * m * n);
    for (let bi = 0; bi < nb; bi++) {
      const ao = ia[bi]! * m * k;
      const bo = ib[bi]! * k * n;
      const oo = bi * m * n;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a!.data[ao + i * k + p]! * b!.data[bo + p * n + j]!;
          res[oo + i * n + j] = s;
        }
      }
    }
    return res;
  },
});

/** Matrix product with broadcast batch axes. @example matmul(x, w) // [B, in] × [in, out] */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return apply(matmulOp, [a, b], {});
}
