/**
 * Graph simplification of a realization plan, before it is lowered to ONNX.
 *
 * Autodiff of a second-order objective records many redundant nodes: the same mask `x > 0` once per
 * use of `relu(x)`, `g·x + g·x` from `x·x`, a `reshape` after every `sum(…, keepdims)` of `sumTo`,
 * an `expand` before every broadcasting product in `sum`'s vjp, transposes of transposes in the
 * matmul vjp, hundreds of copies of the scalar constants 0 and 1. onnxruntime would clean most of
 * them at every session creation, in passes of ~1 s each over the 101-layer ResNet's 15k-node
 * WGAN-GP step; and one of them (below) kept its level-1 optimizer running all 10 of its passes.
 * Cleaning them here, once per cached plan, in linear time, is cheaper: see docs/BENCHMARKS.md,
 * "Graph simplification", for the measurements.
 *
 * The pass rebuilds the graph through a "smart constructor" that
 * - shares identical nodes (same op, attributes and inputs) and identical constants (CSE),
 * - folds ops whose inputs are all embedded constants, for ops whose float32 result is exactly the
 *   float32 rounding of the float64 result (+, −, ·, /, √, data movement, comparisons; never sums,
 *   matmuls or transcendental functions, whose float32 kernels round differently),
 * - applies algebraic identities (x·1, x/1, x±0, −(−x), x·(−1) → −x, reshape∘reshape, reshape or
 *   expand to the same shape, transpose∘transpose, where with a constant mask, stop_gradient → x),
 * - lets a broadcasting op read the input of an `expand` directly when the broadcast gives the same
 *   output shape (the expand then dies),
 * and, where the inner node has no other user (so no work is duplicated):
 * - merges `reshape(sum(x, axes, keepdims))` into one sum with the other `keepdims`,
 * - rewrites `transpose(matmul(a, b))` as `matmul(transpose(b), transpose(a))` when that cancels a
 *   transpose. The pattern it removes from a linear layer's double backward,
 *   `Add(Transpose(MatMul(Transpose(a), g)), MatMul(…))`, becomes a Gemm whose input C is a
 *   Transpose in onnxruntime, and onnxruntime 1.30's GemmTransposeFusion then rewrites that Gemm
 *   into itself and reports a change on every one of the 10 level-1 passes,
 * then drops the nodes no output needs. It repeats until nothing changes.
 *
 * Every rule keeps values bit-for-bit in float32 (simplify.test.ts checks it on the reference
 * interpreter and on onnxruntime) except in the sign of a zero or a NaN: `x + 0` and `x − (−0)`
 * return `x`, which is −0 where IEEE addition gives +0, and `x·(−1)` becomes `−x`.
 */
import { expandOp as expandDef } from '../ops/expand.js';
import { matmulOp as matmulDef } from '../ops/matmul.js';
import { negOp as negDef } from '../ops/neg.js';
import type { Attrs, NDArray, OpDef } from '../ops/registry.js';
import { reshapeOp as reshapeDef } from '../ops/reshape.js';
import { sumOp as sumDef } from '../ops/sum.js';
import { transposeOp as transposeDef } from '../ops/transpose.js';
import { broadcastShapes, shapesEqual, sizeOf } from '../tensor/shape.js';
import { Tensor, type DType, type Plan, type PlanValue } from '../tensor/tensor.js';

export interface SimplifyOptions {
  /**
   * Round folded constants (and the constants they are computed from) to float32, as onnxruntime
   * would compute them (default true). Pass false to fold in float64, for the reference backend.
   */
  float32?: boolean;
  /** Largest folded constant, in elements (default 4096): larger results stay computed at run time. */
  maxFoldSize?: number;
  /** At most this many rebuild passes (default 8); each is linear in the graph size. */
  maxPasses?: number;
}

