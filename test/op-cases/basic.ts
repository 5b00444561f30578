/** Op cases for the arithmetic, reduction, shape and matmul primitives. */
import { randArg, type OpCase } from '../support/op-case.js';
import * as o from '../../src/ops/index.js';

const a23 = randArg([2, 3], 1);
const b23 = randArg([2, 3], 2);
const b3 = randArg([3], 3);
const pos23 = randArg([2, 3], 4, { lo: 0.5, hi: 2 });

export const cases: OpCase[] = [
  { name: 'add broadcasts a row', f: (x, y) => o.add(o.mul(x!, x!), y!), args: [a23, b3] },
  { name: 'sub broadcasts a column', f: (x, y) => o.sub(o.mul(x!, y!), o.exp(y!)), args: [a23, randArg([2, 1], 5)] },
  { name: 'mul of same shapes', f: (x, y) => o.mul(x!, y!), args: [a23, b23] },
  { name: 'div by a positive tensor', f: (x, y) => o.div(x!, y!), args: [a23, pos23] },
  { name: 'neg composed with mul', f: (x) => o.neg(o.mul(x!, x!)), args: [a23] },
  { name: 'exp', f: (x) => o.exp(x!), args: [a23] },
  { name: 'log of positives', f: (x) => o.log(x!), args: [pos23] },
  { name: 'sqrt of positives', f: (x) => o.sqrt(x!), args: [pos23] },
  { name: 'relu away from the kink', f: (x) => o.relu(o.mul(x!, x!)), args: [randArg([2, 3], 6, { awayFromZero: 0.1 })] },
  { name: 'relu of a product keeps second order', f: (x, y) => o.mul(o.relu(x!), y!), args: [randArg([2, 3], 7, { awayFromZero: 0.1 }), b23] },
  { name: 'where selects by a mask', f: (x, y) => o.where(o.greater(x!, 0), o.mul(x!, y!), o.exp(y!)), args: [randArg([2, 3], 8, { awayFromZero: 0.1 }), b23] },
  { name: 'compare gives bool masks', f: (x, y) => o.cast(o.lessEqual(x!, y!), 'float32'), args: [a23, b23], order: 0 },
  { name: 'equal and greaterEqual', f: (x) => o.cast(o.equal(o.greaterEqual(x!, 0), o.less(x!, 0.5)), 'float32'), args: [a23], order: 0 },
  { name: 'cast float to int and back', f: (x) => o.cast(o.cast(o.mul(x!, 3), 'int32'), 'float32'), args: [a23], order: 0 },
  { name: 'stopGradient is the identity forward', f: (x) => o.mul(x!, o.stopGradient(o.mul(x!, x!))), args: [a23], order: 0 },
  { name: 'sum over one axis keepdims', f: (x) => o.mul(o.sum(x!, 1, true), x!), args: [a23] },
  { name: 'sum over all axes', f: (x) => o.sum(o.mul(x!, x!)), args: [randArg([2, 3, 2], 9)] },
  { name: 'mean over the first axis', f: (x) => o.mean(o.mul(x!, x!), 0), args: [a23] },
  { name: 'reshape with -1', f: (x) => o.mul(o.reshape(x!, [3, -1]), o.reshape(x!, [3, 2])), args: [a23] },
  { name: 'expand a column', f: (x) => o.mul(o.expand(x!, [2, 4]), o.expand(x!, [2, 4])), args: [randArg([2, 1], 10)] },
  { name: 'transpose a 3-D tensor', f: (x) => o.mul(o.transpose(x!, [2, 0, 1]), o.transpose(x!, [2, 0, 1])), args: [randArg([2, 3, 4], 11)] },
  { name: 'matmul of matrices', f: (x, y) => o.matmul(o.mul(x!, x!), y!), args: [randArg([3, 4], 12), randArg([4, 2], 13)] },
  { name: 'matmul broadcasts batch axes', f: (x, y) => o.matmul(x!, o.mul(y!, y!)), args: [randArg([2, 3, 4], 14), randArg([4, 5], 15)] },
  // K = 1 is lowered as a broadcasting Mul (src/ops/matmul.ts; batch axes: src/backends/onnx/lower.test.ts)
  { name: 'matmul with inner dimension 1 (an outer product)', f: (x, y) => o.matmul(o.mul(x!, x!), y!), args: [randArg([3, 1], 16), randArg([1, 4], 17)] },
];
