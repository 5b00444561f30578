/**
 * Op cases for the shape and indexing primitives: concat, slice, pad, gather. Each is composed
 * with a nonlinearity so that the order-2 check has a nonzero second derivative to compare.
 */
import { randArg, type OpCase } from '../support/op-case.js';
import * as o from '../../src/ops/index.js';

const a23 = randArg([2, 3], 201);
const a234 = randArg([2, 3, 4], 202);
const a25 = randArg([2, 5], 203);
const int = (data: number[], shape: number[]) => ({ data, shape, dtype: 'int32' as const });

export const cases: OpCase[] = [
  { name: 'concat two tensors along axis 0', f: (x, y) => o.tanh(o.concat([x!, y!], 0)), args: [a23, randArg([1, 3], 204)] },
  {
    name: 'concat three tensors along a negative axis',
    f: (x, y, z) => o.mul(o.concat([x!, y!, z!], -1), o.concat([z!, x!, y!], -1)),
    args: [a23, randArg([2, 1], 205), randArg([2, 2], 206)],
  },
  { name: 'concat the same tensor twice', f: (x) => o.tanh(o.concat([x!, x!], 1)), args: [a23] },
  { name: 'concat of int32 tensors', f: (x, y) => o.cast(o.concat([x!, y!]), 'float32'), args: [int([1, 2], [2]), int([3], [1])], order: 0 },

  { name: 'slice a middle range', f: (x) => o.tanh(o.slice(x!, [1], [4], [1])), args: [a25] },
  { name: 'slice with negative axes and indices', f: (x) => o.mul(o.slice(x!, [-3, 0], [-1, 1], [-1, 0]), o.slice(x!, [1, 0], [3, 1], [2, 0])), args: [a234] },
  { name: 'slice with steps 2 and 3', f: (x) => o.tanh(o.slice(x!, [0, 1], [3, 5], [1, 2], [2, 3])), args: [randArg([2, 4, 6], 207)] },
  { name: 'slice with a step that ends before the axis end', f: (x) => o.pow(o.slice(x!, [1], [4], [1], [2]), 3), args: [randArg([2, 7], 208)] },
  { name: 'slice of int32 values', f: (x) => o.cast(o.slice(x!, [1], [3]), 'float32'), args: [int([5, 6, 7, 8], [4])], order: 0 },

  { name: 'pad both sides of two axes', f: (x) => o.tanh(o.add(o.pad(x!, [[1, 2], [0, 3]]), 0.3)), args: [a23] },
  { name: 'pad a 3-D tensor times itself', f: (x) => o.mul(o.pad(x!, [[0, 0], [2, 0], [1, 1]]), o.pad(x!, [[0, 0], [2, 0], [1, 1]])), args: [a234] },
  { name: 'pad then slice back is the identity', f: (x) => o.pow(o.slice(o.pad(x!, [[1, 1], [2, 0]]), [1, 2], [3, 5]), 3), args: [a23] },

  { name: 'gather rows with repeated indices', f: (x, i) => o.tanh(o.gather(x!, i!, 0)), args: [randArg([4, 3], 209), int([3, 0, 3, 1], [4])] },
  { name: 'gather along axis 1 with 2-D indices', f: (x, i) => o.pow(o.gather(x!, i!, 1), 2), args: [a234, int([2, 0, 1, 2], [2, 2])] },
  { name: 'gather with negative indices along a negative axis', f: (x, i) => o.tanh(o.gather(x!, i!, -1)), args: [a234, int([-1, 0, -4], [3])] },
  { name: 'gather with a scalar index drops the axis', f: (x, i) => o.mul(o.gather(x!, i!, 1), o.gather(x!, i!, 1)), args: [a234, int([1], [])] },
  { name: 'gather of int32 values', f: (x, i) => o.cast(o.gather(x!, i!), 'float32'), args: [int([10, 20, 30], [3]), int([2, 2, 0], [3])], order: 0 },
];