export interface SimplifyStats {
  /** Values (leaves and ops) in the plan before and after. */
  readonly valuesBefore: number;
  readonly valuesAfter: number;
  /** Op nodes before and after. */
  readonly opsBefore: number;
  readonly opsAfter: number;
  /** Rebuild passes run. */
  readonly passes: number;
  /** How often each rule fired, summed over passes. */
  readonly rules: Readonly<Record<string, number>>;
  readonly ms: number;
}

/** A simplified plan: an ordinary {@link Plan} plus where its feeds come from. */
export interface SimplifiedPlan extends Plan {
  /**
   * For each feed of this plan, its index in the ORIGINAL plan's `feeds` (feeds no output needs are
   * dropped). Plans with the same key list their feeds in the same order, so a cached compilation
   * binds the feeds of a later plan with `plan.feeds[feedMap[k]]`.
   */
  readonly feedMap: readonly number[];
  readonly stats: SimplifyStats;
}

/** One node of the graph being rebuilt. Nodes are created in topological order. */
interface GNode {
  readonly id: number;
  /** null for leaves. */
  readonly op: OpDef | null;
  readonly attrs: Attrs;
  readonly inputs: readonly GNode[];
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Index into the original plan's feeds, or -1. */
  readonly feed: number;
  /** Values of an embedded constant (float32-rounded when folding in float32), else null. */
  readonly value: Float64Array | null;
  /** The original tensor this node stands for unchanged (reused in the output plan), if any. */
  readonly source: Tensor | null;
}

// The primitives the rules build, with their attribute types erased (nodes hold any primitive).
const expandOp = expandDef as unknown as OpDef;
const matmulOp = matmulDef as unknown as OpDef;
const negOp = negDef as unknown as OpDef;
const reshapeOp = reshapeDef as unknown as OpDef;
const sumOp = sumDef as unknown as OpDef;
const transposeOp = transposeDef as unknown as OpDef;

/** Ops folded at build time: their float32 result is the float32 rounding of the exact result. */
const FOLDABLE = new Set([
  'add', 'sub', 'mul', 'div', 'neg', 'sqrt', 'abs', 'relu',
  'reshape', 'expand', 'transpose', 'slice', 'concat', 'compare', 'where', 'cast', 'stop_gradient',
]);
/** Arithmetic among FOLDABLE: folded for float32 only (int32 overflow and division differ). */
const ARITHMETIC = new Set(['add', 'sub', 'mul', 'div', 'neg', 'sqrt', 'abs', 'relu']);
/** Elementwise ops broadcasting all their inputs (NumPy rules): an expanded input may be read directly. */
const BROADCASTING = new Set(['add', 'sub', 'mul', 'div', 'compare', 'where']);

const isSwapLast2 = (perm: readonly number[]): boolean => {
  const r = perm.length;
  return r >= 2 && perm[r - 1] === r - 2 && perm[r - 2] === r - 1 && perm.slice(0, r - 2).every((p, i) => p === i);
};

class Builder {
  readonly nodes: GNode[] = [];
  private readonly table = new Map<string, GNode>();
  fired = 0;

  constructor(
    private readonly opts: Required<SimplifyOptions>,
    readonly rules: Record<string, number>,
  ) {}

  private count(rule: string): void {
    this.rules[rule] = (this.rules[rule] ?? 0) + 1;
    this.fired++;
  }

  private add(n: Omit<GNode, 'id'>, key: string | null): GNode {
    const node: GNode = { id: this.nodes.length, ...n };
    this.nodes.push(node);
    if (key !== null) this.table.set(key, node);
    return node;
  }

  feed(t: Tensor, feed: number): GNode {
    return this.add({ op: null, attrs: {}, inputs: [], shape: t.shape, dtype: t.dtype, feed, value: null, source: t }, null);
  }

  /** An embedded constant, shared with any equal one. `source` is kept when the values are its own. */
  constant(value: Float64Array, shape: readonly number[], dtype: DType, source: Tensor | null): GNode {
    const key = `C${dtype}[${shape.join(',')}]${value.join(',')}`;
    const hit = this.table.get(key);
    if (hit) {
      this.count('cse-constant');
      return hit;
    }
    return this.add({ op: null, attrs: {}, inputs: [], shape, dtype, feed: -1, value, source }, key);
  }

