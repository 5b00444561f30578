/**
 * Lowering details that keep the ONNX graph small (shared nodes and initializers, outputs named
 * after their nodes) and the onnxruntime backend's compile options (simplification, optimization
 * level, the feeds a simplified graph drops, compile reports).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import * as ortNode from 'onnxruntime-node';
import { ortBackend } from '../../node.js';
import * as o from '../../ops/index.js';
import { Rng } from '../../tensor/random.js';
import { buildPlan, constant, realize, tensor, type Tensor } from '../../tensor/tensor.js';
import { AUTO_ALL_MAX_NODES, createOrtBackend, probeNchwcBlock, type CompileInfo, type OrtLike } from './ort-backend.js';
import { lowerPlan, loweringKey, PACK_CONCAT_INPUTS } from './lower.js';
import { referenceBackend } from '../reference/reference-backend.js';

const rng = new Rng(7);

describe('lowerPlan', () => {
  test('identical nodes and initializers are emitted once', () => {
    const x = rng.normal([2, 3, 4, 4]);
    const w = rng.normal([5, 3, 3, 3]);
    // Two weight gradients of the same input both transpose it: one Transpose node.
    const g1 = rng.normal([2, 5, 2, 2]);
    const g2 = rng.normal([2, 5, 2, 2]);
    const y = o.add(o.conv2dWeightGrad(x, g1, { stride: [1, 1], pads: [0, 0, 0, 0], dilation: [1, 1] }, [3, 3]), o.conv2dWeightGrad(x, g2, { stride: [1, 1], pads: [0, 0, 0, 0], dilation: [1, 1] }, [3, 3]));
    const m = lowerPlan(buildPlan([y, o.reshape(x, [2, 48]), o.reshape(w, [5, 27])]));
    const transposesOfX = m.nodes.filter((n) => n.opType === 'Transpose' && n.inputs[0] === m.inputNames[0]);
    assert.equal(transposesOfX.length, 1);
    // Two Reshapes with different target shapes: two shape initializers.
    assert.equal(m.nodes.filter((n) => n.opType === 'Reshape').length, 2);
    const shapeInits = new Set(m.nodes.filter((n) => n.opType === 'Reshape').map((n) => n.inputs[1]));
    assert.equal(shapeInits.size, 2);
  });

  test('a matmul with inner dimension 1 is a broadcasting Mul, with the MatMul\'s values', async () => {
    const g = rng.normal([256, 1]);
    const w = rng.normal([1, 512]);
    const batched = rng.normal([2, 3, 1]);
    const outer = o.matmul(g, w);
    const outerBatched = o.matmul(batched, w);
    const m = lowerPlan(buildPlan([outer, outerBatched, o.matmul(w, rng.normal([512, 2]))]));
    assert.deepEqual(m.nodes.map((n) => n.opType).sort(), ['MatMul', 'Mul', 'Mul']);
    await realize([outer, outerBatched], ortBackend({ threads: 1 }));
    const [gv, wv, bv] = [g.value!, w.value!, batched.value!];
    assert.deepEqual(Array.from(outer.value!), Array.from({ length: 256 * 512 }, (_, k) => Math.fround(gv[Math.floor(k / 512)]! * wv[k % 512]!)));
    assert.deepEqual(outerBatched.shape, [2, 3, 512]);
    assert.deepEqual(Array.from(outerBatched.value!), Array.from({ length: 6 * 512 }, (_, k) => Math.fround(bv[Math.floor(k / 512)]! * wv[k % 512]!)));
  });

  test('a float32 sum over leading axes (a bias gradient) is a product with a row of ones on a CPU; other sums stay ReduceSum', async () => {
    const x = rng.normal([32, 6, 5]);
    const few = rng.normal([8, 6]);
    const few32 = rng.normal([32, 6]);
    const ints = tensor(Int32Array.from({ length: 32 * 6 }, (_, i) => i % 7), [32, 6], 'int32');
    // [the sum, built anew each time (a realized tensor keeps its value), whether it is a product]
    const cases: [string, () => Tensor, boolean][] = [
      ['axis 0', () => o.sum(x, [0]), true],
      ['axes 0, 1', () => o.sum(x, [0, 1]), true],
      ['axis 0, keepdims', () => o.sum(x, [0], true), true],
      ['axes 0, 1, keepdims', () => o.sum(x, [0, 1], true), true],
      ['axes 0, 2, 3 of [32, 6, 1, 1] (unit axes aside, leading)', () => o.sum(o.reshape(few32, [32, 6, 1, 1]), [0, 2, 3]), true],
      ['axes 0, 1 of [32, 1, 6] (a unit axis among the reduced)', () => o.sum(o.reshape(few32, [32, 1, 6]), [0, 1]), true],
      ['axis 0 of [32, 1] (only a unit axis kept)', () => o.sum(o.reshape(few32, [192, 1]), [0]), true],
      ['axis 1 of [1, 32, 6] (leading once the unit axis is set aside)', () => o.sum(o.reshape(few32, [1, 32, 6]), [1]), true],
      ['axis 1 (not leading)', () => o.sum(x, [1]), false],
      ['every axis', () => o.sum(x), false],
      ['8 rows (too few to matter)', () => o.sum(few, [0]), false],
      ['int32', () => o.sum(ints, [0]), false],
    ];
    const ort = ortBackend({ threads: 1 });
    const ref = referenceBackend();
    for (const [label, build, gemm] of cases) {
      const ops = lowerPlan(buildPlan([build()])).nodes.map((n) => n.opType);
      assert.equal(ops.includes('MatMul'), gemm, `${label}: ${ops.join(' ')}`);
      assert.equal(ops.includes('ReduceSum'), !gemm, `${label}: ${ops.join(' ')}`);
      assert.ok(!lowerPlan(buildPlan([build()]), { gpu: true }).nodes.some((n) => n.opType === 'MatMul'), `${label}: a GPU target keeps ReduceSum`);
      const [got, want] = [build(), build()];
      await realize([got], ort);
      await realize([want], ref);
      assert.deepEqual(got.shape, want.shape, label);
      const [g, w] = [Array.from(await got.data64()), Array.from(await want.data64())];
      g.forEach((v, i) => assert.ok(Math.abs(v - w[i]!) <= 1e-5 * Math.max(1, Math.abs(w[i]!)), `${label}[${i}]: ${v} vs ${w[i]}`));
    }
    await ort.dispose();
  });

  test('equal constants share one initializer', () => {
    const x = rng.normal([3]);
    const m = lowerPlan(buildPlan([o.add(o.mul(x, constant([2, 2, 2], [3])), constant([2, 2, 2], [3]))]));
    assert.equal(m.initializerCount, 1);
  });

  test('outputs are named after the nodes computing them; inputs, constants and repeats get an Identity', async () => {
    const x = rng.normal([2, 2]);
    const y = o.mul(x, 3);
    const plan = buildPlan([y, o.add(y, 1)]);
    const m = lowerPlan(plan);
    assert.equal(m.nodes.filter((n) => n.opType === 'Identity').length, 0);
    assert.deepEqual(m.nodes.map((n) => n.outputs[0]), ['out0', 'out1']);
    // A plan whose outputs repeat, or are an input or a constant, still runs (as a simplified plan can be).
    const values = [...plan.values];
    const xi = values.findIndex((v) => v.tensor === x);
    const ci = values.findIndex((v) => v.kind === 'const');
    const odd = { ...plan, outputs: [plan.outputs[0]!, plan.outputs[0]!, xi, ci] };
    const m2 = lowerPlan(odd);
    assert.equal(m2.nodes.filter((n) => n.opType === 'Identity').length, 3);
    const session = await ortNode.InferenceSession.create(m2.bytes);
    const res = await session.run({ [m2.inputNames[0]!]: new ortNode.Tensor('float32', Float32Array.from(x.value!), [2, 2]) });
    const xs = Array.from(x.value!);
    assert.deepEqual(Array.from(res[m2.outputNames[0]!]!.data as Float32Array), xs.map((v) => Math.fround(v * 3)));
    assert.deepEqual(Array.from(res[m2.outputNames[1]!]!.data as Float32Array), xs.map((v) => Math.fround(v * 3)));
    assert.deepEqual(Array.from(res[m2.outputNames[2]!]!.data as Float32Array), xs);
    assert.deepEqual(Array.from(res[m2.outputNames[3]!]!.data as Float32Array), [3]);
  });
});

describe('packed outputs (one device-to-host copy per session run)', () => {
  /** 20 float32 outputs of assorted shapes (a scalar, a view of an input, a repeat) and a bool mask. */
  const program = (x: Tensor): Tensor[] => {
    const outs: Tensor[] = [o.sum(o.mul(x, x)), x];
    for (let i = 0; i < 17; i++) outs.push(o.add(o.mul(x, i + 1), i));
    outs.push(outs[2]!, o.greater(x, 0));
    return outs;
  };

  test('lowerPlan packs the float32 outputs into one, through Concats of at most PACK_CONCAT_INPUTS inputs', () => {
    const x = new Rng(3).normal([4, 5]);
    const m = lowerPlan(buildPlan(program(x)), { packOutputs: true });
    assert.ok(m.packed);
    const concats = m.nodes.filter((n) => n.opType === 'Concat');
    assert.ok(concats.length >= 3, 'a tree: 20 inputs need 3 Concats below the root');
    for (const c of concats) assert.ok(c.inputs.length <= PACK_CONCAT_INPUTS, `Concat of ${c.inputs.length}`);
    const members = m.packed.members;
    assert.equal(members.length, 21);
    assert.equal(members[20], null, 'the bool mask is an output of its own');
    assert.deepEqual(members[0], { offset: 0, length: 1 });
    assert.deepEqual(members[1], { offset: 1, length: 20 });
    assert.deepEqual(members[19], { offset: 1 + 18 * 20, length: 20 });
    assert.equal(new Set(m.outputNames.slice(0, 20)).size, 1, 'all float outputs read the packed one');
    assert.notEqual(m.outputNames[20], m.outputNames[0]);
    // One float output: nothing to pack.
    assert.equal(lowerPlan(buildPlan([o.mul(x, 2)]), { packOutputs: true }).packed, undefined);
  });

  test('a backend with packOutputs returns the same values, small outputs copied out of the packed buffer', async () => {
    const packed = ortBackend({ threads: 1, packOutputs: true });
    const plain = ortBackend({ threads: 1 });
    try {
      const run = async (b: typeof plain): Promise<{ values: number[][]; outs: Tensor[] }> => {
        const outs = program(new Rng(4).normal([128, 160])); // 20,480 elements: above PACK_COPY_BELOW
        await realize(outs, b);
        return { values: await Promise.all(outs.map((t) => t.toArray())), outs };
      };
      const want = await run(plain);
      const got = await run(packed);
      assert.deepEqual(got.values, want.values);
      const loss = got.outs[0]!.value as Float32Array;
      assert.equal(loss.buffer.byteLength, 4, 'a scalar does not keep the whole packed output alive');
      const big = got.outs[3]!.value as Float32Array;
      assert.ok(big.buffer.byteLength > 4 * big.length, 'a large output is a view into the packed output');
    } finally {
      await packed.dispose?.();
      await plain.dispose?.();
    }
  });
});

