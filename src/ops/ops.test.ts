import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ortBackend } from '../node.js';
import { checkCaseGrads, checkCaseOrt, primitivesUsed } from '../../test/support/op-case.js';
import { allCases } from '../../test/op-cases/index.js';
import { primitives } from './registry.js';

const ort = ortBackend({ threads: 1 });
after(() => ort.dispose?.());

describe('every primitive', () => {
  test('has a shape rule, an ONNX lowering, a vjp (or is marked non-differentiable) and a reference kernel', () => {
    for (const p of primitives()) {
      assert.equal(typeof p.infer, 'function', `${p.name} lacks a shape rule`);
      assert.equal(typeof p.lower, 'function', `${p.name} lacks an ONNX lowering`);
      assert.equal(typeof p.reference, 'function', `${p.name} lacks a reference kernel`);
      assert.ok(typeof p.vjp === 'function' || p.vjp === 'none', `${p.name} lacks a vjp`);
    }
  });

  test('is exercised, forward and backward, by at least one op case', () => {
    const used = new Set<string>();
    for (const c of allCases) for (const n of primitivesUsed(c)) used.add(n);
    const missing = primitives().map((p) => p.name).filter((n) => !used.has(n));
    assert.deepEqual(missing, [], `primitives without an op case: ${missing.join(', ')}`);
  });
});

describe('op cases', () => {
  for (const c of allCases) {
    test(`${c.name}: derivatives to order ${c.order ?? 2} match float64 finite differences`, async () => {
      await checkCaseGrads(c);
    });
    test(`${c.name}: onnxruntime matches the reference interpreter`, async () => {
      await checkCaseOrt(c, ort);
    });
  }
});