  /** The constant's values when every element equals the same number, else undefined. */
  private uniform(n: GNode): number | undefined {
    const v = n.value;
    if (v === null || v.length === 0) return undefined;
    const x = this.opts.float32 && n.dtype === 'float32' ? Math.fround(v[0]!) : v[0]!;
    for (let i = 1; i < v.length; i++) {
      const y = this.opts.float32 && n.dtype === 'float32' ? Math.fround(v[i]!) : v[i]!;
      if (!Object.is(x, y)) return undefined;
    }
    return x;
  }

  /** `x` stands for a result of shape/dtype `out` when it already has that shape and dtype. */
  private fits(x: GNode, out: { shape: readonly number[]; dtype: DType }): boolean {
    return x.dtype === out.dtype && shapesEqual(x.shape, out.shape);
  }

  /**
   * Builds op(inputs): rules first (each returns an equivalent, possibly existing, node), then the
   * node itself, shared with an identical one.
   */
  op(op: OpDef, attrs: Attrs, inputs: readonly GNode[], source: Tensor | null = null): GNode {
    const out = op.infer(inputs, attrs);
    const r = this.rewrite(op, attrs, inputs, out);
    if (r) {
      if (!this.fits(r, out)) throw new Error(`internal: simplify rule changed ${op.name} from ${out.dtype}[${out.shape}] to ${r.dtype}[${r.shape}]`);
      return r;
    }
    const key = `${op.name}${JSON.stringify(attrs)}(${inputs.map((x) => x.id).join(',')})`;
    const hit = this.table.get(key);
    if (hit) {
      this.count(`cse-${op.name}`);
      return hit;
    }
    const keep = source !== null && source.op === op && source.attrs === attrs;
    return this.add({ op, attrs, inputs, shape: out.shape, dtype: out.dtype, feed: -1, value: null, source: keep ? source : null }, key);
  }

