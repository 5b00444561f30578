/**
 * Average pooling over non-overlapping kh × kw windows (stride = window): the ResNet critic's
 * "mean pool" (the reference code averages the four pixels of each 2×2 block). Its vjp spreads each
 * cotangent evenly over its window: nearest-neighbour upsampling divided by kh·kw.
 */
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { pair2 } from './conv2d.js';
import { div } from './div.js';
import { apply, defineOp } from './registry.js';
import { upsampleNearest2d } from './upsample-nearest2d.js';

/** avg_pool2d: x [N,C,H,W] → [N,C,H/kh,W/kw]; H and W must be multiples of the window. */
export const avgPool2dOp = defineOp<{ kernel: readonly [number, number] }>({
  name: 'avg_pool2d',
  infer: ([x], { kernel }) => {
    const op = 'avg_pool2d';
    if (x!.dtype !== 'float32') throw new ShapeError(op, `x must be float32, got ${x!.dtype}`);
    if (x!.shape.length !== 4) throw new ShapeError(op, `x must have rank 4 [N,C,H,W], got ${fmt(x!.shape)}`);
    const [N, C, H, W] = x!.shape as [number, number, number, number];
    if (H % kernel[0] !== 0 || W % kernel[1] !== 0) {
      throw new ShapeError(op, `the spatial size of x ${fmt(x!.shape)} must be a multiple of the window ${fmt(kernel)}`);
    }
    return { shape: [N, C, H / kernel[0], W / kernel[1]], dtype: 'float32' };
  },
  lower: (ctx, [x], { kernel }) => ctx.node('AveragePool', [x!], { kernel_shape: { ints: kernel }, strides: { ints: kernel } }),
  vjp: (g, _inputs, _out, { kernel }) => [div(upsampleNearest2d(g, kernel), kernel[0] * kernel[1])],
  reference: ([x], { kernel }, out) => {
    const [N, C, H, W] = x!.shape as [number, number, number, number];
    const [, , Ho, Wo] = out.shape as [number, number, number, number];
    const [kh, kw] = kernel;
    const res = new Float64Array(N * C * Ho * Wo);
    for (let nc = 0; nc < N * C; nc++) {
      for (let y = 0; y < H; y++) {
        for (let xx = 0; xx < W; xx++) {
          res[nc * Ho * Wo + Math.floor(y / kh) * Wo + Math.floor(xx / kw)] += x!.data[nc * H * W + y * W + xx]!;
        }
      }
    }
    return res.map((v) => v / (kh * kw));
  },
});

/**
 * Mean over non-overlapping `kernel` windows (stride = kernel) of x [N, C, H, W].
 * @example const down = avgPool2d(h, 2); // [64,128,32,32] → [64,128,16,16]
 */
export function avgPool2d(x: Tensor, kernel: number | readonly [number, number] = 2): Tensor {
  const k = pair2('avgPool2d', 'kernel', kernel, 2);
  if (k[0] === 1 && k[1] === 1) return x;
  return apply(avgPool2dOp, [x], { kernel: k });
}
