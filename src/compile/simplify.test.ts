/**
 * The plan simplifier: each rule on a graph made for it, then the property that matters — the same
 * values with and without simplification, bit for bit — over every op case (value, first- and
 * second-order gradients) and over random programs built to hit the rules, on the float64
 * reference interpreter and on onnxruntime; then the node counts of the WGAN-GP steps.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { gradients } from '../autodiff/grad.js';
import { interpret } from '../backends/reference/reference-backend.js';
import { gradientPenalty, wassersteinCriticLoss } from '../gan/losses.js';
import { createLsun64 } from '../gan/models/lsun64.js';
import { ToyMlp } from '../gan/models/toy.js';
import { ortBackend } from '../node.js';
import { allCases } from '../../test/op-cases/index.js';
import { expandOp } from '../ops/expand.js';
import * as o from '../ops/index.js';
import { apply } from '../ops/registry.js';
import { Adam } from '../optim/adam.js';
import type { OpCase } from '../../test/support/op-case.js';
import { Rng } from '../tensor/random.js';
import { buildPlan, constant, scalar, tensor, type Plan, type Storage, type Tensor } from '../tensor/tensor.js';
import { simplifyPlan, type SimplifiedPlan } from './simplify.js';

// Bit-for-bit comparisons on onnxruntime need its kernels alone: no graph rewrites of its own.
const plainOrt = ortBackend({ threads: 1, simplify: false, graphOptimizationLevel: 'disabled' });
const simpleOrt = ortBackend({ threads: 1, graphOptimizationLevel: 'disabled' });
after(async () => {
  await plainOrt.dispose?.();
  await simpleOrt.dispose?.();
});

/** Equal as numbers, NaN equal to NaN (the one rule that is not bit-exact only flips the sign of a zero). */
function assertSameValues(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (!(g === w || (Number.isNaN(g) && Number.isNaN(w)))) assert.fail(`${what}[${i}]: ${g} with simplification, ${w} without`);
  }
}

/** How often each rule fired over this file's graphs (checked at the end: every rule is exercised). */
const fired = new Map<string, number>();
const tally = (s: SimplifiedPlan): void => {
  for (const [k, n] of Object.entries(s.stats.rules)) fired.set(k, (fired.get(k) ?? 0) + n);
};

const opsOf = (p: Plan): string[] => p.values.flatMap((v) => (v.kind === 'op' ? [v.op.name] : []));
const countOps = (p: Plan, name: string): number => opsOf(p).filter((n) => n === name).length;

/** Simplifies the plan of `outs` (float64 folding) and checks the reference values are unchanged. */
function simplifyChecked(outs: readonly Tensor[]): { plan: Plan; s: SimplifiedPlan } {
  const plan = buildPlan(outs);
  const s = simplifyPlan(plan, { float32: false });
  tally(s);
  assert.equal(s.key, plan.key, 'the cache key is the original plan key');
  for (const v of s.values) {
    if (v.kind === 'op') assert.ok(v.inputs.every((j, k) => s.values[j]!.tensor === v.tensor.inputs[k]), `${v.op.name}: its tensor reads the plan's inputs`);
  }
  const want = interpret(plan);
  const got = interpret(s);
  want.forEach((w, k) => assertSameValues(got[k]!, w, `reference output ${k}`));
  return { plan, s };
}

/** The same outputs on onnxruntime with and without simplification, bit for bit. */
async function checkOrt(outs: readonly Tensor[], what: string): Promise<void> {
  const plan = buildPlan(outs);
  const want = (await plainOrt.execute(plan)) as Storage[];
  const got = (await simpleOrt.execute(plan)) as Storage[];
  want.forEach((w: Storage, k) => assertSameValues(got[k]!, w, `${what}: onnxruntime output ${k}`));
}