  private fold(op: OpDef, attrs: Attrs, inputs: readonly GNode[], out: { shape: readonly number[]; dtype: DType }): GNode | null {
    if (!FOLDABLE.has(op.name) || !inputs.every((x) => x.value !== null)) return null;
    if (sizeOf(out.shape) > this.opts.maxFoldSize) return null;
    if (ARITHMETIC.has(op.name) && out.dtype !== 'float32') return null;
    const f32 = this.opts.float32;
    const args: NDArray[] = inputs.map((x) => ({
      shape: x.shape,
      data: f32 && x.dtype === 'float32' ? Float64Array.from(x.value!, Math.fround) : x.value!,
    }));
    const data = op.reference(args, attrs, out);
    if (f32 && out.dtype === 'float32') for (let i = 0; i < data.length; i++) data[i] = Math.fround(data[i]!);
    if (out.dtype === 'int32' && !data.every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31)) return null;
    this.count(`fold-${op.name}`);
    return this.constant(data, out.shape, out.dtype, null);
  }

  private rewrite(op: OpDef, attrs: Attrs, ins: readonly GNode[], out: { shape: readonly number[]; dtype: DType }): GNode | null {
    const folded = this.fold(op, attrs, ins, out);
    if (folded) return folded;
    const name = op.name;
    if (name === 'stop_gradient') return this.fired1('stop-gradient', ins[0]!);

    // A broadcasting op reads the input of an expand directly when that changes nothing.
    if (BROADCASTING.has(name) && ins.some((x) => x.op === expandOp)) {
      const direct = ins.map((x) => (x.op === expandOp ? x.inputs[0]! : x));
      let shape: readonly number[] = [];
      for (const x of direct) shape = broadcastShapes(name, shape, x.shape);
      if (shapesEqual(shape, out.shape)) {
        this.count('expand-into-broadcast');
        return this.op(op, attrs, direct);
      }
    }

    // A constant with one value everywhere, read by a broadcasting op, can be a scalar when the
    // broadcast still gives the same output shape (folded expands of 0 and 1 become scalars again).
    if (BROADCASTING.has(name) && ins.some((x) => x.value !== null && x.value.length > 1 && this.uniform(x) !== undefined)) {
      const direct = ins.map((x) => {
        const u = x.value !== null && x.value.length > 1 ? this.uniform(x) : undefined;
        return u === undefined ? x : this.constant(Float64Array.of(u), [], x.dtype, null);
      });
      let shape: readonly number[] = [];
      for (const x of direct) shape = broadcastShapes(name, shape, x.shape);
      if (shapesEqual(shape, out.shape)) {
        this.count('uniform-constant-to-scalar');
        return this.op(op, attrs, direct);
      }
    }

    const [a, b] = ins;
    const ua = a ? this.uniform(a) : undefined;
    const ub = b ? this.uniform(b) : undefined;
    switch (name) {
      case 'mul':
        if (ub === 1 && this.fits(a!, out)) return this.fired1('mul-one', a!);
        if (ua === 1 && this.fits(b!, out)) return this.fired1('mul-one', b!);
        if (ub === -1 && this.fits(a!, out)) return this.fired1('mul-minus-one', this.op(negOp, {}, [a!]));
        if (ua === -1 && this.fits(b!, out)) return this.fired1('mul-minus-one', this.op(negOp, {}, [b!]));
        break;
      case 'div':
        if (ub === 1 && this.fits(a!, out)) return this.fired1('div-one', a!);
        break;
      case 'add':
        if (ub === 0 && this.fits(a!, out)) return this.fired1('add-zero', a!);
        if (ua === 0 && this.fits(b!, out)) return this.fired1('add-zero', b!);
        break;
      case 'sub':
        if (ub === 0 && this.fits(a!, out)) return this.fired1('sub-zero', a!);
        break;
      case 'neg':
        if (a!.op === negOp) return this.fired1('neg-neg', a!.inputs[0]!);
        break;
      case 'reshape':
        if (shapesEqual(a!.shape, out.shape)) return this.fired1('reshape-same', a!);
        if (a!.op === reshapeOp) {
          this.count('reshape-reshape');
          return this.op(reshapeOp, attrs, [a!.inputs[0]!]);
        }
        break;
      case 'expand':
        if (shapesEqual(a!.shape, out.shape)) return this.fired1('expand-same', a!);
        if (a!.op === expandOp) {
          this.count('expand-expand');
          return this.op(expandOp, attrs, [a!.inputs[0]!]);
        }
        break;
      case 'transpose': {
        const perm = attrs['perm'] as readonly number[];
        if (perm.every((p, i) => p === i)) return this.fired1('transpose-identity', a!);
        if (a!.op === transposeOp) {
          const inner = a!.attrs['perm'] as readonly number[];
          const composed = perm.map((p) => inner[p]!);
          this.count('transpose-transpose');
          if (composed.every((p, i) => p === i)) return a!.inputs[0]!;
          return this.op(transposeOp, { perm: composed }, [a!.inputs[0]!]);
        }
        break;
      }
      case 'where': {
        const c = this.uniform(a!);
        const pick = c === undefined ? (ins[1] === ins[2] ? ins[1]! : undefined) : c ? ins[1]! : ins[2]!;
        if (pick) {
          this.count('where-constant-mask');
          return this.fits(pick, out) ? pick : this.op(expandOp, { shape: [...out.shape] }, [pick]);
        }
        break;
      }
      case 'sum':
        if ((attrs['axes'] as readonly number[]).length === 0) return this.fired1('sum-no-axes', a!);
        break;
    }
    return null;
  }

  private fired1(rule: string, n: GNode): GNode {
    this.count(rule);
    return n;
  }

  /**
   * Rules that bypass an inner node and are only worth it when that node has no other user
   * (`uses` counts users in the graph being rebuilt; `inner` is the old node, `map` gives new nodes).
   */
  rewriteUsed(old: GNode, uses: ReadonlyMap<GNode, number>, map: ReadonlyMap<GNode, GNode>): GNode | null {
    const inner = old.inputs[0];
    if (!inner || uses.get(inner) !== 1) return null;
    if (old.op === reshapeOp && inner.op === sumOp) {
      // reshape(sum(x, axes, keepdims)) that only adds or drops the reduced unit axes.
      const axes = inner.attrs['axes'] as readonly number[];
      const x = inner.inputs[0]!;
      // Summing over more unit axes changes no value: [N,C,1,1] summed over N and reshaped to [C]
      // is one sum over axes 0, 2, 3.
      const withUnit = x.shape.flatMap((d, i) => (axes.includes(i) || d === 1 ? [i] : []));
      const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const variants: [readonly number[], boolean, readonly number[]][] = [
        [axes, true, kept],
        [axes, false, x.shape.filter((_, i) => !axes.includes(i))],
        [withUnit, false, x.shape.filter((_, i) => !withUnit.includes(i))],
      ];
      const hit = axes.length > 0 ? variants.find(([, , shape]) => shapesEqual(old.shape, shape)) : undefined;
      if (hit) {
        this.count('reshape-of-sum');
        return this.op(sumOp, { axes: hit[0], keepdims: hit[1] }, [map.get(x)!]);
      }
    }
    if (old.op === transposeOp && inner.op === matmulOp && isSwapLast2(old.attrs['perm'] as readonly number[])) {
      // (a·b)ᵀ = bᵀ·aᵀ: worth it when a or b is itself a transpose (one transpose fewer).
      const [a, b] = inner.inputs as [GNode, GNode];
      const isT = (x: GNode): boolean => x.op === transposeOp && isSwapLast2(x.attrs['perm'] as readonly number[]);
      if ((isT(a) || isT(b)) && a.shape.length === old.shape.length && b.shape.length === old.shape.length) {
        this.count('transpose-of-matmul');
        const t = (x: GNode): GNode => this.op(transposeOp, { perm: swapLast2(x.shape.length) }, [map.get(x)!]);
        return this.op(matmulOp, {}, [t(b), t(a)]);
      }
    }
    return null;
  }
}

