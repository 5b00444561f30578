/**
 * Misuse is refused when the op is recorded, with a ShapeError naming the op, the argument and the
 * shapes: never a crash deep inside onnxruntime at realization time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ShapeError } from '../tensor/shape.js';
import { tensor, type Tensor } from '../tensor/tensor.js';
import * as o from './index.js';

const x23 = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
const i23 = tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32');

/** Asserts that `f` throws a ShapeError from `op` whose message contains every fragment. */
function refuses(f: () => unknown, op: string, ...fragments: string[]): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof ShapeError, `expected a ShapeError, got ${String(e)}`);
    assert.equal(e.op, op);
    assert.ok(e.message.startsWith(`${op}: `), `message should start with the op name: ${e.message}`);
    for (const frag of fragments) assert.ok(e.message.includes(frag), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(frag)}`);
    return true;
  });
}

describe('mismatched shapes are refused with both shapes named', () => {
  test('add of shapes that do not broadcast', () => {
    refuses(() => o.add(x23, tensor([1, 2, 3, 4], [4])), 'add', '[2,3]', '[4]', 'do not broadcast');
  });
  test('matmul with different inner dimensions', () => {
    refuses(() => o.matmul(tensor(new Float32Array(12), [4, 3]), tensor(new Float32Array(10), [2, 5])), 'matmul', 'inner dimensions', '[4,3]', '[2,5]');
  });
  test('matmul of a vector', () => {
    refuses(() => o.matmul(tensor([1, 2, 3], [3]), x23), 'matmul', 'rank >= 2', '[3]');
  });
  test('concat of tensors that differ off the concatenation axis', () => {
    refuses(() => o.concat([x23, tensor(new Float32Array(8), [2, 4])], 0), 'concat', 'tensor 1', '[2,4]', '[2,3]', 'axis 0');
  });
  test('concat of tensors of different ranks', () => {
    refuses(() => o.concat([x23, tensor([1, 2, 3], [3])], 0), 'concat', '[3]', '[2,3]');
  });
  test('gatedTanhSigmoid of halves that do not broadcast', () => {
    refuses(() => o.gatedTanhSigmoid(x23, tensor([1, 2], [2])), 'mul', '[2,3]', '[2]');
  });
  test('softmaxCrossEntropy with labels that do not match the logits', () => {
    refuses(() => o.softmaxCrossEntropy(x23, tensor([0, 1, 2], [3], 'int32')), 'softmaxCrossEntropy', '[2,3]', '[3]');
  });
  test('sigmoidCrossEntropyWithLogits with labels of another shape', () => {
    refuses(() => o.sigmoidCrossEntropyWithLogits(x23, tensor([1, 0], [2])), 'sigmoidCrossEntropyWithLogits', '[2,3]', '[2]');
  });
  test('pad without one pair per axis', () => {
    refuses(() => o.pad(x23, [[1, 1]]), 'pad', '[2,3]', 'one [before, after] pair per axis');
  });
  test('pad with negative amounts', () => {
    refuses(() => o.pad(x23, [[1, 1], [-1, 0]]), 'pad', 'non-negative');
  });
});

describe('wrong dtypes are refused with the dtypes named', () => {
  test('matmul of int32 tensors', () => {
    refuses(() => o.matmul(i23, o.reshape(i23, [3, 2])), 'matmul', 'float32', 'int32');
  });
  test('where with a float condition', () => {
    refuses(() => o.where(x23, 1, 0), 'where', 'cond must be bool', 'float32');
  });
  test('add of float32 and int32', () => {
    refuses(() => o.add(x23, i23), 'add', 'float32', 'int32');
  });
  test('tanh of int32', () => {
    refuses(() => o.tanh(i23), 'tanh', 'float32', 'int32');
  });
  test('gather with float indices', () => {
    refuses(() => o.gather(x23, tensor([0, 1], [2])), 'gather', 'indices must be int32', 'float32');
  });
  test('oneHot of float labels', () => {
    refuses(() => o.oneHot(x23, 4), 'oneHot', 'int32', 'float32');
  });
  test('softmaxCrossEntropy with float labels', () => {
    refuses(() => o.softmaxCrossEntropy(x23, tensor([0, 1], [2])), 'softmaxCrossEntropy', 'int32', 'float32');
  });
  test('max of a bool mask', () => {
    refuses(() => o.max(o.greater(x23, 2)), 'max', 'bool');
  });
  test('concat of float32 with int32', () => {
    refuses(() => o.concat([x23, i23], 1), 'concat', 'int32', 'float32');
  });
});

describe('out-of-range axes are refused with the axis and rank named', () => {
  const cases: [string, string, () => Tensor][] = [
    ['sum', 'axis 2', () => o.sum(x23, 2)],
    ['max', 'axis -3', () => o.max(x23, -3)],
    ['softmax', 'axis 2', () => o.softmax(x23, 2)],
    ['logSoftmax', 'axis -3', () => o.logSoftmax(x23, -3)],
    ['concat', 'axis 2', () => o.concat([x23, x23], 2)],
    ['gather', 'axis 5', () => o.gather(x23, tensor([0], [1], 'int32'), 5)],
    ['slice', 'axis 3', () => o.slice(x23, [0], [1], [3])],
  ];
  for (const [op, axis, f] of cases) {
    test(`${op} with ${axis}`, () => refuses(f, op, axis, 'rank 2'));
  }
});

describe('bad sizes and bounds are refused', () => {
  test('reshape to the wrong number of values', () => {
    refuses(() => o.reshape(x23, [4, 2]), 'reshape', '[2,3]', '6 values', '[4,2]');
  });
  test('reshape with -1 that does not divide', () => {
    refuses(() => o.reshape(x23, [4, -1]), 'reshape', '[2,3]', '[4,-1]');
  });
  test('slice past the end of an axis', () => {
    refuses(() => o.slice(x23, [1], [5], [1]), 'slice', 'end 5', 'out of bounds', 'size 3', '[2,3]');
  });
  test('slice before the start of an axis', () => {
    refuses(() => o.slice(x23, [-4], [2], [1]), 'slice', 'start -4', 'out of bounds');
  });
  test('slice with the end before the start', () => {
    refuses(() => o.slice(x23, [2], [1], [1]), 'slice', 'end 1 comes before start 2');
  });
  test('slice with a non-positive step', () => {
    refuses(() => o.slice(x23, [0], [3], [1], [0]), 'slice', 'steps must be positive');
  });
  test('slice with mismatched argument lengths', () => {
    refuses(() => o.slice(x23, [0, 0], [1]), 'slice', 'same length');
  });
  test('pow with a non-finite exponent', () => {
    refuses(() => o.pow(x23, Number.NaN), 'pow', 'exponent', 'NaN');
  });
  test('clamp with lo above hi', () => {
    refuses(() => o.clamp(x23, 1, -1), 'clamp', 'lo 1', 'hi -1');
  });
  test('oneHot with a non-positive depth', () => {
    refuses(() => o.oneHot(i23, 0), 'oneHot', 'depth', '0');
  });
});

describe('refusals happen before anything runs', () => {
  test('a bad op throws synchronously while recording, with no backend selected', () => {
    // No setBackend() in this file: reaching onnxruntime (or any backend) would be a different error.
    const y = o.tanh(x23);
    refuses(() => o.matmul(y, y), 'matmul', '[2,3]');
  });
  test('a non-tensor argument is named', () => {
    refuses(() => o.tanh('x' as unknown as Tensor), 'tanh', 'input 0 is not a Tensor');
  });
});