describe('simplifyPlan rules', () => {
  const rng = new Rng(5);
  const x = rng.normal([2, 3]);
  const y = rng.normal([2, 3]);

  test('identical nodes and identical constants are shared (CSE)', () => {
    const a = o.mul(o.add(x, 2), y);
    const b = o.mul(o.add(x, 2), y);
    const { plan, s } = simplifyChecked([o.sub(a, b), o.add(a, b)]);
    assert.equal(countOps(plan, 'mul'), 2);
    assert.equal(countOps(s, 'mul'), 1);
    assert.equal(countOps(s, 'add'), 2); // x + 2 once, a + b
    assert.equal(s.values.filter((v) => v.kind === 'const').length, 1);
    assert.ok(s.stats.rules['cse-mul']! >= 1 && s.stats.rules['cse-constant']! >= 1);
  });

  test('ops of embedded constants are folded, in float32 by default and in float64 on request', () => {
    const c = o.div(o.add(scalar(1), scalar(0.1)), scalar(3)); // (1 + 0.1) / 3
    const outs = [o.mul(x, c)];
    const { s } = simplifyChecked(outs);
    assert.deepEqual(opsOf(s), ['mul']);
    const folded = s.values.find((v) => v.kind === 'const')!.tensor.value![0]!;
    assert.equal(folded, (1 + 0.1) / 3);
    const s32 = simplifyPlan(buildPlan(outs));
    const f32 = Math.fround;
    assert.equal(s32.values.find((v) => v.kind === 'const')!.tensor.value![0], f32(f32(f32(1) + f32(0.1)) / f32(3)));
  });

  test('sums, matmuls and transcendental functions of constants are not folded (float32 kernels round differently)', () => {
    const t = constant([1, 2, 3, 4], [2, 2]);
    const { s } = simplifyChecked([o.add(x, o.sum(o.exp(t))), o.matmul(t, t)]);
    assert.deepEqual(opsOf(s).sort(), ['add', 'exp', 'matmul', 'sum']);
  });

  test('x·1, 1·x, x/1, x+0, x−0 are x; x·(−1) is −x; −(−x) is x', () => {
    const { s } = simplifyChecked([o.mul(x, 1), o.mul(1, y), o.div(x, 1), o.add(x, 0), o.add(0, y), o.sub(x, 0), o.mul(x, -1), o.neg(o.neg(y))]);
    assert.deepEqual(opsOf(s), ['neg']);
    assert.deepEqual(s.outputs.map((i) => s.values[i]!.tensor), [x, y, x, x, y, x, s.values[s.outputs[6]!]!.tensor, y]);
  });

  test('an identity that would change the shape is kept: x·1 with a broadcasting 1', () => {
    const ones = constant([1, 1, 1, 1], [2, 2, 1]);
    const { s } = simplifyChecked([o.mul(x, ones)]);
    // the product broadcasts x to [2, 2, 3]: neither x nor a scalar 1 can stand for it
    assert.deepEqual(opsOf(s), ['mul']);
    assert.deepEqual(s.values[s.outputs[0]!]!.tensor.shape, [2, 2, 3]);
  });

  test('reshape∘reshape is one reshape; a reshape to the same shape disappears', () => {
    const r = o.reshape(o.reshape(o.reshape(x, [3, 2]), [6]), [1, 6]);
    const { s } = simplifyChecked([r, o.reshape(o.reshape(x, [6]), [2, 3])]);
    assert.deepEqual(opsOf(s), ['reshape']);
    assert.equal(s.values[s.outputs[1]!]!.tensor, x);
  });

  test('transpose∘transpose composes its permutations, or cancels', () => {
    const z = rng.normal([2, 3, 4]);
    const { s } = simplifyChecked([o.transpose(o.transpose(z, [1, 2, 0]), [2, 0, 1]), o.transpose(o.transpose(z, [1, 0, 2]), [0, 2, 1])]);
    assert.equal(s.values[s.outputs[0]!]!.tensor, z);
    assert.deepEqual(opsOf(s), ['transpose']);
    const t = s.values[s.outputs[1]!]!.tensor;
    assert.deepEqual(t.attrs['perm'], [1, 2, 0]);
  });

  test('a broadcasting op reads through an expand; a scalar constant stays a scalar', () => {
    const b = rng.normal([3]);
    const { s } = simplifyChecked([o.mul(o.expand(b, [2, 3]), x), o.add(o.expand(scalar(2), [2, 3]), x), o.where(o.greater(x, 0), o.expand(b, [2, 3]), 0)]);
    assert.equal(countOps(s, 'expand'), 0);
    assert.ok(s.values.filter((v) => v.kind === 'const').every((v) => v.tensor.size === 1));
  });

  test('an expand a non-broadcasting op needs is kept', () => {
    const b = rng.normal([1, 3]);
    const { s } = simplifyChecked([o.matmul(o.expand(b, [2, 3]), o.transpose(x))]);
    assert.equal(countOps(s, 'expand'), 1);
  });

  test('where with a constant mask picks a branch; where(c, a, a) is a', () => {
    const yes = constant([1, 1, 1], [3], 'bool');
    const no = constant([0], [1], 'bool');
    const { s } = simplifyChecked([o.where(yes, x, y), o.where(no, x, y), o.where(o.greater(x, 0), y, y)]);
    assert.deepEqual(s.outputs.map((i) => s.values[i]!.tensor), [x, y, y]);
    assert.equal(countOps(s, 'where') + countOps(s, 'compare'), 0);
  });

  test('where with a constant mask expands a branch that is smaller than the result', () => {
    const b = rng.normal([3]);
    const { s } = simplifyChecked([o.where(constant([1, 1, 1, 1, 1, 1], [2, 3], 'bool'), b, x)]);
    assert.deepEqual(opsOf(s), ['expand']);
  });

  test('stop_gradient is the identity at run time', () => {
    const { s } = simplifyChecked([o.mul(o.stopGradient(x), y)]);
    assert.deepEqual(opsOf(s), ['mul']);
  });

  test("reshape(sum(…, keepdims)) becomes one sum, only when nothing else reads the sum", () => {
    const z = rng.normal([2, 3, 4]);
    const single = simplifyChecked([o.reshape(o.sum(z, [1], true), [2, 4]), o.reshape(o.sum(z, [0, 2]), [1, 3, 1])]).s;
    assert.deepEqual(opsOf(single), ['sum', 'sum']);
    assert.deepEqual(single.values.filter((v) => v.kind === 'op').map((v) => v.tensor.attrs['keepdims']), [false, true]);
    const kept = o.sum(z, [1], true);
    const shared = simplifyChecked([o.reshape(kept, [2, 4]), o.mul(kept, 2)]).s;
    assert.deepEqual(opsOf(shared).sort(), ['mul', 'reshape', 'sum']);
  });

  test('reshape(sum) that also drops unit axes is one sum over them too; onnxruntime agrees bit for bit', async () => {
    const z = rng.normal([64, 32, 1, 1]);
    const outs = [o.reshape(o.sum(z, [0]), [32])];
    const { s } = simplifyChecked(outs);
    assert.deepEqual(opsOf(s), ['sum']);
    assert.deepEqual(s.values[s.outputs[0]!]!.tensor.attrs, { axes: [0, 2, 3], keepdims: false });
    await checkOrt(outs, 'sum over unit axes');
  });

  test('an expand to the same shape (only made by rewrites) disappears', () => {
    const { s } = simplifyChecked([o.mul(apply(expandOp, [x], { shape: [2, 3] }), y)]);
    assert.deepEqual(opsOf(s), ['mul']);
  });

  test('transpose(matmul(aᵀ, b)) becomes bᵀ·a (one transpose fewer), only when nothing else reads the product', () => {
    const a = rng.normal([4, 2]);
    const b = rng.normal([4, 3]);
    const single = simplifyChecked([o.transpose(o.matmul(o.transpose(a), b))]).s;
    assert.deepEqual(opsOf(single), ['transpose', 'matmul']);
    assert.equal(single.values[single.outputs[0]!]!.tensor.inputs[1], a);
    const p = o.matmul(o.transpose(a), b);
    const shared = simplifyChecked([o.transpose(p), o.mul(p, 2)]).s;
    assert.equal(countOps(shared, 'matmul'), 1);
  });

  test('nodes no output needs are dropped, and so are the feeds only they read', () => {
    const unused = rng.normal([2, 3]);
    const yes = constant([1], [], 'bool');
    const { plan, s } = simplifyChecked([o.where(yes, x, o.exp(unused))]);
    assert.equal(plan.feeds.length, 2);
    assert.equal(s.feeds.length, 1);
    assert.deepEqual(s.feedMap, [plan.feeds.findIndex((i) => plan.values[i]!.tensor === x)]);
    assert.deepEqual(opsOf(s), []);
  });

  test('an output may become a feed, a constant, or the same value as another output', async () => {
    const outs = [o.mul(x, 1), o.add(scalar(1), scalar(2)), o.neg(o.neg(x))];
    const { s } = simplifyChecked(outs);
    assert.equal(s.outputs[0], s.outputs[2]);
    assert.equal(s.values[s.outputs[1]!]!.kind, 'const');
    await checkOrt(outs, 'outputs that are feeds and constants');
  });
});