describe('packed inputs (one host-to-device copy per session run)', () => {
  /** Float feeds of assorted shapes (a scalar among them) and an int32 feed. */
  const feedsOf = (seed: number): { floats: Tensor[]; ints: Tensor } => {
    const r = new Rng(seed);
    return { floats: [r.normal([3, 4]), tensor([2.5], []), r.normal([5]), r.normal([2, 3, 2])], ints: tensor([1, 2, 3, 4, 5], [5], 'int32') };
  };
  const program = ({ floats: [a, s, b, c], ints }: { floats: Tensor[]; ints: Tensor }): Tensor[] => [
    o.mul(o.sum(a!), s!),
    o.add(b!, o.cast(ints, 'float32')),
    o.reshape(o.mul(c!, s!), [12]),
  ];

  test('lowerPlan takes the float32 feeds as one input, sliced back in the graph', () => {
    const m = lowerPlan(buildPlan(program(feedsOf(1))), { packInputs: true });
    assert.ok(m.packedInput);
    assert.equal(m.packedInput.length, 12 + 1 + 5 + 12);
    const members = m.packedInput.members;
    assert.deepEqual(members.filter((x) => x !== null), [
      { offset: 0, length: 12 },
      { offset: 12, length: 1 },
      { offset: 13, length: 5 },
      { offset: 18, length: 12 },
    ]);
    assert.equal(members.filter((x) => x === null).length, 1, 'the int32 feed is an input of its own');
    assert.equal(m.nodes.filter((n) => n.opType === 'Slice' && n.inputs[0] === m.packedInput!.name).length, 4);
    // Exports keep their named inputs.
    const x = new Rng(2).normal([2]);
    const y = new Rng(3).normal([2]);
    assert.equal(lowerPlan(buildPlan([o.add(x, y)]), { packInputs: true, inputs: new Map([[x, 'x'], [y, 'y']]) }).packedInput, undefined);
  });

  test('a backend with packInputs (and packOutputs) gives the same values, for new feed values too', async () => {
    const packed = ortBackend({ threads: 1, packInputs: true, packOutputs: true });
    const plain = ortBackend({ threads: 1 });
    try {
      for (const seed of [1, 2]) {
        const want = program(feedsOf(seed));
        const got = program(feedsOf(seed));
        await realize(want, plain);
        await realize(got, packed);
        for (let i = 0; i < want.length; i++) assert.deepEqual(await got[i]!.toArray(), await want[i]!.toArray(), `output ${i}, seed ${seed}`);
      }
      assert.equal(packed.sessionsCreated, 1, 'the second seed reuses the session with its own values');
    } finally {
      await packed.dispose?.();
      await plain.dispose?.();
    }
  });
});