function swapLast2(rank: number): number[] {
  const p = Array.from({ length: rank }, (_, i) => i);
  p[rank - 1] = rank - 2;
  p[rank - 2] = rank - 1;
  return p;
}

/** Users of each node reachable from `outputs` (an output counts as one more user). */
function countUses(outputs: readonly GNode[]): Map<GNode, number> {
  const uses = new Map<GNode, number>();
  const seen = new Set<GNode>();
  const stack = [...outputs];
  for (const o of outputs) uses.set(o, (uses.get(o) ?? 0) + 1);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const x of n.inputs) {
      uses.set(x, (uses.get(x) ?? 0) + 1);
      stack.push(x);
    }
  }
  return uses;
}

/**
 * Simplifies a plan; the result computes the same outputs from the same feeds and keeps the
 * original `key` (the cache key is computed once, before simplification, and stays cheap).
 * @example
 * const s = simplifyPlan(buildPlan([loss, ...newParams]));
 * console.log(s.stats.opsBefore, '→', s.stats.opsAfter);
 */
export function simplifyPlan(plan: Plan, options: SimplifyOptions = {}): SimplifiedPlan {
  const t0 = performance.now();
  const opts: Required<SimplifyOptions> = { float32: true, maxFoldSize: 4096, maxPasses: 8, ...options };
  const rules: Record<string, number> = {};

  // Pass 0: the plan as a graph (no rules), so every pass below sees use counts of a whole graph.
  let nodes: GNode[] = [];
  const feedOf = new Map<number, number>(plan.feeds.map((vi, k) => [vi, k]));
  plan.values.forEach((v, i) => {
    const t = v.tensor;
    const base = { attrs: t.attrs, shape: t.shape, dtype: t.dtype, source: t };
    if (v.kind === 'op') {
      nodes.push({ id: i, ...base, op: v.op, inputs: v.inputs.map((j) => nodes[j]!), feed: -1, value: null });
    } else if (v.kind === 'feed') {
      nodes.push({ id: i, ...base, op: null, inputs: [], feed: feedOf.get(i)!, value: null });
    } else {
      const value = t.value instanceof Float64Array ? t.value : Float64Array.from(t.value!);
      nodes.push({ id: i, ...base, op: null, inputs: [], feed: -1, value });
    }
  });
  let outputs = plan.outputs.map((i) => nodes[i]!);
  const opsBefore = plan.values.filter((v) => v.kind === 'op').length;

  let passes = 0;
  for (; passes < opts.maxPasses; passes++) {
    const uses = countUses(outputs);
    const b = new Builder(opts, rules);
    const map = new Map<GNode, GNode>();
    for (const n of nodes) {
      if (!uses.has(n)) continue; // dead
      let m: GNode;
      if (n.feed >= 0) m = b.feed(n.source!, n.feed);
      else if (n.op === null) m = b.constant(n.value!, n.shape, n.dtype, n.source);
      else m = b.rewriteUsed(n, uses, map) ?? b.op(n.op, n.attrs, n.inputs.map((x) => map.get(x)!), n.source);
      map.set(n, m);
    }
    const liveBefore = uses.size;
    nodes = b.nodes;
    outputs = outputs.map((o) => map.get(o)!);
    if (b.fired === 0 && countUses(outputs).size === liveBefore) {
      passes++;
      break;
    }
  }
  return toPlan(plan, nodes, outputs, { opsBefore, passes, rules, t0 });
}

