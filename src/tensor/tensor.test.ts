import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { ortBackend } from '../node.js';
import * as o from '../ops/index.js';
import { Rng } from './random.js';
import { buildPlan, realize, scalar, tensor } from './tensor.js';

const ort = ortBackend({ threads: 1 });
after(() => ort.dispose?.());

describe('lazy tensors', () => {
  test('ops record nodes and compute nothing until realized', async () => {
    const x = tensor([1, 2, 3], [3]);
    const y = o.mul(x, 2);
    assert.equal(y.isRealized, false);
    await realize([y], referenceBackend());
    assert.deepEqual(await y.toArray(), [2, 4, 6]);
  });

  test('the plan key depends on structure, shapes and constants, not on fed data', () => {
    const k = (data: number[], c: number, n = 3): string => buildPlan([o.add(tensor(data.slice(0, n), [n]), c)]).key;
    assert.equal(k([1, 2, 3], 1), k([4, 5, 6], 1));
    assert.notEqual(k([1, 2, 3], 1), k([1, 2, 3], 2));
    assert.notEqual(k([1, 2, 3], 1), k([1, 2], 1, 2));
  });

  test('a step with a fixed structure becomes one cached onnxruntime session', async () => {
    const before = ort.sessionsCreated;
    const w = tensor([0.5, -1], [2, 1]);
    for (let i = 0; i < 5; i++) {
      const x = tensor([i, 1, 2, i], [2, 2]);
      const y = o.matmul(x, w);
      const total = o.sum(y);
      await realize([y, total], ort);
      assert.deepEqual(await y.toArray(), [i * 0.5 - 1, 1 - i]);
    }
    assert.equal(ort.sessionsCreated - before, 1);
  });

  test('several outputs are realized together, and shared subgraphs computed once', async () => {
    const x = tensor([1, 2], [2]);
    const s = o.exp(x);
    const a = o.add(s, 1);
    const b = o.mul(s, 2);
    const plan = buildPlan([a, b]);
    assert.equal(plan.values.filter((v) => v.kind === 'op' && v.op.name === 'exp').length, 1);
    await realize([a, b], ort);
    const [ea, eb] = [await a.toArray(), await b.toArray()];
    assert.ok(Math.abs(ea[1]! - (Math.exp(2) + 1)) < 1e-4 && Math.abs(eb[0]! - 2 * Math.E) < 1e-4);
  });

  test('assign replaces a leaf value and pending tensors read the new value', async () => {
    const p = tensor([1, 1], [2]);
    const y = o.mul(p, 3);
    const next = o.add(p, 1);
    await realize([next], ort);
    p.assign(next);
    await realize([y], ort);
    assert.deepEqual(Array.from(await y.data()), [6, 6]);
    assert.throws(() => y.assign(next), /only a data leaf can be assigned/);
    assert.throws(() => p.assign(tensor([1, 2, 3], [3])), /differ in shape/);
  });

  test('bad construction is refused with the shapes named', () => {
    assert.throws(() => tensor([1, 2, 3], [2, 2]), /shape \[2,2\] needs 4 values, got 3/);
    assert.throws(() => o.add(tensor([1, 2], [2]), tensor([1, 2, 3], [3])), /add: shapes \[2\] and \[3\] do not broadcast/);
    assert.throws(() => o.matmul(tensor([1, 2], [1, 2]), tensor([1, 2], [1, 2])), /matmul: inner dimensions differ/);
    assert.throws(() => o.add(tensor([1], [1], 'int32'), tensor([1], [1])), /add: inputs differ in dtype: int32 vs float32/);
    assert.throws(() => o.sum(tensor([1, 2], [2]), 3), /sum: axis 3 is out of range for a tensor of rank 1/);
  });

  test('int32 and bool tensors round-trip through onnxruntime', async () => {
    const i = tensor([1, -2, 3], [3], 'int32');
    const m = o.greater(i, 0);
    const f = o.cast(m, 'float32');
    await realize([o.add(i, 1), m, f], ort);
    assert.deepEqual(Array.from(await m.data()), [1, 0, 1]);
    assert.deepEqual(Array.from(await f.data()), [1, 0, 1]);
    assert.ok(scalar(2, 'int32').dtype === 'int32');
  });
});

describe('Rng', () => {
  test('is reproducible from a seed and from a saved state', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    assert.deepEqual(Array.from(a.normalArray(10)), Array.from(b.normalArray(10)));
    const saved = a.state();
    const next = Array.from(a.uniformArray(5));
    assert.deepEqual(Array.from(new Rng(saved).uniformArray(5)), next);
    assert.notDeepEqual(Array.from(new Rng(8).uniformArray(5)), Array.from(new Rng(7).uniformArray(5)));
  });

  test('draws have the right moments', () => {
    const r = new Rng(1);
    const n = 200000;
    const z = r.normalArray(n, 1, 2);
    const u = r.uniformArray(n, -1, 3);
    const m = (a: Float32Array): number => a.reduce((s, v) => s + v, 0) / a.length;
    const v = (a: Float32Array): number => {
      const mu = m(a);
      return a.reduce((s, x) => s + (x - mu) ** 2, 0) / a.length;
    };
    assert.ok(Math.abs(m(z) - 1) < 0.02 && Math.abs(v(z) - 4) < 0.05, `normal mean ${m(z)} var ${v(z)}`);
    assert.ok(Math.abs(m(u) - 1) < 0.02 && u.every((x) => x >= -1 && x < 3), `uniform mean ${m(u)}`);
  });
});
