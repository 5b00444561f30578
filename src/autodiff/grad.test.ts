import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import * as o from '../ops/index.js';
import { noGrad, realize, tensor, type Tensor } from '../tensor/tensor.js';
import { grad, gradients, valueAndGrad, vjp } from './grad.js';

const ref = referenceBackend();
async function vals(t: Tensor): Promise<number[]> {
  await realize([t], ref);
  return t.toArray();
}
function close(a: readonly number[], b: readonly number[], tol = 1e-12): void {
  assert.equal(a.length, b.length);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)), `index ${i}: ${v} vs ${b[i]}`));
}

describe('grad', () => {
  test('differentiates x³ to first, second and third order', async () => {
    const x = tensor(Float64Array.from([-1.5, 0.5, 2]), [3]);
    const f = (t: Tensor): Tensor => o.sum(o.mul(o.mul(t, t), t));
    const d1 = (t: Tensor): Tensor => grad(f)(t)[0]!;
    const d2 = (t: Tensor): Tensor => grad((u) => o.sum(d1(u)))(t)[0]!;
    const d3 = (t: Tensor): Tensor => grad((u) => o.sum(d2(u)))(t)[0]!;
    close(await vals(d1(x)), [6.75, 0.75, 12]);
    close(await vals(d2(x)), [-9, 3, 12]);
    close(await vals(d3(x)), [6, 6, 6]);
  });

  test('valueAndGrad returns the value and one gradient per argument', async () => {
    const a = tensor(Float64Array.from([1, 2]), [2]);
    const b = tensor(Float64Array.from([3, 4]), [2]);
    const { value, grads } = valueAndGrad((x, y) => o.sum(o.mul(x!, y!)))(a, b);
    close(await vals(value), [11]);
    close(await vals(grads[0]!), [3, 4]);
    close(await vals(grads[1]!), [1, 2]);
  });

  test('valueAndGrad refuses a non-scalar function, naming the shape', () => {
    const a = tensor([1, 2], [2]);
    assert.throws(() => valueAndGrad((x) => o.mul(x!, 2))(a), /must return a scalar, got shape \[2\]/);
  });

  test('vjp applies a given cotangent', async () => {
    const x = tensor(Float64Array.from([1, 2, 3]), [3]);
    const { vjp: back } = vjp((t) => o.mul(t!, t!), x);
    const [g] = back(tensor(Float64Array.from([1, 0, -1]), [3]));
    close(await vals(g!), [2, 0, -6]);
  });

  test('gives zeros for inputs the output does not depend on', async () => {
    const x = tensor([1, 2], [2]);
    const y = tensor([5, 6], [2]);
    const [gy] = gradients(o.sum(o.mul(x, x)), [y]);
    close(await vals(gy!), [0, 0]);
  });

  test('accumulates gradients of a tensor used several times', async () => {
    const x = tensor(Float64Array.from([2]), [1]);
    const [g] = gradients(o.sum(o.add(o.mul(x, x), o.mul(x, 3))), [x]);
    close(await vals(g!), [7]);
  });

  test('stopGradient and noGrad make constants for autodiff', async () => {
    const x = tensor(Float64Array.from([1.5, -2]), [2]);
    const [g1] = gradients(o.sum(o.mul(x, o.stopGradient(o.mul(x, x)))), [x]);
    close(await vals(g1!), [2.25, 4]); // x² held constant: d/dx (x · c) = c
    const c = noGrad(() => o.mul(x, x));
    const [g2] = gradients(o.sum(o.mul(x, c)), [x]);
    close(await vals(g2!), [2.25, 4]);
  });

  test('sqrt at exactly zero gives finite gradients at first and second order (no NaN penalty)', async () => {
    // A critic whose input gradient is exactly zero for some samples: ‖∇‖ = 0 there.
    const w = tensor(Float64Array.from([0.5, -0.25]), [2, 1]);
    const x = tensor(Float64Array.from([1, 2, 3, 4]), [2, 2]);
    const mask = tensor(Float64Array.from([1, 0]), [2, 1]); // second sample: D constant in x
    const critic = (inp: Tensor): Tensor => o.mul(o.matmul(inp, w), mask);
    const [gx] = gradients(o.sum(critic(x)), [x]);
    const norm = o.sqrt(o.sum(o.square(gx!), [1]));
    const penalty = o.mean(o.square(o.sub(norm, 1)));
    const [gw] = gradients(penalty, [w]);
    const [gww] = gradients(o.sum(o.square(gw!)), [w]);
    const all = [...(await vals(norm)), ...(await vals(penalty)), ...(await vals(gw!)), ...(await vals(gww!))];
    assert.ok(all.every(Number.isFinite), `non-finite values: ${all.join(', ')}`);
    close(await vals(norm), [Math.sqrt(0.3125), 0]);
  });

  test('a realized tensor still propagates gradients to its inputs', async () => {
    const x = tensor(Float64Array.from([3]), [1]);
    const y = o.mul(x, x);
    await realize([y], ref);
    const [g] = gradients(o.sum(y), [x]);
    close(await vals(g!), [6]);
  });
});
