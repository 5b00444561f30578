import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { gradients } from '../autodiff/grad.js';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { Linear } from '../nn/linear.js';
import { ortBackend } from '../node.js';
import { square, mean } from '../ops/math.js';
import { mul } from '../ops/mul.js';
import { sub } from '../ops/sub.js';
import { sum } from '../ops/sum.js';
import { Rng } from '../tensor/random.js';
import { realize, tensor, type Tensor } from '../tensor/tensor.js';
import { Adam } from './adam.js';
import { clipProjection, clipWeights } from './clip.js';
import type { Optimizer } from './optimizer.js';
import { RMSProp } from './rmsprop.js';
import { linearDecay } from './schedule.js';
import { SGD } from './sgd.js';

const ref = referenceBackend();
const ort = ortBackend({ threads: 1 });
after(() => ort.dispose?.());

const P0 = [1.0, -2.0, 0.5, 0.003];
const TARGET = [0.3, 0.1, -0.7, 0.0];

/** Runs `steps` updates of 0.5·‖p − target‖² on the float64 reference backend; returns p after each. */
async function run(make: (p: Tensor) => Optimizer, steps: number): Promise<number[][]> {
  const p = tensor(Float64Array.from(P0), [P0.length]);
  const target = tensor(Float64Array.from(TARGET), [TARGET.length]);
  const opt = make(p);
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    const loss = mul(sum(square(sub(p, target))), 0.5);
    await opt.step(gradients(loss, [p]), [loss], ref);
    out.push(Array.from(p.value!));
  }
  return out;
}

/** The same loop by hand, in float64, with `rule` updating p in place from g. */
function byHand(steps: number, rule: (p: number[], g: number[], t: number) => void): number[][] {
  const p = [...P0];
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const g = p.map((v, i) => v - TARGET[i]!);
    rule(p, g, t);
    out.push([...p]);
  }
  return out;
}

function assertClose(got: number[][], want: number[][], tol = 1e-12): void {
  want.forEach((row, s) =>
    row.forEach((w, i) => assert.ok(Math.abs(got[s]![i]! - w) <= tol * Math.max(1, Math.abs(w)), `step ${s + 1}, p[${i}]: got ${got[s]![i]}, want ${w}`)),
  );
}

