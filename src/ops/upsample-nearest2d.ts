/**
 * Nearest-neighbour upsampling by integer factors (the ResNet generator's up-blocks: each pixel becomes
 * an fh × fw block). Its vjp sums each block: average pooling times fh·fw.
 */
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { avgPool2d } from './avg-pool2d.js';
import { pair2 } from './conv2d.js';
import { mul } from './mul.js';
import { apply, defineOp } from './registry.js';

/** upsample_nearest2d: x [N,C,H,W] → [N,C,H·fh,W·fw]. */
export const upsampleNearest2dOp = defineOp<{ factor: readonly [number, number] }>({
  name: 'upsample_nearest2d',
  infer: ([x], { factor }) => {
    const op = 'upsample_nearest2d';
    if (x!.dtype !== 'float32') throw new ShapeError(op, `x must be float32, got ${x!.dtype}`);
    if (x!.shape.length !== 4) throw new ShapeError(op, `x must have rank 4 [N,C,H,W], got ${fmt(x!.shape)}`);
    const [N, C, H, W] = x!.shape as [number, number, number, number];
    return { shape: [N, C, H * factor[0], W * factor[1]], dtype: 'float32' };
  },
  // ONNX Resize, nearest with 'asymmetric' coordinates and 'floor' rounding: output pixel y reads input
  // pixel ⌊y / fh⌋ exactly (integer factors are exact in float); several times faster than the
  // equivalent Reshape + Expand + Reshape (docs/BENCHMARKS.md, "Convolution lowerings").
  lower: (ctx, [x], { factor }) =>
    ctx.node('Resize', [x!, ctx.none, ctx.f32([1, 1, factor[0], factor[1]], [4])], {
      mode: { str: 'nearest' },
      coordinate_transformation_mode: { str: 'asymmetric' },
      nearest_mode: { str: 'floor' },
    }),
  vjp: (g, _inputs, _out, { factor }) => [mul(avgPool2d(g, factor), factor[0] * factor[1])],
  reference: ([x], { factor }, out) => {
    const [, , H, W] = x!.shape as [number, number, number, number];
    const [N, C, Ho, Wo] = out.shape as [number, number, number, number];
    const res = new Float64Array(N * C * Ho * Wo);
    for (let nc = 0; nc < N * C; nc++) {
      for (let y = 0; y < Ho; y++) {
        for (let xx = 0; xx < Wo; xx++) {
          res[nc * Ho * Wo + y * Wo + xx] = x!.data[nc * H * W + Math.floor(y / factor[0]) * W + Math.floor(xx / factor[1])]!;
        }
      }
    }
    return res;
  },
});

/**
 * Nearest-neighbour upsampling of x [N, C, H, W] by integer factors.
 * @example const up = upsampleNearest2d(h, 2); // [128,128,4,4] → [128,128,8,8]
 */
export function upsampleNearest2d(x: Tensor, factor: number | readonly [number, number] = 2): Tensor {
  const f = pair2('upsampleNearest2d', 'factor', factor, 2);
  if (f[0] === 1 && f[1] === 1) return x;
  return apply(upsampleNearest2dOp, [x], { factor: f });
}