describe('ortBackend compile options', () => {
  const infos: CompileInfo[] = [];
  const simple = ortBackend({ threads: 1, onCompile: (i) => infos.push(i) });
  const plain = ortBackend({ threads: 1, simplify: false, graphOptimizationLevel: 'basic', onCompile: (i) => infos.push(i) });
  after(async () => {
    await simple.dispose?.();
    await plain.dispose?.();
  });

  const program = (x: Tensor, unused: Tensor): Tensor[] => {
    // The mask is a constant, so `unused` is dead after simplification: its feed is dropped.
    const yes = constant([1], [], 'bool');
    return [o.where(yes, o.mul(o.add(x, 0), 1), o.exp(unused)), o.reshape(o.sum(o.mul(x, x), [1], true), [2])];
  };

  test('a simplified graph drops dead feeds and still binds the feeds of later plans with the same key', async () => {
    infos.length = 0;
    const runs: number[][][] = [];
    for (const seed of [1, 2]) {
      const r = new Rng(seed);
      const x = r.normal([2, 3]);
      const outs = program(x, r.normal([3]));
      await realize(outs, simple);
      runs.push(await Promise.all(outs.map((t) => t.toArray())));
      const xs = Array.from(x.value!);
      assert.deepEqual(runs[runs.length - 1]![0], xs);
      const f = Math.fround;
      const rowSum = (i: number): number => f(f(f(xs[3 * i]! * xs[3 * i]!) + f(xs[3 * i + 1]! * xs[3 * i + 1]!)) + f(xs[3 * i + 2]! * xs[3 * i + 2]!));
      assert.deepEqual(runs[runs.length - 1]![1], [rowSum(0), rowSum(1)]);
    }
    assert.equal(simple.sessionsCreated, 1, 'one session for both plans');
    assert.equal(infos.length, 1);
    const info = infos[0]!;
    assert.ok(info.opsAfter < info.opsBefore, `${info.opsBefore} → ${info.opsAfter}`);
    assert.equal(info.level, 'all', `'auto' picks 'all' for small graphs (≤ ${AUTO_ALL_MAX_NODES} nodes)`);
    assert.ok(info.simplify && info.simplify.rules['where-constant-mask'] === 1);
  });

  test('simplify: false and an explicit level are honoured, with the same values', async () => {
    infos.length = 0;
    const r = new Rng(1);
    const outs = program(r.normal([2, 3]), r.normal([3]));
    await realize(outs, plain);
    assert.equal(infos[0]!.level, 'basic');
    assert.equal(infos[0]!.opsAfter, infos[0]!.opsBefore);
    assert.equal(infos[0]!.simplify, undefined);
  });

  test('a bad level is refused by name', () => {
    assert.throws(() => ortBackend({ graphOptimizationLevel: 'max' as never }), /graphOptimizationLevel must be one of disabled, basic, extended, all, auto, got 'max'/);
  });

  test('the feed values reach the right inputs when several feeds survive', async () => {
    const a = tensor([1, 2, 3], [3]);
    const b = tensor([10, 20, 30], [3]);
    const c = tensor([100, 200, 300], [3]);
    const y = o.add(o.sub(c, a), o.mul(o.stopGradient(b), 1));
    await realize([y], simple);
    assert.deepEqual(await y.toArray(), [109, 218, 327]);
  });
});