describe('simplification keeps every value (reference bit for bit, onnxruntime bit for bit)', () => {
  /** A case's value, its first-order gradients and the second-order gradients of their weighted sum. */
  function caseGraph(c: OpCase): Tensor[] {
    const xs = c.args.map((a) => tensor(Float64Array.from(a.data), a.shape, a.dtype ?? 'float32'));
    const out = c.f(...xs);
    const outs = [out];
    if ((c.order ?? 2) > 0 && out.dtype === 'float32') {
      const rng = new Rng(99);
      const floatXs = xs.filter((x) => x.dtype === 'float32');
      const g1 = gradients(o.sum(o.mul(out, rng.normal(out.shape))), floatXs);
      outs.push(...g1);
      if ((c.order ?? 2) > 1) outs.push(...gradients(g1.reduce((acc, g) => o.add(acc, o.sum(o.mul(g, rng.normal(g.shape)))), o.sum(out)), floatXs));
    }
    return outs;
  }

  test('every op case, with first- and second-order gradients', async () => {
    for (const c of allCases) {
      const outs = caseGraph(c);
      simplifyChecked(outs);
      await checkOrt(caseGraph(c), c.name);
    }
  });

  /**
   * A random program over small float tensors, drawn to produce the patterns the rules target:
   * constants 0, ±1 and uniform arrays, expands into broadcasting ops, reshape and transpose chains,
   * keepdims sums, masks, repeated subexpressions, matmuls with transposed operands.
   */
  function randomProgram(seed: number): Tensor[] {
    const rng = new Rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
    const feeds = [rng.normal([2, 3]), rng.normal([3, 2]), rng.normal([2, 1, 3])];
    let pool: Tensor[] = [...feeds];
    const steps = 6 + rng.int(6);
    for (let i = 0; i < steps; i++) {
      const x = pick(pool);
      const k = rng.int(12);
      let y: Tensor;
      if (k === 0) y = o.mul(x, pick([1, -1, 0.5, 2]));
      else if (k === 1) y = pick([o.add, o.sub])(x, pick([0, 1, 0.25]));
      else if (k === 2) y = o.mul(o.expand(constant(new Array<number>(x.shape[x.rank - 1]!).fill(pick([1, 3])), [x.shape[x.rank - 1]!]), x.shape), x);
      else if (k === 3) y = o.reshape(o.reshape(x, [x.size]), pick([[x.size, 1], [1, x.size], x.shape]));
      else if (k === 4) y = o.transpose(o.transpose(x), x.rank === 3 ? pick([[2, 1, 0], [0, 2, 1]]) : [1, 0]);
      else if (k === 5) y = o.mul(x, o.reshape(o.reshape(o.sum(x, [x.rank - 1], true), x.shape.slice(0, -1)), [...x.shape.slice(0, -1), 1]));
      else if (k === 6) y = o.where(o.greater(x, 0), x, o.mul(x, 0.2));
      else if (k === 7) y = o.neg(o.neg(o.stopGradient(x)));
      else if (k === 8) y = o.mul(o.square(x), o.add(x, 1)); // x·x: the same subexpression twice in the backward pass
      else if (k === 9 && x.rank === 2) y = o.transpose(o.matmul(o.transpose(x), o.matmul(x, o.transpose(x))));
      else if (k === 10) y = o.div(x, o.sqrt(o.add(o.mul(x, x), 1)));
      else y = o.where(constant([pick([0, 1])], [], 'bool'), x, o.mul(x, 3));
      pool.push(y);
      if (pool.length > 6) pool = pool.slice(-6);
    }
    const out = o.sum(o.mul(pool[pool.length - 1]!, pool[pool.length - 1]!));
    const g1 = gradients(out, feeds);
    const g2 = gradients(g1.reduce((acc, g) => o.add(acc, o.sum(o.mul(g, g))), out), feeds);
    return [out, ...g1, ...g2];
  }

  test('random programs, with first- and second-order gradients', async () => {
    for (let seed = 0; seed < 60; seed++) {
      simplifyChecked(randomProgram(seed));
      await checkOrt(randomProgram(seed), `random program ${seed}`);
    }
  });

});