function toPlan(
  plan: Plan,
  nodes: readonly GNode[],
  outputs: readonly GNode[],
  info: { opsBefore: number; passes: number; rules: Record<string, number>; t0: number },
): SimplifiedPlan {
  const live = countUses(outputs);
  const index = new Map<GNode, number>();
  const values: PlanValue[] = [];
  const feeds: number[] = [];
  const feedMap: number[] = [];
  let ops = 0;
  // Feeds first, in their original order, so equal keys give equal input orders.
  const liveFeeds = nodes.filter((n) => n.feed >= 0 && live.has(n)).sort((x, y) => x.feed - y.feed);
  for (const n of liveFeeds) {
    index.set(n, values.length);
    feeds.push(values.length);
    feedMap.push(n.feed);
    values.push({ kind: 'feed', tensor: n.source! });
  }
  for (const n of nodes) {
    if (!live.has(n) || n.feed >= 0) continue;
    index.set(n, values.length);
    if (n.op === null) {
      const t = n.source ?? new Tensor([...n.shape], n.dtype, null, [], {}, n.value, true);
      values.push({ kind: 'const', tensor: t });
    } else {
      const inputs = n.inputs.map((x) => index.get(x)!);
      const ins = inputs.map((j) => values[j]!.tensor);
      // The original tensor stands for the node when it reads the same tensors; else a new one does.
      const same = n.source !== null && n.source.inputs.length === ins.length && ins.every((t, k) => n.source!.inputs[k] === t);
      const t = same ? n.source! : new Tensor([...n.shape], n.dtype, n.op, ins, n.attrs, null);
      values.push({ kind: 'op', tensor: t, op: n.op, inputs });
      ops++;
    }
  }
  const stats: SimplifyStats = {
    valuesBefore: plan.values.length,
    valuesAfter: values.length,
    opsBefore: info.opsBefore,
    opsAfter: ops,
    passes: info.passes,
    rules: info.rules,
    ms: performance.now() - info.t0,
  };
  return { key: plan.key, values, outputs: outputs.map((o) => index.get(o)!), feeds, feedMap, stats };
}