describe('Adam (PyTorch semantics)', () => {
  for (const beta1 of [0, 0.5]) {
    test(`matches a hand computation for 3 steps with beta1 = ${beta1}`, async () => {
      const lr = 0.1;
      const beta2 = 0.9;
      const eps = 1e-8;
      const m = P0.map(() => 0);
      const v = P0.map(() => 0);
      const want = byHand(3, (p, g, t) => {
        p.forEach((_, i) => {
          m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
          v[i] = beta2 * v[i]! + (1 - beta2) * g[i]! ** 2;
          const mHat = m[i]! / (1 - beta1 ** t);
          const vHat = v[i]! / (1 - beta2 ** t);
          p[i] = p[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
        });
      });
      assertClose(await run((p) => new Adam([p], { lr, beta1, beta2, eps }), 3), want);
    });
  }

  test('the first bias-corrected step moves each parameter by lr·sign(g) (|g| ≫ eps)', async () => {
    const [p1] = await run((p) => new Adam([p], { lr: 0.01 }), 1);
    P0.forEach((v, i) => assert.ok(Math.abs(p1![i]! - (v - 0.01 * Math.sign(v - TARGET[i]!))) < 1e-7, `p[${i}] = ${p1![i]}`));
  });

  test('the defaults are the paper’s Adam(1e-4, 0, 0.9)', () => {
    const opt = new Adam([tensor([1], [1])]);
    assert.deepEqual([opt.lr, opt.beta1, opt.beta2, opt.eps], [1e-4, 0, 0.9, 1e-8]);
  });
});

describe('RMSProp (TensorFlow 1 semantics)', () => {
  test('mean square starts at ONE and eps sits inside the root: 3 steps by hand', async () => {
    const lr = 0.01;
    const ms = P0.map(() => 1);
    const want = byHand(3, (p, g) => {
      p.forEach((_, i) => {
        ms[i] = 0.9 * ms[i]! + 0.1 * g[i]! ** 2;
        p[i] = p[i]! - (lr * g[i]!) / Math.sqrt(ms[i]! + 1e-10);
      });
    });
    assertClose(await run((p) => new RMSProp([p], { lr }), 3), want);
  });

  test('with momentum: mom = μ·mom + lr·g/√(ms + eps), p −= mom', async () => {
    const lr = 0.01;
    const ms = P0.map(() => 1);
    const mom = P0.map(() => 0);
    const want = byHand(3, (p, g) => {
      p.forEach((_, i) => {
        ms[i] = 0.9 * ms[i]! + 0.1 * g[i]! ** 2;
        mom[i] = 0.5 * mom[i]! + (lr * g[i]!) / Math.sqrt(ms[i]! + 1e-10);
        p[i] = p[i]! - mom[i]!;
      });
    });
    assertClose(await run((p) => new RMSProp([p], { lr, momentum: 0.5 }), 3), want);
  });
});

describe('SGD', () => {
  test('plain and with momentum, 3 steps by hand', async () => {
    assertClose(await run((p) => new SGD([p], { lr: 0.1 }), 3), byHand(3, (p, g) => p.forEach((_, i) => (p[i] = p[i]! - 0.1 * g[i]!))));
    const buf = P0.map(() => 0);
    const want = byHand(3, (p, g) =>
      p.forEach((_, i) => {
        buf[i] = 0.9 * buf[i]! + g[i]!;
        p[i] = p[i]! - 0.1 * buf[i]!;
      }),
    );
    assertClose(await run((p) => new SGD([p], { lr: 0.1, momentum: 0.9 }), 3), want);
  });
});

describe('learning-rate decay', () => {
  test('linearDecay gives lr·max(0, 1 − it/decayIters)', () => {
    const s = linearDecay(2e-4, 100);
    assert.equal(s(0), 2e-4);
    assert.ok(Math.abs(s(25) - 1.5e-4) < 1e-18);
    assert.equal(s(100), 0);
    assert.equal(s(150), 0);
    assert.throws(() => linearDecay(-1, 10), /linearDecay: lr must be a number >= 0/);
  });

  test('a changing lr is fed: one onnxruntime session for every step, and lr = 0 leaves the weights alone', async () => {
    const rng = new Rng(1);
    const fc = new Linear(3, 1, { rng });
    const opt = new Adam(fc.parameters(), { lr: 0.1 });
    const sched = linearDecay(0.1, 4);
    const x = rng.normal([8, 3]);
    const y = rng.normal([8, 1]);
    const before = ort.sessionsCreated;
    let last: number[] = [];
    for (let it = 0; it <= 4; it++) {
      opt.lr = sched(it);
      const loss = mean(square(sub(fc.forward(x), y)));
      await opt.step(gradients(loss, fc.parameters()), [loss], ort);
      const w = Array.from(fc.weight.value!);
      if (it === 4) assert.deepEqual(w, last, 'lr 0 changes nothing');
      else if (it > 0) assert.notDeepEqual(w, last);
      last = w;
    }
    assert.equal(ort.sessionsCreated - before, 1, 'five steps with five learning rates share one session');
    assert.equal(opt.stepCount, 5);
  });
});

describe('weight clipping', () => {
  test('the project option clips inside the update graph', async () => {
    const p = tensor([0.5, -0.004, 0.002, -3], [4]);
    const opt = new SGD([p], { lr: 0, project: clipProjection(0.01) });
    await opt.step([tensor([0, 0, 0, 0], [4])], [], ref);
    assert.deepEqual(Array.from(p.value!).map((v) => Math.round(v * 1e6) / 1e6), [0.01, -0.004, 0.002, -0.01]);
  });

  test('clipWeights is a pending projection: nothing changes until commit', async () => {
    const a = tensor([0.5, -0.5], [2]);
    const b = tensor([0.001], [1]);
    const u = clipWeights([a, b], 0.1);
    await realize(u.outputs, ref);
    assert.deepEqual(Array.from(a.value!), [0.5, -0.5]);
    u.commit();
    assert.deepEqual(Array.from(a.value!).map((v) => Math.round(v * 1e6) / 1e6), [0.1, -0.1]);
    assert.equal(b.value![0], Math.fround(0.001));
    assert.throws(() => u.commit(), /already committed/);
    assert.throws(() => clipWeights([a], 0), /clipWeights: c must be a positive number, got 0/);
  });
});

describe('optimizer state and validation', () => {
  test('state() / loadState() continue exactly as an uninterrupted run', async () => {
    const make = (): Tensor => tensor(Float64Array.from(P0), [P0.length]);
    const target = tensor(Float64Array.from(TARGET), [TARGET.length]);
    const grad = (p: Tensor): Tensor[] => gradients(mul(sum(square(sub(p, target))), 0.5), [p]);
    const pa = make();
    const a = new Adam([['w', pa]], { lr: 0.05, beta1: 0.5 });
    for (let i = 0; i < 2; i++) await a.step(grad(pa), [], ref);
    const st = a.state();
    assert.deepEqual(Object.keys(st.slots), ['m.w', 'v.w']);
    assert.equal(st.step, 2);
    const pb = tensor(Float64Array.from(pa.value!), [P0.length]);
    const b = new Adam([['w', pb]], { lr: 0.05, beta1: 0.5 });
    b.loadState(st);
    await a.step(grad(pa), [], ref);
    await b.step(grad(pb), [], ref);
    assert.deepEqual(Array.from(pb.value!), Array.from(pa.value!));
    assert.throws(() => b.loadState({ step: 1, slots: { 'm.w': st.slots['m.w']! } }), /Adam.loadState: missing slot 'v.w'/);
    assert.throws(() => b.loadState({ step: 1, slots: { ...st.slots, 'm.x': st.slots['m.w']! } }), /unexpected slot 'm.x'/);
    assert.throws(() => b.loadState({ step: 1, slots: { ...st.slots, 'v.w': tensor([1], [1]) } }), /slot 'v.w' has shape \[1\], expected \[4\]/);
  });

  test('an update is committed once, and not after a newer one', async () => {
    const p = tensor([1], [1]);
    const opt = new SGD([p], { lr: 0.1 });
    const u1 = opt.update([tensor([1], [1])]);
    const u2 = opt.update([tensor([2], [1])]);
    await realize([...u1.outputs, ...u2.outputs], ref);
    u2.commit();
    assert.throws(() => u1.commit(), /SGD.update: stale update \(built at step 0, optimizer is at step 1\)/);
    assert.throws(() => u2.commit(), /already committed/);
  });

  test('an update chained after an uncommitted one is the next step, and commits both', async () => {
    // Adam's bias correction depends on the step number: two chained updates = two steps.
    const make = (p: Tensor): Adam => new Adam([['w', p]], { lr: 0.1, beta1: 0.5, beta2: 0.9 });
    const want = await run(make, 2);
    const p = tensor(Float64Array.from(P0), [P0.length]);
    const target = tensor(Float64Array.from(TARGET), [TARGET.length]);
    const opt = make(p);
    const gradAt = (q: Tensor): Tensor => mul(sub(q, target), 1); // ∇ of 0.5·‖q − target‖²
    const u1 = opt.update([gradAt(p)]);
    const u2 = opt.update([gradAt(u1.outputs[0]!)], u1);
    await realize(u2.outputs, ref);
    u2.commit();
    assert.equal(opt.stepCount, 2);
    want[1]!.forEach((v, i) => assert.ok(Math.abs(p.value![i]! - v) < 1e-12, `w[${i}]: ${p.value![i]} vs ${v}`));
    assert.throws(() => u1.commit(), /stale update \(built at step 0, optimizer is at step 2\)/);
    const other = new SGD([tensor([1], [1])], { lr: 0.1 });
    assert.throws(() => opt.update([gradAt(p)], other.update([tensor([1], [1])])), /Adam.update: 'after' must be an update of this Adam/);
  });

  test('arguments are validated with messages that name them', () => {
    const p = tensor([1, 2], [2]);
    assert.throws(() => new Adam([p], { lr: -1 }), /Adam: lr must be a number in \[0, ∞\], got -1/);
    assert.throws(() => new Adam([p], { beta1: 1 }), /Adam: beta1 must be a number in \[0, 1\), got 1/);
    assert.throws(() => new Adam([p], { beta2: -0.1 }), /Adam: beta2 must be a number in \[0, 1\)/);
    assert.throws(() => new RMSProp([p], { decay: 1.5 }), /RMSProp: decay must be a number in \[0, 1\)/);
    assert.throws(() => new Adam([]), /Adam: params must be a non-empty array/);
    assert.throws(() => new Adam([p, p]), /Adam: params\[1\] \('1'\) is listed twice/);
    assert.throws(() => new Adam([mul(p, 2)]), /Adam: params\[0\] \('0'\) must be a data leaf/);
    const opt = new Adam([['fc.weight', p]]);
    assert.throws(() => opt.update([]), /Adam.update: got 0 gradients for 1 parameters/);
    assert.throws(() => opt.update([tensor([1, 2, 3], [3])]), /Adam.update: grads\[0\] is float32\[3\] but parameter 0 \('fc.weight'\) is float32\[2\]/);
    assert.throws(() => {
      opt.lr = Number.NaN;
    }, /Adam: lr must be a number/);
  });
});

describe('real learning', () => {
  test('a Linear model trained with Adam on onnxruntime fits a linear regression', async () => {
    const rng = new Rng(7);
    const wTrue = [1.5, -2, 0.5, 3];
    const X = rng.normalArray(64 * 4);
    const Y = Float32Array.from({ length: 64 }, (_, n) => wTrue.reduce((s, w, j) => s + w * X[n * 4 + j]!, 0.7) + 0.01 * rng.gauss());
    const x = tensor(X, [64, 4]);
    const y = tensor(Y, [64, 1]);
    const fc = new Linear(4, 1, { rng });
    const opt = new Adam(fc.namedParameters(), { lr: 0.05, beta1: 0.5, beta2: 0.9 });
    const losses: number[] = [];
    for (let it = 0; it < 300; it++) {
      const loss = mean(square(sub(fc.forward(x), y)));
      await opt.step(gradients(loss, fc.parameters()), [loss], ort);
      losses.push(loss.value![0]!);
    }
    assert.ok(losses[299]! < losses[0]! / 1000, `loss ${losses[0]} → ${losses[299]}`);
    Array.from(fc.weight.value!).forEach((w, j) => assert.ok(Math.abs(w - wTrue[j]!) < 0.02, `w[${j}] = ${w}, want ${wTrue[j]}`));
    assert.ok(Math.abs(fc.bias!.value![0]! - 0.7) < 0.02);
  });
});