describe('simplification of the WGAN-GP critic steps', () => {
  test('toy critic step (gan_toy.py sizes, Adam): fewer nodes, no duplicated constants, no reshape of a sum', () => {
    const rng = new Rng(3);
    const G = new ToyMlp(2, 2, { hidden: 512, layers: 3, rng });
    const D = new ToyMlp(2, 1, { hidden: 512, layers: 3, rng });
    const real = rng.normal([256, 2]);
    const fake = G.forward(rng.normal([256, 2]));
    const critic = (t: Tensor): Tensor => D.forward(t);
    const { penalty } = gradientPenalty(critic, real, fake, rng.uniform([256]), { lambda: 0.1 });
    const loss = o.add(wassersteinCriticLoss(critic(real), critic(fake)), penalty);
    const { outputs } = new Adam(D.namedParameters(), { lr: 1e-4, beta1: 0.5, beta2: 0.9 }).update(gradients(loss, D.parameters()));
    const plan = buildPlan([loss, ...outputs]);
    const s = simplifyPlan(plan);
    assert.ok(s.stats.opsAfter <= 0.9 * s.stats.opsBefore, `${s.stats.opsBefore} → ${s.stats.opsAfter} ops`);
    assert.ok(s.values.filter((v) => v.kind === 'const').length <= 20);
    noPatterns(s);
  });

  test('101-layer ResNet (gan_64x64.py) step: ≥ 10% fewer nodes, in well under a second per 10k nodes', () => {
    const { generator, critic } = createLsun64({ arch: 'resnet-101', dim: 8, rng: new Rng(1) });
    const rng = new Rng(11);
    const fake = generator.forward(rng.normal([2, 128]));
    const real = rng.uniform([2, 3, 64, 64], -1, 1);
    const D = (x: Tensor): Tensor => critic.forward(x);
    const { penalty } = gradientPenalty(D, real, fake, rng.uniform([2]), { lambda: 10 });
    const loss = o.add(wassersteinCriticLoss(D(real), D(fake)), penalty);
    const plan = buildPlan([loss, ...gradients(loss, critic.parameters())]);
    const s = simplifyPlan(plan);
    assert.ok(s.stats.opsBefore > 10_000);
    assert.ok(s.stats.opsAfter <= 0.9 * s.stats.opsBefore, `${s.stats.opsBefore} → ${s.stats.opsAfter} ops`);
    assert.ok(s.stats.ms < 3000, `${s.stats.ms} ms`);
    noPatterns(s);
  });

  /** The patterns the rules remove, and Add(Transpose(2-D), MatMul) (see simplify.ts). */
  function noPatterns(s: Plan): void {
    const consts = new Set<string>();
    const uses = new Map<number, number>();
    for (const v of s.values) if (v.kind === 'op') for (const j of v.inputs) uses.set(j, (uses.get(j) ?? 0) + 1);
    for (const v of s.values) {
      if (v.kind === 'const') {
        const k = `${v.tensor.dtype}${v.tensor.shape}:${Array.from(v.tensor.value!).join(',')}`;
        assert.ok(!consts.has(k), `duplicated constant ${k}`);
        consts.add(k);
      }
      if (v.kind !== 'op') continue;
      const ins = v.inputs.map((j) => s.values[j]!);
      const opOf = (x: (typeof ins)[number]): string => (x.kind === 'op' ? x.op.name : x.kind);
      if (v.op.name === 'reshape') assert.notEqual(opOf(ins[0]!), 'reshape');
      if (v.op.name === 'reshape' && opOf(ins[0]!) === 'sum') assert.ok(uses.get(v.inputs[0]!)! > 1, 'reshape of a sum nothing else reads');
      if (v.op.name === 'transpose') assert.notEqual(opOf(ins[0]!), 'transpose');
      if (v.op.name === 'add') {
        const names = ins.map(opOf).sort().join(',');
        assert.ok(!(names === 'matmul,transpose' && ins.find((x) => opOf(x) === 'transpose')!.tensor.rank === 2), 'Add(Transpose, MatMul)');
      }
    }
  }
});

describe('coverage', () => {
  test('the graphs of this file exercise every rule', () => {
    const rules = [
      'cse-constant', 'cse-mul', 'fold-mul', 'fold-add', 'fold-reshape', 'fold-expand', 'stop-gradient', 'expand-into-broadcast',
      'uniform-constant-to-scalar', 'mul-one', 'mul-minus-one', 'add-zero', 'sub-zero', 'neg-neg', 'reshape-same', 'reshape-reshape',
      'expand-same', 'transpose-transpose', 'where-constant-mask', 'reshape-of-sum', 'transpose-of-matmul',
    ];
    const missing = rules.filter((r) => !fired.has(r));
    assert.deepEqual(missing, [], `rules never fired: ${missing.join(', ')}; fired: ${[...fired.keys()].join(', ')}`);
  });
});