describe('ortBackend session options', () => {
  /** A backend over onnxruntime-node that records the options of every session it creates. */
  function recording(opts: Parameters<typeof createOrtBackend>[1]) {
    const seen: Record<string, unknown>[] = [];
    const api: OrtLike = {
      Tensor: ortNode.Tensor as unknown as OrtLike['Tensor'],
      InferenceSession: {
        create: async (model, options) => {
          seen.push(options ?? {});
          return (await ortNode.InferenceSession.create(model, options)) as unknown as Awaited<ReturnType<OrtLike['InferenceSession']['create']>>;
        },
      },
    };
    return { backend: createOrtBackend(api, { threads: 1, ...opts }), seen };
  }

  test("memoryPattern 'auto' turns onnxruntime's memory pattern on for small graphs; false and true are honoured", async () => {
    for (const [memoryPattern, want] of [[undefined, true], [false, false], [true, true]] as const) {
      const { backend, seen } = recording(memoryPattern === undefined ? {} : { memoryPattern });
      const y = o.mul(tensor([1, 2, 3], [3]), 2);
      await realize([y], backend);
      assert.deepEqual(await y.toArray(), [2, 4, 6]);
      const step = seen.filter((s) => s.graphOptimizationLevel !== undefined);
      assert.equal(step.length, 1);
      assert.equal(step[0]!.enableMemPattern, want, `memoryPattern ${String(memoryPattern)}`);
      await backend.dispose();
    }
  });

  // The NCHWc tests of src/ops/conv-lowering.test.ts skip where the probe finds no kernels; here a
  // probe that stopped finding them on a CPU that has them fails.
  const flags = existsSync('/proc/cpuinfo') && process.arch === 'x64' ? (/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').split(/\s+/) : [];
  test('the NCHWc probe finds the block size of an x86-64 CPU with AVX2 (16 with AVX-512)', { skip: flags.includes('avx2') ? false : 'not an x86-64 Linux CPU with AVX2' }, async () => {
    const block = await probeNchwcBlock(ortNode as unknown as OrtLike);
    assert.equal(block, flags.includes('avx512f') ? 16 : 8);
  });

  test('every lowering option that changes a graph changes the session key; a bad gpuWeightGradConvMaxRows is refused', () => {
    const keys = [{}, { nchwcBlock: 16 }, { gpu: true }, { gpu: true, gpuWeightGradConvMaxRows: 0 }, { packOutputs: true }, { packInputs: true }].map(loweringKey);
    assert.equal(new Set(keys).size, keys.length, keys.join(' '));
    assert.equal(loweringKey({ gpuWeightGradConvMaxRows: 0 }), loweringKey({}), 'the bound is a GPU-only choice');
    assert.throws(() => ortBackend({ gpuWeightGradConvMaxRows: -1 }), /gpuWeightGradConvMaxRows must be a non-negative integer, got -1/);
  });

  test('a bad memoryPattern is refused by name', () => {
    assert.throws(() => ortBackend({ memoryPattern: 'sometimes' as never }), /memoryPattern must be true, false or 'auto', got sometimes/);
  });
});
