import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import * as o from '../ops/index.js';
import { realize, tensor } from '../tensor/tensor.js';
import { gradients } from './grad.js';
import { substitute } from './substitute.js';

const ref = referenceBackend();

describe('substitute', () => {
  test('recomputes what depends on a replaced tensor and shares the rest', async () => {
    const w = tensor(Float64Array.from([1, 2]), [2]);
    const x = tensor(Float64Array.from([3, 4]), [2]);
    const other = o.mul(x, 2);
    const y = o.add(o.mul(w, x), other);
    const w2 = o.mul(w, 10); // a pending value that itself reads w: w inside it stays w
    const [y2, same] = substitute([y, other], new Map([[w, w2]]));
    assert.equal(same, other);
    assert.notEqual(y2, y);
    assert.equal(y2!.inputs[1], other);
    await realize([y, y2!], ref);
    assert.deepEqual(Array.from(y.value!), [9, 16]);
    assert.deepEqual(Array.from(y2!.value!), [36, 88]);
  });

  test('a chain of steps: the gradient of the second step taken at the first step\'s result', async () => {
    // Two gradient-descent steps on f(w) = Σ w², built as one graph: w1 = w − 0.25·∇f(w), w2 = w1 − 0.25·∇f(w1).
    const w = tensor(Float64Array.from([1, -2]), [2]);
    const step = (): ReturnType<typeof o.sub> => o.sub(w, o.mul(gradients(o.sum(o.square(w)), [w])[0]!, 0.25));
    const w1 = step();
    const [w2] = substitute([step()], new Map([[w, w1]]));
    await realize([w2!], ref);
    assert.deepEqual(Array.from(w2!.value!), [0.25, -0.5]);
  });

  test('a deep graph does not overflow the stack', async () => {
    const x = tensor(Float64Array.from([0]), [1]);
    let y = x;
    for (let i = 0; i < 50_000; i++) y = o.add(y, 1);
    const [y2] = substitute([y], new Map([[x, tensor(Float64Array.from([5]), [1])]]));
    assert.equal(y2!.shape[0], 1);
    let depth = 0;
    for (let t = y2!; t.inputs.length > 0; t = t.inputs[0]!) depth++;
    assert.equal(depth, 50_000);
  });

  test('a replacement of another shape is refused, naming both tensors', () => {
    const w = tensor(Float64Array.from([1, 2]), [2]);
    assert.throws(() => substitute([o.mul(w, 2)], new Map([[w, tensor(Float64Array.from([1, 2, 3]), [3])]])), /substitute.*\[2\].*\[3\]/);
  });
});
